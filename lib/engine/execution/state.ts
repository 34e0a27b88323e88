import type { ChildPolicy } from '@aws-sdk/client-swf';

/** Durations as SWF writes them: a decimal number of seconds, or `NONE` for no limit. */
export type Duration = string;

export interface TypeRef {
  name: string;
  version: string;
}

export interface WorkflowExecutionRef {
  workflowId: string;
  runId: string;
}

/** The resolved configuration of a run (request ?? type default), as Describe reports it. */
export interface ExecutionConfig {
  executionStartToCloseTimeout: Duration;
  taskStartToCloseTimeout: Duration;
  taskList: string;
  taskPriority?: string;
  childPolicy: ChildPolicy;
  lambdaRole?: string;
}

export interface DecisionTaskState {
  scheduledEventId: number;
  state: 'SCHEDULED' | 'STARTED';
  taskList: string;
  priority: number;
  startToCloseTimeout: Duration;
  /** 0 until the task is started. */
  startedEventId: number;
  /** '' until the task is started. */
  token: string;
  /** Whether a schedule-to-start deadline was armed for it (absent in runs saved before this field). */
  scheduleToStartArmed?: boolean;
  /** When it became pollable (epoch ms): its place in the queue when the engine restarts. */
  queuedAt?: number;
}

export interface ActivityTimeouts {
  scheduleToStart: Duration;
  scheduleToClose: Duration;
  startToClose: Duration;
  heartbeat: Duration;
}

export interface OpenActivity {
  activityId: string;
  activityType: TypeRef;
  scheduledEventId: number;
  state: 'SCHEDULED' | 'STARTED';
  taskList: string;
  priority: number;
  input?: string;
  timeouts: ActivityTimeouts;
  startedEventId: number;
  token: string;
  heartbeatDetails?: string;
  /** Id of the latest ActivityTaskCancelRequested for this activity, 0 if none. */
  cancelRequestedEventId: number;
  /** When it was scheduled (epoch ms): its place in the queue when the engine restarts. */
  queuedAt?: number;
}

export interface OpenTimer {
  timerId: string;
  startedEventId: number;
  fireAt: number;
}

/** A child run this run initiated and that has not closed (or failed to start) yet. */
export interface OpenChild {
  initiatedEventId: number;
  workflowId: string;
  workflowType: TypeRef;
  control?: string;
  /** The DecisionTaskCompleted that initiated it, for a later StartChildWorkflowExecutionFailed. */
  decisionTaskCompletedEventId: number;
  /** Set when ChildWorkflowExecutionStarted is recorded. */
  runId?: string;
  /** Id of ChildWorkflowExecutionStarted, 0 until then. */
  startedEventId: number;
}

export interface OpenLambda {
  id: string;
  name: string;
  scheduledEventId: number;
  /** Id of LambdaFunctionStarted, 0 until then. */
  startedEventId: number;
  startToCloseTimeout: Duration;
  input?: string;
}

/** Where a child run reports its close: the parent's row and its Initiated event. */
export interface ParentLink {
  executionId: number;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

/** A task list override made by RespondDecisionTaskCompleted.taskList. */
export interface DecisionTaskListOverride {
  taskList: string;
  /** Seconds a decision task may wait there before it reverts to the run's own list. */
  scheduleToStartTimeout?: Duration;
}

/**
 * The mutable state of one run, stored as one JSON document beside its history. Everything that
 * the next transaction needs to know about the run lives here; the history is write-only for the
 * engine except when it is served to clients.
 */
export interface ExecutionState {
  nextEventId: number;
  /** Epoch ms of the newest event: deadlines that fire late never stamp an event before it. */
  lastEventTime: number;
  config: ExecutionConfig;
  override?: DecisionTaskListOverride;
  decision: DecisionTaskState | null;
  /** A DecisionTaskScheduled appended while another decision task was STARTED. */
  pendingDecision: DecisionTaskState | null;
  lastCompletedDecisionStartedEventId: number;
  /** Open activities keyed by scheduledEventId (task tokens carry it). */
  activities: Record<string, OpenActivity>;
  /** Open timers keyed by timerId. */
  timers: Record<string, OpenTimer>;
  /** Open children keyed by initiatedEventId. */
  children: Record<string, OpenChild>;
  /** Open Lambda tasks keyed by scheduledEventId. */
  lambdas: Record<string, OpenLambda>;
  parentLink?: ParentLink;
  cancelRequested: boolean;
  latestExecutionContext?: string;
  latestActivityTaskTimestamp?: number;
  /**
   * The run's armed deadlines while it is open, `<kind> <ref>` -> due (epoch ms), written by the
   * store from its deadline index at each save (in memory, after a save, it is unset). The index
   * is rebuilt from these at start-up; a closed run has none (its retention clock is a row of its
   * own).
   */
  deadlines?: Record<string, number>;
  /** Set at close: the open tasks the run left behind, which Describe keeps reporting. */
  openCountsAtClose?: OpenCounts;
}

/** DescribeWorkflowExecution's openCounts. */
export interface OpenCounts {
  openActivityTasks: number;
  openDecisionTasks: number;
  openTimers: number;
  openChildWorkflowExecutions: number;
  openLambdaFunctions: number;
}

export type ExecutionStatus = 'OPEN' | 'CLOSED';
export type CloseStatus = 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'CONTINUED_AS_NEW' | 'TIMED_OUT';

/** The run's identity and visibility columns, as stored in the executions table. */
export interface ExecutionRecord {
  id: number;
  domainId: number;
  workflowId: string;
  runId: string;
  workflowType: TypeRef;
  status: ExecutionStatus;
  closeStatus?: CloseStatus;
  /** Epoch ms. */
  startedAt: number;
  closedAt?: number;
  tagList?: string[];
  parent?: WorkflowExecutionRef;
  state: ExecutionState;
}

/** Kinds of durable deadlines. Their `ref` is a scheduledEventId, a timer's startedEventId, or 0. */
export type DeadlineKind =
  | 'EXECUTION'
  | 'DECISION_START_TO_CLOSE'
  | 'DECISION_SCHEDULE_TO_START'
  | 'ACTIVITY_SCHEDULE_TO_START'
  | 'ACTIVITY_SCHEDULE_TO_CLOSE'
  | 'ACTIVITY_START_TO_CLOSE'
  | 'ACTIVITY_HEARTBEAT'
  | 'TIMER'
  | 'LAMBDA_START_TO_CLOSE'
  | 'RETENTION';

export type TaskKind = 'decision' | 'activity';

/**
 * Work a transaction must do on other runs (or after it commits) because of this one. Tasks
 * carry these out after the run is saved, inside the same transaction, so every run involved
 * changes together or not at all.
 */
export type CrossRunRequest =
  | {
      type: 'startChild';
      initiatedEventId: number;
      workflowId: string;
      workflowType: TypeRef;
      config: ExecutionConfig;
      input?: string;
      tagList?: string[];
      control?: string;
    }
  | {
      type: 'signalExternal';
      initiatedEventId: number;
      decisionTaskCompletedEventId: number;
      workflowId: string;
      runId?: string;
      signalName: string;
      input?: string;
      control?: string;
    }
  | { type: 'cancelExternal'; initiatedEventId: number; decisionTaskCompletedEventId: number; workflowId: string; runId?: string; control?: string }
  | { type: 'continueAsNew'; runId: string; workflowType: TypeRef; config: ExecutionConfig; input?: string; tagList?: string[] }
  | { type: 'invokeLambda'; scheduledEventId: number; startedEventId: number; name: string; input?: string; timeoutMs: number }
  | {
      /** The run closed: its parent hears of it and its child policy may apply to its children. */
      type: 'closed';
      closeStatus: CloseStatus;
      attributes: { result?: string; reason?: string; details?: string; childPolicy?: ChildPolicy };
      children: OpenChild[];
    };

/** The task-queue and deadline changes a transaction makes, applied by the store with the events. */
export interface ExecutionEffects {
  queueAdd: { kind: TaskKind; taskList: string; priority: number; scheduledEventId: number }[];
  queueRemove: { kind: TaskKind; scheduledEventId: number }[];
  deadlineSet: { kind: DeadlineKind; ref: number; due: number }[];
  deadlineClear: { kind: DeadlineKind; ref: number }[];
  /** The run closed: drop every queued task and armed deadline it still has. */
  closed: boolean;
  outbox: CrossRunRequest[];
}

export const NONE = 'NONE';

/** Seconds in a duration string, or undefined for NONE. */
export function durationMs(d: Duration): number | undefined {
  if (d === NONE) return undefined;
  return Number(d) * 1000;
}
