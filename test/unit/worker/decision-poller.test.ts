import { SWF, SWFClient, PollForDecisionTaskCommand, type Decision, type DecisionTask } from '@aws-sdk/client-swf';
import {
  DecisionPoller,
  backoffDelay,
  toSwfOperations,
  type DecideFunction,
  type DecisionPollerOptions,
  type DecisionTaskInput,
  type SwfOperations,
} from '../../../lib/worker';
import {
  FakeSwf,
  MemoryLogger,
  deferred,
  events,
  networkError,
  recordingSleep,
  serverError,
  settle,
  throttling,
  unavailable,
  unknownResource,
  waitFor,
} from './fake-swf';

const execution = { workflowId: 'wf-1', runId: 'run-1' };
const workflowType = { name: 'Flow', version: '1' };
const complete: Decision = { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'done' } };

/** A decision task's first page. */
function task(token: string, extra: Partial<DecisionTask> = {}): Partial<DecisionTask> {
  return {
    taskToken: token,
    startedEventId: 3,
    previousStartedEventId: 0,
    workflowExecution: execution,
    workflowType,
    events: events(1, 3),
    ...extra,
  };
}

const empty = (): Partial<DecisionTask> => ({ startedEventId: 0, previousStartedEventId: 0 });

let pollers: DecisionPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  pollers = [];
});

function makePoller(swf: FakeSwf, decide: DecideFunction, extra: Partial<DecisionPollerOptions> = {}) {
  const logger = new MemoryLogger();
  const { sleep, delays } = recordingSleep();
  const poller = new DecisionPoller({
    swf,
    domain: 'd',
    taskList: 'deciders',
    identity: 'decider-test',
    decide,
    logger,
    backoff: { initialMs: 100, maxMs: 1000 },
    random: () => 0.5,
    sleep,
    ...extra,
  });
  pollers.push(poller);
  return { poller, logger, delays };
}

describe('DecisionPoller', () => {
  test('follows nextPageToken and hands decide the whole history in order', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1', { startedEventId: 8, previousStartedEventId: 3, events: events(1, 3), nextPageToken: 'p2' }));
    swf.pages.set('p2', [task('t1', { startedEventId: 8, previousStartedEventId: 3, events: events(4, 6), nextPageToken: 'p3' })]);
    swf.pages.set('p3', [task('t1', { startedEventId: 8, previousStartedEventId: 3, events: events(7, 8) })]);
    const seen: DecisionTaskInput[] = [];
    const { poller, logger } = makePoller(swf, (t) => {
      seen.push(t);
      return { decisions: [complete], executionContext: 'ctx-1' };
    }, { pageSize: 3 });
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.history.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen[0]).toMatchObject({ workflowExecution: execution, workflowType, startedEventId: 8, previousStartedEventId: 3 });
    expect(seen[0]).not.toHaveProperty('taskToken');

    const polls = swf.callsOf('pollForDecisionTask');
    expect(polls.slice(0, 3).map((c) => c.input)).toEqual([
      { domain: 'd', taskList: { name: 'deciders' }, identity: 'decider-test', maximumPageSize: 3 },
      { domain: 'd', taskList: { name: 'deciders' }, identity: 'decider-test', maximumPageSize: 3, nextPageToken: 'p2' },
      { domain: 'd', taskList: { name: 'deciders' }, identity: 'decider-test', maximumPageSize: 3, nextPageToken: 'p3' },
    ]);
    // Only the claiming poll is abortable; the pages belong to a task already in hand.
    expect(polls[0]!.signal).toBeDefined();
    expect(polls[1]!.signal).toBeUndefined();
    expect(swf.callsOf('respondDecisionTaskCompleted')[0]!.input).toEqual({ taskToken: 't1', decisions: [complete], executionContext: 'ctx-1' });

    const line = logger.find('decision task completed')[0]!;
    expect(line.level).toBe('info');
    expect(line.fields).toMatchObject({ workflowId: 'wf-1', runId: 'run-1', startedEventId: 8, events: 8, pages: 3, decisions: 1 });
    expect(typeof line.fields['latencyMs']).toBe('number');
    expect(typeof line.fields['decideMs']).toBe('number');
    expect(poller.stats()).toMatchObject({ tasksCompleted: 1, tasksAbandoned: 0 });
  });

  test('a decide returning a plain array responds with those decisions and no executionContext', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1'));
    const { poller } = makePoller(swf, async () => [complete]);
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);
    expect(swf.callsOf('respondDecisionTaskCompleted')[0]!.input).toEqual({ taskToken: 't1', decisions: [complete] });
  });

  test('an empty poll is followed by another poll at once, without backoff', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(empty(), { taskToken: '', startedEventId: 0 }, task('t1'));
    const decide = jest.fn(() => []);
    const { poller, delays } = makePoller(swf, decide);
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);
    expect(decide).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
    expect(poller.stats()).toMatchObject({ emptyPolls: 2, tasksCompleted: 1 });
  });

  test('poll errors back off exponentially with jitter; a success resets the backoff', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(networkError(), serverError(), throttling(), unavailable(), task('t1'), serverError(), task('t2'));
    const { poller, delays, logger } = makePoller(swf, () => []);
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 2);
    // initial 100, random 0.5: ceiling/2 + ceiling/4 -> 75, 150, 300, 600; reset after t1 -> 75.
    expect(delays).toEqual([75, 150, 300, 600, 75]);
    expect(poller.stats().pollErrors).toBe(5);
    expect(logger.find('decision poll failed; backing off').map((l) => l.fields['consecutiveFailures'])).toEqual([1, 2, 3, 4, 1]);
  });

  test('a typed 4xx poll fault (unknown domain) is logged as an error and retried with backoff', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(unknownResource('Unknown domain: d'), task('t1'));
    const { poller, delays, logger } = makePoller(swf, () => []);
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);
    expect(delays).toEqual([75]);
    expect(logger.find('decision poll failed; backing off')[0]).toMatchObject({ level: 'error', fields: { errorName: 'UnknownResourceFault' } });
  });

  test('decide throwing does not end the loop: no answer (the task times out), backoff, next task answered', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('bad'), task('good'));
    let calls = 0;
    const { poller, delays, logger } = makePoller(swf, () => {
      if (calls++ === 0) throw new TypeError('history makes no sense');
      return [complete];
    });
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);
    expect(swf.callsOf('respondDecisionTaskCompleted').map((c) => c.input['taskToken'])).toEqual(['good']);
    expect(delays).toEqual([75]);
    const line = logger.find(/^decide threw/)[0]!;
    expect(line.level).toBe('error');
    expect(line.fields).toMatchObject({ workflowId: 'wf-1', runId: 'run-1', startedEventId: 3, errorName: 'TypeError', errorMessage: 'history makes no sense' });
    expect(poller.stats()).toMatchObject({ decideErrors: 1, tasksAbandoned: 1, tasksCompleted: 1 });
  });

  test('a decide result of the wrong shape counts as decide failing', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1'));
    const { poller, logger } = makePoller(swf, () => ({ nope: true }) as never);
    poller.start();
    await waitFor(() => poller.stats().decideErrors === 1);
    expect(swf.callsOf('respondDecisionTaskCompleted')).toHaveLength(0);
    expect(logger.find(/^decide threw/)[0]!.fields['errorName']).toBe('TypeError');
  });

  test('a transient error on a next page is retried; the history is still whole', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1', { startedEventId: 5, nextPageToken: 'p2' }));
    swf.pages.set('p2', [serverError(), task('t1', { startedEventId: 5, events: events(4, 5) })]);
    const seen: number[][] = [];
    const { poller, delays } = makePoller(swf, (t) => {
      seen.push(t.history.map((e) => e.eventId!));
      return [];
    });
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 1);
    expect(seen).toEqual([[1, 2, 3, 4, 5]]);
    expect(delays).toEqual([75]); // one retry: ceiling 100, random 0.5 -> 50 + 25
  });

  test('a next page that cannot be read abandons the task without calling decide', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1', { nextPageToken: 'gone' }));
    const decide = jest.fn(() => []);
    const { poller, logger } = makePoller(swf, decide);
    poller.start();
    await waitFor(() => poller.stats().tasksAbandoned === 1);
    expect(decide).not.toHaveBeenCalled();
    expect(swf.callsOf('respondDecisionTaskCompleted')).toHaveLength(0);
    expect(logger.find(/^could not read the whole history/)[0]!.fields).toMatchObject({ errorName: 'ValidationException' });
  });

  test('UnknownResourceFault on respond (task timed out meanwhile) is logged and the loop goes on', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('late'), task('t2'));
    swf.responds.push(unknownResource('Unknown decision task'));
    const { poller, delays, logger } = makePoller(swf, () => [complete]);
    poller.start();
    await waitFor(() => swf.callsOf('respondDecisionTaskCompleted').length === 2);
    expect(delays).toEqual([]);
    expect(logger.find('decision task no longer open; answer dropped')[0]!.level).toBe('warn');
    expect(poller.stats()).toMatchObject({ tasksCompleted: 1, tasksAbandoned: 1 });
  });

  test('a transient respond error is retried', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1'));
    swf.responds.push(unavailable());
    const { poller } = makePoller(swf, () => [complete]);
    poller.start();
    await waitFor(() => poller.stats().tasksCompleted === 1);
    expect(swf.callsOf('respondDecisionTaskCompleted').map((c) => c.input['taskToken'])).toEqual(['t1', 't1']);
  });

  test('stop() aborts a poll in flight and resolves', async () => {
    const swf = new FakeSwf();
    const { poller } = makePoller(swf, () => []);
    poller.start();
    await waitFor(() => swf.callsOf('pollForDecisionTask').length === 1);
    const signal = swf.callsOf('pollForDecisionTask')[0]!.signal!;
    expect(signal.aborted).toBe(false);
    await poller.stop();
    expect(signal.aborted).toBe(true);
    expect(poller.running).toBe(false);
    expect(swf.callsOf('pollForDecisionTask')).toHaveLength(1);
  });

  test('stop() finishes the task in hand (decide and respond) before it resolves, and polls no more', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(task('t1'));
    const gate = deferred<Decision[]>();
    const decide = jest.fn(() => gate.promise);
    const { poller } = makePoller(swf, decide);
    poller.start();
    await waitFor(() => decide.mock.calls.length === 1);

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(swf.callsOf('respondDecisionTaskCompleted')).toHaveLength(0);

    gate.resolve([complete]);
    await stopping;
    expect(swf.callsOf('respondDecisionTaskCompleted').map((c) => c.input['taskToken'])).toEqual(['t1']);
    expect(swf.callsOf('pollForDecisionTask')).toHaveLength(1);
  });

  test('stop() during a backoff wait does not wait it out', async () => {
    const swf = new FakeSwf();
    swf.decisionPolls.push(serverError());
    const { poller } = makePoller(swf, () => [], { sleep: undefined, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    poller.start();
    await waitFor(() => poller.stats().pollErrors === 1);
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('concurrency N keeps N polls in flight; stop aborts them all', async () => {
    const swf = new FakeSwf();
    const { poller } = makePoller(swf, () => [], { concurrency: 3 });
    poller.start();
    await waitFor(() => swf.callsOf('pollForDecisionTask').length === 3);
    await settle();
    expect(swf.callsOf('pollForDecisionTask')).toHaveLength(3);
    await poller.stop();
    expect(swf.callsOf('pollForDecisionTask').every((c) => c.signal!.aborted)).toBe(true);
  });

  test('start() after stop() is refused; stop() twice is fine', async () => {
    const swf = new FakeSwf();
    const { poller } = makePoller(swf, () => []);
    poller.start();
    await Promise.all([poller.stop(), poller.stop()]);
    expect(() => poller.start()).toThrow(/stopped/);
  });

  test('rejects bad options', () => {
    const swf = new FakeSwf();
    const base = { swf, domain: 'd', taskList: 'l', decide: () => [], logger: new MemoryLogger() };
    expect(() => new DecisionPoller({ ...base, pageSize: 0 })).toThrow(RangeError);
    expect(() => new DecisionPoller({ ...base, pageSize: 1001 })).toThrow(RangeError);
    expect(() => new DecisionPoller({ ...base, concurrency: 0 })).toThrow(RangeError);
    expect(() => new DecisionPoller({ ...base, backoff: { initialMs: 10, maxMs: 5 } })).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1000 };
  test('doubles per attempt up to maxMs, with half of it jittered', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});

describe('toSwfOperations', () => {
  test('the aggregated SWF client is used as it is', () => {
    const swf = new SWF({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const ops: SwfOperations = swf; // compile-time: SWF satisfies SwfOperations
    expect(toSwfOperations(swf)).toBe(ops);
    swf.destroy();
  });

  test('a bare SWFClient is called through send() with the abort signal', async () => {
    const client = new SWFClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const send = jest.spyOn(client, 'send').mockResolvedValue({ taskToken: 'x' } as never);
    const controller = new AbortController();
    const out = await toSwfOperations(client).pollForDecisionTask({ domain: 'd', taskList: { name: 'l' } }, { abortSignal: controller.signal });
    expect(out).toEqual({ taskToken: 'x' });
    const [command, options] = send.mock.calls[0]! as unknown as [PollForDecisionTaskCommand, unknown];
    expect(command).toBeInstanceOf(PollForDecisionTaskCommand);
    expect(command.input).toEqual({ domain: 'd', taskList: { name: 'l' } });
    expect(options).toEqual({ abortSignal: controller.signal });
    client.destroy();
  });
});
