import { Fault } from '../../../lib/engine/faults';
import { isOperation, OPERATIONS, validateInput } from '../../../lib/engine/model/validate';

/** Runs validateInput and returns the Fault it throws; fails the test if it does not throw one. */
function faultOf(operation: string, input: unknown): Fault {
  try {
    validateInput(operation, input);
  } catch (e) {
    if (e instanceof Fault) return e;
    throw e;
  }
  throw new Error(`expected ${operation} to be rejected`);
}

function expectValidation(operation: string, input: unknown, ...fragments: string[]): string {
  const f = faultOf(operation, input);
  expect(f.faultName).toBe('ValidationException');
  expect(f.wireType).toBe('com.amazon.coral.validate#ValidationException');
  for (const fragment of fragments) expect(f.message).toContain(fragment);
  return f.message;
}

function expectSerialization(operation: string, input: unknown, ...fragments: string[]): void {
  const f = faultOf(operation, input);
  expect(f.faultName).toBe('SerializationException');
  for (const fragment of fragments) expect(f.message).toContain(fragment);
}

const C = 'failed to satisfy constraint: ';
const NAME_RULE = "Member must not contain ':', '/', '|', control characters or be the literal 'arn'";

const timerDecision = (attrs: Record<string, unknown>): Record<string, unknown> => ({
  taskToken: 'tok',
  decisions: [{ decisionType: 'StartTimer', startTimerDecisionAttributes: attrs }],
});

describe('operations', () => {
  const ALL = [
    'CountClosedWorkflowExecutions', 'CountOpenWorkflowExecutions', 'CountPendingActivityTasks',
    'CountPendingDecisionTasks', 'DeleteActivityType', 'DeleteWorkflowType', 'DeprecateActivityType',
    'DeprecateDomain', 'DeprecateWorkflowType', 'DescribeActivityType', 'DescribeDomain',
    'DescribeWorkflowExecution', 'DescribeWorkflowType', 'GetWorkflowExecutionHistory', 'ListActivityTypes',
    'ListClosedWorkflowExecutions', 'ListDomains', 'ListOpenWorkflowExecutions', 'ListTagsForResource',
    'ListWorkflowTypes', 'PollForActivityTask', 'PollForDecisionTask', 'RecordActivityTaskHeartbeat',
    'RegisterActivityType', 'RegisterDomain', 'RegisterWorkflowType', 'RequestCancelWorkflowExecution',
    'RespondActivityTaskCanceled', 'RespondActivityTaskCompleted', 'RespondActivityTaskFailed',
    'RespondDecisionTaskCompleted', 'SignalWorkflowExecution', 'StartWorkflowExecution', 'TagResource',
    'TerminateWorkflowExecution', 'UndeprecateActivityType', 'UndeprecateDomain', 'UndeprecateWorkflowType',
    'UntagResource',
  ];

  it('lists exactly the 39 operations of the model', () => {
    expect(ALL).toHaveLength(39);
    expect([...OPERATIONS].sort()).toEqual([...ALL].sort());
    for (const op of ALL) expect(isOperation(op)).toBe(true);
  });

  it('rejects names that are not operations', () => {
    expect(isOperation('DescribeDomains')).toBe(false);
    expect(isOperation('')).toBe(false);
    expect(isOperation('toString')).toBe(false);
    expect(isOperation('describeDomain')).toBe(false);
    expect(faultOf('NoSuchOperation', {}).faultName).toBe('UnknownOperationException');
  });
});

describe('valid input', () => {
  it('returns the input, ignoring unknown members', () => {
    const input = { name: 'video', workflowExecutionRetentionPeriodInDays: '7', somethingNew: [1, 2] };
    expect(validateInput('RegisterDomain', input)).toBe(input);
    expect(input.somethingNew).toEqual([1, 2]);
  });

  it('treats JSON null as absent and removes it', () => {
    const input: Record<string, unknown> = { registrationStatus: 'REGISTERED', nextPageToken: null };
    validateInput('ListDomains', input);
    expect('nextPageToken' in input).toBe(false);
  });

  it('accepts a full decision batch', () => {
    expect(() =>
      validateInput('RespondDecisionTaskCompleted', {
        taskToken: 'tok',
        decisions: [
          {
            decisionType: 'ScheduleActivityTask',
            scheduleActivityTaskDecisionAttributes: {
              activityType: { name: 'transcode', version: '1' },
              activityId: 'a-1',
              taskList: { name: 'workers' },
              scheduleToCloseTimeout: '3600',
              heartbeatTimeout: 'NONE',
              taskPriority: '-5',
            },
          },
          { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 't', startToFireTimeout: '0' } },
          { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'ok' } },
        ],
      }),
    ).not.toThrow();
  });
});

describe('ValidationException', () => {
  it('reports a missing required member as null', () => {
    const msg = expectValidation('DescribeDomain', {});
    expect(msg).toBe(`1 validation error detected: Value null at 'name' ${C}Member must not be null`);
  });

  it('reports a JSON null required member as null', () => {
    expectValidation('DescribeDomain', { name: null }, `Value null at 'name' ${C}Member must not be null`);
  });

  it('lists every violation with the right count', () => {
    const msg = expectValidation('ListWorkflowTypes', { registrationStatus: 'GONE', maximumPageSize: 5000 });
    expect(msg.startsWith('3 validation errors detected: ')).toBe(true);
    expect(msg).toContain(`Value null at 'domain' ${C}Member must not be null`);
    expect(msg).toContain(`Value '5000' at 'maximumPageSize' ${C}Member must have value less than or equal to 1000`);
    expect(msg).toContain(
      `Value 'GONE' at 'registrationStatus' ${C}Member must satisfy enum value set: [REGISTERED, DEPRECATED]`,
    );
    expect(msg.split('; ')).toHaveLength(3);
  });

  it('checks maximum length and truncates long values in the message', () => {
    const long = 'x'.repeat(257);
    const msg = expectValidation(
      'RegisterDomain',
      { name: long, workflowExecutionRetentionPeriodInDays: '1' },
      `at 'name' ${C}Member must have length less than or equal to 256`,
    );
    expect(msg).toContain(`Value '${'x'.repeat(64)}...' at 'name'`);
    expect(msg).not.toContain('x'.repeat(65));
    expect(() => validateInput('RegisterDomain', { name: 'x'.repeat(256), workflowExecutionRetentionPeriodInDays: '1' })).not.toThrow();
  });

  it('checks minimum length', () => {
    expectValidation('DescribeDomain', { name: '' }, `Value '' at 'name' ${C}Member must have length greater than or equal to 1`);
  });

  it('checks list length (at most 5 execution tags)', () => {
    const base = { domain: 'd', workflowId: 'w', workflowType: { name: 'n', version: '1' } };
    expectValidation(
      'StartWorkflowExecution',
      { ...base, tagList: ['a', 'b', 'c', 'd', 'e', 'f'] },
      `Value '[a, b, c, d, e, f]' at 'tagList' ${C}Member must have length less than or equal to 5`,
    );
    expect(() => validateInput('StartWorkflowExecution', { ...base, tagList: ['a', 'b', 'c', 'd', 'e'] })).not.toThrow();
  });

  it('checks enums', () => {
    expectValidation(
      'ListDomains',
      { registrationStatus: 'registered' },
      `Value 'registered' at 'registrationStatus' ${C}Member must satisfy enum value set: [REGISTERED, DEPRECATED]`,
    );
  });

  it('checks the page size range 0..1000', () => {
    expectValidation(
      'ListDomains',
      { registrationStatus: 'REGISTERED', maximumPageSize: 1001 },
      `Value '1001' at 'maximumPageSize' ${C}Member must have value less than or equal to 1000`,
    );
    expectValidation(
      'ListDomains',
      { registrationStatus: 'REGISTERED', maximumPageSize: -1 },
      `Value '-1' at 'maximumPageSize' ${C}Member must have value greater than or equal to 0`,
    );
    expect(() => validateInput('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 0 })).not.toThrow();
    expect(() => validateInput('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1000 })).not.toThrow();
  });

  it('numbers paths inside lists from 1 with .member', () => {
    const msg = expectValidation('RespondDecisionTaskCompleted', {
      taskToken: 'tok',
      decisions: [
        { decisionType: 'StartTimer', startTimerDecisionAttributes: { startToFireTimeout: '5' } },
        { decisionType: 'Sleep' },
      ],
    });
    expect(msg).toContain(
      `Value null at 'decisions.1.member.startTimerDecisionAttributes.timerId' ${C}Member must not be null`,
    );
    expect(msg).toContain(`Value 'Sleep' at 'decisions.2.member.decisionType' ${C}Member must satisfy enum value set: [`);
    expect(msg.startsWith('2 validation errors detected: ')).toBe(true);
  });

  it('paths into lists of structures (resource tags)', () => {
    expectValidation(
      'TagResource',
      { resourceArn: 'arn:aws:swf:us-east-1:000000000000:/domain/d', tags: [{ key: 'ok' }, { key: '' }] },
      `Value '' at 'tags.2.member.key' ${C}Member must have length greater than or equal to 1`,
    );
    expectValidation(
      'TagResource',
      { resourceArn: 'arn:aws:swf:us-east-1:000000000000:/domain/d', tags: [{ key: 'a#b' }] },
      `Value 'a#b' at 'tags.1.member.key' ${C}Member must contain only Unicode letters`,
    );
  });

  it('rejects null list elements', () => {
    expectValidation('UntagResource', { resourceArn: 'a', tagKeys: ['k', null] }, `Value null at 'tagKeys.2.member'`);
  });
});

describe('format rules from the documentation', () => {
  const domain = (name: string): unknown => ({ name, workflowExecutionRetentionPeriodInDays: '1' });

  it.each([
    ['a colon', 'a:b'],
    ['a slash', 'a/b'],
    ['a vertical bar', 'a|b'],
    ['the literal arn', 'arn'],
    ['U+0000', 'a\u0000b'],
    ['a tab', 'tab\there'],
    ['U+007F', 'a\u007fb'],
    ['U+009F', 'a\u009fb'],
  ])(
    'rejects a name with %s',
    (_label, name) => {
      expectValidation('RegisterDomain', domain(name), `at 'name' ${C}${NAME_RULE}`);
      expectValidation(
        'RegisterWorkflowType',
        { domain: 'd', name, version: '1' },
        `at 'name' ${C}${NAME_RULE}`,
      );
    },
  );

  it('accepts ordinary names, including ones containing arn', () => {
    for (const name of ['video', 'arn-pipeline', 'ARN', 'my.domain_1 2', 'ünïcødé']) {
      expect(() => validateInput('RegisterDomain', domain(name))).not.toThrow();
    }
  });

  it('applies the name rule to versions, ids and task lists', () => {
    expectValidation('RegisterActivityType', { domain: 'd', name: 'n', version: '1:0' }, `at 'version' ${C}${NAME_RULE}`);
    expectValidation(
      'RespondDecisionTaskCompleted',
      timerDecision({ timerId: 'a:b', startToFireTimeout: '1' }),
      `at 'decisions.1.member.startTimerDecisionAttributes.timerId' ${C}${NAME_RULE}`,
    );
    expectValidation('PollForDecisionTask', { domain: 'd', taskList: { name: 'arn' } }, `at 'taskList.name' ${C}${NAME_RULE}`);
    expectValidation(
      'StartWorkflowExecution',
      { domain: 'd', workflowId: 'w|1', workflowType: { name: 'n', version: '1' } },
      `at 'workflowId' ${C}${NAME_RULE}`,
    );
  });

  it('rejects domain names with leading or trailing whitespace', () => {
    const ws = `${C}Member must not start or end with whitespace`;
    expectValidation('RegisterDomain', domain(' video'), `Value ' video' at 'name' ${ws}`);
    expectValidation('RegisterDomain', domain('video '), `Value 'video ' at 'name' ${ws}`);
    expectValidation('RegisterDomain', domain('video\n'), `at 'name' ${ws}`);
    expect(() => validateInput('RegisterDomain', domain('my video'))).not.toThrow();
    expectValidation('PollForActivityTask', { domain: 'd', taskList: { name: 'tl ' } }, `at 'taskList.name' ${ws}`);
  });

  it('lets type names keep edge whitespace (the docs give that rule only to domains and task lists)', () => {
    expect(() => validateInput('RegisterWorkflowType', { domain: 'd', name: ' padded ', version: '1' })).not.toThrow();
  });

  it('checks duration strings', () => {
    const register = (t: string): unknown => ({ domain: 'd', name: 'n', version: '1', defaultTaskHeartbeatTimeout: t });
    for (const ok of ['12', '0', 'NONE', '99999999']) {
      expect(() => validateInput('RegisterActivityType', register(ok))).not.toThrow();
    }
    for (const bad of ['-1', '1.5', 'abc', '', ' 1', 'none', '1e3']) {
      expectValidation(
        'RegisterActivityType',
        register(bad),
        `Value '${bad}' at 'defaultTaskHeartbeatTimeout' ${C}Member must be a non-negative integer number of seconds or NONE`,
      );
    }
    expectValidation(
      'RegisterActivityType',
      register('123456789'),
      `at 'defaultTaskHeartbeatTimeout' ${C}Member must have length less than or equal to 8`,
    );
  });

  it('does not allow NONE for a timer', () => {
    expectValidation(
      'RespondDecisionTaskCompleted',
      timerDecision({ timerId: 't', startToFireTimeout: 'NONE' }),
      `Value 'NONE' at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' ${C}Member must be a non-negative integer number of seconds`,
    );
    expect(() =>
      validateInput('RespondDecisionTaskCompleted', timerDecision({ timerId: 't', startToFireTimeout: '0' })),
    ).not.toThrow();
  });

  it('checks task priority as an int32 in a string', () => {
    const start = (p: string): unknown => ({ domain: 'd', workflowId: 'w', workflowType: { name: 'n', version: '1' }, taskPriority: p });
    for (const ok of ['0', '-2147483648', '2147483647', '+7', '-7']) {
      expect(() => validateInput('StartWorkflowExecution', start(ok))).not.toThrow();
    }
    for (const bad of ['2147483648', '-2147483649', '1.0', 'high', '', '1 ']) {
      expectValidation(
        'StartWorkflowExecution',
        start(bad),
        `Value '${bad}' at 'taskPriority' ${C}Member must be an integer from -2147483648 to 2147483647`,
      );
    }
  });

  it('checks the retention period in days', () => {
    for (const ok of ['0', '1', '90', 'NONE']) {
      expect(() => validateInput('RegisterDomain', { name: 'd', workflowExecutionRetentionPeriodInDays: ok })).not.toThrow();
    }
    for (const bad of ['91', '-1', 'forever', '7.5']) {
      expectValidation(
        'RegisterDomain',
        { name: 'd', workflowExecutionRetentionPeriodInDays: bad },
        `Value '${bad}' at 'workflowExecutionRetentionPeriodInDays' ${C}Member must be an integer number of days from 0 to 90, or NONE`,
      );
    }
  });
});

describe('SerializationException', () => {
  it('rejects a body that is not an object', () => {
    expectSerialization('ListDomains', null, 'request body');
    expectSerialization('ListDomains', [], 'request body');
    expectSerialization('ListDomains', 'REGISTERED', 'request body');
  });

  it('rejects members of the wrong JSON type', () => {
    expectSerialization('DescribeDomain', { name: 42 }, "at 'name'", 'a string');
    expectSerialization('DescribeWorkflowType', { domain: 'd', workflowType: 'n' }, "at 'workflowType'", 'an object');
    expectSerialization('RespondDecisionTaskCompleted', { taskToken: 't', decisions: {} }, "at 'decisions'", 'an array');
    expectSerialization('ListDomains', { registrationStatus: 'REGISTERED', reverseOrder: 'true' }, "at 'reverseOrder'", 'a boolean');
    expectSerialization('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: '10' }, "at 'maximumPageSize'");
    expectSerialization('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1.5 }, "at 'maximumPageSize'");
    expectSerialization('StartWorkflowExecution', { domain: 'd', workflowId: 'w', workflowType: { name: 'n', version: '1' }, taskPriority: 5 }, "at 'taskPriority'");
  });

  it('reports the nested path of a wrong type', () => {
    expectSerialization(
      'RespondDecisionTaskCompleted',
      { taskToken: 't', decisions: [{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 1 } }] },
      "'decisions.1.member.startTimerDecisionAttributes.timerId'",
    );
  });

  it('takes precedence over constraint violations found earlier', () => {
    expectSerialization('ListDomains', { registrationStatus: 'NOPE', reverseOrder: 1 }, "at 'reverseOrder'");
  });

  it('rejects timestamps that are not numbers', () => {
    const list = (oldestDate: unknown): unknown => ({ domain: 'd', startTimeFilter: { oldestDate } });
    expectSerialization('ListOpenWorkflowExecutions', list('2024-01-01T00:00:00Z'), "'startTimeFilter.oldestDate'");
    expectSerialization('ListOpenWorkflowExecutions', list(true), "'startTimeFilter.oldestDate'");
    expectSerialization('ListOpenWorkflowExecutions', list(''), "'startTimeFilter.oldestDate'");
  });
});

describe('timestamps', () => {
  it('keeps fractional numbers and converts numeric strings to numbers', () => {
    const input = {
      domain: 'd',
      startTimeFilter: { oldestDate: 1700000000.123, latestDate: '1700000100.5' },
    };
    const out = validateInput('ListOpenWorkflowExecutions', input);
    expect(out).toBe(input);
    expect(input.startTimeFilter.oldestDate).toBe(1700000000.123);
    expect(input.startTimeFilter.latestDate).toBe(1700000100.5);
    expect(typeof input.startTimeFilter.latestDate).toBe('number');
  });

  it('accepts integer strings', () => {
    const input = { domain: 'd', startTimeFilter: { oldestDate: '1700000000' } };
    validateInput('CountOpenWorkflowExecutions', input);
    expect(input.startTimeFilter.oldestDate).toBe(1700000000);
  });

  it('still requires the timestamp members the model requires', () => {
    expectValidation(
      'ListOpenWorkflowExecutions',
      { domain: 'd', startTimeFilter: { latestDate: 1 } },
      `Value null at 'startTimeFilter.oldestDate' ${C}Member must not be null`,
    );
  });
});

describe('state between calls', () => {
  it('does not leak violations or paths from a failed call into the next one', () => {
    faultOf('ListDomains', { registrationStatus: 'X', reverseOrder: 'x' });
    faultOf('ListDomains', { registrationStatus: 'X' });
    const msg = expectValidation('DescribeDomain', {});
    expect(msg).toBe(`1 validation error detected: Value null at 'name' ${C}Member must not be null`);
    expect(() => validateInput('DescribeDomain', { name: 'd' })).not.toThrow();
  });
});
