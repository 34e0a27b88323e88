import type { ChildPolicy, WorkflowTypeConfiguration } from '@aws-sdk/client-swf';
import type { ExecutionConfig, ExecutionState } from './state';

/** One year: the longest an execution may run. */
export const MAX_EXECUTION_SECONDS = 31_536_000;

/** What a start request (API, child or continue-as-new) may say about the run's configuration. */
export interface RunConfigRequest {
  executionStartToCloseTimeout?: string;
  taskList?: { name?: string };
  taskPriority?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  lambdaRole?: string;
}

/** A member that neither the request nor the type's defaults set. */
export type UndefinedDefault = 'executionStartToCloseTimeout' | 'taskList' | 'taskStartToCloseTimeout' | 'childPolicy';

/**
 * Resolves a run's configuration as request ?? type default, checking the members in the order
 * seen on the service. Returns the first member that stays undefined instead of throwing: each
 * kind of start reports it its own way (a fault, or a `...Failed` event with a cause).
 */
export function resolveRunConfig(req: RunConfigRequest, defaults: WorkflowTypeConfiguration): ExecutionConfig | UndefinedDefault {
  const executionStartToCloseTimeout = req.executionStartToCloseTimeout ?? defaults.defaultExecutionStartToCloseTimeout;
  if (executionStartToCloseTimeout === undefined) return 'executionStartToCloseTimeout';
  const taskList = req.taskList?.name ?? defaults.defaultTaskList?.name;
  if (taskList === undefined) return 'taskList';
  const taskStartToCloseTimeout = req.taskStartToCloseTimeout ?? defaults.defaultTaskStartToCloseTimeout;
  if (taskStartToCloseTimeout === undefined) return 'taskStartToCloseTimeout';
  const childPolicy = req.childPolicy ?? defaults.defaultChildPolicy;
  if (childPolicy === undefined) return 'childPolicy';
  const taskPriority = req.taskPriority ?? defaults.defaultTaskPriority;
  const lambdaRole = req.lambdaRole ?? defaults.defaultLambdaRole;
  return {
    executionStartToCloseTimeout,
    taskStartToCloseTimeout,
    taskList,
    childPolicy,
    ...(taskPriority !== undefined ? { taskPriority } : {}),
    ...(lambdaRole !== undefined ? { lambdaRole } : {}),
  };
}

/** An execution timeout SWF accepts: a number of seconds up to one year, never NONE. */
export function isValidExecutionTimeout(timeout: string): boolean {
  return timeout !== 'NONE' && Number(timeout) <= MAX_EXECUTION_SECONDS;
}

export function initialState(config: ExecutionConfig): ExecutionState {
  return {
    nextEventId: 1,
    lastEventTime: 0,
    config,
    decision: null,
    pendingDecision: null,
    lastCompletedDecisionStartedEventId: 0,
    activities: {},
    timers: {},
    children: {},
    lambdas: {},
    cancelRequested: false,
  };
}
