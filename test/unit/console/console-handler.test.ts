/**
 * The console's routes (lib/engine/console/index.ts) on an in-memory engine core, called with
 * stand-in requests: no socket. The same endpoints over real HTTP are in
 * test/integration/console.test.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createConsoleHandler, pluginDescriptors, type ConsoleOptions } from '../../../lib/engine/console';
import { DEFAULT_CONFIG } from '../../../lib/engine/config';
import { EngineCore } from '../../../lib/engine/core';
import { queueKey } from '../../../lib/engine/matching/task-matcher';
import { OPERATION_HANDLERS } from '../../../lib/engine/operations';
import { openDatabase } from '../../../lib/engine/store/database';
import { sequentialIds } from '../../../lib/engine/util/ids';
import { ROOT, VIDEO_PLUGIN_JS } from './fixtures';

const NOW = 1_700_000_000_000;

interface Answer {
  status: number;
  headers: Record<string, string | number>;
  body: string;
  json: any;
}

function call(handler: ReturnType<typeof createConsoleHandler>, method: string, url: string): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const answer: Answer = { status: 0, headers: {}, body: '', json: undefined };
    const req = { method, url, resume: () => undefined } as unknown as IncomingMessage;
    const res = {
      destroyed: false,
      writableEnded: false,
      writeHead(status: number, headers: Record<string, string | number>) {
        answer.status = status;
        answer.headers = headers;
        return res;
      },
      end(body?: string | Buffer) {
        res.writableEnded = true;
        answer.body = body === undefined ? '' : body.toString();
        try {
          answer.json = JSON.parse(answer.body);
        } catch {
          answer.json = undefined;
        }
        resolve(answer);
      },
    };
    if (!handler(req, res as unknown as ServerResponse)) resolve(undefined);
  });
}

function coreWith(config: Partial<typeof DEFAULT_CONFIG> = {}) {
  const clock = { t: NOW, now() { return this.t; } };
  const core = new EngineCore(openDatabase(':memory:').db, { ...DEFAULT_CONFIG, ...config }, clock, sequentialIds('u'));
  return { core, clock };
}

const ctx = (region = 'us-east-1') => ({ region, requestId: 'r', signal: new AbortController().signal });

async function register(core: EngineCore, region = 'us-east-1') {
  await OPERATION_HANDLERS.RegisterDomain!(core, ctx(region), { name: 'd', workflowExecutionRetentionPeriodInDays: '1' });
  await OPERATION_HANDLERS.RegisterWorkflowType!(core, ctx(region), { domain: 'd', name: 'Flow', version: '1', defaultTaskList: { name: 'deciders' } });
  await OPERATION_HANDLERS.RegisterActivityType!(core, ctx(region), { domain: 'd', name: 'Work', version: '1', defaultTaskList: { name: 'workers' } });
  await OPERATION_HANDLERS.RegisterActivityType!(core, ctx(region), { domain: 'd', name: 'Bare', version: '1' });
}

describe('console routes', () => {
  let core: EngineCore;
  let clock: { t: number; now(): number };
  let handler: ReturnType<typeof createConsoleHandler>;
  let apiUrl: string | undefined;

  beforeEach(async () => {
    ({ core, clock } = coreWith());
    apiUrl = undefined;
    const options: ConsoleOptions = { plugins: [{ workflowType: 'Flow', scriptFile: VIDEO_PLUGIN_JS, assets: { 'extra.js': join(ROOT, 'lib', 'engine', 'console', 'static', 'model.js') }, config: () => ({ apiUrl }) }] };
    handler = createConsoleHandler(core, options);
    await register(core);
  });

  afterEach(() => {
    core.stop();
    core.db.close();
  });

  it('leaves everything outside /console to the SWF server', async () => {
    expect(await call(handler, 'GET', '/')).toBeUndefined();
    expect(await call(handler, 'GET', '/consoles')).toBeUndefined();
    expect(await call(handler, 'GET', '/other/console/')).toBeUndefined();
  });

  it('redirects /console to /console/, keeping the query', async () => {
    const a = await call(handler, 'GET', '/console?x=1');
    expect(a).toMatchObject({ status: 301, headers: { Location: '/console/?x=1' } });
  });

  it('answers other methods than GET and HEAD with 405', async () => {
    const a = await call(handler, 'DELETE', '/console/api/config');
    expect(a).toMatchObject({ status: 405, headers: { Allow: 'GET, HEAD' }, json: { __type: 'MethodNotAllowed' } });
  });

  it('GET /console/api/config: region, auth, the engine clock and the plugins with their config', async () => {
    const a = await call(handler, 'GET', '/console/api/config');
    expect(a!.status).toBe(200);
    expect(a!.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(a!.json).toEqual({
      console: 1,
      region: 'us-east-1',
      regions: ['us-east-1'],
      accountId: DEFAULT_CONFIG.accountId,
      auth: 'none',
      pollTimeoutSeconds: 60,
      now: NOW / 1000,
      plugins: [{ id: 0, workflowType: { name: 'Flow' }, script: '/console/plugins/0/video-plugin.js', assetsBase: '/console/plugins/0/', assets: ['extra.js'], config: {} }],
    });
    // The config function is read per request.
    apiUrl = 'http://127.0.0.1:3000';
    expect((await call(handler, 'GET', '/console/api/config'))!.json.plugins[0].config).toEqual({ apiUrl: 'http://127.0.0.1:3000' });
  });

  it('lists the regions that have domains', async () => {
    await OPERATION_HANDLERS.RegisterDomain!(core, ctx('eu-west-1'), { name: 'other', workflowExecutionRetentionPeriodInDays: '1' });
    expect((await call(handler, 'GET', '/console/api/config'))!.json.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('GET /console/api/task-lists: type defaults, queued tasks and pollers', async () => {
    const domainId = core.registry.domain('us-east-1', 'd')!.id;
    core.matcher.pollers.record(queueKey(domainId, 'decision', 'deciders'), 'decider-1', NOW - 2000);
    core.matcher.pollers.record(queueKey(domainId, 'activity', 'gpu'), 'gpu-worker', NOW - 1000).waiting = 1;
    core.matcher.pollers.record(queueKey(domainId + 1, 'activity', 'elsewhere'), 'x', NOW);
    await OPERATION_HANDLERS.StartWorkflowExecution!(core, ctx(), { domain: 'd', workflowId: 'w', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'override' }, executionStartToCloseTimeout: '60', taskStartToCloseTimeout: '10', childPolicy: 'TERMINATE' });
    const a = await call(handler, 'GET', '/console/api/task-lists?domain=d');
    expect(a!.status).toBe(200);
    expect(a!.json).toEqual({
      domain: 'd',
      region: 'us-east-1',
      now: NOW / 1000,
      recentSeconds: 3600,
      taskLists: [
        { kind: 'decision', name: 'deciders', sources: ['typeDefault', 'pollers'], waitingPolls: 0, pollers: [{ identity: 'decider-1', lastPollTimestamp: (NOW - 2000) / 1000, polls: 1, waiting: 0 }] },
        { kind: 'decision', name: 'override', sources: ['tasks'], waitingPolls: 0, pollers: [] },
        { kind: 'activity', name: 'gpu', sources: ['pollers'], waitingPolls: 0, pollers: [{ identity: 'gpu-worker', lastPollTimestamp: (NOW - 1000) / 1000, polls: 1, waiting: 1 }] },
        { kind: 'activity', name: 'workers', sources: ['typeDefault'], waitingPolls: 0, pollers: [] },
      ],
    });
    // An hour later the pollers are no longer "recent".
    clock.t = NOW + 3_601_000;
    const later = await call(handler, 'GET', '/console/api/task-lists?domain=d');
    expect(later!.json.taskLists.map((l: any) => l.name)).toEqual(['deciders', 'override', 'gpu', 'workers']);
    expect(later!.json.taskLists.find((l: any) => l.name === 'gpu').pollers).toHaveLength(1); // still waiting
    expect(later!.json.taskLists.find((l: any) => l.name === 'deciders').pollers).toEqual([]);
  });

  it('task-lists: a region by query parameter, and faults like SWF', async () => {
    expect(await call(handler, 'GET', '/console/api/task-lists')).toMatchObject({ status: 400, json: { __type: expect.stringContaining('ValidationException'), message: 'Query parameter domain is required' } });
    expect(await call(handler, 'GET', '/console/api/task-lists?domain=nope')).toMatchObject({ status: 404, json: { __type: expect.stringContaining('UnknownResourceFault'), message: 'Unknown domain: nope' } });
    expect(await call(handler, 'GET', '/console/api/task-lists?domain=d&region=eu-west-1')).toMatchObject({ status: 404 });
    await register(core, 'eu-west-1');
    expect(await call(handler, 'GET', '/console/api/task-lists?domain=d&region=eu-west-1')).toMatchObject({ status: 200, json: { region: 'eu-west-1' } });
    expect(await call(handler, 'GET', '/console/api/nothing')).toMatchObject({ status: 404 });
  });

  it('HEAD answers headers without a body', async () => {
    const a = await call(handler, 'HEAD', '/console/api/config');
    expect(a!.status).toBe(200);
    expect(Number(a!.headers['Content-Length'])).toBeGreaterThan(10);
    expect(a!.body).toBe('');
  });

  it('serves the page and its modules, nothing else', async () => {
    const page = await call(handler, 'GET', '/console/');
    expect(page).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    expect(page!.body).toContain('<script type="module" src="app.js"></script>');
    for (const file of ['app.js', 'model.js', 'execution.js', 'timeline.js', 'vtable.js', 'plugins.js', 'swf.js', 'ui.js']) {
      expect(await call(handler, 'GET', `/console/${file}`)).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    }
    expect(await call(handler, 'GET', '/console/console.css')).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/css; charset=utf-8' } });
    for (const bad of ['/console/missing.js', '/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2f..%2fpackage.json', '/console/static/app.js', '/console/index.ts']) {
      expect((await call(handler, 'GET', bad))!.status).toBe(404);
    }
  });

  it('serves plugin scripts and declared assets only', async () => {
    const script = await call(handler, 'GET', '/console/plugins/0.js');
    expect(script).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    expect(script!.body).toContain('registerPlugin');
    expect((await call(handler, 'GET', '/console/plugins/0/video-plugin.js'))!.body).toBe(script!.body);
    expect((await call(handler, 'GET', '/console/plugins/0/extra.js'))!.body).toContain('export function deriveExecution');
    for (const bad of ['/console/plugins/1.js', '/console/plugins/0/other.js', '/console/plugins/0/..%2findex.ts', '/console/plugins/x.js', '/console/plugins/0/a/b.js']) {
      expect((await call(handler, 'GET', bad))!.status).toBe(404);
    }
  });
});

describe('console options', () => {
  it('refuses plugins it cannot serve', () => {
    const { core } = coreWith();
    expect(() => createConsoleHandler(core, { plugins: [{ workflowType: 'X', scriptFile: 'relative/plugin.js' }] })).toThrow('must be an absolute path');
    expect(() => createConsoleHandler(core, { plugins: [{ workflowType: 'X', scriptFile: join(ROOT, 'missing.js') }] })).toThrow('not found');
    expect(() => createConsoleHandler(core, { plugins: [{ workflowType: '', scriptFile: VIDEO_PLUGIN_JS }] })).toThrow('workflowType is required');
    expect(() => createConsoleHandler(core, { plugins: [{ workflowType: 'X', scriptFile: VIDEO_PLUGIN_JS, assets: { '../x.js': VIDEO_PLUGIN_JS } }] })).toThrow('bad asset name');
    core.db.close();
  });

  it('describes plugins for the page; a failing config function is reported, not thrown', () => {
    expect(
      pluginDescriptors([
        { workflowType: { name: 'A', version: '2' }, scriptFile: '/x/a b.js', config: { k: 1 } },
        {
          workflowType: 'B',
          scriptFile: '/x/b.js',
          config: () => {
            throw new Error('not yet');
          },
        },
      ]),
    ).toEqual([
      { id: 0, workflowType: { name: 'A', version: '2' }, script: '/console/plugins/0/a%20b.js', assetsBase: '/console/plugins/0/', assets: [], config: { k: 1 } },
      { id: 1, workflowType: { name: 'B' }, script: '/console/plugins/1/b.js', assetsBase: '/console/plugins/1/', assets: [], config: { error: 'not yet' } },
    ]);
  });

  it('with SigV4 required, the data endpoint refuses and the config says why', async () => {
    const { core } = coreWith({ credentials: { AKID: 'secret' } } as never);
    const handler = createConsoleHandler(core);
    await register(core);
    expect((await call(handler, 'GET', '/console/api/config'))!.json).toMatchObject({ auth: 'sigv4', plugins: [] });
    expect(await call(handler, 'GET', '/console/api/task-lists?domain=d')).toMatchObject({ status: 403, json: { __type: expect.stringContaining('MissingAuthenticationTokenException') } });
    core.db.close();
  });
});
