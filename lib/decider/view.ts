/**
 * The reducer: one pass over a run's history, handling every one of the 54 event types, builds a
 * `WorkflowView` - what a decider needs to know, indexed for lookups. Pure: the same history
 * always gives the same view.
 */
import type { DecisionType, EventType, HistoryEvent, WorkflowType } from '@aws-sdk/client-swf';
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

/** The member of a history event that carries its attributes: `activityTaskScheduledEventAttributes`. */
function attributesMember(eventType: string): string {
  return `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes`;
}

function req<T>(event: HistoryEvent, attrs: T | undefined): T {
  if (attrs === undefined || attrs === null) {
    const member = event.eventType ? attributesMember(event.eventType) : 'attributes';
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

/** The state one pass over a history builds up, with the lookups the event handlers share. */
class Reducer {
  readonly execution: ExecutionView = { tagList: [] };
  input: string | undefined;
  readonly tasks = new Map<string, TaskView>();
  readonly byScheduled: Record<TaskKind, Map<number, TaskView>> = { activity: new Map(), lambda: new Map() };
  readonly timers = new Map<string, TimerView>();
  readonly timerByStarted = new Map<number, TimerView>();
  readonly markers: MarkerView[] = [];
  readonly signals: SignalView[] = [];
  readonly cancelRequests: CancelRequestView[] = [];
  readonly children = new Map<string, ChildView>();
  readonly childByInitiated = new Map<number, ChildView>();
  readonly externalRequests: ExternalRequestView[] = [];
  readonly externalByInitiated = new Map<number, ExternalRequestView>();
  readonly decisionFailures: DecisionFailureView[] = [];
  readonly unknownEvents: HistoryEvent[] = [];
  closed: ClosedView | undefined;
  scheduledDecisions = 0;
  completedDecisions = 0;
  timedOutDecisions = 0;
  current: DecisionTasksView['current'];
  lastCompletedStartedEventId = 0;
  latestExecutionContext: string | undefined;

  newTask(t: Omit<TaskView, 'key' | 'attempt' | 'open' | 'cancelRequested'>): TaskView {
    const { key, attempt } = parseTaskId(t.id);
    const task: TaskView = { ...t, key, attempt, open: !CLOSED[t.state], cancelRequested: false };
    this.tasks.set(t.id, task);
    return task;
  }

  setState(task: TaskView, state: TaskState, at: number, eventId: number): void {
    task.state = state;
    task.open = !CLOSED[state];
    if (!task.open) {
      task.closedAt = at;
      task.closedEventId = eventId;
    }
  }

  taskFor(kind: TaskKind, scheduledEventId: number | undefined, event: HistoryEvent): TaskView {
    const task = scheduledEventId === undefined ? undefined : this.byScheduled[kind].get(scheduledEventId);
    if (!task) throw new DeciderError(`history event ${event.eventId} (${event.eventType}) refers to unknown scheduled event ${scheduledEventId}`);
    return task;
  }

  openTaskWithId(id: string, kind: TaskKind): TaskView | undefined {
    const t = this.tasks.get(id);
    return t && t.open && t.kind === kind ? t : undefined;
  }

  timerFor(a: { startedEventId?: number; timerId?: string }, c: At): TimerView {
    const timer = (a.startedEventId !== undefined ? this.timerByStarted.get(a.startedEventId) : undefined) ?? this.timers.get(a.timerId ?? '');
    if (!timer) throw new DeciderError(`history event ${c.eventId} (${c.event.eventType}) refers to unknown timer ${a.timerId}`);
    return timer;
  }

  childFor(initiatedEventId: number | undefined, event: HistoryEvent): ChildView {
    const child = initiatedEventId === undefined ? undefined : this.childByInitiated.get(initiatedEventId);
    if (!child) throw new DeciderError(`history event ${event.eventId} (${event.eventType}) refers to unknown child initiated event ${initiatedEventId}`);
    return child;
  }

  closeChild(child: ChildView, state: ChildState, at: number): void {
    child.state = state;
    child.open = false;
    child.closedAt = at;
  }

  external(initiatedEventId: number | undefined): ExternalRequestView | undefined {
    return initiatedEventId !== undefined ? this.externalByInitiated.get(initiatedEventId) : undefined;
  }

  fail(eventId: number, decisionType: DecisionType, cause: string | undefined, id: string | undefined, dtc: number | undefined): void {
    this.decisionFailures.push({ eventId, decisionType, cause: cause ?? 'UNKNOWN', ...(id !== undefined ? { id } : {}), ...(dtc !== undefined ? { decisionTaskCompletedEventId: dtc } : {}) });
  }
}

/** Where an event sits: the event, its id (or the next one when it carries none) and its time in epoch ms. */
interface At {
  event: HistoryEvent;
  eventId: number;
  at: number;
}

type Attrs<K extends EventType> = `${Uncapitalize<K>}EventAttributes` extends infer M ? (M extends keyof HistoryEvent ? NonNullable<HistoryEvent[M]> : never) : never;
type Handler<K extends EventType> = (r: Reducer, a: Attrs<K>, c: At) => void;

type DecisionFailedAttrs = { cause?: string; decisionTaskCompletedEventId?: number };
type TaskIdentity = Pick<TaskView, 'id' | 'name' | 'version'>;

const withDetails = (details: string | undefined) => (details !== undefined ? { details } : {});

// ---- the shapes most events share; each builds the handler of one family of events ----

/** A `...Failed` event caused by a decision; `then` updates what the decision was about. */
function decisionFailed<I = object, T = object>(
  decisionType: DecisionType,
  idOf: (a: I) => string | undefined = () => undefined,
  then?: (r: Reducer, a: T & DecisionFailedAttrs, c: At) => void,
) {
  return (r: Reducer, a: I & T & DecisionFailedAttrs, c: At): void => {
    r.fail(c.eventId, decisionType, a.cause, idOf(a), a.decisionTaskCompletedEventId);
    then?.(r, a, c);
  };
}

function workflowClosed<A>(status: CloseStatus, fields: (a: A) => Partial<ClosedView> = () => ({})) {
  return (r: Reducer, a: A, c: At): void => {
    r.closed = { status, eventId: c.eventId, at: c.at, ...fields(a) };
  };
}

function taskScheduled<I>(kind: TaskKind, identity: (a: I) => TaskIdentity) {
  return (r: Reducer, a: I & { input?: string; control?: string; startToCloseTimeout?: string }, c: At): void => {
    const seconds = durationSeconds(a.startToCloseTimeout);
    const task = r.newTask({
      kind,
      ...identity(a),
      ...(a.input !== undefined ? { input: a.input } : {}),
      ...(a.control !== undefined ? { control: a.control } : {}),
      state: 'scheduled',
      scheduledEventId: c.eventId,
      scheduledAt: c.at,
      ...(seconds !== undefined ? { startToCloseTimeout: seconds } : {}),
    });
    r.byScheduled[kind].set(c.eventId, task);
  };
}

/** Schedule...Failed: an attempt that never ran, unless an open task already holds the id (ID_ALREADY_IN_USE). */
function scheduleFailed<I>(kind: TaskKind, decisionType: DecisionType, identity: (a: I) => TaskIdentity) {
  return (r: Reducer, a: I & DecisionFailedAttrs, c: At): void => {
    const task = identity(a);
    r.fail(c.eventId, decisionType, a.cause, task.id, a.decisionTaskCompletedEventId);
    if (r.openTaskWithId(task.id, kind)) return;
    r.newTask({
      kind,
      ...task,
      state: 'scheduleFailed',
      failure: { type: 'scheduleFailed', reason: a.cause ?? 'UNKNOWN' },
      scheduledAt: c.at,
      closedAt: c.at,
      closedEventId: c.eventId,
    });
  };
}

function taskStarted(kind: TaskKind) {
  return (r: Reducer, a: { scheduledEventId?: number }, c: At): void => {
    const task = r.taskFor(kind, a.scheduledEventId, c.event);
    r.setState(task, 'started', c.at, c.eventId);
    task.startedEventId = c.eventId;
    task.startedAt = c.at;
  };
}

/** A task attempt ends in `state`; `outcome` gives its result or failure. */
function taskClosed<O>(kind: TaskKind, state: TaskState, outcome: (a: O) => Pick<TaskView, 'result' | 'failure'>) {
  return (r: Reducer, a: O & { scheduledEventId?: number }, c: At): void => {
    const task = r.taskFor(kind, a.scheduledEventId, c.event);
    r.setState(task, state, c.at, c.eventId);
    Object.assign(task, outcome(a));
  };
}

const taskResult = (a: { result?: string }) => (a.result !== undefined ? { result: a.result } : {});
const taskError = (a: { reason?: string; details?: string }): Pick<TaskView, 'failure'> => ({ failure: { type: 'error', reason: a.reason ?? 'Error', ...withDetails(a.details) } });
const taskTimeout = (a: { timeoutType?: string; details?: string }): Pick<TaskView, 'failure'> => ({
  failure: { type: 'timeout', reason: a.timeoutType ?? 'START_TO_CLOSE', ...withDetails(a.details) },
});

function timerClosed(state: 'fired' | 'canceled') {
  return (r: Reducer, a: { startedEventId?: number; timerId?: string }, c: At): void => {
    const timer = r.timerFor(a, c);
    timer.state = state;
    timer.open = false;
    timer.closedAt = c.at;
  };
}

/** A child run closed in `state`; `outcome` gives its result or failure. */
function childClosed<O>(state: ChildState, outcome: (a: O) => Pick<ChildView, 'result' | 'failure'>) {
  return (r: Reducer, a: O & { initiatedEventId?: number }, c: At): void => {
    const child = r.childFor(a.initiatedEventId, c.event);
    r.closeChild(child, state, c.at);
    Object.assign(child, outcome(a));
  };
}

function externalInitiated<A extends { workflowId?: string; runId?: string; signalName?: string; control?: string }>(kind: ExternalRequestView['kind']) {
  return (r: Reducer, a: A, c: At): void => {
    const request: ExternalRequestView = {
      kind,
      initiatedEventId: c.eventId,
      workflowId: a.workflowId ?? '',
      ...(a.runId ? { runId: a.runId } : {}),
      ...(a.signalName !== undefined ? { signalName: a.signalName } : {}),
      ...(a.control !== undefined ? { control: a.control } : {}),
      state: 'initiated',
    };
    r.externalRequests.push(request);
    r.externalByInitiated.set(c.eventId, request);
  };
}

function externalDelivered(r: Reducer, a: { initiatedEventId?: number }): void {
  const request = r.external(a.initiatedEventId);
  if (request) request.state = 'delivered';
}

function externalFailed(decisionType: DecisionType) {
  return decisionFailed(decisionType, (a: { workflowId?: string }) => a.workflowId, (r, a: DecisionFailedAttrs & { initiatedEventId?: number }) => {
    const request = r.external(a.initiatedEventId);
    if (request) {
      request.state = 'failed';
      request.cause = a.cause ?? 'UNKNOWN';
    }
  });
}

/** The sender of a signal or cancel request that came from another workflow. */
function externalOf(a: { externalWorkflowExecution?: { workflowId?: string; runId?: string }; externalInitiatedEventId?: number }) {
  return a.externalWorkflowExecution
    ? { external: { workflowId: a.externalWorkflowExecution.workflowId, runId: a.externalWorkflowExecution.runId, initiatedEventId: a.externalInitiatedEventId } }
    : {};
}

const activityIdentity = (a: { activityId?: string; activityType?: WorkflowType }): TaskIdentity => ({
  id: a.activityId ?? '',
  name: a.activityType?.name ?? '',
  ...(a.activityType?.version !== undefined ? { version: a.activityType.version } : {}),
});
const lambdaIdentity = (a: { id?: string; name?: string }): TaskIdentity => ({ id: a.id ?? '', name: a.name ?? '' });

/** What each of the 54 event types does to the view. */
const HANDLERS = {
  // ---- workflow lifecycle ----
  WorkflowExecutionStarted: (r, a, c) => {
    r.input = a.input;
    Object.assign(r.execution, {
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
      startedAt: c.at,
    } satisfies ExecutionView);
  },
  WorkflowExecutionCompleted: workflowClosed('COMPLETED', (a: { result?: string }) => ({ result: a.result })),
  WorkflowExecutionFailed: workflowClosed('FAILED', (a: { reason?: string; details?: string }) => ({ reason: a.reason, details: a.details })),
  WorkflowExecutionTimedOut: workflowClosed('TIMED_OUT'),
  WorkflowExecutionCanceled: workflowClosed('CANCELED', (a: { details?: string }) => ({ details: a.details })),
  WorkflowExecutionContinuedAsNew: workflowClosed('CONTINUED_AS_NEW', (a: { newExecutionRunId?: string }) => ({ newExecutionRunId: a.newExecutionRunId })),
  WorkflowExecutionTerminated: workflowClosed('TERMINATED', (a: { reason?: string; cause?: string; details?: string }) => ({ reason: a.reason ?? a.cause, details: a.details })),
  CompleteWorkflowExecutionFailed: decisionFailed('CompleteWorkflowExecution'),
  FailWorkflowExecutionFailed: decisionFailed('FailWorkflowExecution'),
  CancelWorkflowExecutionFailed: decisionFailed('CancelWorkflowExecution'),
  ContinueAsNewWorkflowExecutionFailed: decisionFailed('ContinueAsNewWorkflowExecution'),
  WorkflowExecutionCancelRequested: (r, a, c) => {
    r.cancelRequests.push({ eventId: c.eventId, at: c.at, ...(a.cause ? { cause: a.cause } : {}), ...externalOf(a) });
  },
  WorkflowExecutionSignaled: (r, a, c) => {
    r.signals.push({ name: a.signalName ?? '', eventId: c.eventId, at: c.at, ...(a.input !== undefined ? { input: a.input } : {}), ...externalOf(a) });
  },
  MarkerRecorded: (r, a, c) => {
    r.markers.push({ name: a.markerName ?? '', eventId: c.eventId, at: c.at, ...withDetails(a.details) });
  },
  RecordMarkerFailed: decisionFailed('RecordMarker', (a: { markerName?: string }) => a.markerName),

  // ---- decision tasks ----
  DecisionTaskScheduled: (r) => {
    r.scheduledDecisions++;
  },
  DecisionTaskStarted: (r, a, c) => {
    r.current = { scheduledEventId: a.scheduledEventId ?? 0, startedEventId: c.eventId, ...(a.identity !== undefined ? { identity: a.identity } : {}) };
  },
  DecisionTaskCompleted: (r, a) => {
    r.completedDecisions++;
    r.lastCompletedStartedEventId = a.startedEventId ?? r.lastCompletedStartedEventId;
    if (a.executionContext !== undefined) r.latestExecutionContext = a.executionContext;
    if (r.current && r.current.startedEventId === a.startedEventId) r.current = undefined;
  },
  DecisionTaskTimedOut: (r, a) => {
    r.timedOutDecisions++;
    if (r.current && r.current.startedEventId === a.startedEventId) r.current = undefined;
  },

  // ---- activities ----
  ActivityTaskScheduled: taskScheduled('activity', activityIdentity),
  ScheduleActivityTaskFailed: scheduleFailed('activity', 'ScheduleActivityTask', activityIdentity),
  ActivityTaskStarted: taskStarted('activity'),
  ActivityTaskCompleted: taskClosed('activity', 'completed', taskResult),
  ActivityTaskFailed: taskClosed('activity', 'failed', taskError),
  ActivityTaskTimedOut: taskClosed('activity', 'timedOut', taskTimeout),
  ActivityTaskCanceled: taskClosed('activity', 'canceled', (a: { details?: string }) => ({ failure: { type: 'canceled', reason: 'Canceled', ...withDetails(a.details) } })),
  ActivityTaskCancelRequested: (r, a) => {
    const task = r.openTaskWithId(a.activityId ?? '', 'activity');
    if (task) task.cancelRequested = true;
  },
  RequestCancelActivityTaskFailed: decisionFailed('RequestCancelActivityTask', (a: { activityId?: string }) => a.activityId, (r, a: DecisionFailedAttrs & { activityId?: string }) => {
    const task = r.tasks.get(a.activityId ?? '');
    if (task && task.kind === 'activity') task.cancelFailedCause = a.cause ?? 'UNKNOWN';
  }),

  // ---- timers ----
  TimerStarted: (r, a, c) => {
    const seconds = durationSeconds(a.startToFireTimeout) ?? 0;
    const timer: TimerView = {
      id: a.timerId ?? '',
      state: 'started',
      open: true,
      ...(a.control !== undefined ? { control: a.control } : {}),
      startToFireTimeout: seconds,
      startedEventId: c.eventId,
      startedAt: c.at,
      fireAt: c.at + seconds * 1000,
    };
    r.timers.set(timer.id, timer);
    r.timerByStarted.set(c.eventId, timer);
  },
  StartTimerFailed: decisionFailed('StartTimer', (a: { timerId?: string }) => a.timerId ?? '', (r, a: DecisionFailedAttrs & { timerId?: string }, c) => {
    const id = a.timerId ?? '';
    // TIMER_ID_ALREADY_IN_USE leaves the open timer with that id as it is.
    if (!r.timers.get(id)?.open) r.timers.set(id, { id, state: 'startFailed', open: false, cause: a.cause ?? 'UNKNOWN', closedAt: c.at });
  }),
  TimerFired: timerClosed('fired'),
  TimerCanceled: timerClosed('canceled'),
  CancelTimerFailed: decisionFailed('CancelTimer', (a: { timerId?: string }) => a.timerId, (r, a: DecisionFailedAttrs & { timerId?: string }) => {
    const timer = r.timers.get(a.timerId ?? '');
    if (timer) timer.cancelFailedCause = a.cause ?? 'UNKNOWN';
  }),

  // ---- child workflows ----
  StartChildWorkflowExecutionInitiated: (r, a, c) => {
    const child: ChildView = {
      workflowId: a.workflowId ?? '',
      ...(a.workflowType ? { workflowType: a.workflowType } : {}),
      ...(a.input !== undefined ? { input: a.input } : {}),
      ...(a.control !== undefined ? { control: a.control } : {}),
      state: 'initiated',
      open: true,
      initiatedEventId: c.eventId,
      initiatedAt: c.at,
    };
    r.children.set(child.workflowId, child);
    r.childByInitiated.set(c.eventId, child);
  },
  StartChildWorkflowExecutionFailed: decisionFailed(
    'StartChildWorkflowExecution',
    (a: { workflowId?: string }) => a.workflowId,
    (r, a: DecisionFailedAttrs & { workflowId?: string; workflowType?: WorkflowType; control?: string; initiatedEventId?: number }, c) => {
      const initiated = a.initiatedEventId ? r.childByInitiated.get(a.initiatedEventId) : undefined;
      if (initiated) {
        r.closeChild(initiated, 'startFailed', c.at);
        initiated.failure = { reason: a.cause ?? 'UNKNOWN' };
      } else if (!r.children.get(a.workflowId ?? '')?.open) {
        r.children.set(a.workflowId ?? '', {
          workflowId: a.workflowId ?? '',
          ...(a.workflowType ? { workflowType: a.workflowType } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
          state: 'startFailed',
          open: false,
          failure: { reason: a.cause ?? 'UNKNOWN' },
          closedAt: c.at,
        });
      }
    },
  ),
  ChildWorkflowExecutionStarted: (r, a, c) => {
    const child = r.childFor(a.initiatedEventId, c.event);
    child.state = 'started';
    if (a.workflowExecution?.runId !== undefined) child.runId = a.workflowExecution.runId;
  },
  ChildWorkflowExecutionCompleted: childClosed('completed', (a: { result?: string }) => (a.result !== undefined ? { result: a.result } : {})),
  ChildWorkflowExecutionFailed: childClosed('failed', (a: { reason?: string; details?: string }) => ({ failure: { reason: a.reason ?? 'Error', ...withDetails(a.details) } })),
  ChildWorkflowExecutionTimedOut: childClosed('timedOut', (a: { timeoutType?: string }) => ({ failure: { reason: a.timeoutType ?? 'START_TO_CLOSE' } })),
  ChildWorkflowExecutionCanceled: childClosed('canceled', (a: { details?: string }) => ({ failure: { reason: 'Canceled', ...withDetails(a.details) } })),
  ChildWorkflowExecutionTerminated: childClosed('terminated', () => ({ failure: { reason: 'Terminated' } })),

  // ---- external signals and cancellations ----
  SignalExternalWorkflowExecutionInitiated: externalInitiated('signal'),
  ExternalWorkflowExecutionSignaled: externalDelivered,
  SignalExternalWorkflowExecutionFailed: externalFailed('SignalExternalWorkflowExecution'),
  RequestCancelExternalWorkflowExecutionInitiated: externalInitiated('cancel'),
  ExternalWorkflowExecutionCancelRequested: externalDelivered,
  RequestCancelExternalWorkflowExecutionFailed: externalFailed('RequestCancelExternalWorkflowExecution'),

  // ---- Lambda tasks ----
  LambdaFunctionScheduled: taskScheduled('lambda', lambdaIdentity),
  ScheduleLambdaFunctionFailed: scheduleFailed('lambda', 'ScheduleLambdaFunction', lambdaIdentity),
  LambdaFunctionStarted: taskStarted('lambda'),
  LambdaFunctionCompleted: taskClosed('lambda', 'completed', taskResult),
  LambdaFunctionFailed: taskClosed('lambda', 'failed', taskError),
  LambdaFunctionTimedOut: taskClosed('lambda', 'timedOut', taskTimeout),
  StartLambdaFunctionFailed: taskClosed('lambda', 'startFailed', (a: { cause?: string; message?: string }) => ({
    failure: { type: 'startFailed', reason: a.cause ?? 'UNKNOWN', ...(a.message !== undefined ? { details: a.message } : {}) },
  })),
} satisfies { [K in EventType]: Handler<K> };

// A compile error here means an EventType has no handler in the table above.
type Unhandled = Exclude<EventType, keyof typeof HANDLERS>;
const EXHAUSTIVE: [Unhandled] extends [never] ? true : Unhandled = true;
void EXHAUSTIVE;

/** Events whose attributes may be missing: the reducer reads nothing it needs from them. */
const ATTRIBUTES_OPTIONAL: ReadonlySet<string> = new Set<EventType>(['WorkflowExecutionCancelRequested', 'DecisionTaskScheduled']);

function isKnown(type: string | undefined): type is EventType {
  return type !== undefined && Object.prototype.hasOwnProperty.call(HANDLERS, type);
}

/** Builds the view of `history` (a run's full history, oldest first). */
export function buildView(history: readonly HistoryEvent[], options: BuildViewOptions = {}): WorkflowView {
  const r = new Reducer();
  let lastEventId = 0;
  let lastEventAt = 0;

  for (const event of history) {
    const eventId = event.eventId ?? lastEventId + 1;
    const at = toMillis(event.eventTimestamp);
    lastEventId = Math.max(lastEventId, eventId);
    lastEventAt = at || lastEventAt;
    const type = event.eventType;
    if (!isKnown(type)) {
      // A type this library does not know (a newer SWF): kept aside, otherwise ignored.
      r.unknownEvents.push(event);
      continue;
    }
    const raw = (event as unknown as Record<string, unknown>)[attributesMember(type)];
    const attrs = ATTRIBUTES_OPTIONAL.has(type) ? (raw ?? {}) : req(event, raw);
    (HANDLERS[type] as Handler<EventType>)(r, attrs as Attrs<EventType>, { event, eventId, at });
  }

  const tasksByKey = new Map<string, TaskView[]>();
  for (const task of r.tasks.values()) {
    const list = tasksByKey.get(task.key);
    if (list) list.push(task);
    else tasksByKey.set(task.key, [task]);
  }
  for (const list of tasksByKey.values()) list.sort((a, b) => a.attempt - b.attempt || (a.scheduledEventId ?? 0) - (b.scheduledEventId ?? 0));

  const previousStartedEventId = options.previousStartedEventId ?? r.lastCompletedStartedEventId;
  const newEvents = history.filter((e) => (e.eventId ?? 0) > previousStartedEventId);

  return {
    execution: r.execution,
    ...(r.input !== undefined ? { input: r.input } : {}),
    tasks: r.tasks,
    tasksByKey,
    timers: r.timers,
    markers: r.markers,
    signals: r.signals,
    cancelRequested: r.cancelRequests.length > 0,
    cancelRequests: r.cancelRequests,
    children: r.children,
    externalRequests: r.externalRequests,
    decisionFailures: r.decisionFailures,
    decisionTasks: {
      scheduled: r.scheduledDecisions,
      completed: r.completedDecisions,
      timedOut: r.timedOutDecisions,
      ...(r.current ? { current: r.current } : {}),
      previousStartedEventId,
      newEvents,
      ...(r.latestExecutionContext !== undefined ? { latestExecutionContext: r.latestExecutionContext } : {}),
    },
    ...(r.closed ? { closed: r.closed } : {}),
    historyLength: lastEventId,
    lastEventAt,
    unknownEvents: r.unknownEvents,
  };
}
