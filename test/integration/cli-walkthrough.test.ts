/**
 * The seed walkthrough, run with the real AWS CLI (v1) against an in-process engine: register,
 * start, decide, work, decide, complete, then read the result back. Needs `aws` on PATH; without
 * it the suite fails (it does not skip).
 */
import { startEngine, type RunningEngine } from '../../lib/engine';
import { AwsCli, findAwsCli } from '../helpers/aws-cli';
import { swfClient } from '../helpers/engine';

const AWS_CLI_REQUIRED =
  'The AWS CLI (`aws`, v1) is required on PATH for test/integration/cli-walkthrough.test.ts; install it (pip install awscli)';

jest.setTimeout(120_000);

describe('AWS CLI walkthrough', () => {
  let engine: RunningEngine;
  let cli: AwsCli;

  beforeAll(async () => {
    const aws = findAwsCli();
    if (!aws) throw new Error(AWS_CLI_REQUIRED);
    // A short hold keeps a poll that finds nothing from slowing the suite; the CLI waits 70 s.
    engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 5000 });
    cli = new AwsCli(aws, engine.endpoint);
  });

  afterAll(async () => {
    cli?.cleanup();
    await engine?.close();
  });

  test('the AWS CLI is on PATH', () => {
    // Redundant with beforeAll, but names the requirement in the test report.
    expect(findAwsCli()).toBeDefined();
  });

  test('hello world: register, start, decide, run the activity, complete', async () => {
    // --- registration
    expect(await cli.ok('register-domain', '--name', 'sample', '--workflow-execution-retention-period-in-days', '1')).toBeUndefined();
    expect(
      await cli.ok(
        'register-workflow-type',
        '--domain', 'sample',
        '--name', 'HelloWorld',
        '--workflow-version', '1.0',
        '--default-task-list', 'name=default',
        '--default-task-start-to-close-timeout', '300',
        '--default-execution-start-to-close-timeout', '3600',
        '--default-child-policy', 'TERMINATE',
      ),
    ).toBeUndefined();
    expect(
      await cli.ok(
        'register-activity-type',
        '--domain', 'sample',
        '--name', 'Echo',
        '--activity-version', '1.0',
        '--default-task-list', 'name=default',
        // The seed registered its types in the console, which sets these defaults. The seed's
        // decision gives only scheduleToClose and heartbeat, and SWF requires schedule-to-start
        // and start-to-close from the decision or the type (DEFAULT_…_UNDEFINED otherwise).
        '--default-task-schedule-to-start-timeout', '300',
        '--default-task-start-to-close-timeout', '300',
      ),
    ).toBeUndefined();

    const domain = await cli.ok('describe-domain', '--name', 'sample');
    expect(domain).toEqual({
      domainInfo: { name: 'sample', status: 'REGISTERED', arn: 'arn:aws:swf:us-east-1:123456789012:/domain/sample' },
      configuration: { workflowExecutionRetentionPeriodInDays: '1' },
    });

    const wfType = await cli.ok('describe-workflow-type', '--domain', 'sample', '--workflow-type', 'name=HelloWorld,version=1.0');
    expect(wfType.typeInfo.workflowType).toEqual({ name: 'HelloWorld', version: '1.0' });
    expect(wfType.typeInfo.status).toBe('REGISTERED');
    expect(typeof wfType.typeInfo.creationDate).toBe('number');
    expect(wfType.configuration).toEqual({
      defaultTaskStartToCloseTimeout: '300',
      defaultExecutionStartToCloseTimeout: '3600',
      defaultTaskList: { name: 'default' },
      defaultChildPolicy: 'TERMINATE',
    });

    // --- start
    const started = await cli.ok(
      'start-workflow-execution',
      '--domain', 'sample',
      '--workflow-id', 'test',
      '--workflow-type', 'name=HelloWorld,version=1.0',
    );
    expect(Object.keys(started)).toEqual(['runId']);
    expect(typeof started.runId).toBe('string');
    expect(started.runId.length).toBeGreaterThan(0);
    const runId: string = started.runId;
    const execution = `workflowId=test,runId=${runId}`;

    // --- first decision: schedule the activity, written in the seed's shorthand
    const d1 = await cli.ok('poll-for-decision-task', '--domain', 'sample', '--task-list', 'name=default', '--identity', 'decider-1');
    expect(typeof d1.taskToken).toBe('string');
    expect(d1.taskToken.length).toBeGreaterThan(0);
    expect(d1.startedEventId).toBe(3);
    expect(d1.previousStartedEventId).toBe(0);
    expect(d1.workflowExecution).toEqual({ workflowId: 'test', runId });
    expect(d1.workflowType).toEqual({ name: 'HelloWorld', version: '1.0' });
    expect(d1.events.map((e: any) => e.eventType)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect(d1.events.map((e: any) => e.eventId)).toEqual([1, 2, 3]);
    expect(d1.events[2].decisionTaskStartedEventAttributes).toEqual({ scheduledEventId: 2, identity: 'decider-1' });

    expect(
      await cli.ok(
        'respond-decision-task-completed',
        '--task-token', d1.taskToken,
        '--decisions',
        'decisionType=ScheduleActivityTask,scheduleActivityTaskDecisionAttributes={activityType={name=Echo,version=1.0},activityId=test2,input=World,scheduleToCloseTimeout=300,heartbeatTimeout=300,taskList={name=default}}',
      ),
    ).toBeUndefined();

    // Scheduled with resolved values: the decision's own, the type's defaults for the rest.
    const mid = await cli.ok('get-workflow-execution-history', '--domain', 'sample', '--execution', execution);
    const scheduled = mid.events.find((e: any) => e.eventType === 'ActivityTaskScheduled');
    expect(scheduled).toBeDefined();
    expect(scheduled.eventId).toBe(5);
    expect(scheduled.activityTaskScheduledEventAttributes).toMatchObject({
      activityType: { name: 'Echo', version: '1.0' },
      activityId: 'test2',
      input: 'World',
      scheduleToCloseTimeout: '300',
      scheduleToStartTimeout: '300',
      startToCloseTimeout: '300',
      heartbeatTimeout: '300',
      taskList: { name: 'default' },
      decisionTaskCompletedEventId: 4,
    });

    // --- the activity
    const a = await cli.ok('poll-for-activity-task', '--domain', 'sample', '--task-list', 'name=default', '--identity', 'worker-1');
    expect(a.activityId).toBe('test2');
    expect(a.input).toBe('World');
    expect(a.startedEventId).toBe(6);
    expect(a.activityType).toEqual({ name: 'Echo', version: '1.0' });
    expect(a.workflowExecution).toEqual({ workflowId: 'test', runId });
    expect(typeof a.taskToken).toBe('string');
    expect(a.taskToken.length).toBeGreaterThan(0);

    expect(await cli.ok('respond-activity-task-completed', '--task-token', a.taskToken, '--result', 'Hello, World')).toBeUndefined();

    // --- second decision: sees the result, completes the run
    const d2 = await cli.ok('poll-for-decision-task', '--domain', 'sample', '--task-list', 'name=default');
    expect(d2.startedEventId).toBe(9);
    expect(d2.previousStartedEventId).toBe(3);
    const completed = d2.events.find((e: any) => e.eventType === 'ActivityTaskCompleted');
    expect(completed).toBeDefined();
    expect(completed.eventId).toBe(7);
    expect(completed.activityTaskCompletedEventAttributes).toEqual({ result: 'Hello, World', scheduledEventId: 5, startedEventId: 6 });

    expect(
      await cli.ok('respond-decision-task-completed', '--task-token', d2.taskToken, '--decisions', 'decisionType=CompleteWorkflowExecution'),
    ).toBeUndefined();

    // --- the result
    const described = await cli.ok('describe-workflow-execution', '--domain', 'sample', '--execution', execution);
    expect(described.executionInfo.execution).toEqual({ workflowId: 'test', runId });
    expect(described.executionInfo.executionStatus).toBe('CLOSED');
    expect(described.executionInfo.closeStatus).toBe('COMPLETED');
    expect(described.executionInfo.workflowType).toEqual({ name: 'HelloWorld', version: '1.0' });
    expect(typeof described.executionInfo.startTimestamp).toBe('number');
    expect(typeof described.executionInfo.closeTimestamp).toBe('number');
    expect(described.executionInfo.closeTimestamp).toBeGreaterThanOrEqual(described.executionInfo.startTimestamp);
    expect(described.executionConfiguration).toEqual({
      taskStartToCloseTimeout: '300',
      executionStartToCloseTimeout: '3600',
      taskList: { name: 'default' },
      childPolicy: 'TERMINATE',
    });
    expect(described.openCounts).toEqual({
      openActivityTasks: 0,
      openDecisionTasks: 0,
      openTimers: 0,
      openChildWorkflowExecutions: 0,
      openLambdaFunctions: 0,
    });

    const history = await cli.ok('get-workflow-execution-history', '--domain', 'sample', '--execution', execution);
    expect(history.events.map((e: any) => e.eventType)).toEqual([
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
    expect(history.events.map((e: any) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(history.events[10].workflowExecutionCompletedEventAttributes).toEqual({ decisionTaskCompletedEventId: 10 });
    const stamps: number[] = history.events.map((e: any) => e.eventTimestamp);
    for (const t of stamps) expect(typeof t).toBe('number');
    expect([...stamps].sort((x, y) => x - y)).toEqual(stamps);

    // Paged by the CLI (page size 4 → three wire pages, merged), the same eleven events.
    const paged = await cli.ok('get-workflow-execution-history', '--domain', 'sample', '--execution', execution, '--page-size', '4');
    expect(paged.events.map((e: any) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    const closed = await cli.ok(
      'list-closed-workflow-executions',
      '--domain', 'sample',
      '--start-time-filter', `oldestDate=${Math.floor(described.executionInfo.startTimestamp) - 60}`,
    );
    expect(closed.executionInfos.map((i: any) => [i.execution.workflowId, i.closeStatus])).toEqual([['test', 'COMPLETED']]);
  });

  test('a fault is printed the way the CLI prints AWS faults', async () => {
    const r = await cli.swf('describe-domain', '--name', 'nope');
    expect(r.code).not.toBe(0);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('(UnknownResourceFault)');
    expect(r.stderr).toContain('Unknown domain: nope');
    expect(r.stderr).toContain('An error occurred (UnknownResourceFault) when calling the DescribeDomain operation: Unknown domain: nope');
  });

  test('a validation error reaches the CLI as ValidationException', async () => {
    // botocore does not check maximums client-side, so the engine's check is what fires.
    const r = await cli.swf('list-domains', '--registration-status', 'REGISTERED', '--maximum-page-size', '1001');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('An error occurred (ValidationException) when calling the ListDomains operation: 1 validation error detected');
    expect(r.stderr).toContain("Value '1001' at 'maximumPageSize' failed to satisfy constraint: Member must have value less than or equal to 1000");
  });

  test('list-domains pages through the engine with --page-size and --max-items', async () => {
    // Registered with the JS SDK to keep the suite quick; the listing is what the CLI does here.
    const swf = swfClient(engine.endpoint);
    for (const name of ['page-d', 'page-b', 'page-a', 'page-c']) {
      await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '0' });
    }
    swf.destroy();
    const all = ['page-a', 'page-b', 'page-c', 'page-d', 'sample'];

    // One domain per wire page: the CLI follows four nextPageTokens and merges five pages.
    const merged = await cli.ok('list-domains', '--registration-status', 'REGISTERED', '--page-size', '1');
    expect(merged.domainInfos.map((d: any) => d.name)).toEqual(all);
    expect(merged.NextToken).toBeUndefined();

    const reversed = await cli.ok('list-domains', '--registration-status', 'REGISTERED', '--page-size', '2', '--reverse-order');
    expect(reversed.domainInfos.map((d: any) => d.name)).toEqual([...all].reverse());

    // --max-items stops early and hands out a CLI token that resumes where it stopped.
    const first = await cli.ok('list-domains', '--registration-status', 'REGISTERED', '--page-size', '2', '--max-items', '3');
    expect(first.domainInfos.map((d: any) => d.name)).toEqual(['page-a', 'page-b', 'page-c']);
    expect(typeof first.NextToken).toBe('string');
    const rest = await cli.ok(
      'list-domains', '--registration-status', 'REGISTERED', '--page-size', '2', '--max-items', '3', '--starting-token', first.NextToken,
    );
    expect(rest.domainInfos.map((d: any) => d.name)).toEqual(['page-d', 'sample']);
    expect(rest.NextToken).toBeUndefined();

    // Without auto-pagination the wire token itself shows up.
    const single = await cli.ok('list-domains', '--registration-status', 'REGISTERED', '--maximum-page-size', '2', '--no-paginate');
    expect(single.domainInfos.map((d: any) => d.name)).toEqual(['page-a', 'page-b']);
    expect(typeof single.nextPageToken).toBe('string');
    const second = await cli.ok(
      'list-domains', '--registration-status', 'REGISTERED', '--maximum-page-size', '2', '--no-paginate', '--next-page-token', single.nextPageToken,
    );
    expect(second.domainInfos.map((d: any) => d.name)).toEqual(['page-c', 'page-d']);
    expect(typeof second.nextPageToken).toBe('string');

    const deprecated = await cli.ok('list-domains', '--registration-status', 'DEPRECATED');
    expect(deprecated).toEqual({ domainInfos: [] });
  });
});
