/**
 * ContinueAsNewWorkflowExecution (spec §5.2): the old run closes CONTINUED_AS_NEW, a new run of
 * the same workflowId starts with continuedExecutionRunId; every member resolves from the
 * decision or the (possibly new-version) type's defaults, never from the old run; tags are not
 * inherited. Failure causes, and a child that continues as new keeps its parent link.
 */
import type { SWF } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, decide, expectValidation, historyOf, pollDecision } from '../helpers/swf-flow';
import { describeRun, dx, historyWith, newEvents, registerWorkflow, sleep, the, typesOf, type Run } from '../helpers/workflows';

const ROLE = 'arn:aws:iam::123456789012:role/v2-role';
const FLOW1 = { name: 'Flow', version: '1' };
const FLOW2 = { name: 'Flow', version: '2' };

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

/** Flow/1 from registerBasics (list `default`, 3600/300, TERMINATE) and Flow/2 with other defaults on list `v2`. */
async function ownDomain(): Promise<string> {
  const domain = unique('can');
  await registerBasics(swf, domain);
  await registerWorkflow(swf, domain, 'Flow', '2', {
    defaultTaskList: { name: 'v2' },
    defaultExecutionStartToCloseTimeout: '1800',
    defaultTaskStartToCloseTimeout: '100',
    defaultChildPolicy: 'REQUEST_CANCEL',
    defaultTaskPriority: '7',
    defaultLambdaRole: ROLE,
  });
  return domain;
}

/** Continues the run whose decision task is next on `taskList`; returns the old run's last event attributes. */
async function continueOnce(domain: string, taskList: string, attrs: Parameters<typeof dx.continueAsNew>[0]) {
  const task = await decide(swf, domain, [dx.continueAsNew(attrs)], taskList);
  const old = task.workflowExecution as Run;
  const events = await historyOf(swf, domain, old);
  const last = events[events.length - 1]!;
  expect(last.eventType).toBe('WorkflowExecutionContinuedAsNew');
  const a = last.workflowExecutionContinuedAsNewEventAttributes!;
  return { old, attrs: a, next: { workflowId: old.workflowId, runId: a.newExecutionRunId! }, dtc: task.startedEventId! + 1 };
}

describe('a run that continues as new', () => {
  test('closes CONTINUED_AS_NEW; the new run resolves from the type defaults, not the old run, and has no tags', async () => {
    const domain = await ownDomain();
    const workflowId = unique('loop');
    const { runId } = await swf.startWorkflowExecution({
      domain,
      workflowId,
      workflowType: FLOW1,
      input: 'in-0',
      tagList: ['first-run'],
      taskStartToCloseTimeout: '50',
      executionStartToCloseTimeout: '900',
      childPolicy: 'ABANDON',
      taskPriority: '3',
      lambdaRole: 'arn:aws:iam::123456789012:role/first',
    });
    const first = { workflowId, runId: runId! };
    const c = await continueOnce(domain, 'default', { input: 'in-1' });
    expect(c.old).toEqual(first);
    expect(c.attrs).toEqual({
      input: 'in-1',
      decisionTaskCompletedEventId: 4,
      newExecutionRunId: c.next.runId,
      workflowType: FLOW1,
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '300',
      taskList: { name: 'default' },
      childPolicy: 'TERMINATE',
    });
    expect(c.next.runId).not.toBe(first.runId);

    const oldInfo = await describeRun(swf, domain, first);
    expect(oldInfo.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'CONTINUED_AS_NEW', tagList: ['first-run'] });
    const closed = await swf.listClosedWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, closeStatusFilter: { status: 'CONTINUED_AS_NEW' } });
    expect(closed.executionInfos!.map((i) => i.execution)).toEqual([first]);

    const events = await historyOf(swf, domain, c.next);
    expect(typesOf(events)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect(events[0]!.workflowExecutionStartedEventAttributes).toEqual({
      input: 'in-1',
      continuedExecutionRunId: first.runId,
      workflowType: FLOW1,
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '300',
      taskList: { name: 'default' },
      childPolicy: 'TERMINATE',
      parentInitiatedEventId: 0,
    });
    const info = await describeRun(swf, domain, c.next);
    expect(info.executionInfo!.execution).toEqual(c.next);
    expect(info.executionInfo!.executionStatus).toBe('OPEN');
    expect(info.executionInfo!.tagList).toBeUndefined();
    expect(info.executionConfiguration).toEqual({
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '300',
      taskList: { name: 'default' },
      childPolicy: 'TERMINATE',
    });
    // The workflowId's open run is the new one.
    const open = await swf.listOpenWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId } });
    expect(open.executionInfos!.map((i) => i.execution)).toEqual([c.next]);
    await swf.signalWorkflowExecution({ domain, workflowId, signalName: 'to-new-run' });
    expect(typesOf(await historyOf(swf, domain, c.next)).pop()).toBe('WorkflowExecutionSignaled');

    // The old run's history ends at its close.
    const oldEvents = await historyOf(swf, domain, first);
    expect(oldEvents[oldEvents.length - 1]!.eventType).toBe('WorkflowExecutionContinuedAsNew');
  });

  test('workflowTypeVersion switches to another version and its defaults; tagList and input from the decision', async () => {
    const domain = await ownDomain();
    const workflowId = unique('switch');
    await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1, tagList: ['old'] });
    const c = await continueOnce(domain, 'default', { workflowTypeVersion: '2', tagList: ['new-a', 'new-b'], input: 'v2 input' });
    expect(c.attrs).toEqual({
      input: 'v2 input',
      decisionTaskCompletedEventId: 4,
      newExecutionRunId: c.next.runId,
      workflowType: FLOW2,
      executionStartToCloseTimeout: '1800',
      taskStartToCloseTimeout: '100',
      taskList: { name: 'v2' },
      taskPriority: '7',
      childPolicy: 'REQUEST_CANCEL',
      lambdaRole: ROLE,
      tagList: ['new-a', 'new-b'],
    });
    const info = await describeRun(swf, domain, c.next);
    expect(info.executionInfo!.workflowType).toEqual(FLOW2);
    expect(info.executionInfo!.tagList).toEqual(['new-a', 'new-b']);
    expect(the(await historyOf(swf, domain, c.next), 'WorkflowExecutionStarted').attrs).toEqual({
      input: 'v2 input',
      continuedExecutionRunId: c.old.runId,
      workflowType: FLOW2,
      executionStartToCloseTimeout: '1800',
      taskStartToCloseTimeout: '100',
      taskList: { name: 'v2' },
      taskPriority: '7',
      childPolicy: 'REQUEST_CANCEL',
      lambdaRole: ROLE,
      tagList: ['new-a', 'new-b'],
      parentInitiatedEventId: 0,
    });
    // The new run's decision tasks go to Flow/2's list; it can continue back to version 1.
    const back = await continueOnce(domain, 'v2', { workflowTypeVersion: '1' });
    expect(back.old).toEqual(c.next);
    expect(back.attrs.workflowType).toEqual(FLOW1);
    expect(back.attrs.tagList).toBeUndefined();
    await decide(swf, domain, [d.complete('finally')], 'default');
    expect((await describeRun(swf, domain, back.next)).executionInfo!.closeStatus).toBe('COMPLETED');
  });

  test('decision values override every type default', async () => {
    const domain = await ownDomain();
    await swf.startWorkflowExecution({ domain, workflowId: unique('override'), workflowType: FLOW1 });
    const c = await continueOnce(domain, 'default', {
      executionStartToCloseTimeout: '77',
      taskStartToCloseTimeout: '11',
      taskList: 'custom',
      taskPriority: '-2',
      childPolicy: 'ABANDON',
      lambdaRole: 'arn:aws:iam::123456789012:role/mine',
      workflowTypeVersion: '2',
    });
    expect(c.attrs).toMatchObject({
      executionStartToCloseTimeout: '77',
      taskStartToCloseTimeout: '11',
      taskList: { name: 'custom' },
      taskPriority: '-2',
      childPolicy: 'ABANDON',
      lambdaRole: 'arn:aws:iam::123456789012:role/mine',
      workflowType: FLOW2,
    });
    expect((await describeRun(swf, domain, c.next)).executionConfiguration).toEqual({
      executionStartToCloseTimeout: '77',
      taskStartToCloseTimeout: '11',
      taskList: { name: 'custom' },
      taskPriority: '-2',
      childPolicy: 'ABANDON',
      lambdaRole: 'arn:aws:iam::123456789012:role/mine',
    });
    const task = await pollDecision(swf, domain, 'custom');
    expect(task.workflowExecution).toEqual(c.next);
  });

  test("the old run's open work is dropped and its execution clock does not carry over", async () => {
    const domain = await ownDomain();
    const workflowId = unique('clock');
    await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1, executionStartToCloseTimeout: '1' });
    const task = await pollDecision(swf, domain);
    await swf.respondDecisionTaskCompleted({
      taskToken: task.taskToken,
      decisions: [d.timer('t1', '60'), d.schedule('a1'), dx.continueAsNew({ executionStartToCloseTimeout: '30' })],
    });
    const old = task.workflowExecution as Run;
    const oldEvents = await historyOf(swf, domain, old);
    const next = { workflowId, runId: oldEvents[oldEvents.length - 1]!.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId! };
    // Dropped (nothing pending below), though Describe keeps the counts at the close, as the service does.
    expect((await describeRun(swf, domain, old)).openCounts).toMatchObject({ openTimers: 1, openActivityTasks: 1 });
    expect((await swf.countPendingActivityTasks({ domain, taskList: { name: 'default' } })).count).toBe(0);
    // Past the old run's 1 s deadline the new run is still open: it has its own 30 s clock.
    await sleep(1500);
    expect((await describeRun(swf, domain, next)).executionInfo!.executionStatus).toBe('OPEN');
    expect(typesOf(await historyOf(swf, domain, old)).pop()).toBe('WorkflowExecutionContinuedAsNew');
  });
});

describe('ContinueAsNewWorkflowExecutionFailed', () => {
  test('type causes and DEFAULT_*_UNDEFINED, one per decision task; the run stays open', async () => {
    const domain = await ownDomain();
    await registerWorkflow(swf, domain, 'Flow', '3', { defaultTaskList: { name: 'default' }, defaultExecutionStartToCloseTimeout: '60', defaultTaskStartToCloseTimeout: '60', defaultChildPolicy: 'TERMINATE' });
    await swf.deprecateWorkflowType({ domain, workflowType: { name: 'Flow', version: '3' } });
    await registerWorkflow(swf, domain, 'Flow', 'bare');
    const full = { executionStartToCloseTimeout: '60', taskList: 'default', taskStartToCloseTimeout: '60', childPolicy: 'TERMINATE' as const };
    const without = (key: keyof typeof full) => {
      const o: Record<string, unknown> = { ...full, workflowTypeVersion: 'bare' };
      delete o[key];
      return o;
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ workflowTypeVersion: '9' }, 'WORKFLOW_TYPE_DOES_NOT_EXIST'],
      [{ workflowTypeVersion: '3' }, 'WORKFLOW_TYPE_DEPRECATED'],
      [without('executionStartToCloseTimeout'), 'DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED'],
      [without('taskList'), 'DEFAULT_TASK_LIST_UNDEFINED'],
      [without('taskStartToCloseTimeout'), 'DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED'],
      [without('childPolicy'), 'DEFAULT_CHILD_POLICY_UNDEFINED'],
    ];
    const workflowId = unique('failing');
    const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1 });
    const run = { workflowId, runId: runId! };
    for (const [attrs, cause] of cases) {
      const task = await decide(swf, domain, [dx.continueAsNew(attrs)]);
      const events = await historyOf(swf, domain, run);
      const dtc = task.startedEventId! + 1;
      expect(typesOf(events.slice(dtc - 1))).toEqual(['DecisionTaskCompleted', 'ContinueAsNewWorkflowExecutionFailed', 'DecisionTaskScheduled']);
      expect(events[dtc]!.continueAsNewWorkflowExecutionFailedEventAttributes).toEqual({ cause, decisionTaskCompletedEventId: dtc });
    }
    const info = await describeRun(swf, domain, run);
    expect(info.executionInfo!.executionStatus).toBe('OPEN');
    // The whole workflowId has had only this run.
    const all = await swf.listOpenWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId } });
    expect(all.executionInfos!.map((i) => i.execution)).toEqual([run]);
    expect((await swf.countClosedWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) } })).count).toBe(0);
  });

  test('UNHANDLED_DECISION when a signal arrives while the decider works', async () => {
    const domain = await ownDomain();
    const workflowId = unique('unhandled');
    const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1 });
    const run = { workflowId, runId: runId! };
    const task = await pollDecision(swf, domain);
    await swf.signalWorkflowExecution({ domain, workflowId, signalName: 'news', input: 'hot' });
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [dx.continueAsNew({ input: 'x' })] });
    const events = await historyOf(swf, domain, run);
    expect(typesOf(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'WorkflowExecutionSignaled',
      'DecisionTaskScheduled',
      'DecisionTaskCompleted',
      'ContinueAsNewWorkflowExecutionFailed',
    ]);
    expect(events[6]!.continueAsNewWorkflowExecutionFailedEventAttributes).toEqual({ cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: 6 });
    expect((await describeRun(swf, domain, run)).executionInfo!.executionStatus).toBe('OPEN');
    // The next decision task shows the signal and the failure; continuing now works.
    const next = await pollDecision(swf, domain);
    expect(typesOf(newEvents(next))).toEqual(['WorkflowExecutionSignaled', 'DecisionTaskScheduled', 'DecisionTaskCompleted', 'ContinueAsNewWorkflowExecutionFailed', 'DecisionTaskStarted']);
    await swf.respondDecisionTaskCompleted({ taskToken: next.taskToken, decisions: [dx.continueAsNew({ input: 'x' })] });
    expect((await describeRun(swf, domain, run)).executionInfo!.closeStatus).toBe('CONTINUED_AS_NEW');
  });

  test('an invalid executionStartToCloseTimeout is a ValidationException and writes nothing', async () => {
    const domain = await ownDomain();
    const workflowId = unique('invalid');
    const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1 });
    const task = await pollDecision(swf, domain);
    await expectValidation(
      swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [dx.continueAsNew({ executionStartToCloseTimeout: 'NONE' })] }),
      /executionStartToCloseTimeout/,
    );
    expect(typesOf(await historyOf(swf, domain, { workflowId, runId: runId! }))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    // The task is still live.
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.complete()] });
  });
});

describe('a child that continues as new', () => {
  const CHILD = { name: 'Child', version: '1' };

  async function parentWithChild(domain: string) {
    await registerWorkflow(swf, domain, CHILD.name, CHILD.version, {
      defaultTaskList: { name: 'child' },
      defaultExecutionStartToCloseTimeout: '600',
      defaultTaskStartToCloseTimeout: '60',
      defaultChildPolicy: 'ABANDON',
    });
    const workflowId = unique('parent');
    const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: FLOW1 });
    const parent = { workflowId, runId: runId! };
    const childId = unique('child');
    await decide(swf, domain, [dx.startChild(childId, { workflowType: CHILD, input: 'round-1' })]);
    const events = await historyOf(swf, domain, parent);
    const initiatedEventId = the(events, 'StartChildWorkflowExecutionInitiated').id;
    const started = the(events, 'ChildWorkflowExecutionStarted');
    return { parent, initiatedEventId, startedEventId: started.id, firstChild: started.attrs.workflowExecution as Run };
  }

  test('keeps its parent link, and the parent hears only the final run close', async () => {
    const domain = await ownDomain();
    const p = await parentWithChild(domain);
    const parentBefore = await historyOf(swf, domain, p.parent);

    const c1 = await continueOnce(domain, 'child', { input: 'round-2' });
    expect(c1.old).toEqual(p.firstChild);
    const c2 = await continueOnce(domain, 'child', { input: 'round-3' });
    // The parent heard nothing of either continuation and still counts one open child.
    expect(await historyOf(swf, domain, p.parent)).toEqual(parentBefore);
    expect((await describeRun(swf, domain, p.parent)).openCounts!.openChildWorkflowExecutions).toBe(1);

    for (const next of [c1.next, c2.next]) {
      const started = the(await historyOf(swf, domain, next), 'WorkflowExecutionStarted').attrs;
      expect(started).toMatchObject({ parentWorkflowExecution: p.parent, parentInitiatedEventId: p.initiatedEventId, workflowType: CHILD });
      expect((await describeRun(swf, domain, next)).executionInfo!.parent).toEqual(p.parent);
    }
    expect(the(await historyOf(swf, domain, c2.next), 'WorkflowExecutionStarted').attrs.continuedExecutionRunId).toBe(c1.next.runId);

    await decide(swf, domain, [d.complete('final')], 'child');
    const events = await historyOf(swf, domain, p.parent);
    expect(typesOf(events.slice(parentBefore.length))).toEqual(['ChildWorkflowExecutionCompleted']);
    expect(events[events.length - 1]!.childWorkflowExecutionCompletedEventAttributes).toEqual({
      workflowExecution: c2.next,
      workflowType: CHILD,
      result: 'final',
      initiatedEventId: p.initiatedEventId,
      startedEventId: p.startedEventId,
    });
    expect((await describeRun(swf, domain, p.parent)).openCounts!.openChildWorkflowExecutions).toBe(0);
  });

  test("the parent's child policy reaches the continued run", async () => {
    const domain = await ownDomain();
    const p = await parentWithChild(domain);
    const c = await continueOnce(domain, 'child', {});
    await swf.terminateWorkflowExecution({ domain, workflowId: p.parent.workflowId });
    const events = await historyWith(swf, domain, c.next, 'WorkflowExecutionTerminated');
    expect(events[events.length - 1]!.workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'ABANDON', cause: 'CHILD_POLICY_APPLIED' });
  });
});
