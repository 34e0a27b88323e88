/**
 * Replay check (as in Temporal's replayer): re-runs a workflow over every decision task of a
 * recorded history and compares what it decides now with what the history says was decided
 * then. A mismatch means the workflow code is no longer deterministic for runs in flight.
 */
import type { Decision, HistoryEvent } from '@aws-sdk/client-swf';
import { decide, type WorkflowDefinition } from './decide';

export interface ReplayMismatch {
  /** The DecisionTaskCompleted whose decisions differ. */
  decisionTaskCompletedEventId: number;
  startedEventId: number;
  /** What the history recorded, as `DecisionType:id`. */
  recorded: string[];
  /** What the workflow decides now. */
  decided: string[];
  error?: string;
}

export interface ReplayReport {
  ok: boolean;
  /** Decision tasks compared. */
  decisionTasks: number;
  mismatches: ReplayMismatch[];
}

/** `DecisionType:id` of a decision: what identifies it in the history. */
export function decisionSignature(d: Decision): string {
  switch (d.decisionType) {
    case 'ScheduleActivityTask':
      return `ScheduleActivityTask:${d.scheduleActivityTaskDecisionAttributes?.activityId}`;
    case 'ScheduleLambdaFunction':
      return `ScheduleLambdaFunction:${d.scheduleLambdaFunctionDecisionAttributes?.id}`;
    case 'RequestCancelActivityTask':
      return `RequestCancelActivityTask:${d.requestCancelActivityTaskDecisionAttributes?.activityId}`;
    case 'StartTimer':
      return `StartTimer:${d.startTimerDecisionAttributes?.timerId}`;
    case 'CancelTimer':
      return `CancelTimer:${d.cancelTimerDecisionAttributes?.timerId}`;
    case 'RecordMarker':
      return `RecordMarker:${d.recordMarkerDecisionAttributes?.markerName}`;
    case 'StartChildWorkflowExecution':
      return `StartChildWorkflowExecution:${d.startChildWorkflowExecutionDecisionAttributes?.workflowId}`;
    case 'SignalExternalWorkflowExecution':
      return `SignalExternalWorkflowExecution:${d.signalExternalWorkflowExecutionDecisionAttributes?.workflowId}:${d.signalExternalWorkflowExecutionDecisionAttributes?.signalName}`;
    case 'RequestCancelExternalWorkflowExecution':
      return `RequestCancelExternalWorkflowExecution:${d.requestCancelExternalWorkflowExecutionDecisionAttributes?.workflowId}`;
    case 'CompleteWorkflowExecution':
    case 'FailWorkflowExecution':
    case 'CancelWorkflowExecution':
    case 'ContinueAsNewWorkflowExecution':
      return d.decisionType;
    case undefined:
      return 'undefined';
    default: {
      const unhandled: never = d.decisionType;
      return String(unhandled);
    }
  }
}

/** The decision an event records (success or `...Failed`), with its DecisionTaskCompleted id. */
function recordedDecision(e: HistoryEvent): { dtc: number; signature: string } | undefined {
  const pick = (dtc: number | undefined, signature: string) => (dtc === undefined ? undefined : { dtc, signature });
  switch (e.eventType) {
    case 'ActivityTaskScheduled':
      return pick(e.activityTaskScheduledEventAttributes?.decisionTaskCompletedEventId, `ScheduleActivityTask:${e.activityTaskScheduledEventAttributes?.activityId}`);
    case 'ScheduleActivityTaskFailed':
      return pick(e.scheduleActivityTaskFailedEventAttributes?.decisionTaskCompletedEventId, `ScheduleActivityTask:${e.scheduleActivityTaskFailedEventAttributes?.activityId}`);
    case 'LambdaFunctionScheduled':
      return pick(e.lambdaFunctionScheduledEventAttributes?.decisionTaskCompletedEventId, `ScheduleLambdaFunction:${e.lambdaFunctionScheduledEventAttributes?.id}`);
    case 'ScheduleLambdaFunctionFailed':
      return pick(e.scheduleLambdaFunctionFailedEventAttributes?.decisionTaskCompletedEventId, `ScheduleLambdaFunction:${e.scheduleLambdaFunctionFailedEventAttributes?.id}`);
    case 'ActivityTaskCancelRequested':
      return pick(e.activityTaskCancelRequestedEventAttributes?.decisionTaskCompletedEventId, `RequestCancelActivityTask:${e.activityTaskCancelRequestedEventAttributes?.activityId}`);
    case 'RequestCancelActivityTaskFailed':
      return pick(e.requestCancelActivityTaskFailedEventAttributes?.decisionTaskCompletedEventId, `RequestCancelActivityTask:${e.requestCancelActivityTaskFailedEventAttributes?.activityId}`);
    case 'TimerStarted':
      return pick(e.timerStartedEventAttributes?.decisionTaskCompletedEventId, `StartTimer:${e.timerStartedEventAttributes?.timerId}`);
    case 'StartTimerFailed':
      return pick(e.startTimerFailedEventAttributes?.decisionTaskCompletedEventId, `StartTimer:${e.startTimerFailedEventAttributes?.timerId}`);
    case 'TimerCanceled':
      return pick(e.timerCanceledEventAttributes?.decisionTaskCompletedEventId, `CancelTimer:${e.timerCanceledEventAttributes?.timerId}`);
    case 'CancelTimerFailed':
      return pick(e.cancelTimerFailedEventAttributes?.decisionTaskCompletedEventId, `CancelTimer:${e.cancelTimerFailedEventAttributes?.timerId}`);
    case 'MarkerRecorded':
      return pick(e.markerRecordedEventAttributes?.decisionTaskCompletedEventId, `RecordMarker:${e.markerRecordedEventAttributes?.markerName}`);
    case 'RecordMarkerFailed':
      return pick(e.recordMarkerFailedEventAttributes?.decisionTaskCompletedEventId, `RecordMarker:${e.recordMarkerFailedEventAttributes?.markerName}`);
    case 'StartChildWorkflowExecutionInitiated':
      return pick(e.startChildWorkflowExecutionInitiatedEventAttributes?.decisionTaskCompletedEventId, `StartChildWorkflowExecution:${e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId}`);
    case 'StartChildWorkflowExecutionFailed': {
      const a = e.startChildWorkflowExecutionFailedEventAttributes;
      // After an Initiated event (WORKFLOW_ALREADY_RUNNING) the Initiated event already stands for the decision.
      return a?.initiatedEventId ? undefined : pick(a?.decisionTaskCompletedEventId, `StartChildWorkflowExecution:${a?.workflowId}`);
    }
    case 'SignalExternalWorkflowExecutionInitiated': {
      const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      return pick(a?.decisionTaskCompletedEventId, `SignalExternalWorkflowExecution:${a?.workflowId}:${a?.signalName}`);
    }
    case 'RequestCancelExternalWorkflowExecutionInitiated':
      return pick(e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes?.decisionTaskCompletedEventId, `RequestCancelExternalWorkflowExecution:${e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes?.workflowId}`);
    case 'WorkflowExecutionCompleted':
      return pick(e.workflowExecutionCompletedEventAttributes?.decisionTaskCompletedEventId, 'CompleteWorkflowExecution');
    case 'CompleteWorkflowExecutionFailed':
      return pick(e.completeWorkflowExecutionFailedEventAttributes?.decisionTaskCompletedEventId, 'CompleteWorkflowExecution');
    case 'WorkflowExecutionFailed':
      return pick(e.workflowExecutionFailedEventAttributes?.decisionTaskCompletedEventId, 'FailWorkflowExecution');
    case 'FailWorkflowExecutionFailed':
      return pick(e.failWorkflowExecutionFailedEventAttributes?.decisionTaskCompletedEventId, 'FailWorkflowExecution');
    case 'WorkflowExecutionCanceled':
      return pick(e.workflowExecutionCanceledEventAttributes?.decisionTaskCompletedEventId, 'CancelWorkflowExecution');
    case 'CancelWorkflowExecutionFailed':
      return pick(e.cancelWorkflowExecutionFailedEventAttributes?.decisionTaskCompletedEventId, 'CancelWorkflowExecution');
    case 'WorkflowExecutionContinuedAsNew':
      return pick(e.workflowExecutionContinuedAsNewEventAttributes?.decisionTaskCompletedEventId, 'ContinueAsNewWorkflowExecution');
    case 'ContinueAsNewWorkflowExecutionFailed':
      return pick(e.continueAsNewWorkflowExecutionFailedEventAttributes?.decisionTaskCompletedEventId, 'ContinueAsNewWorkflowExecution');
    default:
      // SignalExternal/RequestCancelExternal ...Failed follow their Initiated event; the rest are not decisions.
      return undefined;
  }
}

/** Replays `workflow` over every completed decision task in `history`. */
export function replay<I>(workflow: WorkflowDefinition<I>, history: readonly HistoryEvent[]): ReplayReport {
  const recordedBy = new Map<number, string[]>();
  for (const e of history) {
    const r = recordedDecision(e);
    if (!r) continue;
    const list = recordedBy.get(r.dtc);
    if (list) list.push(r.signature);
    else recordedBy.set(r.dtc, [r.signature]);
  }
  const mismatches: ReplayMismatch[] = [];
  let decisionTasks = 0;
  for (const e of history) {
    if (e.eventType !== 'DecisionTaskCompleted') continue;
    const completedId = e.eventId ?? 0;
    const startedEventId = e.decisionTaskCompletedEventAttributes?.startedEventId ?? 0;
    decisionTasks++;
    const recorded = recordedBy.get(completedId) ?? [];
    const prefix = history.filter((x) => (x.eventId ?? 0) <= startedEventId);
    let decided: string[];
    let error: string | undefined;
    try {
      decided = decide(workflow, prefix).map(decisionSignature);
    } catch (err) {
      decided = [];
      error = err instanceof Error ? err.message : String(err);
    }
    if (error !== undefined || decided.length !== recorded.length || decided.some((s, i) => s !== recorded[i])) {
      mismatches.push({ decisionTaskCompletedEventId: completedId, startedEventId, recorded, decided, ...(error !== undefined ? { error } : {}) });
    }
  }
  return { ok: mismatches.length === 0, decisionTasks, mismatches };
}
