import type {
  ContinueAsNewWorkflowExecutionDecisionAttributes,
  ContinueAsNewWorkflowExecutionFailedCause,
  ScheduleActivityTaskDecisionAttributes,
  ScheduleActivityTaskFailedCause,
  ScheduleLambdaFunctionDecisionAttributes,
  ScheduleLambdaFunctionFailedCause,
  StartChildWorkflowExecutionDecisionAttributes,
  StartChildWorkflowExecutionFailedCause,
} from '@aws-sdk/client-swf';
import type { DecisionContext } from './decision-context';
import type { Execution } from './execution';
import { resolveRunConfig, type UndefinedDefault } from './run-config';
import { NONE, type ActivityTimeouts, type ExecutionConfig } from './state';

/** Lambda's own maximum, SWF's default for a Lambda task. */
const DEFAULT_LAMBDA_TIMEOUT = '900';

/** The `...Failed` cause for a run configuration member that neither request nor type sets. */
const UNDEFINED_CAUSE = {
  executionStartToCloseTimeout: 'DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED',
  taskList: 'DEFAULT_TASK_LIST_UNDEFINED',
  taskStartToCloseTimeout: 'DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED',
  childPolicy: 'DEFAULT_CHILD_POLICY_UNDEFINED',
} as const satisfies Record<UndefinedDefault, StartChildWorkflowExecutionFailedCause & ContinueAsNewWorkflowExecutionFailedCause>;

/** The WorkflowExecutionStarted-style members of a resolved configuration. */
function configAttributes(c: ExecutionConfig) {
  return {
    executionStartToCloseTimeout: c.executionStartToCloseTimeout,
    taskList: { name: c.taskList },
    taskStartToCloseTimeout: c.taskStartToCloseTimeout,
    childPolicy: c.childPolicy,
    ...(c.taskPriority !== undefined ? { taskPriority: c.taskPriority } : {}),
    ...(c.lambdaRole !== undefined ? { lambdaRole: c.lambdaRole } : {}),
  };
}

export function scheduleActivityTask(exec: Execution, attrs: ScheduleActivityTaskDecisionAttributes, dtc: number, ctx: DecisionContext): void {
  const activityType = { name: attrs.activityType!.name!, version: attrs.activityType!.version! };
  const activityId = attrs.activityId!;
  const type = ctx.activityType(activityType.name, activityType.version);
  const defaults = type?.config ?? {};
  const taskList = attrs.taskList?.name ?? defaults.defaultTaskList?.name;
  const timeouts: Partial<ActivityTimeouts> = {
    scheduleToClose: attrs.scheduleToCloseTimeout ?? defaults.defaultTaskScheduleToCloseTimeout,
    scheduleToStart: attrs.scheduleToStartTimeout ?? defaults.defaultTaskScheduleToStartTimeout,
    startToClose: attrs.startToCloseTimeout ?? defaults.defaultTaskStartToCloseTimeout,
    heartbeat: attrs.heartbeatTimeout ?? defaults.defaultTaskHeartbeatTimeout,
  };
  const fail = (cause: ScheduleActivityTaskFailedCause): void => {
    exec.appendAndDecide('ScheduleActivityTaskFailed', { activityType, activityId, cause, decisionTaskCompletedEventId: dtc });
  };
  if (!type) return fail('ACTIVITY_TYPE_DOES_NOT_EXIST');
  if (type.status === 'DEPRECATED') return fail('ACTIVITY_TYPE_DEPRECATED');
  if (exec.findActivityById(activityId)) return fail('ACTIVITY_ID_ALREADY_IN_USE');
  if (exec.openActivityCount() >= ctx.maxOpenActivities) return fail('OPEN_ACTIVITIES_LIMIT_EXCEEDED');
  if (taskList === undefined) return fail('DEFAULT_TASK_LIST_UNDEFINED');
  if (timeouts.scheduleToClose === undefined) return fail('DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED');
  if (timeouts.scheduleToStart === undefined) return fail('DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED');
  if (timeouts.startToClose === undefined) return fail('DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED');
  if (timeouts.heartbeat === undefined) {
    if (ctx.requireHeartbeatTimeout) return fail('DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED');
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

/**
 * StartChildWorkflowExecution. Causes found here fail at once with `initiatedEventId: 0` and no
 * Initiated event; only WORKFLOW_ALREADY_RUNNING is found later, when the child is created.
 */
export function startChildWorkflowExecution(
  exec: Execution,
  attrs: StartChildWorkflowExecutionDecisionAttributes,
  dtc: number,
  ctx: DecisionContext,
): void {
  const workflowType = { name: attrs.workflowType!.name!, version: attrs.workflowType!.version! };
  const workflowId = attrs.workflowId!;
  const fail = (cause: StartChildWorkflowExecutionFailedCause): void => {
    exec.appendAndDecide('StartChildWorkflowExecutionFailed', {
      workflowType,
      workflowId,
      cause,
      initiatedEventId: 0,
      decisionTaskCompletedEventId: dtc,
      ...(attrs.control !== undefined ? { control: attrs.control } : {}),
    });
  };
  const type = ctx.workflowType(workflowType.name, workflowType.version);
  if (!type) return fail('WORKFLOW_TYPE_DOES_NOT_EXIST');
  if (type.status === 'DEPRECATED') return fail('WORKFLOW_TYPE_DEPRECATED');
  if (exec.openChildCount() >= ctx.maxOpenChildren) return fail('OPEN_CHILDREN_LIMIT_EXCEEDED');
  if (ctx.openExecutionCount() >= ctx.maxOpenExecutionsPerDomain) return fail('OPEN_WORKFLOWS_LIMIT_EXCEEDED');
  const config = resolveRunConfig(attrs, type.config);
  if (typeof config === 'string') return fail(UNDEFINED_CAUSE[config]);
  const tagList = attrs.tagList && attrs.tagList.length > 0 ? attrs.tagList : undefined;
  const initiatedEventId = exec.initiateChild(
    { workflowId, workflowType, decisionTaskCompletedEventId: dtc, ...(attrs.control !== undefined ? { control: attrs.control } : {}) },
    {
      workflowId,
      workflowType,
      ...configAttributes(config),
      decisionTaskCompletedEventId: dtc,
      ...(attrs.control !== undefined ? { control: attrs.control } : {}),
      ...(attrs.input !== undefined ? { input: attrs.input } : {}),
      ...(tagList ? { tagList } : {}),
    },
  );
  exec.effects.outbox.push({
    type: 'startChild',
    initiatedEventId,
    workflowId,
    workflowType,
    config,
    ...(attrs.input !== undefined ? { input: attrs.input } : {}),
    ...(tagList ? { tagList } : {}),
    ...(attrs.control !== undefined ? { control: attrs.control } : {}),
  });
}

/**
 * ContinueAsNewWorkflowExecution: every member resolves as decision ?? the type's defaults
 * (never the current run's values); tags are not inherited. The old run closes first, then the
 * new one starts with the same workflowId.
 */
export function continueAsNew(exec: Execution, attrs: ContinueAsNewWorkflowExecutionDecisionAttributes, dtc: number, ctx: DecisionContext): void {
  const current = exec.record.workflowType;
  const workflowType = { name: current.name, version: attrs.workflowTypeVersion ?? current.version };
  const fail = (cause: ContinueAsNewWorkflowExecutionFailedCause): void => {
    exec.appendAndDecide('ContinueAsNewWorkflowExecutionFailed', { cause, decisionTaskCompletedEventId: dtc });
  };
  const type = ctx.workflowType(workflowType.name, workflowType.version);
  if (!type) return fail('WORKFLOW_TYPE_DOES_NOT_EXIST');
  if (type.status === 'DEPRECATED') return fail('WORKFLOW_TYPE_DEPRECATED');
  const config = resolveRunConfig(attrs, type.config);
  if (typeof config === 'string') return fail(UNDEFINED_CAUSE[config]);
  const tagList = attrs.tagList && attrs.tagList.length > 0 ? attrs.tagList : undefined;
  const runId = exec.newRunId();
  exec.close('WorkflowExecutionContinuedAsNew', {
    newExecutionRunId: runId,
    workflowType,
    ...configAttributes(config),
    decisionTaskCompletedEventId: dtc,
    ...(attrs.input !== undefined ? { input: attrs.input } : {}),
    ...(tagList ? { tagList } : {}),
  });
  exec.effects.outbox.push({
    type: 'continueAsNew',
    runId,
    workflowType,
    config,
    ...(attrs.input !== undefined ? { input: attrs.input } : {}),
    ...(tagList ? { tagList } : {}),
  });
}

export function scheduleLambdaFunction(exec: Execution, attrs: ScheduleLambdaFunctionDecisionAttributes, dtc: number, ctx: DecisionContext): void {
  const id = attrs.id!;
  const name = attrs.name!;
  const fail = (cause: ScheduleLambdaFunctionFailedCause): void => {
    exec.appendAndDecide('ScheduleLambdaFunctionFailed', { id, name, cause, decisionTaskCompletedEventId: dtc });
  };
  if (!ctx.lambdaAvailable) return fail('LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION');
  if (exec.findLambdaById(id)) return fail('ID_ALREADY_IN_USE');
  if (Object.keys(exec.state.lambdas).length >= ctx.maxOpenLambdaFunctions) return fail('OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED');
  // The event carries the timeout only when the decision gave one, as the service writes it; the
  // task is still held to Lambda's maximum.
  const startToCloseTimeout = attrs.startToCloseTimeout ?? DEFAULT_LAMBDA_TIMEOUT;
  const input = attrs.input !== undefined ? { input: attrs.input } : {};
  exec.scheduleLambda(
    { id, name, startToCloseTimeout, ...input },
    {
      id,
      name,
      ...(attrs.startToCloseTimeout !== undefined ? { startToCloseTimeout: attrs.startToCloseTimeout } : {}),
      decisionTaskCompletedEventId: dtc,
      ...input,
      ...(attrs.control !== undefined ? { control: attrs.control } : {}),
    },
    exec.state.config.lambdaRole !== undefined,
  );
}
