/**
 * The ProcessVideo workflow: probe -> plan the ladder and the chunks (recorded in markers) ->
 * encode every rendition and make thumbnails in parallel -> publish -> complete with the
 * manifest's location.
 *
 * A video no longer than one chunk is encoded by one transcode task per rendition. A longer one
 * is encoded in chunks: one ProcessRendition child workflow per rendition encodes its audio once
 * and its chunks (bounded parallelism), then packages them without re-encoding; the parent makes
 * the thumbnail tiles chunk by chunk and one sheet from them. The children keep the parent's
 * history small: its size grows with the number of renditions, not of chunks.
 *
 * Every step is an SWF Lambda task (`STEPS[step].functionName`), or an activity of that name on
 * TASK_LISTS.activities when the input says `runner: 'activity'`. Steps retry per RETRY with
 * backoff timers; a non-retryable error fails the run at once with the error's name
 * (`NotAVideoError` -> reason `NotAVideo`), a step out of attempts fails it with `StepFailed`.
 * A cancel request cancels open activities, timers and children and closes the run as canceled
 * once the activities and children have stopped; running Lambda tasks cannot be stopped in SWF and
 * are abandoned (no new chunk is scheduled). A failing parent asks its open children to cancel.
 *
 * Pure, like lib/decider: the same history always gives the same decisions.
 */
import type { Decision, HistoryEvent } from '@aws-sdk/client-swf';
import {
  allOf,
  attemptsOf,
  decide,
  defineWorkflow,
  openTasks,
  type CanceledTask,
  type ChildHandle,
  type DecideOptions,
  type FailedTask,
  type TaskFailure,
  type TaskHandle,
  type TaskOptions,
  type TaskTiming,
  type WorkflowContext,
  type WorkflowDefinition,
} from '../decider';
import { InvalidChunkSecondsError, chunkRange, chunkRanges, planChunks, validateChunkSeconds } from './chunks';
import type {
  ChunkPlan,
  EncodeAudioInput,
  EncodeAudioResult,
  EncodeChunkInput,
  EncodeChunkResult,
  PackageInput,
  ProbeInput,
  ProbeResult,
  PublishInput,
  PublishResult,
  Rendition,
  RenditionWorkflowInput,
  ThumbnailSheetInput,
  ThumbnailTilesInput,
  ThumbnailTilesResult,
  ThumbnailsInput,
  ThumbnailsResult,
  TranscodeInput,
  TranscodeResult,
  WorkflowCancelDetails,
  WorkflowFailureDetails,
  WorkflowInput,
  WorkflowResult,
} from './contracts';
import {
  CHILD_POLICY,
  CHUNKING,
  CHUNK_PLAN_MARKER,
  HLS_SEGMENT_SECONDS,
  LADDER_MARKER,
  RENDITION_WORKFLOW_TYPE,
  RETRY,
  STEPS,
  TASK_LISTS,
  WORKFLOW_TIMEOUTS,
  WORKFLOW_TYPE,
  type StepName,
} from './definition';
import { planLadder } from './ladder';
import { planSprite, tilesInRange } from './sprite';

export type Runner = NonNullable<WorkflowInput['runner']>;

/** Activities: how long a step may wait for a worker before it times out (and is retried). */
export const ACTIVITY_SCHEDULE_TO_START_SECONDS = 300;

/** Task keys of the steps: the attempt-1 SWF ids (`key#2`, `key#3` for retries). */
export const STEP_KEYS = {
  probe: 'probe',
  transcode: (rendition: string): string => `transcode-${rendition}`,
  /** The chunked path: one tile task per chunk that holds tiles; the sheet takes the `thumbnails` key. */
  tiles: (chunk: number): string => `tiles-${chunk}`,
  thumbnails: 'thumbnails',
  publish: 'publish',
  // ProcessRendition's tasks
  audio: 'audio',
  chunk: (chunk: number): string => `chunk-${chunk}`,
  package: 'package',
} as const;

/** The workflow id of the child that encodes `rendition` of `videoId` in chunks. */
export function renditionWorkflowId(videoId: string, rendition: string): string {
  return `${videoId}-rendition-${rendition}`;
}

/** The decider's chunking settings (a workflow input may override them for its run). */
export interface ChunkingConfig {
  /** Chunk length, seconds: a multiple of HLS_SEGMENT_SECONDS. */
  seconds: number;
  /** Chunk encodes at once per rendition. */
  concurrency: number;
}

export const DEFAULT_CHUNKING: ChunkingConfig = { seconds: CHUNKING.seconds, concurrency: CHUNKING.concurrency };

/** How a step runs: a Lambda task, or an activity on the workers' task list, with STEPS' timeouts and RETRY. */
export function stepTask<R>(step: StepName, runner: Runner, input: unknown): TaskOptions<R> {
  const s = STEPS[step];
  if (runner === 'activity') {
    return {
      kind: 'activity',
      name: s.functionName,
      version: s.activityVersion,
      input,
      taskList: TASK_LISTS.activities,
      startToCloseTimeout: s.timeoutSeconds,
      heartbeatTimeout: s.heartbeatSeconds,
      scheduleToStartTimeout: ACTIVITY_SCHEDULE_TO_START_SECONDS,
      scheduleToCloseTimeout: s.timeoutSeconds + ACTIVITY_SCHEDULE_TO_START_SECONDS,
      retry: RETRY,
    };
  }
  return { kind: 'lambda', name: s.functionName, input, startToCloseTimeout: s.timeoutSeconds, retry: RETRY };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Parses and checks the execution input; throws with a clear message (the run then fails with `InvalidInput`). */
export function parseWorkflowInput(raw: string | undefined): WorkflowInput {
  if (raw === undefined || raw === '') throw new Error('the workflow input is missing: expected {"videoId": ..., "sourceKey": ...}');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('the workflow input is not JSON');
  }
  if (!isObject(value)) throw new Error('the workflow input must be a JSON object');
  const { videoId, sourceKey, fileName, runner, chunkSeconds, chunkConcurrency } = value;
  if (!nonEmpty(videoId)) throw new Error('videoId must be a non-empty string');
  if (!nonEmpty(sourceKey)) throw new Error('sourceKey must be a non-empty string');
  if (fileName !== undefined && typeof fileName !== 'string') throw new Error('fileName must be a string');
  checkRunner(runner);
  if (chunkSeconds !== undefined) validateChunkSeconds(chunkSeconds as number);
  if (chunkConcurrency !== undefined) checkConcurrency(chunkConcurrency);
  return {
    videoId,
    sourceKey,
    ...(fileName !== undefined ? { fileName } : {}),
    ...(runner !== undefined ? { runner: runner as Runner } : {}),
    ...(chunkSeconds !== undefined ? { chunkSeconds: chunkSeconds as number } : {}),
    ...(chunkConcurrency !== undefined ? { chunkConcurrency: chunkConcurrency as number } : {}),
  };
}

function checkRunner(runner: unknown): void {
  if (runner !== undefined && runner !== 'lambda' && runner !== 'activity') throw new Error(`runner must be "lambda" or "activity", not ${JSON.stringify(runner)}`);
}

function checkConcurrency(value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) throw new InvalidChunkSecondsError(`chunk concurrency must be an integer from 1 to 1000; got ${JSON.stringify(value)}`);
}

/** Parses the ProcessRendition child's input (the parent wrote it, so a bad one is a bug, reported clearly). */
export function parseRenditionInput(raw: string | undefined): RenditionWorkflowInput {
  if (raw === undefined || raw === '') throw new Error('the rendition workflow input is missing');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('the rendition workflow input is not JSON');
  }
  if (!isObject(value)) throw new Error('the rendition workflow input must be a JSON object');
  const { videoId, sourceKey, rendition, frameRate, hasAudio, durationSeconds, plan, traits, runner } = value;
  if (!nonEmpty(videoId) || !nonEmpty(sourceKey)) throw new Error('videoId and sourceKey must be non-empty strings');
  if (!isObject(rendition) || !nonEmpty(rendition.name)) throw new Error('rendition must be a rendition object with a name');
  if (typeof frameRate !== 'number' || !(frameRate > 0)) throw new Error('frameRate must be a positive number');
  if (typeof hasAudio !== 'boolean') throw new Error('hasAudio must be a boolean');
  if (typeof durationSeconds !== 'number' || !(durationSeconds > 0)) throw new Error('durationSeconds must be a positive number');
  if (!isObject(plan) || !Number.isInteger(plan.count) || (plan.count as number) < 1 || typeof plan.seconds !== 'number' || typeof plan.segmentSeconds !== 'number') {
    throw new Error('plan must be a chunk plan { seconds, count, concurrency, segmentSeconds }');
  }
  checkConcurrency(plan.concurrency);
  if (traits !== undefined && !isObject(traits)) throw new Error('traits must be the probe\'s SourceTraits object');
  checkRunner(runner);
  return value as unknown as RenditionWorkflowInput;
}

function describeFailure(f: TaskFailure): string {
  if (f.details) return f.details;
  switch (f.type) {
    case 'timeout':
      return `timed out (${f.reason})`;
    case 'scheduleFailed':
      return `SWF refused to schedule it (${f.reason})`;
    case 'startFailed':
      return `SWF could not start it (${f.reason})`;
    case 'canceled':
      return 'canceled';
    case 'error':
    case 'invalid':
      return f.reason;
  }
}

/** Fails the run for a step that failed for good: `NotAVideo`-style reasons for non-retryable errors, else `StepFailed`. */
function failStep(ctx: WorkflowContext<unknown>, task: FailedTask | CanceledTask): void {
  const f = task.failure;
  const nonRetryable = f.type === 'error' && (RETRY.nonRetryable as readonly string[]).includes(f.reason);
  const reason = nonRetryable ? f.reason.replace(/Error$/, '') || f.reason : 'StepFailed';
  const details: WorkflowFailureDetails = { step: task.key, attempts: task.attempts, error: f.reason, message: describeFailure(f) };
  failRun(ctx, reason, JSON.stringify(details));
}

/** Fails the run, asking any open child to cancel first: SWF would leave a failed parent's children running. */
function failRun(ctx: WorkflowContext<unknown>, reason: string, details: string): void {
  ctx.cancelChildren();
  ctx.fail(reason, details);
}

/**
 * Tasks in order with at most `limit` running: one already asked for is always followed (its
 * status, its retries), a new one is scheduled only while fewer than `limit` run. Deterministic:
 * the same history always picks the same next tasks, the lowest-numbered first.
 */
function boundedTasks<R>(ctx: WorkflowContext<unknown>, keys: readonly string[], limit: number, options: (i: number) => TaskOptions<R>): (TaskHandle<R> | undefined)[] {
  let running = 0;
  // Tasks start in order, so any that failed for good comes before the new ones: none is started then.
  let failed = false;
  return keys.map((key, i) => {
    const opts = options(i);
    if (attemptsOf(ctx.view, key, opts.kind).length === 0 && (failed || running >= limit)) return undefined;
    const handle = ctx.task<R>(key, opts);
    if (handle.status === 'running') running++;
    if (handle.status === 'failed' || handle.status === 'canceled') failed = true;
    return handle;
  });
}

/** Fan-in over bounded tasks: failed at the first that failed for good, completed once every one is. */
function joinBounded<R>(handles: readonly (TaskHandle<R> | undefined)[]): ReturnType<typeof allOf<R>> {
  const started = handles.filter((h): h is TaskHandle<R> => h !== undefined);
  const join = allOf(started);
  if (join.status === 'completed' && started.length < handles.length) return { status: 'running', running: handles.length - started.length, completed: started.length };
  return join;
}

/** Fails the run for a child that did not complete: its own reason and details when it failed, else StepFailed. */
function failChild(ctx: WorkflowContext<unknown>, child: Extract<ChildHandle, { status: 'failed' | 'canceled' }>): void {
  if (child.state === 'failed' && child.failure.details !== undefined) return failRun(ctx, child.failure.reason, child.failure.details);
  const details: WorkflowFailureDetails = { step: child.workflowId, attempts: 1, error: child.failure.reason, message: `the rendition workflow ${child.workflowId} ended ${child.state}` };
  failRun(ctx, 'StepFailed', JSON.stringify(details));
}

/** The chunk plan for this run: the input's settings, else the decider's. */
function chunkPlanFor(input: WorkflowInput, source: ProbeResult, config: ChunkingConfig): ChunkPlan {
  return planChunks(source.durationSeconds, input.chunkSeconds ?? config.seconds, input.chunkConcurrency ?? config.concurrency);
}

/** Where the encoding stage is: done (with what publish needs), still running, or the run was closed (failed). */
type Encoded = { status: 'completed'; results: TranscodeResult[]; thumbnails: ThumbnailsResult; timings: Record<string, TaskTiming> } | { status: 'running' } | { status: 'closed' };
const CLOSED: Encoded = { status: 'closed' };

/** A video within one chunk: one transcode task per rendition and one thumbnails task. */
function encodeWhole(ctx: WorkflowContext<WorkflowInput>, runner: Runner, source: ProbeResult, ladder: readonly Rendition[]): Encoded {
  const { videoId, sourceKey } = ctx.input;
  const transcodes = ladder.map((rendition) => {
    const input: TranscodeInput = { videoId, sourceKey, rendition, frameRate: source.frameRate, hasAudio: source.hasAudio, segmentSeconds: HLS_SEGMENT_SECONDS };
    return ctx.task<TranscodeResult>(STEP_KEYS.transcode(rendition.name), stepTask('transcode', runner, input));
  });
  const thumbnailsInput: ThumbnailsInput = { videoId, sourceKey, durationSeconds: source.durationSeconds, displayWidth: source.displayWidth, displayHeight: source.displayHeight, ...(source.traits ? { traits: source.traits } : {}) };
  const thumbnails = ctx.task<ThumbnailsResult>(STEP_KEYS.thumbnails, stepTask('thumbnails', runner, thumbnailsInput));

  // Fail fast on a step that failed for good, go on once all are done.
  const renditions = allOf(transcodes);
  if (renditions.status === 'failed') {
    failStep(ctx, renditions.failed);
    return CLOSED;
  }
  if (thumbnails.status === 'failed' || thumbnails.status === 'canceled') {
    failStep(ctx, thumbnails);
    return CLOSED;
  }
  if (renditions.status !== 'completed' || thumbnails.status !== 'completed') return { status: 'running' };
  const keys = [STEP_KEYS.probe, ...ladder.map((r) => STEP_KEYS.transcode(r.name)), STEP_KEYS.thumbnails];
  return { status: 'completed', results: renditions.results, thumbnails: thumbnails.result, timings: ctx.timings(keys) };
}

/** A longer video: a ProcessRendition child per rendition; thumbnail tiles per chunk, then the sheet. */
function encodeChunked(ctx: WorkflowContext<WorkflowInput>, runner: Runner, source: ProbeResult, ladder: readonly Rendition[], plan: ChunkPlan): Encoded {
  const { videoId, sourceKey } = ctx.input;
  const children = ladder.map((rendition) => {
    const input: RenditionWorkflowInput = {
      videoId,
      sourceKey,
      rendition,
      frameRate: source.frameRate,
      hasAudio: source.hasAudio,
      durationSeconds: source.durationSeconds,
      plan,
      ...(source.traits ? { traits: source.traits } : {}),
      ...(ctx.input.runner ? { runner: ctx.input.runner } : {}),
    };
    return ctx.child<TranscodeResult>(renditionWorkflowId(videoId, rendition.name), {
      name: RENDITION_WORKFLOW_TYPE.name,
      version: RENDITION_WORKFLOW_TYPE.version,
      input,
      taskList: TASK_LISTS.decisions,
      executionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
      taskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
      childPolicy: CHILD_POLICY,
    });
  });

  // Tiles: one task per chunk that holds any (a long video has fewer tiles than chunks).
  const thumbs = { videoId, sourceKey, durationSeconds: source.durationSeconds, displayWidth: source.displayWidth, displayHeight: source.displayHeight, ...(source.traits ? { traits: source.traits } : {}) };
  const sprite = planSprite(source.durationSeconds, source.displayWidth, source.displayHeight);
  const tileChunks = chunkRanges(plan).filter((r) => tilesInRange(sprite, r.startSeconds, r.endSeconds).count > 0);
  const tiles = boundedTasks<ThumbnailTilesResult>(ctx, tileChunks.map((r) => STEP_KEYS.tiles(r.index)), plan.concurrency, (i) => {
    const r = tileChunks[i]!;
    const input: ThumbnailTilesInput = { ...thumbs, startSeconds: r.startSeconds, ...(r.endSeconds !== undefined ? { endSeconds: r.endSeconds } : {}) };
    return stepTask('thumbnailTiles', runner, input);
  });
  const tileJoin = joinBounded(tiles);
  if (tileJoin.status === 'failed') {
    failStep(ctx, tileJoin.failed);
    return CLOSED;
  }
  let sheet: TaskHandle<ThumbnailsResult> | undefined;
  if (tileJoin.status === 'completed') {
    // The tiles made are the contiguous run from the first (a seek past the last frame makes none).
    let made = 0;
    for (const t of tileJoin.results) if (t.first === made) made += t.count;
    if (made === 0) {
      const details: WorkflowFailureDetails = { step: STEP_KEYS.thumbnails, attempts: 0, error: 'NoTiles', message: 'no chunk yielded a thumbnail tile' };
      failRun(ctx, 'StepFailed', JSON.stringify(details));
      return CLOSED;
    }
    const input: ThumbnailSheetInput = { ...thumbs, tiles: made };
    sheet = ctx.task<ThumbnailsResult>(STEP_KEYS.thumbnails, stepTask('thumbnailSheet', runner, input));
    if (sheet.status === 'failed' || sheet.status === 'canceled') {
      failStep(ctx, sheet);
      return CLOSED;
    }
  }

  const results: TranscodeResult[] = [];
  for (const child of children) {
    if (child.status === 'failed' || child.status === 'canceled') {
      failChild(ctx, child);
      return CLOSED;
    }
    if (child.status === 'completed') results.push(child.result);
  }
  if (results.length < children.length || sheet?.status !== 'completed') return { status: 'running' };
  const timings: Record<string, TaskTiming> = { ...ctx.timings([STEP_KEYS.probe, STEP_KEYS.thumbnails]) };
  for (const r of ladder) {
    const child = ctx.view.children.get(renditionWorkflowId(videoId, r.name));
    if (child?.initiatedAt !== undefined && child.closedAt !== undefined) timings[STEP_KEYS.transcode(r.name)] = { scheduledAt: child.initiatedAt, closedAt: child.closedAt, attempts: 1 };
  }
  return { status: 'completed', results, thumbnails: sheet.result, timings };
}

function decideProcessVideo(ctx: WorkflowContext<WorkflowInput>, config: ChunkingConfig): void {
  const { videoId, sourceKey, fileName } = ctx.input;
  const runner: Runner = ctx.input.runner ?? 'lambda';

  // 1. probe
  const probeInput: ProbeInput = { videoId, sourceKey };
  const probe = ctx.task<ProbeResult>(STEP_KEYS.probe, stepTask('probe', runner, probeInput));
  if (probe.status === 'failed' || probe.status === 'canceled') return failStep(ctx, probe);
  if (probe.status !== 'completed') return;
  const source = probe.result;

  // 2. the ladder and the chunk plan, recorded once for this run
  const ladder = ctx.marker<Rendition[]>(LADDER_MARKER, () => planLadder(source));
  if (ladder.length === 0) {
    const details: WorkflowFailureDetails = { step: STEP_KEYS.probe, attempts: probe.attempts, error: 'NoRenditions', message: `no rendition fits a ${source.displayWidth}x${source.displayHeight} frame` };
    return ctx.fail('NoRenditions', JSON.stringify(details));
  }
  const plan = ctx.marker<ChunkPlan>(CHUNK_PLAN_MARKER, () => chunkPlanFor(ctx.input, source, config));

  // 3. fan out and in: every rendition and the thumbnails
  const encoded = plan.count === 1 ? encodeWhole(ctx, runner, source, ladder) : encodeChunked(ctx, runner, source, ladder, plan);
  if (encoded.status !== 'completed') return;

  // 4. publish
  const publishInput: PublishInput = {
    videoId,
    source: { key: sourceKey, ...(fileName !== undefined ? { fileName } : {}), probe: source },
    renditions: encoded.results,
    thumbnails: encoded.thumbnails,
    timings: encoded.timings,
  };
  const publish = ctx.task<PublishResult>(STEP_KEYS.publish, stepTask('publish', runner, publishInput));
  if (publish.status === 'failed' || publish.status === 'canceled') return failStep(ctx, publish);
  if (publish.status !== 'completed') return;

  // 5. done
  const result: WorkflowResult = { videoId, manifestKey: publish.result.manifest.key, masterPlaylistKey: publish.result.masterPlaylist.key };
  ctx.complete(result);
}

/**
 * ProcessRendition: the audio once (when the source has any) and the chunks, at most
 * `plan.concurrency` at a time, each retried alone; then the package step joins them. Completes
 * with the package's TranscodeResult, the same result a transcode task gives.
 */
function decideProcessRendition(ctx: WorkflowContext<RenditionWorkflowInput>): void {
  const { videoId, sourceKey, rendition, frameRate, hasAudio, plan, traits } = ctx.input;
  const runner: Runner = ctx.input.runner ?? 'lambda';

  let audio: TaskHandle<EncodeAudioResult> | undefined;
  if (hasAudio) {
    const input: EncodeAudioInput = { videoId, sourceKey, rendition };
    audio = ctx.task<EncodeAudioResult>(STEP_KEYS.audio, stepTask('encodeAudio', runner, input));
    if (audio.status === 'failed' || audio.status === 'canceled') return failStep(ctx, audio);
  }
  const keys = Array.from({ length: plan.count }, (_, i) => STEP_KEYS.chunk(i));
  const chunks = boundedTasks<EncodeChunkResult>(ctx, keys, plan.concurrency, (i) => {
    const range = chunkRange(plan, i);
    const input: EncodeChunkInput = {
      videoId,
      sourceKey,
      rendition,
      frameRate,
      segmentSeconds: plan.segmentSeconds,
      index: i,
      startSeconds: range.startSeconds,
      ...(range.endSeconds !== undefined ? { endSeconds: range.endSeconds } : {}),
      ...(traits ? { traits } : {}),
    };
    return stepTask('encodeChunk', runner, input);
  });
  const joined = joinBounded(chunks);
  if (joined.status === 'failed') return failStep(ctx, joined.failed);
  if (joined.status !== 'completed' || (audio && audio.status !== 'completed')) return;

  const input: PackageInput = {
    videoId,
    rendition,
    chunkCount: plan.count,
    frames: joined.results.reduce((n, c) => n + c.frames, 0),
    hasAudio,
    segmentSeconds: plan.segmentSeconds,
  };
  const pkg = ctx.task<TranscodeResult>(STEP_KEYS.package, stepTask('packageRendition', runner, input));
  if (pkg.status === 'failed' || pkg.status === 'canceled') return failStep(ctx, pkg);
  if (pkg.status === 'completed') ctx.complete(pkg.result);
}

function cancelDetails(ctx: WorkflowContext<unknown>): string {
  const completedSteps = [...ctx.view.tasksByKey].filter(([, attempts]) => attempts[attempts.length - 1]?.state === 'completed').map(([key]) => key);
  const abandoned = openTasks(ctx.view)
    .filter((t) => t.kind === 'lambda')
    .map((t) => t.id);
  const details: WorkflowCancelDetails = { reason: 'CancelRequested', completedSteps, abandoned };
  return JSON.stringify(details);
}

const COMMON = {
  cancelDetails,
  // Activities get RequestCancelActivityTask and the run waits for them to stop (they see the
  // request on their next heartbeat); Lambda tasks cannot be canceled in SWF, so the run closes
  // without them and SWF drops their late results. Open children get
  // RequestCancelExternalWorkflowExecution and the run closes once they have (SWF applies the child
  // policy only to a terminated or timed-out parent, so a canceled one must stop them itself).
  cancellation: { activities: 'wait', lambdas: 'abandon', children: 'wait' },
  // A bug or a broken step contract fails the run with reason DeciderError at once, rather than
  // leaving decision tasks to time out until the execution does.
  onError: 'fail',
} as const;

/** Checks a decider's chunking settings; InvalidChunkSecondsError names the one at fault. */
export function checkChunking(config: ChunkingConfig): ChunkingConfig {
  validateChunkSeconds(config.seconds);
  checkConcurrency(config.concurrency);
  return config;
}

/** The ProcessVideo definition with the decider's chunking settings. */
export function processVideoWith(config: ChunkingConfig): WorkflowDefinition<WorkflowInput> {
  checkChunking(config);
  return defineWorkflow<WorkflowInput>({ name: WORKFLOW_TYPE.name, parseInput: parseWorkflowInput, decide: (ctx) => decideProcessVideo(ctx, config), ...COMMON });
}

/** The ProcessVideo workflow definition for lib/decider, with the default chunking. */
export const processVideo = processVideoWith(DEFAULT_CHUNKING);

/** The ProcessRendition child workflow definition. */
export const processRendition = defineWorkflow<RenditionWorkflowInput>({
  name: RENDITION_WORKFLOW_TYPE.name,
  parseInput: parseRenditionInput,
  decide: decideProcessRendition,
  ...COMMON,
});

export interface VideoDecideOptions extends DecideOptions {
  /** The decider's chunking; default DEFAULT_CHUNKING. Recorded in the run's plan marker on first use. */
  chunking?: ChunkingConfig;
}

/** Which of the video workflows a history belongs to, by its WorkflowExecutionStarted's type name. */
function workflowOf(history: readonly HistoryEvent[], chunking?: ChunkingConfig): WorkflowDefinition<WorkflowInput> | WorkflowDefinition<RenditionWorkflowInput> {
  const name = history[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (name === RENDITION_WORKFLOW_TYPE.name) return processRendition;
  return chunking ? processVideoWith(chunking) : processVideo;
}

/** Decisions for one ProcessVideo or ProcessRendition decision task, from its full history. */
export function decideVideo(history: readonly HistoryEvent[], options: VideoDecideOptions = {}): Decision[] {
  const { chunking, ...rest } = options;
  return decide(workflowOf(history, chunking) as WorkflowDefinition<unknown>, history, rest);
}
