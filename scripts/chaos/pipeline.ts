/**
 * The pipeline under faults: a handful of videos through `npm start` (the local stack as a real
 * process) while the whole stack is killed with -9 and restarted on the same data folder, and
 * while the ffmpeg processes of running Lambda tasks are killed. Driven only through the starter
 * API and manifest.json, so it holds whatever the video workflow does inside: every video must
 * end COMPLETED (or, for the file that is not a video, FAILED with a clear reason), and every file
 * the manifest lists must match its size and sha256.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateTestClip } from '../../lib/cli/test-clip';
import { VideoApiClient } from '../../lib/cli/api-client';
import { killGroup } from '../../test/helpers/engine-process';
import { freePort } from './engine-control';
import { sleep } from './pollers';
import type { Random } from './random';

const REPO = resolve(__dirname, '../..');
const TSX = resolve(REPO, 'node_modules/.bin/tsx');
const READY = /Video pipeline on swf-local is running/;

export interface PipelineOptions {
  random: Random;
  videos: number;
  stackKills: number;
  ffmpegKills: number;
  /** The longest a video may take to close. */
  timeoutSeconds: number;
  log: (line: string) => void;
}

export interface PipelineOutcome {
  videoId: string;
  file: string;
  status: string;
  failure?: string;
  filesVerified: number;
  problems: string[];
}

export interface PipelineReport {
  videos: PipelineOutcome[];
  stackKills: number;
  ffmpegKills: number;
  seconds: number;
  problems: string[];
}

/** `npm start` (bin/video.ts start) on a data folder, in a process group of its own. */
class Stack {
  private child: ChildProcess | undefined;

  constructor(
    private readonly dataDir: string,
    readonly enginePort: number,
    readonly apiPort: number,
  ) {}

  async start(): Promise<void> {
    const child = spawn(TSX, ['bin/video.ts', 'start', '--data-dir', this.dataDir, '--engine-port', String(this.enginePort), '--api-port', String(this.apiPort)], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`npm start did not come up within 90 s:\n${output}`)), 90_000);
      const onData = (b: Buffer) => {
        output += b.toString();
        if (READY.test(output)) {
          clearTimeout(timer);
          ok();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`npm start exited (${code}) before it was ready:\n${output}`));
      });
    });
  }

  async kill9(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await killGroup(child);
  }

  /** Pids of the ffmpeg processes the stack's Lambda tasks run right now. */
  ffmpegPids(): number[] {
    if (!this.child?.pid) return [];
    let out = '';
    try {
      out = execFileSync('ps', ['-o', 'pid=,comm=', '-g', String(this.child.pid)], { encoding: 'utf8' });
    } catch {
      return []; // no process matched
    }
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm !== undefined && /ffmpeg/.test(comm))
      .map(([pid]) => Number(pid));
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every `{ key, sha256 }` the manifest holds, wherever it is nested. */
function listedFiles(value: unknown, out: { key: string; sha256: string; sizeBytes?: number }[] = []): typeof out {
  if (Array.isArray(value)) for (const v of value) listedFiles(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.key === 'string' && typeof o.sha256 === 'string') out.push({ key: o.key, sha256: o.sha256, ...(typeof o.sizeBytes === 'number' ? { sizeBytes: o.sizeBytes } : {}) });
    for (const v of Object.values(o)) listedFiles(v, out);
  }
  return out;
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Checks a completed video's outputs through the URLs the API gives: every listed checksum, every HLS segment present. */
async function verifyOutputs(api: VideoApiClient, videoId: string): Promise<{ files: number; problems: string[] }> {
  const status = await api.status(videoId);
  const manifestLink = status.outputs?.manifest;
  if (!manifestLink) return { files: 0, problems: [`${videoId}: COMPLETED without a manifest link`] };
  const urlOf = (key: string) => manifestLink.url.replace(manifestLink.key, key);
  const manifest = JSON.parse((await download(manifestLink.url)).toString('utf8')) as unknown;
  const problems: string[] = [];
  let files = 0;
  for (const f of listedFiles(manifest)) {
    try {
      const data = await download(urlOf(f.key));
      files++;
      if (sha256(data) !== f.sha256) problems.push(`${f.key}: sha256 differs from the manifest`);
      if (f.sizeBytes !== undefined && data.length !== f.sizeBytes) problems.push(`${f.key}: ${data.length} bytes, the manifest says ${f.sizeBytes}`);
      if (f.key.endsWith('.m3u8')) {
        for (const line of data.toString('utf8').split('\n')) {
          const segment = line.trim();
          if (!segment || segment.startsWith('#')) continue;
          const key = f.key.slice(0, f.key.lastIndexOf('/') + 1) + segment;
          const bytes = await download(urlOf(key));
          files++;
          if (bytes.length === 0) problems.push(`${key}: empty segment`);
        }
      }
    } catch (error) {
      problems.push(`${f.key}: ${(error as Error).message}`);
    }
  }
  if (files === 0) problems.push(`${videoId}: the manifest lists no files with checksums`);
  return { files, problems };
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'TIMED_OUT', 'TERMINATED']);

export async function runPipelineChaos(o: PipelineOptions): Promise<PipelineReport> {
  const began = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'swf-chaos-pipeline-'));
  const stack = new Stack(join(work, 'data'), await freePort(), await freePort());
  const api = new VideoApiClient(`http://127.0.0.1:${stack.apiPort}`);
  const problems: string[] = [];
  let stackKills = 0;
  let ffmpegKills = 0;
  try {
    const files: string[] = [];
    for (let i = 0; i < o.videos; i++) {
      const file = join(work, `clip-${i}.mp4`);
      await generateTestClip(file, { seconds: o.random.int(4, 8), width: o.random.pick([640, 854, 1280]), height: o.random.pick([360, 480]), frameRate: 25 });
      files.push(file);
    }
    // And one upload that is not a video: it must fail with a clear reason, not hang or retry forever.
    const notAVideo = join(work, 'not-a-video.mp4');
    writeFileSync(notAVideo, Buffer.from('this is not a video file\n'.repeat(64)));
    files.push(notAVideo);

    await stack.start();
    o.log(`pipeline: npm start up (API :${stack.apiPort}); uploading ${files.length} files`);
    const videos = new Map<string, string>();
    for (const file of files) videos.set(await api.upload(file), file);

    // Faults while the videos are processed: kill -9 of the whole stack and of ffmpeg processes.
    const faults = [...Array<string>(o.stackKills).fill('stack'), ...Array<string>(o.ffmpegKills).fill('ffmpeg')];
    for (const kind of o.random.shuffle(faults)) {
      await sleep(o.random.int(1500, 5000));
      if (kind === 'stack') {
        await stack.kill9();
        stackKills++;
        o.log('pipeline: kill -9 npm start (engine, decider, Lambda workers, API); restarting');
        await stack.start();
      } else {
        const pids = stack.ffmpegPids();
        if (pids.length === 0) continue;
        const pid = o.random.pick(pids);
        try {
          process.kill(pid, 'SIGKILL');
          ffmpegKills++;
          o.log(`pipeline: kill -9 ffmpeg ${pid} inside a running Lambda task`);
        } catch {
          // It finished meanwhile.
        }
      }
    }

    const outcomes: PipelineOutcome[] = [];
    const deadline = Date.now() + o.timeoutSeconds * 1000;
    for (const [videoId, file] of videos) {
      let status = 'RUNNING';
      let failure: string | undefined;
      // Asked at least once, even past the deadline (an earlier video may have used it up).
      for (;;) {
        try {
          const s = await api.status(videoId);
          status = s.status;
          failure = s.failure ? `${s.failure.reason}${s.failure.message ? `: ${s.failure.message}` : ''}` : undefined;
          if (TERMINAL.has(status)) break;
        } catch {
          // the API restarting
        }
        if (Date.now() >= deadline) break;
        await sleep(500);
      }
      const outcome: PipelineOutcome = { videoId, file: file.slice(work.length + 1), status, ...(failure ? { failure } : {}), filesVerified: 0, problems: [] };
      const isVideo = file !== notAVideo;
      if (isVideo && status !== 'COMPLETED') outcome.problems.push(`${videoId} ended ${status}${failure ? ` (${failure})` : ''}, not COMPLETED`);
      if (!isVideo && (status !== 'FAILED' || !failure)) outcome.problems.push(`the file that is not a video ended ${status} without a clear failure reason`);
      if (status === 'COMPLETED') {
        const verified = await verifyOutputs(api, videoId);
        outcome.filesVerified = verified.files;
        outcome.problems.push(...verified.problems);
      }
      problems.push(...outcome.problems);
      outcomes.push(outcome);
    }
    return { videos: outcomes, stackKills, ffmpegKills, seconds: Math.round((Date.now() - began) / 1000), problems };
  } finally {
    await stack.kill9();
    rmSync(work, { recursive: true, force: true });
  }
}
