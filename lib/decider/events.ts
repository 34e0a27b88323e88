/**
 * The 54 SWF history event types and small, pure accessors over `HistoryEvent`.
 */
import type { EventType, HistoryEvent } from '@aws-sdk/client-swf';

/** Every event type SWF writes (API 2012-01-25). The type check below keeps it complete. */
export const ALL_EVENT_TYPES = [
  'WorkflowExecutionStarted',
  'WorkflowExecutionCompleted',
  'CompleteWorkflowExecutionFailed',
  'WorkflowExecutionFailed',
  'FailWorkflowExecutionFailed',
  'WorkflowExecutionTimedOut',
  'WorkflowExecutionCanceled',
  'CancelWorkflowExecutionFailed',
  'WorkflowExecutionContinuedAsNew',
  'ContinueAsNewWorkflowExecutionFailed',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionCancelRequested',
  'WorkflowExecutionSignaled',
  'MarkerRecorded',
  'RecordMarkerFailed',
  'DecisionTaskScheduled',
  'DecisionTaskStarted',
  'DecisionTaskCompleted',
  'DecisionTaskTimedOut',
  'ActivityTaskScheduled',
  'ScheduleActivityTaskFailed',
  'ActivityTaskStarted',
  'ActivityTaskCompleted',
  'ActivityTaskFailed',
  'ActivityTaskTimedOut',
  'ActivityTaskCanceled',
  'ActivityTaskCancelRequested',
  'RequestCancelActivityTaskFailed',
  'TimerStarted',
  'StartTimerFailed',
  'TimerFired',
  'TimerCanceled',
  'CancelTimerFailed',
  'StartChildWorkflowExecutionInitiated',
  'StartChildWorkflowExecutionFailed',
  'ChildWorkflowExecutionStarted',
  'ChildWorkflowExecutionCompleted',
  'ChildWorkflowExecutionFailed',
  'ChildWorkflowExecutionTimedOut',
  'ChildWorkflowExecutionCanceled',
  'ChildWorkflowExecutionTerminated',
  'SignalExternalWorkflowExecutionInitiated',
  'ExternalWorkflowExecutionSignaled',
  'SignalExternalWorkflowExecutionFailed',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'ExternalWorkflowExecutionCancelRequested',
  'RequestCancelExternalWorkflowExecutionFailed',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionCompleted',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'ScheduleLambdaFunctionFailed',
  'StartLambdaFunctionFailed',
] as const satisfies readonly EventType[];

// Compile-time proof that the list above names every EventType (and nothing else).
type Missing = Exclude<EventType, (typeof ALL_EVENT_TYPES)[number]>;
const everyEventTypeListed: [Missing] extends [never] ? true : Missing = true;
void everyEventTypeListed;

/** `ActivityTaskScheduled` -> `activityTaskScheduledEventAttributes`. */
export function attributesMember(eventType: string): string {
  return `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes`;
}

/**
 * Epoch milliseconds of an event timestamp. The SDK gives a Date; a history read back from JSON
 * has an ISO string; the wire format is epoch seconds (a number). Anything else is 0.
 */
export function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? 0 : ms;
  }
  return 0;
}

/** SWF duration strings: a number of seconds, or `NONE`. */
export function durationSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value === 'NONE') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `decisionTaskCompletedEventId` of an event, when its attributes carry one. */
export function decisionTaskCompletedEventIdOf(event: HistoryEvent): number | undefined {
  if (!event.eventType) return undefined;
  const attrs = (event as unknown as Record<string, unknown>)[attributesMember(event.eventType)];
  if (typeof attrs !== 'object' || attrs === null) return undefined;
  const id = (attrs as { decisionTaskCompletedEventId?: unknown }).decisionTaskCompletedEventId;
  return typeof id === 'number' ? id : undefined;
}
