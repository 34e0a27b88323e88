import type { ChildPolicy } from '@aws-sdk/client-swf';
import type { Tx } from '../store/transaction';
import type { Execution } from './execution';
import type { CrossRunPorts } from './ports';
import { createRun } from './runs';
import type { CrossRunRequest, ExecutionRecord } from './state';

type Request<T extends CrossRunRequest['type']> = Extract<CrossRunRequest, { type: T }>;

/** Loads a run afresh, applies `fn` and saves it, all inside the caller's transaction. */
function withRun(tx: Tx, record: ExecutionRecord | undefined, fn: (exec: Execution) => void): void {
  if (!record) return;
  const exec = tx.open(record);
  fn(exec);
  tx.save(exec);
}

function reload(tx: Tx, executionId: number): ExecutionRecord | undefined {
  return tx.executions.load(executionId);
}

/**
 * Records an outcome (ExternalWorkflowExecutionSignaled, ...Failed) in the source run, unless the
 * source closed in the same decision batch: a closed run's history ends with its close event.
 */
function toSource(tx: Tx, source: ExecutionRecord, fn: (exec: Execution) => void): void {
  withRun(tx, reload(tx, source.id), (s) => {
    if (s.isOpen) fn(s);
  });
}

/** The open run a decision targets: the exact run when runId is given, else the workflowId's open run. */
function openTarget(tx: Tx, domainId: number, workflowId: string, runId: string | undefined): ExecutionRecord | undefined {
  const record = runId
    ? tx.executions.findRun(domainId, workflowId, runId)
    : tx.executions.findOpen(domainId, workflowId);
  return record?.status === 'OPEN' ? record : undefined;
}

/**
 * Carries out what a saved run asked of other runs: start children, deliver signals and cancel
 * requests, continue as new, report its close to its parent and apply its child policy. Each run
 * touched is loaded afresh and saved in the same transaction; the answers (e.g.
 * ChildWorkflowExecutionStarted) follow the whole decision batch in the source's history.
 */
export function deliverOutbox(tx: Tx, ports: CrossRunPorts, source: ExecutionRecord, outbox: readonly CrossRunRequest[]): void {
  for (const req of outbox) {
    switch (req.type) {
      case 'startChild':
        startChild(tx, source, req);
        break;
      case 'signalExternal':
        signalExternal(tx, source, req);
        break;
      case 'cancelExternal':
        cancelExternal(tx, source, req);
        break;
      case 'continueAsNew':
        createRun(tx, {
          domainId: source.domainId,
          workflowId: source.workflowId,
          workflowType: req.workflowType,
          config: req.config,
          runId: req.runId,
          continuedExecutionRunId: source.runId,
          ...(req.input !== undefined ? { input: req.input } : {}),
          ...(req.tagList ? { tagList: req.tagList } : {}),
          ...(source.state.parentLink ? { parent: source.state.parentLink } : {}),
        });
        break;
      case 'invokeLambda': {
        const { type: _, ...task } = req;
        tx.afterCommit(() => ports.lambda.invoke(source.id, task));
        break;
      }
      case 'closed':
        closed(tx, ports, source, req);
        break;
      default: {
        const never: never = req;
        throw new Error(`unknown cross-run request ${JSON.stringify(never)}`);
      }
    }
  }
}

function startChild(tx: Tx, source: ExecutionRecord, req: Request<'startChild'>): void {
  if (tx.executions.hasOpen(source.domainId, req.workflowId)) {
    withRun(tx, reload(tx, source.id), (s) => s.childStartFailed(req.initiatedEventId, 'WORKFLOW_ALREADY_RUNNING'));
    return;
  }
  const child = createRun(tx, {
    domainId: source.domainId,
    workflowId: req.workflowId,
    workflowType: req.workflowType,
    config: req.config,
    parent: { executionId: source.id, workflowId: source.workflowId, runId: source.runId, initiatedEventId: req.initiatedEventId },
    ...(req.input !== undefined ? { input: req.input } : {}),
    ...(req.tagList ? { tagList: req.tagList } : {}),
  });
  withRun(tx, reload(tx, source.id), (s) => s.childStarted(req.initiatedEventId, child.record.runId));
}

/**
 * Delivers a signal or a cancel request to another run (or this one) and reports the outcome in
 * the source: the `delivered` event when the target is open, the `failed` event otherwise.
 */
function toExternal(
  tx: Tx,
  source: ExecutionRecord,
  req: Request<'signalExternal'> | Request<'cancelExternal'>,
  deliver: (target: Execution, from: { externalWorkflowExecution: { workflowId: string; runId: string }; externalInitiatedEventId: number }) => void,
  delivered: 'ExternalWorkflowExecutionSignaled' | 'ExternalWorkflowExecutionCancelRequested',
  failed: 'SignalExternalWorkflowExecutionFailed' | 'RequestCancelExternalWorkflowExecutionFailed',
): void {
  const target = openTarget(tx, source.domainId, req.workflowId, req.runId);
  if (target) {
    withRun(tx, target, (t) =>
      deliver(t, { externalWorkflowExecution: { workflowId: source.workflowId, runId: source.runId }, externalInitiatedEventId: req.initiatedEventId }),
    );
    toSource(tx, source, (s) =>
      s.appendAndDecide(delivered, { workflowExecution: { workflowId: target.workflowId, runId: target.runId }, initiatedEventId: req.initiatedEventId }),
    );
    return;
  }
  toSource(tx, source, (s) =>
    s.appendAndDecide(failed, {
      workflowId: req.workflowId,
      ...(req.runId ? { runId: req.runId } : {}),
      cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION',
      initiatedEventId: req.initiatedEventId,
      decisionTaskCompletedEventId: req.decisionTaskCompletedEventId,
      ...(req.control !== undefined ? { control: req.control } : {}),
    }),
  );
}

function signalExternal(tx: Tx, source: ExecutionRecord, req: Request<'signalExternal'>): void {
  const signal = { signalName: req.signalName, ...(req.input !== undefined ? { input: req.input } : {}) };
  toExternal(tx, source, req, (t, from) => t.signal({ ...signal, ...from }), 'ExternalWorkflowExecutionSignaled', 'SignalExternalWorkflowExecutionFailed');
}

function cancelExternal(tx: Tx, source: ExecutionRecord, req: Request<'cancelExternal'>): void {
  toExternal(tx, source, req, (t, from) => t.requestCancel(from), 'ExternalWorkflowExecutionCancelRequested', 'RequestCancelExternalWorkflowExecutionFailed');
}

/**
 * A run closed. Its parent (if still open) gets the matching ChildWorkflowExecution* event.
 * The child policy applies when the run was terminated or timed out, as documented, and on every
 * other close too when the engine is configured so (the docs are silent there).
 */
function closed(tx: Tx, ports: CrossRunPorts, source: ExecutionRecord, req: Request<'closed'>): void {
  const link = source.state.parentLink;
  if (link && req.closeStatus !== 'CONTINUED_AS_NEW') {
    withRun(tx, reload(tx, link.executionId), (p) => p.childClosed(link.initiatedEventId, source.runId, req.closeStatus, req.attributes));
  }
  if (req.children.length === 0 || req.closeStatus === 'CONTINUED_AS_NEW') return;
  const documented = req.closeStatus === 'TERMINATED' || req.closeStatus === 'TIMED_OUT';
  const policy: ChildPolicy | undefined = documented
    ? req.attributes.childPolicy
    : ports.childPolicyOnEveryClose
      ? source.state.config.childPolicy
      : undefined;
  if (!policy || policy === 'ABANDON') return;
  for (const child of req.children) {
    const run = tx.executions.findOpen(source.domainId, child.workflowId);
    if (!run || run.state.parentLink?.workflowId !== source.workflowId) continue;
    withRun(tx, run, (c) => {
      if (policy === 'TERMINATE') c.terminate(undefined, undefined, c.state.config.childPolicy, 'CHILD_POLICY_APPLIED');
      else c.requestCancel({ cause: 'CHILD_POLICY_APPLIED', externalInitiatedEventId: 0 });
    });
  }
}
