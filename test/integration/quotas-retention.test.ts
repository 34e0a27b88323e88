import { LimitExceededFault, TooManyTagsFault, UnknownResourceFault, type SWF } from '@aws-sdk/client-swf';
import type { Clock } from '../../lib/engine';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';

/** A clock the test can move forward; the engine reads every time from it. */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
}

async function completeRun(swf: SWF, domain: string, workflowId: string): Promise<string> {
  const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: { name: 'Flow', version: '1' } });
  const task = await swf.pollForDecisionTask({ domain, taskList: { name: 'default' } });
  await swf.respondDecisionTaskCompleted({
    taskToken: task.taskToken,
    decisions: [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'ok' } }],
  });
  return runId!;
}

describe('quotas', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ maxDomains: 3, maxTypesPerDomain: 2, maxHistoryEvents: 12, maxDomainTags: 2 });
  });
  afterAll(() => t.close());

  it('refuses a domain past the domain limit, deprecated ones included', async () => {
    await t.swf.registerDomain({ name: 'q1', workflowExecutionRetentionPeriodInDays: '1' });
    await t.swf.registerDomain({ name: 'q2', workflowExecutionRetentionPeriodInDays: '1' });
    await t.swf.deprecateDomain({ name: 'q2' });
    await t.swf.registerDomain({ name: 'q3', workflowExecutionRetentionPeriodInDays: '1' });
    await expect(t.swf.registerDomain({ name: 'q4', workflowExecutionRetentionPeriodInDays: '1' })).rejects.toBeInstanceOf(LimitExceededFault);
  });

  it('refuses a type past the per-domain type limit, and tags past the tag limit', async () => {
    await t.swf.registerActivityType({ domain: 'q1', name: 'a', version: '1' });
    await t.swf.registerActivityType({ domain: 'q1', name: 'a', version: '2' });
    await expect(t.swf.registerActivityType({ domain: 'q1', name: 'a', version: '3' })).rejects.toBeInstanceOf(LimitExceededFault);
    // The limit counts each kind of type on its own.
    await t.swf.registerWorkflowType({ domain: 'q1', name: 'w', version: '1' });
    const arn = (await t.swf.describeDomain({ name: 'q1' })).domainInfo!.arn!;
    await t.swf.tagResource({ resourceArn: arn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await expect(t.swf.tagResource({ resourceArn: arn, tags: [{ key: 'c', value: '3' }] })).rejects.toBeInstanceOf(TooManyTagsFault);
  });

  it('terminates a run whose history reaches the event limit with EVENT_LIMIT_EXCEEDED', async () => {
    await t.swf.registerWorkflowType({
      domain: 'q3',
      name: 'Flow',
      version: '1',
      defaultTaskList: { name: 'default' },
      defaultExecutionStartToCloseTimeout: '60',
      defaultTaskStartToCloseTimeout: '60',
      defaultChildPolicy: 'TERMINATE',
    });
    const { runId } = await t.swf.startWorkflowExecution({ domain: 'q3', workflowId: 'long', workflowType: { name: 'Flow', version: '1' } });
    const task = await t.swf.pollForDecisionTask({ domain: 'q3', taskList: { name: 'default' } });
    await t.swf.respondDecisionTaskCompleted({
      taskToken: task.taskToken,
      decisions: Array.from({ length: 10 }, (_, i) => ({ decisionType: 'RecordMarker' as const, recordMarkerDecisionAttributes: { markerName: `m${i}` } })),
    });
    const d = await t.swf.describeWorkflowExecution({ domain: 'q3', execution: { workflowId: 'long', runId } });
    expect(d.executionInfo?.closeStatus).toBe('TERMINATED');
    const h = await t.swf.getWorkflowExecutionHistory({ domain: 'q3', execution: { workflowId: 'long', runId }, reverseOrder: true, maximumPageSize: 1 });
    expect(h.events?.[0]?.eventType).toBe('WorkflowExecutionTerminated');
    expect(h.events?.[0]?.workflowExecutionTerminatedEventAttributes).toEqual({ childPolicy: 'TERMINATE', cause: 'EVENT_LIMIT_EXCEEDED' });
  });
});

describe('retention', () => {
  const clock = movableClock();
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ clock });
  });
  afterAll(() => t.close());

  it('keeps a closed run for the domain retention period, then forgets it', async () => {
    const domain = unique('keep');
    await registerBasics(t.swf, domain);
    const runId = await completeRun(t.swf, domain, 'kept');
    const execution = { workflowId: 'kept', runId };
    clock.advance(23 * 3600 * 1000);
    t.engine.core.settleDueDeadlines();
    expect((await t.swf.describeWorkflowExecution({ domain, execution })).executionInfo?.closeStatus).toBe('COMPLETED');
    clock.advance(2 * 3600 * 1000);
    t.engine.core.settleDueDeadlines();
    await expect(t.swf.describeWorkflowExecution({ domain, execution })).rejects.toBeInstanceOf(UnknownResourceFault);
    await expect(t.swf.getWorkflowExecutionHistory({ domain, execution })).rejects.toBeInstanceOf(UnknownResourceFault);
    const closed = await t.swf.countClosedWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) } });
    expect(closed.count).toBe(0);
  });

  it('purges at close when the retention is 0', async () => {
    const domain = unique('zero');
    await t.swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: '0' });
    await t.swf.registerWorkflowType({
      domain,
      name: 'Flow',
      version: '1',
      defaultTaskList: { name: 'default' },
      defaultExecutionStartToCloseTimeout: '60',
      defaultTaskStartToCloseTimeout: '60',
      defaultChildPolicy: 'TERMINATE',
    });
    const runId = await completeRun(t.swf, domain, 'gone');
    await new Promise((r) => setTimeout(r, 50));
    await expect(t.swf.describeWorkflowExecution({ domain, execution: { workflowId: 'gone', runId } })).rejects.toBeInstanceOf(UnknownResourceFault);
  });
});
