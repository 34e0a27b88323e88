/**
 * Driving the whole pipeline from a test as a user does (upload through the API, poll the status),
 * with one promise checked on every video any pipeline test sees COMPLETED: no rendition is shorter
 * than its source by more than one frame.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoStatus } from '../../lib/api/status';
import { VideoApiClient } from '../../lib/cli/api-client';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../lib/local/stack';
import { runFfprobeJson } from '../../lib/video/ffmpeg';
import { ffprobeFile, type FfprobeOutput } from '../../lib/video/probe';

export const isClosed = (s: VideoStatus): boolean => s.status !== 'RUNNING';

export interface LocalPipeline {
  /** A scratch folder of the test's own (the stack's data lives under `data/`). */
  readonly dir: string;
  readonly stack: LocalStack;
  readonly client: VideoApiClient;
}

/**
 * The whole local stack (in-memory engine, fast x264 preset) for one test file: started before
 * its tests, closed and its folder removed after them. `options` add to or override the defaults.
 */
export function useLocalPipeline(prefix: string, options: Partial<LocalStackOptions> = {}): LocalPipeline {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  let stack: LocalStack | undefined;
  let client: VideoApiClient | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: join(dir, 'data'), db: ':memory:', enginePort: 0, apiPort: 0, pollTimeoutMs: 5000, transcodePreset: 'ultrafast', ...options });
    client = new VideoApiClient(stack.api.url);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the local pipeline is used before beforeAll started it');
    return v;
  };
  return {
    dir,
    get stack() {
      return started(stack);
    },
    get client() {
      return started(client);
    },
  };
}

/** The local file each video was uploaded from, so the check can read the source itself. */
const uploadedFrom = new Map<string, string>();

/** Uploads `file` through the API; returns the video id. */
export async function uploadVideo(client: VideoApiClient, file: string): Promise<string> {
  const videoId = await client.upload(file);
  uploadedFrom.set(videoId, file);
  return videoId;
}

/**
 * Polls the video's status until `done` holds. A COMPLETED status is checked by
 * expectNoShortOutputs before it is returned, so no test can accept a cut-off video.
 */
export async function waitForVideo(client: VideoApiClient, videoId: string, done: (s: VideoStatus) => boolean = isClosed, timeoutMs = 120_000): Promise<VideoStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.status(videoId);
    if (done(status)) {
      if (status.status === 'COMPLETED') await expectNoShortOutputs(status, uploadedFrom.get(videoId));
      return status;
    }
    if (Date.now() > deadline) throw new Error(`video ${videoId} still ${status.status} after ${timeoutMs} ms: ${JSON.stringify(status.steps.map((s) => [s.name, s.rendition, s.state]))}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const durationOf = (probe: FfprobeOutput): number => Number(probe.format?.duration);

/**
 * Throws unless every rendition of a COMPLETED video lasts at least its source's duration less one
 * frame. The source's duration is the larger of what probe recorded and what the uploaded file's
 * container says (read here, independently of the pipeline), so a probe that under-reports cannot
 * hide a short output. Each MP4 is read back from its download URL.
 */
export async function expectNoShortOutputs(status: VideoStatus, sourceFile?: string): Promise<void> {
  const source = status.source;
  const renditions = status.outputs?.renditions ?? [];
  if (!source) throw new Error(`video ${status.videoId} is COMPLETED without a probed source`);
  if (renditions.length === 0) throw new Error(`video ${status.videoId} is COMPLETED without renditions`);
  const container = sourceFile ? durationOf(await ffprobeFile(sourceFile)) : Number.NaN;
  const sourceSeconds = Math.max(source.durationSeconds, Number.isFinite(container) ? container : 0);
  const frame = 1 / source.frameRate;
  for (const r of renditions) {
    const seconds = durationOf(await runFfprobeJson<FfprobeOutput>(['-show_format', r.mp4.url]));
    // Durations are written to the millisecond; allow that rounding on top of the frame.
    if (!(seconds >= sourceSeconds - frame - 0.002)) {
      throw new Error(`video ${status.videoId} is COMPLETED but its ${r.name} rendition lasts ${seconds} s, its source ${sourceSeconds} s: shorter by more than one frame (${frame.toFixed(4)} s)`);
    }
  }
}
