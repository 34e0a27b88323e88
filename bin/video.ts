#!/usr/bin/env tsx
/**
 * The user's command line.
 *   demo [file]                  everything in one process: process a video, show progress and history
 *   start                        swf-local, the decider, the step handlers and the API; SIGINT stops
 *   upload <file>                upload a video to a running API and start its workflow
 *   status <id> | history <id> | cancel <id> | list
 * Options: --api <url> (default http://127.0.0.1:3000), --data-dir <dir>, --engine-port, --api-port.
 */
import { parseArgs } from 'node:util';
import { ApiCallError, VideoApiClient } from '../lib/cli/api-client';
import { runDemo } from '../lib/cli/demo';
import { progressLine, renderFailure, renderOutputs, renderSteps, renderTimeline } from '../lib/cli/render';
import { startLocalStack } from '../lib/local/stack';
import { DEFAULT_CHUNKING, checkChunking, type ChunkingConfig } from '../lib/video/workflow';

const USAGE = `Usage: video <command> [options]
  demo [file]        start everything, process a video (default: a generated 10 s 720p clip),
                     show each step, the outputs and the history; exit 0 on success
  start              run swf-local, the decider, the step handlers and the API until SIGINT
  upload <file>      upload a video to a running API; prints the video id
  status <id>        the steps of a video (a chunked rendition's chunk counts), its outputs or its failure
  history <id>       the workflow execution's history as a timeline (--children: then each
                     rendition child workflow's of a chunked video)
  list               recent videos
  cancel <id>        cancel a video's workflow
Options:
  --api <url>        the starter API (default http://127.0.0.1:3000)
  --data-dir <dir>   database and media folder for demo/start (default .swf-local, demo: .swf-local/demo)
  --engine-port <n>  swf-local's port for start (default 8080)
  --api-port <n>     the API's port for start (default 3000)
  --wait             upload: follow the video until it finishes
  --children         history: the rendition child workflows' histories too
  --chunk-seconds <n>      demo/start: encode videos longer than n seconds in chunks of n seconds
                           (a multiple of 4; default 60), one child workflow per rendition
  --chunk-concurrency <n>  demo/start: chunk encodes at once per rendition (default 10)`;

function fail(message: string, code = 2): never {
  console.error(`video: ${message}`);
  process.exit(code);
}

/** --chunk-seconds and --chunk-concurrency as the local stack's chunking option. */
function chunkingOf(values: Record<string, string | boolean | undefined>): { chunking?: Partial<ChunkingConfig> } {
  const number = (name: string): number | undefined => {
    const v = values[name];
    if (typeof v !== 'string') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer; got ${JSON.stringify(v)}`);
    return n;
  };
  const seconds = number('chunk-seconds');
  const concurrency = number('chunk-concurrency');
  const chunking = { ...(seconds !== undefined ? { seconds } : {}), ...(concurrency !== undefined ? { concurrency } : {}) };
  try {
    checkChunking({ ...DEFAULT_CHUNKING, ...chunking });
  } catch (error) {
    fail((error as Error).message);
  }
  return Object.keys(chunking).length > 0 ? { chunking } : {};
}

async function start(values: Record<string, string | boolean | undefined>): Promise<void> {
  const stack = await startLocalStack({
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    ...chunkingOf(values),
    enginePort: Number(values['engine-port'] ?? 8080),
    apiPort: Number(values['api-port'] ?? 3000),
    logLevel: 'INFO',
  });
  console.log('Video pipeline on swf-local is running:');
  console.log(`  starter API   ${stack.api.url}/videos        (POST to create, GET to list)`);
  console.log(`  media files   ${stack.api.filesUrl}`);
  console.log(`  swf-local     ${stack.engine.endpoint}   (SQLite: ${stack.engine.db})`);
  if (stack.engine.consoleUrl) console.log(`  console       ${stack.engine.consoleUrl}`);
  console.log(`  SWF domain    ${stack.domain}`);
  console.log(`Upload a video:  npx tsx bin/video.ts upload path/to/video.mp4 --wait`);
  console.log('Ctrl-C stops everything.');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping...');
    stack.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function followUntilDone(client: VideoApiClient, videoId: string): Promise<number> {
  let last = '';
  for (;;) {
    const status = await client.status(videoId);
    const line = progressLine(status);
    if (line !== last) console.log(line);
    last = line;
    if (!['RUNNING', 'AWAITING_UPLOAD'].includes(status.status)) {
      for (const l of [...renderSteps(status), ...renderFailure(status), ...renderOutputs(status)]) console.log(l);
      return status.status === 'COMPLETED' ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      api: { type: 'string', default: 'http://127.0.0.1:3000' },
      'data-dir': { type: 'string' },
      'engine-port': { type: 'string' },
      'api-port': { type: 'string' },
      wait: { type: 'boolean', default: false },
      children: { type: 'boolean', default: false },
      'chunk-seconds': { type: 'string' },
      'chunk-concurrency': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const client = new VideoApiClient(values.api!);
  const need = (what: string): string => arg ?? fail(`${command} needs ${what}\n\n${USAGE}`);
  switch (command) {
    case 'demo':
      return runDemo({ ...(arg ? { file: arg } : {}), ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}), ...chunkingOf(values) });
    case 'start':
      await start(values);
      return -1;
    case 'upload': {
      const videoId = await client.upload(need('a file'));
      console.log(videoId);
      return values.wait ? followUntilDone(client, videoId) : 0;
    }
    case 'status': {
      const status = await client.status(need('a video id'));
      console.log(`${status.videoId}: ${status.status}`);
      for (const l of [...renderSteps(status), ...renderFailure(status), ...renderOutputs(status)]) console.log(l);
      return 0;
    }
    case 'history': {
      const videoId = need('a video id');
      const histories = values.children ? await client.histories(videoId) : [await client.history(videoId)];
      for (const h of histories) {
        console.log(h.workflowId === videoId ? `${h.videoId} (run ${h.runId}):` : `${h.workflowId}, the ${h.rendition} rendition (run ${h.runId}):`);
        for (const l of renderTimeline(h.events)) console.log(l);
      }
      if (!values.children && (histories[0]?.children?.length ?? 0) > 0) console.log(`(${histories[0]!.children!.length} rendition child workflows: add --children to see their histories)`);
      return 0;
    }
    case 'list': {
      const { videos } = await client.list();
      if (videos.length === 0) console.log('No videos yet.');
      for (const v of videos) console.log(`${v.videoId}  ${v.status.padEnd(10)} ${v.startedAt ?? ''}${v.cancelRequested ? '  (cancel requested)' : ''}`);
      return 0;
    }
    case 'cancel':
      await client.cancel(need('a video id'));
      console.log(`Cancel requested for ${arg}.`);
      return 0;
    default:
      return fail(`unknown command ${command}\n\n${USAGE}`);
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ApiCallError) fail(`${error.message} (HTTP ${error.status} ${error.code})`, 1);
    const e = error as Error;
    fail(e.message ?? String(error), 1);
  },
);
