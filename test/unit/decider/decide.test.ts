import type { Decision } from '@aws-sdk/client-swf';
import {
  DeciderError,
  allOf,
  decide,
  defineWorkflow,
  evaluate,
  replay,
  type RetryPolicy,
  type TaskHandle,
  type TaskKind,
  type WorkflowDefinition,
} from '../../../lib/decider';
import { HistoryBuilder } from './history-builder';

const retry: RetryPolicy = { maxAttempts: 3, initialIntervalSeconds: 2, backoffCoefficient: 2, maximumIntervalSeconds: 3, nonRetryable: ['Fatal'] };

interface ChainInput {
  kind: TaskKind;
  items: string[];
}

/** first -> fan out one task per item -> fan in -> complete. */
const chain = defineWorkflow<ChainInput>({
  name: 'Chain',
  decide(ctx) {
    const opts = (name: string, input: unknown) => ({
      kind: ctx.input.kind,
      name,
      version: '1',
      input,
      retry,
      startToCloseTimeout: 30,
      ...(ctx.input.kind === 'activity' ? { taskList: 'workers', heartbeatTimeout: 10, scheduleToStartTimeout: 60, scheduleToCloseTimeout: 90 } : {}),
    });
    const first = ctx.task<number>('first', opts('fn-first', { n: 1 }));
    if (first.status === 'failed' || first.status === 'canceled') return ctx.fail('FirstFailed', `${first.failure.reason} after ${first.attempts}`);
    if (first.status !== 'completed') return;
    const items = ctx.input.items.map((i) => ctx.task<string>(`item-${i}`, opts('fn-item', { i, first: first.result })));
    const all = allOf(items);
    if (all.status === 'failed') return ctx.fail('ItemFailed', all.failed.key);
    if (all.status === 'completed') ctx.complete({ first: first.result, items: all.results });
  },
});

/** One decision task: poll, decide, respond. Returns the decisions. */
function turn<I>(h: HistoryBuilder, wf: WorkflowDefinition<I>): Decision[] {
  const d = decide(wf, h.poll());
  h.respond(d);
  return d;
}

const types = (ds: Decision[]) => ds.map((d) => d.decisionType);
const lambdaIds = (ds: Decision[]) => ds.flatMap((d) => (d.scheduleLambdaFunctionDecisionAttributes?.id ? [d.scheduleLambdaFunctionDecisionAttributes.id] : []));

describe('scheduling', () => {
  it('schedules a Lambda task and an activity through the same API', () => {
    const lambda = turn(new HistoryBuilder().start({ kind: 'lambda', items: [] }), chain);
    expect(lambda).toEqual([
      { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'first', name: 'fn-first', input: '{"n":1}', startToCloseTimeout: '30' } },
    ]);
    const activity = turn(new HistoryBuilder().start({ kind: 'activity', items: [] }), chain);
    expect(activity).toEqual([
      {
        decisionType: 'ScheduleActivityTask',
        scheduleActivityTaskDecisionAttributes: {
          activityType: { name: 'fn-first', version: '1' },
          activityId: 'first',
          input: '{"n":1}',
          taskList: { name: 'workers' },
          scheduleToStartTimeout: '60',
          scheduleToCloseTimeout: '90',
          startToCloseTimeout: '30',
          heartbeatTimeout: '10',
        },
      },
    ]);
  });

  it('never schedules a task that is already scheduled or started, nor twice in one batch', () => {
    const h = new HistoryBuilder().start({ kind: 'activity', items: [] });
    turn(h, chain);
    h.signal('noise');
    expect(turn(h, chain)).toEqual([]);
    h.activityStarted('first').signal('noise');
    expect(turn(h, chain)).toEqual([]);
    // a decision task that timed out: its decisions were never applied, so they are made again
    const h2 = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    decide(chain, h2.poll());
    h2.decisionTimedOut();
    expect(lambdaIds(turn(h2, chain))).toEqual(['first']);
    const twice = defineWorkflow({
      decide(ctx) {
        ctx.task('x', { kind: 'lambda', name: 'f' });
        ctx.task('x', { kind: 'lambda', name: 'f' });
      },
    });
    expect(decide(twice, new HistoryBuilder().start().poll())).toHaveLength(1);
  });

  it('fans out in one batch and fans in, failing fast on a permanent failure', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: ['a', 'b', 'c'] });
    turn(h, chain);
    h.lambdaCompleted('first', 7);
    const fanOut = turn(h, chain);
    expect(lambdaIds(fanOut)).toEqual(['item-a', 'item-b', 'item-c']);
    expect(JSON.parse(fanOut[1]!.scheduleLambdaFunctionDecisionAttributes!.input!)).toEqual({ i: 'b', first: 7 });
    h.lambdaCompleted('item-c', 'C').lambdaCompleted('item-a', 'A');
    expect(turn(h, chain)).toEqual([]);
    h.lambdaCompleted('item-b', 'B');
    expect(turn(h, chain)).toEqual([{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: '{"first":7,"items":["A","B","C"]}' } }]);
    expect(h.closed).toBe(true);

    const f = new HistoryBuilder().start({ kind: 'lambda', items: ['a', 'b'] });
    turn(f, chain);
    f.lambdaCompleted('first', 1);
    turn(f, chain);
    f.lambdaFailed('item-b', 'Fatal', 'bad item');
    expect(turn(f, chain)).toEqual([{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'ItemFailed', details: 'item-b' } }]);
  });

  it('allOf reports running, completed and failed sets', () => {
    const base = { kind: 'lambda' as const, history: [] };
    const running: TaskHandle<number> = { ...base, key: 'r', attempts: 1, status: 'running', phase: 'started' };
    const done: TaskHandle<number> = { ...base, key: 'd', attempts: 1, status: 'completed', result: 1 };
    const failed: TaskHandle<number> = { ...base, key: 'f', attempts: 3, status: 'failed', failure: { type: 'error', reason: 'X' } };
    expect(allOf([done, running])).toEqual({ status: 'running', running: 1, completed: 1 });
    expect(allOf([done, done])).toEqual({ status: 'completed', results: [1, 1] });
    expect(allOf([running, failed])).toMatchObject({ status: 'failed', failed: { key: 'f' } });
    expect(allOf([])).toEqual({ status: 'completed', results: [] });
  });
});

describe('retries', () => {
  it('backs off with SWF timers and gives each attempt a fresh id, then fails after maxAttempts', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(h, chain);
    h.lambdaFailed('first', 'Flaky', 'try again');
    expect(turn(h, chain)).toEqual([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'first#2', startToFireTimeout: '2' } }]);
    h.signal('noise');
    expect(turn(h, chain)).toEqual([]); // still backing off
    h.timerFired('first#2');
    expect(lambdaIds(turn(h, chain))).toEqual(['first#2']);
    h.lambdaTimedOut('first#2'); // timeouts are retryable
    expect(turn(h, chain)).toEqual([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'first#3', startToFireTimeout: '3' } }]); // 4 s capped at 3
    h.timerFired('first#3');
    expect(lambdaIds(turn(h, chain))).toEqual(['first#3']);
    h.lambdaFailed('first#3', 'Flaky');
    expect(turn(h, chain)).toEqual([{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'FirstFailed', details: 'Flaky after 3' } }]);
  });

  it('retries an activity the same way', () => {
    const h = new HistoryBuilder().start({ kind: 'activity', items: [] });
    turn(h, chain);
    h.activityTimedOut('first', 'HEARTBEAT');
    expect(types(turn(h, chain))).toEqual(['StartTimer']);
    h.timerFired('first#2');
    const d = turn(h, chain);
    expect(d[0]?.scheduleActivityTaskDecisionAttributes?.activityId).toBe('first#2');
    h.activityCompleted('first#2', 5);
    expect(types(turn(h, chain))).toEqual(['CompleteWorkflowExecution']);
  });

  it('never retries a non-retryable error, a refused schedule or a Lambda that could not start', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(h, chain);
    h.lambdaFailed('first', 'Fatal', 'no');
    expect(turn(h, chain)).toEqual([{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'FirstFailed', details: 'Fatal after 1' } }]);

    const refused = new HistoryBuilder().start({ kind: 'activity', items: [] }).refuse('first', 'ACTIVITY_TYPE_DOES_NOT_EXIST');
    turn(refused, chain);
    expect(turn(refused, chain)[0]?.failWorkflowExecutionDecisionAttributes?.details).toBe('ACTIVITY_TYPE_DOES_NOT_EXIST after 1');

    const noRole = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(noRole, chain);
    noRole.startLambdaFailed('first');
    expect(turn(noRole, chain)[0]?.failWorkflowExecutionDecisionAttributes?.details).toBe('ASSUME_ROLE_FAILED after 1');
  });

  it('retries a schedule refused for load (a transient cause)', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: [] }).refuse('first', 'LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED');
    turn(h, chain);
    expect(turn(h, chain)).toEqual([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'first#2', startToFireTimeout: '2' } }]);
  });

  it('schedules the retry at once when the policy has no wait', () => {
    const wf = defineWorkflow({
      decide(ctx) {
        ctx.task('t', { kind: 'lambda', name: 'f', retry: { maxAttempts: 2, initialIntervalSeconds: 0, backoffCoefficient: 2, maximumIntervalSeconds: 0 } });
      },
    });
    const h = new HistoryBuilder().start();
    turn(h, wf);
    h.lambdaFailed('t', 'E');
    expect(lambdaIds(turn(h, wf))).toEqual(['t#2']);
  });
});

describe('cancellation', () => {
  it('asks open activities to cancel, waits for them, then cancels the run', () => {
    const h = new HistoryBuilder().start({ kind: 'activity', items: ['a', 'b'] });
    turn(h, chain);
    h.activityCompleted('first', 1);
    turn(h, chain);
    h.activityStarted('item-a'); // item-b stays scheduled (no worker yet)
    h.cancelRequested();
    expect(turn(h, chain)).toEqual([
      { decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId: 'item-a' } },
      { decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId: 'item-b' } },
    ]);
    // SWF canceled item-b at once (it had not started); item-a's worker has not answered yet
    expect(h.open().activities).toEqual(['item-a']);
    expect(turn(h, chain)).toEqual([]);
    h.activityCanceled('item-a', 'stopped');
    expect(turn(h, chain)).toEqual([{ decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: {} }]);
  });

  it('cancels backoff timers and does not retry once a cancel is requested', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(h, chain);
    h.lambdaFailed('first', 'Flaky');
    turn(h, chain); // timer first#2
    h.cancelRequested();
    expect(turn(h, chain)).toEqual([
      { decisionType: 'CancelTimer', cancelTimerDecisionAttributes: { timerId: 'first#2' } },
      { decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: {} },
    ]);
  });

  it('abandons running Lambda tasks by default, or waits for them when asked', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(h, chain);
    h.lambdaStarted('first').cancelRequested();
    const details = defineWorkflow<ChainInput>({ ...chain, cancelDetails: (ctx) => `abandoned ${ctx.view.tasks.get('first')?.state}` });
    expect(decide(details, h.poll())).toEqual([{ decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: { details: 'abandoned started' } }]);

    const waiting = defineWorkflow<ChainInput>({ ...chain, cancellation: { lambdas: 'wait' } });
    h.respond([]);
    h.lambdaCompleted('first', 1);
    expect(turn(h, waiting)).toEqual([{ decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: {} }]);
    const w = new HistoryBuilder().start({ kind: 'lambda', items: [] });
    turn(w, waiting);
    w.lambdaStarted('first').cancelRequested();
    expect(turn(w, waiting)).toEqual([]);
  });

  it('lets a workflow handle cancellation itself', () => {
    const manual = defineWorkflow({
      cancellation: { handle: 'manual' },
      decide(ctx) {
        if (ctx.cancelRequested) {
          ctx.emit({ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'cleanup' } });
          ctx.cancelWorkflow('by hand');
          return;
        }
        ctx.timer('wait', 60);
      },
    });
    const h = new HistoryBuilder().start();
    expect(types(turn(h, manual))).toEqual(['StartTimer']);
    h.cancelRequested();
    expect(types(turn(h, manual))).toEqual(['RecordMarker', 'CancelTimer', 'CancelWorkflowExecution']);
  });
});

describe('closing', () => {
  it('recomputes after UNHANDLED_DECISION without repeating what was applied', () => {
    const wf = defineWorkflow({
      decide(ctx) {
        const n = ctx.marker('n', () => 42);
        ctx.complete({ n });
      },
    });
    const h = new HistoryBuilder().start();
    const first = decide(wf, h.poll());
    expect(types(first)).toEqual(['RecordMarker', 'CompleteWorkflowExecution']);
    h.signal('late'); // arrives while the decider works: the close fails with UNHANDLED_DECISION
    h.respond(first);
    expect(h.closed).toBe(false);
    const view = evaluate(wf, h.poll()).view;
    expect(view.decisionFailures).toEqual([expect.objectContaining({ decisionType: 'CompleteWorkflowExecution', cause: 'UNHANDLED_DECISION' })]);
    const again = decide(wf, h.events);
    expect(again).toEqual([{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: '{"n":42}' } }]);
    h.respond(again);
    expect(h.closed).toBe(true);
    expect(decide(wf, h.events)).toEqual([]); // a closed run gets no decisions
  });

  it('puts the closing decision last and refuses decisions after it', () => {
    const wf = defineWorkflow({
      decide(ctx) {
        ctx.fail('x'.repeat(300), 'why');
        ctx.task('late', { kind: 'lambda', name: 'f' });
      },
    });
    expect(() => decide(wf, new HistoryBuilder().start().poll())).toThrow(/ScheduleLambdaFunction after FailWorkflowExecution/);
    const ok = defineWorkflow({
      decide(ctx) {
        ctx.emit({ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} });
        expect(ctx.closing).toBe(true);
      },
    });
    expect(types(decide(ok, new HistoryBuilder().start().poll()))).toEqual(['CompleteWorkflowExecution']);
    const long = defineWorkflow({ decide: (ctx) => ctx.fail('x'.repeat(300)) });
    expect(decide(long, new HistoryBuilder().start().poll())[0]?.failWorkflowExecutionDecisionAttributes?.reason).toHaveLength(256);
  });

  it('fails the run with InvalidInput when the input cannot be parsed', () => {
    const strict = defineWorkflow<{ id: string }>({
      parseInput(raw) {
        const v = JSON.parse(raw ?? 'null') as { id?: unknown } | null;
        if (typeof v?.id !== 'string') throw new Error('id is required');
        return { id: v.id };
      },
      decide: (ctx) => ctx.complete(ctx.input.id),
    });
    expect(decide(strict, new HistoryBuilder().start({}).poll())).toEqual([{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'InvalidInput', details: 'id is required' } }]);
    expect(decide(strict, new HistoryBuilder().start('not json').poll())[0]?.failWorkflowExecutionDecisionAttributes?.reason).toBe('InvalidInput');
    expect(types(decide(strict, new HistoryBuilder().start({ id: 'a' }).poll()))).toEqual(['CompleteWorkflowExecution']);
  });

  it('throws on a workflow bug by default, or fails the run when asked to', () => {
    const buggy = { decide: () => { throw new TypeError('oops'); } };
    expect(() => decide(buggy, new HistoryBuilder().start().poll())).toThrow('oops');
    expect(decide({ ...buggy, onError: 'fail' }, new HistoryBuilder().start().poll())).toEqual([
      { decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'DeciderError', details: 'TypeError: oops' } },
    ]);
  });

  it('checks task keys and input sizes', () => {
    const badKey = defineWorkflow({ decide: (ctx) => void ctx.task('a:b', { kind: 'lambda', name: 'f' }) });
    expect(() => decide(badKey, new HistoryBuilder().start().poll())).toThrow(DeciderError);
    const noVersion = defineWorkflow({ decide: (ctx) => void ctx.task('a', { kind: 'activity', name: 'f' }) });
    expect(() => decide(noVersion, new HistoryBuilder().start().poll())).toThrow(/needs a version/);
    let handle: TaskHandle | undefined;
    const big = defineWorkflow({
      decide(ctx) {
        handle = ctx.task('big', { kind: 'lambda', name: 'f', input: 'x'.repeat(40_000) });
      },
    });
    expect(decide(big, new HistoryBuilder().start().poll())).toEqual([]);
    expect(handle).toMatchObject({ status: 'failed', failure: { type: 'invalid', reason: 'InputTooLarge' } });
  });
});

describe('continue-as-new', () => {
  interface CountInput {
    done: number;
    total: number;
  }
  /** Processes `total` items one at a time, starting over as a new run past 20 events. */
  const counter = defineWorkflow<CountInput>({
    continueAsNewAfterEvents: 20,
    decide(ctx) {
      const { done, total } = ctx.input;
      for (let i = done; i < total; i++) {
        const key = `item-${i}`;
        // At the frontier (nothing of item i in this run yet) and past the threshold: start over.
        if (!ctx.view.tasksByKey.has(key) && ctx.shouldContinueAsNew) return ctx.continueAsNew({ done: i, total });
        const step = ctx.task<number>(key, { kind: 'lambda', name: 'f', input: i });
        if (step.status !== 'completed') return;
      }
      ctx.complete({ total });
    },
  });

  it('carries the progress into the new run with this run\'s settings', () => {
    const h = new HistoryBuilder().start({ done: 0, total: 10 }, { lambdaRole: 'role-x', tagList: ['t1'], taskList: 'deciders-x' });
    let last: Decision[] = [];
    let item = 0;
    for (;;) {
      last = turn(h, counter);
      if (h.closed) break;
      h.lambdaCompleted(`item-${item++}`, item);
    }
    expect(types(last)).toEqual(['ContinueAsNewWorkflowExecution']);
    expect(last[0]?.continueAsNewWorkflowExecutionDecisionAttributes).toEqual({
      input: JSON.stringify({ done: item, total: 10 }),
      taskList: { name: 'deciders-x' },
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '60',
      childPolicy: 'TERMINATE',
      tagList: ['t1'],
      lambdaRole: 'role-x',
    });
    expect(h.lastEventId).toBeGreaterThanOrEqual(20);
    expect(item).toBeLessThan(10);
  });

  it('refuses to continue as new while work is open', () => {
    const eager = defineWorkflow({
      decide(ctx) {
        ctx.task('t', { kind: 'lambda', name: 'f' });
        ctx.continueAsNew({});
      },
    });
    expect(() => decide(eager, new HistoryBuilder().start().poll())).toThrow(/open tasks/);
  });
});

describe('markers, timers, signals', () => {
  it('records a marker once and reads the recorded value back', () => {
    let computed = 0;
    const wf = defineWorkflow({
      decide(ctx) {
        const v = ctx.marker('plan', () => ({ run: ++computed }));
        ctx.timer('tick', 5);
        if (ctx.signals('stop').length > 0) ctx.complete(v);
      },
    });
    const h = new HistoryBuilder().start();
    expect(turn(h, wf)).toEqual([
      { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'plan', details: '{"run":1}' } },
      { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'tick', startToFireTimeout: '5' } },
    ]);
    h.signal('stop');
    expect(turn(h, wf)).toEqual([{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: '{"run":1}' } }]);
    expect(computed).toBe(1);
  });
});

describe('determinism and replay', () => {
  function finishedChain(): HistoryBuilder {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: ['a', 'b'] });
    turn(h, chain);
    h.lambdaFailed('first', 'Flaky');
    turn(h, chain);
    h.timerFired('first#2');
    turn(h, chain);
    h.lambdaCompleted('first#2', 3);
    turn(h, chain);
    h.lambdaCompleted('item-a', 'A').lambdaCompleted('item-b', 'B');
    turn(h, chain);
    return h;
  }

  it('gives the same decisions for the same history', () => {
    const h = new HistoryBuilder().start({ kind: 'lambda', items: ['a', 'b'] });
    turn(h, chain);
    h.lambdaCompleted('first', 1);
    const events = h.poll();
    expect(decide(chain, events)).toEqual(decide(chain, JSON.parse(JSON.stringify(events))));
    expect(decide(chain, events)).toEqual(decide(chain, events));
  });

  it('replays a finished history without mismatches', () => {
    const report = replay(chain, finishedChain().events);
    expect(report).toEqual({ ok: true, decisionTasks: 5, mismatches: [] });
  });

  it('reports a workflow change that would break runs in flight', () => {
    const changed = defineWorkflow<ChainInput>({
      ...chain,
      decide(ctx) {
        ctx.marker('new-marker', () => 1);
        chain.decide(ctx);
      },
    });
    const report = replay(changed, finishedChain().events);
    expect(report.ok).toBe(false);
    expect(report.mismatches[0]).toMatchObject({ decisionTaskCompletedEventId: 4, recorded: ['ScheduleLambdaFunction:first'], decided: ['RecordMarker:new-marker', 'ScheduleLambdaFunction:first'] });
  });
});
