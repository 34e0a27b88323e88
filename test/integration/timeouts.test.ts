/**
 * Deadlines fire on their own (spec §8): every scenario arms a short clock, then makes NO API
 * call until well after it is due. The timeout event must already be in the store (read without
 * the API, which would settle due deadlines itself) and be stamped at its deadline, not later.
 */
import type { Decision, HistoryEvent, ScheduleActivityTaskDecisionAttributes, SWF } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { queueKey } from '../../lib/engine/matching/task-matcher';
import { errorName, eventTypes, expectContiguous, fullHistory, only, sleep, storedHistory, ts, waitFor } from '../helpers/history';

/** How late a timeout event may be stamped after its deadline. */
const LATE_MS = 250;
/** How long after a deadline the tests look (and only then make API calls). */
const AFTER_MS = 700;

/**
 * An engine per scenario: the scenarios run concurrently, and any API call settles every due
 * deadline of its engine, so a shared engine would let one scenario's calls fire another's.
 */
const engines: Promise<TestEngine>[] = [];
function engine(): Promise<TestEngine> {
  const e = startTestEngine({ pollTimeoutMs: 1000 });
  engines.push(e);
  return e;
}

afterAll(async () => {
  await Promise.all(engines.map(async (e) => (await e).close()));
});

interface Run {
  t: TestEngine;
  swf: SWF;
  domain: string;
  execution: { workflowId: string; runId: string };
}

async function startRun(name: string, opts: { executionStartToCloseTimeout?: string; taskStartToCloseTimeout?: string } = {}): Promise<Run> {
  const t = await engine();
  const swf = t.swf;
  const domain = unique(`timeouts-${name}`);
  await registerBasics(swf, domain, { taskList: 'dl' });
  const workflowId = `wf-${name}`;
  const { runId } = await swf.startWorkflowExecution({
    domain,
    workflowId,
    workflowType: { name: 'Flow', version: '1' },
    taskList: { name: 'dl' },
    ...opts,
  });
  return { t, swf, domain, execution: { workflowId, runId: runId! } };
}

async function pollDecision(run: Run, taskList = 'dl') {
  const task = await run.swf.pollForDecisionTask({ domain: run.domain, taskList: { name: taskList }, identity: 'decider' });
  if (!task.taskToken) throw new Error(`no decision task on ${taskList}`);
  return task;
}

async function pollActivity(run: Run, taskList = 'al') {
  const task = await run.swf.pollForActivityTask({ domain: run.domain, taskList: { name: taskList }, identity: 'worker' });
  if (!task.taskToken) throw new Error(`no activity task on ${taskList}`);
  return task;
}

async function decide(run: Run, taskToken: string, decisions: Decision[]): Promise<number> {
  await run.swf.respondDecisionTaskCompleted({ taskToken, decisions });
  return Date.now();
}

function schedule(activityId: string, attrs: Partial<ScheduleActivityTaskDecisionAttributes> = {}): Decision {
  return {
    decisionType: 'ScheduleActivityTask',
    scheduleActivityTaskDecisionAttributes: {
      activityType: { name: 'Work', version: '1' },
      activityId,
      taskList: { name: 'al' },
      ...attrs,
    },
  };
}

/** Sleeps, making no API call, until `AFTER_MS` past `deadline`. */
async function sleepPast(deadline: number): Promise<void> {
  await sleep(Math.max(0, deadline + AFTER_MS - Date.now()));
}

/** The event is stamped at `deadline` (give or take clock rounding), not at some later call. */
function expectStampedAt(event: HistoryEvent, deadline: number): void {
  const at = ts(event);
  expect(at).toBeGreaterThanOrEqual(deadline - 1);
  expect(at).toBeLessThanOrEqual(deadline + LATE_MS);
}

/** Proves that `type` reached the store before any API call looked. */
function expectStored(run: Run, type: string, count = 1): void {
  const stored = storedHistory(run.t.engine, run.domain, run.execution);
  expect(stored.filter((e) => e.eventType === type)).toHaveLength(count);
}

const byId = (events: HistoryEvent[], id: number | undefined) => events.find((e) => e.eventId === id)!;
const after = (events: HistoryEvent[], e: HistoryEvent) => events[events.indexOf(e) + 1];

async function pending(run: Run, kind: 'activity' | 'decision', taskList: string): Promise<number> {
  const input = { domain: run.domain, taskList: { name: taskList } };
  const out = kind === 'activity' ? await run.swf.countPendingActivityTasks(input) : await run.swf.countPendingDecisionTasks(input);
  return out.count!;
}

describe('timeouts fire on their own, stamped at the deadline', () => {
  test.concurrent('execution start-to-close: WorkflowExecutionTimedOut, run closed, its tasks dropped', async () => {
    const run = await startRun('exec', { executionStartToCloseTimeout: '2', taskStartToCloseTimeout: '30' });
    const d1 = await pollDecision(run);
    await decide(run, d1.taskToken!, [
      schedule('a1'),
      schedule('a2'),
      { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 't1', startToFireTimeout: '30' } },
    ]);
    const a1 = await pollActivity(run); // a1 STARTED, a2 stays SCHEDULED
    await run.swf.signalWorkflowExecution({ domain: run.domain, workflowId: run.execution.workflowId, signalName: 's1' });
    const d2 = await pollDecision(run); // a decision task in flight
    await run.swf.signalWorkflowExecution({ domain: run.domain, workflowId: run.execution.workflowId, signalName: 's2' });
    const startedAt = ts(d1.events!.find((e) => e.eventType === 'WorkflowExecutionStarted'));

    await sleepPast(startedAt + 2000);
    expectStored(run, 'WorkflowExecutionTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const timedOut = events[events.length - 1]!;
    expect(timedOut.eventType).toBe('WorkflowExecutionTimedOut');
    expect(timedOut.workflowExecutionTimedOutEventAttributes).toEqual({ timeoutType: 'START_TO_CLOSE', childPolicy: 'TERMINATE' });
    expectStampedAt(timedOut, startedAt + 2000);
    expect(eventTypes(events)).not.toContain('TimerFired');

    const { executionInfo, openCounts } = await run.swf.describeWorkflowExecution({ domain: run.domain, execution: run.execution });
    expect(executionInfo!.executionStatus).toBe('CLOSED');
    expect(executionInfo!.closeStatus).toBe('TIMED_OUT');
    expect(executionInfo!.closeTimestamp!.getTime()).toBe(ts(timedOut));
    // Describe keeps what was open at the close (as the service does); the tasks themselves are dropped below.
    expect(openCounts).toMatchObject({ openActivityTasks: 2, openDecisionTasks: 1, openTimers: 1 });

    // Tasks are dropped: nothing queued, and every token held is dead.
    expect(await pending(run, 'activity', 'al')).toBe(0);
    expect(await pending(run, 'decision', 'dl')).toBe(0);
    expect(await errorName(run.swf.respondActivityTaskCompleted({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
    expect(await errorName(run.swf.recordActivityTaskHeartbeat({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
    expect(await errorName(decide(run, d2.taskToken!, []))).toBe('UnknownResourceFault');
    const empty = await run.swf.pollForActivityTask({ domain: run.domain, taskList: { name: 'al' } });
    expect(empty.taskToken ?? '').toBe('');
    expect(await fullHistory(run.swf, run.domain, run.execution)).toHaveLength(events.length);
  });

  test.concurrent('decision start-to-close: DecisionTaskTimedOut, a new DecisionTaskScheduled, stale token refused', async () => {
    const run = await startRun('decision', { taskStartToCloseTimeout: '1' });
    const d1 = await pollDecision(run);
    const started = only(d1.events!, 'DecisionTaskStarted');

    await sleepPast(ts(started) + 1000);
    expectStored(run, 'DecisionTaskTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    expect(eventTypes(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskTimedOut',
      'DecisionTaskScheduled',
    ]);
    const timedOut = events[3]!;
    expect(timedOut.decisionTaskTimedOutEventAttributes).toEqual({ timeoutType: 'START_TO_CLOSE', scheduledEventId: 2, startedEventId: 3 });
    expectStampedAt(timedOut, ts(started) + 1000);
    expect(events[4]!.decisionTaskScheduledEventAttributes).toMatchObject({ taskList: { name: 'dl' }, startToCloseTimeout: '1' });
    expect(ts(events[4])).toBe(ts(timedOut));

    expect(await errorName(decide(run, d1.taskToken!, []))).toBe('UnknownResourceFault');
    expect(await pending(run, 'decision', 'dl')).toBe(1);
    const d2 = await pollDecision(run);
    expect(d2.startedEventId).toBe(6);
    expect(d2.previousStartedEventId).toBe(0); // last *completed* decision task (spec §7.3)
    await decide(run, d2.taskToken!, [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} }]);
  });

  test.concurrent('activity schedule-to-start: ActivityTaskTimedOut SCHEDULE_TO_START with startedEventId 0, then a decision', async () => {
    const run = await startRun('s2s');
    const d1 = await pollDecision(run);
    const respondedAt = await decide(run, d1.taskToken!, [
      schedule('a1', { scheduleToStartTimeout: '1', scheduleToCloseTimeout: '10', startToCloseTimeout: '10' }),
    ]);

    await sleepPast(respondedAt + 1000);
    expectStored(run, 'ActivityTaskTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const scheduled = only(events, 'ActivityTaskScheduled');
    const timedOut = only(events, 'ActivityTaskTimedOut');
    expect(timedOut.activityTaskTimedOutEventAttributes).toEqual({
      timeoutType: 'SCHEDULE_TO_START',
      scheduledEventId: scheduled.eventId,
      startedEventId: 0,
    });
    expectStampedAt(timedOut, ts(scheduled) + 1000);
    expect(after(events, timedOut)?.eventType).toBe('DecisionTaskScheduled');
    expect(await pending(run, 'activity', 'al')).toBe(0);
    expect(await pending(run, 'decision', 'dl')).toBe(1);
    const empty = await run.swf.pollForActivityTask({ domain: run.domain, taskList: { name: 'al' } });
    expect(empty.taskToken ?? '').toBe('');
  });

  test.concurrent('activity schedule-to-close: ActivityTaskTimedOut SCHEDULE_TO_CLOSE, started or not', async () => {
    const run = await startRun('s2c');
    const d1 = await pollDecision(run);
    const respondedAt = await decide(run, d1.taskToken!, [
      schedule('a1', { scheduleToStartTimeout: '10', scheduleToCloseTimeout: '2', startToCloseTimeout: '10' }),
      schedule('a2', { taskList: { name: 'nobody' }, scheduleToStartTimeout: '10', scheduleToCloseTimeout: '2', startToCloseTimeout: '10' }),
    ]);
    const a1 = await pollActivity(run);

    await sleepPast(respondedAt + 2000);
    expectStored(run, 'ActivityTaskTimedOut', 2);

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const timeouts = events.filter((e) => e.eventType === 'ActivityTaskTimedOut');
    expect(timeouts).toHaveLength(2);
    const started = only(events, 'ActivityTaskStarted');
    for (const timedOut of timeouts) {
      const attrs = timedOut.activityTaskTimedOutEventAttributes!;
      const scheduled = byId(events, attrs.scheduledEventId);
      const id = scheduled.activityTaskScheduledEventAttributes!.activityId;
      expect(attrs.timeoutType).toBe('SCHEDULE_TO_CLOSE');
      expect(attrs.startedEventId).toBe(id === 'a1' ? started.eventId : 0);
      expectStampedAt(timedOut, ts(scheduled) + 2000);
    }
    expect(eventTypes(events).filter((t) => t === 'DecisionTaskScheduled')).toHaveLength(2);
    expect(events[events.length - 1]!.eventType).toMatch(/^(DecisionTaskScheduled|ActivityTaskTimedOut)$/);
    expect(await pending(run, 'activity', 'nobody')).toBe(0);
    expect(await pending(run, 'decision', 'dl')).toBe(1);
    expect(await errorName(run.swf.respondActivityTaskCompleted({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
  });

  test.concurrent('activity start-to-close: ActivityTaskTimedOut START_TO_CLOSE, token dead', async () => {
    const run = await startRun('start2close');
    const d1 = await pollDecision(run);
    await decide(run, d1.taskToken!, [schedule('a1', { scheduleToStartTimeout: '10', scheduleToCloseTimeout: '10', startToCloseTimeout: '1' })]);
    const a1 = await pollActivity(run);
    const polledAt = Date.now();

    await sleepPast(polledAt + 1000);
    expectStored(run, 'ActivityTaskTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const started = only(events, 'ActivityTaskStarted');
    const timedOut = only(events, 'ActivityTaskTimedOut');
    expect(timedOut.activityTaskTimedOutEventAttributes).toEqual({
      timeoutType: 'START_TO_CLOSE',
      scheduledEventId: only(events, 'ActivityTaskScheduled').eventId,
      startedEventId: started.eventId,
    });
    expectStampedAt(timedOut, ts(started) + 1000);
    expect(after(events, timedOut)?.eventType).toBe('DecisionTaskScheduled');
    expect(await errorName(run.swf.respondActivityTaskCompleted({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
    expect(await errorName(run.swf.respondActivityTaskFailed({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
  });

  test.concurrent('activity heartbeat: heartbeats in time keep it alive; the timeout carries the last details', async () => {
    const run = await startRun('heartbeat');
    const d1 = await pollDecision(run);
    await decide(run, d1.taskToken!, [
      schedule('a1', { scheduleToStartTimeout: '10', scheduleToCloseTimeout: '10', startToCloseTimeout: '10', heartbeatTimeout: '2' }),
    ]);
    const a1 = await pollActivity(run);
    const polledAt = Date.now();
    let lastSent = 0;
    let lastAnswered = 0;
    for (const [i, offset] of [1000, 2000, 3000].entries()) {
      await sleep(Math.max(0, polledAt + offset - Date.now()));
      lastSent = Date.now();
      const beat = await run.swf.recordActivityTaskHeartbeat({ taskToken: a1.taskToken!, details: `hb-${i + 1}` });
      lastAnswered = Date.now();
      expect(beat.cancelRequested).toBe(false);
    }

    await sleepPast(lastAnswered + 2000);
    expectStored(run, 'ActivityTaskTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const started = only(events, 'ActivityTaskStarted');
    const timedOut = only(events, 'ActivityTaskTimedOut');
    expect(timedOut.activityTaskTimedOutEventAttributes).toEqual({
      timeoutType: 'HEARTBEAT',
      scheduledEventId: only(events, 'ActivityTaskScheduled').eventId,
      startedEventId: started.eventId,
      details: 'hb-3',
    });
    // Due one heartbeat timeout after the last heartbeat, long after the first one would have been.
    expect(ts(timedOut)).toBeGreaterThanOrEqual(lastSent + 2000 - 1);
    expect(ts(timedOut)).toBeLessThanOrEqual(lastAnswered + 2000 + LATE_MS);
    expect(ts(timedOut)).toBeGreaterThan(ts(started) + 4500);
    expect(after(events, timedOut)?.eventType).toBe('DecisionTaskScheduled');
    expect(await errorName(run.swf.recordActivityTaskHeartbeat({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
    expect(await errorName(run.swf.respondActivityTaskCompleted({ taskToken: a1.taskToken! }))).toBe('UnknownResourceFault');
  });

  test.concurrent('timer: TimerFired at its deadline, then a decision', async () => {
    const run = await startRun('timer');
    const d1 = await pollDecision(run);
    const respondedAt = await decide(run, d1.taskToken!, [
      { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 't1', startToFireTimeout: '1', control: 'c' } },
    ]);

    await sleepPast(respondedAt + 1000);
    expectStored(run, 'TimerFired');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const startedTimer = only(events, 'TimerStarted');
    const fired = only(events, 'TimerFired');
    expect(fired.timerFiredEventAttributes).toEqual({ timerId: 't1', startedEventId: startedTimer.eventId });
    expectStampedAt(fired, ts(startedTimer) + 1000);
    expect(after(events, fired)?.eventType).toBe('DecisionTaskScheduled');
    expect(fired).toBe(events[events.length - 2]);
  });

  test.concurrent('"0" timeouts expire immediately', async () => {
    const run = await startRun('zero');
    const d1 = await pollDecision(run);
    await decide(run, d1.taskToken!, [
      schedule('never-started', { scheduleToStartTimeout: '0', scheduleToCloseTimeout: '10', startToCloseTimeout: '10' }),
      schedule('started', { taskList: { name: 'al2' }, scheduleToStartTimeout: '10', scheduleToCloseTimeout: '10', startToCloseTimeout: '0' }),
      { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'now', startToFireTimeout: '0' } },
    ]);
    const a2 = await pollActivity(run, 'al2');
    await sleep(AFTER_MS);
    expectStored(run, 'ActivityTaskTimedOut', 2);
    expectStored(run, 'TimerFired');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    const timeouts = events.filter((e) => e.eventType === 'ActivityTaskTimedOut');
    const bySchedule = new Map(timeouts.map((e) => [byId(events, e.activityTaskTimedOutEventAttributes!.scheduledEventId).activityTaskScheduledEventAttributes!.activityId, e]));
    const s2s = bySchedule.get('never-started')!;
    expect(s2s.activityTaskTimedOutEventAttributes).toMatchObject({ timeoutType: 'SCHEDULE_TO_START', startedEventId: 0 });
    expectStampedAt(s2s, ts(byId(events, s2s.activityTaskTimedOutEventAttributes!.scheduledEventId)));
    const s2c = bySchedule.get('started')!;
    const started = only(events, 'ActivityTaskStarted');
    expect(s2c.activityTaskTimedOutEventAttributes).toMatchObject({ timeoutType: 'START_TO_CLOSE', startedEventId: started.eventId });
    expectStampedAt(s2c, ts(started));
    const fired = only(events, 'TimerFired');
    expectStampedAt(fired, ts(only(events, 'TimerStarted')));
    expect(await errorName(run.swf.respondActivityTaskCompleted({ taskToken: a2.taskToken! }))).toBe('UnknownResourceFault');
    expect(await pending(run, 'activity', 'al')).toBe(0);
  });

  test.concurrent('"0" decision start-to-close and a "0" schedule-to-start with a poller already waiting', async () => {
    const run = await startRun('zero-decision', { taskStartToCloseTimeout: '0' });
    const d1 = await pollDecision(run);
    await sleep(AFTER_MS);
    expectStored(run, 'DecisionTaskTimedOut');
    let events = await fullHistory(run.swf, run.domain, run.execution);
    const timedOut = only(events, 'DecisionTaskTimedOut');
    expect(timedOut.decisionTaskTimedOutEventAttributes).toMatchObject({ timeoutType: 'START_TO_CLOSE', startedEventId: d1.startedEventId });
    expectStampedAt(timedOut, ts(byId(events, d1.startedEventId)));
    expect(await errorName(decide(run, d1.taskToken!, []))).toBe('UnknownResourceFault');

    // A task that expires on the spot is never handed to a poll, even one already waiting.
    const run2 = await startRun('zero-waiting');
    const d = await pollDecision(run2);
    const waiting = run2.swf.pollForActivityTask({ domain: run2.domain, taskList: { name: 'al' }, identity: 'waiting' });
    const key = queueKey(run2.t.engine.core.registry.domain('us-east-1', run2.domain)!.id, 'activity', 'al');
    await waitFor('the poll to wait', () => (run2.t.engine.core.matcher.waiting(key) === 1 ? true : undefined), 5000, 10);
    await decide(run2, d.taskToken!, [schedule('a1', { scheduleToStartTimeout: '0' })]);
    const got = await waiting;
    expect(got.taskToken ?? '').toBe('');
    events = await fullHistory(run2.swf, run2.domain, run2.execution);
    expect(only(events, 'ActivityTaskTimedOut').activityTaskTimedOutEventAttributes).toMatchObject({ timeoutType: 'SCHEDULE_TO_START', startedEventId: 0 });
    expect(eventTypes(events)).not.toContain('ActivityTaskStarted');
  });

  test.concurrent('decision task-list override: next task on the other list; unclaimed, it times out SCHEDULE_TO_START and goes home', async () => {
    const run = await startRun('override');
    const d1 = await pollDecision(run);
    await run.swf.respondDecisionTaskCompleted({
      taskToken: d1.taskToken!,
      decisions: [],
      taskList: { name: 'other' },
      taskListScheduleToStartTimeout: '1',
    });
    await run.swf.signalWorkflowExecution({ domain: run.domain, workflowId: run.execution.workflowId, signalName: 'wake' });
    const signalledAt = Date.now();
    expect(await pending(run, 'decision', 'other')).toBe(1);
    expect(await pending(run, 'decision', 'dl')).toBe(0);

    await sleepPast(signalledAt + 1000);
    expectStored(run, 'DecisionTaskTimedOut');

    const events = await fullHistory(run.swf, run.domain, run.execution);
    expectContiguous(events);
    expect(only(events, 'DecisionTaskCompleted').decisionTaskCompletedEventAttributes).toMatchObject({
      taskList: { name: 'other' },
      taskListScheduleToStartTimeout: '1',
    });
    const scheduled = events.filter((e) => e.eventType === 'DecisionTaskScheduled');
    expect(scheduled).toHaveLength(3);
    const [, onOther, home] = scheduled;
    expect(onOther!.decisionTaskScheduledEventAttributes).toMatchObject({ taskList: { name: 'other' }, scheduleToStartTimeout: '1' });
    const timedOut = only(events, 'DecisionTaskTimedOut');
    expect(timedOut.decisionTaskTimedOutEventAttributes).toEqual({
      timeoutType: 'SCHEDULE_TO_START',
      scheduledEventId: onOther!.eventId,
      startedEventId: 0,
    });
    expectStampedAt(timedOut, ts(onOther) + 1000);
    expect(after(events, timedOut)).toBe(home);
    expect(home!.decisionTaskScheduledEventAttributes).toMatchObject({ taskList: { name: 'dl' }, scheduleToStartTimeout: 'NONE' });

    expect(await pending(run, 'decision', 'other')).toBe(0);
    expect(await pending(run, 'decision', 'dl')).toBe(1);
    const d2 = await pollDecision(run);
    expect(d2.startedEventId).toBe(home!.eventId! + 1);
  });
});
