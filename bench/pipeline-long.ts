/**
 * npm run bench:pipeline -- --long — chunked encoding against one ffmpeg for a whole rendition.
 *
 * A generated 3-minute 1920x1080 30 fps clip (test pattern and a tone) is encoded to its 1080p
 * rung, alternately:
 *   single:   the transcode step (one ffmpeg for the whole rendition, then HLS and uploads);
 *   chunked:  the audio step beside the chunk steps run N at a time (N = 1, 2, 4), then the
 *             package step (join without re-encoding, HLS, uploads), as ProcessRendition does.
 * The step functions are called directly with local stores, so the figures are the media work and
 * its chunking overhead, not SWF's (plain `npm run bench:pipeline` measures that). It prints wall
 * time and CPU time (this process and its ffmpeg children, from /proc) per run, the speed-up over
 * single and the overhead at one worker. CPU time is the steadier figure on a shared machine.
 *
 * BENCH_PRESET (default ultrafast, to keep the run short), BENCH_CHUNK_SECONDS (default 12),
 * BENCH_LONG_SECONDS (default 180), BENCH_SOURCE_GOP (the source's keyframe interval, default 2 s),
 * BENCH_THREADS (threads per encode: decoder, filters and x264; default ffmpeg's, every core). With BENCH_THREADS=1 each
 * worker stands for one CPU, as a Lambda chunk has its own: the speed-up then shows how the
 * workers scale; with the default one ffmpeg already uses every core, as the baseline should.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestClip } from '../lib/cli/test-clip';
import { LocalBlobStore } from '../lib/storage';
import { encodeAudio, encodeChunk } from '../lib/video/chunk-encode';
import { chunkRanges, planChunks } from '../lib/video/chunks';
import { keys, type PackageInput, type Rendition } from '../lib/video/contracts';
import { HLS_SEGMENT_SECONDS } from '../lib/video/definition';
import { planLadder } from '../lib/video/ladder';
import { packageRendition } from '../lib/video/package';
import { probe } from '../lib/video/probe';
import { mapLimit } from '../lib/video/step-support';
import { transcode } from '../lib/video/transcode';
import { selfAndChildrenCpuMs } from './proc-stats';

const PRESET = process.env.BENCH_PRESET ?? 'ultrafast';
const CHUNK_SECONDS = Number(process.env.BENCH_CHUNK_SECONDS ?? 12);
const SECONDS = Number(process.env.BENCH_LONG_SECONDS ?? 180);
const WORKERS = [1, 2, 4];
const THREADS = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const encodeCtx = THREADS !== undefined ? { preset: PRESET, threads: THREADS } : { preset: PRESET };
/**
 * The source's keyframe interval: a chunk's seek decodes from the keyframe before its start, so
 * this bounds that waste. Cameras and phones write one every 1-2 s; BENCH_SOURCE_GOP overrides.
 */
const SOURCE_GOP_SECONDS = Number(process.env.BENCH_SOURCE_GOP ?? 2);

export interface Measure {
  wallMs: number;
  cpuMs: number;
}

export async function measured(fn: () => Promise<unknown>): Promise<Measure> {
  const cpu0 = selfAndChildrenCpuMs();
  const t0 = performance.now();
  await fn();
  return { wallMs: performance.now() - t0, cpuMs: selfAndChildrenCpuMs() - cpu0 };
}

/** The long bench's clip, uploaded and probed, with its 1080p rung and chunk plan. */
export async function longFixture(root: string) {
  const workDir = async () => mkdtemp(join(root, 'work-'));
  const uploads = new LocalBlobStore({ root: join(root, 'uploads') });
  const media = new LocalBlobStore({ root: join(root, 'media') });
  const stores = { uploads, media };
  const clip = join(root, 'clip.mp4');
  console.log(`generating a ${SECONDS}-second 1920x1080 30 fps clip, a keyframe every ${SOURCE_GOP_SECONDS} s...`);
  await generateTestClip(clip, { seconds: SECONDS, width: 1920, height: 1080, frameRate: 30, keyframeSeconds: SOURCE_GOP_SECONDS });
  const videoId = 'long';
  const sourceKey = keys.source(videoId);
  await uploads.putFile(sourceKey, clip, 'video/mp4');
  const source = await probe({ videoId, sourceKey }, stores, { workDir: await workDir() });
  const rendition: Rendition = planLadder(source)[0]!;
  const plan = planChunks(source.durationSeconds, CHUNK_SECONDS, 1);
  console.log(`rendition ${rendition.name} ${rendition.width}x${rendition.height}, x264 preset ${PRESET}, ${THREADS ?? 'all'} thread(s) per encode, ${plan.count} chunks of ${plan.seconds} s; ${availableParallelism()} CPUs (shared)`);
  /** The chunked path's encodes (audio beside N chunk workers); resolves with the package step's input. */
  const encodeChunked = async (workers: number): Promise<PackageInput> => {
    const audio = encodeAudio({ videoId, sourceKey, rendition }, stores, { workDir: await workDir() });
    const chunks = await mapLimit(chunkRanges(plan), workers, async (r) =>
      encodeChunk(
        { videoId, sourceKey, rendition, frameRate: source.frameRate, segmentSeconds: HLS_SEGMENT_SECONDS, index: r.index, startSeconds: r.startSeconds, ...(r.endSeconds !== undefined ? { endSeconds: r.endSeconds } : {}) },
        stores,
        { workDir: await workDir(), ...encodeCtx },
      ),
    );
    await audio;
    const frames = chunks.reduce((n, c) => n + c.frames, 0);
    return { videoId, rendition, chunkCount: plan.count, frames, hasAudio: source.hasAudio, segmentSeconds: HLS_SEGMENT_SECONDS };
  };
  return { stores, videoId, sourceKey, source, rendition, plan, workDir, encodeChunked };
}

export async function runLong(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-long-'));
  try {
    console.log('bench:pipeline --long');
    const { stores, videoId, sourceKey, source, rendition, plan, workDir, encodeChunked } = await longFixture(root);

    const single = () =>
      measured(async () => {
        await transcode({ videoId, sourceKey, rendition, frameRate: source.frameRate, hasAudio: source.hasAudio, segmentSeconds: HLS_SEGMENT_SECONDS }, stores, { workDir: await workDir(), ...encodeCtx });
      });
    const chunked = (workers: number) =>
      measured(async () => {
        await packageRendition(await encodeChunked(workers), stores, { workDir: await workDir() });
      });

    const rows: [string, Measure][] = [];
    const base = await single();
    rows.push(['single: one ffmpeg for the rendition', base]);
    console.log(`single: ${(base.wallMs / 1000).toFixed(1)} s wall, ${(base.cpuMs / 1000).toFixed(1)} s CPU`);
    for (const n of WORKERS) {
      const m = await chunked(n);
      rows.push([`chunked, ${n} worker${n > 1 ? 's' : ''}`, m]);
      console.log(`chunked x${n}: ${(m.wallMs / 1000).toFixed(1)} s wall, ${(m.cpuMs / 1000).toFixed(1)} s CPU`);
    }

    console.log('');
    console.log(`| ${SECONDS} s 1080p, ${plan.count} chunks of ${plan.seconds} s, preset ${PRESET} | wall | CPU | speed-up (wall) | overhead vs single (wall / CPU) |`);
    console.log('|---|---|---|---|---|');
    for (const [name, m] of rows) {
      const speedUp = base.wallMs / m.wallMs;
      const over = `${(((m.wallMs - base.wallMs) / base.wallMs) * 100).toFixed(1)}% / ${(((m.cpuMs - base.cpuMs) / base.cpuMs) * 100).toFixed(1)}%`;
      console.log(`| ${name} | ${(m.wallMs / 1000).toFixed(1)} s | ${(m.cpuMs / 1000).toFixed(1)} s | ${speedUp.toFixed(2)}x | ${m === base ? '-' : over} |`);
    }
    const one = rows[1]![1];
    const overhead = (one.cpuMs - base.cpuMs) / base.cpuMs;
    console.log(`| target: overhead at 1 worker <= 10% (CPU time) | ${(overhead * 100).toFixed(1)}% | ${overhead <= 0.1 ? 'PASS' : 'FAIL'} | | |`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
