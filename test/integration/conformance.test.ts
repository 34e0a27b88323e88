/**
 * Every operation of `@aws-sdk/client-swf` reaches an engine handler: each of the SDK's *Command
 * classes is sent with a minimal, validly shaped input, and none may come back as
 * UnknownOperationException (modelled faults and ValidationException are fine). There are 39.
 */
import * as SwfSdk from '@aws-sdk/client-swf';
import { SWF, SWFServiceException } from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { swfCall } from '../helpers/raw-http';
import { startRun } from '../helpers/swf-flow';

type CommandClass = new (input: object) => object;

/** `XxxCommand` exports (without the generic `$Command` base), by operation name. */
const COMMANDS: Record<string, CommandClass> = Object.fromEntries(
  Object.entries(SwfSdk)
    .filter(([name, value]) => /^[A-Z]\w*Command$/.test(name) && typeof value === 'function')
    .map(([name, value]) => [name.slice(0, -'Command'.length), value as unknown as CommandClass]),
);

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 300 });
});

afterAll(async () => {
  await t?.close();
});

test('the SDK has 39 operations, as commands and as SWF client methods', () => {
  const ops = Object.keys(COMMANDS).sort();
  expect(ops).toHaveLength(39);
  const methods = Object.getOwnPropertyNames(SWF.prototype)
    .filter((m) => m !== 'constructor' && !m.startsWith('paginate'))
    .map((m) => m.charAt(0).toUpperCase() + m.slice(1))
    .sort();
  expect(methods).toEqual(ops);
});

test('every operation reaches the engine: none answers UnknownOperationException', async () => {
  const swf = t.swf;
  const domain = unique('conformance');
  await registerBasics(swf, domain);
  const run = await startRun(swf, domain);
  const arn = `arn:aws:swf:us-east-1:123456789012:/domain/${domain}`;
  const since = { oldestDate: new Date(0) };
  const activityType = { name: 'Work', version: '1' };
  const workflowType = { name: 'Flow', version: '1' };
  const taskList = { name: 'conformance-empty' };
  const token = 'not-a-real-token';

  const inputs: Record<string, object> = {
    CountClosedWorkflowExecutions: { domain, startTimeFilter: since },
    CountOpenWorkflowExecutions: { domain, startTimeFilter: since },
    CountPendingActivityTasks: { domain, taskList },
    CountPendingDecisionTasks: { domain, taskList },
    DeleteActivityType: { domain, activityType },
    DeleteWorkflowType: { domain, workflowType },
    DeprecateActivityType: { domain, activityType: { name: 'Missing', version: '1' } },
    DeprecateDomain: { name: unique('missing-domain') },
    DeprecateWorkflowType: { domain, workflowType: { name: 'Missing', version: '1' } },
    DescribeActivityType: { domain, activityType },
    DescribeDomain: { name: domain },
    DescribeWorkflowExecution: { domain, execution: run },
    DescribeWorkflowType: { domain, workflowType },
    GetWorkflowExecutionHistory: { domain, execution: run },
    ListActivityTypes: { domain, registrationStatus: 'REGISTERED' },
    ListClosedWorkflowExecutions: { domain, startTimeFilter: since },
    ListDomains: { registrationStatus: 'REGISTERED' },
    ListOpenWorkflowExecutions: { domain, startTimeFilter: since },
    ListTagsForResource: { resourceArn: arn },
    ListWorkflowTypes: { domain, registrationStatus: 'REGISTERED' },
    PollForActivityTask: { domain, taskList },
    PollForDecisionTask: { domain, taskList },
    RecordActivityTaskHeartbeat: { taskToken: token },
    RegisterActivityType: { domain, name: 'Other', version: '1' },
    RegisterDomain: { name: unique('conformance-new'), workflowExecutionRetentionPeriodInDays: '1' },
    RegisterWorkflowType: { domain, name: 'Other', version: '1' },
    RequestCancelWorkflowExecution: { domain, workflowId: run.workflowId },
    RespondActivityTaskCanceled: { taskToken: token },
    RespondActivityTaskCompleted: { taskToken: token },
    RespondActivityTaskFailed: { taskToken: token },
    RespondDecisionTaskCompleted: { taskToken: token },
    SignalWorkflowExecution: { domain, workflowId: run.workflowId, signalName: 'ping' },
    StartWorkflowExecution: { domain, workflowId: unique('conformance-wf'), workflowType },
    TagResource: { resourceArn: arn, tags: [{ key: 'k', value: 'v' }] },
    TerminateWorkflowExecution: { domain, workflowId: run.workflowId },
    UndeprecateActivityType: { domain, activityType },
    UndeprecateDomain: { name: domain },
    UndeprecateWorkflowType: { domain, workflowType },
    UntagResource: { resourceArn: arn, tagKeys: ['k'] },
  };
  expect(Object.keys(inputs).sort()).toEqual(Object.keys(COMMANDS).sort());

  const outcomes: Record<string, string> = {};
  for (const [op, Command] of Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b))) {
    try {
      await t.swf.send(new Command(inputs[op]!) as never);
      outcomes[op] = 'ok';
    } catch (error) {
      const e = error as SWFServiceException;
      // A fault from the engine (not a transport error), and not a 5xx.
      expect(e.$metadata?.httpStatusCode).toBeDefined();
      expect(e.$metadata.httpStatusCode!).toBeLessThan(500);
      outcomes[op] = e.name;
    }
  }
  const unknown = Object.entries(outcomes).filter(([, outcome]) => outcome === 'UnknownOperationException');
  expect(unknown).toEqual([]);
  expect(Object.keys(outcomes)).toHaveLength(39);
  // The inputs are valid: most calls succeed, the rest fail with modelled or validation faults.
  expect(Object.values(outcomes).filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(25);
  expect(outcomes).toMatchObject({
    DescribeDomain: 'ok',
    StartWorkflowExecution: 'ok',
    DeleteActivityType: 'TypeNotDeprecatedFault',
    DeprecateDomain: 'UnknownResourceFault',
    UndeprecateDomain: 'DomainAlreadyExistsFault',
    RespondDecisionTaskCompleted: 'ValidationException',
  });
});

test('control: an operation the model does not have is UnknownOperationException', async () => {
  const answer = await swfCall(t.engine.endpoint, 'NoSuchOperation', {});
  expect(answer.status).toBe(400);
  expect(String(answer.json?.__type)).toMatch(/UnknownOperationException$/);
});
