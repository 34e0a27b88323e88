import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { VideoStatus } from '../api/status';
import { startLocalStack } from '../local/stack';
import type { ChunkingConfig } from '../video/workflow';
import { VideoApiClient } from './api-client';
import { chunkSummary, renderFailure, renderOutputs, renderSteps, renderTimeline, stepLabel } from './render';
import { generateTestClip } from './test-clip';

export interface DemoOptions {
  /** A video to process; default a generated 10-second 1280x720 clip. */
  file?: string;
  /** Where the demo keeps its database, media and clip; default `.swf-local/demo`. */
  dataDir?: string;
  out?: (line: string) => void;
  /** How often the demo asks the API for the status, ms. */
  pollMs?: number;
  /** The decider's chunking (`--chunk-seconds 4` chunks even the 10-second demo clip). */
  chunking?: Partial<ChunkingConfig>;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'TERMINATED']);

/**
 * The README's first command: the whole system in one process, then what a user does. It uploads
 * a video through the API exactly as a user would, shows each step as it changes, and ends with
 * the outputs and the execution's history as a timeline. Resolves to the process exit code.
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? '.swf-local/demo');
  const file = options.file ? resolve(options.file) : resolve(dataDir, 'clip-10s-1280x720.mp4');
  if (options.file && !existsSync(file)) {
    out(`No such file: ${file}`);
    return 2;
  }

  out('Starting swf-local, the step handlers (as Lambda functions), the decider and the starter API...');
  const stack = await startLocalStack({ dataDir, enginePort: 0, apiPort: 0, pollTimeoutMs: 20_000, ...(options.chunking ? { chunking: options.chunking } : {}) });
  try {
    out(`  swf-local     ${stack.engine.endpoint}   (SQLite: ${stack.engine.db})`);
    out(`  starter API   ${stack.api.url}`);
    if (stack.engine.consoleUrl) out(`  console       ${stack.engine.consoleUrl}`);
    out(`  media         ${stack.api.filesUrl}`);
    if (!options.file) {
      if (!existsSync(file)) {
        out('Generating a 10-second 1280x720 test clip with ffmpeg...');
        await generateTestClip(file, { seconds: 10, width: 1280, height: 720 });
      }
    }
    const client = new VideoApiClient(stack.api.url);
    out(`Uploading ${file} through the API (POST /videos, then PUT to the upload URL)...`);
    const videoId = await client.upload(file);
    out(`Video ${videoId}: the upload started workflow execution "${videoId}".`);

    const status = await follow(client, videoId, out, options.pollMs ?? 500);
    out('');
    out(`Result: ${status.status}`);
    for (const line of renderSteps(status)) out(line);
    for (const line of renderFailure(status)) out(line);
    for (const line of renderOutputs(status)) out(line);
    out('');
    for (const h of await client.histories(videoId)) {
      out(h.workflowId === videoId ? `History of ${videoId} (run ${h.runId}):` : `History of ${h.workflowId}, the ${h.rendition} rendition's child workflow (run ${h.runId}):`);
      for (const line of renderTimeline(h.events)) out(line);
    }
    return status.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await stack.close();
  }
}

/** Polls the status until the run closes, printing each step's state (and a chunked rendition's chunk counts) when it changes. */
async function follow(client: VideoApiClient, videoId: string, out: (line: string) => void, pollMs: number): Promise<VideoStatus> {
  const seen = new Map<string, string>();
  const started = Date.now();
  for (;;) {
    const status = await client.status(videoId);
    for (const step of status.steps ?? []) {
      const label = stepLabel(step);
      const chunks = chunkSummary(step);
      const state = `${step.state}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}${chunks ? `  ${chunks}` : ''}`;
      if (seen.get(label) !== state && step.state !== 'PENDING') {
        seen.set(label, state);
        out(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${label.padEnd(16)} ${state}`);
      }
    }
    if (TERMINAL.has(status.status)) return status;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
