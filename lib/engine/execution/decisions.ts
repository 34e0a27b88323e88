import type { Decision, DecisionType } from '@aws-sdk/client-swf';
import { validationFault, validationMessage, type Fault } from '../faults';
import type { DecisionContext } from './decision-context';
import { continueAsNew, scheduleActivityTask, scheduleLambdaFunction, startChildWorkflowExecution } from './decision-starts';
import type { Execution } from './execution';
import { isValidExecutionTimeout, MAX_EXECUTION_SECONDS } from './run-config';


const CLOSING: ReadonlySet<DecisionType> = new Set<DecisionType>([
  'CompleteWorkflowExecution',
  'FailWorkflowExecution',
  'CancelWorkflowExecution',
  'ContinueAsNewWorkflowExecution',
]);

/** Decisions whose attributes have no required member may leave the structure out entirely. */
const ATTRIBUTES_OPTIONAL: ReadonlySet<DecisionType> = CLOSING;

/** Lambda tasks may run 1 to 900 seconds (Lambda's own limit). */
const LAMBDA_TIMEOUT = { min: 1, max: 900 };

export function attributesMemberOf(decisionType: string): string {
  return decisionType.charAt(0).toLowerCase() + decisionType.slice(1) + 'DecisionAttributes';
}

/** Range checks that the service model cannot express, in the Coral style. */
function rangeViolations(d: Decision, path: string): string[] {
  const out: string[] = [];
  const bad = (member: string, value: string, constraint: string) =>
    out.push(`Value '${value}' at '${path}.${member}' failed to satisfy constraint: ${constraint}`);
  const lambda = d.scheduleLambdaFunctionDecisionAttributes?.startToCloseTimeout;
  if (d.decisionType === 'ScheduleLambdaFunction' && lambda !== undefined) {
    const n = Number(lambda);
    if (!/^\d+$/.test(lambda) || n < LAMBDA_TIMEOUT.min || n > LAMBDA_TIMEOUT.max) {
      bad('startToCloseTimeout', lambda, `Member must be a number of seconds between ${LAMBDA_TIMEOUT.min} and ${LAMBDA_TIMEOUT.max}`);
    }
  }
  const execTimeout =
    d.decisionType === 'StartChildWorkflowExecution'
      ? d.startChildWorkflowExecutionDecisionAttributes?.executionStartToCloseTimeout
      : d.decisionType === 'ContinueAsNewWorkflowExecution'
        ? d.continueAsNewWorkflowExecutionDecisionAttributes?.executionStartToCloseTimeout
        : undefined;
  if (execTimeout !== undefined && !isValidExecutionTimeout(execTimeout)) {
    bad('executionStartToCloseTimeout', execTimeout, `Member must be a number of seconds no greater than ${MAX_EXECUTION_SECONDS} (NONE is not allowed)`);
  }
  return out;
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
    violations.push(...rangeViolations(d, `decisions.${i + 1}.member.${member}`));
  });
  if (violations.length > 0) return validationFault(violations);
  for (let i = 0; i < decisions.length - 1; i++) {
    if (CLOSING.has(decisions[i]!.decisionType!)) return validationMessage('Close must be last decision in list');
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
  ctx: DecisionContext,
): void {
  exec.deferDecisionRequests(() => applyEach(exec, decisions, dtc, hadPending, ctx));
}

function applyEach(exec: Execution, decisions: readonly Decision[], dtc: number, hadPending: boolean, ctx: DecisionContext): void {
  for (const d of decisions) {
    if (!exec.isOpen) return;
    const type = d.decisionType!;
    if (ctx.deniedDecisions.includes(type)) {
      denyDecision(exec, d, dtc);
      continue;
    }
    switch (type) {
      case 'ScheduleActivityTask':
        scheduleActivityTask(exec, d.scheduleActivityTaskDecisionAttributes!, dtc, ctx);
        break;
      case 'RequestCancelActivityTask': {
        const { activityId } = d.requestCancelActivityTaskDecisionAttributes!;
        const a = exec.findActivityById(activityId!);
        if (a) exec.requestCancelActivity(a, dtc);
        else exec.appendAndDecide('RequestCancelActivityTaskFailed', { activityId, cause: 'ACTIVITY_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
        break;
      }
      case 'CompleteWorkflowExecution': {
        if (hadPending) {
          exec.appendAndDecide('CompleteWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
        } else {
          const { result } = d.completeWorkflowExecutionDecisionAttributes ?? {};
          exec.close('WorkflowExecutionCompleted', { decisionTaskCompletedEventId: dtc, ...(result !== undefined ? { result } : {}) });
        }
        break;
      }
      case 'FailWorkflowExecution': {
        if (hadPending) {
          exec.appendAndDecide('FailWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
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
          exec.appendAndDecide('CancelWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
        } else {
          const { details } = d.cancelWorkflowExecutionDecisionAttributes ?? {};
          exec.close('WorkflowExecutionCanceled', { decisionTaskCompletedEventId: dtc, ...(details !== undefined ? { details } : {}) });
        }
        break;
      }
      case 'ContinueAsNewWorkflowExecution':
        if (hadPending) {
          exec.appendAndDecide('ContinueAsNewWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc });
        } else {
          continueAsNew(exec, d.continueAsNewWorkflowExecutionDecisionAttributes ?? {}, dtc, ctx);
        }
        break;
      case 'RecordMarker': {
        const { markerName, details } = d.recordMarkerDecisionAttributes!;
        exec.append('MarkerRecorded', { markerName, decisionTaskCompletedEventId: dtc, ...(details !== undefined ? { details } : {}) });
        break;
      }
      case 'StartTimer': {
        const { timerId, startToFireTimeout, control } = d.startTimerDecisionAttributes!;
        const cause = exec.state.timers[timerId!]
          ? 'TIMER_ID_ALREADY_IN_USE'
          : exec.openTimerCount() >= ctx.maxOpenTimers
            ? 'OPEN_TIMERS_LIMIT_EXCEEDED'
            : undefined;
        if (cause) exec.appendAndDecide('StartTimerFailed', { timerId, cause, decisionTaskCompletedEventId: dtc });
        else exec.startTimer(timerId!, startToFireTimeout!, control, dtc);
        break;
      }
      case 'CancelTimer': {
        const { timerId } = d.cancelTimerDecisionAttributes!;
        if (!exec.cancelTimer(timerId!, dtc)) {
          exec.appendAndDecide('CancelTimerFailed', { timerId, cause: 'TIMER_ID_UNKNOWN', decisionTaskCompletedEventId: dtc });
        }
        break;
      }
      case 'StartChildWorkflowExecution':
        startChildWorkflowExecution(exec, d.startChildWorkflowExecutionDecisionAttributes!, dtc, ctx);
        break;
      case 'SignalExternalWorkflowExecution': {
        const a = d.signalExternalWorkflowExecutionDecisionAttributes!;
        const opt = {
          ...(a.runId ? { runId: a.runId } : {}),
          ...(a.input !== undefined ? { input: a.input } : {}),
          ...(a.control !== undefined ? { control: a.control } : {}),
        };
        const initiatedEventId = exec.append('SignalExternalWorkflowExecutionInitiated', {
          workflowId: a.workflowId,
          signalName: a.signalName,
          decisionTaskCompletedEventId: dtc,
          ...opt,
        });
        exec.effects.outbox.push({
          type: 'signalExternal',
          initiatedEventId,
          decisionTaskCompletedEventId: dtc,
          workflowId: a.workflowId!,
          signalName: a.signalName!,
          ...opt,
        });
        break;
      }
      case 'RequestCancelExternalWorkflowExecution': {
        const a = d.requestCancelExternalWorkflowExecutionDecisionAttributes!;
        const opt = { ...(a.runId ? { runId: a.runId } : {}), ...(a.control !== undefined ? { control: a.control } : {}) };
        const initiatedEventId = exec.append('RequestCancelExternalWorkflowExecutionInitiated', {
          workflowId: a.workflowId,
          decisionTaskCompletedEventId: dtc,
          ...opt,
        });
        exec.effects.outbox.push({ type: 'cancelExternal', initiatedEventId, decisionTaskCompletedEventId: dtc, workflowId: a.workflowId!, ...opt });
        break;
      }
      case 'ScheduleLambdaFunction':
        scheduleLambdaFunction(exec, d.scheduleLambdaFunctionDecisionAttributes!, dtc, ctx);
        break;
      default: {
        const never: never = type;
        throw validationMessage(`Unknown decision type ${String(never)}`);
      }
    }
  }
}

/** A decision IAM does not permit: its `...Failed` event with cause OPERATION_NOT_PERMITTED. */
function denyDecision(exec: Execution, d: Decision, dtc: number): void {
  const cause = 'OPERATION_NOT_PERMITTED' as const;
  const base = { cause, decisionTaskCompletedEventId: dtc };
  const type = d.decisionType!;
  switch (type) {
    case 'ScheduleActivityTask': {
      const a = d.scheduleActivityTaskDecisionAttributes!;
      exec.appendAndDecide('ScheduleActivityTaskFailed', { ...base, activityType: a.activityType, activityId: a.activityId });
      return;
    }
    case 'RequestCancelActivityTask':
      exec.appendAndDecide('RequestCancelActivityTaskFailed', { ...base, activityId: d.requestCancelActivityTaskDecisionAttributes!.activityId });
      return;
    case 'CompleteWorkflowExecution':
      exec.appendAndDecide('CompleteWorkflowExecutionFailed', base);
      return;
    case 'FailWorkflowExecution':
      exec.appendAndDecide('FailWorkflowExecutionFailed', base);
      return;
    case 'CancelWorkflowExecution':
      exec.appendAndDecide('CancelWorkflowExecutionFailed', base);
      return;
    case 'ContinueAsNewWorkflowExecution':
      exec.appendAndDecide('ContinueAsNewWorkflowExecutionFailed', base);
      return;
    case 'RecordMarker':
      exec.appendAndDecide('RecordMarkerFailed', { ...base, markerName: d.recordMarkerDecisionAttributes!.markerName });
      return;
    case 'StartTimer':
      exec.appendAndDecide('StartTimerFailed', { ...base, timerId: d.startTimerDecisionAttributes!.timerId });
      return;
    case 'CancelTimer':
      exec.appendAndDecide('CancelTimerFailed', { ...base, timerId: d.cancelTimerDecisionAttributes!.timerId });
      return;
    case 'StartChildWorkflowExecution': {
      const a = d.startChildWorkflowExecutionDecisionAttributes!;
      exec.appendAndDecide('StartChildWorkflowExecutionFailed', {
        ...base,
        workflowType: a.workflowType,
        workflowId: a.workflowId,
        initiatedEventId: 0,
        ...(a.control !== undefined ? { control: a.control } : {}),
      });
      return;
    }
    case 'SignalExternalWorkflowExecution':
    case 'RequestCancelExternalWorkflowExecution': {
      const signal = type === 'SignalExternalWorkflowExecution';
      const a = (signal ? d.signalExternalWorkflowExecutionDecisionAttributes : d.requestCancelExternalWorkflowExecutionDecisionAttributes)!;
      exec.appendAndDecide(signal ? 'SignalExternalWorkflowExecutionFailed' : 'RequestCancelExternalWorkflowExecutionFailed', {
        ...base,
        workflowId: a.workflowId,
        ...(a.runId ? { runId: a.runId } : {}),
        initiatedEventId: 0,
        ...(a.control !== undefined ? { control: a.control } : {}),
      });
      return;
    }
    case 'ScheduleLambdaFunction':
      // Its failure causes have no OPERATION_NOT_PERMITTED; the config type excludes it.
      throw new Error('ScheduleLambdaFunction cannot be denied');
    default: {
      const never: never = type;
      throw new Error(`unknown decision type ${String(never)}`);
    }
  }
}
