/**
 * The workflow context: what a workflow's `decide(ctx)` uses to read the run and to ask for work.
 * Every method is idempotent against the history: asking for a task that is already scheduled,
 * started or finished emits nothing, so recomputing decisions from the full history on every
 * decision task is always safe.
 */
import type { ChildPolicy, Decision } from '@aws-sdk/client-swf';
import {
  MAX_DATA,
  cancelTimer,
  cancelWorkflowExecution,
  completeWorkflowExecution,
  continueAsNewWorkflowExecution,
  failWorkflowExecution,
  isClosingDecision,
  recordMarker,
  requestCancelActivityTask,
  requestCancelExternalWorkflowExecution,
  scheduleActivityTask,
  scheduleLambdaFunction,
  startChildWorkflowExecution,
  startTimer,
  type Seconds,
} from './decisions';
import { DeciderError, InvalidInputError } from './errors';
import { assertValidKey, taskId } from './ids';
import { NO_RETRY, backoffSeconds, isRetryable, type RetryPolicy } from './retry';
import { attemptsOf, markerOf, openTasks, openTimers, type ChildView, type SignalView, type TaskFailure, type TaskKind, type TaskView, type WorkflowView } from './view';

/** How a workflow asks for a task. The same options serve activities and Lambda tasks. */
export interface TaskOptions<R = unknown> {
  /** 'lambda': ScheduleLambdaFunction (SWF invokes the function); 'activity': ScheduleActivityTask. */
  kind: TaskKind;
  /** Lambda function name, or activity type name. */
  name: string;
  /** Activity type version (required for activities). */
  version?: string;
  /** Task input; JSON-encoded. Leave undefined for none. */
  input?: unknown;
  control?: string;
  /** Activities: the task list (else the type's default). */
  taskList?: string;
  /** Activities: task priority. */
  taskPriority?: number;
  /** Lambda: 1-900 seconds. Activities: start-to-close. */
  startToCloseTimeout?: Seconds;
  /** Activities only. */
  scheduleToStartTimeout?: Seconds;
  /** Activities only. */
  scheduleToCloseTimeout?: Seconds;
  /** Activities only. */
  heartbeatTimeout?: Seconds;
  /** Default: one attempt, no retry. */
  retry?: RetryPolicy;
  /** Turns the result string into R. Default: JSON.parse (undefined when there is no result). */
  decode?: (raw: string | undefined) => R;
}

/** What is known about a task in every status. */
export interface TaskHandleBase {
  key: string;
  kind: TaskKind;
  /** Attempts made, counting one this decision schedules. */
  attempts: number;
  /** Every attempt recorded in the history, in order. */
  history: readonly TaskView[];
}

/**
 * `scheduling`: this decision schedules an attempt; `scheduled`/`started`: the attempt is open;
 * `backoff`: waiting on the retry timer.
 */
export type RunningPhase = 'scheduling' | 'scheduled' | 'started' | 'backoff';

export interface RunningTask extends TaskHandleBase {
  status: 'running';
  phase: RunningPhase;
  /** During backoff: when the next attempt is scheduled (epoch ms). */
  retryAt?: number;
  /** The failure that caused the current backoff or retry, if any. */
  lastFailure?: TaskFailure;
}
export interface CompletedTask<R> extends TaskHandleBase {
  status: 'completed';
  result: R;
  rawResult?: string;
}
/** Failed for good: a non-retryable error, or the last allowed attempt failed. */
export interface FailedTask extends TaskHandleBase {
  status: 'failed';
  failure: TaskFailure;
}
export interface CanceledTask extends TaskHandleBase {
  status: 'canceled';
  failure: TaskFailure;
}
export type TaskHandle<R = unknown> = RunningTask | CompletedTask<R> | FailedTask | CanceledTask;

/** Fan-in over a set of tasks: all completed, one failed for good, or still running. */
export type JoinResult<R> =
  | { status: 'completed'; results: R[] }
  | { status: 'failed'; failed: FailedTask | CanceledTask; failures: (FailedTask | CanceledTask)[] }
  | { status: 'running'; running: number; completed: number };

/** Fan-in: `failed` as soon as any task failed for good (the first in `handles` order), `completed` once all are. */
export function allOf<R>(handles: readonly TaskHandle<R>[]): JoinResult<R> {
  const failures = handles.filter((h): h is FailedTask | CanceledTask => h.status === 'failed' || h.status === 'canceled');
  const first = failures[0];
  if (first) return { status: 'failed', failed: first, failures };
  const results: R[] = [];
  for (const h of handles) if (h.status === 'completed') results.push(h.result);
  if (results.length === handles.length) return { status: 'completed', results };
  return { status: 'running', running: handles.length - results.length, completed: results.length };
}

export interface TimerHandle {
  key: string;
  status: 'running' | 'fired' | 'canceled' | 'failed';
  /** When it fires (epoch ms), once known. */
  firesAt?: number;
}

/** Per task key: when its first attempt was scheduled, when its last attempt closed, and how many attempts ran. */
export interface TaskTiming {
  scheduledAt: number;
  closedAt: number;
  attempts: number;
}

/** Timings of every task key whose latest attempt is closed, keyed by task key, in schedule order. */
export function timingsOf(view: WorkflowView, keys?: readonly string[]): Record<string, TaskTiming> {
  const out: Record<string, TaskTiming> = {};
  for (const [key, attempts] of view.tasksByKey) {
    if (keys && !keys.includes(key)) continue;
    const first = attempts[0];
    const last = attempts[attempts.length - 1];
    if (!first || !last || last.open) continue;
    out[key] = { scheduledAt: first.scheduledAt ?? 0, closedAt: last.closedAt ?? 0, attempts: last.attempt };
  }
  return out;
}

/** How a workflow starts a child workflow execution. */
export interface ChildOptions<R = unknown> {
  name: string;
  version: string;
  /** JSON-encoded. */
  input?: unknown;
  control?: string;
  /** Defaults to the child type's registered defaults, as in SWF; lambdaRole defaults to this run's. */
  taskList?: string;
  executionStartToCloseTimeout?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  lambdaRole?: string;
  /** Turns the child's result into R. Default: JSON.parse. */
  decode?: (raw: string | undefined) => R;
}

/**
 * A child execution: `running` from the decision that starts it until it closes; `completed`
 * with its result; `failed` when it failed, timed out, was terminated or could not start;
 * `canceled` when it closed as canceled. Children are started once: a failed child is not retried
 * (the child retries its own work), so a failure is final for the parent to handle.
 */
export type ChildHandle<R = unknown> =
  | { workflowId: string; status: 'running'; phase: 'starting' | 'initiated' | 'started' }
  | { workflowId: string; status: 'completed'; result: R }
  | { workflowId: string; status: 'failed' | 'canceled'; state: ChildView['state']; failure: { reason: string; details?: string } };

export interface ContinueAsNewOptions {
  /** Defaults to the current run's value (SWF itself would take the type's defaults). */
  taskList?: string;
  taskPriority?: string;
  executionStartToCloseTimeout?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  lambdaRole?: string;
  /** Default: the current version. */
  workflowTypeVersion?: string;
  /** Close even though tasks, timers or children are open (they are dropped by SWF). Default false: throws. */
  abandonOpenWork?: boolean;
}

/** What to do with open work when the run is asked to cancel. */
export interface CancellationPolicy {
  /** 'auto' (default): the runner cancels without calling decide. 'manual': decide sees ctx.cancelRequested and calls ctx.cancelWorkflow itself. */
  handle?: 'auto' | 'manual';
  /** Open activities always get RequestCancelActivityTask. 'wait' (default): close only once they have closed. 'abandon': close at once. */
  activities?: 'wait' | 'abandon';
  /**
   * SWF cannot cancel a Lambda task. 'abandon' (default): close at once; the function runs to its
   * end and SWF drops its result. 'wait': close once every open Lambda task has finished.
   */
  lambdas?: 'wait' | 'abandon';
  /**
   * Open children always get RequestCancelExternalWorkflowExecution. 'abandon' (default): close at
   * once (SWF applies the child policy only when a run is terminated or times out, so they run on
   * until they honour the request). 'wait': close once every child has closed.
   */
  children?: 'wait' | 'abandon';
}

/** Settings the context takes from the workflow definition. */
export interface ContextSettings<I> {
  parseInput?: (raw: string | undefined) => I;
  cancellation?: CancellationPolicy;
  continueAsNewAfterEvents?: number;
}

/** Default history size at which `shouldContinueAsNew` turns true; SWF terminates a run at 25,000. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;

/** What `decide(ctx)` receives. */
export interface WorkflowContext<I = unknown> {
  /** Everything the history says, indexed. */
  readonly view: WorkflowView;
  /** The run's input, parsed once by the definition's parseInput (default JSON.parse). */
  readonly input: I;
  /** Timestamp of the latest event (epoch ms): deterministic workflow time. */
  readonly now: number;
  readonly cancelRequested: boolean;
  /** Events in the history so far. */
  readonly historyLength: number;
  /** The history has reached the continue-as-new threshold. */
  readonly shouldContinueAsNew: boolean;
  /** Any task, timer or child still open (including ones this decision starts). */
  readonly hasOpenWork: boolean;
  /** A closing decision has been made in this decision task. */
  readonly closing: boolean;

  /**
   * The task `key`: schedules attempt 1 if there is none, retries per `options.retry` (a backoff
   * timer, then a fresh id `key#N`), and reports where it is. Never schedules an attempt that is
   * already scheduled or started. Asking again for `key` in the same decision returns the same
   * handle (the first options win).
   */
  task<R = unknown>(key: string, options: TaskOptions<R>): TaskHandle<R>;
  /** The child execution `workflowId`: started once (StartChildWorkflowExecution), then where it is. */
  child<R = unknown>(workflowId: string, options: ChildOptions<R>): ChildHandle<R>;
  /** A durable timer `key` of `seconds`, started once. */
  timer(key: string, seconds: number): TimerHandle;
  /**
   * A value computed once and recorded in a marker `name` (JSON details); later decisions read
   * the recorded value back, so it never changes for this run even if the code does.
   */
  marker<T>(name: string, compute: () => T): T;
  /** Signals received, optionally only those called `name`. */
  signals(name?: string): readonly SignalView[];
  /** Per task key timings (see timingsOf). */
  timings(keys?: readonly string[]): Record<string, TaskTiming>;
  /** Adds a raw decision (a closing one is kept last). Idempotency is then the caller's business. */
  emit(decision: Decision): void;

  /** CompleteWorkflowExecution with `result` JSON-encoded. */
  complete(result?: unknown): void;
  /** FailWorkflowExecution; reason is cut to 256 characters, details to 32,768. */
  fail(reason: string, details?: string): void;
  /**
   * Cancels the run: RequestCancelActivityTask for open activities, CancelTimer for open timers,
   * RequestCancelExternalWorkflowExecution for open children, then CancelWorkflowExecution once
   * nothing the policy waits for is open. Returns the ids still waited on (empty: closed now).
   */
  cancelWorkflow(details?: string | (() => string | undefined)): readonly string[];
  /** ContinueAsNewWorkflowExecution with `input` JSON-encoded, carrying this run's settings. */
  continueAsNew(input: unknown, options?: ContinueAsNewOptions): void;
  /**
   * RequestCancelExternalWorkflowExecution for every open child not yet asked (e.g. before failing:
   * SWF leaves a failed run's children running). Returns the open children's ids.
   */
  cancelChildren(): readonly string[];
}

/** Everything a workflow passes (task input, result, marker value, new input) is JSON-encoded. */
const encode = (value: unknown): string | undefined => (value === undefined ? undefined : JSON.stringify(value));

function defaultDecode<R>(raw: string | undefined): R {
  return (raw === undefined || raw === '' ? undefined : JSON.parse(raw)) as R;
}

/** The one implementation of WorkflowContext; `decisions()` gives the batch, closing decision last. */
export class Context<I> implements WorkflowContext<I> {
  private readonly out: Decision[] = [];
  private close: Decision | undefined;
  private readonly emittedKeys = new Set<string>();
  private readonly handles = new Map<string, TaskHandle<unknown>>();
  private readonly startedNow = new Set<string>();
  private parsed: { value: I } | undefined;

  constructor(
    readonly view: WorkflowView,
    private readonly settings: ContextSettings<I> = {},
  ) {}

  get input(): I {
    if (!this.parsed) {
      const parse = this.settings.parseInput ?? ((raw: string | undefined) => defaultDecode<I>(raw));
      try {
        this.parsed = { value: parse(this.view.input) };
      } catch (error) {
        throw new InvalidInputError(error instanceof Error ? error.message : String(error));
      }
    }
    return this.parsed.value;
  }

  get now(): number {
    return this.view.lastEventAt;
  }

  get cancelRequested(): boolean {
    return this.view.cancelRequested;
  }

  get historyLength(): number {
    return this.view.historyLength;
  }

  get shouldContinueAsNew(): boolean {
    return this.view.historyLength >= (this.settings.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS);
  }

  get hasOpenWork(): boolean {
    return this.startedNow.size > 0 || openTasks(this.view).length > 0 || openTimers(this.view).length > 0 || [...this.view.children.values()].some((c) => c.open);
  }

  get closing(): boolean {
    return this.close !== undefined;
  }

  /** The batch: every decision in the order asked for, the closing one last. */
  decisions(): Decision[] {
    return this.close ? [...this.out, this.close] : [...this.out];
  }

  emit(decision: Decision): void {
    if (isClosingDecision(decision)) return this.setClose(decision);
    this.assertOpen(decision.decisionType ?? 'a decision');
    this.out.push(decision);
  }

  /** Emits `decision` unless one with the same identity was already emitted in this batch. */
  private emitOnce(identity: string, decision: Decision): void {
    if (this.emittedKeys.has(identity)) return;
    this.emittedKeys.add(identity);
    this.emit(decision);
  }

  private assertOpen(what: string): void {
    if (this.close) throw new DeciderError(`${what} after ${this.close.decisionType}: a closing decision must be the last one`);
  }

  private setClose(decision: Decision): void {
    this.assertOpen(decision.decisionType ?? 'a closing decision');
    this.close = decision;
  }

  task<R = unknown>(key: string, options: TaskOptions<R>): TaskHandle<R> {
    const cached = this.handles.get(key);
    if (cached) return cached as TaskHandle<R>;
    assertValidKey(key);
    if (options.kind === 'activity' && !options.version) throw new DeciderError(`task ${key}: an activity needs a version`);
    const handle = this.resolveTask(key, options);
    this.handles.set(key, handle as TaskHandle<unknown>);
    return handle;
  }

  private resolveTask<R>(key: string, options: TaskOptions<R>): TaskHandle<R> {
    const history = attemptsOf(this.view, key, options.kind);
    const latest = history[history.length - 1];
    const base = (attempts: number): TaskHandleBase => ({ key, kind: options.kind, attempts, history });
    const policy = options.retry ?? NO_RETRY;

    if (!latest) return this.scheduleAttempt(key, 1, options, base(1));
    switch (latest.state) {
      case 'scheduled':
      case 'started':
        return { ...base(latest.attempt), status: 'running', phase: latest.state };
      case 'completed': {
        const decode = options.decode ?? defaultDecode<R>;
        let result: R;
        try {
          result = decode(latest.result);
        } catch (error) {
          throw new DeciderError(`task ${latest.id}: cannot decode its result: ${error instanceof Error ? error.message : String(error)}`);
        }
        return { ...base(latest.attempt), status: 'completed', result, ...(latest.result !== undefined ? { rawResult: latest.result } : {}) };
      }
      case 'canceled':
        return { ...base(latest.attempt), status: 'canceled', failure: latest.failure ?? { type: 'canceled', reason: 'Canceled' } };
      case 'failed':
      case 'timedOut':
      case 'scheduleFailed':
      case 'startFailed': {
        const failure: TaskFailure = latest.failure ?? { type: 'error', reason: 'Error' };
        if (latest.attempt >= policy.maxAttempts || !isRetryable(failure, policy)) {
          return { ...base(latest.attempt), status: 'failed', failure };
        }
        const next = latest.attempt + 1;
        const timerId = taskId(key, next);
        const delay = backoffSeconds(policy, latest.attempt);
        const timer = this.view.timers.get(timerId);
        if (delay === 0 || timer?.state === 'fired' || timer?.state === 'startFailed') {
          return this.scheduleAttempt(key, next, options, base(next), failure);
        }
        if (!timer) {
          this.emitOnce(`timer:${timerId}`, startTimer(timerId, delay));
          this.startedNow.add(`timer:${timerId}`);
          return { ...base(latest.attempt), status: 'running', phase: 'backoff', retryAt: this.now + delay * 1000, lastFailure: failure };
        }
        if (timer.state === 'started') {
          return { ...base(latest.attempt), status: 'running', phase: 'backoff', ...(timer.fireAt !== undefined ? { retryAt: timer.fireAt } : {}), lastFailure: failure };
        }
        // The backoff timer was canceled: the run is being canceled, so no further attempt.
        return { ...base(latest.attempt), status: 'canceled', failure: { type: 'canceled', reason: 'Canceled', details: `retry timer ${timerId} canceled` } };
      }
    }
  }

  private scheduleAttempt<R>(key: string, attempt: number, options: TaskOptions<R>, base: TaskHandleBase, lastFailure?: TaskFailure): TaskHandle<R> {
    const id = taskId(key, attempt);
    const input = encode(options.input);
    if (input !== undefined && input.length > MAX_DATA) {
      return { ...base, attempts: attempt - 1, status: 'failed', failure: { type: 'invalid', reason: 'InputTooLarge', details: `input of ${id} is ${input.length} characters; SWF allows ${MAX_DATA}` } };
    }
    const decision =
      options.kind === 'lambda'
        ? scheduleLambdaFunction({
            id,
            name: options.name,
            ...(input !== undefined ? { input } : {}),
            ...(options.control !== undefined ? { control: options.control } : {}),
            ...(typeof options.startToCloseTimeout === 'number' ? { startToCloseTimeout: options.startToCloseTimeout } : {}),
          })
        : scheduleActivityTask({
            activityId: id,
            name: options.name,
            version: options.version ?? '',
            ...(input !== undefined ? { input } : {}),
            ...(options.control !== undefined ? { control: options.control } : {}),
            ...(options.taskList !== undefined ? { taskList: options.taskList } : {}),
            ...(options.taskPriority !== undefined ? { taskPriority: String(options.taskPriority) } : {}),
            ...(options.scheduleToStartTimeout !== undefined ? { scheduleToStartTimeout: options.scheduleToStartTimeout } : {}),
            ...(options.scheduleToCloseTimeout !== undefined ? { scheduleToCloseTimeout: options.scheduleToCloseTimeout } : {}),
            ...(options.startToCloseTimeout !== undefined ? { startToCloseTimeout: options.startToCloseTimeout } : {}),
            ...(options.heartbeatTimeout !== undefined ? { heartbeatTimeout: options.heartbeatTimeout } : {}),
          });
    this.emitOnce(`task:${options.kind}:${id}`, decision);
    this.startedNow.add(`task:${id}`);
    return { ...base, status: 'running', phase: 'scheduling', ...(lastFailure ? { lastFailure } : {}) };
  }

  child<R = unknown>(workflowId: string, options: ChildOptions<R>): ChildHandle<R> {
    assertValidKey(workflowId, 'child workflow id');
    const child = this.view.children.get(workflowId);
    if (!child) {
      const input = encode(options.input);
      if (input !== undefined && input.length > MAX_DATA) throw new DeciderError(`child ${workflowId}: input is ${input.length} characters; SWF allows ${MAX_DATA}`);
      const lambdaRole = options.lambdaRole ?? this.view.execution.lambdaRole;
      this.emitOnce(
        `child:${workflowId}`,
        startChildWorkflowExecution({
          workflowId,
          name: options.name,
          version: options.version,
          ...(input !== undefined ? { input } : {}),
          ...(options.control !== undefined ? { control: options.control } : {}),
          ...(options.taskList !== undefined ? { taskList: options.taskList } : {}),
          ...(options.executionStartToCloseTimeout !== undefined ? { executionStartToCloseTimeout: options.executionStartToCloseTimeout } : {}),
          ...(options.taskStartToCloseTimeout !== undefined ? { taskStartToCloseTimeout: options.taskStartToCloseTimeout } : {}),
          ...(options.childPolicy !== undefined ? { childPolicy: options.childPolicy } : {}),
          ...(options.tagList !== undefined ? { tagList: options.tagList } : {}),
          ...(lambdaRole !== undefined ? { lambdaRole } : {}),
        }),
      );
      this.startedNow.add(`child:${workflowId}`);
      return { workflowId, status: 'running', phase: 'starting' };
    }
    switch (child.state) {
      case 'initiated':
      case 'started':
        return { workflowId, status: 'running', phase: child.state };
      case 'completed': {
        const decode = options.decode ?? defaultDecode<R>;
        try {
          return { workflowId, status: 'completed', result: decode(child.result) };
        } catch (error) {
          throw new DeciderError(`child ${workflowId}: cannot decode its result: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      case 'canceled':
        return { workflowId, status: 'canceled', state: child.state, failure: child.failure ?? { reason: 'Canceled' } };
      case 'failed':
      case 'timedOut':
      case 'terminated':
      case 'startFailed':
        return { workflowId, status: 'failed', state: child.state, failure: child.failure ?? { reason: child.state } };
    }
  }

  timer(key: string, seconds: number): TimerHandle {
    assertValidKey(key, 'timer key');
    const timer = this.view.timers.get(key);
    if (!timer) {
      this.emitOnce(`timer:${key}`, startTimer(key, seconds));
      this.startedNow.add(`timer:${key}`);
      return { key, status: 'running', firesAt: this.now + Math.max(0, Math.ceil(seconds)) * 1000 };
    }
    const status = timer.state === 'started' ? 'running' : timer.state === 'startFailed' ? 'failed' : timer.state;
    return { key, status, ...(timer.fireAt !== undefined ? { firesAt: timer.fireAt } : {}) };
  }

  marker<T>(name: string, compute: () => T): T {
    const recorded = markerOf(this.view, name);
    if (recorded) return defaultDecode<T>(recorded.details);
    const value = compute();
    const details = encode(value);
    if (details !== undefined && details.length > MAX_DATA) throw new DeciderError(`marker ${name}: details are ${details.length} characters; SWF allows ${MAX_DATA}`);
    this.emitOnce(`marker:${name}`, recordMarker(name, details));
    return value;
  }

  signals(name?: string): readonly SignalView[] {
    return name === undefined ? this.view.signals : this.view.signals.filter((s) => s.name === name);
  }

  timings(keys?: readonly string[]): Record<string, TaskTiming> {
    return timingsOf(this.view, keys);
  }

  complete(result?: unknown): void {
    this.setClose(completeWorkflowExecution(encode(result)));
  }

  fail(reason: string, details?: string): void {
    this.setClose(failWorkflowExecution(reason, details));
  }

  cancelWorkflow(details?: string | (() => string | undefined)): readonly string[] {
    const policy = this.settings.cancellation ?? {};
    this.cancelChildren();
    const waiting: string[] = [];
    for (const task of openTasks(this.view)) {
      if (task.kind === 'activity') {
        if (!task.cancelRequested && task.cancelFailedCause === undefined) this.emitOnce(`cancel-task:${task.id}`, requestCancelActivityTask(task.id));
        if ((policy.activities ?? 'wait') === 'wait') waiting.push(task.id);
      } else if ((policy.lambdas ?? 'abandon') === 'wait') {
        waiting.push(task.id);
      }
    }
    for (const timer of openTimers(this.view)) {
      if (timer.cancelFailedCause === undefined) this.emitOnce(`cancel-timer:${timer.id}`, cancelTimer(timer.id));
    }
    if ((policy.children ?? 'abandon') === 'wait') for (const child of this.view.children.values()) if (child.open) waiting.push(child.workflowId);
    if (waiting.length === 0) {
      this.setClose(cancelWorkflowExecution(typeof details === 'function' ? details() : details));
    }
    return waiting;
  }

  cancelChildren(): readonly string[] {
    const asked: string[] = [];
    for (const child of this.view.children.values()) {
      if (!child.open) continue;
      const requested = this.view.externalRequests.some((r) => r.kind === 'cancel' && r.workflowId === child.workflowId && r.state !== 'failed');
      if (!requested) this.emitOnce(`cancel-child:${child.workflowId}`, requestCancelExternalWorkflowExecution(child.workflowId, child.runId));
      asked.push(child.workflowId);
    }
    return asked;
  }

  continueAsNew(input: unknown, options: ContinueAsNewOptions = {}): void {
    const { abandonOpenWork = false, ...overrides } = options;
    if (this.hasOpenWork && !abandonOpenWork) {
      throw new DeciderError('continueAsNew with open tasks, timers or children: wait until ctx.hasOpenWork is false, or pass abandonOpenWork');
    }
    const e = this.view.execution;
    const encoded = encode(input);
    if (encoded !== undefined && encoded.length > MAX_DATA) throw new DeciderError(`continueAsNew: input is ${encoded.length} characters; SWF allows ${MAX_DATA}`);
    this.setClose(
      continueAsNewWorkflowExecution({
        ...(encoded !== undefined ? { input: encoded } : {}),
        ...(e.taskList !== undefined ? { taskList: e.taskList } : {}),
        ...(e.taskPriority !== undefined ? { taskPriority: e.taskPriority } : {}),
        ...(e.executionStartToCloseTimeout !== undefined ? { executionStartToCloseTimeout: e.executionStartToCloseTimeout } : {}),
        ...(e.taskStartToCloseTimeout !== undefined ? { taskStartToCloseTimeout: e.taskStartToCloseTimeout } : {}),
        ...(e.childPolicy !== undefined ? { childPolicy: e.childPolicy as ChildPolicy } : {}),
        ...(e.tagList.length > 0 ? { tagList: [...e.tagList] } : {}),
        ...(e.lambdaRole !== undefined ? { lambdaRole: e.lambdaRole } : {}),
        ...overrides,
      }),
    );
  }
}
