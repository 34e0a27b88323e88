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
}

export interface OpenTimer {
  timerId: string;
  startedEventId: number;
  fireAt: number;
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
  cancelRequested: boolean;
  latestExecutionContext?: string;
  latestActivityTaskTimestamp?: number;
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
  | 'TIMER';

export type TaskKind = 'decision' | 'activity';

/** The task-queue and deadline changes a transaction makes, applied by the store with the events. */
export interface ExecutionEffects {
  queueAdd: { kind: TaskKind; taskList: string; priority: number; scheduledEventId: number }[];
  queueRemove: { kind: TaskKind; scheduledEventId: number }[];
  deadlineSet: { kind: DeadlineKind; ref: number; due: number }[];
  deadlineClear: { kind: DeadlineKind; ref: number }[];
  /** The run closed: drop every queued task and armed deadline it still has. */
  closed: boolean;
}

export const NONE = 'NONE';

/** Seconds in a duration string, or undefined for NONE. */
export function durationMs(d: Duration): number | undefined {
  if (d === NONE) return undefined;
  return Number(d) * 1000;
}
