/**
 * The ProcessVideo workflow: probe -> plan the ladder (recorded in a marker) -> transcode every
 * rendition and make thumbnails in parallel -> publish -> complete with the manifest's location.
 *
 * Every step is an SWF Lambda task (`STEPS[step].functionName`), or an activity of that name on
 * TASK_LISTS.activities when the input says `runner: 'activity'`. Steps retry per RETRY with
 * backoff timers; a non-retryable error fails the run at once with the error's name
 * (`NotAVideoError` -> reason `NotAVideo`), a step out of attempts fails it with `StepFailed`.
 * A cancel request cancels open activities and timers and closes the run as canceled once the
 * activities have stopped; running Lambda tasks cannot be stopped and are abandoned.
 *
 * Pure, like lib/decider: the same history always gives the same decisions.
 */
import type { Decision, HistoryEvent } from '@aws-sdk/client-swf';
import { allOf, decide, defineWorkflow, openTasks, type CanceledTask, type DecideOptions, type FailedTask, type TaskFailure, type TaskOptions, type WorkflowContext } from '../decider';
import type {
  ProbeInput,
  ProbeResult,
  PublishInput,
  PublishResult,
  Rendition,
  ThumbnailsInput,
  ThumbnailsResult,
  TranscodeInput,
  TranscodeResult,
  WorkflowCancelDetails,
  WorkflowFailureDetails,
  WorkflowInput,
  WorkflowResult,
} from './contracts';
import { HLS_SEGMENT_SECONDS, LADDER_MARKER, RETRY, STEPS, TASK_LISTS, WORKFLOW_TYPE, type StepName } from './definition';
import { planLadder } from './ladder';

export type Runner = NonNullable<WorkflowInput['runner']>;

/** Activities: how long a step may wait for a worker before it times out (and is retried). */
export const ACTIVITY_SCHEDULE_TO_START_SECONDS = 300;

/** Task keys of the steps: the attempt-1 SWF ids (`key#2`, `key#3` for retries). */
export const STEP_KEYS = {
  probe: 'probe',
  transcode: (rendition: string): string => `transcode-${rendition}`,
  thumbnails: 'thumbnails',
  publish: 'publish',
} as const;

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
  const { videoId, sourceKey, fileName, runner } = value;
  if (!nonEmpty(videoId)) throw new Error('videoId must be a non-empty string');
  if (!nonEmpty(sourceKey)) throw new Error('sourceKey must be a non-empty string');
  if (fileName !== undefined && typeof fileName !== 'string') throw new Error('fileName must be a string');
  if (runner !== undefined && runner !== 'lambda' && runner !== 'activity') throw new Error(`runner must be "lambda" or "activity", not ${JSON.stringify(runner)}`);
  return { videoId, sourceKey, ...(fileName !== undefined ? { fileName } : {}), ...(runner !== undefined ? { runner } : {}) };
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
function failStep(ctx: WorkflowContext<WorkflowInput>, task: FailedTask | CanceledTask): void {
  const f = task.failure;
  const nonRetryable = f.type === 'error' && (RETRY.nonRetryable as readonly string[]).includes(f.reason);
  const reason = nonRetryable ? f.reason.replace(/Error$/, '') || f.reason : 'StepFailed';
  const details: WorkflowFailureDetails = { step: task.key, attempts: task.attempts, error: f.reason, message: describeFailure(f) };
  ctx.fail(reason, JSON.stringify(details));
}

function decideProcessVideo(ctx: WorkflowContext<WorkflowInput>): void {
  const { videoId, sourceKey, fileName } = ctx.input;
  const runner: Runner = ctx.input.runner ?? 'lambda';

  // 1. probe
  const probeInput: ProbeInput = { videoId, sourceKey };
  const probe = ctx.task<ProbeResult>(STEP_KEYS.probe, stepTask('probe', runner, probeInput));
  if (probe.status === 'failed' || probe.status === 'canceled') return failStep(ctx, probe);
  if (probe.status !== 'completed') return;
  const source = probe.result;

  // 2. the ladder, recorded once for this run
  const ladder = ctx.marker<Rendition[]>(LADDER_MARKER, () => planLadder(source));
  if (ladder.length === 0) {
    const details: WorkflowFailureDetails = { step: STEP_KEYS.probe, attempts: probe.attempts, error: 'NoRenditions', message: `no rendition fits a ${source.displayWidth}x${source.displayHeight} frame` };
    return ctx.fail('NoRenditions', JSON.stringify(details));
  }

  // 3. fan out: one transcode per rendition, and the thumbnails
  const transcodes = ladder.map((rendition) => {
    const input: TranscodeInput = { videoId, sourceKey, rendition, frameRate: source.frameRate, hasAudio: source.hasAudio, segmentSeconds: HLS_SEGMENT_SECONDS };
    return ctx.task<TranscodeResult>(STEP_KEYS.transcode(rendition.name), stepTask('transcode', runner, input));
  });
  const thumbnailsInput: ThumbnailsInput = { videoId, sourceKey, durationSeconds: source.durationSeconds, displayWidth: source.displayWidth, displayHeight: source.displayHeight };
  const thumbnails = ctx.task<ThumbnailsResult>(STEP_KEYS.thumbnails, stepTask('thumbnails', runner, thumbnailsInput));

  // 4. fan in: fail fast on a step that failed for good, publish once all are done
  const renditions = allOf(transcodes);
  if (renditions.status === 'failed') return failStep(ctx, renditions.failed);
  if (thumbnails.status === 'failed' || thumbnails.status === 'canceled') return failStep(ctx, thumbnails);
  if (renditions.status !== 'completed' || thumbnails.status !== 'completed') return;

  const mediaKeys = [STEP_KEYS.probe, ...ladder.map((r) => STEP_KEYS.transcode(r.name)), STEP_KEYS.thumbnails];
  const publishInput: PublishInput = {
    videoId,
    source: { key: sourceKey, ...(fileName !== undefined ? { fileName } : {}), probe: source },
    renditions: renditions.results,
    thumbnails: thumbnails.result,
    timings: ctx.timings(mediaKeys),
  };
  const publish = ctx.task<PublishResult>(STEP_KEYS.publish, stepTask('publish', runner, publishInput));
  if (publish.status === 'failed' || publish.status === 'canceled') return failStep(ctx, publish);
  if (publish.status !== 'completed') return;

  // 5. done
  const result: WorkflowResult = { videoId, manifestKey: publish.result.manifest.key, masterPlaylistKey: publish.result.masterPlaylist.key };
  ctx.complete(result);
}

function cancelDetails(ctx: WorkflowContext<WorkflowInput>): string {
  const completedSteps = [...ctx.view.tasksByKey].filter(([, attempts]) => attempts[attempts.length - 1]?.state === 'completed').map(([key]) => key);
  const abandoned = openTasks(ctx.view)
    .filter((t) => t.kind === 'lambda')
    .map((t) => t.id);
  const details: WorkflowCancelDetails = { reason: 'CancelRequested', completedSteps, abandoned };
  return JSON.stringify(details);
}

/** The ProcessVideo workflow definition for lib/decider. */
export const processVideo = defineWorkflow<WorkflowInput>({
  name: WORKFLOW_TYPE.name,
  parseInput: parseWorkflowInput,
  decide: decideProcessVideo,
  cancelDetails,
  // Activities get RequestCancelActivityTask and the run waits for them to stop (they see the
  // request on their next heartbeat); Lambda tasks cannot be canceled in SWF, so the run closes
  // without them and SWF drops their late results.
  cancellation: { activities: 'wait', lambdas: 'abandon' },
  // A bug or a broken step contract fails the run with reason DeciderError at once, rather than
  // leaving decision tasks to time out until the execution does.
  onError: 'fail',
});

/** Decisions for one ProcessVideo decision task, from its full history. */
export function decideVideo(history: readonly HistoryEvent[], options?: DecideOptions): Decision[] {
  return decide(processVideo, history, options);
}
