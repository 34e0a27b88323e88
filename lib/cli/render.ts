import type { WireHistoryEvent } from '../api/executions';
import type { StepStatus, VideoStatus } from '../api/status';

/** Terminal rendering of the API's answers: plain text, one concern per function. */

const STATE_MARK: Record<string, string> = {
  PENDING: '·',
  SCHEDULED: '…',
  RUNNING: '▶',
  RETRY_WAIT: '↻',
  COMPLETED: '✔',
  FAILED: '✘',
  TIMED_OUT: '⏱',
  CANCELED: '⊘',
  NOT_RUN: '-',
};

export function stepLabel(step: StepStatus): string {
  return step.rendition ? `${step.name} ${step.rendition}` : step.name;
}

function seconds(fromIso: string | undefined, toIso: string | undefined): string {
  if (!fromIso || !toIso) return '';
  return `${((Date.parse(toIso) - Date.parse(fromIso)) / 1000).toFixed(1)}s`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * A chunked rendition's progress in a few words: `chunks 37/120, 3 running, 2 retrying`, then
 * failures and the sub-step under way; `progress unknown: <why>` when the child could not be read.
 * Empty for a step that is not a chunked rendition.
 */
export function chunkSummary(step: StepStatus): string {
  if (step.progressError !== undefined) return `progress unknown: ${step.progressError}`;
  const c = step.chunks;
  if (!c) return '';
  const parts = [`chunks ${c.completed}/${c.total}`];
  if (c.running > 0) parts.push(`${c.running} running`);
  if (c.retrying > 0) parts.push(`${c.retrying} retrying`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.canceled > 0) parts.push(`${c.canceled} canceled`);
  if (c.failedAttempts > 0) parts.push(plural(c.failedAttempts, 'failed attempt'));
  if (c.audio && c.audio.state !== 'COMPLETED' && c.audio.state !== 'PENDING') parts.push(`audio ${c.audio.state}`);
  if (c.package.state !== 'PENDING' && c.package.state !== 'NOT_RUN') parts.push(`package ${c.package.state}`);
  return parts.join(', ');
}

/** One line per step: mark, name, state, attempts, duration, chunk progress, failure; then a chunked rendition's failing chunks. */
export function renderSteps(status: VideoStatus): string[] {
  return status.steps.flatMap((s) => {
    const attempts = s.attempts > 1 ? ` (attempt ${s.attempts})` : '';
    const took = s.state === 'COMPLETED' ? ` ${seconds(s.scheduledAt, s.closedAt)}` : '';
    const chunks = chunkSummary(s);
    const why = s.failure ? `  ${failureText(s.failure)}` : '';
    return [`  ${STATE_MARK[s.state] ?? '?'} ${stepLabel(s).padEnd(16)} ${s.state.padEnd(10)}${attempts}${took}${chunks ? `  ${chunks}` : ''}${why}`, ...failingChunkLines(s)];
  });
}

function failureText(f: { reason?: string; details?: string }): string {
  return `${f.reason ?? ''}${f.details ? `: ${f.details}` : ''}`;
}

/** `      chunk 41  RETRY_WAIT (attempt 1)  FfmpegError: ...` for each failing chunk the API listed, and how many it did not. */
function failingChunkLines(step: StepStatus): string[] {
  const c = step.chunks;
  if (!c) return [];
  const lines = c.failing.map((f) => `      chunk ${String(f.index).padEnd(5)} ${f.state.padEnd(10)} (attempt ${f.attempts})${f.failure ? `  ${failureText(f.failure)}` : ''}`);
  if (c.failingNotListed > 0) lines.push(`      and ${plural(c.failingNotListed, 'more failing chunk')}`);
  return lines;
}

/** A compact one-line summary, for progress that changes over time: `720p: chunks 37/120, 2 retrying` for a chunked rendition. */
export function progressLine(status: VideoStatus): string {
  const done = status.steps.filter((s) => s.state === 'COMPLETED').length;
  const running = status.steps
    .filter((s) => s.state === 'RUNNING' || s.state === 'SCHEDULED')
    .map((s) => {
      const chunks = chunkSummary(s);
      return chunks ? `${s.rendition ?? stepLabel(s)}: ${chunks}` : stepLabel(s);
    });
  return `${status.status} ${done}/${status.steps.length} steps done${running.length ? `; running: ${running.join('; ')}` : ''}`;
}

export function renderOutputs(status: VideoStatus): string[] {
  const o = status.outputs;
  if (!o) return [];
  const lines = ['Outputs:', `  manifest         ${o.manifest.url}`, `  HLS master       ${o.masterPlaylist.url}`];
  for (const r of o.renditions) {
    lines.push(`  ${r.name.padEnd(6)} ${`${r.width}x${r.height}`.padEnd(10)} ${String(r.bitrateKbps).padStart(5)} kb/s  ${r.mp4.url}`);
  }
  if (o.thumbnails) {
    lines.push(`  poster           ${o.thumbnails.poster.url}`);
    lines.push(`  sprite           ${o.thumbnails.sprite.url}`);
    lines.push(`  thumbnails VTT   ${o.thumbnails.vtt.url}`);
  }
  return lines;
}

export function renderFailure(status: VideoStatus): string[] {
  const f = status.failure;
  if (!f) return [];
  const where = f.step ? ` in ${f.step}` : '';
  const advice = FAILURE_ADVICE[f.reason];
  return [`Failure${where}: ${f.reason}${f.message ? `: ${f.message}` : f.details ? `: ${f.details}` : ''}`, ...(advice ? [`  What to do: ${advice}`] : [])];
}

/** For the named reasons a user can act on (README "Inputs"): what to do next. */
export const FAILURE_ADVICE: Readonly<Record<string, string>> = {
  NotAVideo: 'upload a video file (MP4, MOV, Matroska, WebM, MPEG-TS, AVI, ...); images, audio and documents are refused.',
  TruncatedSource: 'the file is incomplete (an interrupted upload or an unfinished recording): upload the whole file again.',
  FrameTooLarge: 'scale the video down to at most 8192 pixels a side and 7680x4320 in all, then upload it again.',
  OutputTooShort: 'a rendition came out shorter than the source, so nothing was published; retrying will not help. Report the video id.',
  OutputInvalid: 'a rendition failed verification, so nothing was published; retrying will not help. Report the video id.',
};

/** A history event as the API serves it (epoch-second timestamps). */
type TimelineEvent = WireHistoryEvent;

/** The attribute that best names what an event is about. */
function subject(e: TimelineEvent): string {
  const attrs = Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))?.[1] as Record<string, unknown> | undefined;
  if (!attrs) return '';
  const name = (attrs.id ?? attrs.activityId ?? attrs.timerId ?? attrs.markerName ?? attrs.signalName ?? attrs.workflowId) as string | undefined;
  const why = (attrs.reason ?? attrs.cause ?? attrs.timeoutType) as string | undefined;
  return [name, why].filter(Boolean).join('  ');
}

function epochMs(ts: number): number {
  return ts * 1000;
}

/**
 * The execution's history as a timeline: seconds since the start, a bar scaled to the run's
 * length, the event and what it concerns.
 */
export function renderTimeline(events: readonly TimelineEvent[], width = 30): string[] {
  if (events.length === 0) return [];
  const t0 = epochMs(events[0]!.eventTimestamp);
  const total = Math.max(1, epochMs(events[events.length - 1]!.eventTimestamp) - t0);
  return events.map((e) => {
    const t = epochMs(e.eventTimestamp) - t0;
    const pos = Math.round((t / total) * (width - 1));
    const bar = `${' '.repeat(pos)}●${' '.repeat(width - 1 - pos)}`;
    return `  ${(t / 1000).toFixed(2).padStart(7)}s |${bar}| ${String(e.eventId).padStart(3)} ${e.eventType} ${subject(e)}`.trimEnd();
  });
}
