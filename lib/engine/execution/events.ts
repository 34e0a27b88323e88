import type * as Swf from '@aws-sdk/client-swf';

/**
 * The attributes of each of the 54 history event types, as the SDK models them. Keying the map by
 * `EventType` makes the compiler reject an event type that has no attribute shape, and vice versa.
 */
export interface EventAttributesMap {
  ActivityTaskCancelRequested: Swf.ActivityTaskCancelRequestedEventAttributes;
  ActivityTaskCanceled: Swf.ActivityTaskCanceledEventAttributes;
  ActivityTaskCompleted: Swf.ActivityTaskCompletedEventAttributes;
  ActivityTaskFailed: Swf.ActivityTaskFailedEventAttributes;
  ActivityTaskScheduled: Swf.ActivityTaskScheduledEventAttributes;
  ActivityTaskStarted: Swf.ActivityTaskStartedEventAttributes;
  ActivityTaskTimedOut: Swf.ActivityTaskTimedOutEventAttributes;
  CancelTimerFailed: Swf.CancelTimerFailedEventAttributes;
  CancelWorkflowExecutionFailed: Swf.CancelWorkflowExecutionFailedEventAttributes;
  ChildWorkflowExecutionCanceled: Swf.ChildWorkflowExecutionCanceledEventAttributes;
  ChildWorkflowExecutionCompleted: Swf.ChildWorkflowExecutionCompletedEventAttributes;
  ChildWorkflowExecutionFailed: Swf.ChildWorkflowExecutionFailedEventAttributes;
  ChildWorkflowExecutionStarted: Swf.ChildWorkflowExecutionStartedEventAttributes;
  ChildWorkflowExecutionTerminated: Swf.ChildWorkflowExecutionTerminatedEventAttributes;
  ChildWorkflowExecutionTimedOut: Swf.ChildWorkflowExecutionTimedOutEventAttributes;
  CompleteWorkflowExecutionFailed: Swf.CompleteWorkflowExecutionFailedEventAttributes;
  ContinueAsNewWorkflowExecutionFailed: Swf.ContinueAsNewWorkflowExecutionFailedEventAttributes;
  DecisionTaskCompleted: Swf.DecisionTaskCompletedEventAttributes;
  DecisionTaskScheduled: Swf.DecisionTaskScheduledEventAttributes;
  DecisionTaskStarted: Swf.DecisionTaskStartedEventAttributes;
  DecisionTaskTimedOut: Swf.DecisionTaskTimedOutEventAttributes;
  ExternalWorkflowExecutionCancelRequested: Swf.ExternalWorkflowExecutionCancelRequestedEventAttributes;
  ExternalWorkflowExecutionSignaled: Swf.ExternalWorkflowExecutionSignaledEventAttributes;
  FailWorkflowExecutionFailed: Swf.FailWorkflowExecutionFailedEventAttributes;
  LambdaFunctionCompleted: Swf.LambdaFunctionCompletedEventAttributes;
  LambdaFunctionFailed: Swf.LambdaFunctionFailedEventAttributes;
  LambdaFunctionScheduled: Swf.LambdaFunctionScheduledEventAttributes;
  LambdaFunctionStarted: Swf.LambdaFunctionStartedEventAttributes;
  LambdaFunctionTimedOut: Swf.LambdaFunctionTimedOutEventAttributes;
  MarkerRecorded: Swf.MarkerRecordedEventAttributes;
  RecordMarkerFailed: Swf.RecordMarkerFailedEventAttributes;
  RequestCancelActivityTaskFailed: Swf.RequestCancelActivityTaskFailedEventAttributes;
  RequestCancelExternalWorkflowExecutionFailed: Swf.RequestCancelExternalWorkflowExecutionFailedEventAttributes;
  RequestCancelExternalWorkflowExecutionInitiated: Swf.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes;
  ScheduleActivityTaskFailed: Swf.ScheduleActivityTaskFailedEventAttributes;
  ScheduleLambdaFunctionFailed: Swf.ScheduleLambdaFunctionFailedEventAttributes;
  SignalExternalWorkflowExecutionFailed: Swf.SignalExternalWorkflowExecutionFailedEventAttributes;
  SignalExternalWorkflowExecutionInitiated: Swf.SignalExternalWorkflowExecutionInitiatedEventAttributes;
  StartChildWorkflowExecutionFailed: Swf.StartChildWorkflowExecutionFailedEventAttributes;
  StartChildWorkflowExecutionInitiated: Swf.StartChildWorkflowExecutionInitiatedEventAttributes;
  StartLambdaFunctionFailed: Swf.StartLambdaFunctionFailedEventAttributes;
  StartTimerFailed: Swf.StartTimerFailedEventAttributes;
  TimerCanceled: Swf.TimerCanceledEventAttributes;
  TimerFired: Swf.TimerFiredEventAttributes;
  TimerStarted: Swf.TimerStartedEventAttributes;
  WorkflowExecutionCancelRequested: Swf.WorkflowExecutionCancelRequestedEventAttributes;
  WorkflowExecutionCanceled: Swf.WorkflowExecutionCanceledEventAttributes;
  WorkflowExecutionCompleted: Swf.WorkflowExecutionCompletedEventAttributes;
  WorkflowExecutionContinuedAsNew: Swf.WorkflowExecutionContinuedAsNewEventAttributes;
  WorkflowExecutionFailed: Swf.WorkflowExecutionFailedEventAttributes;
  WorkflowExecutionSignaled: Swf.WorkflowExecutionSignaledEventAttributes;
  WorkflowExecutionStarted: Swf.WorkflowExecutionStartedEventAttributes;
  WorkflowExecutionTerminated: Swf.WorkflowExecutionTerminatedEventAttributes;
  WorkflowExecutionTimedOut: Swf.WorkflowExecutionTimedOutEventAttributes;
}

export type EventType = keyof EventAttributesMap;

/** Every event type, for exhaustiveness checks in tests. */
export const EVENT_TYPES: readonly EventType[] = [
  'ActivityTaskCancelRequested',
  'ActivityTaskCanceled',
  'ActivityTaskCompleted',
  'ActivityTaskFailed',
  'ActivityTaskScheduled',
  'ActivityTaskStarted',
  'ActivityTaskTimedOut',
  'CancelTimerFailed',
  'CancelWorkflowExecutionFailed',
  'ChildWorkflowExecutionCanceled',
  'ChildWorkflowExecutionCompleted',
  'ChildWorkflowExecutionFailed',
  'ChildWorkflowExecutionStarted',
  'ChildWorkflowExecutionTerminated',
  'ChildWorkflowExecutionTimedOut',
  'CompleteWorkflowExecutionFailed',
  'ContinueAsNewWorkflowExecutionFailed',
  'DecisionTaskCompleted',
  'DecisionTaskScheduled',
  'DecisionTaskStarted',
  'DecisionTaskTimedOut',
  'ExternalWorkflowExecutionCancelRequested',
  'ExternalWorkflowExecutionSignaled',
  'FailWorkflowExecutionFailed',
  'LambdaFunctionCompleted',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionTimedOut',
  'MarkerRecorded',
  'RecordMarkerFailed',
  'RequestCancelActivityTaskFailed',
  'RequestCancelExternalWorkflowExecutionFailed',
  'RequestCancelExternalWorkflowExecutionInitiated',
  'ScheduleActivityTaskFailed',
  'ScheduleLambdaFunctionFailed',
  'SignalExternalWorkflowExecutionFailed',
  'SignalExternalWorkflowExecutionInitiated',
  'StartChildWorkflowExecutionFailed',
  'StartChildWorkflowExecutionInitiated',
  'StartLambdaFunctionFailed',
  'StartTimerFailed',
  'TimerCanceled',
  'TimerFired',
  'TimerStarted',
  'WorkflowExecutionCancelRequested',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionCompleted',
  'WorkflowExecutionContinuedAsNew',
  'WorkflowExecutionFailed',
  'WorkflowExecutionSignaled',
  'WorkflowExecutionStarted',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionTimedOut',
];

/** One stored history event; attributes are kept in their wire form (plain JSON). */
export interface HistoryEventRecord<K extends EventType = EventType> {
  eventId: number;
  eventType: K;
  /** Epoch milliseconds. */
  timestamp: number;
  attributes: EventAttributesMap[K];
}

/** The wire member that carries an event's attributes: `activityTaskScheduledEventAttributes`. */
export function attributesMember(eventType: string): string {
  return eventType.charAt(0).toLowerCase() + eventType.slice(1) + 'EventAttributes';
}

const MEMBER_CACHE = new Map<string, string>();

/** Serializes a stored event to the wire shape; attribute JSON is spliced in without re-parsing. */
export function eventToWireJson(eventId: number, eventType: string, timestampMs: number, attributesJson: string): string {
  let member = MEMBER_CACHE.get(eventType);
  if (member === undefined) {
    member = attributesMember(eventType);
    MEMBER_CACHE.set(eventType, member);
  }
  return `{"eventId":${eventId},"eventType":"${eventType}","eventTimestamp":${timestampMs / 1000},"${member}":${attributesJson}}`;
}
