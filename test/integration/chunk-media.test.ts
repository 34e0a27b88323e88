/**
 * The chunk steps with real ffmpeg at a rate where grid times fall between frames (29.97 fps):
 * the chunks, joined by the package step, must hold every source frame exactly once, with
 * keyframes on the same frames a single encode keys (the first at or after each 4 s mark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../lib/storage';
import { encodeAudio, encodeChunk } from '../../lib/video/chunk-encode';
import { chunkRanges, frameIndex, planChunks } from '../../lib/video/chunks';
import { keys } from '../../lib/video/contracts';
import { runFfmpeg, runFfprobeJson } from '../../lib/video/ffmpeg';
import { planLadder } from '../../lib/video/ladder';
import { packageRendition } from '../../lib/video/package';
import { probe } from '../../lib/video/probe';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'chunk-media-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('29.97 fps: chunks joined without re-encoding keep every frame once and the single-encode keyframes', async () => {
  const clip = join(dir, 'ntsc.mp4');
  // A source keyframe only every 5 s, so the chunk seeks must decode from before their start.
  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30000/1001',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '150', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip,
  ]);
  const uploads = new LocalBlobStore({ root: join(dir, 'uploads') });
  const media = new LocalBlobStore({ root: join(dir, 'media') });
  const stores = { uploads, media };
  const videoId = 'ntsc';
  const sourceKey = keys.source(videoId);
  await uploads.putFile(sourceKey, clip);
  const source = await probe({ videoId, sourceKey }, stores, { workDir: await mkdtemp(join(dir, 'w-')) });
  expect(source.frameRate).toBeCloseTo(29.97, 2);
  const rendition = planLadder(source)[0]!;
  const plan = planChunks(source.durationSeconds, 4, 2);
  expect(plan.count).toBe(3);

  await encodeAudio({ videoId, sourceKey, rendition }, stores, { workDir: await mkdtemp(join(dir, 'w-')), preset: 'ultrafast' });
  const chunks = await Promise.all(
    chunkRanges(plan).map(async (r) =>
      encodeChunk(
        { videoId, sourceKey, rendition, frameRate: source.frameRate, segmentSeconds: 4, index: r.index, startSeconds: r.startSeconds, ...(r.endSeconds !== undefined ? { endSeconds: r.endSeconds } : {}) },
        stores,
        { workDir: await mkdtemp(join(dir, 'w-')), preset: 'ultrafast' },
      ),
    ),
  );
  // 0-4 s holds frames 0..119 (119 is at 3.971 s), 4-8 s frames 120..239.
  expect(chunks.map((c) => c.frames)).toEqual([frameIndex(4, source.frameRate), frameIndex(8, source.frameRate) - frameIndex(4, source.frameRate), expect.any(Number)]);
  const frames = chunks.reduce((n, c) => n + c.frames, 0);
  const sourceFrames = await runFfprobeJson<{ streams: { nb_frames: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'stream=nb_frames', clip]);
  expect(frames).toBe(Number(sourceFrames.streams[0]!.nb_frames));

  const result = await packageRendition({ videoId, rendition, chunkCount: plan.count, frames, hasAudio: true, segmentSeconds: 4 }, stores, { workDir: await mkdtemp(join(dir, 'w-')) });
  expect(result.hls.segmentCount).toBe(3);
  const packets = await runFfprobeJson<{ packets: { pts_time: string; flags: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', media.pathOf(keys.mp4(videoId, rendition.name))]);
  const keyframes = packets.packets.filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time));
  // The first frames at or after 0, 4 and 8 s: frames 0, 120 (4.004 s) and 240 (8.008 s).
  expect(keyframes.map((t) => Math.round(t * source.frameRate))).toEqual([0, 120, 240]);
});
