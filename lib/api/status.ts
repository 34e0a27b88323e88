import type { HistoryEvent, WorkflowExecutionInfo } from '@aws-sdk/client-swf';
import { buildView, markerOf, type ChildView, type TaskView, type WorkflowView } from '../decider';
import type { BlobStore } from '../storage/blob-store';
import type { DownloadUrlSigner } from '../storage/playback-url';
import type { ChunkPlan, Manifest, ProbeResult, Rendition, WorkflowCancelDetails, WorkflowFailureDetails, WorkflowInput, WorkflowResult } from '../video/contracts';
import { keys } from '../video/contracts';
import { CHUNK_PLAN_MARKER, LADDER_MARKER, RENDITION_WORKFLOW_TYPE, STEPS, type StepName } from '../video/definition';
import type { ChunkProgress } from './chunk-progress';
import { errorMessage } from './errors';
import { isoOf, statusOf, type ExecutionStatus } from './executions';
import { byAttempt, failureOf, iso, latestState, optional, parseJson, stateOf } from './step-state';
import { silentApiLogger, type ApiLogger } from './types';

/**
 * GET /videos/{id}: a run's history turned into what a person wants to see: the overall status,
 * each step of the pipeline with its attempts and times, and, once completed, download links for
 * everything the pipeline made.
 *
 * Step state comes from lib/decider's reducer (`buildView`). A step's tasks are found by name (the
 * Lambda function / activity type of definition.ts STEPS), so the summary does not depend on the
 * workflow's task keys; a transcode task's rendition comes from its input.
 */

export type StepState =
  /** Not reached yet (the run is open). */
  | 'PENDING'
  | 'SCHEDULED'
  | 'RUNNING'
  /** The last attempt failed and a backoff timer runs before the next one. */
  | 'RETRY_WAIT'
  | 'COMPLETED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'CANCELED'
  /** Never reached: the run closed first. */
  | 'NOT_RUN';

export interface StepFailure {
  /** error, timeout, canceled, scheduleFailed, startFailed (see lib/decider TaskFailure). */
  type: string;
  /** Error name (e.g. NotAVideoError), timeout type, or SWF cause. */
  reason: string;
  details?: string;
}

export interface AttemptStatus {
  attempt: number;
  state: StepState;
  scheduledAt?: string;
  startedAt?: string;
  closedAt?: string;
  failure?: StepFailure;
}

export interface StepStatus {
  name: 'ladder' | StepName;
  /** transcode only: the rendition (e.g. `720p`). */
  rendition?: string;
  state: StepState;
  /** Attempts made so far. */
  attempts: number;
  /** First attempt scheduled. */
  scheduledAt?: string;
  /** Latest attempt started. */
  startedAt?: string;
  /** Latest attempt closed (the step's end when it is done). */
  closedAt?: string;
  /** RETRY_WAIT: when the next attempt is scheduled. */
  nextAttemptAt?: string;
  /** Why the latest attempt did not complete (absent once the step completed). */
  failure?: StepFailure;
  /** Every attempt, oldest first. */
  attemptDetails: AttemptStatus[];
  /** ladder only: the renditions chosen. */
  renditions?: Rendition[] | { name: string }[];
  /** transcode of a chunked run: the ProcessRendition child execution that encodes the rendition. */
  workflowId?: string;
  /** transcode of a chunked run: how far the child is, from its own history (chunk-progress.ts). */
  chunks?: ChunkProgress;
  /** transcode of a chunked run: why the child's history could not be read (`chunks` is then absent). */
  progressError?: string;
}

export interface DownloadLink {
  key: string;
  url: string;
  sizeBytes?: number;
}

export interface VideoOutputs {
  /** When the URLs below stop working. */
  expiresAt: string;
  manifest: DownloadLink;
  masterPlaylist: DownloadLink;
  renditions: {
    name: string;
    width: number;
    height: number;
    bitrateKbps: number;
    durationSeconds: number;
    mp4: DownloadLink;
    playlist: DownloadLink;
  }[];
  thumbnails?: {
    poster: DownloadLink;
    sprite: DownloadLink;
    vtt: DownloadLink;
    intervalSeconds: number;
    count: number;
  };
  /** Set when manifest.json could not be read: only the manifest and master playlist links are given. */
  manifestError?: string;
}

export interface VideoStatus {
  videoId: string;
  runId: string;
  status: ExecutionStatus;
  startedAt?: string;
  closedAt?: string;
  cancelRequested: boolean;
  /**
   * FAILED, TIMED_OUT, TERMINATED: why the run closed. For the workflow's own failures `details`
   * is WorkflowFailureDetails JSON, whose step, error and message are copied out.
   */
  failure?: { reason: string; details?: string; step?: string; error?: string; message?: string };
  /** CANCELED: WorkflowCancelDetails (the steps that completed, the Lambda tasks abandoned), when given. */
  cancellation?: Partial<WorkflowCancelDetails>;
  fileName?: string;
  sourceKey?: string;
  /** The probe step's findings, once it completed. */
  source?: ProbeResult;
  steps: StepStatus[];
  /** COMPLETED only. */
  outputs?: VideoOutputs;
  /** Set when the history could not be summarized (the steps are then empty). */
  historyError?: string;
}

export interface StatusDeps {
  media: BlobStore;
  /** Signs the download links; default `media`. */
  downloads?: DownloadUrlSigner;
  urlExpiresInSeconds: number;
  logger?: ApiLogger;
  /**
   * Reads a rendition child's progress (child-histories.ts); without it a chunked run's
   * rendition steps carry no `chunks`. A rejection degrades that one step (`progressError`).
   */
  childProgress?: (child: ChildView, fallbackPlan: ChunkPlan | undefined) => Promise<ChunkProgress>;
}

const STEP_BY_FUNCTION = new Map<string, StepName>(Object.entries(STEPS).map(([step, def]) => [def.functionName, step as StepName]));

/** Builds the status of one run from its execution info and full history. */
export async function videoStatus(deps: StatusDeps, info: WorkflowExecutionInfo, history: readonly HistoryEvent[]): Promise<VideoStatus> {
  const logger = deps.logger ?? silentApiLogger;
  const videoId = info.execution?.workflowId ?? '';
  const runId = info.execution?.runId ?? '';
  const status = statusOf(info);
  const base: VideoStatus = {
    videoId,
    runId,
    status,
    ...optional('startedAt', isoOf(info.startTimestamp)),
    ...optional('closedAt', isoOf(info.closeTimestamp)),
    cancelRequested: info.cancelRequested === true,
    steps: [],
  };

  let view: WorkflowView;
  try {
    view = buildView(history);
  } catch (error) {
    logger.warn('Could not summarize the history', { videoId, runId, error: errorMessage(error) });
    return { ...base, historyError: errorMessage(error) };
  }

  const input = parseJson<Partial<WorkflowInput>>(view.input);
  if (typeof input?.fileName === 'string') base.fileName = input.fileName;
  if (typeof input?.sourceKey === 'string') base.sourceKey = input.sourceKey;
  if (view.cancelRequested) base.cancelRequested = true;
  const closed = view.closed;
  if (status === 'CANCELED') {
    const details = parseJson<Partial<WorkflowCancelDetails>>(closed?.details);
    if (details && typeof details === 'object') base.cancellation = details;
  } else if (status === 'FAILED' || status === 'TIMED_OUT' || status === 'TERMINATED') {
    const reason = closed?.reason ?? (status === 'TIMED_OUT' ? 'WorkflowTimedOut' : status);
    const parsed = parseJson<Partial<WorkflowFailureDetails>>(closed?.details);
    const d = parsed && typeof parsed === 'object' ? parsed : {};
    base.failure = {
      reason,
      ...optional('details', closed?.details),
      ...optional('step', typeof d.step === 'string' ? d.step : undefined),
      ...optional('error', typeof d.error === 'string' ? d.error : undefined),
      ...optional('message', typeof d.message === 'string' ? d.message : undefined),
    };
  }

  const summary = summarizeSteps(view, status === 'RUNNING');
  base.steps = summary.steps;
  if (summary.probe) base.source = summary.probe;
  if (deps.childProgress) await addChunkProgress(deps.childProgress, view, base.steps, logger);

  if (status === 'COMPLETED') {
    const result = parseJson<Partial<WorkflowResult>>(closed?.result);
    base.outputs = await outputsOf(deps, videoId, result ?? {});
  }
  return base;
}

/** Reads every rendition child's progress at once and puts it on its step; a child that cannot be read degrades its step only. */
async function addChunkProgress(read: NonNullable<StatusDeps['childProgress']>, view: WorkflowView, steps: StepStatus[], logger: ApiLogger): Promise<void> {
  const plan = parseJson<ChunkPlan>(markerOf(view, CHUNK_PLAN_MARKER)?.details);
  await Promise.all(
    steps.map(async (step) => {
      const child = step.workflowId === undefined ? undefined : view.children.get(step.workflowId);
      if (!child) return;
      try {
        step.chunks = await read(child, plan);
      } catch (error) {
        logger.warn('Could not read a rendition child\'s progress', { workflowId: child.workflowId, runId: child.runId, error: errorMessage(error) });
        step.progressError = errorMessage(error);
      }
    }),
  );
}

interface StepSummary {
  steps: StepStatus[];
  probe?: ProbeResult;
}

/** The pipeline's steps, in order: probe, ladder, transcode (one per rendition), thumbnails, publish. */
export function summarizeSteps(view: WorkflowView, runOpen: boolean): StepSummary {
  // Attempts of each step, grouped by task key (one key per step; one per rendition for transcode).
  const groups = new Map<StepName, Map<string, TaskView[]>>();
  for (const [key, attempts] of view.tasksByKey) {
    const last = attempts[attempts.length - 1];
    const step = last ? STEP_BY_FUNCTION.get(last.name) : undefined;
    if (!step) continue;
    const byKey = groups.get(step) ?? new Map<string, TaskView[]>();
    byKey.set(key, [...attempts]);
    groups.set(step, byKey);
  }

  const single = (name: StepName): StepStatus => {
    const byKey = groups.get(name);
    const attempts = byKey ? [...byKey.values()].flat().sort(byAttempt) : [];
    return stepOf(view, name, attempts, runOpen);
  };

  const steps: StepStatus[] = [];
  const probe = single('probe');
  steps.push(probe);

  // The ladder is a decision, recorded as the 'ladder' marker.
  const marker = markerOf(view, LADDER_MARKER);
  const ladder = parseLadder(marker?.details);
  steps.push({
    name: 'ladder',
    state: marker ? 'COMPLETED' : runOpen ? 'PENDING' : 'NOT_RUN',
    attempts: marker ? 1 : 0,
    ...(marker ? { closedAt: iso(marker.at) } : {}),
    attemptDetails: marker ? [{ attempt: 1, state: 'COMPLETED', closedAt: iso(marker.at) }] : [],
    ...(ladder ? { renditions: ladder } : {}),
  });

  // One transcode step per rendition: the ladder's, in its order, then any other the history shows.
  const transcodes = new Map<string, TaskView[]>();
  for (const r of ladder ?? []) transcodes.set(r.name, []);
  for (const [key, attempts] of groups.get('transcode') ?? []) {
    const rendition = renditionOf(attempts, key);
    transcodes.set(rendition, [...(transcodes.get(rendition) ?? []), ...attempts].sort(byAttempt));
  }
  // A chunked run encodes each rendition in a ProcessRendition child instead of a transcode task.
  const children = renditionChildren(view);
  for (const [rendition, attempts] of transcodes) {
    const child = children.get(rendition);
    steps.push({ ...(child && attempts.length === 0 ? childStepOf(child, runOpen) : stepOf(view, 'transcode', attempts, runOpen)), rendition });
  }

  // A chunked run makes its thumbnails in a sheet task (after per-chunk tile tasks).
  steps.push(groups.has('thumbnailSheet') && !groups.has('thumbnails') ? { ...single('thumbnailSheet'), name: 'thumbnails' } : single('thumbnails'));
  steps.push(single('publish'));

  const probeResult = lastCompleted(groups.get('probe'));
  const parsedProbe = parseJson<ProbeResult>(probeResult?.result);
  return { steps, ...(parsedProbe && typeof parsedProbe === 'object' ? { probe: parsedProbe } : {}) };
}

function stepOf(view: WorkflowView, name: StepName, attempts: readonly TaskView[], runOpen: boolean): StepStatus {
  const first = attempts[0];
  const last = attempts[attempts.length - 1];
  if (!first || !last) return { name, state: runOpen ? 'PENDING' : 'NOT_RUN', attempts: 0, attemptDetails: [] };
  const { state, nextAttemptAt } = latestState(view, attempts, runOpen);
  return {
    name,
    state,
    attempts: attempts.length,
    ...optional('scheduledAt', iso(first.scheduledAt)),
    ...optional('startedAt', iso(last.startedAt)),
    ...optional('closedAt', last.open ? undefined : iso(last.closedAt)),
    ...optional('nextAttemptAt', nextAttemptAt),
    ...(last.failure && last.state !== 'completed' ? { failure: failureOf(last.failure) } : {}),
    attemptDetails: attempts.map((t, i) => ({
      attempt: i + 1,
      state: stateOf(t),
      ...optional('scheduledAt', iso(t.scheduledAt)),
      ...optional('startedAt', iso(t.startedAt)),
      ...optional('closedAt', t.open ? undefined : iso(t.closedAt)),
      ...(t.failure ? { failure: failureOf(t.failure) } : {}),
    })),
  };
}

function lastCompleted(groups: Map<string, TaskView[]> | undefined): TaskView | undefined {
  for (const attempts of groups?.values() ?? []) {
    for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i]?.state === 'completed') return attempts[i];
  }
  return undefined;
}

// ---- chunked runs: a rendition's step is its ProcessRendition child execution ----

/** The run's ProcessRendition children by rendition name (from their input). */
export function renditionChildren(view: WorkflowView): Map<string, ChildView> {
  const out = new Map<string, ChildView>();
  for (const child of view.children.values()) {
    if (child.workflowType?.name !== RENDITION_WORKFLOW_TYPE.name) continue;
    const name = parseJson<{ rendition?: { name?: unknown } }>(child.input)?.rendition?.name;
    if (typeof name === 'string' && name) out.set(name, child);
  }
  return out;
}

const CHILD_STEP_STATE: Record<ChildView['state'], StepState> = {
  initiated: 'SCHEDULED',
  started: 'RUNNING',
  completed: 'COMPLETED',
  failed: 'FAILED',
  timedOut: 'TIMED_OUT',
  canceled: 'CANCELED',
  terminated: 'CANCELED',
  startFailed: 'FAILED',
};

function childStepOf(child: ChildView, runOpen: boolean): StepStatus {
  let state = CHILD_STEP_STATE[child.state];
  if (!runOpen && (state === 'SCHEDULED' || state === 'RUNNING')) state = 'CANCELED';
  const failure: StepFailure | undefined = child.failure ? { type: child.state, reason: child.failure.reason, ...optional('details', child.failure.details) } : undefined;
  return {
    name: 'transcode',
    workflowId: child.workflowId,
    state,
    attempts: 1,
    ...optional('scheduledAt', iso(child.initiatedAt)),
    ...optional('closedAt', child.open ? undefined : iso(child.closedAt)),
    ...(failure ? { failure } : {}),
    attemptDetails: [{ attempt: 1, state, ...optional('scheduledAt', iso(child.initiatedAt)), ...optional('closedAt', child.open ? undefined : iso(child.closedAt)), ...(failure ? { failure } : {}) }],
  };
}

/** The rendition a transcode task works on: its input's `rendition.name`, else its key without a `transcode` prefix. */
function renditionOf(attempts: readonly TaskView[], key: string): string {
  for (const t of attempts) {
    const input = parseJson<{ rendition?: { name?: unknown } }>(t.input);
    const name = input?.rendition?.name;
    if (typeof name === 'string' && name) return name;
  }
  return key.replace(/^transcode[-_:.]?/, '') || key;
}

/**
 * The 'ladder' marker's details: a JSON list of renditions (or of names), bare or as
 * `{ renditions: [...] }` / `{ ladder: [...] }`.
 */
export function parseLadder(details: string | undefined): Rendition[] | { name: string }[] | undefined {
  const parsed = parseJson<unknown>(details);
  const list = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null
      ? ((parsed as { renditions?: unknown }).renditions ?? (parsed as { ladder?: unknown }).ladder)
      : undefined;
  if (!Array.isArray(list)) return undefined;
  const out: { name: string }[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item) out.push({ name: item });
    else if (typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string') out.push(item as Rendition);
  }
  return out;
}

/** Download links for a completed run, from the workflow's result and manifest.json. */
export async function outputsOf(deps: StatusDeps, videoId: string, result: Partial<WorkflowResult>): Promise<VideoOutputs> {
  const logger = deps.logger ?? silentApiLogger;
  const ttl = deps.urlExpiresInSeconds;
  let expiresAt = '';
  const link = async (key: string, extra: object = {}): Promise<DownloadLink> => {
    const signed = await (deps.downloads ?? deps.media).presignGet(key, ttl);
    if (!expiresAt || signed.expiresAt < expiresAt) expiresAt = signed.expiresAt;
    return { key, url: signed.url, ...extra };
  };
  const manifestKey = typeof result.manifestKey === 'string' ? result.manifestKey : keys.manifest(videoId);
  const masterKey = typeof result.masterPlaylistKey === 'string' ? result.masterPlaylistKey : keys.hlsMaster(videoId);
  const outputs: VideoOutputs = { expiresAt, manifest: await link(manifestKey), masterPlaylist: await link(masterKey), renditions: [] };

  let manifest: Manifest;
  try {
    manifest = JSON.parse((await deps.media.getBuffer(manifestKey)).toString('utf8')) as Manifest;
  } catch (error) {
    logger.warn('Could not read the manifest', { videoId, key: manifestKey, error: errorMessage(error) });
    return { ...outputs, expiresAt, manifestError: errorMessage(error) };
  }
  for (const r of manifest.renditions ?? []) {
    outputs.renditions.push({
      name: r.name,
      width: r.width,
      height: r.height,
      bitrateKbps: r.bitrateKbps,
      durationSeconds: r.durationSeconds,
      mp4: await link(r.mp4.key, { sizeBytes: r.mp4.sizeBytes }),
      playlist: await link(r.hls.playlist.key, { sizeBytes: r.hls.playlist.sizeBytes }),
    });
  }
  const t = manifest.thumbnails;
  if (t) {
    outputs.thumbnails = {
      poster: await link(t.poster.key, { sizeBytes: t.poster.sizeBytes }),
      sprite: await link(t.sprite.key, { sizeBytes: t.sprite.sizeBytes }),
      vtt: await link(t.vtt.key, { sizeBytes: t.vtt.sizeBytes }),
      intervalSeconds: t.intervalSeconds,
      count: t.count,
    };
  }
  outputs.expiresAt = expiresAt;
  return outputs;
}
