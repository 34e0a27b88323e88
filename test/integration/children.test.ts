/**
 * StartChildWorkflowExecution end to end (spec §5.2, §6 child events, §8.2 child policy): the
 * parent's Initiated/Started/closed events and their links, the child's parent link, the
 * synchronous failures (initiatedEventId 0, no Initiated event), WORKFLOW_ALREADY_RUNNING, and
 * the child policy on terminate, timeout and (optionally) every close.
 */
import type { HistoryEvent, SWF } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, decide, historyOf, pollDecision, startRun } from '../helpers/swf-flow';
import { describeRun, dx, historyUntil, historyWith, registerWorkflow, the, typesOf, type ChildOptions, type Run } from '../helpers/workflows';

const ROLE = 'arn:aws:iam::123456789012:role/child-role';
const CHILD = { name: 'Child', version: '1' };

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

/**
 * A domain with Flow/1 (parent, task list `default`, child policy TERMINATE) and Child/1 whose
 * every default is set and differs from Flow/1's, so resolved defaults are recognisable.
 */
async function ownDomain(client: SWF = swf): Promise<string> {
  const domain = unique('children');
  await registerBasics(client, domain);
  await registerWorkflow(client, domain, CHILD.name, CHILD.version, {
    defaultTaskList: { name: 'child' },
    defaultExecutionStartToCloseTimeout: '600',
    defaultTaskStartToCloseTimeout: '60',
    defaultChildPolicy: 'ABANDON',
    defaultTaskPriority: '5',
    defaultLambdaRole: ROLE,
  });
  return domain;
}

interface Spawned {
  parent: Run;
  child: Run;
  initiatedEventId: number;
  startedEventId: number;
}

/** Starts a parent on `default` that starts one child of Child/1 (on the `child` list by default). */
async function spawnChild(domain: string, opts: ChildOptions & { parentTimeout?: string; parentPolicy?: 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON' } = {}, client: SWF = swf): Promise<Spawned> {
  const { parentTimeout, parentPolicy, ...childOpts } = opts;
  const workflowId = unique('parent');
  const { runId } = await client.startWorkflowExecution({
    domain,
    workflowId,
    workflowType: { name: 'Flow', version: '1' },
    ...(parentTimeout ? { executionStartToCloseTimeout: parentTimeout } : {}),
    ...(parentPolicy ? { childPolicy: parentPolicy } : {}),
  });
  const parent = { workflowId, runId: runId! };
  const childId = unique('child');
  await decide(client, domain, [dx.startChild(childId, { workflowType: CHILD, ...childOpts })]);
  const events = await historyOf(client, domain, parent);
  const started = the(events, 'ChildWorkflowExecutionStarted');
  const initiated = the(events, 'StartChildWorkflowExecutionInitiated');
  const child = started.attrs.workflowExecution as Run;
  expect(child.workflowId).toBe(childId);
  return { parent, child, initiatedEventId: initiated.id, startedEventId: started.id };
}

const lastOf = (events: HistoryEvent[]) => events[events.length - 1]!;

// ------------------------------------------------------------------------------------------------
describe('a child that starts', () => {
  test('parent: Initiated with the child type defaults resolved, then ChildWorkflowExecutionStarted', async () => {
    const domain = await ownDomain();
    const parent = await startRun(swf, domain);
    const childId = unique('child');
    await decide(swf, domain, [dx.startChild(childId, { workflowType: CHILD, input: 'child-in', control: 'ctl', tagList: ['t1'] })]);
    const events = await historyOf(swf, domain, parent);
    expect(typesOf(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'StartChildWorkflowExecutionInitiated',
      'ChildWorkflowExecutionStarted',
      'DecisionTaskScheduled',
    ]);
    expect(events[4]!.startChildWorkflowExecutionInitiatedEventAttributes).toEqual({
      workflowId: childId,
      workflowType: CHILD,
      input: 'child-in',
      control: 'ctl',
      tagList: ['t1'],
      executionStartToCloseTimeout: '600',
      taskStartToCloseTimeout: '60',
      taskList: { name: 'child' },
      taskPriority: '5',
      childPolicy: 'ABANDON',
      lambdaRole: ROLE,
      decisionTaskCompletedEventId: 4,
    });
    const started = events[5]!.childWorkflowExecutionStartedEventAttributes!;
    expect(started.initiatedEventId).toBe(5);
    expect(started.workflowType).toEqual(CHILD);
    expect(started.workflowExecution!.workflowId).toBe(childId);
    const childRunId = started.workflowExecution!.runId!;
    expect(childRunId).toMatch(/.+/);
    expect(childRunId).not.toBe(parent.runId);

    // The child: WorkflowExecutionStarted links back to the parent and its Initiated event.
    const child = { workflowId: childId, runId: childRunId };
    const childEvents = await historyOf(swf, domain, child);
    expect(typesOf(childEvents)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect(childEvents[0]!.workflowExecutionStartedEventAttributes).toEqual({
      input: 'child-in',
      tagList: ['t1'],
      workflowType: CHILD,
      executionStartToCloseTimeout: '600',
      taskStartToCloseTimeout: '60',
      taskList: { name: 'child' },
      taskPriority: '5',
      childPolicy: 'ABANDON',
      lambdaRole: ROLE,
      parentWorkflowExecution: parent,
      parentInitiatedEventId: 5,
    });
    expect(childEvents[1]!.decisionTaskScheduledEventAttributes).toEqual({
      taskList: { name: 'child' },
      taskPriority: '5',
      startToCloseTimeout: '60',
      scheduleToStartTimeout: 'NONE',
    });

    const childInfo = await describeRun(swf, domain, child);
    expect(childInfo.executionInfo!.parent).toEqual(parent);
    expect(childInfo.executionInfo!.tagList).toEqual(['t1']);
    expect(childInfo.executionConfiguration).toEqual({
      executionStartToCloseTimeout: '600',
      taskStartToCloseTimeout: '60',
      taskList: { name: 'child' },
      taskPriority: '5',
      childPolicy: 'ABANDON',
      lambdaRole: ROLE,
    });
    const parentInfo = await describeRun(swf, domain, parent);
    expect(parentInfo.executionInfo!.parent).toBeUndefined();
    expect(parentInfo.openCounts!.openChildWorkflowExecutions).toBe(1);

    // The child's own decision task is on its list, the parent's on `default`.
    const childTask = await pollDecision(swf, domain, 'child');
    expect(childTask.workflowExecution).toEqual(child);
    const parentTask = await pollDecision(swf, domain, 'default');
    expect(parentTask.workflowExecution).toEqual(parent);
    await swf.respondDecisionTaskCompleted({ taskToken: parentTask.taskToken, decisions: [] });
    await swf.respondDecisionTaskCompleted({ taskToken: childTask.taskToken, decisions: [d.complete('done')] });
    expect((await describeRun(swf, domain, parent)).openCounts!.openChildWorkflowExecutions).toBe(0);
  });

  test('decision values override the child type defaults', async () => {
    const domain = await ownDomain();
    const { parent } = await spawnChild(domain, {
      executionStartToCloseTimeout: '120',
      taskStartToCloseTimeout: '30',
      taskList: 'elsewhere',
      taskPriority: '-3',
      childPolicy: 'REQUEST_CANCEL',
      lambdaRole: 'arn:aws:iam::123456789012:role/other',
    });
    const events = await historyOf(swf, domain, parent);
    expect(the(events, 'StartChildWorkflowExecutionInitiated').attrs).toMatchObject({
      executionStartToCloseTimeout: '120',
      taskStartToCloseTimeout: '30',
      taskList: { name: 'elsewhere' },
      taskPriority: '-3',
      childPolicy: 'REQUEST_CANCEL',
      lambdaRole: 'arn:aws:iam::123456789012:role/other',
    });
  });

  test('openChildWorkflowExecutions counts each open child', async () => {
    const domain = await ownDomain();
    const parent = await startRun(swf, domain);
    await decide(swf, domain, [dx.startChild(unique('c'), { workflowType: CHILD }), dx.startChild(unique('c'), { workflowType: CHILD }), dx.startChild(unique('c'), { workflowType: CHILD })]);
    expect((await describeRun(swf, domain, parent)).openCounts!.openChildWorkflowExecutions).toBe(3);
    // One child finishes: two remain.
    const childTask = await pollDecision(swf, domain, 'child');
    await swf.respondDecisionTaskCompleted({ taskToken: childTask.taskToken, decisions: [d.complete()] });
    expect((await describeRun(swf, domain, parent)).openCounts!.openChildWorkflowExecutions).toBe(2);
  });
});

// ------------------------------------------------------------------------------------------------
describe('the parent hears how its child closed', () => {
  const common = (s: Spawned) => ({
    workflowExecution: s.child,
    workflowType: CHILD,
    initiatedEventId: s.initiatedEventId,
    startedEventId: s.startedEventId,
  });

  test('ChildWorkflowExecutionCompleted with the result', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await decide(swf, domain, [d.complete('child-result')], 'child');
    const events = await historyOf(swf, domain, s.parent);
    const e = lastOf(events);
    expect(e.eventType).toBe('ChildWorkflowExecutionCompleted');
    expect(e.childWorkflowExecutionCompletedEventAttributes).toEqual({ ...common(s), result: 'child-result' });
    // startedEventId points at ChildWorkflowExecutionStarted, initiatedEventId at the Initiated event.
    expect(events[s.startedEventId - 1]!.eventType).toBe('ChildWorkflowExecutionStarted');
    expect(events[s.initiatedEventId - 1]!.eventType).toBe('StartChildWorkflowExecutionInitiated');
    // The parent already had a decision task scheduled (for ChildWorkflowExecutionStarted): no second one.
    expect(typesOf(events).slice(-3)).toEqual(['ChildWorkflowExecutionStarted', 'DecisionTaskScheduled', 'ChildWorkflowExecutionCompleted']);
    const task = await pollDecision(swf, domain, 'default');
    expect(typesOf(task.events).slice(-2)).toEqual(['ChildWorkflowExecutionCompleted', 'DecisionTaskStarted']);
  });

  test('ChildWorkflowExecutionFailed with reason and details', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await decide(swf, domain, [d.fail('bad-input', 'line 3')], 'child');
    const e = lastOf(await historyOf(swf, domain, s.parent));
    expect(e.eventType).toBe('ChildWorkflowExecutionFailed');
    expect(e.childWorkflowExecutionFailedEventAttributes).toEqual({ ...common(s), reason: 'bad-input', details: 'line 3' });
  });

  test('ChildWorkflowExecutionCanceled with details', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await decide(swf, domain, [d.cancel('stopped')], 'child');
    const e = lastOf(await historyOf(swf, domain, s.parent));
    expect(e.eventType).toBe('ChildWorkflowExecutionCanceled');
    expect(e.childWorkflowExecutionCanceledEventAttributes).toEqual({ ...common(s), details: 'stopped' });
  });

  test('ChildWorkflowExecutionTimedOut when the child runs out of executionStartToCloseTimeout', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { executionStartToCloseTimeout: '1' });
    const events = await historyWith(swf, domain, s.parent, 'ChildWorkflowExecutionTimedOut', 5000);
    const e = lastOf(events);
    expect(e.eventType).toBe('ChildWorkflowExecutionTimedOut');
    expect(e.childWorkflowExecutionTimedOutEventAttributes).toEqual({ ...common(s), timeoutType: 'START_TO_CLOSE' });
    const childLast = lastOf(await historyOf(swf, domain, s.child));
    expect(childLast.workflowExecutionTimedOutEventAttributes).toEqual({ timeoutType: 'START_TO_CLOSE', childPolicy: 'ABANDON' });
    expect((await describeRun(swf, domain, s.child)).executionInfo!.closeStatus).toBe('TIMED_OUT');
  });

  test('ChildWorkflowExecutionTerminated when the child is terminated through the API', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: s.child.workflowId, reason: 'ops' });
    const e = lastOf(await historyOf(swf, domain, s.parent));
    expect(e.eventType).toBe('ChildWorkflowExecutionTerminated');
    expect(e.childWorkflowExecutionTerminatedEventAttributes).toEqual(common(s));
    expect((await describeRun(swf, domain, s.parent)).openCounts!.openChildWorkflowExecutions).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------
describe('StartChildWorkflowExecution failures', () => {
  test('synchronous causes: no Initiated event and initiatedEventId 0', async () => {
    const domain = await ownDomain();
    await registerWorkflow(swf, domain, 'Old', '1', {
      defaultTaskList: { name: 'child' },
      defaultExecutionStartToCloseTimeout: '60',
      defaultTaskStartToCloseTimeout: '60',
      defaultChildPolicy: 'TERMINATE',
    });
    await swf.deprecateWorkflowType({ domain, workflowType: { name: 'Old', version: '1' } });
    // A type without any default: each member left out of the decision is undefined.
    const bare = await registerWorkflow(swf, domain, 'Bare', '1');
    const full = { executionStartToCloseTimeout: '60', taskList: 'child', taskStartToCloseTimeout: '60', childPolicy: 'TERMINATE' as const };
    const without = (key: keyof typeof full): ChildOptions => {
      const o: Record<string, unknown> = { ...full, workflowType: bare, control: `no-${key}` };
      delete o[key];
      return o as ChildOptions;
    };
    const parent = await startRun(swf, domain);
    await decide(swf, domain, [
      dx.startChild('c-missing-type', { workflowType: { name: 'Nope', version: '1' }, control: 'c1' }),
      dx.startChild('c-missing-version', { workflowType: { name: 'Child', version: '9' } }),
      dx.startChild('c-deprecated', { workflowType: { name: 'Old', version: '1' } }),
      dx.startChild('c-no-exec', without('executionStartToCloseTimeout')),
      dx.startChild('c-no-list', without('taskList')),
      dx.startChild('c-no-task', without('taskStartToCloseTimeout')),
      dx.startChild('c-no-policy', without('childPolicy')),
    ]);
    const events = await historyOf(swf, domain, parent);
    // No Initiated event, no child run; one new decision task, after the whole batch.
    expect(typesOf(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      ...Array(7).fill('StartChildWorkflowExecutionFailed'),
      'DecisionTaskScheduled',
    ]);
    const failed = events.filter((e) => e.eventType === 'StartChildWorkflowExecutionFailed').map((e) => e.startChildWorkflowExecutionFailedEventAttributes);
    expect(failed).toEqual([
      { workflowId: 'c-missing-type', workflowType: { name: 'Nope', version: '1' }, cause: 'WORKFLOW_TYPE_DOES_NOT_EXIST', initiatedEventId: 0, decisionTaskCompletedEventId: 4, control: 'c1' },
      { workflowId: 'c-missing-version', workflowType: { name: 'Child', version: '9' }, cause: 'WORKFLOW_TYPE_DOES_NOT_EXIST', initiatedEventId: 0, decisionTaskCompletedEventId: 4 },
      { workflowId: 'c-deprecated', workflowType: { name: 'Old', version: '1' }, cause: 'WORKFLOW_TYPE_DEPRECATED', initiatedEventId: 0, decisionTaskCompletedEventId: 4 },
      { workflowId: 'c-no-exec', workflowType: bare, cause: 'DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED', initiatedEventId: 0, decisionTaskCompletedEventId: 4, control: 'no-executionStartToCloseTimeout' },
      { workflowId: 'c-no-list', workflowType: bare, cause: 'DEFAULT_TASK_LIST_UNDEFINED', initiatedEventId: 0, decisionTaskCompletedEventId: 4, control: 'no-taskList' },
      { workflowId: 'c-no-task', workflowType: bare, cause: 'DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED', initiatedEventId: 0, decisionTaskCompletedEventId: 4, control: 'no-taskStartToCloseTimeout' },
      { workflowId: 'c-no-policy', workflowType: bare, cause: 'DEFAULT_CHILD_POLICY_UNDEFINED', initiatedEventId: 0, decisionTaskCompletedEventId: 4, control: 'no-childPolicy' },
    ]);
    expect((await describeRun(swf, domain, parent)).openCounts!.openChildWorkflowExecutions).toBe(0);
    // None of them created a run.
    const open = await swf.listOpenWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) } });
    expect(open.executionInfos!.map((i) => i.execution!.workflowId)).toEqual([parent.workflowId]);
  });

  test('WORKFLOW_ALREADY_RUNNING follows the Initiated event and names it', async () => {
    const domain = await ownDomain();
    const other = await startRun(swf, domain, { taskList: 'other' });
    const parent = await startRun(swf, domain);
    await decide(swf, domain, [
      dx.startChild(other.workflowId, { workflowType: CHILD, control: 'dup' }),
      dx.startChild(parent.workflowId, { workflowType: CHILD }),
    ]);
    const events = await historyOf(swf, domain, parent);
    expect(typesOf(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'StartChildWorkflowExecutionInitiated',
      'StartChildWorkflowExecutionInitiated',
      'StartChildWorkflowExecutionFailed',
      'DecisionTaskScheduled',
      'StartChildWorkflowExecutionFailed',
    ]);
    expect(events[6]!.startChildWorkflowExecutionFailedEventAttributes).toEqual({
      workflowId: other.workflowId,
      workflowType: CHILD,
      cause: 'WORKFLOW_ALREADY_RUNNING',
      initiatedEventId: 5,
      decisionTaskCompletedEventId: 4,
      control: 'dup',
    });
    expect(events[8]!.startChildWorkflowExecutionFailedEventAttributes).toEqual({
      workflowId: parent.workflowId,
      workflowType: CHILD,
      cause: 'WORKFLOW_ALREADY_RUNNING',
      initiatedEventId: 6,
      decisionTaskCompletedEventId: 4,
    });
    expect((await describeRun(swf, domain, parent)).openCounts!.openChildWorkflowExecutions).toBe(0);
    // The run that held the workflowId is untouched.
    expect(typesOf(await historyOf(swf, domain, other))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
  });

  describe('limits', () => {
    let limited: TestEngine;
    beforeAll(async () => {
      limited = await startTestEngine({ pollTimeoutMs: 500, maxOpenChildren: 1, maxOpenExecutionsPerDomain: 2 });
    });
    afterAll(async () => {
      await limited?.close();
    });

    test('OPEN_CHILDREN_LIMIT_EXCEEDED (maxOpenChildren: 1)', async () => {
      const s = limited.swf;
      const domain = await ownDomain(s);
      const parent = await startRun(s, domain);
      await decide(s, domain, [dx.startChild('first', { workflowType: CHILD }), dx.startChild('second', { workflowType: CHILD, control: 'x' })]);
      const events = await historyOf(s, domain, parent);
      expect(typesOf(events).slice(3)).toEqual([
        'DecisionTaskCompleted',
        'StartChildWorkflowExecutionInitiated',
        'StartChildWorkflowExecutionFailed',
        'DecisionTaskScheduled',
        'ChildWorkflowExecutionStarted',
      ]);
      expect(events[5]!.startChildWorkflowExecutionFailedEventAttributes).toEqual({
        workflowId: 'second',
        workflowType: CHILD,
        cause: 'OPEN_CHILDREN_LIMIT_EXCEEDED',
        initiatedEventId: 0,
        decisionTaskCompletedEventId: 4,
        control: 'x',
      });
    });

    test('OPEN_WORKFLOWS_LIMIT_EXCEEDED (maxOpenExecutionsPerDomain: 2)', async () => {
      const s = limited.swf;
      const domain = await ownDomain(s);
      await startRun(s, domain, { taskList: 'other' });
      const parent = await startRun(s, domain);
      await decide(s, domain, [dx.startChild('one-too-many', { workflowType: CHILD })]);
      const events = await historyOf(s, domain, parent);
      expect(typesOf(events).slice(3)).toEqual(['DecisionTaskCompleted', 'StartChildWorkflowExecutionFailed', 'DecisionTaskScheduled']);
      expect(events[4]!.startChildWorkflowExecutionFailedEventAttributes).toEqual({
        workflowId: 'one-too-many',
        workflowType: CHILD,
        cause: 'OPEN_WORKFLOWS_LIMIT_EXCEEDED',
        initiatedEventId: 0,
        decisionTaskCompletedEventId: 4,
      });
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('child policy', () => {
  test('TERMINATE: a terminated parent terminates its open child (cause CHILD_POLICY_APPLIED)', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId, reason: 'stop' });
    const parentEvents = await historyOf(swf, domain, s.parent);
    expect(lastOf(parentEvents).workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'TERMINATE', reason: 'stop', cause: 'OPERATOR_INITIATED' });
    const childEvents = await historyOf(swf, domain, s.child);
    expect(typesOf(childEvents)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionTerminated']);
    // The child's own policy (Child/1: ABANDON) is the one recorded.
    expect(childEvents[2]!.workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'ABANDON', cause: 'CHILD_POLICY_APPLIED' });
    expect((await describeRun(swf, domain, s.child)).executionInfo!.closeStatus).toBe('TERMINATED');
    // The closed parent hears nothing of it.
    expect(lastOf(await historyOf(swf, domain, s.parent)).eventType).toBe('WorkflowExecutionTerminated');
  });

  test('TERMINATE recurses into grandchildren', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { childPolicy: 'TERMINATE' });
    await decide(swf, domain, [dx.startChild(unique('grandchild'), { workflowType: CHILD, taskList: 'grand' })], 'child');
    const grand = the(await historyOf(swf, domain, s.child), 'ChildWorkflowExecutionStarted').attrs.workflowExecution as Run;
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId });
    expect(lastOf(await historyOf(swf, domain, s.child)).workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'TERMINATE', cause: 'CHILD_POLICY_APPLIED' });
    expect(lastOf(await historyOf(swf, domain, grand)).workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'ABANDON', cause: 'CHILD_POLICY_APPLIED' });
  });

  test('REQUEST_CANCEL (terminate override): the child gets WorkflowExecutionCancelRequested', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId, childPolicy: 'REQUEST_CANCEL' });
    expect(lastOf(await historyOf(swf, domain, s.parent)).workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'REQUEST_CANCEL', cause: 'OPERATOR_INITIATED' });
    const childEvents = await historyOf(swf, domain, s.child);
    // The child's decision task was already scheduled, so no second one.
    expect(typesOf(childEvents)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionCancelRequested']);
    expect(childEvents[2]!.workflowExecutionCancelRequestedEventAttributes).toEqual({ cause: 'CHILD_POLICY_APPLIED', externalInitiatedEventId: 0 });
    const info = (await describeRun(swf, domain, s.child)).executionInfo!;
    expect(info.executionStatus).toBe('OPEN');
    expect(info.cancelRequested).toBe(true);
    // The child's decider sees the request and may cancel; the closed parent gets nothing.
    await decide(swf, domain, [d.cancel('as asked')], 'child');
    expect((await describeRun(swf, domain, s.child)).executionInfo!.closeStatus).toBe('CANCELED');
    expect(lastOf(await historyOf(swf, domain, s.parent)).eventType).toBe('WorkflowExecutionTerminated');
  });

  test('REQUEST_CANCEL on a child whose decider is busy schedules a decision for it', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { parentPolicy: 'REQUEST_CANCEL' });
    // The child's decision task was already polled: the cancel request appends a new one.
    const childTask = await pollDecision(swf, domain, 'child');
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId });
    await swf.respondDecisionTaskCompleted({ taskToken: childTask.taskToken, decisions: [] });
    const childEvents = await historyOf(swf, domain, s.child);
    expect(typesOf(childEvents)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'WorkflowExecutionCancelRequested',
      'DecisionTaskScheduled',
      'DecisionTaskCompleted',
    ]);
    expect(childEvents[3]!.workflowExecutionCancelRequestedEventAttributes).toEqual({ cause: 'CHILD_POLICY_APPLIED', externalInitiatedEventId: 0 });
  });

  test('ABANDON: the child keeps running, untouched', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId, childPolicy: 'ABANDON' });
    expect(typesOf(await historyOf(swf, domain, s.child))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    const info = (await describeRun(swf, domain, s.child)).executionInfo!;
    expect(info.executionStatus).toBe('OPEN');
    expect(info.cancelRequested).toBe(false);
    expect(info.parent).toEqual(s.parent);
  });

  test('a closed parent gets no events when its abandoned child closes', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { parentPolicy: 'ABANDON' });
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId });
    const before = await historyOf(swf, domain, s.parent);
    await decide(swf, domain, [d.complete('late')], 'child');
    expect((await describeRun(swf, domain, s.child)).executionInfo!.closeStatus).toBe('COMPLETED');
    expect(await historyOf(swf, domain, s.parent)).toEqual(before);
    expect(lastOf(before).eventType).toBe('WorkflowExecutionTerminated');
  });

  test('a parent that times out applies its child policy', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { parentTimeout: '1', parentPolicy: 'TERMINATE' });
    const parentEvents = await historyWith(swf, domain, s.parent, 'WorkflowExecutionTimedOut', 5000);
    expect(lastOf(parentEvents).workflowExecutionTimedOutEventAttributes).toEqual({ timeoutType: 'START_TO_CLOSE', childPolicy: 'TERMINATE' });
    const childEvents = await historyWith(swf, domain, s.child, 'WorkflowExecutionTerminated');
    expect(lastOf(childEvents).workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'ABANDON', cause: 'CHILD_POLICY_APPLIED' });
    // Nothing reaches the timed-out parent afterwards.
    expect(lastOf(await historyOf(swf, domain, s.parent)).eventType).toBe('WorkflowExecutionTimedOut');
  });

  test('a parent that times out with REQUEST_CANCEL asks its child to cancel', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain, { parentTimeout: '1', parentPolicy: 'REQUEST_CANCEL' });
    await historyWith(swf, domain, s.parent, 'WorkflowExecutionTimedOut', 5000);
    const childEvents = await historyWith(swf, domain, s.child, 'WorkflowExecutionCancelRequested');
    expect(lastOf(childEvents).workflowExecutionCancelRequestedEventAttributes).toEqual({ cause: 'CHILD_POLICY_APPLIED', externalInitiatedEventId: 0 });
  });

  test('by default, a parent that completes does not apply its child policy', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await decide(swf, domain, [d.complete('parent done')]);
    expect((await describeRun(swf, domain, s.parent)).executionInfo!.closeStatus).toBe('COMPLETED');
    expect(typesOf(await historyOf(swf, domain, s.child))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect((await describeRun(swf, domain, s.child)).executionInfo!.executionStatus).toBe('OPEN');
  });

  describe('with childPolicyOnEveryClose: true', () => {
    let every: TestEngine;
    beforeAll(async () => {
      every = await startTestEngine({ pollTimeoutMs: 500, childPolicyOnEveryClose: true });
    });
    afterAll(async () => {
      await every?.close();
    });

    test('a parent that completes applies TERMINATE', async () => {
      const s2 = every.swf;
      const domain = await ownDomain(s2);
      const s = await spawnChild(domain, {}, s2);
      await decide(s2, domain, [d.complete('parent done')]);
      const childEvents = await historyOf(s2, domain, s.child);
      expect(typesOf(childEvents)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionTerminated']);
      expect(childEvents[2]!.workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'ABANDON', cause: 'CHILD_POLICY_APPLIED' });
      // The completed parent hears nothing of its child's termination.
      expect(lastOf(await historyOf(s2, domain, s.parent)).eventType).toBe('WorkflowExecutionCompleted');
    });

    test('a parent that fails applies REQUEST_CANCEL; ABANDON still abandons', async () => {
      const s2 = every.swf;
      const domain = await ownDomain(s2);
      const a = await spawnChild(domain, { parentPolicy: 'REQUEST_CANCEL' }, s2);
      await decide(s2, domain, [d.fail('nope')]);
      expect(lastOf(await historyOf(s2, domain, a.child)).workflowExecutionCancelRequestedEventAttributes).toEqual({ cause: 'CHILD_POLICY_APPLIED', externalInitiatedEventId: 0 });
      const b = await spawnChild(domain, { parentPolicy: 'ABANDON' }, s2);
      await decide(s2, domain, [d.cancel()]);
      expect(typesOf(await historyOf(s2, domain, b.child))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    });
  });

  test('a child that closed before its parent is not touched by the policy', async () => {
    const domain = await ownDomain();
    const s = await spawnChild(domain);
    await decide(swf, domain, [d.complete('early')], 'child');
    await swf.terminateWorkflowExecution({ domain, workflowId: s.parent.workflowId });
    const childEvents = await historyUntil(swf, domain, s.child, () => true);
    expect(lastOf(childEvents).eventType).toBe('WorkflowExecutionCompleted');
  });
});
