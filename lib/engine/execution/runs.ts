import type { Tx } from '../store/transaction';
import type { Execution } from './execution';
import { initialState } from './run-config';
import type { ExecutionConfig, ExecutionRecord, ParentLink, TypeRef } from './state';

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
  const runId = run.runId ?? tx.ids.runId();
  const tagList = run.tagList && run.tagList.length > 0 ? run.tagList : undefined;
  const parent = run.parent && { workflowId: run.parent.workflowId, runId: run.parent.runId };
  const id = tx.executions.insert(run.domainId, run.workflowId, runId, run.workflowType, tx.now, tagList, parent);
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
