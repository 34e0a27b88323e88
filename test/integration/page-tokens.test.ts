/**
 * Page tokens are opaque and tamper-evident: signed with the database's own key and bound to the
 * operation, the domain and the query. An edited, forged or foreign token gets 400
 * ValidationException "Invalid token" and never anyone's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { registerBasics, swfClient, unique } from '../helpers/engine';
import { swfCall, type RawAnswer } from '../helpers/raw-http';
import { startRun, type RunRef } from '../helpers/swf-flow';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';

let engine: RunningEngine;
let domainA: string;
let domainB: string;
let runA: RunRef;
let runB: RunRef;

/** Rewrites the position inside a token, keeping its signature: what an attacker can do. */
function tamper(token: string, change: (position: Record<string, unknown>) => void): string {
  const [body, mac] = token.split('.');
  const position = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(position);
  return `${Buffer.from(JSON.stringify(position), 'utf8').toString('base64url')}.${mac}`;
}

function expectRefused(r: RawAnswer): void {
  expect(r.status).toBe(400);
  expect(r.json).toEqual({ __type: VALIDATION, message: 'Invalid token' });
  expect(r.text).not.toContain('events');
}

const call = (op: string, body: unknown) => swfCall(engine.endpoint, op, body);

/** A decision poll on `domain` that returns one event per page. */
const pollPage = (domain: string, nextPageToken?: string) =>
  call('PollForDecisionTask', { domain, taskList: { name: 'default' }, maximumPageSize: 1, ...(nextPageToken ? { nextPageToken } : {}) });

beforeAll(async () => {
  engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 200 });
  const swf = swfClient(engine.endpoint);
  domainA = unique('tokens-a');
  domainB = unique('tokens-b');
  await registerBasics(swf, domainA);
  await registerBasics(swf, domainB);
  runA = await startRun(swf, domainA, { input: 'secret of A' });
  runB = await startRun(swf, domainB, { input: 'secret of B' });
  await startRun(swf, domainA);
  swf.destroy();
});

afterAll(async () => {
  await engine?.close();
});

describe('PollForDecisionTask history pages', () => {
  test('an edited execution id is refused, in the same domain and in another', async () => {
    const first = await pollPage(domainA);
    expect(first.status).toBe(200);
    const token = first.json.nextPageToken as string;
    expect(token).toEqual(expect.any(String));
    const forged = tamper(token, (p) => {
      p.e = Number(p.e) + 1;
    });
    expectRefused(await pollPage(domainA, forged));
    expectRefused(await pollPage(domainB, forged));
    // The untouched token still pages on.
    const second = await pollPage(domainA, token);
    expect(second.status).toBe(200);
    expect(second.json.events[0].eventId).toBe(2);
  });

  test("domain A's token is refused on domain B, and on another task list", async () => {
    const first = await pollPage(domainA);
    const token = first.json.nextPageToken as string;
    expectRefused(await pollPage(domainB, token));
    expectRefused(await call('PollForDecisionTask', { domain: domainA, taskList: { name: 'other' }, maximumPageSize: 1, nextPageToken: token }));
  });

  test('a token made up from scratch, or in the old unsigned form, is refused', async () => {
    const unsigned = Buffer.from(JSON.stringify({ e: 1, k: 'x', s: 3, p: 0, a: 1, b: 3, n: 2, z: 1 })).toString('base64url');
    expectRefused(await pollPage(domainB, unsigned));
    expectRefused(await pollPage(domainB, `${unsigned}.AAAAAAAAAAAAAAAAAAAAAA`));
    expectRefused(await pollPage(domainB, 'not a token at all'));
  });
});

describe('list and history tokens', () => {
  test("GetWorkflowExecutionHistory: a run's token is refused for another run and another domain", async () => {
    const page = await call('GetWorkflowExecutionHistory', { domain: domainA, execution: runA, maximumPageSize: 1 });
    const token = page.json.nextPageToken as string;
    expect(token).toEqual(expect.any(String));
    expectRefused(await call('GetWorkflowExecutionHistory', { domain: domainB, execution: runB, maximumPageSize: 1, nextPageToken: token }));
    expectRefused(await call('GetWorkflowExecutionHistory', { domain: domainA, execution: runA, maximumPageSize: 1, nextPageToken: tamper(token, (p) => (p.n = 1)) }));
    const next = await call('GetWorkflowExecutionHistory', { domain: domainA, execution: runA, maximumPageSize: 1, nextPageToken: token });
    expect(next.status).toBe(200);
  });

  test('ListOpenWorkflowExecutions: refused on another domain, with other filters, or edited', async () => {
    const query = { startTimeFilter: { oldestDate: 0 }, maximumPageSize: 1 };
    const page = await call('ListOpenWorkflowExecutions', { domain: domainA, ...query });
    const token = page.json.nextPageToken as string;
    expect(token).toEqual(expect.any(String));
    expectRefused(await call('ListOpenWorkflowExecutions', { domain: domainB, ...query, nextPageToken: token }));
    expectRefused(await call('ListOpenWorkflowExecutions', { domain: domainA, ...query, reverseOrder: true, nextPageToken: token }));
    expectRefused(await call('ListClosedWorkflowExecutions', { domain: domainA, ...query, nextPageToken: token }));
    expectRefused(await call('ListOpenWorkflowExecutions', { domain: domainA, ...query, nextPageToken: tamper(token, (p) => (p.o = 0)) }));
    expect((await call('ListOpenWorkflowExecutions', { domain: domainA, ...query, nextPageToken: token })).status).toBe(200);
  });

  test('ListActivityTypes and ListDomains: tokens stay in their operation and domain', async () => {
    const swf = swfClient(engine.endpoint);
    await swf.registerActivityType({ domain: domainA, name: 'Second', version: '1' });
    swf.destroy();
    const types = await call('ListActivityTypes', { domain: domainA, registrationStatus: 'REGISTERED', maximumPageSize: 1 });
    const typeToken = types.json.nextPageToken as string;
    expectRefused(await call('ListActivityTypes', { domain: domainB, registrationStatus: 'REGISTERED', maximumPageSize: 1, nextPageToken: typeToken }));
    expectRefused(await call('ListWorkflowTypes', { domain: domainA, registrationStatus: 'REGISTERED', maximumPageSize: 1, nextPageToken: typeToken }));
    const domains = await call('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1 });
    const domainToken = domains.json.nextPageToken as string;
    expectRefused(await call('ListDomains', { registrationStatus: 'DEPRECATED', maximumPageSize: 1, nextPageToken: domainToken }));
    expect((await call('ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1, nextPageToken: domainToken })).status).toBe(200);
  });
});

describe('the signing key belongs to the database', () => {
  test('a token outlives a restart on the same file, and another database refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swf-tokens-'));
    const file = join(dir, 'swf.sqlite');
    let first: RunningEngine | undefined = await startEngine({ port: 0, db: file });
    let other: RunningEngine | undefined;
    try {
      const list = (e: RunningEngine, nextPageToken?: string) =>
        swfCall(e.endpoint, 'ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const name of ['one', 'two']) await swfCall(first.endpoint, 'RegisterDomain', { name, workflowExecutionRetentionPeriodInDays: '1' });
      const token = (await list(first)).json.nextPageToken as string;
      await first.close();
      first = await startEngine({ port: 0, db: file });
      const again = await list(first, token);
      expect(again.status).toBe(200);
      expect(again.json.domainInfos[0].name).toBe('two');

      other = await startEngine({ port: 0, db: ':memory:' });
      for (const name of ['one', 'two']) await swfCall(other.endpoint, 'RegisterDomain', { name, workflowExecutionRetentionPeriodInDays: '1' });
      expectRefused(await list(other, token));
    } finally {
      await first?.close();
      await other?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
