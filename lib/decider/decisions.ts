/**
 * Decision builders: plain functions returning the SDK's `Decision` shape, with SWF's length
 * limits applied (reasons are cut to 256 characters, details to 32,768).
 */
import type { ChildPolicy, Decision } from '@aws-sdk/client-swf';

export const MAX_REASON = 256;
export const MAX_DATA = 32_768;

/** A timeout in seconds, or 'NONE' for no limit (activities only). */
export type Seconds = number | 'NONE';

const secs = (s: Seconds | undefined): string | undefined => (s === undefined ? undefined : s === 'NONE' ? 'NONE' : String(Math.max(0, Math.ceil(s))));

/** Keeps at most `max` characters, marking the cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface ScheduleActivityAttributes {
  activityId: string;
  name: string;
  version: string;
  input?: string;
  control?: string;
  taskList?: string;
  taskPriority?: string;
  scheduleToStartTimeout?: Seconds;
  scheduleToCloseTimeout?: Seconds;
  startToCloseTimeout?: Seconds;
  heartbeatTimeout?: Seconds;
}

export function scheduleActivityTask(a: ScheduleActivityAttributes): Decision {
  return {
    decisionType: 'ScheduleActivityTask',
    scheduleActivityTaskDecisionAttributes: defined({
      activityType: { name: a.name, version: a.version },
      activityId: a.activityId,
      input: a.input,
      control: a.control,
      taskList: a.taskList !== undefined ? { name: a.taskList } : undefined,
      taskPriority: a.taskPriority,
      scheduleToStartTimeout: secs(a.scheduleToStartTimeout),
      scheduleToCloseTimeout: secs(a.scheduleToCloseTimeout),
      startToCloseTimeout: secs(a.startToCloseTimeout),
      heartbeatTimeout: secs(a.heartbeatTimeout),
    }),
  };
}

export interface ScheduleLambdaAttributes {
  id: string;
  name: string;
  input?: string;
  control?: string;
  /** 1-900 seconds; SWF's default is 900. */
  startToCloseTimeout?: number;
}

export function scheduleLambdaFunction(a: ScheduleLambdaAttributes): Decision {
  return {
    decisionType: 'ScheduleLambdaFunction',
    scheduleLambdaFunctionDecisionAttributes: defined({
      id: a.id,
      name: a.name,
      input: a.input,
      control: a.control,
      startToCloseTimeout: a.startToCloseTimeout === undefined ? undefined : String(Math.min(900, Math.max(1, Math.ceil(a.startToCloseTimeout)))),
    }),
  };
}

export function requestCancelActivityTask(activityId: string): Decision {
  return { decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId } };
}

export function startTimer(timerId: string, seconds: number, control?: string): Decision {
  return {
    decisionType: 'StartTimer',
    startTimerDecisionAttributes: defined({ timerId, startToFireTimeout: String(Math.max(0, Math.ceil(seconds))), control }),
  };
}

export function cancelTimer(timerId: string): Decision {
  return { decisionType: 'CancelTimer', cancelTimerDecisionAttributes: { timerId } };
}

export function recordMarker(markerName: string, details?: string): Decision {
  return { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: defined({ markerName, details }) };
}

export function completeWorkflowExecution(result?: string): Decision {
  return { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: defined({ result }) };
}

export function failWorkflowExecution(reason: string, details?: string): Decision {
  return {
    decisionType: 'FailWorkflowExecution',
    failWorkflowExecutionDecisionAttributes: defined({ reason: truncate(reason, MAX_REASON), details: details === undefined ? undefined : truncate(details, MAX_DATA) }),
  };
}

export function cancelWorkflowExecution(details?: string): Decision {
  return {
    decisionType: 'CancelWorkflowExecution',
    cancelWorkflowExecutionDecisionAttributes: defined({ details: details === undefined ? undefined : truncate(details, MAX_DATA) }),
  };
}

export interface ContinueAsNewAttributes {
  input?: string;
  executionStartToCloseTimeout?: string;
  taskList?: string;
  taskPriority?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  workflowTypeVersion?: string;
  lambdaRole?: string;
}

export function continueAsNewWorkflowExecution(a: ContinueAsNewAttributes): Decision {
  const { taskList, ...rest } = a;
  return {
    decisionType: 'ContinueAsNewWorkflowExecution',
    continueAsNewWorkflowExecutionDecisionAttributes: defined({ ...rest, taskList: taskList !== undefined ? { name: taskList } : undefined }),
  };
}

export interface StartChildAttributes {
  workflowId: string;
  name: string;
  version: string;
  input?: string;
  control?: string;
  taskList?: string;
  taskPriority?: string;
  executionStartToCloseTimeout?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  lambdaRole?: string;
}

export function startChildWorkflowExecution(a: StartChildAttributes): Decision {
  const { name, version, taskList, ...rest } = a;
  return {
    decisionType: 'StartChildWorkflowExecution',
    startChildWorkflowExecutionDecisionAttributes: defined({ ...rest, workflowType: { name, version }, taskList: taskList !== undefined ? { name: taskList } : undefined }),
  };
}

export function requestCancelExternalWorkflowExecution(workflowId: string, runId?: string, control?: string): Decision {
  return {
    decisionType: 'RequestCancelExternalWorkflowExecution',
    requestCancelExternalWorkflowExecutionDecisionAttributes: defined({ workflowId, runId, control }),
  };
}

/** Closing decisions must be the last of a batch. */
export const CLOSING_DECISIONS = ['CompleteWorkflowExecution', 'FailWorkflowExecution', 'CancelWorkflowExecution', 'ContinueAsNewWorkflowExecution'] as const;

export function isClosingDecision(d: Decision): boolean {
  return (CLOSING_DECISIONS as readonly string[]).includes(d.decisionType ?? '');
}
