import { UnknownResourceFault, type HistoryEvent, type SWF } from '@aws-sdk/client-swf';
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
  startRun,
} from '../helpers/swf-flow';

const POLL_HOLD_MS = 500;

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: POLL_HOLD_MS });
  swf = t.swf;
});

afterAll(async () => {
  await t.close();
});

/** A domain of its own, so that each test's polls and counts see only its own tasks. */
async function ownDomain(): Promise<string> {
  const domain = unique('tasks');
  await registerBasics(swf, domain);
  return domain;
}

const pendingDecisions = async (domain: string, taskList = 'default') =>
  (await swf.countPendingDecisionTasks({ domain, taskList: { name: taskList } })).count;
const pendingActivities = async (domain: string, taskList = 'default') =>
  (await swf.countPendingActivityTasks({ domain, taskList: { name: taskList } })).count;

const ids = (events: HistoryEvent[] | undefined): number[] => (events ?? []).map((e) => e.eventId!);

// ------------------------------------------------------------------------------------------------
describe('PollForDecisionTask', () => {
  test('the first task carries the full history from event 1 and previousStartedEventId 0', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain, { input: 'hello' });
    const task = await pollDecision(swf, domain, 'default', { identity: 'decider-1' });
    expect(task.startedEventId).toBe(3);
    expect(task.previousStartedEventId).toBe(0);
    expect(task.workflowExecution).toEqual(run);
    expect(task.workflowType).toEqual({ name: 'Flow', version: '1' });
    expect(task.nextPageToken).toBeUndefined();
    expect(eventTypes(task.events)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect(ids(task.events)).toEqual([1, 2, 3]);
    expect(task.events[0]!.workflowExecutionStartedEventAttributes?.input).toBe('hello');
    expect(task.events[2]!.decisionTaskStartedEventAttributes).toEqual({ scheduledEventId: 2, identity: 'decider-1' });
    // The task is claimed: nothing is pending any more and the history has the Started event.
    expect(await pendingDecisions(domain)).toBe(0);
    expect(ids(await historyOf(swf, domain, run))).toEqual([1, 2, 3]);
  });

  test("previousStartedEventId is the last completed decision's startedEventId; startAtPreviousStartedEvent", async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    const first = await pollDecision(swf, domain);
    await swf.respondDecisionTaskCompleted({ taskToken: first.taskToken, decisions: [d.schedule('a1')] });
    const activity = await pollActivity(swf, domain);
    await swf.respondActivityTaskCompleted({ taskToken: activity.taskToken, result: 'r' });

    // 1 WES, 2 DTS, 3 DTStarted, 4 DTC, 5 ATS, 6 ATStarted, 7 ATC, 8 DTS, 9 DTStarted
    const second = await pollDecision(swf, domain);
    expect(second.previousStartedEventId).toBe(first.startedEventId);
    expect(second.startedEventId).toBe(9);
    expect(ids(second.events)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await swf.respondDecisionTaskCompleted({ taskToken: second.taskToken, decisions: [] });

    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    // 10 DTC, 11 WES(signaled), 12 DTS, 13 DTStarted
    const third = await pollDecision(swf, domain, 'default', { startAtPreviousStartedEvent: true });
    expect(third.previousStartedEventId).toBe(9);
    expect(third.startedEventId).toBe(13);
    expect(ids(third.events)).toEqual([9, 10, 11, 12, 13]);
    expect(third.events[0]!.eventType).toBe('DecisionTaskStarted');
  });

  test('startAtPreviousStartedEvent with no completed decision gives the full history', async () => {
    const domain = await ownDomain();
    await startRun(swf, domain);
    const task = await pollDecision(swf, domain, 'default', { startAtPreviousStartedEvent: true });
    expect(task.previousStartedEventId).toBe(0);
    expect(ids(task.events)).toEqual([1, 2, 3]);
  });

  test('reverseOrder gives the events newest first', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    await decide(swf, domain, [d.marker('m1'), d.marker('m2')]);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    const task = await pollDecision(swf, domain, 'default', { reverseOrder: true });
    expect(ids(task.events)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(task.events[0]!.eventType).toBe('DecisionTaskStarted');
    expect(task.startedEventId).toBe(9);
  });

  test('paging with maximumPageSize 2 serves the same task on every page and never claims another', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    await decide(swf, domain, [d.marker('m1'), d.marker('m2'), d.marker('m3')]);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    // A second run with a decision task on the same list: a page request must not claim it.
    const other = await startRun(swf, domain);
    const [first] = await Promise.all([pollDecision(swf, domain, 'default', { maximumPageSize: 2 })]);
    // The task list serves the oldest task first, so this is the first run's task.
    expect(first.workflowExecution).toEqual(run);
    expect(await pendingDecisions(domain)).toBe(1);

    const pages: number[][] = [ids(first.events)];
    let token = first.nextPageToken;
    expect(token).toBeTruthy();
    // Events that arrive while paging do not extend the task's history.
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'during paging' });
    while (token) {
      const page = await swf.pollForDecisionTask({ domain, taskList: { name: 'default' }, maximumPageSize: 2, nextPageToken: token });
      expect(page.taskToken).toBe(first.taskToken);
      expect(page.startedEventId).toBe(first.startedEventId);
      expect(page.previousStartedEventId).toBe(first.previousStartedEventId);
      expect(page.workflowExecution).toEqual(run);
      expect(page.workflowType).toEqual({ name: 'Flow', version: '1' });
      pages.push(ids(page.events));
      token = page.nextPageToken;
    }
    // 1 WES, 2 DTS, 3 DTStarted, 4 DTC, 5-7 markers, 8 signal, 9 DTS, 10 DTStarted
    expect(pages).toEqual([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
    expect(first.startedEventId).toBe(10);

    // No second task was claimed: the other run still waits and no run got an extra DecisionTaskStarted.
    expect(await pendingDecisions(domain)).toBe(1);
    expect(eventsOf(await historyOf(swf, domain, run), 'DecisionTaskStarted')).toHaveLength(2);
    expect(lastEvent(await historyOf(swf, domain, run)).eventType).toBe('DecisionTaskScheduled');
    expect(eventsOf(await historyOf(swf, domain, other), 'DecisionTaskStarted')).toHaveLength(0);

    // The token from the paged task is live.
    await swf.respondDecisionTaskCompleted({ taskToken: first.taskToken, decisions: [] });
    // The other run was scheduled first, so it is served next, then the signaled run.
    const next = await pollDecision(swf, domain);
    expect(next.workflowExecution).toEqual(other);
    const again = await pollDecision(swf, domain);
    expect(again.workflowExecution).toEqual(run);
    expect(again.previousStartedEventId).toBe(first.startedEventId);
  });

  test('paging in reverseOrder goes from the newest event back to event 1', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    await decide(swf, domain, [d.marker('m1')]);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    // 1 WES, 2 DTS, 3 DTStarted, 4 DTC, 5 marker, 6 signal, 7 DTS, 8 DTStarted
    const first = await pollDecision(swf, domain, 'default', { maximumPageSize: 3, reverseOrder: true });
    const pages: number[][] = [ids(first.events)];
    let token = first.nextPageToken;
    while (token) {
      const page = await swf.pollForDecisionTask({ domain, taskList: { name: 'default' }, maximumPageSize: 3, reverseOrder: true, nextPageToken: token });
      expect(page.taskToken).toBe(first.taskToken);
      pages.push(ids(page.events));
      token = page.nextPageToken;
    }
    expect(pages).toEqual([[8, 7, 6], [5, 4, 3], [2, 1]]);
  });

  test('a nextPageToken that is not one of the engine is a ValidationException', async () => {
    const domain = await ownDomain();
    await expectValidation(swf.pollForDecisionTask({ domain, taskList: { name: 'default' }, nextPageToken: 'bogus' }));
  });

  test('an empty poll answers after the hold with no task', async () => {
    const domain = await ownDomain();
    const started = Date.now();
    const out = await swf.pollForDecisionTask({ domain, taskList: { name: 'nothing-here' } });
    expect(out.taskToken ?? '').toBe('');
    expect(out.startedEventId).toBe(0);
    expect(out.previousStartedEventId ?? 0).toBe(0);
    expect(out.events ?? []).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(POLL_HOLD_MS - 50);
  });

  test('a waiting poll is handed a task as soon as one is scheduled', async () => {
    const domain = await ownDomain();
    const poll = swf.pollForDecisionTask({ domain, taskList: { name: 'default' } });
    await new Promise((r) => setTimeout(r, 50));
    const run = await startRun(swf, domain);
    const task = await poll;
    expect(task.taskToken).toBeTruthy();
    expect(task.workflowExecution).toEqual(run);
  });

  test('an unknown domain gives UnknownResourceFault', async () => {
    const nodom = unique('nodom');
    await expectFault(swf.pollForDecisionTask({ domain: nodom, taskList: { name: 'x' } }), UnknownResourceFault, `Unknown domain: ${nodom}`);
    await expectFault(swf.pollForActivityTask({ domain: nodom, taskList: { name: 'x' } }), UnknownResourceFault, `Unknown domain: ${nodom}`);
    await expectFault(swf.countPendingDecisionTasks({ domain: nodom, taskList: { name: 'x' } }), UnknownResourceFault);
    await expectFault(swf.countPendingActivityTasks({ domain: nodom, taskList: { name: 'x' } }), UnknownResourceFault);
  });
});

// ------------------------------------------------------------------------------------------------
describe('RespondDecisionTaskCompleted', () => {
  test('a used token is stale: UnknownResourceFault', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    const task = await pollDecision(swf, domain);
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.marker('once')] });
    await expectFault(swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.marker('twice')] }), UnknownResourceFault);
    const events = await historyOf(swf, domain, run);
    expect(eventsOf(events, 'MarkerRecorded')).toHaveLength(1);
    expect(eventsOf(events, 'DecisionTaskCompleted')).toHaveLength(1);
  });

  test('the token of an earlier decision task is stale once a newer one started', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    const first = await pollDecision(swf, domain);
    await swf.respondDecisionTaskCompleted({ taskToken: first.taskToken, decisions: [] });
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    const second = await pollDecision(swf, domain);
    await expectFault(swf.respondDecisionTaskCompleted({ taskToken: first.taskToken, decisions: [] }), UnknownResourceFault);
    await swf.respondDecisionTaskCompleted({ taskToken: second.taskToken, decisions: [] });
  });

  test('a rejected batch writes nothing and keeps the token valid', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    const task = await pollDecision(swf, domain);
    await expectValidation(
      swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.complete(), d.marker('after')] }),
      /Close must be last decision in list/,
    );
    expect(ids(await historyOf(swf, domain, run))).toEqual([1, 2, 3]);
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.marker('fine')] });
    expect(eventTypes(await historyOf(swf, domain, run)).slice(3)).toEqual(['DecisionTaskCompleted', 'MarkerRecorded']);
  });

  test('a token this engine did not make is a ValidationException', async () => {
    await expectValidation(swf.respondDecisionTaskCompleted({ taskToken: 'not-a-token', decisions: [] }));
    await expectValidation(swf.respondActivityTaskCompleted({ taskToken: 'not-a-token' }));
  });
});

// ------------------------------------------------------------------------------------------------
describe('activity tasks', () => {
  /** A run with activity `a1` scheduled; returns the run, the domain and the scheduled event id. */
  async function withScheduledActivity(extra: Record<string, unknown> = { input: 'work-input' }) {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    await decide(swf, domain, [d.schedule('a1', extra)]);
    const scheduledEventId = onlyEvent(await historyOf(swf, domain, run), 'ActivityTaskScheduled').eventId!;
    return { domain, run, scheduledEventId };
  }

  test('PollForActivityTask hands out activityId, input, activityType and workflowExecution', async () => {
    const { domain, run, scheduledEventId } = await withScheduledActivity();
    expect(await pendingActivities(domain)).toBe(1);
    const task = await pollActivity(swf, domain, 'default', 'worker-1');
    expect(task.activityId).toBe('a1');
    expect(task.input).toBe('work-input');
    expect(task.activityType).toEqual({ name: 'Work', version: '1' });
    expect(task.workflowExecution).toEqual(run);
    const events = await historyOf(swf, domain, run);
    const started = lastEvent(events);
    expect(started.eventType).toBe('ActivityTaskStarted');
    expect(task.startedEventId).toBe(started.eventId);
    expect(started.activityTaskStartedEventAttributes).toEqual({ scheduledEventId, identity: 'worker-1' });
    expect(await pendingActivities(domain)).toBe(0);
  });

  test('an empty activity poll answers with no task', async () => {
    const domain = await ownDomain();
    const out = await swf.pollForActivityTask({ domain, taskList: { name: 'idle' } });
    expect(out.taskToken ?? '').toBe('');
    expect(out.startedEventId).toBe(0);
  });

  test('RespondActivityTaskCompleted appends ActivityTaskCompleted and schedules a decision; a second answer is refused', async () => {
    const { domain, run, scheduledEventId } = await withScheduledActivity();
    const task = await pollActivity(swf, domain);
    expect(await pendingDecisions(domain)).toBe(0);
    await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: 'done' });
    const events = await historyOf(swf, domain, run);
    expect(eventTypes(events).slice(-2)).toEqual(['ActivityTaskCompleted', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.activityTaskCompletedEventAttributes).toEqual({
      scheduledEventId,
      startedEventId: task.startedEventId,
      result: 'done',
    });
    expect(await pendingDecisions(domain)).toBe(1);

    const message = `Unknown activity, scheduledEventId = ${scheduledEventId}`;
    await expectFault(swf.respondActivityTaskCompleted({ taskToken: task.taskToken }), UnknownResourceFault, message);
    await expectFault(swf.respondActivityTaskFailed({ taskToken: task.taskToken }), UnknownResourceFault, message);
    await expectFault(swf.respondActivityTaskCanceled({ taskToken: task.taskToken }), UnknownResourceFault, message);
    await expectFault(swf.recordActivityTaskHeartbeat({ taskToken: task.taskToken }), UnknownResourceFault, message);
    expect(await historyOf(swf, domain, run)).toHaveLength(events.length);
  });

  test('RespondActivityTaskFailed appends ActivityTaskFailed with reason and details', async () => {
    const { domain, run, scheduledEventId } = await withScheduledActivity();
    const task = await pollActivity(swf, domain);
    await swf.respondActivityTaskFailed({ taskToken: task.taskToken, reason: 'broken', details: 'stack' });
    const events = await historyOf(swf, domain, run);
    expect(eventTypes(events).slice(-2)).toEqual(['ActivityTaskFailed', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.activityTaskFailedEventAttributes).toEqual({
      scheduledEventId,
      startedEventId: task.startedEventId,
      reason: 'broken',
      details: 'stack',
    });
    await expectFault(
      swf.respondActivityTaskFailed({ taskToken: task.taskToken, reason: 'again' }),
      UnknownResourceFault,
      `Unknown activity, scheduledEventId = ${scheduledEventId}`,
    );
  });

  test('RespondActivityTaskCanceled appends ActivityTaskCanceled', async () => {
    const { domain, run, scheduledEventId } = await withScheduledActivity();
    const task = await pollActivity(swf, domain);
    await swf.respondActivityTaskCanceled({ taskToken: task.taskToken, details: 'gave up' });
    const events = await historyOf(swf, domain, run);
    expect(eventTypes(events).slice(-2)).toEqual(['ActivityTaskCanceled', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.activityTaskCanceledEventAttributes).toEqual({
      scheduledEventId,
      startedEventId: task.startedEventId,
      details: 'gave up',
    });
    await expectFault(
      swf.respondActivityTaskCanceled({ taskToken: task.taskToken }),
      UnknownResourceFault,
      `Unknown activity, scheduledEventId = ${scheduledEventId}`,
    );
  });

  test('an activity answer while a decision is in flight appends a DecisionTaskScheduled that waits', async () => {
    const { domain, run } = await withScheduledActivity();
    const task = await pollActivity(swf, domain);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 's' });
    const decision = await pollDecision(swf, domain);
    await swf.respondActivityTaskCompleted({ taskToken: task.taskToken });
    expect(eventTypes(await historyOf(swf, domain, run)).slice(-2)).toEqual(['ActivityTaskCompleted', 'DecisionTaskScheduled']);
    expect(await pendingDecisions(domain)).toBe(0);
    await swf.respondDecisionTaskCompleted({ taskToken: decision.taskToken, decisions: [] });
    expect(await pendingDecisions(domain)).toBe(1);
  });

  test('RecordActivityTaskHeartbeat: cancelRequested false, then true after RequestCancelActivityTask; no history event', async () => {
    const { domain, run, scheduledEventId } = await withScheduledActivity();
    const task = await pollActivity(swf, domain);
    const before = (await historyOf(swf, domain, run)).length;
    expect(await swf.recordActivityTaskHeartbeat({ taskToken: task.taskToken, details: 'p1' })).toMatchObject({ cancelRequested: false });
    expect(await swf.recordActivityTaskHeartbeat({ taskToken: task.taskToken })).toMatchObject({ cancelRequested: false });
    expect(await historyOf(swf, domain, run)).toHaveLength(before);

    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'cancel-it' });
    await decide(swf, domain, [d.cancelActivity('a1')]);
    const events = await historyOf(swf, domain, run);
    const requested = lastEvent(events);
    expect(requested.eventType).toBe('ActivityTaskCancelRequested');

    const beat = await swf.recordActivityTaskHeartbeat({ taskToken: task.taskToken, details: 'p2' });
    expect(beat.cancelRequested).toBe(true);
    expect(await historyOf(swf, domain, run)).toHaveLength(events.length);

    await swf.respondActivityTaskCanceled({ taskToken: task.taskToken });
    const canceled = onlyEvent(await historyOf(swf, domain, run), 'ActivityTaskCanceled');
    expect(canceled.activityTaskCanceledEventAttributes).toEqual({
      scheduledEventId,
      startedEventId: task.startedEventId,
      latestCancelRequestedEventId: requested.eventId,
    });
  });

  test('CountPendingActivityTasks and CountPendingDecisionTasks count scheduled, not started, tasks per list', async () => {
    const domain = await ownDomain();
    expect(await swf.countPendingActivityTasks({ domain, taskList: { name: 'default' } })).toMatchObject({ count: 0, truncated: false });
    expect(await swf.countPendingDecisionTasks({ domain, taskList: { name: 'default' } })).toMatchObject({ count: 0, truncated: false });
    const r1 = await startRun(swf, domain);
    await startRun(swf, domain);
    await startRun(swf, domain, { taskList: 'elsewhere' });
    expect(await pendingDecisions(domain)).toBe(2);
    expect(await pendingDecisions(domain, 'elsewhere')).toBe(1);
    expect(await pendingDecisions(domain, 'unknown-list')).toBe(0);

    const task = await pollDecision(swf, domain);
    expect(task.workflowExecution).toEqual(r1);
    expect(await pendingDecisions(domain)).toBe(1);
    await swf.respondDecisionTaskCompleted({
      taskToken: task.taskToken,
      decisions: [d.schedule('x1'), d.schedule('x2'), d.schedule('x3', { taskList: { name: 'other-acts' } })],
    });
    expect(await pendingActivities(domain)).toBe(2);
    expect(await pendingActivities(domain, 'other-acts')).toBe(1);
    await pollActivity(swf, domain);
    expect(await pendingActivities(domain)).toBe(1);
  });

  test('higher taskPriority is served first, for activities and for decisions', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    await decide(swf, domain, [
      d.schedule('low', { taskPriority: '1' }),
      d.schedule('high', { taskPriority: '10' }),
      d.schedule('default'),
      d.schedule('mid', { taskPriority: '5' }),
      d.schedule('negative', { taskPriority: '-3' }),
    ]);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push((await pollActivity(swf, domain)).activityId!);
    expect(order).toEqual(['high', 'mid', 'low', 'default', 'negative']);
    expect(run.runId).toBeTruthy();

    const plain = await startRun(swf, domain, { taskList: 'prio' });
    const urgent = await startRun(swf, domain, { taskList: 'prio', taskPriority: '100' });
    const relaxed = await startRun(swf, domain, { taskList: 'prio', taskPriority: '-100' });
    const served = [];
    for (let i = 0; i < 3; i++) served.push((await pollDecision(swf, domain, 'prio')).workflowExecution!.runId);
    expect(served).toEqual([urgent.runId, plain.runId, relaxed.runId]);
  });
});

// ------------------------------------------------------------------------------------------------
describe('at most one decision task in flight', () => {
  test('a signal while a decision is started appends a DecisionTaskScheduled that is not pollable until the first completes', async () => {
    const domain = await ownDomain();
    const run = await startRun(swf, domain);
    const first = await pollDecision(swf, domain);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'one' });
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'two' });
    let events = await historyOf(swf, domain, run);
    // Only one DecisionTaskScheduled is appended, however many events arrive.
    expect(eventTypes(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'WorkflowExecutionSignaled',
      'DecisionTaskScheduled',
      'WorkflowExecutionSignaled',
    ]);
    expect(await pendingDecisions(domain)).toBe(0);
    expect((await swf.describeWorkflowExecution({ domain, execution: run })).openCounts?.openDecisionTasks).toBe(1);
    const empty = await swf.pollForDecisionTask({ domain, taskList: { name: 'default' } });
    expect(empty.taskToken ?? '').toBe('');

    await swf.respondDecisionTaskCompleted({ taskToken: first.taskToken, decisions: [] });
    expect(await pendingDecisions(domain)).toBe(1);
    const second = await pollDecision(swf, domain);
    expect(second.previousStartedEventId).toBe(first.startedEventId);
    events = second.events;
    // The pending task (event 5) is the one started now.
    expect(lastEvent(events).decisionTaskStartedEventAttributes?.scheduledEventId).toBe(5);
    expect(eventTypes(events).slice(6)).toEqual(['DecisionTaskCompleted', 'DecisionTaskStarted']);
  });
});
