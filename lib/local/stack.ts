import { Logger } from '@aws-lambda-powertools/logger';
import type { SWF } from '@aws-sdk/client-swf';
import { resolve } from 'node:path';
import { localStoresFor, startLocalApi, type LocalApi } from '../api';
import { startEngine, type RunningEngine } from '../engine';
import { ensureRegistered, registrationSpec, type RegistrationReport } from '../registration';
import { videoConsolePlugin } from '../video/console';
import { DOMAIN, STEPS, TASK_LISTS } from '../video/definition';
import { DEFAULT_CHUNKING, checkChunking, decideVideo, type ChunkingConfig } from '../video/workflow';
import { DecisionPoller, createSwfClient, readWorkerConfig } from '../worker';

/** Where the repository's Lambda handlers live (lambda/<handlerFile>.ts). */
const LAMBDA_DIR = resolve(__dirname, '..', '..', 'lambda');

export interface LocalStackOptions {
  /** Folder for the database and the media; default `.swf-local`. */
  dataDir?: string;
  /** SQLite file, or ':memory:'; default `<dataDir>/swf.sqlite`. */
  db?: string;
  host?: string;
  /** swf-local's port; default 8080, 0 picks a free one. */
  enginePort?: number;
  /** The starter API's port; default 3000, 0 picks a free one. */
  apiPort?: number;
  /** swf-local's long-poll hold; default 60 s. */
  pollTimeoutMs?: number;
  /** Deciders polling in parallel; default 2. */
  deciders?: number;
  /** Log level of the decider and the handlers (powertools); default WARN. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** x264 preset for the transcodes; default the handler's own. */
  transcodePreset?: string;
  /** Warm the step handlers before answering; default true. */
  prewarm?: boolean;
  /** The decider's chunking (chunk seconds, chunk encodes at once per rendition); default DEFAULT_CHUNKING. */
  chunking?: Partial<ChunkingConfig>;
}

export interface LocalStack {
  engine: RunningEngine;
  api: LocalApi;
  /** An SWF client bound to swf-local. */
  swf: SWF;
  domain: string;
  registration: RegistrationReport;
  close(): Promise<void>;
}

/** The account id swf-local uses in ARNs, and the role SWF "assumes" to run the step handlers. */
const LOCAL_LAMBDA_ROLE = 'arn:aws:iam::123456789012:role/swf-local-lambda';

/**
 * The whole pipeline on one machine: swf-local with the step handlers as its Lambda functions,
 * the same registration the CDK custom resource performs, the decider, and the starter API. The
 * code that decides, works and starts is the code that runs on AWS; only these bindings differ.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? '.swf-local');
  const host = options.host ?? '127.0.0.1';
  const logLevel = options.logLevel ?? 'WARN';
  const mediaDir = resolve(dataDir, 'media');
  const handlerEnv: Record<string, string> = {
    MEDIA_DIR: mediaDir,
    POWERTOOLS_LOG_LEVEL: logLevel,
    ...(options.transcodePreset ? { TRANSCODE_PRESET: options.transcodePreset } : {}),
  };
  const lambdaFunctions = Object.fromEntries(
    Object.values(STEPS).map((s) => [s.functionName, { module: resolve(LAMBDA_DIR, `${s.handlerFile}.ts`), export: 'handler' }]),
  );

  // The console's video plugin finds the media through the API, which starts after the engine.
  let apiUrl: string | undefined;
  const engine = await startEngine({
    host,
    port: options.enginePort ?? 8080,
    db: options.db ?? resolve(dataDir, 'swf.sqlite'),
    pollTimeoutMs: options.pollTimeoutMs ?? 60_000,
    lambdaFunctions,
    lambdaEnv: handlerEnv,
    prewarmLambdas: options.prewarm ?? true,
    console: { plugins: [videoConsolePlugin(() => apiUrl)] },
  });
  const closers: (() => Promise<void>)[] = [() => engine.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    const config = readWorkerConfig({ SWF_ENDPOINT: engine.endpoint, AWS_REGION: 'us-east-1', SWF_DOMAIN: DOMAIN });
    const swf = createSwfClient(config, {});
    closers.push(async () => swf.destroy());
    const registration = await ensureRegistered(swf, registrationSpec());

    const logger = new Logger({ serviceName: 'decider', logLevel });
    const chunking: ChunkingConfig = checkChunking({ ...DEFAULT_CHUNKING, ...options.chunking });
    const decider = new DecisionPoller({
      swf,
      domain: DOMAIN,
      taskList: TASK_LISTS.decisions,
      identity: `local-decider-${process.pid}`,
      concurrency: options.deciders ?? 2,
      decide: (task) => decideVideo(task.history, { previousStartedEventId: task.previousStartedEventId, chunking }),
      logger,
    });
    decider.start();
    closers.push(() => decider.stop());

    const api = await startLocalApi({
      host,
      port: options.apiPort ?? 3000,
      deps: (url) => ({ swf, domain: DOMAIN, ...localStoresFor(url, { MEDIA_DIR: mediaDir }), lambdaRole: LOCAL_LAMBDA_ROLE }),
    });
    closers.push(() => api.close());
    apiUrl = api.url;

    return { engine, api, swf, domain: DOMAIN, registration, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
