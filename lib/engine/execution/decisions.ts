import type {
  ActivityTypeConfiguration,
  Decision,
  DecisionType,
  ScheduleActivityTaskDecisionAttributes,
  ScheduleActivityTaskFailedCause,
} from '@aws-sdk/client-swf';
import { operationNotPermitted, validationFault, validationMessage, type Fault } from '../faults';
import type { Execution } from './execution';
import { NONE, type ActivityTimeouts } from './state';

export interface RegisteredTypeInfo<C> {
  status: 'REGISTERED' | 'DEPRECATED';
  config: C;
}

/** What the decisions need to know about the domain's types. */
export interface TypeCatalog {
  activityType(name: string, version: string): RegisteredTypeInfo<ActivityTypeConfiguration> | undefined;
}

/** Engine settings that decide the spec's open questions for decisions. */
export interface DecisionPolicy {
  /** Fail ScheduleActivityTask with DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED instead of using NONE. */
  requireHeartbeatTimeout: boolean;
  maxOpenActivities: number;
  maxOpenTimers: number;
}

const CLOSING: ReadonlySet<DecisionType> = new Set<DecisionType>([
  'CompleteWorkflowExecution',
  'FailWorkflowExecution',
  'CancelWorkflowExecution',
  'ContinueAsNewWorkflowExecution',
]);

/** Decision types swf-local does not carry out yet; they are refused, never dropped. */
const NOT_YET_SUPPORTED: ReadonlySet<DecisionType> = new Set<DecisionType>([
  'ContinueAsNewWorkflowExecution',
  'StartChildWorkflowExecution',
  'SignalExternalWorkflowExecution',
  'RequestCancelExternalWorkflowExecution',
  'ScheduleLambdaFunction',
]);

/** Decisions whose attributes have no required member may leave the structure out entirely. */
const ATTRIBUTES_OPTIONAL: ReadonlySet<DecisionType> = CLOSING;

export function attributesMemberOf(decisionType: string): string {
  return decisionType.charAt(0).toLowerCase() + decisionType.slice(1) + 'DecisionAttributes';
}

/**
 * Whole-batch checks made before anything is applied: a failing batch writes nothing and the
 * decision task stays started with a live token.
 */
export function validateDecisionBatch(decisions: readonly Decision[]): Fault | undefined {
  const violations: string[] = [];
  decisions.forEach((d, i) => {
    const member = attributesMemberOf(d.decisionType!);
    const attrs = (d as unknown as Record<string, unknown>)[member];
    if ((attrs === undefined || attrs === null) && !ATTRIBUTES_OPTIONAL.has(d.decisionType!)) {
      violations.push(`Value null at 'decisions.${i + 1}.member.${member}' failed to satisfy constraint: Member must not be null`);
    }
  });
  if (violations.length > 0) return validationFault(violations);
  for (let i = 0; i < decisions.length - 1; i++) {
    if (CLOSING.has(decisions[i]!.decisionType!)) return validationMessage('Close must be last decision in list');
  }
  for (const d of decisions) {
    if (NOT_YET_SUPPORTED.has(d.decisionType!)) {
      return operationNotPermitted(`swf-local does not carry out ${d.decisionType} decisions yet`);
    }
  }
  return undefined;
}

/**
 * Applies a validated batch, in order, after DecisionTaskCompleted was appended. `hadPending`
 * says that events arrived while the decider worked: closing decisions then fail with
 * UNHANDLED_DECISION and the pending decision task lets the decider see why.
 */
export function applyDecisions(
  exec: Execution,
  decisions: readonly Decision[],
  dtc: number,
  hadPending: boolean,
  types: TypeCatalog,
  policy: DecisionPolicy,
): void {
  for (const d of decisions) {
    if (!exec.isOpen) return;
    const type = d.decisionType!;
    switch (type) {
      case 'ScheduleActivityTask':
        scheduleActivityTask(exec, d.scheduleActivityTaskDecisionAttributes!, dtc, types, policy);
        break;
      case 'RequestCancelActivityTask': {
        const { activityId } = d.requestCancelActivityTaskDecisionAttributes!;
        const a = exec.findActivityById(activityId!);
        if (a) exec.requestCancelActivity(a, dtc);
        else {
          exec.append('RequestCancelActivityTaskFailed', { activityId, cause: 'ACTIVITY_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        }
        break;
      }
      case 'CompleteWorkflowExecution': {
        if (hadPending) {
          exec.append('CompleteWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        } else {
          const { result } = d.completeWorkflowExecutionDecisionAttributes ?? {};
          exec.close('WorkflowExecutionCompleted', { decisionTaskCompletedEventId: dtc, ...(result !== undefined ? { result } : {}) });
        }
        break;
      }
      case 'FailWorkflowExecution': {
        if (hadPending) {
          exec.append('FailWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        } else {
          const { reason, details } = d.failWorkflowExecutionDecisionAttributes ?? {};
          exec.close('WorkflowExecutionFailed', {
            decisionTaskCompletedEventId: dtc,
            ...(reason !== undefined ? { reason } : {}),
            ...(details !== undefined ? { details } : {}),
          });
        }
        break;
      }
      case 'CancelWorkflowExecution': {
        if (hadPending) {
          exec.append('CancelWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        } else {
          const { details } = d.cancelWorkflowExecutionDecisionAttributes ?? {};
          exec.close('WorkflowExecutionCanceled', { decisionTaskCompletedEventId: dtc, ...(details !== undefined ? { details } : {}) });
        }
        break;
      }
      case 'RecordMarker': {
        const { markerName, details } = d.recordMarkerDecisionAttributes!;
        exec.append('MarkerRecorded', { markerName, decisionTaskCompletedEventId: dtc, ...(details !== undefined ? { details } : {}) });
        break;
      }
      case 'StartTimer': {
        const { timerId, startToFireTimeout, control } = d.startTimerDecisionAttributes!;
        const cause = exec.state.timers[timerId!]
          ? 'TIMER_ID_ALREADY_IN_USE'
          : exec.openTimerCount() >= policy.maxOpenTimers
            ? 'OPEN_TIMERS_LIMIT_EXCEEDED'
            : undefined;
        if (cause) {
          exec.append('StartTimerFailed', { timerId, cause, decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        } else {
          exec.startTimer(timerId!, startToFireTimeout!, control, dtc);
        }
        break;
      }
      case 'CancelTimer': {
        const { timerId } = d.cancelTimerDecisionAttributes!;
        if (!exec.cancelTimer(timerId!, dtc)) {
          exec.append('CancelTimerFailed', { timerId, cause: 'TIMER_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
          exec.requestDecision();
        }
        break;
      }
      case 'ContinueAsNewWorkflowExecution':
      case 'StartChildWorkflowExecution':
      case 'SignalExternalWorkflowExecution':
      case 'RequestCancelExternalWorkflowExecution':
      case 'ScheduleLambdaFunction':
        // validateDecisionBatch refuses these before anything is applied.
        throw operationNotPermitted(`swf-local does not carry out ${type} decisions yet`);
      default: {
        const never: never = type;
        throw validationMessage(`Unknown decision type ${String(never)}`);
      }
    }
  }
}

function scheduleActivityTask(
  exec: Execution,
  attrs: ScheduleActivityTaskDecisionAttributes,
  dtc: number,
  types: TypeCatalog,
  policy: DecisionPolicy,
): void {
  const activityType = { name: attrs.activityType!.name!, version: attrs.activityType!.version! };
  const activityId = attrs.activityId!;
  const type = types.activityType(activityType.name, activityType.version);
  const defaults = type?.config ?? {};
  const taskList = attrs.taskList?.name ?? defaults.defaultTaskList?.name;
  const timeouts: Partial<ActivityTimeouts> = {
    scheduleToClose: attrs.scheduleToCloseTimeout ?? defaults.defaultTaskScheduleToCloseTimeout,
    scheduleToStart: attrs.scheduleToStartTimeout ?? defaults.defaultTaskScheduleToStartTimeout,
    startToClose: attrs.startToCloseTimeout ?? defaults.defaultTaskStartToCloseTimeout,
    heartbeat: attrs.heartbeatTimeout ?? defaults.defaultTaskHeartbeatTimeout,
  };
  const fail = (cause: ScheduleActivityTaskFailedCause): void => {
    exec.append('ScheduleActivityTaskFailed', { activityType, activityId, cause, decisionTaskCompletedEventId: dtc });
    exec.requestDecision();
  };
  if (!type) return fail('ACTIVITY_TYPE_DOES_NOT_EXIST');
  if (type.status === 'DEPRECATED') return fail('ACTIVITY_TYPE_DEPRECATED');
  if (exec.findActivityById(activityId)) return fail('ACTIVITY_ID_ALREADY_IN_USE');
  if (exec.openActivityCount() >= policy.maxOpenActivities) return fail('OPEN_ACTIVITIES_LIMIT_EXCEEDED');
  if (taskList === undefined) return fail('DEFAULT_TASK_LIST_UNDEFINED');
  if (timeouts.scheduleToClose === undefined) return fail('DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED');
  if (timeouts.scheduleToStart === undefined) return fail('DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED');
  if (timeouts.startToClose === undefined) return fail('DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED');
  if (timeouts.heartbeat === undefined) {
    if (policy.requireHeartbeatTimeout) return fail('DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED');
    timeouts.heartbeat = NONE;
  }
  const resolved = timeouts as ActivityTimeouts;
  const taskPriority = attrs.taskPriority ?? defaults.defaultTaskPriority;
  exec.scheduleActivity(
    {
      activityId,
      activityType,
      taskList,
      priority: Number(taskPriority ?? 0),
      ...(attrs.input !== undefined ? { input: attrs.input } : {}),
      timeouts: resolved,
    },
    {
      activityType,
      activityId,
      ...(attrs.input !== undefined ? { input: attrs.input } : {}),
      ...(attrs.control !== undefined ? { control: attrs.control } : {}),
      scheduleToStartTimeout: resolved.scheduleToStart,
      scheduleToCloseTimeout: resolved.scheduleToClose,
      startToCloseTimeout: resolved.startToClose,
      heartbeatTimeout: resolved.heartbeat,
      taskList: { name: taskList },
      ...(taskPriority !== undefined ? { taskPriority } : {}),
      decisionTaskCompletedEventId: dtc,
    },
  );
}
