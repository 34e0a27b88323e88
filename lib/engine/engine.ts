import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from './clock';
import { DEFAULT_CONFIG, type EngineConfig } from './config';
import { CONSOLE_PATH, createConsoleHandler, type ConsoleOptions } from './console';
import { EngineCore } from './core';
import { OPERATION_HANDLERS } from './operations';
import { createSwfServer } from './protocol/http-server';
import { IN_MEMORY, openDatabase } from './store/database';
import { randomIds, type IdSource } from './util/ids';
import type { LambdaInvoker } from './lambda/invoker';
import { LocalLambdaInvoker, type LambdaHandlerRef } from './lambda/local-invoker';

export interface EngineOptions extends Partial<EngineConfig> {
  /** Interface to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** SQLite file, or ':memory:' to keep nothing. */
  db?: string;
  clock?: Clock;
  ids?: IdSource;
  /**
   * Lambda functions for ScheduleLambdaFunction, by name. A JSON file's path, or a map; unknown
   * names fail like a missing function on AWS.
   */
  lambdaFunctions?: string | Record<string, LambdaHandlerRef>;
  /** Replaces the local invoker; `null` makes Lambda tasks unavailable in this engine. */
  lambdaInvoker?: LambdaInvoker | null;
  /** Extra environment for local Lambda handlers, on top of this process's. */
  lambdaEnv?: Readonly<Record<string, string>>;
  /** Warm one worker per local Lambda function at start-up, so first invocations skip the cold start. */
  prewarmLambdas?: boolean;
  /**
   * The web console at `/console/` (on by default): its plugins, or `false` to serve no console
   * (every GET is then 405, as before).
   */
  console?: ConsoleOptions | false;
}

export interface RunningEngine {
  /** `http://host:port`, ready for `new SWFClient({ endpoint })` or `aws --endpoint-url`. */
  endpoint: string;
  port: number;
  host: string;
  /** The database file, or ':memory:'. */
  db: string;
  /** `<endpoint>/console/`, the web console; undefined when it is off. */
  consoleUrl?: string;
  core: EngineCore;
  /** Stops accepting calls, answers waiting polls empty, and closes the database. */
  close(): Promise<void>;
}

/** Starts swf-local: opens (or creates) the database, re-arms its deadlines, and listens. */
export async function startEngine(options: EngineOptions = {}): Promise<RunningEngine> {
  const { host = '127.0.0.1', port = 0, db: file = IN_MEMORY, clock = systemClock, ids = randomIds, lambdaFunctions, lambdaInvoker, lambdaEnv, prewarmLambdas = false, console: consoleOptions = {}, ...overrides } = options;
  const config: EngineConfig = { ...DEFAULT_CONFIG, ...definedOnly(overrides) };
  const invoker =
    lambdaInvoker !== undefined
      ? (lambdaInvoker ?? undefined)
      : typeof lambdaFunctions === 'string'
        ? LocalLambdaInvoker.fromFile(lambdaFunctions, config.defaultRegion, config.accountId, lambdaEnv)
        : new LocalLambdaInvoker(lambdaFunctions ?? {}, config.defaultRegion, config.accountId, lambdaEnv);
  const database = openDatabase(file);
  const core = new EngineCore(database.db, config, clock, ids, invoker);
  let consoleHandler;
  try {
    consoleHandler = consoleOptions === false ? undefined : createConsoleHandler(core, consoleOptions);
  } catch (error) {
    await database.close();
    await invoker?.close?.();
    throw error;
  }
  const server = createSwfServer(core, OPERATION_HANDLERS, consoleHandler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  core.start();
  if (prewarmLambdas && invoker instanceof LocalLambdaInvoker) await invoker.prewarm();
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const endpoint = `http://${urlHost}:${address.port}`;
  return {
    endpoint,
    port: address.port,
    host,
    db: file,
    ...(consoleHandler ? { consoleUrl: `${endpoint}${CONSOLE_PATH}/` } : {}),
    core,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        core.stop();
        server.close(() => {
          void (invoker?.close?.() ?? Promise.resolve()).finally(() => database.close().then(resolve));
        });
        server.closeIdleConnections();
        // Let answered long polls flush, then drop whatever is still open.
        setTimeout(() => server.closeAllConnections(), 100).unref();
      })),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
