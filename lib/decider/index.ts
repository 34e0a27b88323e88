/**
 * lib/decider: a pure SWF decider library. History in, decisions out: no I/O, no clock, no
 * randomness, so the same history always gives the same decisions. It uses only the *types* of
 * `@aws-sdk/client-swf`.
 *
 *   const workflow = defineWorkflow<MyInput>({
 *     decide(ctx) {
 *       const a = ctx.task<AResult>('a', { kind: 'lambda', name: 'fn-a', input: ctx.input, retry });
 *       if (a.status === 'failed') return ctx.fail('StepFailed', a.failure.reason);
 *       if (a.status === 'completed') ctx.complete(a.result);
 *     },
 *   });
 *   const decisions = decide(workflow, task.events);   // answer RespondDecisionTaskCompleted with these
 */

// Running a workflow over a history.
export { decide, evaluate, defineWorkflow, type WorkflowDefinition, type DecideOptions, type Evaluation } from './decide';

// What a workflow's decide(ctx) works with.
export {
  allOf,
  timingsOf,
  DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
  type WorkflowContext,
  type TaskOptions,
  type TaskHandle,
  type TaskHandleBase,
  type RunningTask,
  type RunningPhase,
  type CompletedTask,
  type FailedTask,
  type CanceledTask,
  type JoinResult,
  type TimerHandle,
  type ChildOptions,
  type ChildHandle,
  type TaskTiming,
  type ContinueAsNewOptions,
  type CancellationPolicy,
} from './context';

// Retries.
export { NO_RETRY, TRANSIENT_SCHEDULE_CAUSES, isRetryable, backoffSeconds, type RetryPolicy } from './retry';

// The history reducer and the view it builds.
export {
  buildView,
  attemptsOf,
  openTasks,
  openTimers,
  markerOf,
  type BuildViewOptions,
  type WorkflowView,
  type TaskView,
  type TaskKind,
  type TaskState,
  type TaskFailure,
  type TimerView,
  type TimerState,
  type MarkerView,
  type SignalView,
  type CancelRequestView,
  type ChildView,
  type ChildState,
  type ExternalRequestView,
  type DecisionFailureView,
  type DecisionTasksView,
  type ExecutionView,
  type ClosedView,
  type CloseStatus,
} from './view';

// Task ids: `key` for attempt 1, `key#N` after.
export { taskId, parseTaskId, assertValidKey, MAX_ID_LENGTH } from './ids';

// Decision builders (SDK Decision shapes).
export {
  scheduleActivityTask,
  scheduleLambdaFunction,
  requestCancelActivityTask,
  startTimer,
  cancelTimer,
  recordMarker,
  completeWorkflowExecution,
  failWorkflowExecution,
  cancelWorkflowExecution,
  continueAsNewWorkflowExecution,
  requestCancelExternalWorkflowExecution,
  startChildWorkflowExecution,
  isClosingDecision,
  truncate,
  CLOSING_DECISIONS,
  MAX_REASON,
  MAX_DATA,
  type Seconds,
  type ScheduleActivityAttributes,
  type ScheduleLambdaAttributes,
  type ContinueAsNewAttributes,
  type StartChildAttributes,
} from './decisions';

// Replay (determinism) check over recorded histories.
export { replay, decisionSignature, type ReplayReport, type ReplayMismatch } from './replay';

// Event helpers and errors.
export { ALL_EVENT_TYPES, attributesMember, toMillis, durationSeconds, decisionTaskCompletedEventIdOf } from './events';
export { DeciderError, InvalidInputError } from './errors';
