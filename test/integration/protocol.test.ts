/**
 * The wire protocol as clients see it (swf-spec.md §1, §7): response headers and bodies, empty
 * polls, paths and header names, region partitioning, and the long poll's timing, hand-off and
 * disconnect behaviour. Everything is checked on raw HTTP, below any SDK.
 */
import type { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { registerBasics, swfClient, unique } from '../helpers/engine';
import { AMZ_JSON, nodeHttpCall, rawCall, sleep, swfCall, type RawAnswer } from '../helpers/raw-http';

const ACCOUNT = '000000000000';
const POLL_MS = 1500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Epoch milliseconds that are never a whole second, so every timestamp on the wire has a fraction. */
const fractionalClock = {
  now: () => {
    const t = Date.now();
    return t % 1000 === 0 ? t + 1 : t;
  },
};

let engine: RunningEngine;
let endpoint: string;
let swf: SWF;

beforeAll(async () => {
  engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: POLL_MS, accountId: ACCOUNT, clock: fractionalClock });
  endpoint = engine.endpoint;
  swf = swfClient(endpoint);
});

afterAll(async () => {
  swf?.destroy();
  await engine?.close();
});

function expectSwfHeaders(r: RawAnswer): void {
  expect(r.headers.get('content-type')).toBe(AMZ_JSON);
  expect(r.headers.get('x-amzn-requestid')).toMatch(UUID);
}

/** Starts Flow/1 in `domain` and returns its execution. */
async function start(domain: string, workflowId = unique('wf'), extra: Record<string, unknown> = {}) {
  const { runId } = await swf.startWorkflowExecution({ domain, workflowId, workflowType: { name: 'Flow', version: '1' }, ...extra });
  return { workflowId, runId: runId! };
}

describe('successful responses', () => {
  test('200, the AWS JSON content type and a request id that differs per call', async () => {
    const a = await swfCall(endpoint, 'ListDomains', { registrationStatus: 'REGISTERED' });
    const b = await swfCall(endpoint, 'ListDomains', { registrationStatus: 'REGISTERED' });
    expect(a.status).toBe(200);
    expectSwfHeaders(a);
    expectSwfHeaders(b);
    expect(a.headers.get('x-amzn-requestid')).not.toBe(b.headers.get('x-amzn-requestid'));
  });

  test('faults carry the same headers', async () => {
    const r = await swfCall(endpoint, 'DescribeDomain', { name: 'no-such-domain' });
    expect(r.status).toBe(400);
    expectSwfHeaders(r);
    expect(r.json).toEqual({ __type: 'com.amazonaws.swf.base.model#UnknownResourceFault', message: 'Unknown domain: no-such-domain' });
  });

  test('the request id header is spelled x-amzn-RequestId on the wire', async () => {
    const r = await nodeHttpCall(endpoint, {
      headers: { 'content-type': AMZ_JSON, 'x-amz-target': 'SimpleWorkflowService.ListDomains' },
      chunks: [JSON.stringify({ registrationStatus: 'REGISTERED' })],
    });
    expect(r.status).toBe(200);
    const names = r.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names).toContain('x-amzn-RequestId');
    const id = r.rawHeaders[names.indexOf('x-amzn-RequestId') * 2 + 1];
    expect(id).toMatch(UUID);
  });

  test('void operations answer exactly {} with 200', async () => {
    const domain = unique('void');
    const calls: [string, object][] = [
      ['RegisterDomain', { name: domain, workflowExecutionRetentionPeriodInDays: '1' }],
      [
        'RegisterWorkflowType',
        {
          domain,
          name: 'Flow',
          version: '1',
          defaultTaskList: { name: 'void-tl' },
          defaultExecutionStartToCloseTimeout: '600',
          defaultTaskStartToCloseTimeout: '60',
          defaultChildPolicy: 'TERMINATE',
        },
      ],
      ['RegisterActivityType', { domain, name: 'Work', version: '1' }],
      ['DeprecateActivityType', { domain, activityType: { name: 'Work', version: '1' } }],
      ['UndeprecateActivityType', { domain, activityType: { name: 'Work', version: '1' } }],
      ['TagResource', { resourceArn: `arn:aws:swf:us-east-1:${ACCOUNT}:/domain/${domain}`, tags: [{ key: 'team', value: 'video' }] }],
      ['UntagResource', { resourceArn: `arn:aws:swf:us-east-1:${ACCOUNT}:/domain/${domain}`, tagKeys: ['team'] }],
    ];
    for (const [op, body] of calls) {
      const r = await swfCall(endpoint, op, body);
      expect([op, r.status, r.text]).toEqual([op, 200, '{}']);
      expectSwfHeaders(r);
    }
    const { runId } = (await swfCall(endpoint, 'StartWorkflowExecution', { domain, workflowId: 'w', workflowType: { name: 'Flow', version: '1' } })).json;
    const runCalls: [string, object][] = [
      ['SignalWorkflowExecution', { domain, workflowId: 'w', signalName: 'go' }],
      ['RequestCancelWorkflowExecution', { domain, workflowId: 'w', runId }],
      ['TerminateWorkflowExecution', { domain, workflowId: 'w', reason: 'done' }],
      ['DeprecateDomain', { name: domain }],
    ];
    for (const [op, body] of runCalls) {
      const r = await swfCall(endpoint, op, body);
      expect([op, r.status, r.text]).toEqual([op, 200, '{}']);
    }
  });

  test('timestamps are fractional JSON numbers (epoch seconds)', async () => {
    const domain = unique('ts');
    await registerBasics(swf, domain, { taskList: unique('tl') });
    const before = Date.now() / 1000;
    await swf.deprecateActivityType({ domain, activityType: { name: 'Work', version: '1' } });
    const exec = await start(domain);
    await swf.terminateWorkflowExecution({ domain, workflowId: exec.workflowId });

    const texts: string[] = [];
    const stamp = (r: RawAnswer, member: string): number => {
      expect(r.status).toBe(200);
      texts.push(r.text);
      // On the wire: a bare number with a fraction, not a string.
      expect(r.text).toMatch(new RegExp(`"${member}":\\d{10}\\.\\d{1,3}[,}]`));
      return Number(new RegExp(`"${member}":([0-9.]+)`).exec(r.text)![1]);
    };

    const wt = await swfCall(endpoint, 'DescribeWorkflowType', { domain, workflowType: { name: 'Flow', version: '1' } });
    const creation = stamp(wt, 'creationDate');
    expect(wt.json.typeInfo.creationDate).toBe(creation);
    expect(Number.isInteger(creation)).toBe(false);

    const at = await swfCall(endpoint, 'DescribeActivityType', { domain, activityType: { name: 'Work', version: '1' } });
    stamp(at, 'creationDate');
    const deprecation = stamp(at, 'deprecationDate');
    expect(deprecation).toBeGreaterThanOrEqual(Math.floor(before));
    expect(deprecation).toBeLessThanOrEqual(Date.now() / 1000 + 1);

    const de = await swfCall(endpoint, 'DescribeWorkflowExecution', { domain, execution: exec });
    const started = stamp(de, 'startTimestamp');
    const closed = stamp(de, 'closeTimestamp');
    expect(closed).toBeGreaterThanOrEqual(started);

    const h = await swfCall(endpoint, 'GetWorkflowExecutionHistory', { domain, execution: exec });
    stamp(h, 'eventTimestamp');
    for (const e of h.json.events) {
      expect(typeof e.eventTimestamp).toBe('number');
      expect(Number.isInteger(e.eventTimestamp)).toBe(false);
    }

    const lc = await swfCall(endpoint, 'ListClosedWorkflowExecutions', {
      domain,
      startTimeFilter: { oldestDate: Math.floor(before) - 5 },
    });
    stamp(lc, 'startTimestamp');
    stamp(lc, 'closeTimestamp');
    for (const t of texts) expect(t).not.toMatch(/"(creationDate|deprecationDate|startTimestamp|closeTimestamp|eventTimestamp)":"/);
  });

  test('absent optional members are omitted, never null', async () => {
    const domain = unique('opt');
    const tl = unique('tl');
    await registerBasics(swf, domain, { taskList: tl });

    const dd = await swfCall(endpoint, 'DescribeDomain', { name: domain });
    expect(dd.text).not.toContain('null');
    expect(Object.keys(dd.json.domainInfo).sort()).toEqual(['arn', 'name', 'status']);

    const exec = await start(domain);
    const de = await swfCall(endpoint, 'DescribeWorkflowExecution', { domain, execution: exec });
    expect(de.text).not.toContain('null');
    expect(Object.keys(de.json.executionInfo).sort()).toEqual(['cancelRequested', 'execution', 'executionStatus', 'startTimestamp', 'workflowType']);
    expect(de.json.executionInfo.executionStatus).toBe('OPEN');
    expect(de.json).not.toHaveProperty('latestActivityTaskTimestamp');
    expect(de.json).not.toHaveProperty('latestExecutionContext');
    expect(Object.keys(de.json.executionConfiguration).sort()).toEqual(['childPolicy', 'executionStartToCloseTimeout', 'taskList', 'taskStartToCloseTimeout']);

    // A decision without input/control, an activity task without input.
    const d = await swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: tl } });
    expect(d.text).not.toContain('null');
    await swfCall(endpoint, 'RespondDecisionTaskCompleted', {
      taskToken: d.json.taskToken,
      decisions: [{ decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'a1' } }],
    });
    const a = await swfCall(endpoint, 'PollForActivityTask', { domain, taskList: { name: tl } });
    expect(a.status).toBe(200);
    expect(a.text).not.toContain('null');
    expect(Object.keys(a.json).sort()).toEqual(['activityId', 'activityType', 'startedEventId', 'taskToken', 'workflowExecution']);

    const h = await swfCall(endpoint, 'GetWorkflowExecutionHistory', { domain, execution: exec });
    expect(h.text).not.toContain('null');
    expect(h.json).not.toHaveProperty('nextPageToken');
    for (const e of h.json.events) {
      const attrs = e.eventType.charAt(0).toLowerCase() + e.eventType.slice(1) + 'EventAttributes';
      expect(Object.keys(e).sort()).toEqual([attrs, 'eventId', 'eventTimestamp', 'eventType'].sort());
    }
    const started = h.json.events[0].workflowExecutionStartedEventAttributes;
    expect(started).not.toHaveProperty('input');
    expect(started).not.toHaveProperty('tagList');
    expect(started).not.toHaveProperty('parentWorkflowExecution');
  });
});

describe('empty polls', () => {
  test('decision and activity polls that find nothing answer with zeros and no token (the default)', async () => {
    // The default is emptyPollTaskToken: 'omit'; a short hold keeps the test quick.
    const fast = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 50 });
    try {
      await swfCall(fast.endpoint, 'RegisterDomain', { name: 'd', workflowExecutionRetentionPeriodInDays: '1' });
      const d = await swfCall(fast.endpoint, 'PollForDecisionTask', { domain: 'd', taskList: { name: 'nobody-here' } });
      expect(d.status).toBe(200);
      expectSwfHeaders(d);
      expect(d.json).toEqual({ startedEventId: 0, previousStartedEventId: 0 });
      expect(d.text).not.toContain('taskToken');
      const a = await swfCall(fast.endpoint, 'PollForActivityTask', { domain: 'd', taskList: { name: 'nobody-here' } });
      expect(a.status).toBe(200);
      expectSwfHeaders(a);
      expect(a.json).toEqual({ startedEventId: 0 });
      expect(a.text).not.toContain('taskToken');
    } finally {
      await fast.close();
    }
  });

  test("with emptyPollTaskToken: 'empty' the token is an empty string", async () => {
    const empty = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 50, emptyPollTaskToken: 'empty' });
    try {
      await swfCall(empty.endpoint, 'RegisterDomain', { name: 'd', workflowExecutionRetentionPeriodInDays: '1' });
      const d = await swfCall(empty.endpoint, 'PollForDecisionTask', { domain: 'd', taskList: { name: 'tl' } });
      expect(d.status).toBe(200);
      expect(d.json).toEqual({ startedEventId: 0, previousStartedEventId: 0, taskToken: '' });
      const a = await swfCall(empty.endpoint, 'PollForActivityTask', { domain: 'd', taskList: { name: 'tl' } });
      expect(a.json).toEqual({ startedEventId: 0, taskToken: '' });
    } finally {
      await empty.close();
    }
  });
});

describe('requests', () => {
  test('POST on any path is dispatched by X-Amz-Target', async () => {
    for (const path of ['/', '/some/base/path/', '/swf?x=1', '//double']) {
      const r = await rawCall(endpoint, { op: 'ListDomains', body: { registrationStatus: 'REGISTERED' }, path });
      expect([path, r.status]).toEqual([path, 200]);
      expect(Array.isArray(r.json.domainInfos)).toBe(true);
    }
  });

  test('header names are case-insensitive: lowercase (JS SDK) and uppercase', async () => {
    const body = JSON.stringify({ registrationStatus: 'REGISTERED' });
    const variants: Record<string, string>[] = [
      { 'content-type': AMZ_JSON, 'x-amz-target': 'SimpleWorkflowService.ListDomains' },
      { 'CONTENT-TYPE': AMZ_JSON, 'X-AMZ-TARGET': 'SimpleWorkflowService.ListDomains' },
      { 'Content-Type': AMZ_JSON, 'X-Amz-Target': 'SimpleWorkflowService.ListDomains' },
    ];
    for (const headers of variants) {
      const r = await nodeHttpCall(endpoint, { headers, chunks: [body] });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toHaveProperty('domainInfos');
    }
  });

  test('a body sent with chunked transfer encoding is read', async () => {
    const r = await nodeHttpCall(endpoint, {
      headers: { 'content-type': AMZ_JSON, 'x-amz-target': 'SimpleWorkflowService.ListDomains', 'transfer-encoding': 'chunked' },
      chunks: ['{"registrationStatus":', '"REGISTERED"}'],
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toHaveProperty('domainInfos');
  });

  test('timestamps sent as integers, fractions and numeric strings are all accepted', async () => {
    const domain = unique('tsin');
    await registerBasics(swf, domain, { taskList: unique('tl') });
    await start(domain, 'ts-wf');
    const oldest = Math.floor(Date.now() / 1000) - 60;
    for (const oldestDate of [oldest, oldest + 0.123, String(oldest), `${oldest}.5`]) {
      const r = await swfCall(endpoint, 'CountOpenWorkflowExecutions', { domain, startTimeFilter: { oldestDate } });
      expect([oldestDate, r.status, r.json]).toEqual([oldestDate, 200, { count: 1, truncated: false }]);
    }
  });
});

describe('regions', () => {
  test('each SigV4 region has its own domains; the ARN names region and account', async () => {
    const east = swfClient(endpoint, 'us-east-1');
    const west = swfClient(endpoint, 'eu-west-1');
    try {
      const name = unique('regional');
      await east.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1', description: 'east' });
      await expect(west.describeDomain({ name })).rejects.toMatchObject({ name: 'UnknownResourceFault', message: `Unknown domain: ${name}` });

      // The same name is free in the other region.
      await west.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '2', description: 'west' });
      const e = await east.describeDomain({ name });
      const w = await west.describeDomain({ name });
      expect(e.domainInfo).toEqual({ name, status: 'REGISTERED', description: 'east', arn: `arn:aws:swf:us-east-1:${ACCOUNT}:/domain/${name}` });
      expect(w.domainInfo).toEqual({ name, status: 'REGISTERED', description: 'west', arn: `arn:aws:swf:eu-west-1:${ACCOUNT}:/domain/${name}` });
      expect(e.configuration).toEqual({ workflowExecutionRetentionPeriodInDays: '1' });
      expect(w.configuration).toEqual({ workflowExecutionRetentionPeriodInDays: '2' });

      // Deprecating in one region leaves the other alone.
      await west.deprecateDomain({ name });
      expect((await east.describeDomain({ name })).domainInfo?.status).toBe('REGISTERED');
      expect((await west.describeDomain({ name })).domainInfo?.status).toBe('DEPRECATED');

      const westOnly = unique('west-only');
      await west.registerDomain({ name: westOnly, workflowExecutionRetentionPeriodInDays: '1' });
      const eastNames = (await east.listDomains({ registrationStatus: 'REGISTERED' })).domainInfos!.map((d) => d.name);
      const westNames = (await west.listDomains({ registrationStatus: 'REGISTERED' })).domainInfos!.map((d) => d.name);
      expect(eastNames).toContain(name);
      expect(eastNames).not.toContain(westOnly);
      expect(westNames).toEqual([westOnly]);

      // Raw calls: the credential scope picks the region; no Authorization means the default region.
      expect((await swfCall(endpoint, 'DescribeDomain', { name: westOnly }, 'eu-west-1')).status).toBe(200);
      const unsigned = await swfCall(endpoint, 'DescribeDomain', { name: westOnly });
      expect(unsigned.status).toBe(400);
      expect(unsigned.json.__type).toBe('com.amazonaws.swf.base.model#UnknownResourceFault');
      expect((await swfCall(endpoint, 'DescribeDomain', { name })).json.domainInfo.description).toBe('east');
    } finally {
      east.destroy();
      west.destroy();
    }
  });
});

describe('long polling', () => {
  test(`an empty poll is held for pollTimeoutMs (${POLL_MS} ms)`, async () => {
    const domain = unique('hold');
    await registerBasics(swf, domain, { taskList: unique('tl') });
    const [d, a] = await Promise.all([
      swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: 'idle' } }),
      swfCall(endpoint, 'PollForActivityTask', { domain, taskList: { name: 'idle' } }),
    ]);
    for (const r of [d, a]) {
      expect(r.status).toBe(200);
      expect(r.ms).toBeGreaterThanOrEqual(POLL_MS - 100);
      expect(r.ms).toBeLessThan(POLL_MS + 1500);
    }
    expect(d.json).toEqual({ startedEventId: 0, previousStartedEventId: 0 });
    expect(a.json).toEqual({ startedEventId: 0 });
  });

  test('a decision task scheduled while a poller waits is handed to it at once', async () => {
    const domain = unique('handoff');
    const tl = unique('tl');
    await registerBasics(swf, domain, { taskList: tl });
    const poll = swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: tl }, identity: 'waiting-decider' });
    await sleep(300);
    const t0 = Date.now();
    const exec = await start(domain);
    const r = await poll;
    const lag = Date.now() - t0;
    expect(lag).toBeLessThan(500);
    expect(r.status).toBe(200);
    expect(r.json.startedEventId).toBe(3);
    expect(r.json.previousStartedEventId).toBe(0);
    expect(r.json.workflowExecution).toEqual(exec);
    expect(r.json.events.map((e: any) => e.eventType)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect(r.json.events[2].decisionTaskStartedEventAttributes).toEqual({ scheduledEventId: 2, identity: 'waiting-decider' });

    // And an activity scheduled by a decision goes straight to a waiting worker.
    const work = swfCall(endpoint, 'PollForActivityTask', { domain, taskList: { name: tl } });
    await sleep(300);
    const t1 = Date.now();
    const done = await swfCall(endpoint, 'RespondDecisionTaskCompleted', {
      taskToken: r.json.taskToken,
      decisions: [
        {
          decisionType: 'ScheduleActivityTask',
          scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'act-1', input: 'in' },
        },
      ],
    });
    expect(done.status).toBe(200);
    const w = await work;
    expect(Date.now() - t1).toBeLessThan(500);
    expect(w.json).toMatchObject({ activityId: 'act-1', input: 'in', startedEventId: 6, workflowExecution: exec });
  });

  test('one task, two waiting pollers: exactly one gets it', async () => {
    const domain = unique('once');
    const tl = unique('tl');
    await registerBasics(swf, domain, { taskList: tl });
    const polls = [1, 2].map((i) => swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: tl }, identity: `p${i}` }));
    await sleep(200);
    const exec = await start(domain);
    const answers = await Promise.all(polls);
    const got = answers.filter((a) => a.json.taskToken !== undefined);
    expect(got).toHaveLength(1);
    expect(answers.filter((a) => a.json.taskToken === undefined).map((a) => a.json)).toEqual([{ startedEventId: 0, previousStartedEventId: 0 }]);
    // The oldest waiter wins.
    expect(got[0]!.json.events[2].decisionTaskStartedEventAttributes.identity).toBe('p1');
    const h = await swf.getWorkflowExecutionHistory({ domain, execution: exec });
    expect(h.events!.filter((e) => e.eventType === 'DecisionTaskStarted')).toHaveLength(1);
  });

  /** A decision poll that the test aborts; resolves with 'answered' or the error's name. */
  function abortablePoll(domain: string, tl: string, identity: string, controller: AbortController): Promise<string> {
    return rawCall(endpoint, { op: 'PollForDecisionTask', body: { domain, taskList: { name: tl }, identity }, signal: controller.signal }).then(
      () => 'answered',
      (e: Error) => e.name,
    );
  }

  test('a poller that disconnects is not handed the task', async () => {
    const domain = unique('abort');
    const tl = unique('tl');
    await registerBasics(swf, domain, { taskList: tl });

    const controller = new AbortController();
    const aborted = abortablePoll(domain, tl, 'gone', controller);
    await sleep(200);
    controller.abort();
    expect(await aborted).toBe('AbortError');
    await sleep(200); // let the server see the closed connection (the hold is still running)

    const exec = await start(domain);
    const pending = await swfCall(endpoint, 'CountPendingDecisionTasks', { domain, taskList: { name: tl } });
    expect(pending.json).toEqual({ count: 1, truncated: false });

    const r = await swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: tl }, identity: 'alive' });
    expect(r.json.workflowExecution).toEqual(exec);
    expect(r.json.startedEventId).toBe(3);
    expect(r.json.events[2].decisionTaskStartedEventAttributes).toEqual({ scheduledEventId: 2, identity: 'alive' });
    expect((await swfCall(endpoint, 'CountPendingDecisionTasks', { domain, taskList: { name: tl } })).json).toEqual({ count: 0, truncated: false });

    const h = await swf.getWorkflowExecutionHistory({ domain, execution: exec });
    expect(h.events!.map((e) => e.eventType)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect(h.events!.filter((e) => e.eventType === 'DecisionTaskStarted')).toHaveLength(1);
  });

  test('a disconnected oldest waiter is skipped in favour of a live one', async () => {
    const domain = unique('skip');
    const tl = unique('tl');
    await registerBasics(swf, domain, { taskList: tl });

    const controller = new AbortController();
    const aborted = abortablePoll(domain, tl, 'gone', controller);
    await sleep(100);
    const live = swfCall(endpoint, 'PollForDecisionTask', { domain, taskList: { name: tl }, identity: 'live' });
    await sleep(100);
    controller.abort();
    expect(await aborted).toBe('AbortError');
    await sleep(200);

    const t0 = Date.now();
    const exec = await start(domain);
    const r = await live;
    expect(Date.now() - t0).toBeLessThan(500);
    expect(r.json.workflowExecution).toEqual(exec);
    expect(r.json.events[2].decisionTaskStartedEventAttributes).toEqual({ scheduledEventId: 2, identity: 'live' });
    const h = await swf.getWorkflowExecutionHistory({ domain, execution: exec });
    expect(h.events!.filter((e) => e.eventType === 'DecisionTaskStarted')).toHaveLength(1);
  });
});
