/**
 * The pollers against the real engine (swf-local in-process, through @aws-sdk/client-swf): a
 * whole run decided and worked by them, paging, cancellation, a decide that throws, and stop.
 */
import type { Decision, HistoryEvent, SWF, WorkflowExecution } from '@aws-sdk/client-swf';
import {
  ActivityCanceledError,
  ActivityPoller,
  DecisionPoller,
  type ActivityHandler,
  type DecideFunction,
  type DecisionPollerOptions,
  type WorkerLogger,
} from '../../lib/worker';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, eventsOf, eventTypes, historyOf, onlyEvent, sleep } from '../helpers/swf-flow';

const POLL_HOLD_MS = 1000;

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: POLL_HOLD_MS });
  swf = t.swf;
});

afterAll(async () => {
  await t.close();
});

const quiet: WorkerLogger = { debug() {}, info() {}, warn() {}, error() {} };

type Stoppable = { stop(): Promise<void> };
let running: Stoppable[] = [];
afterEach(async () => {
  await Promise.all(running.map((p) => p.stop()));
  running = [];
});

function deciderFor(domain: string, decide: DecideFunction, extra: Partial<DecisionPollerOptions> = {}): DecisionPoller {
  const poller = new DecisionPoller({ swf, domain, taskList: 'default', identity: 'it-decider', decide, logger: quiet, backoff: { initialMs: 20, maxMs: 200 }, ...extra });
  running.push(poller);
  poller.start();
  return poller;
}

function workerFor(domain: string, handlers: Record<string, ActivityHandler>, heartbeatIntervalMs = 0): ActivityPoller {
  const poller = new ActivityPoller({ swf, domain, taskList: 'default', identity: 'it-worker', handlers, heartbeatIntervalMs, logger: quiet, backoff: { initialMs: 20, maxMs: 200 } });
  running.push(poller);
  poller.start();
  return poller;
}

async function start(domain: string, input?: string, extra: { taskStartToCloseTimeout?: string } = {}): Promise<WorkflowExecution> {
  const workflowId = unique('wf');
  const out = await swf.startWorkflowExecution({
    domain,
    workflowId,
    workflowType: { name: 'Flow', version: '1' },
    ...(input !== undefined ? { input } : {}),
    ...extra,
  });
  return { workflowId, runId: out.runId! };
}

async function waitClosed(domain: string, execution: WorkflowExecution, timeoutMs = 15_000): Promise<HistoryEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await swf.describeWorkflowExecution({ domain, execution });
    if (info.executionInfo?.executionStatus === 'CLOSED') return historyOf(swf, domain, execution);
    if (Date.now() > deadline) throw new Error(`run ${execution.workflowId} still open: ${eventTypes(await historyOf(swf, domain, execution)).join(', ')}`);
    await sleep(25);
  }
}

const has = (history: HistoryEvent[], type: string) => history.some((e) => e.eventType === type);

/** Schedules one Work activity with the run's input; completes the run with its result. */
const oneActivityFlow: DecideFunction = ({ history }) => {
  const completed = history.find((e) => e.eventType === 'ActivityTaskCompleted');
  if (completed) return [d.complete(completed.activityTaskCompletedEventAttributes?.result)];
  const failed = history.find((e) => e.eventType === 'ActivityTaskFailed');
  if (failed) return [d.fail(failed.activityTaskFailedEventAttributes?.reason)];
  if (!has(history, 'ActivityTaskScheduled')) {
    const input = history[0]?.workflowExecutionStartedEventAttributes?.input;
    return [d.schedule('a1', input !== undefined ? { input } : {})];
  }
  return [];
};

describe('DecisionPoller + ActivityPoller on swf-local', () => {
  test('a run is decided and worked to completion', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    const seenStarted: number[] = [];
    const decider = deciderFor(domain, (task) => {
      seenStarted.push(task.startedEventId);
      return oneActivityFlow(task);
    });
    const worker = workerFor(domain, { Work: async (input) => `HELLO ${input?.toUpperCase()}` });
    const run = await start(domain, 'world');

    const history = await waitClosed(domain, run);
    expect(eventTypes(history)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'ActivityTaskScheduled',
      'ActivityTaskStarted',
      'ActivityTaskCompleted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
    expect(onlyEvent(history, 'WorkflowExecutionCompleted').workflowExecutionCompletedEventAttributes?.result).toBe('HELLO WORLD');
    expect(onlyEvent(history, 'ActivityTaskStarted').activityTaskStartedEventAttributes?.identity).toBe('it-worker');
    expect(eventsOf(history, 'DecisionTaskStarted').map((e) => e.decisionTaskStartedEventAttributes?.identity)).toEqual(['it-decider', 'it-decider']);
    expect(seenStarted).toEqual([3, 9]);
    expect(decider.stats()).toMatchObject({ tasksCompleted: 2, tasksAbandoned: 0, pollErrors: 0 });
    expect(worker.stats()).toMatchObject({ completed: 1, failed: 0 });
  });

  test('a history longer than one page reaches decide whole (pageSize 5)', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    const seen: { startedEventId: number; ids: number[] }[] = [];
    deciderFor(
      domain,
      (task) => {
        seen.push({ startedEventId: task.startedEventId, ids: task.history.map((e) => e.eventId!) });
        const scheduled = eventsOf(task.history, 'ActivityTaskScheduled').length;
        const completed = eventsOf(task.history, 'ActivityTaskCompleted').length;
        if (scheduled === 0) {
          // Six markers and three activities: 13 events after the first decision alone.
          const markers: Decision[] = Array.from({ length: 6 }, (_, i) => d.marker(`m${i}`));
          return [...markers, d.schedule('a1'), d.schedule('a2'), d.schedule('a3')];
        }
        return completed === 3 ? [d.complete(String(task.history.length))] : [];
      },
      { pageSize: 5 },
    );
    workerFor(domain, { Work: async () => 'ok' }, 0);
    const run = await start(domain);
    const history = await waitClosed(domain, run);

    const last = seen[seen.length - 1]!;
    expect(last.ids.length).toBeGreaterThan(15);
    for (const s of seen) {
      // Every task saw events 1..startedEventId, in order, none missing or repeated.
      expect(s.ids).toEqual(Array.from({ length: s.startedEventId }, (_, i) => i + 1));
    }
    expect(history.slice(0, last.ids.length).map((e) => e.eventId)).toEqual(last.ids);
    expect(onlyEvent(history, 'WorkflowExecutionCompleted').workflowExecutionCompletedEventAttributes?.result).toBe(String(last.ids.length));
  });

  test('an activity canceled mid-way: the handler sees its signal abort and the history has ActivityTaskCanceled', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    deciderFor(domain, ({ history }) => {
      if (has(history, 'ActivityTaskCanceled')) return [d.complete('canceled')];
      if (has(history, 'WorkflowExecutionSignaled') && !has(history, 'ActivityTaskCancelRequested')) return [d.cancelActivity('a1')];
      if (!has(history, 'ActivityTaskScheduled')) return [d.schedule('a1')];
      return [];
    });
    let handlerStarted = false;
    let sawAbort: { aborted: boolean; reason: unknown } | undefined;
    workerFor(
      domain,
      {
        Work: async (_input, ctx) => {
          handlerStarted = true;
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          sawAbort = { aborted: ctx.signal.aborted, reason: ctx.signal.reason };
          throw ctx.signal.reason;
        },
      },
      100,
    );
    const run = await start(domain);
    const deadline = Date.now() + 10_000;
    while (!handlerStarted) {
      if (Date.now() > deadline) throw new Error('the handler never started');
      await sleep(10);
    }
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, runId: run.runId, signalName: 'stop-that' });

    const history = await waitClosed(domain, run);
    expect(sawAbort?.aborted).toBe(true);
    expect(sawAbort?.reason).toBeInstanceOf(ActivityCanceledError);
    const requested = onlyEvent(history, 'ActivityTaskCancelRequested');
    const canceled = onlyEvent(history, 'ActivityTaskCanceled');
    expect(canceled.activityTaskCanceledEventAttributes?.latestCancelRequestedEventId).toBe(requested.eventId);
    expect(has(history, 'ActivityTaskCompleted') || has(history, 'ActivityTaskFailed')).toBe(false);
    expect(onlyEvent(history, 'WorkflowExecutionCompleted').workflowExecutionCompletedEventAttributes?.result).toBe('canceled');
  });

  test('a decide that throws leaves the task to time out; SWF schedules a new one and the run goes on', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    let calls = 0;
    const decider = deciderFor(domain, () => {
      if (++calls === 1) throw new Error('transient bug');
      return [d.complete('second time')];
    });
    const run = await start(domain, undefined, { taskStartToCloseTimeout: '1' });
    const history = await waitClosed(domain, run);
    expect(eventTypes(history)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskTimedOut',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
    expect(decider.stats()).toMatchObject({ decideErrors: 1, tasksCompleted: 1 });
  });

  test('stop() while a handler runs lets it finish and report before resolving', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    deciderFor(domain, oneActivityFlow);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handlerStarted = false;
    const worker = workerFor(domain, {
      Work: async () => {
        handlerStarted = true;
        await gate;
        return 'finished after stop';
      },
    });
    const run = await start(domain);
    while (!handlerStarted) await sleep(10);

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;
    const history = await waitClosed(domain, run);
    expect(onlyEvent(history, 'WorkflowExecutionCompleted').workflowExecutionCompletedEventAttributes?.result).toBe('finished after stop');
  });

  test('stop() during a long poll returns at once and leaves no waiter behind to claim a task', async () => {
    const domain = unique('worker');
    await registerBasics(swf, domain);
    const decide = jest.fn(() => []);
    const decider = deciderFor(domain, decide);
    const worker = workerFor(domain, { Work: async () => 'never' });
    await sleep(150); // both long polls are now held by the engine

    const t0 = Date.now();
    await Promise.all([decider.stop(), worker.stop()]);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(POLL_HOLD_MS / 2);

    // Within the poll hold: had the aborted poll's waiter survived, it would claim this task.
    await start(domain);
    await sleep(100);
    expect((await swf.countPendingDecisionTasks({ domain, taskList: { name: 'default' } })).count).toBe(1);
    expect(decide).not.toHaveBeenCalled();
  });
});
