/**
 * swf-local's web console over real HTTP: the page and its files, the console JSON endpoints
 * (config, task lists with the pollers seen), plugins, what stays as it was (POST dispatch, 405
 * elsewhere), and the SWF API exactly as the page calls it - with the page's own modules
 * (static/swf.js, static/model.js): listing with SWF's filters and paging, describe, history
 * paging and incremental refresh, signal, cancel, terminate, re-run and the history export
 * (compared with what `aws swf get-workflow-execution-history` prints).
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { AwsCli, findAwsCli } from '../helpers/aws-cli';
import { registerBasics, startTestEngine, swfClient, unique, type TestEngine } from '../helpers/engine';
import { loadBrowserModule } from '../unit/console/browser-module';
import { MODEL_JS, ROOT, VIDEO_PLUGIN_JS } from '../unit/console/fixtures';

const model = loadBrowserModule(MODEL_JS);
const page = loadBrowserModule(join(ROOT, 'lib', 'engine', 'console', 'static', 'swf.js'));

/** A GET with the exact path given (fetch would normalize `..`). */
function rawGet(endpoint: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(url: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url);
  return { status: res.status, json: await res.json() };
}

describe('console endpoints over HTTP', () => {
  let t: TestEngine;
  let endpoint: string;
  let apiUrl: string | undefined;
  const D = unique('console-d');

  beforeAll(async () => {
    t = await startTestEngine({
      console: { plugins: [{ workflowType: { name: 'Flow', version: '1' }, scriptFile: VIDEO_PLUGIN_JS, assets: { 'model.js': MODEL_JS }, config: () => ({ apiUrl }) }] },
    });
    endpoint = t.engine.endpoint;
    await registerBasics(t.swf, D, { taskList: 'deciders' });
  });
  afterAll(() => t?.close());

  it('says where the console is', () => {
    expect(t.engine.consoleUrl).toBe(`${endpoint}/console/`);
  });

  it('serves the page: /console redirects to /console/, which loads ES modules from the same folder', async () => {
    const redirect = await fetch(`${endpoint}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    const res = await fetch(`${endpoint}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="app.js"></script>');
    // No network beyond this engine: no absolute URLs in the page or its modules.
    for (const file of ['', 'app.js', 'execution.js', 'model.js', 'plugins.js', 'swf.js', 'timeline.js', 'ui.js', 'vtable.js', 'console.css']) {
      const r = await fetch(`${endpoint}/console/${file}`);
      expect(r.status).toBe(200);
      expect(await r.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    }
    const js = await fetch(`${endpoint}/console/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves nothing outside its files', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2f..%2fpackage.json', '/console/index.ts', '/console/static/app.js', '/console/plugins/0/..%2f..%2findex.ts', '/console/plugins/7.js']) {
      const r = await rawGet(endpoint, path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.text).not.toContain('"name": "swf-video-pipeline"');
    }
  });

  it('keeps the SWF protocol as it was: POST on any path dispatches, other methods elsewhere get 405', async () => {
    const post = await fetch(`${endpoint}/console/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'SimpleWorkflowService.ListDomains' },
      body: JSON.stringify({ registrationStatus: 'REGISTERED' }),
    });
    expect(post.status).toBe(200);
    expect(((await post.json()) as any).domainInfos.map((d: any) => d.name)).toContain(D);
    const get = await getJson(`${endpoint}/`);
    expect(get).toEqual({ status: 405, json: expect.objectContaining({ __type: expect.stringContaining('UnknownOperationException'), message: 'Method GET is not supported; use POST' }) });
    const put = await fetch(`${endpoint}/console/`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
  });

  it('GET /console/api/config names the plugins and evaluates their config per request', async () => {
    const first = await getJson(`${endpoint}/console/api/config`);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ region: 'us-east-1', regions: ['us-east-1'], auth: 'none', pollTimeoutSeconds: 2 });
    expect(Math.abs(first.json.now - Date.now() / 1000)).toBeLessThan(5);
    expect(first.json.plugins).toEqual([{ id: 0, workflowType: { name: 'Flow', version: '1' }, script: '/console/plugins/0/video-plugin.js', assetsBase: '/console/plugins/0/', assets: ['model.js'], config: {} }]);
    apiUrl = 'http://127.0.0.1:1234';
    expect((await getJson(`${endpoint}/console/api/config`)).json.plugins[0].config).toEqual({ apiUrl });
    const script = await fetch(`${endpoint}${first.json.plugins[0].script}`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('registerPlugin');
    expect((await fetch(`${endpoint}/console/plugins/0.js`)).status).toBe(200);
    expect((await fetch(`${endpoint}/console/plugins/0/model.js`)).status).toBe(200);
    const head = await fetch(`${endpoint}/console/plugins/0.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });

  it('GET /console/api/task-lists shows pollers as they poll: waiting now, then last seen', async () => {
    const abort = new AbortController();
    const poll = t.swf.pollForDecisionTask({ domain: D, taskList: { name: 'deciders' }, identity: 'decider-A' }, { abortSignal: abort.signal }).catch(() => undefined);
    // The long poll waits (nothing to do); the console sees it waiting.
    let answer: any;
    for (let i = 0; i < 50; i++) {
      answer = (await getJson(`${endpoint}/console/api/task-lists?domain=${D}`)).json;
      if (answer.taskLists.find((l: any) => l.name === 'deciders')?.waitingPolls === 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const deciders = answer.taskLists.find((l: any) => l.kind === 'decision' && l.name === 'deciders');
    expect(deciders).toMatchObject({ sources: ['typeDefault', 'pollers'], waitingPolls: 1, pollers: [{ identity: 'decider-A', polls: 1, waiting: 1 }] });
    expect(Math.abs(deciders.pollers[0].lastPollTimestamp - answer.now)).toBeLessThan(3);
    // The same list name for activities is another list.
    expect(answer.taskLists.find((l: any) => l.kind === 'activity' && l.name === 'deciders')).toMatchObject({ sources: ['typeDefault'], pollers: [] });

    abort.abort(); // the client goes away; the engine drops the poll
    await poll;
    let after: any;
    for (let i = 0; i < 50; i++) {
      after = (await getJson(`${endpoint}/console/api/task-lists?domain=${D}`)).json;
      if (after.taskLists.find((l: any) => l.kind === 'decision' && l.name === 'deciders').waitingPolls === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(after.taskLists.find((l: any) => l.kind === 'decision' && l.name === 'deciders')).toMatchObject({ waitingPolls: 0, pollers: [{ identity: 'decider-A', polls: 1, waiting: 0 }] });

    // Polls without identity and on lists no type names; tasks queued on an overridden list.
    const gone = new AbortController();
    const gpuPoll = t.swf.pollForActivityTask({ domain: D, taskList: { name: 'gpu' } }, { abortSignal: gone.signal }).catch(() => undefined);
    setTimeout(() => gone.abort(), 100);
    await gpuPoll;
    await t.swf.startWorkflowExecution({ domain: D, workflowId: unique('w'), workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'elsewhere' } });
    const lists = (await getJson(`${endpoint}/console/api/task-lists?domain=${D}`)).json.taskLists;
    expect(lists.map((l: any) => `${l.kind}:${l.name}:${l.sources.join('+')}`)).toEqual([
      'decision:deciders:typeDefault+pollers',
      'decision:elsewhere:tasks',
      'activity:deciders:typeDefault',
      'activity:gpu:pollers',
    ]);
    expect(lists.find((l: any) => l.name === 'gpu').pollers[0].identity).toBe('');
    // The page's pending counts come from SWF.
    const call = page.createSwf({ region: 'us-east-1', defaultRegion: 'us-east-1', endpoint: `${endpoint}/` });
    expect(await call('CountPendingDecisionTasks', { domain: D, taskList: { name: 'elsewhere' } })).toEqual({ count: 1, truncated: false });
  });

  it('task-lists: faults for a missing or unknown domain, and other regions by parameter', async () => {
    expect(await getJson(`${endpoint}/console/api/task-lists`)).toMatchObject({ status: 400, json: { message: 'Query parameter domain is required' } });
    expect(await getJson(`${endpoint}/console/api/task-lists?domain=nope`)).toMatchObject({ status: 404, json: { message: 'Unknown domain: nope' } });
    const eu = swfClient(endpoint, 'eu-west-1');
    const EU = unique('eu');
    await eu.registerDomain({ name: EU, workflowExecutionRetentionPeriodInDays: '1' });
    eu.destroy();
    expect((await getJson(`${endpoint}/console/api/config`)).json.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect((await getJson(`${endpoint}/console/api/task-lists?domain=${EU}`)).status).toBe(404);
    expect(await getJson(`${endpoint}/console/api/task-lists?domain=${EU}&region=eu-west-1`)).toMatchObject({ status: 200, json: { region: 'eu-west-1', taskLists: [] } });
    // The page reaches that region's SWF state through the credential scope, as SWF reads it.
    const euCall = page.createSwf({ region: 'eu-west-1', defaultRegion: 'us-east-1', endpoint: `${endpoint}/` });
    expect((await euCall('ListDomains', { registrationStatus: 'REGISTERED' })).domainInfos.map((d: any) => d.name)).toEqual([EU]);
  });
});

describe('console options on a running engine', () => {
  it('console: false serves no console', async () => {
    const engine = await startEngine({ port: 0, console: false });
    try {
      expect(engine.consoleUrl).toBeUndefined();
      const r = await getJson(`${engine.endpoint}/console/`);
      expect(r).toMatchObject({ status: 405, json: { message: 'Method GET is not supported; use POST' } });
    } finally {
      await engine.close();
    }
  });

  it('a plugin that cannot be served stops start-up with a clear message', async () => {
    await expect(startEngine({ port: 0, console: { plugins: [{ workflowType: 'X', scriptFile: join(ROOT, 'nope.js') }] } })).rejects.toThrow(/console plugin 0: scriptFile not found/);
  });

  it('with --auth sigv4 the page is served but the data endpoint refuses', async () => {
    let engine: RunningEngine | undefined;
    try {
      engine = await startEngine({ port: 0, credentials: { AKIDLOCAL: 'local-secret' } });
      expect((await fetch(`${engine.endpoint}/console/`)).status).toBe(200);
      expect((await getJson(`${engine.endpoint}/console/api/config`)).json.auth).toBe('sigv4');
      expect((await getJson(`${engine.endpoint}/console/api/task-lists?domain=x`)).status).toBe(403);
    } finally {
      await engine?.close();
    }
  });
});

describe('the SWF API as the console calls it', () => {
  let t: TestEngine;
  let swf: SWF;
  let call: (op: string, input: object) => Promise<any>;
  const D = unique('console-api');
  const TYPE = { name: 'Flow', version: '1' };

  /** Completes or fails the run at the head of the decision queue. */
  async function decide(result: 'complete' | 'fail'): Promise<void> {
    const task = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'deciders' }, identity: 'test-decider' });
    const decisions =
      result === 'complete'
        ? [{ decisionType: 'CompleteWorkflowExecution' as const, completeWorkflowExecutionDecisionAttributes: { result: 'done' } }]
        : [{ decisionType: 'FailWorkflowExecution' as const, failWorkflowExecutionDecisionAttributes: { reason: 'bad', details: 'very' } }];
    await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken!, decisions });
  }

  beforeAll(async () => {
    t = await startTestEngine();
    swf = t.swf;
    call = page.createSwf({ region: 'us-east-1', defaultRegion: 'us-east-1', endpoint: `${t.engine.endpoint}/` });
    await registerBasics(swf, D, { taskList: 'deciders' });
    await swf.registerWorkflowType({ domain: D, name: 'Other', version: '2', defaultTaskList: { name: 'deciders' }, defaultExecutionStartToCloseTimeout: '3600', defaultTaskStartToCloseTimeout: '300', defaultChildPolicy: 'TERMINATE' });
    // w0..w6: w0 completes, w1 fails, w2 is another type, the rest stay open.
    for (let i = 0; i < 7; i++) {
      await call('StartWorkflowExecution', { domain: D, workflowId: `w${i}`, workflowType: i === 2 ? { name: 'Other', version: '2' } : TYPE, input: `{"n":${i}}`, tagList: i % 2 === 0 ? ['even'] : ['odd'] });
      if (i === 0) await decide('complete');
      if (i === 1) await decide('fail');
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  afterAll(() => t?.close());

  const ids = (page: any) => page.executionInfos.map((x: any) => x.execution.workflowId);

  it('lists open executions newest first, paged with nextPageToken, and counts them', async () => {
    const base = model.listInput(D, { status: 'open' }, { pageSize: 2 });
    const p1 = await call('ListOpenWorkflowExecutions', base);
    expect(ids(p1)).toEqual(['w6', 'w5']);
    const p2 = await call('ListOpenWorkflowExecutions', model.listInput(D, { status: 'open' }, { pageSize: 2, nextPageToken: p1.nextPageToken }));
    expect(ids(p2)).toEqual(['w4', 'w3']);
    const p3 = await call('ListOpenWorkflowExecutions', { ...base, nextPageToken: p2.nextPageToken });
    expect(ids(p3)).toEqual(['w2']);
    expect(p3.nextPageToken).toBeUndefined();
    expect(await call('CountOpenWorkflowExecutions', model.countInput(base))).toEqual({ count: 5, truncated: false });
  });

  it('filters the way SWF does: one of workflow id, type, tag or close status, in a time range', async () => {
    expect(ids(await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'type', value: 'Other:2' })))).toEqual(['w2']);
    expect(ids(await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'type', value: 'Flow' })))).toEqual(['w6', 'w5', 'w4', 'w3']);
    expect(ids(await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'tag', value: 'even' })))).toEqual(['w6', 'w4', 'w2']);
    expect(ids(await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'workflowId', value: 'w3' })))).toEqual(['w3']);
    expect(ids(await call('ListClosedWorkflowExecutions', model.listInput(D, { status: 'closed', by: 'closeStatus', value: 'FAILED' })))).toEqual(['w1']);
    expect(ids(await call('ListClosedWorkflowExecutions', model.listInput(D, { status: 'closed', timeField: 'close' })))).toEqual(['w1', 'w0']);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(ids(await call('ListClosedWorkflowExecutions', model.listInput(D, { status: 'closed', from: String(future) })))).toEqual([]);
    expect(await call('CountClosedWorkflowExecutions', model.countInput(model.listInput(D, { status: 'closed', by: 'closeStatus', value: 'COMPLETED' })))).toEqual({ count: 1, truncated: false });
    // SWF's own refusal reaches the page as a typed error.
    await expect(call('ListOpenWorkflowExecutions', { domain: D, startTimeFilter: { oldestDate: 0 }, tagFilter: { tag: 'x' }, executionFilter: { workflowId: 'w' } })).rejects.toMatchObject({ type: 'ValidationException', status: 400 });
  });

  it('describes a run and reads its history in pages, then only what is new', async () => {
    const execution = (await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'workflowId', value: 'w3' }))).executionInfos[0].execution;
    const describe = await call('DescribeWorkflowExecution', { domain: D, execution });
    expect(describe.executionInfo).toMatchObject({ execution, workflowType: TYPE, executionStatus: 'OPEN', tagList: ['odd'] });
    expect(describe.executionConfiguration.taskList).toEqual({ name: 'deciders' });

    const events = await model.fullHistory(call, D, execution);
    expect(events[0]).toMatchObject({ eventId: 1, eventType: 'WorkflowExecutionStarted' });
    expect(typeof events[0].eventTimestamp).toBe('number');

    // Signal it: the incremental read returns exactly the new events.
    await call('SignalWorkflowExecution', { domain: D, workflowId: execution.workflowId, runId: execution.runId, signalName: 'poke', input: 'hello' });
    await call('RequestCancelWorkflowExecution', { domain: D, workflowId: execution.workflowId, runId: execution.runId });
    const fresh = await model.historySince(call, D, execution, events[events.length - 1].eventId);
    expect(fresh.map((e: any) => e.eventId)).toEqual(fresh.map((_: unknown, i: number) => events.length + 1 + i));
    expect(fresh.map((e: any) => e.eventType)).toEqual(expect.arrayContaining(['WorkflowExecutionSignaled', 'WorkflowExecutionCancelRequested']));
    const merged = model.mergeEvents(events, fresh);
    expect(merged).toEqual(await model.fullHistory(call, D, execution));
    expect(await model.historySince(call, D, execution, merged[merged.length - 1].eventId)).toEqual([]);

    const derived = model.deriveExecution(merged, Date.now() / 1000);
    expect(derived.signals).toEqual([expect.objectContaining({ name: 'poke', input: 'hello' })]);
    expect(derived.cancelRequests).toHaveLength(1);
    expect((await call('DescribeWorkflowExecution', { domain: D, execution })).executionInfo.cancelRequested).toBe(true);
  });

  it('pages a 2,500-event history forward, and refreshes it newest-first', async () => {
    const { runId } = await call('StartWorkflowExecution', { domain: D, workflowId: 'long', workflowType: TYPE, taskList: { name: 'long-list' } });
    const execution = { workflowId: 'long', runId };
    // 500 markers per decision, 5 decisions (a signal asks for each next one).
    for (let round = 0; round < 5; round++) {
      if (round > 0) await call('SignalWorkflowExecution', { domain: D, workflowId: 'long', signalName: `round${round}` });
      const task = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'long-list' } });
      await swf.respondDecisionTaskCompleted({
        taskToken: task.taskToken!,
        decisions: Array.from({ length: 500 }, (_, i) => ({ decisionType: 'RecordMarker' as const, recordMarkerDecisionAttributes: { markerName: `m${round}-${i}` } })),
      });
    }
    const events = await model.fullHistory(call, D, execution);
    expect(events.length).toBeGreaterThanOrEqual(2500);
    expect(events.map((e: any) => e.eventId)).toEqual(events.map((_: unknown, i: number) => i + 1));
    await call('SignalWorkflowExecution', { domain: D, workflowId: 'long', signalName: 'last' });
    const fresh = await model.historySince(call, D, execution, events.length);
    expect(fresh.map((e: any) => `${e.eventId} ${e.eventType}`)).toEqual([`${events.length + 1} WorkflowExecutionSignaled`, `${events.length + 2} DecisionTaskScheduled`]);
    expect(fresh[0].workflowExecutionSignaledEventAttributes.signalName).toBe('last');
    const timeline = model.timelineModel(model.deriveExecution(events, Date.now() / 1000), Date.now() / 1000);
    expect(timeline.points.filter((p: any) => p.kind === 'marker')).toHaveLength(2500);
    expect(timeline.rows[0]).toMatchObject({ label: 'decision tasks' });
    expect(timeline.rows[0].bars).toHaveLength(5);
  });

  it('terminates an open run, then re-runs it under the same id with the same input', async () => {
    const execution = (await call('ListOpenWorkflowExecutions', model.listInput(D, { by: 'workflowId', value: 'w5' }))).executionInfos[0].execution;
    await call('TerminateWorkflowExecution', { domain: D, workflowId: 'w5', runId: execution.runId, reason: 'from the console' });
    const describe = await call('DescribeWorkflowExecution', { domain: D, execution });
    expect(describe.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'TERMINATED' });
    const events = await model.fullHistory(call, D, execution);
    const derived = model.deriveExecution(events, 0);
    expect(derived.close).toMatchObject({ status: 'TERMINATED', reason: 'from the console' });

    const input = model.rerunInput(D, describe, derived.started, 'w5');
    const { runId } = await call('StartWorkflowExecution', input);
    expect(runId).not.toBe(execution.runId);
    const again = await call('DescribeWorkflowExecution', { domain: D, execution: { workflowId: 'w5', runId } });
    expect(again.executionInfo).toMatchObject({ executionStatus: 'OPEN', workflowType: TYPE, tagList: ['odd'] });
    expect(again.executionConfiguration).toEqual(describe.executionConfiguration);
    const started = (await model.fullHistory(call, D, { workflowId: 'w5', runId }))[0].workflowExecutionStartedEventAttributes;
    expect(started.input).toBe('{"n":5}');
    // The same id while that run is open: SWF refuses, and the page says so.
    await expect(call('StartWorkflowExecution', input)).rejects.toMatchObject({ type: 'WorkflowExecutionAlreadyStartedFault' });
  });

  it('exports a history exactly as `aws swf get-workflow-execution-history` prints it', async () => {
    const aws = findAwsCli();
    expect(aws).toBeDefined(); // the README's test command needs the AWS CLI on PATH
    const cli = new AwsCli(aws!, t.engine.endpoint);
    try {
      const closed = (await call('ListClosedWorkflowExecutions', model.listInput(D, { status: 'closed', by: 'workflowId', value: 'w1' }))).executionInfos[0].execution;
      const events = await model.fullHistory(call, D, closed);
      const exported = JSON.parse(model.historyExport(events));
      const printed = await cli.ok('get-workflow-execution-history', '--domain', D, '--execution', `workflowId=${closed.workflowId},runId=${closed.runId}`);
      expect(Object.keys(exported)).toEqual(['events']);
      expect(exported).toEqual(printed);
      expect(exported.events.every((e: any) => typeof e.eventTimestamp === 'number')).toBe(true);
    } finally {
      cli.cleanup();
    }
  });
});
