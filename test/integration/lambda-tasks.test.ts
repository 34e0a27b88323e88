/**
 * ScheduleLambdaFunction with the local invoker (handlers in test/fixtures/lambda, run in worker
 * threads): results, handler errors, timeouts, a CPU-bound handler that must not stall the
 * engine, unserializable results, unknown functions, a run without lambdaRole, the
 * ScheduleLambdaFunctionFailed causes, timeout validation, the event payload, and the JSON-file
 * form of `lambdaFunctions` (spec §5.2, §6 Lambda events, "Lambda task payload").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { HistoryEvent, SWF } from '@aws-sdk/client-swf';
import type { LambdaInvocation, LambdaInvoker, LambdaOutcome } from '../../lib/engine';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { decide, expectValidation, historyOf, pollDecision } from '../helpers/swf-flow';
import { describeRun, dx, historyUntil, historyWith, sleep, typesOf, type Run } from '../helpers/workflows';

const FIXTURE = resolve(__dirname, '../fixtures/lambda/handlers.ts');
const ROLE = 'arn:aws:iam::123456789012:role/swf-lambda';
const fn = (exportName: string) => ({ module: FIXTURE, export: exportName });
const FUNCTIONS = {
  echo: fn('handler'),
  decline: fn('decline'),
  hang: fn('hang'),
  spin: fn('spin'),
  unserializable: fn('unserializable'),
  bigint: fn('bigint'),
};

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500, lambdaFunctions: FUNCTIONS });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

/** A fresh domain with one run (with a lambdaRole unless told otherwise) on `default`. */
async function lambdaRun(client: SWF = swf, opts: { lambdaRole?: string | null } = {}): Promise<{ domain: string; run: Run }> {
  const domain = unique('lambda');
  await registerBasics(client, domain);
  const workflowId = unique('wf');
  const role = opts.lambdaRole === undefined ? ROLE : opts.lambdaRole;
  const { runId } = await client.startWorkflowExecution({
    domain,
    workflowId,
    workflowType: { name: 'Flow', version: '1' },
    ...(role ? { lambdaRole: role } : {}),
  });
  return { domain, run: { workflowId, runId: runId! } };
}

const OUTCOME = /^LambdaFunction(Completed|Failed|TimedOut)$/;

/** Schedules `decisions` in a fresh run and waits for `n` Lambda outcome events; returns the history. */
async function runLambda(decisions: Parameters<typeof decide>[2], n = 1, client: SWF = swf) {
  const { domain, run } = await lambdaRun(client);
  await decide(client, domain, decisions);
  const events = await historyUntil(client, domain, run, (es) => es.filter((e) => OUTCOME.test(e.eventType!)).length >= n, `${n} Lambda outcome(s)`, 15_000);
  return { domain, run, events };
}

const outcome = (events: HistoryEvent[]) => events.find((e) => OUTCOME.test(e.eventType!))!;

// ------------------------------------------------------------------------------------------------
describe('a Lambda task that runs', () => {
  test('returns an object: LambdaFunctionCompleted.result is its JSON; the handler got the parsed input as its event', async () => {
    const input = JSON.stringify({ who: 'world', n: [1, 2] });
    const { events } = await runLambda([dx.lambda('greet', 'echo', { input, control: 'ctl' })]);
    expect(typesOf(events)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionCompleted',
      'DecisionTaskScheduled',
    ]);
    expect(events[4]!.lambdaFunctionScheduledEventAttributes).toEqual({
      id: 'greet',
      name: 'echo',
      input,
      control: 'ctl',
      decisionTaskCompletedEventId: 4,
    });
    expect(events[5]!.lambdaFunctionStartedEventAttributes).toEqual({ scheduledEventId: 5 });
    expect(events[6]!.lambdaFunctionCompletedEventAttributes).toEqual({
      scheduledEventId: 5,
      startedEventId: 6,
      result: JSON.stringify({ received: { who: 'world', n: [1, 2] }, functionName: 'echo' }),
    });
  });

  test('without input the event is null; a JSON string input arrives as a string', async () => {
    const { events } = await runLambda([dx.lambda('a', 'echo'), dx.lambda('b', 'echo', { input: '"just text"' })], 2);
    const all = events.filter((e) => e.eventType === 'LambdaFunctionCompleted');
    const results = Object.fromEntries(all.map((e) => [e.lambdaFunctionCompletedEventAttributes!.scheduledEventId, e.lambdaFunctionCompletedEventAttributes!.result]));
    expect(results).toEqual({
      5: JSON.stringify({ received: null, functionName: 'echo' }),
      7: JSON.stringify({ received: 'just text', functionName: 'echo' }),
    });
    expect(events[4]!.lambdaFunctionScheduledEventAttributes!.input).toBeUndefined();
  });

  test('a handler that throws a custom error: LambdaFunctionFailed with reason = error name, details = message', async () => {
    const { events } = await runLambda([dx.lambda('pay', 'decline', { input: '{"amount":42}' })]);
    expect(typesOf(events).slice(4)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'DecisionTaskScheduled']);
    expect(events[6]!.lambdaFunctionFailedEventAttributes).toEqual({
      scheduledEventId: 5,
      startedEventId: 6,
      reason: 'PaymentDeclined',
      details: 'card declined for 42',
    });
  });

  test('a handler that hangs past startToCloseTimeout "1": LambdaFunctionTimedOut, and its late result is never recorded', async () => {
    const { domain, run } = await lambdaRun();
    await decide(swf, domain, [dx.lambda('slow', 'hang', { input: '{"ms":2000}', startToCloseTimeout: '1' })]);
    expect((await describeRun(swf, domain, run)).openCounts!.openLambdaFunctions).toBe(1);
    const events = await historyWith(swf, domain, run, 'LambdaFunctionTimedOut', 5000);
    expect(typesOf(events).slice(4)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionTimedOut', 'DecisionTaskScheduled']);
    expect(events[6]!.lambdaFunctionTimedOutEventAttributes).toEqual({ scheduledEventId: 5, startedEventId: 6, timeoutType: 'START_TO_CLOSE' });
    const gap = events[6]!.eventTimestamp!.getTime() - events[5]!.eventTimestamp!.getTime();
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(gap).toBeLessThan(1500);
    expect((await describeRun(swf, domain, run)).openCounts!.openLambdaFunctions).toBe(0);
    // Well past the moment the handler would have answered: nothing more was recorded.
    await sleep(1500);
    expect(await historyOf(swf, domain, run)).toEqual(events);
  });

  test('a handler that burns CPU for 2 s does not stall the engine (DescribeDomain < 200 ms throughout)', async () => {
    const { domain, run } = await lambdaRun();
    await decide(swf, domain, [dx.lambda('cpu', 'spin', { input: '{"ms":2000}' })]);
    const samples: { at: number; ms: number }[] = [];
    let done: HistoryEvent | undefined;
    const until = Date.now() + 10_000;
    while (!done && Date.now() < until) {
      const t0 = Date.now();
      await swf.describeDomain({ name: domain });
      samples.push({ at: t0, ms: Date.now() - t0 });
      if (samples.length % 5 === 0) done = (await historyOf(swf, domain, run)).find((e) => e.eventType === 'LambdaFunctionCompleted');
      await sleep(20);
    }
    expect(done).toBeDefined();
    const result = JSON.parse(done!.lambdaFunctionCompletedEventAttributes!.result!) as { spun: number; busy: boolean };
    expect(result.busy).toBe(true);
    expect(result.spun).toBeGreaterThanOrEqual(2000);
    // The samples taken while the handler spun (the 2 s before its completion).
    const end = done!.eventTimestamp!.getTime();
    const during = samples.filter((s) => s.at >= end - 1900 && s.at <= end - 100);
    expect(during.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...during.map((s) => s.ms))).toBeLessThan(200);
  });

  test('a handler that returns a function: LambdaFunctionFailed (the result is not JSON)', async () => {
    const { events } = await runLambda([dx.lambda('f', 'unserializable')]);
    expect(outcome(events).eventType).toBe('LambdaFunctionFailed');
    expect(outcome(events).lambdaFunctionFailedEventAttributes).toEqual({
      scheduledEventId: 5,
      startedEventId: 6,
      reason: 'Runtime.UnserializableResult',
      details: 'The handler returned a function, which is not JSON',
    });
  });

  test('a handler whose result JSON.stringify rejects (BigInt): LambdaFunctionFailed', async () => {
    const { events } = await runLambda([dx.lambda('b', 'bigint')]);
    expect(outcome(events).eventType).toBe('LambdaFunctionFailed');
    expect(outcome(events).lambdaFunctionFailedEventAttributes).toMatchObject({ scheduledEventId: 5, startedEventId: 6, reason: 'TypeError' });
    expect(outcome(events).lambdaFunctionFailedEventAttributes!.details).toMatch(/BigInt/);
  });

  test('an input that is not JSON: LambdaFunctionFailed', async () => {
    const { events } = await runLambda([dx.lambda('bad', 'echo', { input: 'not json {' })]);
    expect(outcome(events).eventType).toBe('LambdaFunctionFailed');
    expect(outcome(events).lambdaFunctionFailedEventAttributes).toMatchObject({ scheduledEventId: 5, startedEventId: 6, reason: 'InvalidRequestContentException' });
    expect(outcome(events).lambdaFunctionFailedEventAttributes!.details).toMatch(/json/i);
  });

  test('an unknown function name: LambdaFunctionFailed reason ResourceNotFoundException', async () => {
    const { events } = await runLambda([dx.lambda('x', 'no-such-function')]);
    expect(typesOf(events).slice(4)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'DecisionTaskScheduled']);
    expect(events[6]!.lambdaFunctionFailedEventAttributes).toEqual({
      scheduledEventId: 5,
      startedEventId: 6,
      reason: 'ResourceNotFoundException',
      details: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function',
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('Lambda tasks that cannot start', () => {
  test('a run without lambdaRole: LambdaFunctionScheduled then StartLambdaFunctionFailed ASSUME_ROLE_FAILED', async () => {
    const { domain, run } = await lambdaRun(swf, { lambdaRole: null });
    await decide(swf, domain, [dx.lambda('r', 'echo', { input: '{}' })]);
    const events = await historyOf(swf, domain, run);
    expect(typesOf(events).slice(3)).toEqual(['DecisionTaskCompleted', 'LambdaFunctionScheduled', 'StartLambdaFunctionFailed', 'DecisionTaskScheduled']);
    const failed = events[5]!.startLambdaFunctionFailedEventAttributes!;
    expect(failed.scheduledEventId).toBe(5);
    expect(failed.cause).toBe('ASSUME_ROLE_FAILED');
    expect(failed.message).toEqual(expect.any(String));
    expect(failed.message!.length).toBeLessThanOrEqual(1728);
    expect((await describeRun(swf, domain, run)).openCounts!.openLambdaFunctions).toBe(0);
  });

  test('ID_ALREADY_IN_USE while a task with that id is open; the id is free again once it closed', async () => {
    const { domain, run } = await lambdaRun();
    await decide(swf, domain, [dx.lambda('same', 'echo'), dx.lambda('same', 'decline')]);
    let events = await historyOf(swf, domain, run);
    const failed = events.find((e) => e.eventType === 'ScheduleLambdaFunctionFailed')!;
    expect(failed.scheduleLambdaFunctionFailedEventAttributes).toEqual({ id: 'same', name: 'decline', cause: 'ID_ALREADY_IN_USE', decisionTaskCompletedEventId: 4 });
    expect(typesOf(events).filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(1);
    events = await historyWith(swf, domain, run, 'LambdaFunctionCompleted', 10_000);
    await decide(swf, domain, [dx.lambda('same', 'echo')]);
    events = await historyOf(swf, domain, run);
    expect(typesOf(events).filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(2);
    expect(typesOf(events).filter((x) => x === 'ScheduleLambdaFunctionFailed')).toHaveLength(1);
  });

  test('startToCloseTimeout "0" or "901": ValidationException, nothing written, the task stays live', async () => {
    const { domain, run } = await lambdaRun();
    const task = await pollDecision(swf, domain);
    for (const timeout of ['0', '901']) {
      await expectValidation(
        swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [dx.lambda('v', 'echo', { startToCloseTimeout: timeout })] }),
        /startToCloseTimeout/,
      );
    }
    expect(typesOf(await historyOf(swf, domain, run))).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [dx.lambda('v', 'echo', { startToCloseTimeout: '900' })] });
    expect(typesOf(await historyOf(swf, domain, run))).toContain('LambdaFunctionScheduled');
  });

  describe('engine options', () => {
    const engines: TestEngine[] = [];
    afterAll(async () => {
      await Promise.all(engines.map((e) => e.close()));
    });
    const engine = async (options: Parameters<typeof startTestEngine>[0]) => {
      const e = await startTestEngine({ pollTimeoutMs: 500, ...options });
      engines.push(e);
      return e.swf;
    };

    test('OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED with maxOpenLambdaFunctions: 1', async () => {
      const client = await engine({ maxOpenLambdaFunctions: 1, lambdaFunctions: FUNCTIONS });
      const { domain, run } = await lambdaRun(client);
      await decide(client, domain, [dx.lambda('one', 'echo'), dx.lambda('two', 'echo')]);
      const events = await historyOf(client, domain, run);
      expect(events.find((e) => e.eventType === 'ScheduleLambdaFunctionFailed')!.scheduleLambdaFunctionFailedEventAttributes).toEqual({
        id: 'two',
        name: 'echo',
        cause: 'OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED',
        decisionTaskCompletedEventId: 4,
      });
      expect(typesOf(events).filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(1);
    });

    test('LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION with lambdaInvoker: null', async () => {
      const client = await engine({ lambdaInvoker: null });
      const { domain, run } = await lambdaRun(client);
      await decide(client, domain, [dx.lambda('n', 'echo')]);
      const events = await historyOf(client, domain, run);
      expect(typesOf(events).slice(3)).toEqual(['DecisionTaskCompleted', 'ScheduleLambdaFunctionFailed', 'DecisionTaskScheduled']);
      expect(events[4]!.scheduleLambdaFunctionFailedEventAttributes).toEqual({
        id: 'n',
        name: 'echo',
        cause: 'LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION',
        decisionTaskCompletedEventId: 4,
      });
    });

    test('a custom invoker gets name, payload and timeout; an outcome after the timeout is ignored', async () => {
      const calls: LambdaInvocation[] = [];
      const invoker: LambdaInvoker = {
        invoke: async (inv): Promise<LambdaOutcome> => {
          calls.push(inv);
          // Answers only after the 1 s startToCloseTimeout has fired.
          await sleep(1500);
          return { result: '"too late"' };
        },
      };
      const client = await engine({ lambdaInvoker: invoker });
      const { domain, run } = await lambdaRun(client);
      await decide(client, domain, [dx.lambda('late', 'anything', { input: '{"x":1}', startToCloseTimeout: '1' })]);
      await historyWith(client, domain, run, 'LambdaFunctionTimedOut', 5000);
      expect(calls).toEqual([{ functionName: 'anything', payload: '{"x":1}', timeoutMs: 1000 }]);
      await sleep(1000);
      const events = await historyOf(client, domain, run);
      expect(typesOf(events).slice(4)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionTimedOut', 'DecisionTaskScheduled']);
    });

    test('lambdaFunctions as a JSON file: module paths are relative to the file; export defaults to "handler"', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'swf-lambda-'));
      try {
        const file = join(dir, 'functions.json');
        const rel = relative(dir, FIXTURE);
        expect(rel.startsWith('/')).toBe(false);
        writeFileSync(file, JSON.stringify({ fromFile: { module: rel }, refuse: { module: rel, export: 'decline' } }));
        const client = await engine({ lambdaFunctions: file });
        const { domain, run } = await lambdaRun(client);
        await decide(client, domain, [dx.lambda('a', 'fromFile', { input: '{"k":"v"}' }), dx.lambda('b', 'refuse', { input: '{"amount":7}' })]);
        const events = await historyUntil(
          client,
          domain,
          run,
          (es) => es.filter((e) => /^LambdaFunction(Completed|Failed)$/.test(e.eventType!)).length === 2,
          'two Lambda outcomes',
          15_000,
        );
        const completed = events.find((e) => e.eventType === 'LambdaFunctionCompleted')!.lambdaFunctionCompletedEventAttributes!;
        expect(completed).toEqual({ scheduledEventId: 5, startedEventId: 6, result: JSON.stringify({ received: { k: 'v' }, functionName: 'fromFile' }) });
        const failed = events.find((e) => e.eventType === 'LambdaFunctionFailed')!.lambdaFunctionFailedEventAttributes!;
        expect(failed).toEqual({ scheduledEventId: 7, startedEventId: 8, reason: 'PaymentDeclined', details: 'card declined for 7' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
