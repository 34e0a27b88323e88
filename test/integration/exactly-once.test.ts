/**
 * Exactly-once hand-off under concurrent polling (spec §7.1): every scheduled task goes to exactly
 * one poll, none is lost, and a run never has two decision tasks in flight (§4).
 */
import type { Decision, HistoryEvent, SWF } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, swfClient, unique, type TestEngine } from '../helpers/engine';
import { expectContiguous, fullHistory, sleep, waitFor } from '../helpers/history';

const WORKFLOW = { name: 'Flow', version: '1' };
const ACTIVITY = { name: 'Work', version: '1' };

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 1000 });
});
afterAll(() => t.close());

/** Runs `n` polling loops until `done()`; each loop gets its own SWF client. */
function pollers<T>(n: number, done: () => boolean, body: (swf: SWF, id: string) => Promise<T>): Promise<void>[] {
  return Array.from({ length: n }, async (_, i) => {
    const id = `poller-${i + 1}`;
    const swf = swfClient(t.engine.endpoint);
    try {
      while (!done()) await body(swf, id);
    } finally {
      swf.destroy();
    }
  });
}

const complete: Decision = { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} };

test('8 concurrent activity pollers: each of 2,000 tasks is delivered exactly once', async () => {
  const RUNS = 20;
  const PER_RUN = 100;
  const TOTAL = RUNS * PER_RUN;
  const domain = unique('exactly-once');
  await registerBasics(t.swf, domain, { taskList: 'decisions' });

  const runs = await Promise.all(
    Array.from({ length: RUNS }, async (_, i) => {
      const workflowId = `wf-${i}`;
      const { runId } = await t.swf.startWorkflowExecution({ domain, workflowId, workflowType: WORKFLOW });
      return { workflowId, runId: runId! };
    }),
  );

  // Who received each (runId, activityId), in arrival order.
  const deliveries: { runId: string; activityId: string; poller: string; startedEventId: number }[] = [];
  const failures: unknown[] = [];
  let stop = false;
  const workers = pollers(8, () => stop, async (swf, id) => {
    const task = await swf.pollForActivityTask({ domain, taskList: { name: 'work' }, identity: id });
    if (!task.taskToken) return;
    deliveries.push({ runId: task.workflowExecution!.runId!, activityId: task.activityId!, poller: id, startedEventId: task.startedEventId! });
    try {
      await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: id });
    } catch (error) {
      failures.push(error);
    }
  });

  // One decision per run schedules its 100 activities, while the workers are already polling.
  for (let handled = 0; handled < RUNS; ) {
    const task = await t.swf.pollForDecisionTask({ domain, taskList: { name: 'decisions' }, identity: 'decider' });
    if (!task.taskToken) continue;
    handled++;
    const decisions: Decision[] = Array.from({ length: PER_RUN }, (_, i) => ({
      decisionType: 'ScheduleActivityTask',
      scheduleActivityTaskDecisionAttributes: { activityType: ACTIVITY, activityId: `act-${i}`, taskList: { name: 'work' } },
    }));
    await t.swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions });
  }

  await waitFor('every activity to be delivered', () => (deliveries.length >= TOTAL ? true : undefined), 40_000, 50);
  await sleep(300); // room for a duplicate to show up
  stop = true;
  await Promise.all(workers);

  expect(failures).toEqual([]);
  expect(deliveries).toHaveLength(TOTAL);
  const keys = new Set(deliveries.map((d) => `${d.runId}/${d.activityId}`));
  expect(keys.size).toBe(TOTAL);
  for (const r of runs) for (let i = 0; i < PER_RUN; i++) expect(keys.has(`${r.runId}/act-${i}`)).toBe(true);
  const perPoller = new Map<string, number>();
  for (const d of deliveries) perPoller.set(d.poller, (perPoller.get(d.poller) ?? 0) + 1);
  expect(perPoller.size).toBeGreaterThan(1); // the work really was shared
  expect((await t.swf.countPendingActivityTasks({ domain, taskList: { name: 'work' } })).count).toBe(0);

  // Each run now has one decision task waiting: close them all.
  for (let closed = 0; closed < RUNS; ) {
    const task = await t.swf.pollForDecisionTask({ domain, taskList: { name: 'decisions' }, identity: 'decider' });
    if (!task.taskToken) continue;
    await t.swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [complete] });
    closed++;
  }

  const byRun = new Map(deliveries.map((d) => [`${d.runId}/${d.activityId}`, d]));
  for (const r of runs) {
    const events = await fullHistory(t.swf, domain, r);
    expectContiguous(events);
    expect(events[events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
    const scheduled = events.filter((e) => e.eventType === 'ActivityTaskScheduled');
    expect(scheduled).toHaveLength(PER_RUN);
    const started = new Map<number, HistoryEvent[]>();
    const completed = new Map<number, HistoryEvent[]>();
    for (const e of events) {
      const s = e.activityTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskCompletedEventAttributes?.scheduledEventId;
      if (s === undefined) continue;
      const into = e.eventType === 'ActivityTaskStarted' ? started : completed;
      into.set(s, [...(into.get(s) ?? []), e]);
    }
    for (const s of scheduled) {
      const activityId = s.activityTaskScheduledEventAttributes!.activityId!;
      const st = started.get(s.eventId!) ?? [];
      const co = completed.get(s.eventId!) ?? [];
      expect([activityId, st.length, co.length]).toEqual([activityId, 1, 1]);
      const d = byRun.get(`${r.runId}/${activityId}`)!;
      // The history agrees with what the poller saw: its identity started it, its id is the result.
      expect(st[0]!.eventId).toBe(d.startedEventId);
      expect(st[0]!.activityTaskStartedEventAttributes!.identity).toBe(d.poller);
      expect(co[0]!.activityTaskCompletedEventAttributes).toMatchObject({ startedEventId: d.startedEventId, result: d.poller });
    }
    expect(events.filter((e) => e.eventType === 'ActivityTaskStarted')).toHaveLength(PER_RUN);
    expect(events.filter((e) => e.eventType === 'ActivityTaskCompleted')).toHaveLength(PER_RUN);
  }
});

test('4 concurrent decision pollers on 50 signalled runs: never two decision tasks in flight', async () => {
  const RUNS = 50;
  const SIGNALS = 8;
  const domain = unique('one-decision');
  await registerBasics(t.swf, domain, { taskList: 'decisions' });
  const runs = await Promise.all(
    Array.from({ length: RUNS }, async (_, i) => {
      const workflowId = `wf-${i}`;
      const { runId } = await t.swf.startWorkflowExecution({ domain, workflowId, workflowType: WORKFLOW });
      return { workflowId, runId: runId! };
    }),
  );

  const closedRuns = new Set<string>();
  const failures: unknown[] = [];
  let tasks = 0;
  const deciders = pollers(4, () => closedRuns.size >= RUNS, async (swf, id) => {
    const task = await swf.pollForDecisionTask({ domain, taskList: { name: 'decisions' }, identity: id });
    if (!task.taskToken) return;
    tasks++;
    // Paging is not needed: these histories stay far below 1,000 events.
    if (task.nextPageToken) failures.push(new Error('unexpected nextPageToken'));
    const signals = task.events!.filter((e) => e.eventType === 'WorkflowExecutionSignaled').length;
    await sleep(Math.random() * 15); // think a little, so signals land while the task is in flight
    const done = signals >= SIGNALS;
    try {
      await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: done ? [complete] : [] });
      if (done) closedRuns.add(task.workflowExecution!.runId!);
    } catch (error) {
      failures.push(error);
    }
  });

  // Five senders signal the runs over and over, in different orders.
  await Promise.all(
    Array.from({ length: 5 }, async (_, sender) => {
      for (let round = 0; round < SIGNALS; round++) {
        if (round % 5 !== sender) continue;
        const order = [...runs].sort(() => Math.random() - 0.5);
        for (const r of order) {
          await t.swf.signalWorkflowExecution({ domain, workflowId: r.workflowId, runId: r.runId, signalName: `s${round}` });
          if (Math.random() < 0.2) await sleep(1);
        }
      }
    }),
  );
  await waitFor('every run to close', () => (closedRuns.size >= RUNS ? true : undefined), 40_000, 50);
  await Promise.all(deciders);

  expect(failures).toEqual([]);
  expect(tasks).toBeGreaterThan(RUNS);
  let overlapsChecked = 0;
  for (const r of runs) {
    const events = await fullHistory(t.swf, domain, r);
    expectContiguous(events);
    expect(events[events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
    expect(events.filter((e) => e.eventType === 'WorkflowExecutionSignaled')).toHaveLength(SIGNALS);
    let inFlight: HistoryEvent | undefined;
    let scheduledOpen = 0;
    for (const e of events) {
      switch (e.eventType) {
        case 'DecisionTaskScheduled':
          scheduledOpen++;
          // At most one scheduled task waits besides the one in flight.
          expect(scheduledOpen).toBeLessThanOrEqual(1);
          break;
        case 'DecisionTaskStarted':
          if (inFlight) throw new Error(`${r.workflowId}: DecisionTaskStarted ${e.eventId} while ${inFlight.eventId} is still in flight`);
          inFlight = e;
          scheduledOpen--;
          break;
        case 'DecisionTaskCompleted':
        case 'DecisionTaskTimedOut': {
          const attrs = e.decisionTaskCompletedEventAttributes ?? e.decisionTaskTimedOutEventAttributes!;
          if (attrs.startedEventId === 0) {
            scheduledOpen--; // a schedule-to-start timeout closes a task that never started
            break;
          }
          expect(attrs.startedEventId).toBe(inFlight?.eventId);
          if (inFlight) overlapsChecked++;
          inFlight = undefined;
          break;
        }
      }
    }
    expect(inFlight).toBeUndefined();
  }
  expect(overlapsChecked).toBe(tasks);
});
