import type { ChildPolicy, WorkflowTypeConfiguration } from '@aws-sdk/client-swf';
import type { Tx } from './core';
import type { Execution } from './execution/execution';
import type { ExecutionConfig, ExecutionRecord, ExecutionState, ParentLink, TypeRef } from './execution/state';

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

export interface NewRun {
  domainId: number;
  workflowId: string;
  workflowType: TypeRef;
  config: ExecutionConfig;
  input?: string;
  tagList?: string[];
  parent?: ParentLink;
  continuedExecutionRunId?: string;
  /** A runId minted beforehand (continue-as-new names the new run before it exists). */
  runId?: string;
}

/** Creates a run: its row, WorkflowExecutionStarted, the execution clock and the first decision task. */
export function createRun(tx: Tx, run: NewRun): Execution {
  const runId = run.runId ?? tx.core.ids.runId();
  const tagList = run.tagList && run.tagList.length > 0 ? run.tagList : undefined;
  const parent = run.parent && { workflowId: run.parent.workflowId, runId: run.parent.runId };
  const id = tx.core.executions.insert(run.domainId, run.workflowId, runId, run.workflowType, tx.now, tagList, parent);
  const state = initialState(run.config);
  if (run.parent) state.parentLink = run.parent;
  const record: ExecutionRecord = {
    id,
    domainId: run.domainId,
    workflowId: run.workflowId,
    runId,
    workflowType: run.workflowType,
    status: 'OPEN',
    startedAt: tx.now,
    ...(tagList ? { tagList } : {}),
    ...(parent ? { parent } : {}),
    state,
  };
  const exec = tx.open(record);
  const c = run.config;
  exec.start({
    childPolicy: c.childPolicy,
    taskList: { name: c.taskList },
    workflowType: run.workflowType,
    executionStartToCloseTimeout: c.executionStartToCloseTimeout,
    taskStartToCloseTimeout: c.taskStartToCloseTimeout,
    ...(run.input !== undefined ? { input: run.input } : {}),
    ...(c.taskPriority !== undefined ? { taskPriority: c.taskPriority } : {}),
    ...(tagList ? { tagList } : {}),
    ...(run.continuedExecutionRunId !== undefined ? { continuedExecutionRunId: run.continuedExecutionRunId } : {}),
    // A root run's link to its parent is 0, not absent, as the service writes it.
    ...(run.parent ? { parentWorkflowExecution: parent, parentInitiatedEventId: run.parent.initiatedEventId } : { parentInitiatedEventId: 0 }),
    ...(c.lambdaRole !== undefined ? { lambdaRole: c.lambdaRole } : {}),
  });
  tx.save(exec);
  return exec;
}
