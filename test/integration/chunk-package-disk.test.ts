/**
 * The package step's disk stays bounded (issue 9): a clip of 60 one-second segments is chunked,
 * then packaged while the work dir's size is sampled. Uploads of segments are slowed, so ffmpeg
 * outruns them and must be paused. With a disk budget too small for the MP4, the work dir never
 * holds more than a few segments and the MP4 arrives as a fragmented MP4; with room for it, the
 * MP4 is the only large file. Either way the outputs pass the checks publish makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../lib/storage';
import { encodeAudio, encodeChunk } from '../../lib/video/chunk-encode';
import { chunkRanges, planChunks } from '../../lib/video/chunks';
import { keys, type ProbeResult, type Rendition, type TranscodeResult } from '../../lib/video/contracts';
import { runFfmpeg, runFfprobeJson } from '../../lib/video/ffmpeg';
import { planLadder } from '../../lib/video/ladder';
import { packageRendition } from '../../lib/video/package';
import { probe } from '../../lib/video/probe';
import type { StepLogger } from '../../lib/video/step-support';
import { parseMediaPlaylist } from '../../lib/video/transcode';
import { probeStored, verifyRendition } from '../../lib/video/verify';
import { withPeakDiskUse } from '../helpers/disk-peak';

jest.setTimeout(180_000);

const SEGMENT_SECONDS = 1;
const SECONDS = 60;
const UPLOAD_CONCURRENCY = 2;
/**
 * Segments the work dir may hold: shipHls pauses ffmpeg past UPLOAD_CONCURRENCY + 2, and ffmpeg
 * (which remuxes a segment in a millisecond or two) may write a few more before the pause lands
 * on a loaded machine. Still a small part of the 60.
 */
const SEGMENTS_BOUND = UPLOAD_CONCURRENCY + 8;
const dir = mkdtempSync(join(tmpdir(), 'chunk-package-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A local store whose segment uploads take a while, as a slow network would make them. */
class SlowSegmentStore extends LocalBlobStore {
  override async putFile(key: string, file: string, contentType?: string) {
    if (key.endsWith('.ts')) await new Promise((r) => setTimeout(r, 40));
    return super.putFile(key, file, contentType);
  }
}

const media = new SlowSegmentStore({ root: join(dir, 'media') });
const uploads = new LocalBlobStore({ root: join(dir, 'uploads') });
const stores = { uploads, media };
const videoId = 'many-segments';
let source: ProbeResult;
let rendition: Rendition;
let chunkCount: number;
let frames: number;

beforeAll(async () => {
  const clip = join(dir, 'clip.mp4');
  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip,
  ]);
  const sourceKey = keys.source(videoId);
  await uploads.putFile(sourceKey, clip);
  source = await probe({ videoId, sourceKey }, stores, { workDir: await mkdtemp(join(dir, 'w-')) });
  rendition = planLadder(source)[0]!;
  const plan = planChunks(source.durationSeconds, 10, 1, { segmentSeconds: SEGMENT_SECONDS });
  chunkCount = plan.count;
  await encodeAudio({ videoId, sourceKey, rendition }, stores, { workDir: await mkdtemp(join(dir, 'w-')), preset: 'ultrafast' });
  const chunks = [];
  for (const r of chunkRanges(plan)) {
    chunks.push(
      await encodeChunk(
        { videoId, sourceKey, rendition, frameRate: source.frameRate, segmentSeconds: SEGMENT_SECONDS, index: r.index, startSeconds: r.startSeconds, ...(r.endSeconds !== undefined ? { endSeconds: r.endSeconds } : {}) },
        stores,
        { workDir: await mkdtemp(join(dir, 'w-')), preset: 'ultrafast' },
      ),
    );
  }
  frames = chunks.reduce((n, c) => n + c.frames, 0);
});

async function packaged(diskBudgetBytes: number) {
  const workDir = await mkdtemp(join(dir, 'package-'));
  const logged: Record<string, unknown>[] = [];
  const logger: StepLogger = { debug() {}, info: (_m, ...extra) => logged.push(Object.assign({}, ...extra)), warn() {} };
  const run = await withPeakDiskUse(workDir, () =>
    packageRendition({ videoId, rendition, chunkCount, frames, hasAudio: true, segmentSeconds: SEGMENT_SECONDS }, stores, { workDir, diskBudgetBytes, uploadConcurrency: UPLOAD_CONCURRENCY, logger }),
  );
  const segmentSizes = (await media.list(`${videoId}/`)).filter((b) => b.key.endsWith('.ts')).map((b) => b.sizeBytes);
  return { ...run, logged: logged.find((l) => 'delivery' in l)!, largestSegment: Math.max(...segmentSizes) };
}

/** What publish checks of a rendition, plus the frame count and duration ffprobe reads from the MP4's packets. */
async function expectPublishable(result: TranscodeResult): Promise<void> {
  const mp4 = await probeStored(media, result.mp4.key);
  const playlist = (await media.getBuffer(result.hls.playlist.key)).toString('utf8');
  expect(verifyRendition(source, { result, mp4, playlist })).toEqual([]);
  const counted = await runFfprobeJson<{ streams: { nb_read_packets: string }[] }>(['-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', media.pathOf(result.mp4.key)]);
  expect(Number(counted.streams[0]!.nb_read_packets)).toBe(frames);
  expect(Number(mp4.format?.duration)).toBeCloseTo(source.durationSeconds, 1);
  const parsed = parseMediaPlaylist(playlist);
  expect(parsed.segments).toHaveLength(Math.ceil(source.durationSeconds / SEGMENT_SECONDS));
  for (let n = 0; n < parsed.segments.length; n++) expect(await media.head(keys.hlsSegment(videoId, rendition.name, n))).toBeDefined();
  expect(result.hls.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
  expect([result.mp4.width, result.mp4.height]).toEqual([rendition.width, rendition.height]);
}

test('a disk budget too small for the MP4: the work dir holds a few segments at most, and the MP4 streams as fragments', async () => {
  const { result, peakBytes, samples, logged, largestSegment } = await packaged(1);
  expect(logged).toMatchObject({ delivery: 'fragmented' });
  // ffmpeg outran the slowed uploads, so it was paused, and the segments on disk stayed bounded.
  expect(logged.hlsPauses).toBeGreaterThan(0);
  expect(logged.hlsPeakSegmentsOnDisk).toBeLessThanOrEqual(SEGMENTS_BOUND);
  expect(samples).toBeGreaterThan(20);
  expect(peakBytes).toBeLessThan(SEGMENTS_BOUND * largestSegment + 64 * 1024);
  expect(peakBytes).toBeLessThan(result.mp4.sizeBytes / 4);
  await expectPublishable(result);
  // Fragments, not one index at the front: the choice the budget forced.
  const head = (await media.getBuffer(result.mp4.key)).subarray(0, 64 * 1024);
  expect(head.includes(Buffer.from('mvex'))).toBe(true);
});

test('a disk budget with room for the MP4: a faststart MP4 file, and HLS still a few segments at a time', async () => {
  const { result, peakBytes, logged, largestSegment } = await packaged(1024 * 1024 * 1024);
  expect(logged).toMatchObject({ delivery: 'file' });
  expect(logged.hlsPeakSegmentsOnDisk).toBeLessThanOrEqual(SEGMENTS_BOUND);
  // One copy of the MP4 (never beside a whole HLS copy) and a few segments.
  expect(peakBytes).toBeLessThan(result.mp4.sizeBytes + SEGMENTS_BOUND * largestSegment + 64 * 1024);
  await expectPublishable(result);
  const head = (await media.getBuffer(result.mp4.key)).subarray(0, 64 * 1024);
  expect(head.includes(Buffer.from('moov'))).toBe(true);
  expect(head.includes(Buffer.from('mvex'))).toBe(false);
});

test('a segment upload that fails stops ffmpeg and fails the step with that error; no playlist is written', async () => {
  class FailingStore extends SlowSegmentStore {
    override async putFile(key: string, file: string, contentType?: string) {
      if (key === keys.hlsSegment(videoId, rendition.name, 6)) throw new Error('the store refused segment 6');
      return super.putFile(key, file, contentType);
    }
  }
  const failing = new FailingStore({ root: join(dir, 'media') });
  await failing.delete(keys.hlsPlaylist(videoId, rendition.name));
  const workDir = await mkdtemp(join(dir, 'package-'));
  const started = Date.now();
  await expect(
    packageRendition({ videoId, rendition, chunkCount, frames, hasAudio: true, segmentSeconds: SEGMENT_SECONDS }, { uploads, media: failing }, { workDir, diskBudgetBytes: 1, uploadConcurrency: UPLOAD_CONCURRENCY }),
  ).rejects.toThrow('the store refused segment 6');
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(await failing.head(keys.hlsPlaylist(videoId, rendition.name))).toBeUndefined();
});
