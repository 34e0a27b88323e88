/**
 * SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution (spec §5.2, §6):
 * both sides' events and their links, by workflowId or exact runId, to the run itself, and the
 * ...Failed events (UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION) that name their Initiated event.
 */
import type { SWF } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, decide, historyOf, pollDecision, startRun } from '../helpers/swf-flow';
import { describeRun, dx, typesOf, type Run } from '../helpers/workflows';

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

/** A domain with a source run (decides on `src`) and a target run (decides on `dst`). */
async function pair(): Promise<{ domain: string; source: Run; target: Run }> {
  const domain = unique('ext');
  await registerBasics(swf, domain);
  const target = await startRun(swf, domain, { taskList: 'dst' });
  const source = await startRun(swf, domain, { taskList: 'src' });
  return { domain, source, target };
}

// ------------------------------------------------------------------------------------------------
describe('SignalExternalWorkflowExecution', () => {
  test('by workflowId: the target is signaled, the source hears ExternalWorkflowExecutionSignaled', async () => {
    const { domain, source, target } = await pair();
    await decide(swf, domain, [dx.signal(target.workflowId, 'go', { input: 'payload', control: 'ctl' })], 'src');

    const src = await historyOf(swf, domain, source);
    expect(typesOf(src)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'SignalExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionSignaled',
      'DecisionTaskScheduled',
    ]);
    expect(src[4]!.signalExternalWorkflowExecutionInitiatedEventAttributes).toEqual({
      workflowId: target.workflowId,
      signalName: 'go',
      input: 'payload',
      control: 'ctl',
      decisionTaskCompletedEventId: 4,
    });
    // The Signaled event names the exact run it reached.
    expect(src[5]!.externalWorkflowExecutionSignaledEventAttributes).toEqual({ workflowExecution: target, initiatedEventId: 5 });

    const dst = await historyOf(swf, domain, target);
    // The target's decision task was still scheduled (not polled): no second one.
    expect(typesOf(dst)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionSignaled']);
    expect(dst[2]!.workflowExecutionSignaledEventAttributes).toEqual({
      signalName: 'go',
      input: 'payload',
      externalWorkflowExecution: source,
      externalInitiatedEventId: 5,
    });
    const task = await pollDecision(swf, domain, 'dst');
    expect(task.workflowExecution).toEqual(target);
    expect(typesOf(task.events)).toContain('WorkflowExecutionSignaled');
  });

  test('with runId: Initiated carries it; a busy target gets a decision scheduled', async () => {
    const { domain, source, target } = await pair();
    const busy = await pollDecision(swf, domain, 'dst');
    await decide(swf, domain, [dx.signal(target.workflowId, 'exact', { runId: target.runId })], 'src');
    const src = await historyOf(swf, domain, source);
    expect(src[4]!.signalExternalWorkflowExecutionInitiatedEventAttributes).toEqual({
      workflowId: target.workflowId,
      runId: target.runId,
      signalName: 'exact',
      decisionTaskCompletedEventId: 4,
    });
    expect(src[5]!.externalWorkflowExecutionSignaledEventAttributes).toEqual({ workflowExecution: target, initiatedEventId: 5 });
    const dst = await historyOf(swf, domain, target);
    expect(typesOf(dst)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted', 'WorkflowExecutionSignaled', 'DecisionTaskScheduled']);
    expect(dst[3]!.workflowExecutionSignaledEventAttributes).toEqual({ signalName: 'exact', externalWorkflowExecution: source, externalInitiatedEventId: 5 });
    // A closing decision of the busy target now fails: the signal is unhandled.
    await swf.respondDecisionTaskCompleted({ taskToken: busy.taskToken, decisions: [d.complete()] });
    expect(typesOf(await historyOf(swf, domain, target)).pop()).toBe('CompleteWorkflowExecutionFailed');
  });

  test('a run can signal itself', async () => {
    const { domain, source } = await pair();
    await decide(swf, domain, [dx.signal(source.workflowId, 'self', { input: 'me' })], 'src');
    const src = await historyOf(swf, domain, source);
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'SignalExternalWorkflowExecutionInitiated',
      'WorkflowExecutionSignaled',
      'DecisionTaskScheduled',
      'ExternalWorkflowExecutionSignaled',
    ]);
    expect(src[5]!.workflowExecutionSignaledEventAttributes).toEqual({ signalName: 'self', input: 'me', externalWorkflowExecution: source, externalInitiatedEventId: 5 });
    expect(src[7]!.externalWorkflowExecutionSignaledEventAttributes).toEqual({ workflowExecution: source, initiatedEventId: 5 });
  });

  test('unknown workflowId, wrong runId, closed target: SignalExternalWorkflowExecutionFailed', async () => {
    const { domain, source, target } = await pair();
    const closed = await startRun(swf, domain, { taskList: 'closed' });
    await swf.terminateWorkflowExecution({ domain, workflowId: closed.workflowId });
    await decide(
      swf,
      domain,
      [
        dx.signal('no-such-workflow', 's1', { control: 'c1', input: 'i1' }),
        dx.signal(target.workflowId, 's2', { runId: 'not-the-run-id' }),
        dx.signal(closed.workflowId, 's3', { runId: closed.runId }),
        dx.signal(closed.workflowId, 's4'),
      ],
      'src',
    );
    const src = await historyOf(swf, domain, source);
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'SignalExternalWorkflowExecutionInitiated',
      'SignalExternalWorkflowExecutionInitiated',
      'SignalExternalWorkflowExecutionInitiated',
      'SignalExternalWorkflowExecutionInitiated',
      'SignalExternalWorkflowExecutionFailed',
      'DecisionTaskScheduled',
      'SignalExternalWorkflowExecutionFailed',
      'SignalExternalWorkflowExecutionFailed',
      'SignalExternalWorkflowExecutionFailed',
    ]);
    const failed = src.filter((e) => e.eventType === 'SignalExternalWorkflowExecutionFailed').map((e) => e.signalExternalWorkflowExecutionFailedEventAttributes);
    const cause = 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION';
    expect(failed).toEqual([
      { workflowId: 'no-such-workflow', cause, initiatedEventId: 5, decisionTaskCompletedEventId: 4, control: 'c1' },
      { workflowId: target.workflowId, runId: 'not-the-run-id', cause, initiatedEventId: 6, decisionTaskCompletedEventId: 4 },
      { workflowId: closed.workflowId, runId: closed.runId, cause, initiatedEventId: 7, decisionTaskCompletedEventId: 4 },
      { workflowId: closed.workflowId, cause, initiatedEventId: 8, decisionTaskCompletedEventId: 4 },
    ]);
    // Nobody was signaled.
    expect(typesOf(await historyOf(swf, domain, target))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect(typesOf(await historyOf(swf, domain, closed)).pop()).toBe('WorkflowExecutionTerminated');
  });
});

// ------------------------------------------------------------------------------------------------
describe('RequestCancelExternalWorkflowExecution', () => {
  test('the target gets WorkflowExecutionCancelRequested and cancelRequested; the source ExternalWorkflowExecutionCancelRequested', async () => {
    const { domain, source, target } = await pair();
    await decide(swf, domain, [dx.cancelExternal(target.workflowId, { control: 'ctl' })], 'src');
    const src = await historyOf(swf, domain, source);
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionCancelRequested',
      'DecisionTaskScheduled',
    ]);
    expect(src[4]!.requestCancelExternalWorkflowExecutionInitiatedEventAttributes).toEqual({
      workflowId: target.workflowId,
      control: 'ctl',
      decisionTaskCompletedEventId: 4,
    });
    expect(src[5]!.externalWorkflowExecutionCancelRequestedEventAttributes).toEqual({ workflowExecution: target, initiatedEventId: 5 });

    const dst = await historyOf(swf, domain, target);
    expect(typesOf(dst)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionCancelRequested']);
    expect(dst[2]!.workflowExecutionCancelRequestedEventAttributes).toEqual({ externalWorkflowExecution: source, externalInitiatedEventId: 5 });
    const info = (await describeRun(swf, domain, target)).executionInfo!;
    expect(info.cancelRequested).toBe(true);
    expect(info.executionStatus).toBe('OPEN');
    // The target's decider may now cancel.
    await decide(swf, domain, [d.cancel('ok')], 'dst');
    expect((await describeRun(swf, domain, target)).executionInfo!.closeStatus).toBe('CANCELED');
  });

  test('with runId, and on itself', async () => {
    const { domain, source, target } = await pair();
    await decide(swf, domain, [dx.cancelExternal(target.workflowId, { runId: target.runId }), dx.cancelExternal(source.workflowId)], 'src');
    const src = await historyOf(swf, domain, source);
    expect(src[4]!.requestCancelExternalWorkflowExecutionInitiatedEventAttributes).toEqual({ workflowId: target.workflowId, runId: target.runId, decisionTaskCompletedEventId: 4 });
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'ExternalWorkflowExecutionCancelRequested',
      'DecisionTaskScheduled',
      'WorkflowExecutionCancelRequested',
      'ExternalWorkflowExecutionCancelRequested',
    ]);
    expect(src[8]!.workflowExecutionCancelRequestedEventAttributes).toEqual({ externalWorkflowExecution: source, externalInitiatedEventId: 6 });
    expect(src[9]!.externalWorkflowExecutionCancelRequestedEventAttributes).toEqual({ workflowExecution: source, initiatedEventId: 6 });
    expect((await describeRun(swf, domain, source)).executionInfo!.cancelRequested).toBe(true);
    expect((await describeRun(swf, domain, target)).executionInfo!.cancelRequested).toBe(true);
  });

  test('unknown or closed target: RequestCancelExternalWorkflowExecutionFailed', async () => {
    const { domain, source, target } = await pair();
    await decide(swf, domain, [dx.cancelExternal('nobody', { control: 'c' }), dx.cancelExternal(target.workflowId, { runId: 'wrong' })], 'src');
    const src = await historyOf(swf, domain, source);
    const failed = src.filter((e) => e.eventType === 'RequestCancelExternalWorkflowExecutionFailed').map((e) => e.requestCancelExternalWorkflowExecutionFailedEventAttributes);
    expect(failed).toEqual([
      { workflowId: 'nobody', cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', initiatedEventId: 5, decisionTaskCompletedEventId: 4, control: 'c' },
      { workflowId: target.workflowId, runId: 'wrong', cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', initiatedEventId: 6, decisionTaskCompletedEventId: 4 },
    ]);
    expect(typesOf(src).filter((x) => x === 'DecisionTaskScheduled')).toHaveLength(2);
    expect((await describeRun(swf, domain, target)).executionInfo!.cancelRequested).toBe(false);

    // A closed target is unknown too.
    await swf.terminateWorkflowExecution({ domain, workflowId: target.workflowId });
    await decide(swf, domain, [dx.cancelExternal(target.workflowId)], 'src');
    const after = await historyOf(swf, domain, source);
    const last = after.filter((e) => e.eventType === 'RequestCancelExternalWorkflowExecutionFailed').pop()!;
    expect(last.requestCancelExternalWorkflowExecutionFailedEventAttributes).toMatchObject({ workflowId: target.workflowId, cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION' });
  });

  test('signal and cancel request in one batch, then the source completes', async () => {
    const { domain, source, target } = await pair();
    await decide(swf, domain, [dx.signal(target.workflowId, 'bye'), dx.cancelExternal(target.workflowId), d.complete('sent')], 'src');
    // The outcomes follow the batch; the source closed with the batch, so they are not recorded.
    const src = await historyOf(swf, domain, source);
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'SignalExternalWorkflowExecutionInitiated',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'WorkflowExecutionCompleted',
    ]);
    // The target still gets both.
    expect(typesOf(await historyOf(swf, domain, target))).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'WorkflowExecutionSignaled',
      'WorkflowExecutionCancelRequested',
    ]);
  });

  test('a run that signals and cancels itself, then completes in the same batch, records nothing after its close', async () => {
    const { domain, source } = await pair();
    await decide(swf, domain, [dx.signal(source.workflowId, 'self'), dx.cancelExternal(source.workflowId), d.complete()], 'src');
    const src = await historyOf(swf, domain, source);
    expect(typesOf(src).slice(3)).toEqual([
      'DecisionTaskCompleted',
      'SignalExternalWorkflowExecutionInitiated',
      'RequestCancelExternalWorkflowExecutionInitiated',
      'WorkflowExecutionCompleted',
    ]);
  });
});
