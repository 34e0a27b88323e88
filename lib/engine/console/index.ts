/**
 * The web console of swf-local: a page at `/console/` that reads the engine through its own SWF
 * JSON API (same origin), plus the two things SWF has no API for, as small JSON endpoints:
 *
 *   GET /console/                      the page (plain HTML, CSS and ES modules from ./static)
 *   GET /console/api/config            engine facts the page needs (regions, auth, clock, plugins)
 *   GET /console/api/task-lists?domain=<name>[&region=<r>]
 *                                      a domain's task lists and the pollers seen on them lately
 *   GET /console/plugins/<n>.js        plugin n's script (also at /console/plugins/<n>/<file name>)
 *   GET /console/plugins/<n>/<asset>   a file plugin n declared in `assets`
 *
 * Only GET and HEAD reach this code (the HTTP layer routes POSTs straight to SWF dispatch).
 * Plugins extend the page for one workflow type without the engine knowing what that type does;
 * see docs/console.md for the page-side API (`window.swfConsole.registerPlugin`).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineCore } from '../core';
import { Fault } from '../faults';
import { contentTypeOf, sendFile, staticFiles, type StaticFile } from './static-files';
import { TaskListReader } from './task-lists';

export { collectTaskLists, TaskListReader, RECENT_POLLER_MS, type ConsoleTaskList, type ConsolePoller, type TaskListsAnswer } from './task-lists';

export const CONSOLE_PATH = '/console';

export interface ConsolePluginOption {
  /** Executions of this workflow type get the plugin: a type name, or a name and version. */
  workflowType: string | { name: string; version?: string };
  /** Absolute path of the plugin's script: an ES module, loaded by the page with `import()`. */
  scriptFile: string;
  /**
   * Files the plugin may load besides its script, by name (letters, digits, `.`, `_`, `-`):
   * served at `/console/plugins/<n>/<name>`, so the script can import `./<name>`.
   */
  assets?: Readonly<Record<string, string>>;
  /**
   * JSON-able data handed to the plugin (`ctx.config`), or a function that makes it per request
   * (for values known only after the engine started, such as another server's URL).
   */
  config?: Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>);
}

export interface ConsoleOptions {
  plugins?: readonly ConsolePluginOption[];
}

/** Handles a non-POST request when it is the console's; false leaves it to the caller. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface PluginEntry {
  option: ConsolePluginOption;
  script: StaticFile;
  assets: Map<string, StaticFile>;
}

const ASSET_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Checks the plugin options up front, so a typo fails start-up instead of a page load. */
function pluginEntries(plugins: readonly ConsolePluginOption[]): PluginEntry[] {
  return plugins.map((option, i) => {
    const file = (path: string, what: string): StaticFile => {
      if (!isAbsolute(path)) throw new Error(`console plugin ${i}: ${what} must be an absolute path: ${path}`);
      if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`console plugin ${i}: ${what} not found: ${path}`);
      return { path, type: contentTypeOf(path) };
    };
    const name = typeof option.workflowType === 'string' ? option.workflowType : option.workflowType?.name;
    if (!name) throw new Error(`console plugin ${i}: workflowType is required`);
    const script = file(option.scriptFile, 'scriptFile');
    const assets = new Map<string, StaticFile>();
    for (const [assetName, path] of Object.entries(option.assets ?? {})) {
      if (!ASSET_NAME.test(assetName)) throw new Error(`console plugin ${i}: bad asset name ${JSON.stringify(assetName)}`);
      assets.set(assetName, file(path, `asset ${assetName}`));
    }
    return { option, script, assets };
  });
}

/** The plugin list as the page gets it from /console/api/config. */
export function pluginDescriptors(plugins: readonly ConsolePluginOption[]): object[] {
  return plugins.map((p, i) => {
    const type = typeof p.workflowType === 'string' ? { name: p.workflowType } : { name: p.workflowType.name, ...(p.workflowType.version ? { version: p.workflowType.version } : {}) };
    let config: unknown = {};
    try {
      config = typeof p.config === 'function' ? p.config() : (p.config ?? {});
    } catch (error) {
      config = { error: error instanceof Error ? error.message : String(error) };
    }
    return {
      id: i,
      workflowType: type,
      script: `${CONSOLE_PATH}/plugins/${i}/${encodeURIComponent(basename(p.scriptFile))}`,
      assetsBase: `${CONSOLE_PATH}/plugins/${i}/`,
      assets: Object.keys(p.assets ?? {}),
      config,
    };
  });
}

/** The console's routes for `core`; mounted by createSwfServer in front of its 405. */
export function createConsoleHandler(core: EngineCore, options: ConsoleOptions = {}): ConsoleHandler {
  const files = staticFiles();
  const plugins = pluginEntries(options.plugins ?? []);
  const taskLists = new TaskListReader(core);

  return (req, res) => {
    const url = req.url ?? '/';
    if (url !== CONSOLE_PATH && !url.startsWith(`${CONSOLE_PATH}/`) && !url.startsWith(`${CONSOLE_PATH}?`)) return false;
    req.resume();
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { __type: 'MethodNotAllowed', message: `${method} is not supported on ${CONSOLE_PATH}; use GET` }, method, { Allow: 'GET, HEAD' });
      return true;
    }
    const head = method === 'HEAD';
    let parsed: URL;
    try {
      parsed = new URL(url, 'http://console.invalid');
    } catch {
      sendJson(res, 400, { __type: 'ValidationException', message: 'Malformed URL' }, method);
      return true;
    }
    const path = parsed.pathname;
    try {
      if (path === CONSOLE_PATH) {
        res.writeHead(301, { Location: `${CONSOLE_PATH}/${parsed.search}`, 'Content-Length': 0 });
        res.end();
        return true;
      }
      const rest = path.slice(CONSOLE_PATH.length + 1);
      if (rest === 'api/config') {
        sendJson(res, 200, configOf(core, options), method);
      } else if (rest === 'api/task-lists') {
        requireUnsignedAccess(core);
        const domain = parsed.searchParams.get('domain');
        if (!domain) throw new Fault('ValidationException', 'Query parameter domain is required');
        const region = parsed.searchParams.get('region') || core.config.defaultRegion;
        sendJson(res, 200, taskLists.read(region, domain), method);
      } else if (rest.startsWith('api/')) {
        sendJson(res, 404, { __type: 'NotFound', message: `No console endpoint ${path}` }, method);
      } else if (rest.startsWith('plugins/')) {
        const file = pluginFile(plugins, rest.slice('plugins/'.length));
        if (file) sendFile(res, file, head);
        else sendJson(res, 404, { __type: 'NotFound', message: `No plugin file ${path}` }, method);
      } else {
        const file = files.get(rest === '' ? 'index.html' : rest);
        if (file) sendFile(res, file, head);
        else sendJson(res, 404, { __type: 'NotFound', message: `No console file ${path}` }, method);
      }
    } catch (error) {
      if (error instanceof Fault) {
        sendJson(res, error.faultName === 'UnknownResourceFault' ? 404 : error.httpStatus, { __type: error.wireType, message: error.message }, method);
      } else {
        console.error('swf-local console: request failed:', error);
        sendJson(res, 500, { __type: 'InternalFailure', message: 'The console request failed' }, method);
      }
    }
    return true;
  };
}

/** `<n>.js`, `<n>/<script file name>` or `<n>/<asset>`. */
function pluginFile(plugins: PluginEntry[], rest: string): StaticFile | undefined {
  const alias = /^(\d+)\.js$/.exec(rest);
  if (alias) return plugins[Number(alias[1])]?.script;
  const m = /^(\d+)\/([^/]+)$/.exec(rest);
  if (!m) return undefined;
  const plugin = plugins[Number(m[1])];
  if (!plugin) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
  if (plugin.assets.has(name)) return plugin.assets.get(name);
  return name === basename(plugin.script.path) ? plugin.script : undefined;
}

/** The page cannot sign requests: with SigV4 required, the data endpoints refuse like SWF would. */
function requireUnsignedAccess(core: EngineCore): void {
  if (core.config.credentials) {
    throw new Fault('MissingAuthenticationTokenException', 'This engine verifies SigV4 signatures (--auth sigv4); the console cannot sign requests', 403);
  }
}

function configOf(core: EngineCore, options: ConsoleOptions): object {
  const regions = new Set<string>([core.config.defaultRegion]);
  for (const row of core.db.prepare('SELECT DISTINCT region FROM domains ORDER BY region').all() as { region: string }[]) regions.add(row.region);
  return {
    console: 1,
    region: core.config.defaultRegion,
    regions: [...regions],
    accountId: core.config.accountId,
    auth: core.config.credentials ? 'sigv4' : 'none',
    pollTimeoutSeconds: core.config.pollTimeoutMs / 1000,
    now: core.clock.now() / 1000,
    plugins: pluginDescriptors(options.plugins ?? []),
  };
}

function sendJson(res: ServerResponse, status: number, body: object, method: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(method === 'HEAD' ? undefined : text);
}
