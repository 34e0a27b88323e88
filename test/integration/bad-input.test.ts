/**
 * Malformed and refused requests over raw HTTP (swf-spec.md §1.3, §2, §3, §5.1, §9): each row
 * names the exact HTTP status, the namespaced `__type` and a message fragment. After every row
 * the engine must still answer a good request. A seeded fuzz loop then throws 300 mangled
 * requests at random operations: none may get a 5xx or log an internal error.
 */
import type { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { OPERATIONS } from '../../lib/engine/model/validate';
import { registerBasics, swfClient } from '../helpers/engine';
import { encodeJson, Prng, RequestFuzzer } from '../helpers/fuzz';
import { AMZ_JSON, nodeHttpCall, rawCall, swfCall, type RawAnswer, type RawCall } from '../helpers/raw-http';

const SWF_NS = 'com.amazonaws.swf.base.model#';
const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const SERIALIZATION = 'com.amazon.coral.service#SerializationException';
const UNKNOWN_OPERATION = 'com.amazon.coral.service#UnknownOperationException';
const TOO_LARGE = 'com.amazon.coral.service#RequestEntityTooLargeException';
const C = 'failed to satisfy constraint: ';
const NAME_RULE = "Member must not contain ':', '/', '|', control characters or be the literal 'arn'";

const D = 'bad-input'; // registerBasics: Flow/1 and Work/1 with every default, task list 'default'
/** The fuzz loop's own domain: it may deprecate or tag it at random without spoiling D. */
const FUZZ_DOMAIN = 'fuzz-target';
const ACCOUNT = '123456789012';

/** What the rows need that only exists once the engine runs. */
interface Fixture {
  liveDecisionToken: string;
  liveExecution: { workflowId: string; runId: string };
  doneDecisionToken: string;
  doneActivityToken: string;
  doneExecution: { workflowId: string; runId: string };
}

interface Row {
  name: string;
  /** The call, or a function of the fixture building it. */
  call: RawCall | ((f: Fixture) => RawCall);
  status: number;
  type: string;
  /** Fragments the message must contain; the first one is also checked for exact equality when `exact`. */
  message: string[];
  exact?: boolean;
}

const op = (o: string, body: unknown): RawCall => ({ op: o, body });
const decide = (token: string, decisions: unknown[]): RawCall => op('RespondDecisionTaskCompleted', { taskToken: token, decisions });
const v1 = (violation: string): string => `1 validation error detected: ${violation}`;

const ROWS: Row[] = [
  // ---------------------------------------------------------------- framing and JSON
  {
    name: 'malformed JSON',
    call: op('ListDomains', '{"registrationStatus": "REGISTERED"'),
    status: 400,
    type: SERIALIZATION,
    message: ['Request body is not valid JSON'],
    exact: true,
  },
  {
    name: 'JSON array body',
    call: op('ListDomains', '[{"registrationStatus": "REGISTERED"}]'),
    status: 400,
    type: SERIALIZATION,
    message: ['Expected the request body to be an object but got an array'],
    exact: true,
  },
  {
    name: 'JSON string body',
    call: op('ListDomains', '"REGISTERED"'),
    status: 400,
    type: SERIALIZATION,
    message: ['Expected the request body to be an object but got a string'],
    exact: true,
  },
  {
    name: 'JSON null body',
    call: op('ListDomains', 'null'),
    status: 400,
    type: SERIALIZATION,
    message: ['Expected the request body to be an object but got null'],
    exact: true,
  },
  {
    name: 'body that is not UTF-8 JSON at all',
    call: op('ListDomains', '\u0000\u0001\u00ff garbage'),
    status: 400,
    type: SERIALIZATION,
    message: ['Request body is not valid JSON'],
    exact: true,
  },
  {
    name: 'empty body: every required member is missing',
    call: op('DescribeDomain', ''),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'name' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'wrong member type: number for domain',
    call: op('ListWorkflowTypes', { domain: 5, registrationStatus: 'REGISTERED' }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected a string at 'domain' but got a number"],
    exact: true,
  },
  {
    name: 'wrong member type: string for a structure',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'w', workflowType: 'Flow' }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected an object at 'workflowType' but got a string"],
    exact: true,
  },
  {
    name: 'wrong member type: object for a list',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'w', workflowType: { name: 'Flow', version: '1' }, tagList: { a: 1 } }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected an array at 'tagList' but got an object"],
    exact: true,
  },
  {
    name: 'wrong member type: string for a boolean',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', reverseOrder: 'true' }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected a boolean at 'reverseOrder' but got a string"],
    exact: true,
  },
  {
    name: 'wrong member type: string for an integer',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: '10' }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected an integer at 'maximumPageSize' but got a string"],
    exact: true,
  },
  {
    name: 'timestamp that is not a number',
    call: op('CountOpenWorkflowExecutions', { domain: D, startTimeFilter: { oldestDate: 'yesterday' } }),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected a timestamp in epoch seconds at 'startTimeFilter.oldestDate' but got 'yesterday'"],
    exact: true,
  },

  // ---------------------------------------------------------------- constraints
  {
    name: 'missing required member',
    call: op('DescribeDomain', {}),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'name' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'JSON null counts as missing',
    call: op('DescribeDomain', { name: null }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'name' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'several violations are reported together',
    call: op('StartWorkflowExecution', { workflowId: 'a:b' }),
    status: 400,
    type: VALIDATION,
    message: [
      '3 validation errors detected: ',
      `Value null at 'domain' ${C}Member must not be null`,
      `Value 'a:b' at 'workflowId' ${C}${NAME_RULE}`,
      `Value null at 'workflowType' ${C}Member must not be null`,
    ],
  },
  {
    name: 'nested required member',
    call: op('DescribeWorkflowType', { domain: D, workflowType: { name: 'Flow' } }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'workflowType.version' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'over-long name (257 chars)',
    call: op('RegisterDomain', { name: 'n'.repeat(257), workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: VALIDATION,
    message: [`Value '${'n'.repeat(64)}...' at 'name' ${C}Member must have length less than or equal to 256`],
  },
  {
    name: 'empty name',
    call: op('RegisterDomain', { name: '', workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '' at 'name' ${C}Member must have length greater than or equal to 1`)],
    exact: true,
  },
  {
    name: "name with ':'",
    call: op('RegisterDomain', { name: 'video:pipeline', workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value 'video:pipeline' at 'name' ${C}${NAME_RULE}`)],
    exact: true,
  },
  {
    name: "type name with '/'",
    call: op('RegisterActivityType', { domain: D, name: 'a/b', version: '1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value 'a/b' at 'name' ${C}${NAME_RULE}`)],
    exact: true,
  },
  {
    name: "'arn' as a name",
    call: op('RegisterDomain', { name: 'arn', workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value 'arn' at 'name' ${C}${NAME_RULE}`)],
    exact: true,
  },
  {
    name: 'domain name with edge whitespace',
    call: op('RegisterDomain', { name: ' padded', workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value ' padded' at 'name' ${C}Member must not start or end with whitespace`)],
    exact: true,
  },
  {
    name: 'over-long version (65 chars)',
    call: op('RegisterActivityType', { domain: D, name: 'Work', version: 'v'.repeat(65) }),
    status: 400,
    type: VALIDATION,
    message: [`at 'version' ${C}Member must have length less than or equal to 64`],
  },
  {
    name: 'bad enum (registrationStatus)',
    call: op('ListDomains', { registrationStatus: 'ACTIVE' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value 'ACTIVE' at 'registrationStatus' ${C}Member must satisfy enum value set: [REGISTERED, DEPRECATED]`)],
    exact: true,
  },
  {
    name: 'bad enum (childPolicy)',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'w', workflowType: { name: 'Flow', version: '1' }, childPolicy: 'KILL' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value 'KILL' at 'childPolicy' ${C}Member must satisfy enum value set: [TERMINATE, REQUEST_CANCEL, ABANDON]`)],
    exact: true,
  },
  {
    name: 'maximumPageSize 1001',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1001 }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '1001' at 'maximumPageSize' ${C}Member must have value less than or equal to 1000`)],
    exact: true,
  },
  {
    name: 'maximumPageSize -1',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: -1 }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '-1' at 'maximumPageSize' ${C}Member must have value greater than or equal to 0`)],
    exact: true,
  },
  {
    name: 'maximumPageSize 2.5 (not an integer)',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 2.5 }),
    status: 400,
    type: SERIALIZATION,
    message: ["Value 2.5 at 'maximumPageSize' is not an integer in range"],
    exact: true,
  },
  {
    name: 'bad duration string',
    call: op('RegisterActivityType', { domain: D, name: 'Dur', version: '1', defaultTaskStartToCloseTimeout: '5m' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '5m' at 'defaultTaskStartToCloseTimeout' ${C}Member must be a non-negative integer number of seconds or NONE`)],
    exact: true,
  },
  {
    name: 'negative duration',
    call: op('RegisterActivityType', { domain: D, name: 'Dur', version: '1', defaultTaskHeartbeatTimeout: '-1' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '-1' at 'defaultTaskHeartbeatTimeout' ${C}Member must be a non-negative integer number of seconds or NONE`)],
    exact: true,
  },
  {
    name: 'duration longer than 8 characters',
    call: op('RegisterActivityType', { domain: D, name: 'Dur', version: '1', defaultTaskScheduleToCloseTimeout: '123456789' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '123456789' at 'defaultTaskScheduleToCloseTimeout' ${C}Member must have length less than or equal to 8`)],
    exact: true,
  },
  {
    name: 'retention "91"',
    call: op('RegisterDomain', { name: 'too-long-kept', workflowExecutionRetentionPeriodInDays: '91' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '91' at 'workflowExecutionRetentionPeriodInDays' ${C}Member must be an integer number of days from 0 to 90, or NONE`)],
    exact: true,
  },
  {
    name: 'taskPriority that is not an int32',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'w', workflowType: { name: 'Flow', version: '1' }, taskPriority: '2147483648' }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '2147483648' at 'taskPriority' ${C}Member must be an integer from -2147483648 to 2147483647`)],
    exact: true,
  },
  {
    name: 'six tags on an execution',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'w',
      workflowType: { name: 'Flow', version: '1' },
      tagList: ['a', 'b', 'c', 'd', 'e', 'f'],
    }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value '[a, b, c, d, e, f]' at 'tagList' ${C}Member must have length less than or equal to 5`)],
    exact: true,
  },
  {
    name: 'deeply nested array inside an over-long list',
    call: op(
      'StartWorkflowExecution',
      `{"domain":"${D}","workflowId":"w","workflowType":{"name":"Flow","version":"1"},"tagList":[${'['.repeat(50_000)}"t"${']'.repeat(50_000)},"b","c","d","e","f"]}`,
    ),
    status: 400,
    type: SERIALIZATION,
    message: ["Expected a string at 'tagList.1.member' but got an array"],
    exact: true,
  },
  {
    name: 'input over 32768 characters',
    call: op('SignalWorkflowExecution', { domain: D, workflowId: 'w', signalName: 's', input: 'i'.repeat(32769) }),
    status: 400,
    type: VALIDATION,
    message: [`at 'input' ${C}Member must have length less than or equal to 32768`],
  },

  // ---------------------------------------------------------------- dispatch
  {
    name: 'unknown target',
    call: { target: 'SimpleWorkflowService.FlyToTheMoon', body: {} },
    status: 400,
    type: UNKNOWN_OPERATION,
    message: ['Unknown operation SimpleWorkflowService.FlyToTheMoon'],
    exact: true,
  },
  {
    name: "another service's target",
    call: { target: 'AmazonSQS.ListQueues', body: {} },
    status: 400,
    type: UNKNOWN_OPERATION,
    message: ['Unknown operation AmazonSQS.ListQueues'],
    exact: true,
  },
  {
    name: 'target naming an Object.prototype member',
    call: { target: 'SimpleWorkflowService.constructor', body: {} },
    status: 400,
    type: UNKNOWN_OPERATION,
    message: ['Unknown operation SimpleWorkflowService.constructor'],
    exact: true,
  },
  {
    name: 'target with the wrong case',
    call: { target: 'SimpleWorkflowService.listDomains', body: { registrationStatus: 'REGISTERED' } },
    status: 400,
    type: UNKNOWN_OPERATION,
    message: ['Unknown operation SimpleWorkflowService.listDomains'],
    exact: true,
  },
  {
    name: 'missing target',
    call: { target: null, body: { registrationStatus: 'REGISTERED' } },
    status: 400,
    type: UNKNOWN_OPERATION,
    message: ['Missing X-Amz-Target header'],
    exact: true,
  },
  {
    name: 'GET instead of POST',
    call: { op: 'ListDomains', method: 'GET' },
    status: 405,
    type: UNKNOWN_OPERATION,
    message: ['Method GET is not supported; use POST'],
    exact: true,
  },
  {
    name: 'PUT instead of POST',
    call: { op: 'ListDomains', method: 'PUT', body: { registrationStatus: 'REGISTERED' } },
    status: 405,
    type: UNKNOWN_OPERATION,
    message: ['Method PUT is not supported; use POST'],
    exact: true,
  },
  {
    name: 'body over 1 MiB',
    call: op('SignalWorkflowExecution', { domain: D, workflowId: 'w', signalName: 's', input: 'x'.repeat(1024 * 1024) }),
    status: 413,
    type: TOO_LARGE,
    message: ['Request body is larger than 1048576 bytes'],
    exact: true,
  },

  // ---------------------------------------------------------------- task tokens
  {
    name: 'invalid task token (garbage)',
    call: op('RespondActivityTaskCompleted', { taskToken: 'garbage', result: 'r' }),
    status: 400,
    type: VALIDATION,
    message: ['Invalid token'],
    exact: true,
  },
  {
    name: 'invalid task token on a decision response',
    call: decide('AAAA', []),
    status: 400,
    type: VALIDATION,
    message: ['Invalid token'],
    exact: true,
  },
  {
    name: 'invalid task token on a heartbeat',
    call: op('RecordActivityTaskHeartbeat', { taskToken: '%%%not-base64%%%' }),
    status: 400,
    type: VALIDATION,
    message: ['Invalid token'],
    exact: true,
  },
  {
    name: 'decision token used to answer an activity',
    call: (f) => op('RespondActivityTaskCompleted', { taskToken: f.liveDecisionToken }),
    status: 400,
    type: VALIDATION,
    message: ['Invalid token'],
    exact: true,
  },
  {
    name: 'task token over 1024 characters',
    call: op('RespondActivityTaskFailed', { taskToken: 't'.repeat(1025) }),
    status: 400,
    type: VALIDATION,
    message: [`at 'taskToken' ${C}Member must have length less than or equal to 1024`],
  },
  {
    name: 'well-formed token of a completed activity task',
    call: (f) => op('RespondActivityTaskCompleted', { taskToken: f.doneActivityToken, result: 'again' }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown activity, scheduledEventId = 5'],
    exact: true,
  },
  {
    name: 'heartbeat with the token of a completed activity task',
    call: (f) => op('RecordActivityTaskHeartbeat', { taskToken: f.doneActivityToken }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown activity, scheduledEventId = 5'],
    exact: true,
  },
  {
    name: 'well-formed token of a completed decision task',
    call: (f) => decide(f.doneDecisionToken, []),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['scheduledEventId = 2'],
  },

  // ---------------------------------------------------------------- decision batches (task stays started)
  {
    name: 'closing decision not last',
    call: (f) =>
      decide(f.liveDecisionToken, [
        { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'early' } },
        { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'after' } },
      ]),
    status: 400,
    type: VALIDATION,
    message: ['Close must be last decision in list'],
    exact: true,
  },
  {
    name: 'two closing decisions',
    call: (f) => decide(f.liveDecisionToken, [{ decisionType: 'FailWorkflowExecution' }, { decisionType: 'CompleteWorkflowExecution' }]),
    status: 400,
    type: VALIDATION,
    message: ['Close must be last decision in list'],
    exact: true,
  },
  {
    name: 'decision with missing attributes',
    call: (f) =>
      decide(f.liveDecisionToken, [
        { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'ok' } },
        { decisionType: 'ScheduleActivityTask' },
      ]),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'decisions.2.member.scheduleActivityTaskDecisionAttributes' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'decision attributes missing required members',
    call: (f) => decide(f.liveDecisionToken, [{ decisionType: 'StartTimer', startTimerDecisionAttributes: { control: 'c' } }]),
    status: 400,
    type: VALIDATION,
    message: [
      '2 validation errors detected: ',
      `Value null at 'decisions.1.member.startTimerDecisionAttributes.timerId' ${C}Member must not be null`,
      `Value null at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' ${C}Member must not be null`,
    ],
  },
  {
    name: 'unknown decision type',
    call: (f) => decide(f.liveDecisionToken, [{ decisionType: 'Dance' }]),
    status: 400,
    type: VALIDATION,
    message: [`Value 'Dance' at 'decisions.1.member.decisionType' ${C}Member must satisfy enum value set: [`],
  },
  {
    name: 'child workflow with executionStartToCloseTimeout NONE',
    call: (f) =>
      decide(f.liveDecisionToken, [
        {
          decisionType: 'StartChildWorkflowExecution',
          startChildWorkflowExecutionDecisionAttributes: {
            workflowType: { name: 'Flow', version: '1' },
            workflowId: 'child',
            executionStartToCloseTimeout: 'NONE',
          },
        },
      ]),
    status: 400,
    type: VALIDATION,
    message: [
      v1(`Value 'NONE' at 'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout' ${C}`),
      '31536000',
    ],
  },
  {
    name: 'child workflow decision without workflowId',
    call: (f) =>
      decide(f.liveDecisionToken, [
        { decisionType: 'StartChildWorkflowExecution', startChildWorkflowExecutionDecisionAttributes: { workflowType: { name: 'Flow', version: '1' } } },
      ]),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'decisions.1.member.startChildWorkflowExecutionDecisionAttributes.workflowId' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'decision list entry that is null',
    call: (f) => decide(f.liveDecisionToken, [null]),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'decisions.1.member' ${C}Member must not be null`)],
    exact: true,
  },

  // ---------------------------------------------------------------- visibility filters
  {
    name: 'ListOpen with two exclusive filters',
    call: op('ListOpenWorkflowExecutions', {
      domain: D,
      startTimeFilter: { oldestDate: 0 },
      executionFilter: { workflowId: 'w' },
      typeFilter: { name: 'Flow' },
    }),
    status: 400,
    type: VALIDATION,
    message: ['Cannot specify more than one exclusive filters in the same query'],
    exact: true,
  },
  {
    name: 'CountOpen with tag and type filters',
    call: op('CountOpenWorkflowExecutions', { domain: D, startTimeFilter: { oldestDate: 0 }, tagFilter: { tag: 't' }, typeFilter: { name: 'Flow' } }),
    status: 400,
    type: VALIDATION,
    message: ['Cannot specify more than one exclusive filters in the same query'],
    exact: true,
  },
  {
    name: 'ListOpen without startTimeFilter',
    call: op('ListOpenWorkflowExecutions', { domain: D }),
    status: 400,
    type: VALIDATION,
    message: [v1(`Value null at 'startTimeFilter' ${C}Member must not be null`)],
    exact: true,
  },
  {
    name: 'ListClosed with both time filters',
    call: op('ListClosedWorkflowExecutions', { domain: D, startTimeFilter: { oldestDate: 0 }, closeTimeFilter: { oldestDate: 0 } }),
    status: 400,
    type: VALIDATION,
    message: ['Cannot specify more than one exclusive filters in the same query'],
    exact: true,
  },
  {
    name: 'ListClosed with no time filter',
    call: op('ListClosedWorkflowExecutions', { domain: D }),
    status: 400,
    type: VALIDATION,
    message: ['Either startTimeFilter or closeTimeFilter must be specified'],
    exact: true,
  },
  {
    name: 'ListClosed with closeStatus and execution filters',
    call: op('ListClosedWorkflowExecutions', {
      domain: D,
      closeTimeFilter: { oldestDate: 0 },
      closeStatusFilter: { status: 'COMPLETED' },
      executionFilter: { workflowId: 'w' },
    }),
    status: 400,
    type: VALIDATION,
    message: ['Cannot specify more than one exclusive filters in the same query'],
    exact: true,
  },
  {
    name: 'page token from another query',
    call: op('ListDomains', { registrationStatus: 'REGISTERED', nextPageToken: 'eyJvIjoxLCJmIjoibm9wZSJ9' }),
    status: 400,
    type: VALIDATION,
    message: ['Invalid token'],
    exact: true,
  },

  // ---------------------------------------------------------------- modelled faults
  {
    name: 'unknown domain',
    call: op('DescribeDomain', { name: 'no-such-domain' }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown domain: no-such-domain'],
    exact: true,
  },
  {
    name: 'DescribeWorkflowExecution of an unknown run',
    call: op('DescribeWorkflowExecution', { domain: D, execution: { workflowId: 'ghost', runId: 'r-000' } }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown execution: WorkflowExecution=[workflowId=ghost, runId=r-000]'],
    exact: true,
  },
  {
    name: 'DescribeWorkflowExecution of a known workflowId with a wrong runId',
    call: (f) => op('DescribeWorkflowExecution', { domain: D, execution: { workflowId: f.liveExecution.workflowId, runId: 'r-000' } }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown execution: WorkflowExecution=[workflowId=live, runId=r-000]'],
    exact: true,
  },
  {
    name: 'StartWorkflowExecution of an unknown type',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'w-unknown', workflowType: { name: 'Nope', version: '1' } }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: ['Unknown type: WorkflowType=[name=Nope, version=1]'],
    exact: true,
  },
  {
    name: 'StartWorkflowExecution for a workflowId that is open',
    call: (f) => op('StartWorkflowExecution', { domain: D, workflowId: f.liveExecution.workflowId, workflowType: { name: 'Flow', version: '1' } }),
    status: 400,
    type: `${SWF_NS}WorkflowExecutionAlreadyStartedFault`,
    message: [''],
  },
  {
    name: 'DefaultUndefinedFault: executionStartToCloseTimeout',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'bare-1', workflowType: { name: 'Bare', version: '1' } }),
    status: 400,
    type: `${SWF_NS}DefaultUndefinedFault`,
    message: ['executionStartToCloseTimeout'],
  },
  {
    name: 'DefaultUndefinedFault: taskList',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'bare-2',
      workflowType: { name: 'Bare', version: '1' },
      executionStartToCloseTimeout: '60',
    }),
    status: 400,
    type: `${SWF_NS}DefaultUndefinedFault`,
    message: ['taskList'],
  },
  {
    name: 'DefaultUndefinedFault: taskStartToCloseTimeout',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'bare-3',
      workflowType: { name: 'Bare', version: '1' },
      executionStartToCloseTimeout: '60',
      taskList: { name: 'tl' },
    }),
    status: 400,
    type: `${SWF_NS}DefaultUndefinedFault`,
    message: ['taskStartToCloseTimeout'],
  },
  {
    name: 'DefaultUndefinedFault: childPolicy',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'bare-4',
      workflowType: { name: 'Bare', version: '1' },
      executionStartToCloseTimeout: '60',
      taskList: { name: 'tl' },
      taskStartToCloseTimeout: '10',
    }),
    status: 400,
    type: `${SWF_NS}DefaultUndefinedFault`,
    message: ['childPolicy'],
  },
  {
    name: 'TypeDeprecatedFault on start',
    call: op('StartWorkflowExecution', { domain: D, workflowId: 'old-1', workflowType: { name: 'Old', version: '1' } }),
    status: 400,
    type: `${SWF_NS}TypeDeprecatedFault`,
    message: ['WorkflowType=[name=Old, version=1]'],
    exact: true,
  },
  {
    name: 'TypeDeprecatedFault on deprecating twice',
    call: op('DeprecateWorkflowType', { domain: D, workflowType: { name: 'Old', version: '1' } }),
    status: 400,
    type: `${SWF_NS}TypeDeprecatedFault`,
    message: ['WorkflowType=[name=Old, version=1]'],
    exact: true,
  },
  {
    name: 'TypeNotDeprecatedFault on deleting a registered type',
    call: op('DeleteActivityType', { domain: D, activityType: { name: 'Work', version: '1' } }),
    status: 400,
    type: `${SWF_NS}TypeNotDeprecatedFault`,
    message: ['The type is currently registered and cannot be deleted in its current state'],
    exact: true,
  },
  {
    name: 'TypeAlreadyExistsFault',
    call: op('RegisterWorkflowType', { domain: D, name: 'Flow', version: '1' }),
    status: 400,
    type: `${SWF_NS}TypeAlreadyExistsFault`,
    message: ['WorkflowType=[name=Flow, version=1]'],
    exact: true,
  },
  {
    name: 'DomainAlreadyExistsFault',
    call: op('RegisterDomain', { name: D, workflowExecutionRetentionPeriodInDays: '1' }),
    status: 400,
    type: `${SWF_NS}DomainAlreadyExistsFault`,
    message: [D],
    exact: true,
  },
  {
    name: 'executionStartToCloseTimeout NONE',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'none-timeout',
      workflowType: { name: 'Flow', version: '1' },
      executionStartToCloseTimeout: 'NONE',
    }),
    status: 400,
    type: VALIDATION,
    message: ['executionStartToCloseTimeout'],
  },
  {
    name: 'executionStartToCloseTimeout over one year',
    call: op('StartWorkflowExecution', {
      domain: D,
      workflowId: 'long-timeout',
      workflowType: { name: 'Flow', version: '1' },
      executionStartToCloseTimeout: '31536001',
    }),
    status: 400,
    type: VALIDATION,
    message: ['executionStartToCloseTimeout', '31536000'],
  },
  {
    name: 'defaultExecutionStartToCloseTimeout NONE at registration',
    call: op('RegisterWorkflowType', { domain: D, name: 'Forever', version: '1', defaultExecutionStartToCloseTimeout: 'NONE' }),
    status: 400,
    type: VALIDATION,
    message: ['defaultExecutionStartToCloseTimeout'],
  },
  {
    name: 'defaultExecutionStartToCloseTimeout over one year at registration',
    call: op('RegisterWorkflowType', { domain: D, name: 'Forever', version: '1', defaultExecutionStartToCloseTimeout: '31536001' }),
    status: 400,
    type: VALIDATION,
    message: ['defaultExecutionStartToCloseTimeout', '31536000'],
  },
  {
    name: 'TagResource on an ARN that is not a domain',
    call: op('TagResource', { resourceArn: `arn:aws:swf:us-east-1:${ACCOUNT}:/domain/nowhere`, tags: [{ key: 'k', value: 'v' }] }),
    status: 400,
    type: `${SWF_NS}UnknownResourceFault`,
    message: [''],
  },
];

let engine: RunningEngine;
let endpoint: string;
let swf: SWF;
let fixture: Fixture;
let internalErrors: unknown[][];
let errorSpy: jest.SpyInstance;

beforeAll(async () => {
  internalErrors = [];
  const original = console.error;
  errorSpy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    internalErrors.push(args);
    original(...args);
  });
  // Polls hit by the fuzz loop must not hold for long.
  engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 50 });
  endpoint = engine.endpoint;
  swf = swfClient(endpoint);
  await registerBasics(swf, D);
  await registerBasics(swf, FUZZ_DOMAIN);
  await swf.registerWorkflowType({ domain: D, name: 'Bare', version: '1' });
  await swf.registerWorkflowType({
    domain: D,
    name: 'Old',
    version: '1',
    defaultTaskList: { name: 'old' },
    defaultExecutionStartToCloseTimeout: '60',
    defaultTaskStartToCloseTimeout: '10',
    defaultChildPolicy: 'ABANDON',
  });
  await swf.deprecateWorkflowType({ domain: D, workflowType: { name: 'Old', version: '1' } });

  // A run whose first decision and only activity are done: their tokens are stale.
  const done = await swf.startWorkflowExecution({ domain: D, workflowId: 'done', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'done-decisions' } });
  const d1 = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'done-decisions' } });
  await swf.respondDecisionTaskCompleted({
    taskToken: d1.taskToken!,
    decisions: [{ decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'a1' } }],
  });
  const a1 = await swf.pollForActivityTask({ domain: D, taskList: { name: 'default' } });
  expect(a1.startedEventId).toBe(6);
  await swf.respondActivityTaskCompleted({ taskToken: a1.taskToken!, result: 'ok' });

  // A run whose decision task is started and stays started through the refused batches.
  const live = await swf.startWorkflowExecution({ domain: D, workflowId: 'live', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'live-decisions' } });
  const d2 = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'live-decisions' } });
  expect(d2.startedEventId).toBe(3);

  fixture = {
    liveDecisionToken: d2.taskToken!,
    liveExecution: { workflowId: 'live', runId: live.runId! },
    doneDecisionToken: d1.taskToken!,
    doneActivityToken: a1.taskToken!,
    doneExecution: { workflowId: 'done', runId: done.runId! },
  };
});

afterAll(async () => {
  errorSpy?.mockRestore();
  swf?.destroy();
  await engine?.close();
});

/** A request that must always work: the engine is up and answering. */
async function expectHealthy(): Promise<void> {
  const r = await swfCall(endpoint, 'DescribeDomain', { name: D });
  expect(r.status).toBe(200);
  expect(r.json.domainInfo.name).toBe(D);
}

function expectFault(r: RawAnswer, row: Pick<Row, 'status' | 'type' | 'message' | 'exact'>): void {
  expect({ status: r.status, type: r.json?.__type }).toEqual({ status: row.status, type: row.type });
  expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.headers.get('content-type')).toBe(AMZ_JSON);
  expect(typeof r.json.message).toBe('string');
  expect(Object.keys(r.json).sort()).toEqual(['__type', 'message']);
  if (row.exact) expect(r.json.message).toBe(row.message[0]);
  for (const fragment of row.message) expect(r.json.message).toContain(fragment);
}

describe('malformed and refused requests', () => {
  test.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const call = typeof row.call === 'function' ? row.call(fixture) : row.call;
    const r = await rawCall(endpoint, call);
    expect(r.status).toBeLessThan(500);
    expectFault(r, row);
    await expectHealthy();
  });

  test('a body over 1 MiB sent chunked (no Content-Length) is refused too', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const r = await nodeHttpCall(endpoint, {
      headers: { 'content-type': AMZ_JSON, 'x-amz-target': 'SimpleWorkflowService.ListDomains', 'transfer-encoding': 'chunked' },
      chunks: ['{"registrationStatus":"REGISTERED","pad":"', ...Array.from({ length: 17 }, () => chunk), '"}'],
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toEqual({ __type: TOO_LARGE, message: 'Request body is larger than 1048576 bytes' });
    await expectHealthy();
  });

  test('refused decision batches write nothing and leave the decision task started', async () => {
    const { liveDecisionToken, liveExecution } = fixture;
    const h = await swf.getWorkflowExecutionHistory({ domain: D, execution: liveExecution });
    expect(h.events!.map((e) => e.eventType)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    const d = await swf.describeWorkflowExecution({ domain: D, execution: liveExecution });
    expect(d.openCounts?.openDecisionTasks).toBe(1);
    // The very same token still completes the task.
    const r = await swfCall(endpoint, 'RespondDecisionTaskCompleted', {
      taskToken: liveDecisionToken,
      decisions: [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'fine' } }],
    });
    expect([r.status, r.text]).toEqual([200, '{}']);
    const after = await swf.getWorkflowExecutionHistory({ domain: D, execution: liveExecution });
    expect(after.events!.map((e) => e.eventType)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
    // ...and is stale from then on, with the run closed.
    const again = await swfCall(endpoint, 'RespondDecisionTaskCompleted', { taskToken: liveDecisionToken, decisions: [] });
    expectFault(again, {
      status: 400,
      type: `${SWF_NS}UnknownResourceFault`,
      message: [`Unknown execution: WorkflowExecution=[workflowId=live, runId=${liveExecution.runId}]`],
      exact: true,
    });
  });

  test('a StartChildWorkflowExecution decision is carried out, not refused', async () => {
    // swf-local refused this decision with OperationNotPermittedFault before child workflows
    // existed; now it must be applied in order with the rest of the batch.
    const { runId } = await swf.startWorkflowExecution({ domain: D, workflowId: 'parent', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'parent-decisions' } });
    const task = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'parent-decisions' } });
    const r = await swfCall(endpoint, 'RespondDecisionTaskCompleted', {
      taskToken: task.taskToken,
      decisions: [
        { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'before-child' } },
        {
          decisionType: 'StartChildWorkflowExecution',
          startChildWorkflowExecutionDecisionAttributes: { workflowType: { name: 'Flow', version: '1' }, workflowId: 'child-of-parent' },
        },
      ],
    });
    expect([r.status, r.text]).toEqual([200, '{}']);
    const h = await swf.getWorkflowExecutionHistory({ domain: D, execution: { workflowId: 'parent', runId } });
    expect(h.events!.map((e) => e.eventType)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'DecisionTaskCompleted',
      'MarkerRecorded',
      'StartChildWorkflowExecutionInitiated',
      'ChildWorkflowExecutionStarted',
      'DecisionTaskScheduled',
    ]);
    const children = await swf.countOpenWorkflowExecutions({
      domain: D,
      startTimeFilter: { oldestDate: new Date(0) },
      executionFilter: { workflowId: 'child-of-parent' },
    });
    expect(children.count).toBe(1);
    await expectHealthy();
  });
});

describe('fuzzing', () => {
  test('300 mangled requests to random operations: no 5xx, no internal error, engine healthy', async () => {
    const rng = new Prng(0x5eed_2012);
    const fuzzer = new RequestFuzzer(rng, { domain: FUZZ_DOMAIN, nowSeconds: Math.floor(Date.now() / 1000) });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const operation = rng.pick(OPERATIONS);
      const body = fuzzer.mutate(fuzzer.validRequest(operation));
      let text = encodeJson(body);
      if (rng.chance(0.05)) text = text.slice(0, rng.int(0, text.length)); // truncated JSON
      const target = rng.chance(0.03) ? `SimpleWorkflowService.${operation.toLowerCase()}` : `SimpleWorkflowService.${operation}`;
      const r = await rawCall(endpoint, { target, body: text });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status >= 500 || !r.headers.get('x-amzn-requestid') || (r.status >= 400 && typeof r.json?.__type !== 'string')) {
        failures.push(`#${i} ${operation} -> ${r.status} ${r.text.slice(0, 300)} body=${text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(internalErrors).toEqual([]);
    // The mutations must reach past the validator now and then, not only bounce off it.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(150);
    expect(Date.now() - started).toBeLessThan(20_000);

    await expectHealthy();
    // The whole flow still works end to end after the storm.
    const exec = await swf.startWorkflowExecution({ domain: D, workflowId: 'after-fuzz', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'after-fuzz' } });
    const task = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'after-fuzz' } });
    expect(task.workflowExecution).toEqual({ workflowId: 'after-fuzz', runId: exec.runId });
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken!, decisions: [{ decisionType: 'CompleteWorkflowExecution' }] });
    const d = await swf.describeWorkflowExecution({ domain: D, execution: { workflowId: 'after-fuzz', runId: exec.runId! } });
    expect(d.executionInfo?.closeStatus).toBe('COMPLETED');
  }, 30_000);
});
