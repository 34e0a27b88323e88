/**
 * What older clients and careful monitoring see on the wire, as the live service answers it: the
 * long X-Amz-Target form with plain JSON bodies (boto 2, raw-HTTP deciders), zero links on root
 * starts and on signals and cancel requests sent through the API, Describe after close, the
 * activity timestamp, the Lambda event without a timeout, and the empty poll without a token.
 */
import type { SWF } from '@aws-sdk/client-swf';
import type { LambdaInvoker } from '../../lib/engine';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { rawCall, type RawAnswer } from '../helpers/raw-http';
import { d, decide, historyOf, onlyEvent, pollActivity, pollDecision, startRun } from '../helpers/swf-flow';
import { dx } from '../helpers/workflows';

const LONG = 'com.amazonaws.swf.service.model.SimpleWorkflowService.';
const BOTO2_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** Answers every Lambda task with its input, at once. */
const echoInvoker: LambdaInvoker = {
  invoke: async (call) => ({ result: call.payload ?? 'null' }),
};

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 300, lambdaInvoker: echoInvoker });
  swf = t.swf;
});

afterAll(async () => {
  await t?.close();
});

/** A call the way boto 2 makes it: long target, `application/json; charset=UTF-8`. */
function boto2Call(op: string, body: unknown): Promise<RawAnswer> {
  return rawCall(t.engine.endpoint, { target: LONG + op, body, headers: { 'Content-Type': BOTO2_CONTENT_TYPE } });
}

describe('the long X-Amz-Target form and plain JSON', () => {
  test('a whole decision round trip over raw HTTP with the long target', async () => {
    const domain = unique('long');
    const reg = await boto2Call('RegisterDomain', { name: domain, workflowExecutionRetentionPeriodInDays: '1' });
    expect(reg.status).toBe(200);
    expect(reg.headers.get('content-type')).toBe('application/json');
    await swf.registerWorkflowType({
      domain,
      name: 'Flow',
      version: '1',
      defaultTaskList: { name: 'default' },
      defaultExecutionStartToCloseTimeout: '3600',
      defaultTaskStartToCloseTimeout: '300',
      defaultChildPolicy: 'TERMINATE',
    });
    const started = await boto2Call('StartWorkflowExecution', { domain, workflowId: 'w', workflowType: { name: 'Flow', version: '1' } });
    expect(started.status).toBe(200);
    expect(started.json.runId).toEqual(expect.any(String));
    const task = await boto2Call('PollForDecisionTask', { domain, taskList: { name: 'default' } });
    expect(task.status).toBe(200);
    expect(task.json.events.map((e: { eventType: string }) => e.eventType)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    const done = await boto2Call('RespondDecisionTaskCompleted', { taskToken: task.json.taskToken, decisions: [d.complete('ok')] });
    expect(done.status).toBe(200);
    const described = await boto2Call('DescribeWorkflowExecution', { domain, execution: { workflowId: 'w', runId: started.json.runId } });
    expect(described.json.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'COMPLETED' });
  });

  test('a fault answers in kind, and an unknown operation under the long prefix is still unknown', async () => {
    const missing = await boto2Call('DescribeDomain', { name: 'no-such-domain' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('application/json');
    expect(missing.json.__type).toBe('com.amazonaws.swf.base.model#UnknownResourceFault');
    const unknown = await boto2Call('NoSuchOperation', {});
    expect(unknown.status).toBe(400);
    expect(unknown.json.__type).toMatch(/UnknownOperationException$/);
    const otherService = await rawCall(t.engine.endpoint, { target: 'com.amazonaws.swf.service.model.Other.ListDomains', body: {} });
    expect(otherService.json.__type).toMatch(/UnknownOperationException$/);
  });
});

describe('zero links', () => {
  test('a root start carries parentInitiatedEventId 0; API signals and cancel requests externalInitiatedEventId 0', async () => {
    const domain = unique('links');
    await registerBasics(swf, domain);
    const run = await startRun(swf, domain);
    await swf.signalWorkflowExecution({ domain, workflowId: run.workflowId, signalName: 'poke' });
    await swf.requestCancelWorkflowExecution({ domain, workflowId: run.workflowId });
    const events = await historyOf(swf, domain, run);
    expect(onlyEvent(events, 'WorkflowExecutionStarted').workflowExecutionStartedEventAttributes!.parentInitiatedEventId).toBe(0);
    expect(onlyEvent(events, 'WorkflowExecutionSignaled').workflowExecutionSignaledEventAttributes).toEqual({ signalName: 'poke', externalInitiatedEventId: 0 });
    expect(onlyEvent(events, 'WorkflowExecutionCancelRequested').workflowExecutionCancelRequestedEventAttributes).toEqual({ externalInitiatedEventId: 0 });
  });
});

describe('DescribeWorkflowExecution', () => {
  test('after a CANCELED close: cancelRequested false, and the activity still started is still counted', async () => {
    const domain = unique('closed');
    await registerBasics(swf, domain);
    const run = await startRun(swf, domain);
    await decide(swf, domain, [d.schedule('a1')]);
    await pollActivity(swf, domain);
    await swf.requestCancelWorkflowExecution({ domain, workflowId: run.workflowId });
    const open = await swf.describeWorkflowExecution({ domain, execution: run });
    expect(open.executionInfo!.cancelRequested).toBe(true);
    await decide(swf, domain, [d.cancel()]);
    const closed = await swf.describeWorkflowExecution({ domain, execution: run });
    expect(closed.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'CANCELED', cancelRequested: false });
    expect(closed.openCounts).toEqual({ openActivityTasks: 1, openDecisionTasks: 0, openTimers: 0, openChildWorkflowExecutions: 0, openLambdaFunctions: 0 });
    const listed = await swf.listClosedWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) } });
    expect(listed.executionInfos![0]!.cancelRequested).toBe(false);
  });

  test('latestActivityTaskTimestamp moves when an activity is scheduled, started and completed', async () => {
    const domain = unique('latest');
    await registerBasics(swf, domain);
    const run = await startRun(swf, domain);
    const latest = async () => (await swf.describeWorkflowExecution({ domain, execution: run })).latestActivityTaskTimestamp!.getTime();
    const stamp = async (type: string) => onlyEvent(await historyOf(swf, domain, run), type).eventTimestamp!.getTime();
    await decide(swf, domain, [d.schedule('a1')]);
    expect(await latest()).toBe(await stamp('ActivityTaskScheduled'));
    const task = await pollActivity(swf, domain);
    expect(await latest()).toBe(await stamp('ActivityTaskStarted'));
    await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: 'r' });
    expect(await latest()).toBe(await stamp('ActivityTaskCompleted'));
  });
});

describe('LambdaFunctionScheduled', () => {
  test('startToCloseTimeout is written only when the decision gave one', async () => {
    const domain = unique('lambda-timeout');
    await registerBasics(swf, domain);
    const { runId } = await swf.startWorkflowExecution({
      domain,
      workflowId: 'w',
      workflowType: { name: 'Flow', version: '1' },
      lambdaRole: 'arn:aws:iam::123456789012:role/swf-lambda',
    });
    await decide(swf, domain, [dx.lambda('plain', 'echo'), dx.lambda('timed', 'echo', { startToCloseTimeout: '30' })]);
    const scheduled = (await historyOf(swf, domain, { workflowId: 'w', runId: runId! }))
      .filter((e) => e.eventType === 'LambdaFunctionScheduled')
      .map((e) => e.lambdaFunctionScheduledEventAttributes!);
    expect(scheduled.find((a) => a.id === 'plain')).not.toHaveProperty('startToCloseTimeout');
    expect(scheduled.find((a) => a.id === 'timed')!.startToCloseTimeout).toBe('30');
  });
});

describe('the empty poll', () => {
  test('carries no taskToken, and the SDK sees none', async () => {
    const domain = unique('empty');
    await registerBasics(swf, domain);
    const decision = await swf.pollForDecisionTask({ domain, taskList: { name: 'nobody' } });
    expect(decision.taskToken).toBeUndefined();
    expect(decision.startedEventId).toBe(0);
    const activity = await swf.pollForActivityTask({ domain, taskList: { name: 'nobody' } });
    expect(activity.taskToken).toBeUndefined();
    // A poll that does find a task still gets one.
    await startRun(swf, domain);
    expect((await pollDecision(swf, domain)).taskToken).toEqual(expect.any(String));
  });
});
