import type { ActivityTask } from '@aws-sdk/client-swf';
import {
  ActivityCanceledError,
  ActivityPoller,
  ActivityTaskClosedError,
  SWF_LIMITS,
  failureOf,
  truncate,
  type ActivityContext,
  type ActivityHandler,
  type ActivityPollerOptions,
} from '../../../lib/worker';
import { FakeSwf, MemoryLogger, deferred, recordingSleep, serverError, settle, unavailable, unknownResource, waitFor } from './fake-swf';

const execution = { workflowId: 'wf-1', runId: 'run-1' };

function task(token: string, name = 'Work', extra: Partial<ActivityTask> = {}): Partial<ActivityTask> {
  return {
    taskToken: token,
    activityId: `act-${token}`,
    startedEventId: 6,
    workflowExecution: execution,
    activityType: { name, version: '1' },
    input: `input-${token}`,
    ...extra,
  };
}

let pollers: ActivityPoller[] = [];
afterEach(async () => {
  const all = pollers;
  pollers = [];
  // Bounded, so that one test's stuck handler cannot hang the ones after it.
  await Promise.race([Promise.all(all.map((p) => p.stop())), new Promise((resolve) => setTimeout(resolve, 1000))]);
});

function makePoller(swf: FakeSwf, handlers: Record<string, ActivityHandler>, extra: Partial<ActivityPollerOptions> = {}) {
  const logger = new MemoryLogger();
  const { sleep, delays } = recordingSleep();
  const poller = new ActivityPoller({
    swf,
    domain: 'd',
    taskList: 'workers',
    identity: 'worker-test',
    handlers,
    heartbeatIntervalMs: 0,
    logger,
    backoff: { initialMs: 100, maxMs: 1000 },
    random: () => 0.5,
    sleep,
    ...extra,
  });
  pollers.push(poller);
  return { poller, logger, delays };
}

const responds = (swf: FakeSwf) =>
  swf.calls.filter((c) => c.op.startsWith('respond')).map((c): Record<string, unknown> => ({ op: c.op, ...c.input }));

/** Resolves when the handler's signal aborts, then throws its reason (a well-behaved handler). */
const untilAborted = (ctx: ActivityContext): Promise<never> =>
  new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));

describe('ActivityPoller', () => {
  test('a handler that resolves completes the task with its result', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    let seen: { input: string | undefined; ctx: ActivityContext } | undefined;
    const { poller, logger } = makePoller(swf, {
      Work: async (input, ctx) => {
        seen = { input, ctx };
        return `done:${input}`;
      },
    });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)).toEqual([{ op: 'respondActivityTaskCompleted', taskToken: 't1', result: 'done:input-t1' }]);
    expect(swf.callsOf('pollForActivityTask')[0]!.input).toEqual({ domain: 'd', taskList: { name: 'workers' }, identity: 'worker-test' });
    expect(seen!.input).toBe('input-t1');
    expect(seen!.ctx).toMatchObject({ taskToken: 't1', activityId: 'act-t1', workflowExecution: execution, activityType: { name: 'Work', version: '1' }, startedEventId: 6 });
    expect(seen!.ctx.signal.aborted).toBe(false);
    expect(seen!.ctx.attempt).toBeUndefined();
    expect(logger.find('activity task finished')[0]!.fields).toMatchObject({ activityId: 'act-t1', workflowId: 'wf-1', runId: 'run-1', outcome: 'completed' });
    expect(poller.stats()).toMatchObject({ completed: 1, failed: 0 });
  });

  test('a handler resolving undefined completes without a result; attemptOf feeds ctx.attempt', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1', 'Work', { activityId: 'probe#3' }));
    let attempt: number | undefined;
    const { poller } = makePoller(
      swf,
      { Work: async (_input, ctx) => void (attempt = ctx.attempt) },
      { attemptOf: ({ activityId }) => Number(activityId.split('#')[1]) },
    );
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)).toEqual([{ op: 'respondActivityTaskCompleted', taskToken: 't1' }]);
    expect(attempt).toBe(3);
  });

  test('a handler that throws fails the task with reason = error.name and details = message', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    class NotAVideoError extends Error {
      override name = 'NotAVideoError';
    }
    const { poller, logger } = makePoller(swf, {
      Work: async () => {
        throw new NotAVideoError('ffprobe found no video stream');
      },
    });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)).toEqual([{ op: 'respondActivityTaskFailed', taskToken: 't1', reason: 'NotAVideoError', details: 'ffprobe found no video stream' }]);
    expect(logger.find('activity task failed')[0]!.fields).toMatchObject({ reason: 'NotAVideoError' });
    expect(poller.stats().failed).toBe(1);
  });

  test('reason and details are cut to SWF limits (256 / 32768)', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    const error = new Error('m'.repeat(40_000));
    error.name = 'N'.repeat(300);
    const { poller } = makePoller(swf, {
      Work: async () => {
        throw error;
      },
    });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    const sent = responds(swf)[0]!;
    expect(sent.op).toBe('respondActivityTaskFailed');
    expect(sent['reason']).toBe('N'.repeat(256));
    expect(sent['details']).toBe('m'.repeat(32_768));
  });

  test('failureOf copes with values that are not Errors; truncate keeps surrogate pairs whole', () => {
    expect(failureOf('plain string')).toEqual({ reason: 'Error', details: 'plain string' });
    expect(failureOf({ code: 7 })).toEqual({ reason: 'Error', details: '{"code":7}' });
    expect(failureOf(undefined)).toEqual({ reason: 'Error', details: 'undefined' });
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(truncate('ab😀', 4)).toBe('ab😀');
    expect(SWF_LIMITS).toEqual({ reason: 256, details: 32_768, result: 32_768, heartbeatDetails: 2_048 });
  });

  test('an unknown activity type fails with reason UnknownActivityType', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1', 'Mystery'));
    const { poller } = makePoller(swf, { Work: async () => 'x' });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    const sent = responds(swf)[0]!;
    expect(sent).toMatchObject({ op: 'respondActivityTaskFailed', taskToken: 't1', reason: 'UnknownActivityType' });
    expect(sent['details']).toMatch(/Mystery\/1.*handlers: Work/);
  });

  test('a result over 32768 characters fails the task with ResultTooLarge', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    const { poller } = makePoller(swf, { Work: async () => 'x'.repeat(32_769) });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)[0]).toMatchObject({ op: 'respondActivityTaskFailed', reason: 'ResultTooLarge' });
  });

  test('automatic heartbeats; a heartbeat answering cancelRequested aborts the handler and sends RespondActivityTaskCanceled', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    swf.heartbeats.splice(0, 1, { cancelRequested: false }, { cancelRequested: false }, { cancelRequested: true });
    let reason: unknown;
    const { poller } = makePoller(
      swf,
      {
        Work: async (_input, ctx) => {
          try {
            return await untilAborted(ctx);
          } finally {
            reason = ctx.signal.reason;
          }
        },
      },
      { heartbeatIntervalMs: 5 },
    );
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)).toEqual([{ op: 'respondActivityTaskCanceled', taskToken: 't1' }]);
    expect(swf.callsOf('recordActivityTaskHeartbeat')).toHaveLength(3);
    expect(reason).toBeInstanceOf(ActivityCanceledError);
    await settle();
    // Heartbeats end with the task.
    expect(swf.callsOf('recordActivityTaskHeartbeat')).toHaveLength(3);
    expect(poller.stats()).toMatchObject({ canceled: 1, heartbeats: 3 });
  });

  test('cancellation is reported even when the handler ignores its signal', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'), task('t2'));
    swf.heartbeats.splice(0, 1, { cancelRequested: true }, { cancelRequested: false });
    const { poller } = makePoller(swf, {
      Work: async (input, ctx) => {
        if (input === 'input-t1') {
          await ctx.heartbeat('50%');
          return new Promise<string>(() => undefined); // never settles
        }
        return 'second';
      },
    });
    poller.start();
    await waitFor(() => responds(swf).length === 2);
    expect(responds(swf)).toEqual([
      { op: 'respondActivityTaskCanceled', taskToken: 't1' },
      { op: 'respondActivityTaskCompleted', taskToken: 't2', result: 'second' },
    ]);
  });

  test('ctx.heartbeat sends details (cut to 2048) that later automatic heartbeats repeat', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    const gate = deferred<string>();
    const { poller } = makePoller(
      swf,
      {
        Work: async (_input, ctx) => {
          await ctx.heartbeat('d'.repeat(3000));
          return gate.promise;
        },
      },
      { heartbeatIntervalMs: 5 },
    );
    poller.start();
    await waitFor(() => swf.callsOf('recordActivityTaskHeartbeat').length >= 3);
    gate.resolve('ok');
    await waitFor(() => responds(swf).length === 1);
    const details = swf.callsOf('recordActivityTaskHeartbeat').map((c) => c.input['details']);
    expect(details.every((d) => d === 'd'.repeat(2048))).toBe(true);
    expect(swf.callsOf('recordActivityTaskHeartbeat')[0]!.input['taskToken']).toBe('t1');
  });

  test('a failed heartbeat is logged and does not disturb the handler', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    swf.heartbeats.splice(0, 1, serverError(), { cancelRequested: false });
    const { poller, logger } = makePoller(swf, {
      Work: async (_input, ctx) => {
        await ctx.heartbeat();
        expect(ctx.signal.aborted).toBe(false);
        return 'ok';
      },
    });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(responds(swf)[0]).toMatchObject({ op: 'respondActivityTaskCompleted', result: 'ok' });
    expect(logger.find('heartbeat failed')[0]!.fields).toMatchObject({ errorName: 'InternalFailure' });
  });

  test('UnknownResourceFault on a heartbeat (task timed out) aborts the handler; nothing is reported', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    swf.heartbeats.splice(0, 1, unknownResource());
    let reason: unknown;
    const { poller } = makePoller(swf, {
      Work: async (_input, ctx) => {
        await ctx.heartbeat();
        reason = ctx.signal.reason;
        throw ctx.signal.reason;
      },
    });
    poller.start();
    await waitFor(() => poller.stats().lost === 1);
    expect(reason).toBeInstanceOf(ActivityTaskClosedError);
    expect(responds(swf)).toEqual([]);
  });

  test('UnknownResourceFault on respond is logged, not fatal: the next task is worked', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'), task('t2'));
    swf.responds.push(unknownResource());
    const { poller, logger, delays } = makePoller(swf, { Work: async (input) => input });
    poller.start();
    await waitFor(() => responds(swf).length === 2);
    expect(logger.find(/no longer open/)[0]!.level).toBe('warn');
    expect(delays).toEqual([]);
    expect(poller.stats()).toMatchObject({ completed: 1, lost: 1 });
  });

  test('a transient respond error is retried', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    swf.responds.push(unavailable());
    const { poller } = makePoller(swf, { Work: async () => 'ok' });
    poller.start();
    await waitFor(() => poller.stats().completed === 1);
    expect(responds(swf).map((r) => r.op)).toEqual(['respondActivityTaskCompleted', 'respondActivityTaskCompleted']);
  });

  test('poll errors back off with jitter', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(serverError(), serverError(), task('t1'));
    const { poller, delays } = makePoller(swf, { Work: async () => 'ok' });
    poller.start();
    await waitFor(() => responds(swf).length === 1);
    expect(delays).toEqual([75, 150]);
  });

  test('stop() aborts the poll in flight and finishes the task in hand', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    const gate = deferred<string>();
    const started = jest.fn();
    const { poller } = makePoller(swf, { Work: async () => (started(), gate.promise) }, { concurrency: 2 });
    poller.start();
    // One slot holds t1, the other is long-polling.
    await waitFor(() => started.mock.calls.length === 1 && swf.callsOf('pollForActivityTask').length === 2);

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    // The idle slot's poll is aborted; the busy slot is finishing its task.
    expect(swf.callsOf('pollForActivityTask')[1]!.signal!.aborted).toBe(true);
    expect(responds(swf)).toEqual([]);

    gate.resolve('late result');
    await stopping;
    expect(responds(swf)).toEqual([{ op: 'respondActivityTaskCompleted', taskToken: 't1', result: 'late result' }]);
    expect(swf.callsOf('pollForActivityTask')).toHaveLength(2);
  });

  test('stop() with stopTimeoutMs aborts tasks still running after the grace period and fails them as WorkerShutdown', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'));
    let signal: AbortSignal | undefined;
    const { poller } = makePoller(
      swf,
      {
        Work: (_input, ctx) => {
          signal = ctx.signal;
          return new Promise<string>(() => undefined);
        },
      },
      { stopTimeoutMs: 30 },
    );
    poller.start();
    await waitFor(() => signal !== undefined);
    const t0 = Date.now();
    await poller.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(signal!.aborted).toBe(true);
    expect(responds(swf)).toEqual([
      { op: 'respondActivityTaskFailed', taskToken: 't1', reason: 'WorkerShutdown', details: 'the worker stopped before the activity finished' },
    ]);
  });

  test('concurrency 2 runs two handlers at once', async () => {
    const swf = new FakeSwf();
    swf.activityPolls.push(task('t1'), task('t2'));
    const gate = deferred<string>();
    let running = 0;
    let peak = 0;
    const { poller } = makePoller(
      swf,
      {
        Work: async () => {
          peak = Math.max(peak, ++running);
          try {
            return await gate.promise;
          } finally {
            running--;
          }
        },
      },
      { concurrency: 2 },
    );
    poller.start();
    await waitFor(() => running === 2);
    gate.resolve('ok');
    await waitFor(() => responds(swf).length === 2);
    expect(peak).toBe(2);
  });

  test('rejects bad options', () => {
    const base = { swf: new FakeSwf(), domain: 'd', taskList: 'l', handlers: {}, logger: new MemoryLogger() };
    expect(() => new ActivityPoller({ ...base, concurrency: 1.5 })).toThrow(RangeError);
    expect(() => new ActivityPoller({ ...base, heartbeatIntervalMs: -1 })).toThrow(RangeError);
  });
});
