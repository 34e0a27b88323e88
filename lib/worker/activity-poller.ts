import type { ActivityTask, ActivityType, WorkflowExecution } from '@aws-sdk/client-swf';
import type { BackoffOptions, Sleep } from './backoff';
import { errorFields, isUnknownResource } from './errors';
import { SWF_LIMITS, truncate } from './limits';
import type { WorkerLogger } from './logger';
import { pollerRuntime, type PollLoop, withRetries } from './poll-loop';
import type { SwfLike, SwfOperations } from './swf-port';

/** What a handler is given beside its input. */
export interface ActivityContext {
  /**
   * Aborted when the decider requested cancellation (reason: ActivityCanceledError), when the
   * task closed under us (ActivityTaskClosedError: timed out, run closed), or when the worker
   * stops and its grace period is over (WorkerShutdownError). Pass it on to child processes and
   * SDK calls. Once it fires the poller reports the outcome at once and no longer waits for the
   * handler.
   */
  signal: AbortSignal;
  /**
   * Records a heartbeat now, with `details` (cut to 2048 characters) that later automatic
   * heartbeats repeat. Never rejects: a failed heartbeat is logged, and a cancel request or a
   * closed task shows up as `signal` aborting.
   */
  heartbeat(details?: string): Promise<void>;
  taskToken: string;
  activityId: string;
  activityType: ActivityType;
  workflowExecution: WorkflowExecution;
  startedEventId: number;
  /** The attempt number, when `attemptOf` is configured and knows it. */
  attempt?: number;
  /** The poller's logger, for the handler's own lines. */
  logger: WorkerLogger;
}

/** Does the work; the resolved string (at most 32768 characters) is the activity's result. */
export type ActivityHandler = (input: string | undefined, ctx: ActivityContext) => Promise<string | undefined>;

export interface ActivityPollerOptions {
  /** The aggregated `SWF` client (or a bare `SWFClient`). */
  swf: SwfLike;
  domain: string;
  taskList: string;
  /** Recorded in ActivityTaskStarted (default `<hostname>:<pid>`). */
  identity?: string;
  /** Handlers by activity type name (any version). */
  handlers: Record<string, ActivityHandler>;
  /** Automatic heartbeat period while a handler runs, ms (default 10 000; 0 turns it off). */
  heartbeatIntervalMs?: number;
  /** Tasks worked at once, each with its own long poll (default 1). */
  concurrency?: number;
  /** Default: a powertools Logger with serviceName `activity-worker`. */
  logger?: WorkerLogger;
  backoff?: BackoffOptions;
  /**
   * How long stop() lets tasks in hand run before aborting them (signal reason
   * WorkerShutdownError) and reporting them failed with reason `WorkerShutdown`, so the decider
   * can retry at once instead of waiting for a timeout. Default: no limit.
   */
  stopTimeoutMs?: number;
  /** Tries for a respond that fails transiently (default 3). */
  callAttempts?: number;
  /** Derives ctx.attempt from the task (for example from an activityId suffix). */
  attemptOf?: (task: { activityId: string; activityType: ActivityType; input: string | undefined }) => number | undefined;
  random?: () => number;
  sleep?: Sleep;
  now?: () => number;
}

export interface ActivityPollerStats {
  polls: number;
  emptyPolls: number;
  pollErrors: number;
  completed: number;
  failed: number;
  canceled: number;
  /** Tasks that closed under the worker (heartbeat or respond answered UnknownResourceFault). */
  lost: number;
  heartbeats: number;
}

/** The decider requested cancellation (a heartbeat answered cancelRequested: true). */
export class ActivityCanceledError extends Error {
  override readonly name = 'ActivityCanceled';
  constructor() {
    super('cancellation of the activity task was requested');
  }
}

/** The task is no longer open in SWF (timed out, or the run closed). */
export class ActivityTaskClosedError extends Error {
  override readonly name = 'ActivityTaskClosed';
}

/** The worker is stopping and the task's grace period is over. */
export class WorkerShutdownError extends Error {
  override readonly name = 'WorkerShutdown';
  constructor() {
    super('the worker stopped before the activity finished');
  }
}

type Outcome =
  | { kind: 'completed'; result: string | undefined }
  | { kind: 'failed'; reason: string; details: string }
  | { kind: 'canceled'; details?: string }
  | { kind: 'lost'; why: string };

/** Reason and details for RespondActivityTaskFailed from whatever a handler threw. */
export function failureOf(error: unknown): { reason: string; details: string } {
  let reason = 'Error';
  let details: string;
  if (error instanceof Error) {
    reason = error.name || 'Error';
    details = error.message;
  } else if (typeof error === 'string') {
    details = error;
  } else {
    try {
      details = JSON.stringify(error) ?? String(error);
    } catch {
      details = String(error);
    }
  }
  return { reason: truncate(reason, SWF_LIMITS.reason), details: truncate(details, SWF_LIMITS.details) };
}

interface InHand {
  abort(reason: Error): void;
}

/**
 * Long-polls an activity task list and runs the handler of each task's type.
 *
 * - handler resolves -> RespondActivityTaskCompleted(result)
 * - handler throws -> RespondActivityTaskFailed(reason = error.name, details = error.message),
 *   cut to SWF's limits (256 / 32768)
 * - no handler for the type -> RespondActivityTaskFailed(reason = UnknownActivityType)
 * - a heartbeat answering cancelRequested -> the handler's signal aborts and
 *   RespondActivityTaskCanceled is sent at once
 * - UnknownResourceFault on a heartbeat or respond (the task timed out or the run closed) is
 *   logged; the loop goes on.
 * - stop() aborts polls in flight and waits for tasks in hand (bounded by `stopTimeoutMs`).
 */
export class ActivityPoller {
  private readonly swf: SwfOperations;
  private readonly logger: WorkerLogger;
  private readonly identity: string;
  private readonly loop: PollLoop<ActivityTask>;
  private readonly retry: Parameters<typeof withRetries>[1];
  private readonly now: () => number;
  private readonly heartbeatIntervalMs: number;
  private readonly inHand = new Set<InHand>();
  /** Set when stop()'s grace period is over: a task that still arrives is aborted at once. */
  private shuttingDown = false;
  private stopping: Promise<void> | undefined;
  private readonly counters: ActivityPollerStats = {
    polls: 0,
    emptyPolls: 0,
    pollErrors: 0,
    completed: 0,
    failed: 0,
    canceled: 0,
    lost: 0,
    heartbeats: 0,
  };

  constructor(private readonly options: ActivityPollerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
    if (!(this.heartbeatIntervalMs >= 0)) throw new RangeError(`heartbeatIntervalMs must be >= 0, got ${options.heartbeatIntervalMs}`);
    ({ swf: this.swf, logger: this.logger, identity: this.identity, now: this.now, retry: this.retry, loop: this.loop } = pollerRuntime<ActivityTask>(
      'activity',
      'activity-worker',
      options,
      concurrency,
      {
        poll: (signal) => this.poll(signal),
        handle: (task) => this.handle(task),
        onPollError: () => void this.counters.pollErrors++,
      },
    ));
  }

  /** Starts the poll loops (idempotent). A stopped poller cannot be started again. */
  start(): void {
    if (this.loop.running) return;
    this.loop.start();
    this.logger.info('activity poller started', {
      domain: this.options.domain,
      taskList: this.options.taskList,
      identity: this.identity,
      concurrency: this.options.concurrency ?? 1,
      activityTypes: Object.keys(this.options.handlers),
    });
  }

  /** Graceful stop: no new polls; tasks in hand finish (or are aborted after `stopTimeoutMs`). Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.stopLoop();
    return this.stopping;
  }

  private async stopLoop(): Promise<void> {
    const stopped = this.loop.stop();
    let timer: NodeJS.Timeout | undefined;
    const grace = this.options.stopTimeoutMs;
    if (grace !== undefined) {
      timer = setTimeout(() => {
        this.shuttingDown = true;
        if (this.inHand.size > 0) this.logger.warn('stop grace period over; aborting tasks in hand', { tasks: this.inHand.size, stopTimeoutMs: grace });
        for (const task of this.inHand) task.abort(new WorkerShutdownError());
      }, grace);
    }
    try {
      await stopped;
    } finally {
      if (timer) clearTimeout(timer);
    }
    this.logger.info('activity poller stopped', { ...this.stats() });
  }

  get running(): boolean {
    return this.loop.running;
  }

  stats(): ActivityPollerStats {
    return { ...this.counters };
  }

  private async poll(signal: AbortSignal): Promise<ActivityTask | undefined> {
    this.counters.polls++;
    const task = await this.swf.pollForActivityTask(
      { domain: this.options.domain, taskList: { name: this.options.taskList }, identity: this.identity },
      { abortSignal: signal },
    );
    if (!task.taskToken) {
      this.counters.emptyPolls++;
      this.logger.debug('activity poll empty', { taskList: this.options.taskList });
      return undefined;
    }
    return task as ActivityTask;
  }

  private async handle(task: ActivityTask): Promise<boolean> {
    const startedAt = this.now();
    const taskToken = task.taskToken!;
    const activityType = task.activityType ?? { name: '', version: '' };
    const fields = {
      activityId: task.activityId,
      activityType: `${activityType.name}/${activityType.version}`,
      workflowId: task.workflowExecution?.workflowId,
      runId: task.workflowExecution?.runId,
      startedEventId: task.startedEventId,
    };
    const handler = Object.hasOwn(this.options.handlers, activityType.name ?? '') ? this.options.handlers[activityType.name!] : undefined;

    let outcome: Outcome;
    if (!handler) {
      outcome = {
        kind: 'failed',
        reason: 'UnknownActivityType',
        details: `no handler for activity type ${fields.activityType} on task list ${this.options.taskList}; handlers: ${Object.keys(this.options.handlers).join(', ') || '(none)'}`,
      };
      this.logger.error('no handler for activity type', fields);
    } else {
      outcome = await this.run(task, taskToken, handler, fields);
    }
    const ok = await this.report(taskToken, outcome, fields);
    this.logger.info('activity task finished', { ...fields, outcome: outcome.kind, durationMs: this.now() - startedAt });
    return ok;
  }

  /** Runs the handler with heartbeats until it settles or its signal aborts. */
  private async run(task: ActivityTask, taskToken: string, handler: ActivityHandler, fields: Record<string, unknown>): Promise<Outcome> {
    const controller = new AbortController();
    const signal = controller.signal;
    let lastDetails: string | undefined;
    let finished = false;

    const heartbeat = async (details?: string): Promise<void> => {
      if (details !== undefined) lastDetails = truncate(details, SWF_LIMITS.heartbeatDetails);
      if (finished || signal.aborted) return;
      try {
        const status = await this.swf.recordActivityTaskHeartbeat({ taskToken, ...(lastDetails !== undefined ? { details: lastDetails } : {}) });
        this.counters.heartbeats++;
        if (status.cancelRequested && !signal.aborted && !finished) {
          this.logger.info('cancellation requested; aborting the handler', fields);
          controller.abort(new ActivityCanceledError());
        }
      } catch (error) {
        if (isUnknownResource(error)) {
          if (!signal.aborted && !finished) {
            this.logger.warn('activity task closed under the worker (timed out or run closed); aborting the handler', { ...fields, ...errorFields(error) });
            controller.abort(new ActivityTaskClosedError(error instanceof Error ? error.message : String(error)));
          }
        } else {
          this.logger.warn('heartbeat failed', { ...fields, ...errorFields(error) });
        }
      }
    };

    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      if (this.heartbeatIntervalMs <= 0 || finished || signal.aborted) return;
      timer = setTimeout(() => {
        void heartbeat().finally(schedule);
      }, this.heartbeatIntervalMs);
    };

    const entry: InHand = { abort: (reason) => controller.abort(reason) };
    this.inHand.add(entry);
    // Registered before the handler runs, so an abort wins any race with the handler's own
    // reaction to it.
    const aborted = new Promise<Outcome>((resolve) => {
      signal.addEventListener('abort', () => resolve(outcomeOfAbort(signal.reason)), { once: true });
    });
    const input = task.input;
    const activityId = task.activityId ?? '';
    const activityType = task.activityType ?? { name: undefined, version: undefined };
    const attempt = this.options.attemptOf?.({ activityId, activityType, input });
    const ctx: ActivityContext = {
      signal,
      heartbeat,
      taskToken,
      activityId,
      activityType,
      workflowExecution: task.workflowExecution ?? { workflowId: undefined, runId: undefined },
      startedEventId: task.startedEventId ?? 0,
      ...(attempt !== undefined ? { attempt } : {}),
      logger: this.logger,
    };
    if (this.shuttingDown) controller.abort(new WorkerShutdownError());

    const settled: Promise<Outcome> = (async () => handler(input, ctx))().then(
      (result): Outcome => {
        if (result !== undefined && typeof result !== 'string') {
          return { kind: 'failed', reason: 'InvalidResult', details: `the handler resolved a ${typeof result}, not a string or undefined` };
        }
        if (result !== undefined && result.length > SWF_LIMITS.result) {
          return {
            kind: 'failed',
            reason: 'ResultTooLarge',
            details: `the handler's result has ${result.length} characters; SWF accepts at most ${SWF_LIMITS.result}`,
          };
        }
        return { kind: 'completed', result };
      },
      (error: unknown): Outcome => ({ kind: 'failed', ...failureOf(error) }),
    );
    schedule();
    try {
      let outcome = await Promise.race([settled, aborted]);
      // A handler that rejects because its signal fired reports the abort's outcome, not its error.
      if (outcome.kind === 'failed' && signal.aborted) outcome = outcomeOfAbort(signal.reason);
      return outcome;
    } finally {
      finished = true;
      if (timer) clearTimeout(timer);
      this.inHand.delete(entry);
      // Once reported, a late rejection from a handler that ignored its signal is of no interest.
      settled.catch(() => undefined);
    }
  }

  /** Sends the outcome. Resolves false only when SWF could not be reached (the loop backs off). */
  private async report(taskToken: string, outcome: Outcome, fields: Record<string, unknown>): Promise<boolean> {
    let call: () => Promise<unknown>;
    switch (outcome.kind) {
      case 'lost':
        this.counters.lost++;
        this.logger.warn('activity task lost; nothing to report', { ...fields, why: outcome.why });
        return true;
      case 'completed':
        call = () => this.swf.respondActivityTaskCompleted({ taskToken, ...(outcome.result !== undefined ? { result: outcome.result } : {}) });
        break;
      case 'failed':
        call = () => this.swf.respondActivityTaskFailed({ taskToken, reason: outcome.reason, details: outcome.details });
        break;
      case 'canceled':
        call = () => this.swf.respondActivityTaskCanceled({ taskToken, ...(outcome.details !== undefined ? { details: outcome.details } : {}) });
        break;
    }
    try {
      await withRetries(call, this.retry);
    } catch (error) {
      if (isUnknownResource(error)) {
        this.counters.lost++;
        this.logger.warn('activity task no longer open (timed out or run closed); outcome dropped', { ...fields, outcome: outcome.kind, ...errorFields(error) });
        return true;
      }
      this.logger.error('could not report the activity outcome', { ...fields, outcome: outcome.kind, ...errorFields(error) });
      return false;
    }
    if (outcome.kind === 'completed') this.counters.completed++;
    else if (outcome.kind === 'failed') this.counters.failed++;
    else this.counters.canceled++;
    if (outcome.kind === 'failed') this.logger.warn('activity task failed', { ...fields, reason: outcome.reason, details: truncate(outcome.details, 1000) });
    return true;
  }
}

function outcomeOfAbort(reason: unknown): Outcome {
  if (reason instanceof ActivityCanceledError) return { kind: 'canceled' };
  if (reason instanceof ActivityTaskClosedError) return { kind: 'lost', why: reason.message };
  if (reason instanceof WorkerShutdownError) return { kind: 'failed', reason: reason.name, details: reason.message };
  return { kind: 'failed', ...failureOf(reason) };
}
