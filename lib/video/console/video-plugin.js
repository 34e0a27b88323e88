// The ProcessVideo plugin for the swf-local console (lib/engine/console): per-rendition progress
// from the history, and once the run completed, the thumbnails and a player for the HLS output.
// Served by the engine as a plugin script (see lib/video/console/index.ts); plain ES module, no
// build step. The pure part (videoProgress, chunkNote, chunkedSteps) is exported for the unit
// tests; the page part runs only where window.swfConsole exists.
//
// A chunked run's renditions are encoded by child workflows whose progress the parent's history
// does not show: for those the page asks the starter API (GET /videos/{id}, which reads each
// child's history) every few seconds while the run is open.

/** Lambda function / activity type name -> step (lib/video/definition.ts STEPS). */
export const STEP_OF_FUNCTION = {
  'video-probe': 'probe',
  'video-transcode': 'transcode',
  'video-thumbnails': 'thumbnails',
  // A chunked run's thumbnails come from the sheet task (key `thumbnails`, after per-chunk tiles).
  'video-thumbnail-sheet': 'thumbnails',
  'video-publish': 'publish',
};
/** A chunked run encodes each rendition in a child of this type (lib/video/definition.ts). */
const RENDITION_WORKFLOW = 'ProcessRendition';
/** ChildWorkflowExecution* event -> the state of the rendition's step. */
const CHILD_CLOSE = {
  ChildWorkflowExecutionCompleted: 'COMPLETED',
  ChildWorkflowExecutionFailed: 'FAILED',
  ChildWorkflowExecutionTimedOut: 'TIMED_OUT',
  ChildWorkflowExecutionCanceled: 'CANCELED',
  ChildWorkflowExecutionTerminated: 'CANCELED',
  StartChildWorkflowExecutionFailed: 'FAILED',
};
const LADDER_MARKER = 'ladder';

function attrs(e) {
  for (const k in e) if (k.endsWith('EventAttributes')) return e[k] ?? {};
  return {};
}

function ts(e) {
  const t = e.eventTimestamp;
  if (typeof t === 'number') return t;
  const n = Number(t);
  return Number.isFinite(n) ? n : Date.parse(t) / 1000;
}

function parseJson(text) {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `transcode-720p#2` -> { key: 'transcode-720p', attempt: 2 } (lib/decider/ids.ts). */
export function parseTaskId(id) {
  const m = /^(.*)#(\d+)$/.exec(String(id));
  return m ? { key: m[1], attempt: Number(m[2]) } : { key: String(id), attempt: 1 };
}

const CLOSE = {
  WorkflowExecutionCompleted: 'COMPLETED',
  WorkflowExecutionFailed: 'FAILED',
  WorkflowExecutionTimedOut: 'TIMED_OUT',
  WorkflowExecutionCanceled: 'CANCELED',
  WorkflowExecutionTerminated: 'TERMINATED',
  WorkflowExecutionContinuedAsNew: 'CONTINUED_AS_NEW',
};

/**
 * The pipeline's progress from its SWF history: each step (probe, transcode per rendition,
 * thumbnails, publish) with its attempts and state, the ladder, and the result once completed.
 * States: PENDING, SCHEDULED, RUNNING, RETRY_WAIT, COMPLETED, FAILED, TIMED_OUT, CANCELED, NOT_RUN.
 */
export function videoProgress(history, now) {
  const tasks = new Map(); // key -> step row
  const bySchedule = new Map(); // scheduledEventId -> attempt
  const timers = new Map(); // timerId -> { fireAt, open }
  let ladder;
  let close;
  let input;
  const row = (key, step, rendition) => {
    let r = tasks.get(key);
    if (!r) {
      r = { key, step, rendition, attempts: [], state: 'PENDING' };
      tasks.set(key, r);
    }
    if (rendition && !r.rendition) r.rendition = rendition;
    return r;
  };
  for (const e of history) {
    const a = attrs(e);
    const at = ts(e);
    switch (e.eventType) {
      case 'WorkflowExecutionStarted':
        input = parseJson(a.input);
        break;
      case 'MarkerRecorded':
        if (a.markerName === LADDER_MARKER) ladder = parseJson(a.details);
        break;
      case 'LambdaFunctionScheduled':
      case 'ActivityTaskScheduled': {
        const name = e.eventType === 'LambdaFunctionScheduled' ? a.name : a.activityType?.name;
        const step = STEP_OF_FUNCTION[name];
        if (!step) break;
        const { key, attempt } = parseTaskId(e.eventType === 'LambdaFunctionScheduled' ? a.id : a.activityId);
        const taskInput = parseJson(a.input);
        const rendition = step === 'transcode' ? (taskInput?.rendition?.name ?? key.replace(/^transcode-/, '')) : undefined;
        const r = row(key, step, rendition);
        const att = { attempt, state: 'SCHEDULED', scheduledAt: at };
        r.attempts.push(att);
        bySchedule.set(e.eventId, att);
        break;
      }
      case 'LambdaFunctionStarted':
      case 'ActivityTaskStarted': {
        const att = bySchedule.get(a.scheduledEventId);
        if (att) Object.assign(att, { state: 'RUNNING', startedAt: at });
        break;
      }
      case 'LambdaFunctionCompleted':
      case 'ActivityTaskCompleted': {
        const att = bySchedule.get(a.scheduledEventId);
        if (att) Object.assign(att, { state: 'COMPLETED', closedAt: at });
        break;
      }
      case 'LambdaFunctionFailed':
      case 'ActivityTaskFailed':
      case 'StartLambdaFunctionFailed': {
        const att = bySchedule.get(a.scheduledEventId);
        if (att) Object.assign(att, { state: 'FAILED', closedAt: at, reason: a.reason ?? a.cause, details: a.details ?? a.message });
        break;
      }
      case 'LambdaFunctionTimedOut':
      case 'ActivityTaskTimedOut': {
        const att = bySchedule.get(a.scheduledEventId);
        if (att) Object.assign(att, { state: 'TIMED_OUT', closedAt: at, reason: a.timeoutType });
        break;
      }
      case 'ActivityTaskCanceled': {
        const att = bySchedule.get(a.scheduledEventId);
        if (att) Object.assign(att, { state: 'CANCELED', closedAt: at });
        break;
      }
      case 'StartChildWorkflowExecutionInitiated': {
        // A chunked run's rendition: its child is the rendition's transcode step.
        if (a.workflowType?.name !== RENDITION_WORKFLOW) break;
        const name = parseJson(a.input)?.rendition?.name;
        if (!name) break;
        const att = { attempt: 1, state: 'SCHEDULED', scheduledAt: at };
        const r = row(`transcode-${name}`, 'transcode', name);
        r.attempts.push(att);
        r.childWorkflowId = a.workflowId;
        bySchedule.set(`child:${e.eventId}`, att);
        break;
      }
      case 'ChildWorkflowExecutionStarted': {
        const att = bySchedule.get(`child:${a.initiatedEventId}`);
        if (att) Object.assign(att, { state: 'RUNNING', startedAt: at });
        break;
      }
      case 'TimerStarted':
        timers.set(a.timerId, { fireAt: at + Number(a.startToFireTimeout ?? 0), open: true });
        break;
      case 'TimerFired':
      case 'TimerCanceled': {
        const t = timers.get(a.timerId);
        if (t) t.open = false;
        break;
      }
      default:
        if (CHILD_CLOSE[e.eventType]) {
          const att = bySchedule.get(`child:${a.initiatedEventId}`);
          if (att) Object.assign(att, { state: CHILD_CLOSE[e.eventType], closedAt: at, reason: a.reason ?? a.cause, details: a.details });
        } else if (CLOSE[e.eventType]) close = { status: CLOSE[e.eventType], at, result: parseJson(a.result), reason: a.reason, details: parseJson(a.details) ?? a.details };
    }
  }

  // Steps in pipeline order; renditions from the ladder (known before their tasks are scheduled).
  const steps = [];
  const take = (key, step, rendition) => {
    const r = tasks.get(key) ?? { key, step, rendition, attempts: [], state: 'PENDING' };
    tasks.delete(key);
    steps.push(r);
  };
  take('probe', 'probe');
  const rungs = Array.isArray(ladder) ? ladder.map((r) => r.name) : [];
  for (const name of rungs) take(`transcode-${name}`, 'transcode', name);
  for (const [key, r] of [...tasks]) if (r.step === 'transcode') take(key, 'transcode', r.rendition);
  take('thumbnails', 'thumbnails');
  take('publish', 'publish');
  for (const [key, r] of [...tasks]) take(key, r.step, r.rendition);

  for (const r of steps) {
    const last = r.attempts[r.attempts.length - 1];
    const nextTimer = timers.get(`${r.key}#${r.attempts.length + 1}`);
    if (nextTimer?.open) {
      r.state = 'RETRY_WAIT';
      r.nextAttemptAt = nextTimer.fireAt;
    } else if (last) {
      r.state = last.state;
    } else {
      r.state = close ? 'NOT_RUN' : 'PENDING';
    }
    if (close && (r.state === 'SCHEDULED' || r.state === 'RUNNING' || r.state === 'RETRY_WAIT')) r.state = close.status === 'COMPLETED' ? r.state : 'CANCELED';
    r.scheduledAt = r.attempts[0]?.scheduledAt;
    r.startedAt = last?.startedAt;
    r.closedAt = last?.closedAt;
    r.elapsed = r.startedAt !== undefined ? (r.closedAt ?? close?.at ?? now ?? r.startedAt) - r.startedAt : undefined;
  }
  const total = steps.length;
  const done = steps.filter((s) => s.state === 'COMPLETED').length;
  const chunked = steps.some((s) => s.childWorkflowId !== undefined);
  return { input, ladder: rungs, steps, done, total, chunked, close, result: close?.status === 'COMPLETED' ? close.result : undefined };
}

/** The chunked renditions of a GET /videos/{id} answer: rendition name -> its step (with `chunks` or `progressError`). */
export function chunkedSteps(status) {
  const out = new Map();
  for (const step of status?.steps ?? []) if (step.rendition && (step.chunks || step.progressError)) out.set(step.rendition, step);
  return out;
}

/** A chunked rendition's progress in a few words (`chunks 37/120, 10 running, 2 retrying`), from its API step. */
export function chunkNote(step) {
  if (!step) return '';
  if (step.progressError) return `progress unknown: ${step.progressError}`;
  const c = step.chunks;
  const parts = [`chunks ${c.completed}/${c.total}`];
  for (const [n, what] of [[c.running, 'running'], [c.retrying, 'retrying'], [c.failed, 'failed'], [c.canceled, 'canceled']]) if (n > 0) parts.push(`${n} ${what}`);
  if (c.failedAttempts > 0) parts.push(`${c.failedAttempts} failed attempt${c.failedAttempts === 1 ? '' : 's'}`);
  if (c.package.state !== 'PENDING' && c.package.state !== 'NOT_RUN') parts.push(`package ${c.package.state.toLowerCase().replace('_', ' ')}`);
  return parts.join(', ');
}

/** URLs of a completed video's outputs, from its manifest (lib/video/contracts.ts Manifest). */
/**
 * Why a run that did not complete has no outputs: its status, the named reason
 * (`TruncatedSource`, `OutputTooShort`, ...), and the failed step's own message when the workflow
 * recorded one (WorkflowFailureDetails).
 */
export function closeNote(close) {
  const how = close.status.toLowerCase().replace('_', ' ');
  const d = close.details && typeof close.details === 'object' ? close.details : undefined;
  const where = d && d.step ? ` in ${d.step}` : '';
  const why = d && d.message ? `: ${d.message}` : '.';
  return `No outputs: the run closed ${how}${close.reason ? ` (${close.reason})` : ''}${where}${why}`;
}

export function mediaUrls(mediaBase, manifest, masterPlaylistKey) {
  const url = (key) => `${mediaBase}${String(key).split('/').map(encodeURIComponent).join('/')}`;
  const renditions = (manifest?.renditions ?? []).map((r) => ({ name: r.name, height: r.height, width: r.width, mp4: url(r.mp4.key), playlist: url(r.hls.playlist.key) }));
  const byHeight = renditions.slice().sort((a, b) => b.height - a.height);
  const fallback = renditions.find((r) => r.name === '720p') ?? byHeight.find((r) => Math.min(r.width, r.height) <= 720) ?? byHeight[byHeight.length - 1];
  return {
    master: url(manifest?.hls?.masterPlaylist ?? masterPlaylistKey),
    manifest: manifest ? url(`${manifest.videoId}/manifest.json`) : undefined,
    poster: manifest?.thumbnails?.poster ? url(manifest.thumbnails.poster.key) : undefined,
    sprite: manifest?.thumbnails?.sprite ? url(manifest.thumbnails.sprite.key) : undefined,
    vtt: manifest?.thumbnails?.vtt ? url(manifest.thumbnails.vtt.key) : undefined,
    renditions,
    fallbackMp4: fallback?.mp4,
  };
}

// ------------------------------------------------------------------ the page part

const STYLE = `
.vp-progress { display: flex; align-items: center; gap: 10px; margin-bottom: 8px; }
.vp-bar { flex: 1; height: 10px; background: #eef0f3; border-radius: 5px; overflow: hidden; display: flex; }
.vp-bar i { display: block; height: 100%; }
.vp-steps { border-collapse: collapse; width: 100%; font-size: 13px; }
.vp-steps td, .vp-steps th { padding: 4px 8px; border-bottom: 1px solid #f0f1f4; text-align: left; }
.vp-steps th { color: #4b5563; font-size: 12px; font-weight: 600; }
.vp-steps .vp-track { width: 34%; }
.vp-track div { position: relative; height: 10px; background: #f3f4f6; border-radius: 3px; }
.vp-track span { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
.vp-state { font-weight: 600; font-size: 11.5px; border-radius: 999px; padding: 1px 8px; background: #e5e7eb; color: #374151; }
.vp-state.COMPLETED { background: #dcfce7; color: #166534; }
.vp-state.RUNNING, .vp-state.SCHEDULED { background: #dbeafe; color: #1e40af; }
.vp-state.RETRY_WAIT, .vp-state.PENDING { background: #fef3c7; color: #92400e; }
.vp-state.FAILED, .vp-state.TIMED_OUT { background: #fee2e2; color: #991b1b; }
.vp-attempt { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 3px; background: #9ca3af; }
.vp-media { display: grid; grid-template-columns: minmax(300px, 560px) minmax(200px, 1fr); gap: 18px; margin-top: 14px; align-items: start; }
.vp-media video { width: 100%; background: #000; border-radius: 8px; aspect-ratio: 16 / 9; }
.vp-media img.poster { max-width: min(100%, 280px); border-radius: 6px; border: 1px solid #e5e7eb; display: block; }
.vp-media img.sprite { max-width: 100%; border-radius: 6px; border: 1px solid #e5e7eb; margin-top: 6px; }
.vp-links { font-size: 12.5px; margin-top: 6px; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.vp-note { color: #6b7280; font-size: 12.5px; }
.vp-chunks { color: #4b5563; font-size: 11.5px; margin-top: 3px; }
.vp-chunks b { display: inline-block; vertical-align: middle; width: 80px; height: 6px; margin-right: 6px; background: #eef0f3; border-radius: 3px; overflow: hidden; }
.vp-chunks b i { display: block; height: 100%; background: #1f9d55; }
@media (max-width: 900px) { .vp-media { grid-template-columns: 1fr; } }
`;

const COLOR = { COMPLETED: '#1f9d55', RUNNING: '#2f6fde', SCHEDULED: '#e0a100', FAILED: '#dc3545', TIMED_OUT: '#dc3545', CANCELED: '#8a8f98', RETRY_WAIT: '#7c6cf0' };

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'style') node.setAttribute('style', v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function duration(s) {
  if (s === undefined || !Number.isFinite(s)) return '';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

let hlsLoading;
function loadHls(src) {
  if (window.Hls) return Promise.resolve(window.Hls);
  hlsLoading ??= new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve(window.Hls);
    s.onerror = () => resolve(undefined);
    document.head.append(s);
  });
  return hlsLoading;
}

const states = new WeakMap();

/** How often the page asks the API for a chunked run's child progress while the run is open, ms. */
const CHUNK_REFRESH_MS = 3000;

function chunkCell(step, state) {
  if (!step.childWorkflowId) return null;
  const api = state.chunks?.get(step.rendition);
  if (!api) return state.chunkError ? el('div', { class: 'vp-chunks' }, `chunk progress unavailable: ${state.chunkError}`) : null;
  const c = api.chunks;
  return el(
    'div',
    { class: 'vp-chunks', ...(c ? { 'data-chunks-completed': String(c.completed), 'data-chunks-total': String(c.total) } : {}) },
    c ? el('b', { title: `${Math.round(c.fractionDone * 100)}% done` }, el('i', { style: `width:${(c.fractionDone * 100).toFixed(1)}%` })) : null,
    chunkNote(api),
  );
}

function renderProgress(box, p, ctx, state) {
  const start = p.steps.reduce((m, s) => (s.scheduledAt !== undefined && s.scheduledAt < m ? s.scheduledAt : m), Infinity);
  const end = p.close?.at ?? ctx.now();
  const span = Number.isFinite(start) ? Math.max(0.001, end - start) : 1;
  const pct = (t) => `${(((t - start) / span) * 100).toFixed(2)}%`;
  const counts = {};
  for (const s of p.steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
  const segments = ['COMPLETED', 'RUNNING', 'SCHEDULED', 'RETRY_WAIT', 'FAILED', 'TIMED_OUT', 'CANCELED'].filter((k) => counts[k]).map((k) => el('i', { style: `width:${(counts[k] / p.total) * 100}%;background:${COLOR[k]}`, title: `${counts[k]} ${k.toLowerCase()}` }));
  const rows = p.steps.map((s) =>
    el(
      'tr',
      { 'data-step': s.key, 'data-state': s.state },
      el('td', null, s.step),
      el('td', null, s.rendition ?? ''),
      el('td', null, el('span', { class: `vp-state ${s.state}` }, s.state.replace('_', ' ').toLowerCase()), s.state === 'RETRY_WAIT' && s.nextAttemptAt ? ` next in ${duration(Math.max(0, s.nextAttemptAt - ctx.now()))}` : '', chunkCell(s, state)),
      el('td', null, s.attempts.map((a) => el('span', { class: 'vp-attempt', style: `background:${COLOR[a.state] ?? '#9ca3af'}`, title: `attempt ${a.attempt}: ${a.state.toLowerCase()}${a.reason ? ` (${a.reason})` : ''}` })), s.attempts.length > 1 ? ` ${s.attempts.length}` : ''),
      el('td', null, duration(s.elapsed)),
      el(
        'td',
        { class: 'vp-track' },
        el(
          'div',
          null,
          s.attempts.map((a) => {
            const to = a.closedAt ?? end;
            const left = pct(a.scheduledAt);
            const width = `${Math.max(0.6, ((to - a.scheduledAt) / span) * 100).toFixed(2)}%`;
            return el('span', { style: `left:${left};width:${width};background:${COLOR[a.state] ?? '#9ca3af'}` });
          }),
        ),
      ),
    ),
  );
  const renditions = p.steps.filter((s) => s.step === 'transcode');
  const renditionsDone = renditions.filter((s) => s.state === 'COMPLETED').length;
  box.replaceChildren(
    el(
      'div',
      { class: 'vp-progress', 'data-done': String(p.done), 'data-total': String(p.total) },
      el('strong', null, `${p.done} of ${p.total} steps`),
      el('div', { class: 'vp-bar' }, segments),
      el('span', { class: 'vp-note' }, renditions.length > 0 ? `${renditionsDone} of ${renditions.length} renditions (${p.ladder.join(', ') || renditions.map((r) => r.rendition).join(', ')})` : p.close ? 'no rendition ladder: the run closed before it was chosen' : 'rendition ladder not chosen yet'),
    ),
    el('table', { class: 'vp-steps' }, el('thead', null, el('tr', null, ['Step', 'Rendition', 'State', 'Attempts', 'Time', 'When'].map((t) => el('th', null, t)))), el('tbody', null, rows)),
  );
}

/**
 * Keeps a chunked run's child progress current: one request now, then one every CHUNK_REFRESH_MS
 * while the video is RUNNING (the parent's history, which drives `render`, hardly changes while
 * the children encode). One loop per container; dispose stops it.
 */
async function followChunks(state, ctx) {
  const apiUrl = ctx.config?.apiUrl;
  if (state.chunkTimer !== undefined || state.chunkLoop || state.chunksFinal) return;
  if (!apiUrl) {
    state.chunkError = 'the plugin has no apiUrl (the starter API that reads the rendition child workflows)';
    state.chunksFinal = true;
    return;
  }
  const url = `${apiUrl.replace(/\/$/, '')}/videos/${encodeURIComponent(ctx.execution.execution?.workflowId ?? '')}`;
  const tick = async () => {
    state.chunkTimer = undefined;
    state.chunkLoop = true;
    try {
      const res = await fetch(url, { cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const status = await res.json();
      state.chunks = chunkedSteps(status);
      state.chunkError = undefined;
      if (status.status !== 'RUNNING') state.chunksFinal = true;
    } catch (error) {
      state.chunkError = error.message ?? String(error);
    } finally {
      state.chunkLoop = false;
    }
    if (state.disposed) return;
    renderProgress(state.progress, state.p, state.ctx, state);
    if (!state.chunksFinal) state.chunkTimer = setTimeout(tick, CHUNK_REFRESH_MS);
  };
  await tick();
}

async function renderMedia(box, p, ctx, state) {
  const apiUrl = ctx.config?.apiUrl;
  if (!apiUrl) {
    box.replaceChildren(el('p', { class: 'vp-note' }, 'The outputs are not viewable here: the plugin has no apiUrl (the starter API serving the media files).'));
    return;
  }
  const mediaBase = `${apiUrl.replace(/\/$/, '')}${ctx.config.mediaPath ?? '/files/media/'}`;
  const result = p.result ?? {};
  let manifest;
  try {
    const res = await fetch(`${mediaBase}${String(result.manifestKey).split('/').map(encodeURIComponent).join('/')}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    manifest = await res.json();
  } catch (error) {
    box.replaceChildren(el('p', { class: 'vp-note' }, `The manifest could not be read from ${mediaBase} (${error.message}).`));
    return;
  }
  const urls = mediaUrls(mediaBase, manifest, result.masterPlaylistKey);
  const video = el('video', { controls: true, muted: true, playsinline: true, preload: 'metadata', poster: urls.poster, crossorigin: 'anonymous', 'data-testid': 'video-player' });
  const playerNote = el('p', { class: 'vp-note' });
  const hlsScript = ctx.config.hlsScript && ctx.assetsBase ? `${ctx.assetsBase}${ctx.config.hlsScript}` : undefined;
  const Hls = hlsScript ? await loadHls(hlsScript) : undefined;
  if (Hls && Hls.isSupported()) {
    const hls = new Hls({ enableWorker: true });
    state.hls = hls;
    hls.loadSource(urls.master);
    hls.attachMedia(video);
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) playerNote.textContent = `HLS playback error: ${data.details}. The MP4 links below still work.`;
    });
    video.dataset.player = 'hls.js';
    playerNote.textContent = `HLS (hls.js): adaptive over ${urls.renditions.length} rendition${urls.renditions.length === 1 ? '' : 's'}.`;
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = urls.master;
    video.dataset.player = 'native-hls';
    playerNote.textContent = 'HLS (native).';
  } else {
    video.src = urls.fallbackMp4 ?? '';
    video.dataset.player = 'mp4';
    playerNote.textContent = 'This browser plays no HLS here: showing the MP4. The HLS master playlist is linked below.';
  }
  box.replaceChildren(
    el(
      'div',
      { class: 'vp-media' },
      el('div', null, video, playerNote, el('div', { class: 'vp-links' }, el('a', { href: urls.master, target: '_blank' }, 'master.m3u8'), urls.renditions.map((r) => el('a', { href: r.mp4, target: '_blank' }, `${r.name}.mp4`)), urls.manifest ? el('a', { href: urls.manifest, target: '_blank' }, 'manifest.json') : null, urls.vtt ? el('a', { href: urls.vtt, target: '_blank' }, 'thumbnails.vtt') : null)),
      el(
        'div',
        null,
        urls.poster ? [el('div', { class: 'vp-note' }, 'Poster'), el('img', { class: 'poster', src: urls.poster, alt: 'poster', crossorigin: 'anonymous', 'data-testid': 'poster' })] : null,
        urls.sprite ? [el('div', { class: 'vp-note', style: 'margin-top:8px' }, `Sprite sheet (${manifest.thumbnails.count} thumbnails, every ${manifest.thumbnails.intervalSeconds} s)`), el('img', { class: 'sprite', src: urls.sprite, alt: 'sprite sheet', crossorigin: 'anonymous', 'data-testid': 'sprite' })] : null,
      ),
    ),
  );
}

if (typeof window !== 'undefined' && window.swfConsole) {
  if (!document.getElementById('video-plugin-style')) document.head.append(el('style', { id: 'video-plugin-style' }, STYLE));
  window.swfConsole.registerPlugin({
    workflowType: 'ProcessVideo',
    title: 'Video pipeline',
    async render(container, ctx) {
      let state = states.get(container);
      if (!state || state.runId !== ctx.execution.execution?.runId) {
        state = { runId: ctx.execution.execution?.runId, progress: el('div', { class: 'vp-progress-box' }), media: el('div', { class: 'vp-media-box' }), mediaShown: false };
        states.set(container, state);
        container.replaceChildren(state.progress, state.media);
      }
      const p = videoProgress(ctx.history, ctx.now());
      container.dataset.videoState = p.close?.status ?? 'OPEN';
      state.p = p;
      state.ctx = ctx;
      renderProgress(state.progress, p, ctx, state);
      // A run that closed lets the loop make its last read (the API then answers a closed status).
      if (p.chunked) await followChunks(state, ctx);
      if (p.close?.status === 'COMPLETED' && !state.mediaShown) {
        state.mediaShown = true;
        return renderMedia(state.media, p, ctx, state);
      }
      if (p.close && p.close.status !== 'COMPLETED' && !state.mediaShown) {
        state.mediaShown = true;
        state.media.replaceChildren(el('p', { class: 'vp-note' }, closeNote(p.close)));
      }
      return undefined;
    },
    dispose(container) {
      const state = states.get(container);
      state?.hls?.destroy();
      if (state) {
        state.disposed = true;
        clearTimeout(state.chunkTimer);
      }
      states.delete(container);
    },
  });
}
