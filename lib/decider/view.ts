/**
 * The reducer: one pass over a run's history, handling every one of the 54 event types, builds a
 * `WorkflowView` - what a decider needs to know, indexed for lookups. Pure: the same history
 * always gives the same view.
 */
import type { DecisionType, HistoryEvent, WorkflowType } from '@aws-sdk/client-swf';
import { DeciderError } from './errors';
import { durationSeconds, toMillis } from './events';
import { parseTaskId } from './ids';

/** Activities and Lambda tasks are both "tasks"; `kind` says which SWF mechanism runs one. */
export type TaskKind = 'activity' | 'lambda';

/**
 * Where one attempt is. `scheduleFailed`: the Schedule decision was rejected (no task ran);
 * `startFailed`: Lambda could not start it (StartLambdaFunctionFailed).
 */
export type TaskState = 'scheduled' | 'started' | 'completed' | 'failed' | 'timedOut' | 'canceled' | 'scheduleFailed' | 'startFailed';

/** Why an attempt did not complete. */
export interface TaskFailure {
  /** error: the worker/function failed; timeout; canceled; scheduleFailed/startFailed: SWF refused it. */
  type: 'error' | 'timeout' | 'canceled' | 'scheduleFailed' | 'startFailed' | 'invalid';
  /** Error name (ActivityTaskFailed/LambdaFunctionFailed reason), timeout type, or SWF cause. */
  reason: string;
  details?: string;
}

/** One attempt of a task (one activityId or one Lambda id). */
export interface TaskView {
  kind: TaskKind;
  /** The SWF id: activityId or Lambda id. */
  id: string;
  /** The id without its attempt suffix (see ids.ts). */
  key: string;
  /** 1-based attempt number, from the id. */
  attempt: number;
  /** Activity type name or Lambda function name. */
  name: string;
  /** Activity type version; undefined for Lambda. */
  version?: string;
  input?: string;
  control?: string;
  state: TaskState;
  /** True while the task is scheduled or started. */
  open: boolean;
  result?: string;
  failure?: TaskFailure;
  /** An ActivityTaskCancelRequested was recorded (activities only). */
  cancelRequested: boolean;
  /** RequestCancelActivityTaskFailed cause, if the request failed. */
  cancelFailedCause?: string;
  scheduledEventId?: number;
  startedEventId?: number;
  closedEventId?: number;
  /** Event timestamps, epoch ms. */
  scheduledAt?: number;
  startedAt?: number;
  closedAt?: number;
  /** Lambda startToCloseTimeout or activity start-to-close, seconds. */
  startToCloseTimeout?: number;
}

export type TimerState = 'started' | 'fired' | 'canceled' | 'startFailed';

export interface TimerView {
  id: string;
  state: TimerState;
  open: boolean;
  control?: string;
  startToFireTimeout?: number;
  startedEventId?: number;
  startedAt?: number;
  /** When it fires (or fired): startedAt + startToFireTimeout. */
  fireAt?: number;
  closedAt?: number;
  /** StartTimerFailed cause (when state is startFailed). */
  cause?: string;
  /** CancelTimerFailed cause, e.g. TIMER_ID_UNKNOWN when it fired while the decider worked. */
  cancelFailedCause?: string;
}

export interface MarkerView {
  name: string;
  details?: string;
  eventId: number;
  at: number;
}

export interface SignalView {
  name: string;
  input?: string;
  eventId: number;
  at: number;
  /** Sender, for signals from another workflow. */
  external?: { workflowId?: string; runId?: string; initiatedEventId?: number };
}

export interface CancelRequestView {
  eventId: number;
  at: number;
  cause?: string;
  external?: { workflowId?: string; runId?: string; initiatedEventId?: number };
}

export type ChildState = 'initiated' | 'started' | 'completed' | 'failed' | 'timedOut' | 'canceled' | 'terminated' | 'startFailed';

export interface ChildView {
  workflowId: string;
  runId?: string;
  workflowType?: WorkflowType;
  input?: string;
  control?: string;
  state: ChildState;
  open: boolean;
  result?: string;
  failure?: { reason: string; details?: string };
  initiatedEventId?: number;
  initiatedAt?: number;
  closedAt?: number;
}

/** A SignalExternalWorkflowExecution or RequestCancelExternalWorkflowExecution this run made. */
export interface ExternalRequestView {
  kind: 'signal' | 'cancel';
  initiatedEventId: number;
  workflowId: string;
  runId?: string;
  signalName?: string;
  control?: string;
  state: 'initiated' | 'delivered' | 'failed';
  cause?: string;
}

/** A `...Failed` event caused by a decision: what was refused, and why. */
export interface DecisionFailureView {
  eventId: number;
  decisionType: DecisionType;
  cause: string;
  /** activityId, Lambda id, timerId, markerName or workflowId. */
  id?: string;
  decisionTaskCompletedEventId?: number;
}

export type CloseStatus = 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT';

export interface ClosedView {
  status: CloseStatus;
  eventId: number;
  at: number;
  result?: string;
  reason?: string;
  details?: string;
  newExecutionRunId?: string;
}

/** What WorkflowExecutionStarted said about the run. */
export interface ExecutionView {
  workflowType?: WorkflowType;
  input?: string;
  taskList?: string;
  taskPriority?: string;
  childPolicy?: string;
  executionStartToCloseTimeout?: string;
  taskStartToCloseTimeout?: string;
  tagList: string[];
  lambdaRole?: string;
  continuedExecutionRunId?: string;
  parent?: { workflowId?: string; runId?: string; initiatedEventId?: number };
  startedAt?: number;
}

/** Decision-task bookkeeping. */
export interface DecisionTasksView {
  scheduled: number;
  completed: number;
  timedOut: number;
  /** The task being decided now: the latest DecisionTaskStarted that is not completed or timed out. */
  current?: { scheduledEventId: number; startedEventId: number; identity?: string };
  /** startedEventId of the last completed decision task (0 if none), unless given by the poll. */
  previousStartedEventId: number;
  /** Events after previousStartedEventId: what happened since the last decision. */
  newEvents: HistoryEvent[];
  /** executionContext of the last DecisionTaskCompleted that carried one. */
  latestExecutionContext?: string;
}

export interface WorkflowView {
  execution: ExecutionView;
  /** WorkflowExecutionStarted.input. */
  input?: string;
  /** Every task attempt, by SWF id (activity and Lambda ids share this map; an id names its latest use). */
  tasks: ReadonlyMap<string, TaskView>;
  /** Attempts grouped by task key, in attempt order (see `attemptsOf`). */
  tasksByKey: ReadonlyMap<string, readonly TaskView[]>;
  timers: ReadonlyMap<string, TimerView>;
  markers: readonly MarkerView[];
  signals: readonly SignalView[];
  cancelRequested: boolean;
  cancelRequests: readonly CancelRequestView[];
  children: ReadonlyMap<string, ChildView>;
  externalRequests: readonly ExternalRequestView[];
  decisionFailures: readonly DecisionFailureView[];
  decisionTasks: DecisionTasksView;
  /** Set once the history holds a closing event. */
  closed?: ClosedView;
  /** Number of events (the last eventId). */
  historyLength: number;
  /** Timestamp of the last event (epoch ms): the run's deterministic "now". */
  lastEventAt: number;
  /** Events with a type this library does not know (a newer SWF); they are otherwise ignored. */
  unknownEvents: readonly HistoryEvent[];
}

export interface BuildViewOptions {
  /** previousStartedEventId from PollForDecisionTask; derived from the history when absent. */
  previousStartedEventId?: number;
}

/** Attempts of `key`, in attempt order (optionally only those of one kind). */
export function attemptsOf(view: WorkflowView, key: string, kind?: TaskKind): readonly TaskView[] {
  const all = view.tasksByKey.get(key) ?? [];
  return kind ? all.filter((t) => t.kind === kind) : all;
}

/** Open tasks (scheduled or started), in schedule order. */
export function openTasks(view: WorkflowView): TaskView[] {
  return [...view.tasks.values()].filter((t) => t.open);
}

/** Open timers, in start order. */
export function openTimers(view: WorkflowView): TimerView[] {
  return [...view.timers.values()].filter((t) => t.open);
}

/** The latest marker called `name`, if any. */
export function markerOf(view: WorkflowView, name: string): MarkerView | undefined {
  for (let i = view.markers.length - 1; i >= 0; i--) {
    const m = view.markers[i];
    if (m && m.name === name) return m;
  }
  return undefined;
}

function req<T>(event: HistoryEvent, attrs: T | undefined): T {
  if (attrs === undefined || attrs === null) {
    const member = event.eventType ? `${event.eventType.charAt(0).toLowerCase()}${event.eventType.slice(1)}EventAttributes` : 'attributes';
    throw new DeciderError(`history event ${event.eventId ?? '?'} (${event.eventType}) has no ${member}`);
  }
  return attrs;
}

const CLOSED: Record<TaskState, boolean> = {
  scheduled: false,
  started: false,
  completed: true,
  failed: true,
  timedOut: true,
  canceled: true,
  scheduleFailed: true,
  startFailed: true,
};

/** Builds the view of `history` (a run's full history, oldest first). */
export function buildView(history: readonly HistoryEvent[], options: BuildViewOptions = {}): WorkflowView {
  const execution: ExecutionView = { tagList: [] };
  let input: string | undefined;
  const tasks = new Map<string, TaskView>();
  const activityByScheduled = new Map<number, TaskView>();
  const lambdaByScheduled = new Map<number, TaskView>();
  const timers = new Map<string, TimerView>();
  const timerByStarted = new Map<number, TimerView>();
  const markers: MarkerView[] = [];
  const signals: SignalView[] = [];
  const cancelRequests: CancelRequestView[] = [];
  const children = new Map<string, ChildView>();
  const childByInitiated = new Map<number, ChildView>();
  const externalRequests: ExternalRequestView[] = [];
  const externalByInitiated = new Map<number, ExternalRequestView>();
  const decisionFailures: DecisionFailureView[] = [];
  const unknownEvents: HistoryEvent[] = [];
  let closed: ClosedView | undefined;
  let scheduledDecisions = 0;
  let completedDecisions = 0;
  let timedOutDecisions = 0;
  let current: DecisionTasksView['current'];
  let lastCompletedStartedEventId = 0;
  let latestExecutionContext: string | undefined;
  let lastEventId = 0;
  let lastEventAt = 0;

  const newTask = (t: Omit<TaskView, 'key' | 'attempt' | 'open' | 'cancelRequested'>): TaskView => {
    const { key, attempt } = parseTaskId(t.id);
    const task: TaskView = { ...t, key, attempt, open: !CLOSED[t.state], cancelRequested: false };
    tasks.set(t.id, task);
    return task;
  };
  const setState = (task: TaskView, state: TaskState, at: number, eventId: number): void => {
    task.state = state;
    task.open = !CLOSED[state];
    if (!task.open) {
      task.closedAt = at;
      task.closedEventId = eventId;
    }
  };
  const taskFor = (map: Map<number, TaskView>, scheduledEventId: number | undefined, event: HistoryEvent): TaskView => {
    const task = scheduledEventId === undefined ? undefined : map.get(scheduledEventId);
    if (!task) throw new DeciderError(`history event ${event.eventId} (${event.eventType}) refers to unknown scheduled event ${scheduledEventId}`);
    return task;
  };
  const openTaskWithId = (id: string, kind: TaskKind): TaskView | undefined => {
    const t = tasks.get(id);
    return t && t.open && t.kind === kind ? t : undefined;
  };
  const childFor = (initiatedEventId: number | undefined, event: HistoryEvent): ChildView => {
    const child = initiatedEventId === undefined ? undefined : childByInitiated.get(initiatedEventId);
    if (!child) throw new DeciderError(`history event ${event.eventId} (${event.eventType}) refers to unknown child initiated event ${initiatedEventId}`);
    return child;
  };
  const closeChild = (child: ChildView, state: ChildState, at: number): void => {
    child.state = state;
    child.open = false;
    child.closedAt = at;
  };
  const fail = (eventId: number, decisionType: DecisionType, cause: string | undefined, id: string | undefined, dtc: number | undefined): void => {
    decisionFailures.push({ eventId, decisionType, cause: cause ?? 'UNKNOWN', ...(id !== undefined ? { id } : {}), ...(dtc !== undefined ? { decisionTaskCompletedEventId: dtc } : {}) });
  };
  const close = (c: ClosedView): void => {
    closed = c;
  };

  for (const event of history) {
    const eventId = event.eventId ?? lastEventId + 1;
    const at = toMillis(event.eventTimestamp);
    lastEventId = Math.max(lastEventId, eventId);
    lastEventAt = at || lastEventAt;
    const type = event.eventType;

    switch (type) {
      // ---- workflow lifecycle ----
      case 'WorkflowExecutionStarted': {
        const a = req(event, event.workflowExecutionStartedEventAttributes);
        input = a.input;
        Object.assign(execution, {
          workflowType: a.workflowType,
          input: a.input,
          taskList: a.taskList?.name,
          taskPriority: a.taskPriority,
          childPolicy: a.childPolicy,
          executionStartToCloseTimeout: a.executionStartToCloseTimeout,
          taskStartToCloseTimeout: a.taskStartToCloseTimeout,
          tagList: a.tagList ?? [],
          lambdaRole: a.lambdaRole,
          continuedExecutionRunId: a.continuedExecutionRunId,
          parent: a.parentWorkflowExecution
            ? { workflowId: a.parentWorkflowExecution.workflowId, runId: a.parentWorkflowExecution.runId, initiatedEventId: a.parentInitiatedEventId }
            : undefined,
          startedAt: at,
        } satisfies ExecutionView);
        break;
      }
      case 'WorkflowExecutionCompleted': {
        const a = req(event, event.workflowExecutionCompletedEventAttributes);
        close({ status: 'COMPLETED', eventId, at, result: a.result });
        break;
      }
      case 'WorkflowExecutionFailed': {
        const a = req(event, event.workflowExecutionFailedEventAttributes);
        close({ status: 'FAILED', eventId, at, reason: a.reason, details: a.details });
        break;
      }
      case 'WorkflowExecutionTimedOut':
        req(event, event.workflowExecutionTimedOutEventAttributes);
        close({ status: 'TIMED_OUT', eventId, at });
        break;
      case 'WorkflowExecutionCanceled': {
        const a = req(event, event.workflowExecutionCanceledEventAttributes);
        close({ status: 'CANCELED', eventId, at, details: a.details });
        break;
      }
      case 'WorkflowExecutionContinuedAsNew': {
        const a = req(event, event.workflowExecutionContinuedAsNewEventAttributes);
        close({ status: 'CONTINUED_AS_NEW', eventId, at, newExecutionRunId: a.newExecutionRunId });
        break;
      }
      case 'WorkflowExecutionTerminated': {
        const a = req(event, event.workflowExecutionTerminatedEventAttributes);
        close({ status: 'TERMINATED', eventId, at, reason: a.reason ?? a.cause, details: a.details });
        break;
      }
      case 'CompleteWorkflowExecutionFailed': {
        const a = req(event, event.completeWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'CompleteWorkflowExecution', a.cause, undefined, a.decisionTaskCompletedEventId);
        break;
      }
      case 'FailWorkflowExecutionFailed': {
        const a = req(event, event.failWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'FailWorkflowExecution', a.cause, undefined, a.decisionTaskCompletedEventId);
        break;
      }
      case 'CancelWorkflowExecutionFailed': {
        const a = req(event, event.cancelWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'CancelWorkflowExecution', a.cause, undefined, a.decisionTaskCompletedEventId);
        break;
      }
      case 'ContinueAsNewWorkflowExecutionFailed': {
        const a = req(event, event.continueAsNewWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'ContinueAsNewWorkflowExecution', a.cause, undefined, a.decisionTaskCompletedEventId);
        break;
      }
      case 'WorkflowExecutionCancelRequested': {
        const a = event.workflowExecutionCancelRequestedEventAttributes ?? {};
        cancelRequests.push({
          eventId,
          at,
          ...(a.cause ? { cause: a.cause } : {}),
          ...(a.externalWorkflowExecution
            ? { external: { workflowId: a.externalWorkflowExecution.workflowId, runId: a.externalWorkflowExecution.runId, initiatedEventId: a.externalInitiatedEventId } }
            : {}),
        });
        break;
      }
      case 'WorkflowExecutionSignaled': {
        const a = req(event, event.workflowExecutionSignaledEventAttributes);
        signals.push({
          name: a.signalName ?? '',
          eventId,
          at,
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.externalWorkflowExecution
            ? { external: { workflowId: a.externalWorkflowExecution.workflowId, runId: a.externalWorkflowExecution.runId, initiatedEventId: a.externalInitiatedEventId } }
            : {}),
        });
        break;
      }
      case 'MarkerRecorded': {
        const a = req(event, event.markerRecordedEventAttributes);
        markers.push({ name: a.markerName ?? '', eventId, at, ...(a.details !== undefined ? { details: a.details } : {}) });
        break;
      }
      case 'RecordMarkerFailed': {
        const a = req(event, event.recordMarkerFailedEventAttributes);
        fail(eventId, 'RecordMarker', a.cause, a.markerName, a.decisionTaskCompletedEventId);
        break;
      }

      // ---- decision tasks ----
      case 'DecisionTaskScheduled':
        scheduledDecisions++;
        break;
      case 'DecisionTaskStarted': {
        const a = req(event, event.decisionTaskStartedEventAttributes);
        current = { scheduledEventId: a.scheduledEventId ?? 0, startedEventId: eventId, ...(a.identity !== undefined ? { identity: a.identity } : {}) };
        break;
      }
      case 'DecisionTaskCompleted': {
        const a = req(event, event.decisionTaskCompletedEventAttributes);
        completedDecisions++;
        lastCompletedStartedEventId = a.startedEventId ?? lastCompletedStartedEventId;
        if (a.executionContext !== undefined) latestExecutionContext = a.executionContext;
        if (current && current.startedEventId === a.startedEventId) current = undefined;
        break;
      }
      case 'DecisionTaskTimedOut': {
        const a = req(event, event.decisionTaskTimedOutEventAttributes);
        timedOutDecisions++;
        if (current && current.startedEventId === a.startedEventId) current = undefined;
        break;
      }

      // ---- activities ----
      case 'ActivityTaskScheduled': {
        const a = req(event, event.activityTaskScheduledEventAttributes);
        const task = newTask({
          kind: 'activity',
          id: a.activityId ?? '',
          name: a.activityType?.name ?? '',
          ...(a.activityType?.version !== undefined ? { version: a.activityType.version } : {}),
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'scheduled',
          scheduledEventId: eventId,
          scheduledAt: at,
          ...(durationSeconds(a.startToCloseTimeout) !== undefined ? { startToCloseTimeout: durationSeconds(a.startToCloseTimeout) } : {}),
        });
        activityByScheduled.set(eventId, task);
        break;
      }
      case 'ScheduleActivityTaskFailed': {
        const a = req(event, event.scheduleActivityTaskFailedEventAttributes);
        const id = a.activityId ?? '';
        fail(eventId, 'ScheduleActivityTask', a.cause, id, a.decisionTaskCompletedEventId);
        // ACTIVITY_ID_ALREADY_IN_USE leaves the open activity with that id as it is.
        if (!openTaskWithId(id, 'activity')) {
          newTask({
            kind: 'activity',
            id,
            name: a.activityType?.name ?? '',
            ...(a.activityType?.version !== undefined ? { version: a.activityType.version } : {}),
            state: 'scheduleFailed',
            failure: { type: 'scheduleFailed', reason: a.cause ?? 'UNKNOWN' },
            scheduledAt: at,
            closedAt: at,
            closedEventId: eventId,
          });
        }
        break;
      }
      case 'ActivityTaskStarted': {
        const a = req(event, event.activityTaskStartedEventAttributes);
        const task = taskFor(activityByScheduled, a.scheduledEventId, event);
        setState(task, 'started', at, eventId);
        task.startedEventId = eventId;
        task.startedAt = at;
        break;
      }
      case 'ActivityTaskCompleted': {
        const a = req(event, event.activityTaskCompletedEventAttributes);
        const task = taskFor(activityByScheduled, a.scheduledEventId, event);
        setState(task, 'completed', at, eventId);
        if (a.result !== undefined) task.result = a.result;
        break;
      }
      case 'ActivityTaskFailed': {
        const a = req(event, event.activityTaskFailedEventAttributes);
        const task = taskFor(activityByScheduled, a.scheduledEventId, event);
        setState(task, 'failed', at, eventId);
        task.failure = { type: 'error', reason: a.reason ?? 'Error', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'ActivityTaskTimedOut': {
        const a = req(event, event.activityTaskTimedOutEventAttributes);
        const task = taskFor(activityByScheduled, a.scheduledEventId, event);
        setState(task, 'timedOut', at, eventId);
        task.failure = { type: 'timeout', reason: a.timeoutType ?? 'START_TO_CLOSE', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'ActivityTaskCanceled': {
        const a = req(event, event.activityTaskCanceledEventAttributes);
        const task = taskFor(activityByScheduled, a.scheduledEventId, event);
        setState(task, 'canceled', at, eventId);
        task.failure = { type: 'canceled', reason: 'Canceled', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'ActivityTaskCancelRequested': {
        const a = req(event, event.activityTaskCancelRequestedEventAttributes);
        const task = openTaskWithId(a.activityId ?? '', 'activity');
        if (task) task.cancelRequested = true;
        break;
      }
      case 'RequestCancelActivityTaskFailed': {
        const a = req(event, event.requestCancelActivityTaskFailedEventAttributes);
        fail(eventId, 'RequestCancelActivityTask', a.cause, a.activityId, a.decisionTaskCompletedEventId);
        const task = tasks.get(a.activityId ?? '');
        if (task && task.kind === 'activity') task.cancelFailedCause = a.cause ?? 'UNKNOWN';
        break;
      }

      // ---- timers ----
      case 'TimerStarted': {
        const a = req(event, event.timerStartedEventAttributes);
        const seconds = durationSeconds(a.startToFireTimeout) ?? 0;
        const timer: TimerView = {
          id: a.timerId ?? '',
          state: 'started',
          open: true,
          ...(a.control !== undefined ? { control: a.control } : {}),
          startToFireTimeout: seconds,
          startedEventId: eventId,
          startedAt: at,
          fireAt: at + seconds * 1000,
        };
        timers.set(timer.id, timer);
        timerByStarted.set(eventId, timer);
        break;
      }
      case 'StartTimerFailed': {
        const a = req(event, event.startTimerFailedEventAttributes);
        const id = a.timerId ?? '';
        fail(eventId, 'StartTimer', a.cause, id, a.decisionTaskCompletedEventId);
        // TIMER_ID_ALREADY_IN_USE leaves the open timer with that id as it is.
        if (!timers.get(id)?.open) timers.set(id, { id, state: 'startFailed', open: false, cause: a.cause ?? 'UNKNOWN', closedAt: at });
        break;
      }
      case 'TimerFired': {
        const a = req(event, event.timerFiredEventAttributes);
        const timer = (a.startedEventId !== undefined ? timerByStarted.get(a.startedEventId) : undefined) ?? timers.get(a.timerId ?? '');
        if (!timer) throw new DeciderError(`history event ${eventId} (TimerFired) refers to unknown timer ${a.timerId}`);
        timer.state = 'fired';
        timer.open = false;
        timer.closedAt = at;
        break;
      }
      case 'TimerCanceled': {
        const a = req(event, event.timerCanceledEventAttributes);
        const timer = (a.startedEventId !== undefined ? timerByStarted.get(a.startedEventId) : undefined) ?? timers.get(a.timerId ?? '');
        if (!timer) throw new DeciderError(`history event ${eventId} (TimerCanceled) refers to unknown timer ${a.timerId}`);
        timer.state = 'canceled';
        timer.open = false;
        timer.closedAt = at;
        break;
      }
      case 'CancelTimerFailed': {
        const a = req(event, event.cancelTimerFailedEventAttributes);
        fail(eventId, 'CancelTimer', a.cause, a.timerId, a.decisionTaskCompletedEventId);
        const timer = timers.get(a.timerId ?? '');
        if (timer) timer.cancelFailedCause = a.cause ?? 'UNKNOWN';
        break;
      }

      // ---- child workflows ----
      case 'StartChildWorkflowExecutionInitiated': {
        const a = req(event, event.startChildWorkflowExecutionInitiatedEventAttributes);
        const child: ChildView = {
          workflowId: a.workflowId ?? '',
          ...(a.workflowType ? { workflowType: a.workflowType } : {}),
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'initiated',
          open: true,
          initiatedEventId: eventId,
          initiatedAt: at,
        };
        children.set(child.workflowId, child);
        childByInitiated.set(eventId, child);
        break;
      }
      case 'StartChildWorkflowExecutionFailed': {
        const a = req(event, event.startChildWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'StartChildWorkflowExecution', a.cause, a.workflowId, a.decisionTaskCompletedEventId);
        const initiated = a.initiatedEventId ? childByInitiated.get(a.initiatedEventId) : undefined;
        if (initiated) {
          closeChild(initiated, 'startFailed', at);
          initiated.failure = { reason: a.cause ?? 'UNKNOWN' };
        } else if (!children.get(a.workflowId ?? '')?.open) {
          children.set(a.workflowId ?? '', {
            workflowId: a.workflowId ?? '',
            ...(a.workflowType ? { workflowType: a.workflowType } : {}),
            ...(a.control !== undefined ? { control: a.control } : {}),
            state: 'startFailed',
            open: false,
            failure: { reason: a.cause ?? 'UNKNOWN' },
            closedAt: at,
          });
        }
        break;
      }
      case 'ChildWorkflowExecutionStarted': {
        const a = req(event, event.childWorkflowExecutionStartedEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        child.state = 'started';
        if (a.workflowExecution?.runId !== undefined) child.runId = a.workflowExecution.runId;
        break;
      }
      case 'ChildWorkflowExecutionCompleted': {
        const a = req(event, event.childWorkflowExecutionCompletedEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        closeChild(child, 'completed', at);
        if (a.result !== undefined) child.result = a.result;
        break;
      }
      case 'ChildWorkflowExecutionFailed': {
        const a = req(event, event.childWorkflowExecutionFailedEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        closeChild(child, 'failed', at);
        child.failure = { reason: a.reason ?? 'Error', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'ChildWorkflowExecutionTimedOut': {
        const a = req(event, event.childWorkflowExecutionTimedOutEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        closeChild(child, 'timedOut', at);
        child.failure = { reason: a.timeoutType ?? 'START_TO_CLOSE' };
        break;
      }
      case 'ChildWorkflowExecutionCanceled': {
        const a = req(event, event.childWorkflowExecutionCanceledEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        closeChild(child, 'canceled', at);
        child.failure = { reason: 'Canceled', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'ChildWorkflowExecutionTerminated': {
        const a = req(event, event.childWorkflowExecutionTerminatedEventAttributes);
        const child = childFor(a.initiatedEventId, event);
        closeChild(child, 'terminated', at);
        child.failure = { reason: 'Terminated' };
        break;
      }

      // ---- external signals and cancellations ----
      case 'SignalExternalWorkflowExecutionInitiated': {
        const a = req(event, event.signalExternalWorkflowExecutionInitiatedEventAttributes);
        const r: ExternalRequestView = {
          kind: 'signal',
          initiatedEventId: eventId,
          workflowId: a.workflowId ?? '',
          ...(a.runId ? { runId: a.runId } : {}),
          ...(a.signalName !== undefined ? { signalName: a.signalName } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'initiated',
        };
        externalRequests.push(r);
        externalByInitiated.set(eventId, r);
        break;
      }
      case 'ExternalWorkflowExecutionSignaled': {
        const a = req(event, event.externalWorkflowExecutionSignaledEventAttributes);
        const r = a.initiatedEventId !== undefined ? externalByInitiated.get(a.initiatedEventId) : undefined;
        if (r) r.state = 'delivered';
        break;
      }
      case 'SignalExternalWorkflowExecutionFailed': {
        const a = req(event, event.signalExternalWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'SignalExternalWorkflowExecution', a.cause, a.workflowId, a.decisionTaskCompletedEventId);
        const r = a.initiatedEventId !== undefined ? externalByInitiated.get(a.initiatedEventId) : undefined;
        if (r) {
          r.state = 'failed';
          r.cause = a.cause ?? 'UNKNOWN';
        }
        break;
      }
      case 'RequestCancelExternalWorkflowExecutionInitiated': {
        const a = req(event, event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes);
        const r: ExternalRequestView = {
          kind: 'cancel',
          initiatedEventId: eventId,
          workflowId: a.workflowId ?? '',
          ...(a.runId ? { runId: a.runId } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'initiated',
        };
        externalRequests.push(r);
        externalByInitiated.set(eventId, r);
        break;
      }
      case 'ExternalWorkflowExecutionCancelRequested': {
        const a = req(event, event.externalWorkflowExecutionCancelRequestedEventAttributes);
        const r = a.initiatedEventId !== undefined ? externalByInitiated.get(a.initiatedEventId) : undefined;
        if (r) r.state = 'delivered';
        break;
      }
      case 'RequestCancelExternalWorkflowExecutionFailed': {
        const a = req(event, event.requestCancelExternalWorkflowExecutionFailedEventAttributes);
        fail(eventId, 'RequestCancelExternalWorkflowExecution', a.cause, a.workflowId, a.decisionTaskCompletedEventId);
        const r = a.initiatedEventId !== undefined ? externalByInitiated.get(a.initiatedEventId) : undefined;
        if (r) {
          r.state = 'failed';
          r.cause = a.cause ?? 'UNKNOWN';
        }
        break;
      }

      // ---- Lambda tasks ----
      case 'LambdaFunctionScheduled': {
        const a = req(event, event.lambdaFunctionScheduledEventAttributes);
        const task = newTask({
          kind: 'lambda',
          id: a.id ?? '',
          name: a.name ?? '',
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'scheduled',
          scheduledEventId: eventId,
          scheduledAt: at,
          ...(durationSeconds(a.startToCloseTimeout) !== undefined ? { startToCloseTimeout: durationSeconds(a.startToCloseTimeout) } : {}),
        });
        lambdaByScheduled.set(eventId, task);
        break;
      }
      case 'ScheduleLambdaFunctionFailed': {
        const a = req(event, event.scheduleLambdaFunctionFailedEventAttributes);
        const id = a.id ?? '';
        fail(eventId, 'ScheduleLambdaFunction', a.cause, id, a.decisionTaskCompletedEventId);
        if (!openTaskWithId(id, 'lambda')) {
          newTask({
            kind: 'lambda',
            id,
            name: a.name ?? '',
            state: 'scheduleFailed',
            failure: { type: 'scheduleFailed', reason: a.cause ?? 'UNKNOWN' },
            scheduledAt: at,
            closedAt: at,
            closedEventId: eventId,
          });
        }
        break;
      }
      case 'LambdaFunctionStarted': {
        const a = req(event, event.lambdaFunctionStartedEventAttributes);
        const task = taskFor(lambdaByScheduled, a.scheduledEventId, event);
        setState(task, 'started', at, eventId);
        task.startedEventId = eventId;
        task.startedAt = at;
        break;
      }
      case 'LambdaFunctionCompleted': {
        const a = req(event, event.lambdaFunctionCompletedEventAttributes);
        const task = taskFor(lambdaByScheduled, a.scheduledEventId, event);
        setState(task, 'completed', at, eventId);
        if (a.result !== undefined) task.result = a.result;
        break;
      }
      case 'LambdaFunctionFailed': {
        const a = req(event, event.lambdaFunctionFailedEventAttributes);
        const task = taskFor(lambdaByScheduled, a.scheduledEventId, event);
        setState(task, 'failed', at, eventId);
        task.failure = { type: 'error', reason: a.reason ?? 'Error', ...(a.details !== undefined ? { details: a.details } : {}) };
        break;
      }
      case 'LambdaFunctionTimedOut': {
        const a = req(event, event.lambdaFunctionTimedOutEventAttributes);
        const task = taskFor(lambdaByScheduled, a.scheduledEventId, event);
        setState(task, 'timedOut', at, eventId);
        task.failure = { type: 'timeout', reason: a.timeoutType ?? 'START_TO_CLOSE' };
        break;
      }
      case 'StartLambdaFunctionFailed': {
        const a = req(event, event.startLambdaFunctionFailedEventAttributes);
        const task = taskFor(lambdaByScheduled, a.scheduledEventId, event);
        setState(task, 'startFailed', at, eventId);
        task.failure = { type: 'startFailed', reason: a.cause ?? 'UNKNOWN', ...(a.message !== undefined ? { details: a.message } : {}) };
        break;
      }

      case undefined:
        unknownEvents.push(event);
        break;
      default: {
        // A compile error here means an EventType has no case above.
        const unhandled: never = type;
        void unhandled;
        unknownEvents.push(event);
      }
    }
  }

  const tasksByKey = new Map<string, TaskView[]>();
  for (const task of tasks.values()) {
    const list = tasksByKey.get(task.key);
    if (list) list.push(task);
    else tasksByKey.set(task.key, [task]);
  }
  for (const list of tasksByKey.values()) list.sort((a, b) => a.attempt - b.attempt || (a.scheduledEventId ?? 0) - (b.scheduledEventId ?? 0));

  const previousStartedEventId = options.previousStartedEventId ?? lastCompletedStartedEventId;
  const newEvents = history.filter((e) => (e.eventId ?? 0) > previousStartedEventId);

  return {
    execution,
    ...(input !== undefined ? { input } : {}),
    tasks,
    tasksByKey,
    timers,
    markers,
    signals,
    cancelRequested: cancelRequests.length > 0,
    cancelRequests,
    children,
    externalRequests,
    decisionFailures,
    decisionTasks: {
      scheduled: scheduledDecisions,
      completed: completedDecisions,
      timedOut: timedOutDecisions,
      ...(current ? { current } : {}),
      previousStartedEventId,
      newEvents,
      ...(latestExecutionContext !== undefined ? { latestExecutionContext } : {}),
    },
    ...(closed ? { closed } : {}),
    historyLength: lastEventId,
    lastEventAt,
    unknownEvents,
  };
}
