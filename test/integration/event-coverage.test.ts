/**
 * Every one of the 54 history event types (spec §6, EVENT_TYPES) must be produced by the
 * scenarios driven in this file. The test collects the histories of every run in the domains it
 * used and fails listing the event types that never appeared, except for an explicit allow-list
 * of types the engine cannot produce, each with its reason.
 */
import type { HistoryEvent, SWF, WorkflowExecutionInfo } from '@aws-sdk/client-swf';
import { EVENT_TYPES } from '../../lib/engine';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, decide, historyOf, pollActivity, pollDecision } from '../helpers/swf-flow';
import { dx, historyWith, registerWorkflow, type Run } from '../helpers/workflows';

/**
 * Event types no scenario can produce, with the reason. Keep this list honest: the test also
 * fails when a listed type does show up, so an entry is removed as soon as the engine can make it.
 */

const FIXTURE = require.resolve('../fixtures/lambda/handlers.ts');
const ROLE = 'arn:aws:iam::123456789012:role/coverage';

let t: TestEngine;
let swf: SWF;
const domains: string[] = [];

beforeAll(async () => {
  t = await startTestEngine({
    pollTimeoutMs: 1000,
    lambdaFunctions: { echo: { module: FIXTURE, export: 'handler' }, decline: { module: FIXTURE, export: 'decline' }, hang: { module: FIXTURE, export: 'hang' } },
  });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

async function domainFor(name: string): Promise<string> {
  const domain = unique(`cov-${name}`);
  domains.push(domain);
  await registerBasics(swf, domain);
  return domain;
}

async function start(domain: string, taskList: string, extra: Record<string, string> = {}): Promise<Run> {
  const workflowId = unique(taskList);
  const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: { name: 'Flow', version: '1' }, taskList: { name: taskList }, ...extra });
  return { workflowId, runId: runId! };
}

// ------------------------------------------------------------------------------------------------ scenarios

/** Activities: completed, failed, timed out, canceled while scheduled; both failure decisions. */
async function activities(): Promise<void> {
  const domain = await domainFor('act');
  const run = await start(domain, 'act');
  await decide(swf, domain, [
    d.schedule('ok', { taskList: { name: 'work' } }),
    d.schedule('bad', { taskList: { name: 'work' } }),
    d.schedule('late', { taskList: { name: 'nobody' }, scheduleToStartTimeout: '1' }),
    d.schedule('unknown-type', {}, { name: 'NoSuchActivity', version: '1' }),
    d.schedule('idle', { taskList: { name: 'idle' } }),
    d.cancelActivity('idle'),
    d.cancelActivity('ghost'),
  ], 'act');
  const a = await pollActivity(swf, domain, 'work');
  await swf.respondActivityTaskCompleted({ taskToken: a.taskToken, result: 'r' });
  const b = await pollActivity(swf, domain, 'work');
  await swf.respondActivityTaskFailed({ taskToken: b.taskToken, reason: 'no', details: 'sorry' });
  await historyWith(swf, domain, run, 'ActivityTaskTimedOut', 5000);
}

/** Timers and markers: fired, canceled, both failure decisions. */
async function timers(): Promise<void> {
  const domain = await domainFor('timer');
  const run = await start(domain, 'timer');
  await decide(swf, domain, [d.timer('now', '0'), d.timer('later', '60'), d.timer('later', '60'), d.cancelTimer('later'), d.cancelTimer('ghost'), d.marker('m', 'details')], 'timer');
  await historyWith(swf, domain, run, 'TimerFired', 5000);
}

/** Each closing decision failing with UNHANDLED_DECISION, then continue-as-new and complete. */
async function closingFailures(): Promise<void> {
  const domain = await domainFor('close');
  const run = await start(domain, 'close');
  for (const decision of [d.complete(), d.fail('x'), d.cancel(), dx.continueAsNew()]) {
    const task = await pollDecision(swf, domain, 'close');
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'interrupt' });
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [decision] });
  }
  await decide(swf, domain, [dx.continueAsNew({ taskList: 'close' })], 'close');
  await decide(swf, domain, [d.complete('done')], 'close');
}

/** Every way a run closes, the API cancel request, and a decision task timeout. */
async function closes(): Promise<void> {
  const domain = await domainFor('closes');
  await start(domain, 'fail');
  await decide(swf, domain, [d.fail('reason', 'details')], 'fail');
  const canceled = await start(domain, 'cancel');
  await swf.requestCancelWorkflowExecution({ domain, workflowId: canceled.workflowId });
  await decide(swf, domain, [d.cancel('ok')], 'cancel');
  const terminated = await start(domain, 'terminate');
  await swf.terminateWorkflowExecution({ domain, workflowId: terminated.workflowId, reason: 'ops' });
  const timedOut = await start(domain, 'timeout', { executionStartToCloseTimeout: '1' });
  const slowDecider = await start(domain, 'slow', { taskStartToCloseTimeout: '1' });
  await pollDecision(swf, domain, 'slow'); // and never answer
  await historyWith(swf, domain, timedOut, 'WorkflowExecutionTimedOut', 5000);
  await historyWith(swf, domain, slowDecider, 'DecisionTaskTimedOut', 5000);
}

/** Children that complete, fail, cancel, time out and are terminated; one that cannot start. */
async function children(): Promise<void> {
  const domain = await domainFor('child');
  const parent = await start(domain, 'parent');
  await decide(swf, domain, [
    dx.startChild(unique('c'), { taskList: 'c-complete' }),
    dx.startChild(unique('c'), { taskList: 'c-fail' }),
    dx.startChild(unique('c'), { taskList: 'c-cancel' }),
    dx.startChild(unique('c'), { taskList: 'c-timeout', executionStartToCloseTimeout: '1' }),
    dx.startChild('c-terminate', { taskList: 'c-terminate' }),
    dx.startChild(unique('c'), { workflowType: { name: 'NoSuchWorkflow', version: '1' } }),
  ], 'parent');
  await decide(swf, domain, [d.complete('child result')], 'c-complete');
  await decide(swf, domain, [d.fail('child reason')], 'c-fail');
  await decide(swf, domain, [d.cancel('child details')], 'c-cancel');
  await swf.terminateWorkflowExecution({ domain, workflowId: 'c-terminate' });
  await historyWith(swf, domain, parent, 'ChildWorkflowExecutionTimedOut', 5000);
}

/** Signals and cancel requests to a run that exists and to one that does not. */
async function external(): Promise<void> {
  const domain = await domainFor('ext');
  const target = await start(domain, 'target');
  await start(domain, 'source');
  await decide(swf, domain, [dx.signal(target.workflowId, 'hello'), dx.signal('nobody', 'hello'), dx.cancelExternal(target.workflowId), dx.cancelExternal('nobody')], 'source');
}

/** Lambda tasks that complete, fail, time out, cannot be scheduled, and cannot start. */
async function lambda(): Promise<void> {
  const domain = await domainFor('lambda');
  await registerWorkflow(swf, domain, 'Flow', 'role', {
    defaultTaskList: { name: 'lambda' },
    defaultExecutionStartToCloseTimeout: '600',
    defaultTaskStartToCloseTimeout: '60',
    defaultChildPolicy: 'TERMINATE',
    defaultLambdaRole: ROLE,
  });
  const workflowId = unique('lambda');
  const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: { name: 'Flow', version: 'role' } });
  await decide(swf, domain, [
    dx.lambda('ok', 'echo', { input: '{"a":1}' }),
    dx.lambda('no', 'decline', { input: '{"amount":1}' }),
    dx.lambda('slow', 'hang', { startToCloseTimeout: '1', input: '{"ms":3000}' }),
    dx.lambda('ok', 'echo'),
  ], 'lambda');
  await start(domain, 'no-role');
  await decide(swf, domain, [dx.lambda('x', 'echo')], 'no-role');
  await historyWith(swf, domain, { workflowId, runId: runId! }, 'LambdaFunctionTimedOut', 5000);
}

// ------------------------------------------------------------------------------------------------ collection

async function allRuns(domain: string): Promise<WorkflowExecutionInfo[]> {
  const infos: WorkflowExecutionInfo[] = [];
  for (const list of [
    (nextPageToken?: string) => swf.listOpenWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, nextPageToken }),
    (nextPageToken?: string) => swf.listClosedWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, nextPageToken }),
  ]) {
    let token: string | undefined;
    do {
      const page = await list(token);
      infos.push(...(page.executionInfos ?? []));
      token = page.nextPageToken;
    } while (token);
  }
  return infos;
}

/** RecordMarkerFailed: only an IAM denial causes it, so a second engine denies RecordMarker. */
async function deniedMarker(): Promise<HistoryEvent[]> {
  const denied = await startTestEngine({ pollTimeoutMs: 1000, deniedDecisions: ['RecordMarker'] });
  try {
    const domain = unique('cov-denied');
    await registerBasics(denied.swf, domain);
    const workflowId = unique('denied');
    const { runId } = await denied.swf.startWorkflowExecution({ domain, workflowId, workflowType: { name: 'Flow', version: '1' } });
    const task = await denied.swf.pollForDecisionTask({ domain, taskList: { name: 'default' } });
    await denied.swf.respondDecisionTaskCompleted({
      taskToken: task.taskToken,
      decisions: [{ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'm' } }],
    });
    const events = await historyOf(denied.swf, domain, { workflowId, runId: runId! });
    expect(events.find((e) => e.eventType === 'RecordMarkerFailed')?.recordMarkerFailedEventAttributes).toMatchObject({
      markerName: 'm',
      cause: 'OPERATION_NOT_PERMITTED',
    });
    return events;
  } finally {
    await denied.close();
  }
}

test('the scenarios in this file produce all 54 history event types', async () => {
  expect(EVENT_TYPES).toHaveLength(54);
  const [deniedEvents] = await Promise.all([deniedMarker(), activities(), timers(), closingFailures(), closes(), children(), external(), lambda()]);

  const seen = new Map<string, number>();
  for (const e of deniedEvents) seen.set(e.eventType!, (seen.get(e.eventType!) ?? 0) + 1);
  let runs = 0;
  for (const domain of domains) {
    for (const info of await allRuns(domain)) {
      runs++;
      const events: HistoryEvent[] = await historyOf(swf, domain, info.execution!);
      for (const e of events) seen.set(e.eventType!, (seen.get(e.eventType!) ?? 0) + 1);
    }
  }
  expect(runs).toBeGreaterThan(15);

  const unknown = [...seen.keys()].filter((type) => !EVENT_TYPES.includes(type as never));
  expect(unknown).toEqual([]);
  const missing = EVENT_TYPES.filter((type) => !seen.has(type));
  if (missing.length > 0) throw new Error(`event types never produced (${missing.length}): ${missing.join(', ')}`);
  expect(seen.size).toBe(EVENT_TYPES.length);
});
