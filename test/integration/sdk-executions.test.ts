import {
  DefaultUndefinedFault,
  SWFServiceException,
  TypeDeprecatedFault,
  UnknownResourceFault,
  WorkflowExecutionAlreadyStartedFault,
  type SWF,
  type WorkflowExecution,
  type WorkflowExecutionInfo,
} from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import {
  d,
  decide,
  eventsOf,
  eventTypes,
  expectFault,
  expectValidation,
  historyOf,
  lastEvent,
  onlyEvent,
  pollActivity,
  pollDecision,
  rejectionOf,
  sleep,
  startRun,
  type RunRef,
} from '../helpers/swf-flow';

let t: TestEngine;
let swf: SWF;
let domain: string;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
  domain = unique('exec');
  await registerBasics(swf, domain);
});

afterAll(async () => {
  await t.close();
});

const unknownExecutionMessage = (workflowId: string, runId = '') =>
  `Unknown execution: WorkflowExecution=[workflowId=${workflowId}, runId=${runId}]`;

async function describe_(execution: WorkflowExecution, dom = domain) {
  return swf.describeWorkflowExecution({ domain: dom, execution });
}

async function pendingDecisions(dom = domain, taskList = 'default'): Promise<number> {
  return (await swf.countPendingDecisionTasks({ domain: dom, taskList: { name: taskList } })).count!;
}

/** A domain of its own with Flow/1 on its own task list, so polls see only this test's runs. */
async function ownDomain(): Promise<string> {
  const dom = unique('own');
  await registerBasics(swf, dom);
  return dom;
}

// ------------------------------------------------------------------------------------------------
describe('StartWorkflowExecution', () => {
  test('resolves the type defaults into executionConfiguration and WorkflowExecutionStarted', async () => {
    const dom = await ownDomain();
    const before = Date.now();
    const run = await startRun(swf, dom, { input: 'in-1' });
    const out = await describe_(run, dom);
    expect(out.executionConfiguration).toEqual({
      taskStartToCloseTimeout: '300',
      executionStartToCloseTimeout: '3600',
      taskList: { name: 'default' },
      childPolicy: 'TERMINATE',
    });
    const info = out.executionInfo!;
    expect(info.execution).toEqual(run);
    expect(info.workflowType).toEqual({ name: 'Flow', version: '1' });
    expect(info.executionStatus).toBe('OPEN');
    expect(info.cancelRequested).toBe(false);
    expect(info.closeStatus).toBeUndefined();
    expect(info.closeTimestamp).toBeUndefined();
    expect(info.tagList).toBeUndefined();
    expect(info.startTimestamp).toBeInstanceOf(Date);
    expect(info.startTimestamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.startTimestamp!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    const events = await historyOf(swf, dom, run);
    expect(eventTypes(events)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect(events.map((e) => e.eventId)).toEqual([1, 2]);
    expect(events[0]!.eventTimestamp).toBeInstanceOf(Date);
    expect(events[0]!.workflowExecutionStartedEventAttributes).toEqual({
      input: 'in-1',
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '300',
      childPolicy: 'TERMINATE',
      taskList: { name: 'default' },
      workflowType: { name: 'Flow', version: '1' },
      parentInitiatedEventId: 0,
    });
    expect(events[1]!.decisionTaskScheduledEventAttributes).toMatchObject({
      taskList: { name: 'default' },
      startToCloseTimeout: '300',
    });
  });

  test('request values override the type defaults; tagList is kept', async () => {
    const dom = await ownDomain();
    const workflowId = unique('wf');
    const out = await swf.startWorkflowExecution({
      domain: dom,
      workflowId,
      workflowType: { name: 'Flow', version: '1' },
      taskList: { name: 'other' },
      taskPriority: '5',
      input: 'payload',
      executionStartToCloseTimeout: '120',
      taskStartToCloseTimeout: '20',
      childPolicy: 'ABANDON',
      lambdaRole: 'arn:aws:iam::123456789012:role/r',
      tagList: ['t1', 't2'],
    });
    const run = { workflowId, runId: out.runId! };
    const described = await describe_(run, dom);
    expect(described.executionConfiguration).toEqual({
      taskStartToCloseTimeout: '20',
      executionStartToCloseTimeout: '120',
      taskList: { name: 'other' },
      taskPriority: '5',
      childPolicy: 'ABANDON',
      lambdaRole: 'arn:aws:iam::123456789012:role/r',
    });
    expect(described.executionInfo?.tagList).toEqual(['t1', 't2']);
    const events = await historyOf(swf, dom, run);
    expect(events[0]!.workflowExecutionStartedEventAttributes).toEqual({
      input: 'payload',
      executionStartToCloseTimeout: '120',
      taskStartToCloseTimeout: '20',
      childPolicy: 'ABANDON',
      taskList: { name: 'other' },
      taskPriority: '5',
      workflowType: { name: 'Flow', version: '1' },
      tagList: ['t1', 't2'],
      lambdaRole: 'arn:aws:iam::123456789012:role/r',
      parentInitiatedEventId: 0,
    });
    expect(events[1]!.decisionTaskScheduledEventAttributes).toMatchObject({ taskList: { name: 'other' }, taskPriority: '5', startToCloseTimeout: '20' });
    expect(await pendingDecisions(dom, 'other')).toBe(1);
    expect(await pendingDecisions(dom, 'default')).toBe(0);
  });

  test('the type default task priority and lambda role are resolved too', async () => {
    const dom = await ownDomain();
    await swf.registerWorkflowType({
      domain: dom,
      name: 'Prio',
      version: '1',
      defaultTaskList: { name: 'p' },
      defaultExecutionStartToCloseTimeout: '60',
      defaultTaskStartToCloseTimeout: 'NONE',
      defaultChildPolicy: 'REQUEST_CANCEL',
      defaultTaskPriority: '3',
      defaultLambdaRole: 'arn:aws:iam::123456789012:role/default',
    });
    const run = await startRun(swf, dom, { type: { name: 'Prio', version: '1' } });
    expect((await describe_(run, dom)).executionConfiguration).toEqual({
      taskStartToCloseTimeout: 'NONE',
      executionStartToCloseTimeout: '60',
      taskList: { name: 'p' },
      taskPriority: '3',
      childPolicy: 'REQUEST_CANCEL',
      lambdaRole: 'arn:aws:iam::123456789012:role/default',
    });
  });

  test('WorkflowExecutionAlreadyStartedFault while the workflowId is open; a closed one is reused with a new runId', async () => {
    const first = await startRun(swf, domain);
    await expectFault(startRun(swf, domain, { workflowId: first.workflowId }), WorkflowExecutionAlreadyStartedFault);
    // The same workflowId in another domain is a different execution.
    const other = await ownDomain();
    await startRun(swf, other, { workflowId: first.workflowId });

    await swf.terminateWorkflowExecution({ domain, workflowId: first.workflowId });
    const second = await startRun(swf, domain, { workflowId: first.workflowId });
    expect(second.runId).not.toBe(first.runId);
    expect((await describe_(first)).executionInfo?.executionStatus).toBe('CLOSED');
    expect((await describe_(second)).executionInfo?.executionStatus).toBe('OPEN');
    await expectFault(startRun(swf, domain, { workflowId: first.workflowId }), WorkflowExecutionAlreadyStartedFault);
  });

  test('DefaultUndefinedFault names the first value with neither a request value nor a default', async () => {
    const dom = await ownDomain();
    await swf.registerWorkflowType({ domain: dom, name: 'Bare', version: '1' });
    const base = { domain: dom, workflowType: { name: 'Bare', version: '1' } };
    await expectFault(swf.startWorkflowExecution({ ...base, workflowId: unique('wf') }), DefaultUndefinedFault, 'executionStartToCloseTimeout');
    await expectFault(
      swf.startWorkflowExecution({ ...base, workflowId: unique('wf'), executionStartToCloseTimeout: '60' }),
      DefaultUndefinedFault,
      'taskList',
    );
    await expectFault(
      swf.startWorkflowExecution({ ...base, workflowId: unique('wf'), executionStartToCloseTimeout: '60', taskList: { name: 'x' } }),
      DefaultUndefinedFault,
      'taskStartToCloseTimeout',
    );
    await expectFault(
      swf.startWorkflowExecution({
        ...base,
        workflowId: unique('wf'),
        executionStartToCloseTimeout: '60',
        taskList: { name: 'x' },
        taskStartToCloseTimeout: '10',
      }),
      DefaultUndefinedFault,
      'childPolicy',
    );
    // Nothing was started by the failed calls.
    const count = await swf.countOpenWorkflowExecutions({ domain: dom, startTimeFilter: { oldestDate: new Date(0) } });
    expect(count.count).toBe(0);
    const ok = await swf.startWorkflowExecution({
      ...base,
      workflowId: unique('wf'),
      executionStartToCloseTimeout: '60',
      taskList: { name: 'x' },
      taskStartToCloseTimeout: '10',
      childPolicy: 'TERMINATE',
    });
    expect(ok.runId).toBeTruthy();
  });

  test('executionStartToCloseTimeout NONE or over a year is a ValidationException', async () => {
    await expectValidation(
      swf.startWorkflowExecution({ domain, workflowId: unique('wf'), workflowType: { name: 'Flow', version: '1' }, executionStartToCloseTimeout: 'NONE' }),
    );
    await expectValidation(
      swf.startWorkflowExecution({ domain, workflowId: unique('wf'), workflowType: { name: 'Flow', version: '1' }, executionStartToCloseTimeout: '31536001' }),
    );
  });

  test('a deprecated type gives TypeDeprecatedFault', async () => {
    const dom = await ownDomain();
    await swf.deprecateWorkflowType({ domain: dom, workflowType: { name: 'Flow', version: '1' } });
    await expectFault(startRun(swf, dom), TypeDeprecatedFault, 'WorkflowType=[name=Flow, version=1]');
  });

  test('a deprecated domain refuses new starts; its open runs go on and stay visible', async () => {
    const dom = await ownDomain();
    const run = await startRun(swf, dom);
    await swf.deprecateDomain({ name: dom });
    const error = await rejectionOf(startRun(swf, dom));
    // The fault is open in the spec: DomainDeprecatedFault (or TypeDeprecatedFault, as the types are deprecated too).
    expect(error).toBeInstanceOf(SWFServiceException);
    expect(['DomainDeprecatedFault', 'TypeDeprecatedFault']).toContain((error as Error).name);
    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, signalName: 'still here' });
    const task = await pollDecision(swf, dom);
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.complete()] });
    const closed = await swf.listClosedWorkflowExecutions({ domain: dom, closeTimeFilter: { oldestDate: new Date(0) } });
    expect(closed.executionInfos?.map((i) => i.execution)).toEqual([run]);
  });

  test('an unknown type or domain gives UnknownResourceFault', async () => {
    await expectFault(
      startRun(swf, domain, { type: { name: 'Flow', version: '99' } }),
      UnknownResourceFault,
      'Unknown type: WorkflowType=[name=Flow, version=99]',
    );
    const nodom = unique('nodom');
    await expectFault(startRun(swf, nodom), UnknownResourceFault, `Unknown domain: ${nodom}`);
  });
});

// ------------------------------------------------------------------------------------------------
describe('SignalWorkflowExecution', () => {
  test('appends WorkflowExecutionSignaled and schedules a decision; with and without runId', async () => {
    const dom = await ownDomain();
    const run = await startRun(swf, dom);
    // A decision task is already scheduled: the signal adds no second one.
    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, signalName: 'first', input: 'one' });
    let events = await historyOf(swf, dom, run);
    expect(eventTypes(events)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'WorkflowExecutionSignaled']);
    expect(events[2]!.workflowExecutionSignaledEventAttributes).toEqual({ signalName: 'first', input: 'one', externalInitiatedEventId: 0 });

    // Answer with no decisions: the run goes idle with nothing scheduled.
    await decide(swf, dom, []);
    expect(await pendingDecisions(dom)).toBe(0);
    expect((await describe_(run, dom)).openCounts?.openDecisionTasks).toBe(0);

    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, runId: run.runId, signalName: 'second' });
    events = await historyOf(swf, dom, run);
    expect(eventTypes(events).slice(-2)).toEqual(['WorkflowExecutionSignaled', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.workflowExecutionSignaledEventAttributes).toEqual({ signalName: 'second', externalInitiatedEventId: 0 });
    expect(await pendingDecisions(dom)).toBe(1);
    expect((await describe_(run, dom)).openCounts?.openDecisionTasks).toBe(1);

    // The decider sees the signal.
    const task = await pollDecision(swf, dom);
    expect(eventsOf(task.events, 'WorkflowExecutionSignaled').map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual([
      'first',
      'second',
    ]);
  });

  test('an unknown workflowId or runId gives UnknownResourceFault', async () => {
    const run = await startRun(swf, domain);
    const wid = unique('nowf');
    await expectFault(
      swf.signalWorkflowExecution({ domain, workflowId: wid, signalName: 's' }),
      UnknownResourceFault,
      unknownExecutionMessage(wid),
    );
    await expectFault(
      swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, runId: 'not-the-run', signalName: 's' }),
      UnknownResourceFault,
      unknownExecutionMessage(run.workflowId, 'not-the-run'),
    );
    await expectFault(swf.signalWorkflowExecution({ domain: unique('nodom'), workflowId: run.workflowId, signalName: 's' }), UnknownResourceFault, /^Unknown domain: /);
  });

  test('a closed run gives UnknownResourceFault, with and without runId', async () => {
    const run = await startRun(swf, domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: run.workflowId, runId: run.runId });
    await expectFault(swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' }), UnknownResourceFault, /^Unknown execution/);
    await expectFault(
      swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, runId: run.runId, signalName: 's' }),
      UnknownResourceFault,
      /^Unknown execution/,
    );
    expect(eventsOf(await historyOf(swf, domain, run), 'WorkflowExecutionSignaled')).toHaveLength(0);
  });
});

// ------------------------------------------------------------------------------------------------
describe('RequestCancelWorkflowExecution', () => {
  test('appends WorkflowExecutionCancelRequested, sets cancelRequested and schedules a decision', async () => {
    const dom = await ownDomain();
    const run = await startRun(swf, dom);
    await decide(swf, dom, []);
    expect(await pendingDecisions(dom)).toBe(0);

    await swf.requestCancelWorkflowExecution({ domain: dom, workflowId: run.workflowId });
    const events = await historyOf(swf, dom, run);
    expect(eventTypes(events).slice(-2)).toEqual(['WorkflowExecutionCancelRequested', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.workflowExecutionCancelRequestedEventAttributes).toEqual({ externalInitiatedEventId: 0 });
    const info = (await describe_(run, dom)).executionInfo!;
    expect(info.cancelRequested).toBe(true);
    expect(info.executionStatus).toBe('OPEN');
    expect(await pendingDecisions(dom)).toBe(1);

    const listed = await swf.listOpenWorkflowExecutions({ domain: dom, startTimeFilter: { oldestDate: new Date(0) } });
    expect(listed.executionInfos?.[0]?.cancelRequested).toBe(true);

    // With runId too.
    await swf.requestCancelWorkflowExecution({ domain: dom, workflowId: run.workflowId, runId: run.runId });
    expect(eventsOf(await historyOf(swf, dom, run), 'WorkflowExecutionCancelRequested')).toHaveLength(2);
  });

  test('unknown or closed runs give UnknownResourceFault', async () => {
    const wid = unique('nowf');
    await expectFault(swf.requestCancelWorkflowExecution({ domain, workflowId: wid }), UnknownResourceFault, unknownExecutionMessage(wid));
    const run = await startRun(swf, domain);
    await expectFault(
      swf.requestCancelWorkflowExecution({ domain, workflowId: run.workflowId, runId: 'other-run' }),
      UnknownResourceFault,
      unknownExecutionMessage(run.workflowId, 'other-run'),
    );
    await swf.terminateWorkflowExecution({ domain, workflowId: run.workflowId });
    await expectFault(swf.requestCancelWorkflowExecution({ domain, workflowId: run.workflowId }), UnknownResourceFault);
    expect((await describe_(run)).executionInfo?.cancelRequested).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------
describe('TerminateWorkflowExecution', () => {
  test('appends WorkflowExecutionTerminated, closes TERMINATED and invalidates the run tokens', async () => {
    const dom = await ownDomain();
    const run = await startRun(swf, dom);
    // An activity in flight and a decision task in flight.
    await decide(swf, dom, [d.schedule('act')]);
    const activity = await pollActivity(swf, dom);
    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, signalName: 'wake' });
    const decision = await pollDecision(swf, dom);

    await swf.terminateWorkflowExecution({
      domain: dom,
      workflowId: run.workflowId,
      runId: run.runId,
      reason: 'operator said so',
      details: 'more words',
      childPolicy: 'ABANDON',
    });
    const events = await historyOf(swf, dom, run);
    const last = lastEvent(events);
    expect(last.eventType).toBe('WorkflowExecutionTerminated');
    expect(last.workflowExecutionTerminatedEventAttributes).toEqual({
      reason: 'operator said so',
      details: 'more words',
      childPolicy: 'ABANDON',
      cause: 'OPERATOR_INITIATED',
    });

    const out = await describe_(run, dom);
    expect(out.executionInfo?.executionStatus).toBe('CLOSED');
    expect(out.executionInfo?.closeStatus).toBe('TERMINATED');
    expect(out.executionInfo?.closeTimestamp).toBeInstanceOf(Date);
    expect(out.executionInfo!.closeTimestamp!.getTime()).toBeGreaterThanOrEqual(out.executionInfo!.startTimestamp!.getTime());
    // As on the service, a closed run keeps reporting what it had open when it closed.
    expect(out.openCounts).toEqual({ openActivityTasks: 1, openDecisionTasks: 1, openTimers: 0, openChildWorkflowExecutions: 0, openLambdaFunctions: 0 });

    await expectFault(swf.respondDecisionTaskCompleted({ taskToken: decision.taskToken, decisions: [] }), UnknownResourceFault);
    await expectFault(
      swf.respondActivityTaskCompleted({ taskToken: activity.taskToken, result: 'late' }),
      UnknownResourceFault,
      `Unknown activity, scheduledEventId = ${onlyEvent(events, 'ActivityTaskScheduled').eventId}`,
    );
    await expectFault(swf.recordActivityTaskHeartbeat({ taskToken: activity.taskToken }), UnknownResourceFault);
    // Nothing was appended by the refused calls.
    expect(await historyOf(swf, dom, run)).toHaveLength(events.length);
    expect(await pendingDecisions(dom)).toBe(0);
  });

  test('without a childPolicy the run policy is recorded', async () => {
    const run = await startRun(swf, domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: run.workflowId });
    const last = lastEvent(await historyOf(swf, domain, run));
    expect(last.workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'TERMINATE', cause: 'OPERATOR_INITIATED' });
  });

  test('unknown or closed runs give UnknownResourceFault', async () => {
    const wid = unique('nowf');
    await expectFault(swf.terminateWorkflowExecution({ domain, workflowId: wid }), UnknownResourceFault, unknownExecutionMessage(wid));
    const run = await startRun(swf, domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: run.workflowId, runId: run.runId });
    await expectFault(swf.terminateWorkflowExecution({ domain, workflowId: run.workflowId, runId: run.runId }), UnknownResourceFault);
    expect(eventsOf(await historyOf(swf, domain, run), 'WorkflowExecutionTerminated')).toHaveLength(1);
  });
});

// ------------------------------------------------------------------------------------------------
describe('DescribeWorkflowExecution', () => {
  test('openCounts, latestActivityTaskTimestamp and latestExecutionContext follow the run', async () => {
    const dom = await ownDomain();
    const run = await startRun(swf, dom);
    let out = await describe_(run, dom);
    expect(out.openCounts).toEqual({ openActivityTasks: 0, openDecisionTasks: 1, openTimers: 0, openChildWorkflowExecutions: 0, openLambdaFunctions: 0 });
    expect(out.latestActivityTaskTimestamp).toBeUndefined();
    expect(out.latestExecutionContext).toBeUndefined();

    // A started decision task is still open.
    const task = await pollDecision(swf, dom);
    expect((await describe_(run, dom)).openCounts?.openDecisionTasks).toBe(1);

    const before = Date.now();
    await swf.respondDecisionTaskCompleted({
      taskToken: task.taskToken,
      decisions: [d.schedule('a1'), d.schedule('a2'), d.timer('t1', '600')],
      executionContext: 'ctx-1',
    });
    out = await describe_(run, dom);
    expect(out.openCounts).toMatchObject({ openActivityTasks: 2, openDecisionTasks: 0, openTimers: 1 });
    expect(out.latestExecutionContext).toBe('ctx-1');
    expect(out.latestActivityTaskTimestamp).toBeInstanceOf(Date);
    expect(out.latestActivityTaskTimestamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const scheduledAt = out.latestActivityTaskTimestamp!.getTime();

    // A started activity is still open; a completed one is not, and it asks for a decision.
    const a = await pollActivity(swf, dom);
    expect((await describe_(run, dom)).openCounts?.openActivityTasks).toBe(2);
    await swf.respondActivityTaskCompleted({ taskToken: a.taskToken });
    out = await describe_(run, dom);
    expect(out.openCounts).toMatchObject({ openActivityTasks: 1, openDecisionTasks: 1, openTimers: 1 });

    // A completion without executionContext keeps the latest one; the next one replaces it.
    await sleep(5);
    await decide(swf, dom, [d.cancelTimer('t1'), d.schedule('a3')]);
    out = await describe_(run, dom);
    expect(out.latestExecutionContext).toBe('ctx-1');
    expect(out.openCounts).toMatchObject({ openActivityTasks: 2, openDecisionTasks: 0, openTimers: 0 });
    expect(out.latestActivityTaskTimestamp!.getTime()).toBeGreaterThan(scheduledAt);

    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, signalName: 'go' });
    await decide(swf, dom, [], 'default', 'ctx-2');
    expect((await describe_(run, dom)).latestExecutionContext).toBe('ctx-2');
  });

  test('an unknown run gives UnknownResourceFault', async () => {
    const run = await startRun(swf, domain);
    await expectFault(
      describe_({ workflowId: run.workflowId, runId: 'nope' }),
      UnknownResourceFault,
      unknownExecutionMessage(run.workflowId, 'nope'),
    );
    await expectFault(describe_({ workflowId: unique('nowf'), runId: run.runId }), UnknownResourceFault);
  });
});

// ------------------------------------------------------------------------------------------------
describe('GetWorkflowExecutionHistory', () => {
  let run: RunRef;
  let dom: string;

  beforeAll(async () => {
    dom = await ownDomain();
    run = await startRun(swf, dom); // 1 Started, 2 DTS
    // 3 DTStarted, 4 DTC, 5-8 markers
    await decide(swf, dom, [d.marker('m1'), d.marker('m2'), d.marker('m3'), d.marker('m4')]);
    await swf.signalWorkflowExecution({ domain: dom, workflowId: run.workflowId, signalName: 's' }); // 9, 10
  });

  test('the full history is ascending and contiguous', async () => {
    const out = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run });
    expect(out.nextPageToken).toBeUndefined();
    expect(out.events?.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(eventTypes(out.events!)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'MarkerRecorded',
      'MarkerRecorded',
      'MarkerRecorded',
      'MarkerRecorded',
      'WorkflowExecutionSignaled',
      'DecisionTaskScheduled',
    ]);
    const times = out.events!.map((e) => e.eventTimestamp!.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test('maximumPageSize 3 returns contiguous pages and no nextPageToken on the last page', async () => {
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const out = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 3, ...(token ? { nextPageToken: token } : {}) });
      pages.push(out.events!.map((e) => e.eventId!));
      token = out.nextPageToken;
    } while (token);
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
  });

  test('a final page that is exactly full has no nextPageToken', async () => {
    const p1 = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 5 });
    expect(p1.events?.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5]);
    expect(p1.nextPageToken).toBeTruthy();
    const p2 = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 5, nextPageToken: p1.nextPageToken });
    expect(p2.events?.map((e) => e.eventId)).toEqual([6, 7, 8, 9, 10]);
    expect(p2.nextPageToken).toBeUndefined();
  });

  test('reverseOrder gives newest first, paged too', async () => {
    const all = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run, reverseOrder: true });
    expect(all.events?.map((e) => e.eventId)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const out = await swf.getWorkflowExecutionHistory({
        domain: dom,
        execution: run,
        maximumPageSize: 3,
        reverseOrder: true,
        ...(token ? { nextPageToken: token } : {}),
      });
      pages.push(out.events!.map((e) => e.eventId!));
      token = out.nextPageToken;
    } while (token);
    expect(pages).toEqual([[10, 9, 8], [7, 6, 5], [4, 3, 2], [1]]);
  });

  test('maximumPageSize above 1000 is a ValidationException; a foreign page token is refused', async () => {
    await expectValidation(swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 1001 }));
    const p1 = await swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 2 });
    await expectValidation(
      swf.getWorkflowExecutionHistory({ domain: dom, execution: run, maximumPageSize: 2, reverseOrder: true, nextPageToken: p1.nextPageToken }),
    );
  });

  test('an unknown run gives UnknownResourceFault', async () => {
    await expectFault(
      swf.getWorkflowExecutionHistory({ domain: dom, execution: { workflowId: run.workflowId, runId: 'x' } }),
      UnknownResourceFault,
      unknownExecutionMessage(run.workflowId, 'x'),
    );
  });
});

// ------------------------------------------------------------------------------------------------
describe('visibility: List/Count Open/Closed', () => {
  let vis: string;
  const runs: Record<string, RunRef> = {};
  const starts: Record<string, Date> = {};
  const closes: Record<string, Date> = {};
  const ALL = { oldestDate: new Date(0) };

  const ids = (infos: WorkflowExecutionInfo[] | undefined) =>
    (infos ?? []).map((i) => Object.keys(runs).find((k) => runs[k]!.runId === i.execution?.runId) ?? '?');

  async function start(key: string, type: { name: string; version: string }, tagList: string[]) {
    runs[key] = await startRun(swf, vis, { type, tagList, taskList: `tl-${key}` });
    starts[key] = (await swf.describeWorkflowExecution({ domain: vis, execution: runs[key] })).executionInfo!.startTimestamp!;
    await sleep(15);
  }

  async function closeWith(key: string, how: 'complete' | 'fail' | 'cancel' | 'terminate') {
    const run = runs[key]!;
    if (how === 'terminate') await swf.terminateWorkflowExecution({ domain: vis, workflowId: run.workflowId });
    else {
      const decision = how === 'complete' ? d.complete('ok') : how === 'fail' ? d.fail('bad') : d.cancel('stop');
      await decide(swf, vis, [decision], `tl-${key}`);
    }
    closes[key] = (await swf.describeWorkflowExecution({ domain: vis, execution: run })).executionInfo!.closeTimestamp!;
    await sleep(15);
  }

  beforeAll(async () => {
    vis = unique('vis');
    await registerBasics(swf, vis);
    const defaults = { defaultExecutionStartToCloseTimeout: '3600', defaultTaskStartToCloseTimeout: '300', defaultChildPolicy: 'TERMINATE' as const };
    await swf.registerWorkflowType({ domain: vis, name: 'Flow', version: '2', ...defaults });
    await swf.registerWorkflowType({ domain: vis, name: 'Other', version: '1', ...defaults });
    const flow1 = { name: 'Flow', version: '1' };
    const flow2 = { name: 'Flow', version: '2' };
    const other = { name: 'Other', version: '1' };
    await start('o1', flow1, ['red']);
    await start('c1', flow1, ['red']);
    await start('o2', flow2, ['blue']);
    await start('c2', flow2, []);
    await start('o3', other, ['red', 'green']);
    await start('c3', other, ['green']);
    await start('c4', flow1, []);
    // Close in another order than started.
    await closeWith('c3', 'fail');
    await closeWith('c1', 'complete');
    await closeWith('c4', 'cancel');
    await closeWith('c2', 'terminate');
    // Another domain's runs never show.
    const dom2 = await ownDomain();
    await startRun(swf, dom2);
  });

  test('ListOpen sorts by start time, newest first; reverseOrder oldest first', async () => {
    const out = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL });
    expect(ids(out.executionInfos)).toEqual(['o3', 'o2', 'o1']);
    expect(out.nextPageToken).toBeUndefined();
    const o1 = out.executionInfos![2]!;
    expect(o1).toEqual({
      execution: runs.o1,
      workflowType: { name: 'Flow', version: '1' },
      startTimestamp: starts.o1,
      executionStatus: 'OPEN',
      tagList: ['red'],
      cancelRequested: false,
    });
    const rev = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, reverseOrder: true });
    expect(ids(rev.executionInfos)).toEqual(['o1', 'o2', 'o3']);
  });

  test('ListClosed sorts by the chosen time filter; closed infos carry closeStatus and closeTimestamp', async () => {
    const byStart = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL });
    expect(ids(byStart.executionInfos)).toEqual(['c4', 'c3', 'c2', 'c1']);
    const byClose = await swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL });
    expect(ids(byClose.executionInfos)).toEqual(['c2', 'c4', 'c1', 'c3']);
    const byCloseRev = await swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL, reverseOrder: true });
    expect(ids(byCloseRev.executionInfos)).toEqual(['c3', 'c1', 'c4', 'c2']);
    const c1 = byClose.executionInfos!.find((i) => i.execution?.runId === runs.c1!.runId)!;
    expect(c1).toEqual({
      execution: runs.c1,
      workflowType: { name: 'Flow', version: '1' },
      startTimestamp: starts.c1,
      closeTimestamp: closes.c1,
      executionStatus: 'CLOSED',
      closeStatus: 'COMPLETED',
      tagList: ['red'],
      cancelRequested: false,
    });
  });

  test('startTimeFilter is an inclusive range; latestDate is optional', async () => {
    const open = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: { oldestDate: starts.o2!, latestDate: starts.o3! } });
    expect(ids(open.executionInfos)).toEqual(['o3', 'o2']);
    const closed = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: { oldestDate: starts.c1!, latestDate: starts.c2! } });
    expect(ids(closed.executionInfos)).toEqual(['c2', 'c1']);
    const since = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: { oldestDate: starts.c3! } });
    expect(ids(since.executionInfos)).toEqual(['c4', 'c3']);
    const future = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: { oldestDate: new Date(Date.now() + 60_000) } });
    expect(future.executionInfos).toEqual([]);
    expect((await swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: { oldestDate: starts.o2!, latestDate: starts.o3! } })).count).toBe(2);
  });

  test('closeTimeFilter is an inclusive range on the close time', async () => {
    const out = await swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: { oldestDate: closes.c1!, latestDate: closes.c4! } });
    expect(ids(out.executionInfos)).toEqual(['c4', 'c1']);
    const count = await swf.countClosedWorkflowExecutions({ domain: vis, closeTimeFilter: { oldestDate: closes.c4! } });
    expect(count).toMatchObject({ count: 2, truncated: false });
  });

  test('executionFilter matches the workflowId exactly', async () => {
    const open = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: { workflowId: runs.o2!.workflowId } });
    expect(ids(open.executionInfos)).toEqual(['o2']);
    const closed = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: { workflowId: runs.o2!.workflowId } });
    expect(closed.executionInfos).toEqual([]);
    const prefix = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: { workflowId: 'wf' } });
    expect(prefix.executionInfos).toEqual([]);
    expect((await swf.countClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL, executionFilter: { workflowId: runs.c4!.workflowId } })).count).toBe(1);
  });

  test('typeFilter by name only and by name and version', async () => {
    const byName = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Flow' } });
    expect(ids(byName.executionInfos)).toEqual(['o2', 'o1']);
    const byVersion = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Flow', version: '2' } });
    expect(ids(byVersion.executionInfos)).toEqual(['o2']);
    const closed = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Flow', version: '1' } });
    expect(ids(closed.executionInfos)).toEqual(['c4', 'c1']);
    expect((await swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Flow' } })).count).toBe(2);
    expect((await swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Other' } })).count).toBe(1);
    expect((await swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Nope' } })).count).toBe(0);
  });

  test('tagFilter matches a tag in tagList', async () => {
    const red = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, tagFilter: { tag: 'red' } });
    expect(ids(red.executionInfos)).toEqual(['o3', 'o1']);
    const green = await swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL, tagFilter: { tag: 'green' } });
    expect(ids(green.executionInfos)).toEqual(['c3']);
    expect((await swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, tagFilter: { tag: 'gre' } })).count).toBe(0);
    expect((await swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, tagFilter: { tag: 'red' } })).count).toBe(1);
  });

  test('closeStatusFilter matches the close status', async () => {
    const expected: Record<string, string[]> = { COMPLETED: ['c1'], FAILED: ['c3'], CANCELED: ['c4'], TERMINATED: ['c2'], TIMED_OUT: [], CONTINUED_AS_NEW: [] };
    for (const [status, keys] of Object.entries(expected)) {
      const out = await swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL, closeStatusFilter: { status: status as never } });
      expect(ids(out.executionInfos)).toEqual(keys);
      expect(out.executionInfos?.every((i) => i.closeStatus === status)).toBe(true);
      const count = await swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, closeStatusFilter: { status: status as never } });
      expect(count.count).toBe(keys.length);
    }
  });

  test('paging with maximumPageSize and nextPageToken, in both orders', async () => {
    const p1 = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, maximumPageSize: 3 });
    expect(ids(p1.executionInfos)).toEqual(['c4', 'c3', 'c2']);
    expect(p1.nextPageToken).toBeTruthy();
    const p2 = await swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, maximumPageSize: 3, nextPageToken: p1.nextPageToken });
    expect(ids(p2.executionInfos)).toEqual(['c1']);
    expect(p2.nextPageToken).toBeUndefined();

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const out = await swf.listOpenWorkflowExecutions({
        domain: vis,
        startTimeFilter: ALL,
        maximumPageSize: 1,
        reverseOrder: true,
        ...(token ? { nextPageToken: token } : {}),
      });
      pages.push(ids(out.executionInfos));
      token = out.nextPageToken;
    } while (token);
    expect(pages).toEqual([['o1'], ['o2'], ['o3']]);

    const exact = await swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, maximumPageSize: 3 });
    expect(exact.executionInfos).toHaveLength(3);
    expect(exact.nextPageToken).toBeUndefined();
  });

  test('Count gives the totals with truncated false', async () => {
    expect(await swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL })).toMatchObject({ count: 3, truncated: false });
    expect(await swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL })).toMatchObject({ count: 4, truncated: false });
    expect(await swf.countClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL })).toMatchObject({ count: 4, truncated: false });
  });

  test('an unknown domain gives UnknownResourceFault', async () => {
    const nodom = unique('nodom');
    await expectFault(swf.listOpenWorkflowExecutions({ domain: nodom, startTimeFilter: ALL }), UnknownResourceFault, `Unknown domain: ${nodom}`);
    await expectFault(swf.countClosedWorkflowExecutions({ domain: nodom, closeTimeFilter: ALL }), UnknownResourceFault);
  });

  test('filter exclusivity rules give ValidationException', async () => {
    const wf = { workflowId: runs.o1!.workflowId };
    // Open: startTimeFilter is required, and at most one of execution/type/tag filters.
    await expectValidation(swf.listOpenWorkflowExecutions({ domain: vis } as never));
    await expectValidation(swf.countOpenWorkflowExecutions({ domain: vis } as never));
    await expectValidation(swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: wf, typeFilter: { name: 'Flow' } }));
    await expectValidation(swf.listOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, typeFilter: { name: 'Flow' }, tagFilter: { tag: 'red' } }));
    await expectValidation(swf.countOpenWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: wf, tagFilter: { tag: 'red' } }));
    // Closed: exactly one time filter, and at most one of the four others.
    await expectValidation(swf.listClosedWorkflowExecutions({ domain: vis }));
    await expectValidation(swf.countClosedWorkflowExecutions({ domain: vis }));
    await expectValidation(swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, closeTimeFilter: ALL }));
    await expectValidation(swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, closeTimeFilter: ALL }));
    await expectValidation(
      swf.listClosedWorkflowExecutions({ domain: vis, closeTimeFilter: ALL, closeStatusFilter: { status: 'COMPLETED' }, typeFilter: { name: 'Flow' } }),
    );
    await expectValidation(swf.countClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, closeStatusFilter: { status: 'FAILED' }, tagFilter: { tag: 'x' } }));
    await expectValidation(swf.listClosedWorkflowExecutions({ domain: vis, startTimeFilter: ALL, executionFilter: wf, tagFilter: { tag: 'x' } }));
  });
});
