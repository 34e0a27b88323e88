/**
 * The media steps with real ffmpeg/ffprobe on tiny generated clips: probe, transcode (MP4 + HLS),
 * thumbnails, publish, cancellation, and each Lambda handler called directly on local stores.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../lib/storage/local-blob-store';
import { storesFromEnv } from '../../lib/storage';
import { keys, type Manifest, type ProbeResult, type Rendition, type ThumbnailsResult, type TranscodeResult } from '../../lib/video/contracts';
import { InvalidInputError, NotAVideoError, isAbortError } from '../../lib/video/errors';
import { runFfmpeg, runFfprobeJson } from '../../lib/video/ffmpeg';
import { probe, probeFile, rotationOf, type FfprobeOutput } from '../../lib/video/probe';
import { publish } from '../../lib/video/publish';
import { thumbnails } from '../../lib/video/thumbnails';
import { parseMediaPlaylist, transcode } from '../../lib/video/transcode';

const started = Date.now();
let root: string;
let uploads: LocalBlobStore;
let media: LocalBlobStore;
let work = 0;

/** A fresh work dir, as the runtime would give a step. */
async function workDir(): Promise<string> {
  const d = join(root, 'work', String(++work));
  await mkdir(d, { recursive: true });
  return d;
}

async function ffprobe(file: string, ...extra: string[]): Promise<FfprobeOutput & { frames?: { pts_time?: string }[] }> {
  return runFfprobeJson([...extra, file]);
}

const r360: Rendition = { name: '360p', width: 640, height: 360, videoBitrateKbps: 600, maxBitrateKbps: 900, bufferSizeKbits: 1200, audioBitrateKbps: 96 };
const portrait180: Rendition = { name: '180p', width: 180, height: 320, videoBitrateKbps: 250, maxBitrateKbps: 375, bufferSizeKbits: 500, audioBitrateKbps: 64 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'media-it-'));
  uploads = new LocalBlobStore({ root: join(root, 'store', 'uploads'), baseUrl: 'http://127.0.0.1:3000/files/uploads' });
  media = new LocalBlobStore({ root: join(root, 'store', 'media'), baseUrl: 'http://127.0.0.1:3000/files/media' });
  const land = join(root, 'land.mp4');
  const portrait = join(root, 'portrait.mp4');
  // 2 s of 640x360 test pattern at 30 fps with a 440 Hz tone.
  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30:duration=2',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', land,
  ]);
  // The same frames flagged as rotated by a quarter turn: a phone's portrait video (coded 640x360).
  await runFfmpeg(['-i', land, '-map', '0:v', '-c', 'copy', '-metadata:s:v:0', 'rotate=90', portrait]);
  await writeFile(join(root, 'notes.txt'), 'These are not the frames you are looking for.\n'.repeat(50));
  await uploads.putFile('land/source', land, 'video/mp4');
  await uploads.putFile('portrait/source', portrait, 'video/mp4');
  await uploads.putFile('text/source', join(root, 'notes.txt'), 'video/mp4');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  console.log(`media integration: ${Date.now() - started} ms`);
});

describe('probe', () => {
  let land: ProbeResult;

  it('describes a landscape clip with audio', async () => {
    land = await probe({ videoId: 'land', sourceKey: 'land/source' }, { uploads }, { workDir: await workDir() });
    expect(land).toMatchObject({ width: 640, height: 360, rotation: 0, displayWidth: 640, displayHeight: 360, frameRate: 30, videoCodec: 'h264', hasAudio: true, audioCodec: 'aac' });
    expect(land.durationSeconds).toBeGreaterThan(1.9);
    expect(land.durationSeconds).toBeLessThan(2.2);
    expect(land.sizeBytes).toBe((await uploads.head('land/source'))!.sizeBytes);
    expect(land.formatName).toContain('mp4');
    expect(land.bitRate).toBeGreaterThan(0);
  });

  it('sees the rotation of a portrait clip and swaps the displayed size', async () => {
    const p = await probe({ videoId: 'portrait', sourceKey: 'portrait/source' }, { uploads }, { workDir: await workDir() });
    expect([90, 270]).toContain(p.rotation);
    expect(p).toMatchObject({ width: 640, height: 360, displayWidth: 360, displayHeight: 640, hasAudio: false });
  });

  it('a text file is NotAVideoError with a clear message', async () => {
    const error = (await probe({ videoId: 'text', sourceKey: 'text/source' }, { uploads }, { workDir: await workDir() }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NotAVideoError);
    expect(error.name).toBe('NotAVideoError');
    expect(error.message).toMatch(/^The upload is not a video: ffprobe could not read it \(.+\)$/);
  });

  it('a missing upload or a bad key is InvalidInputError', async () => {
    await expect(probe({ videoId: 'gone', sourceKey: 'gone/source' }, { uploads }, { workDir: await workDir() })).rejects.toThrow(InvalidInputError);
    await expect(probe({ videoId: 'x', sourceKey: '../secrets' }, { uploads }, { workDir: await workDir() })).rejects.toThrow(InvalidInputError);
  });
});

describe('transcode, thumbnails and publish', () => {
  let landRendition: TranscodeResult;
  let landThumbs: ThumbnailsResult;

  it('makes an H.264/AAC MP4 and aligned HLS for a rendition', async () => {
    const progress: number[] = [];
    // 1-second segments so a 2-second clip gives two and the keyframe grid is visible; the
    // default preset (veryfast) so the profile is High.
    landRendition = await transcode(
      { videoId: 'land', sourceKey: 'land/source', rendition: r360, frameRate: 30, hasAudio: true, segmentSeconds: 1 },
      { uploads, media },
      { workDir: await workDir(), onProgress: (f) => progress.push(f) },
    );
    const r = landRendition;
    expect(r.rendition).toEqual(r360);
    expect(r.mp4).toMatchObject({ key: keys.mp4('land', '360p'), width: 640, height: 360 });
    expect(r.mp4.durationSeconds).toBeGreaterThan(1.9);
    expect(r.mp4.durationSeconds).toBeLessThan(2.2);
    expect(r.mp4.bitRate).toBeGreaterThan(0);
    expect(r.hls.codecs).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
    expect(r.hls.bandwidth).toBeGreaterThanOrEqual(r.hls.averageBandwidth);
    expect(r.hls.averageBandwidth).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]!)).toBe(true);

    // Read the MP4 back.
    const mp4File = join(root, 'got-360p.mp4');
    await media.getFile(r.mp4.key, mp4File);
    const info = await ffprobe(mp4File, '-show_format', '-show_streams');
    const video = info.streams!.find((s) => s.codec_type === 'video')!;
    const audio = info.streams!.find((s) => s.codec_type === 'audio')!;
    expect([video.codec_name, video.profile, video.width, video.height]).toEqual(['h264', 'High', 640, 360]);
    expect(audio.codec_name).toBe('aac');
    expect(Number(info.format!.duration)).toBeCloseTo(2, 0);
    const { sha256 } = r.mp4;
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await readFile(mp4File)).length).toBe(r.mp4.sizeBytes);
    // faststart: the moov box comes before mdat.
    const bytes = await readFile(mp4File);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    // Keyframes exactly on the 1 s grid.
    const key = await ffprobe(mp4File, '-select_streams', 'v', '-skip_frame', 'nokey', '-show_entries', 'frame=pts_time');
    expect(key.frames!.map((f) => Number(f.pts_time))).toEqual([0, 1]);

    // The HLS playlist names segments that exist, with the sizes reported.
    const playlist = parseMediaPlaylist((await media.getBuffer(keys.hlsPlaylist('land', '360p'))).toString());
    expect(playlist.endList).toBe(true);
    expect(playlist.playlistType).toBe('VOD');
    expect(playlist.segments.map((s) => s.uri)).toEqual(['segment_00000.ts', 'segment_00001.ts']);
    expect(playlist.segments.map((s) => Math.round(s.durationSeconds * 10) / 10)).toEqual([1, 1]);
    expect(r.hls.segmentCount).toBe(2);
    const segmentKeys = [keys.hlsSegment('land', '360p', 0), keys.hlsSegment('land', '360p', 1)];
    const sizes = await Promise.all(segmentKeys.map(async (k) => (await media.head(k))?.sizeBytes ?? 0));
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(r.hls.segmentBytes).toBe(sizes[0]! + sizes[1]!);
    const segFile = join(root, 'seg1.ts');
    await media.getFile(segmentKeys[1]!, segFile);
    const seg = await probeFile(segFile);
    expect(seg).toMatchObject({ formatName: 'mpegts', width: 640, height: 360, hasAudio: true });
  });

  it('turns a rotated source upright at the planned size, without audio when asked', async () => {
    const r = await transcode(
      { videoId: 'portrait', sourceKey: 'portrait/source', rendition: portrait180, frameRate: 30, hasAudio: false, segmentSeconds: 4 },
      { uploads, media },
      { workDir: await workDir(), preset: 'ultrafast' },
    );
    expect(r.mp4).toMatchObject({ width: 180, height: 320 });
    expect(r.hls.segmentCount).toBe(1);
    expect(r.hls.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    const file = join(root, 'portrait-180p.mp4');
    await media.getFile(r.mp4.key, file);
    const info = await ffprobe(file, '-show_streams');
    expect(info.streams!.map((s) => s.codec_type)).toEqual(['video']);
    const v = info.streams![0]!;
    expect([v.width, v.height, rotationOf(v)]).toEqual([180, 320, 0]);
  });

  it('makes a poster, a sprite sheet and a WebVTT track', async () => {
    landThumbs = await thumbnails({ videoId: 'land', sourceKey: 'land/source', durationSeconds: 2, displayWidth: 640, displayHeight: 360 }, { uploads, media }, { workDir: await workDir() });
    const t = landThumbs;
    expect(t.poster).toMatchObject({ key: keys.poster('land'), width: 640, height: 360 });
    expect(t.sprite).toMatchObject({ key: keys.sprite('land'), columns: 2, rows: 1, tileWidth: 160, tileHeight: 90, width: 320, height: 90 });
    expect([t.count, t.intervalSeconds]).toEqual([2, 1]);

    for (const [k, w, h] of [[t.poster.key, 640, 360], [t.sprite.key, 320, 90]] as const) {
      const buf = await media.getBuffer(k);
      expect(buf.subarray(0, 3).toString('hex')).toBe('ffd8ff'); // JPEG SOI
      const f = join(root, k.replace(/\//g, '_'));
      await writeFile(f, buf);
      const s = (await ffprobe(f, '-show_streams')).streams![0]!;
      expect([s.codec_name, s.width, s.height]).toEqual(['mjpeg', w, h]);
    }
    const vtt = (await media.getBuffer(keys.vtt('land'))).toString();
    expect(vtt).toBe(['WEBVTT', '', '00:00:00.000 --> 00:00:01.000', 'sprite.jpg#xywh=0,0,160,90', '', '00:00:01.000 --> 00:00:02.000', 'sprite.jpg#xywh=160,0,160,90', ''].join('\n'));
    expect((await media.head(keys.vtt('land')))?.contentType).toBe('text/vtt');
  });

  it('a portrait poster is upright; seeking per tile (the long-video path) gives the same track', async () => {
    const t = await thumbnails(
      { videoId: 'portrait', sourceKey: 'portrait/source', durationSeconds: 2, displayWidth: 360, displayHeight: 640 },
      { uploads, media },
      { workDir: await workDir(), tileStrategy: 'seek' },
    );
    expect([t.count, t.intervalSeconds, t.sprite.width, t.sprite.height]).toEqual([2, 1, 320, 284]);
    expect((await media.getBuffer(t.vtt.key)).toString()).toContain('00:00:01.000 --> 00:00:02.000\nsprite.jpg#xywh=160,0,160,284');
    const sprite = join(root, 'portrait-sprite.jpg');
    await media.getFile(t.sprite.key, sprite);
    const ss = (await ffprobe(sprite, '-show_streams')).streams![0]!;
    expect([ss.width, ss.height]).toEqual([320, 284]);
    const f = join(root, 'portrait-poster.jpg');
    await media.getFile(t.poster.key, f);
    const s = (await ffprobe(f, '-show_streams')).streams![0]!;
    expect([s.width, s.height]).toEqual([360, 640]);
    expect([t.sprite.tileWidth, t.sprite.tileHeight]).toEqual([160, 284]);
  });

  it('publishes a master playlist and manifest.json', async () => {
    const land = await probeFile(join(root, 'land.mp4'));
    const result = await publish(
      { videoId: 'land', source: { key: 'land/source', fileName: 'land.mp4', probe: land }, renditions: [landRendition], thumbnails: landThumbs, timings: {} },
      { media },
    );
    const master = (await media.getBuffer(result.masterPlaylist.key)).toString();
    expect(master.split('\n').slice(0, 5)).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      `#EXT-X-STREAM-INF:BANDWIDTH=${landRendition.hls.bandwidth},AVERAGE-BANDWIDTH=${landRendition.hls.averageBandwidth},RESOLUTION=640x360,CODECS="${landRendition.hls.codecs}",FRAME-RATE=30.000`,
      '360p/index.m3u8',
    ]);
    const manifest = JSON.parse((await media.getBuffer(keys.manifest('land'))).toString()) as Manifest;
    expect(manifest.renditions.map((r) => [r.name, r.hls.segmentCount])).toEqual([['360p', 2]]);
    expect(manifest.hls.masterPlaylist).toBe('land/hls/master.m3u8');
  });
});

describe('cancellation', () => {
  it('aborting a transcode kills ffmpeg and rejects promptly', async () => {
    const dir = await workDir();
    const controller = new AbortController();
    const progress: number[] = [];
    const t0 = Date.now();
    const run = transcode(
      // A slow preset on purpose, so the abort lands mid-encode.
      { videoId: 'land', sourceKey: 'land/source', rendition: { ...r360, name: 'cancel' }, frameRate: 30, hasAudio: true, segmentSeconds: 1 },
      { uploads, media },
      { workDir: dir, preset: 'veryslow', signal: controller.signal, onProgress: (f) => progress.push(f) },
    );
    setTimeout(() => controller.abort(), 400);
    const error = await run.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(Math.max(...progress)).toBeLessThan(0.85); // stopped inside the encode
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes(dir))).toEqual([]);
    expect(await media.head(keys.mp4('land', 'cancel'))).toBeUndefined();
    expect(await media.head(keys.hlsPlaylist('land', 'cancel'))).toBeUndefined();
  });
});

describe('Lambda handlers on local stores', () => {
  it('probe -> transcode -> thumbnails -> publish, each called directly', async () => {
    const mediaDir = join(root, 'lambda-media');
    process.env.MEDIA_DIR = mediaDir;
    process.env.LOCAL_MEDIA_BASE_URL = 'http://127.0.0.1:3999/files';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.TRANSCODE_PRESET = 'ultrafast';
    delete process.env.UPLOAD_BUCKET;
    delete process.env.MEDIA_BUCKET;
    const stores = storesFromEnv(process.env);
    await stores.uploads.putFile(keys.source('vid-l'), join(root, 'land.mp4'), 'video/mp4');
    const context = { awsRequestId: 'it', getRemainingTimeInMillis: () => 60_000 };

    // Loaded now, after the environment is set (the handlers' loggers read it when created).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { handler: probeHandler } = require('../../lambda/probe') as typeof import('../../lambda/probe');
    const { handler: transcodeHandler } = require('../../lambda/transcode') as typeof import('../../lambda/transcode');
    const { handler: thumbnailsHandler } = require('../../lambda/thumbnails') as typeof import('../../lambda/thumbnails');
    const { handler: publishHandler } = require('../../lambda/publish') as typeof import('../../lambda/publish');
    /* eslint-enable @typescript-eslint/no-require-imports */

    const p = await probeHandler({ videoId: 'vid-l', sourceKey: keys.source('vid-l') }, context);
    expect([p.displayWidth, p.displayHeight, p.hasAudio]).toEqual([640, 360, true]);
    const rendition: Rendition = { name: '180p', width: 320, height: 180, videoBitrateKbps: 300, maxBitrateKbps: 450, bufferSizeKbits: 600, audioBitrateKbps: 64 };
    const [tr, th] = await Promise.all([
      transcodeHandler({ videoId: 'vid-l', sourceKey: keys.source('vid-l'), rendition, frameRate: p.frameRate, hasAudio: p.hasAudio, segmentSeconds: 4 }, context),
      thumbnailsHandler({ videoId: 'vid-l', sourceKey: keys.source('vid-l'), durationSeconds: p.durationSeconds, displayWidth: p.displayWidth, displayHeight: p.displayHeight }, context),
    ]);
    expect(tr.mp4).toMatchObject({ width: 320, height: 180 });
    expect(th.count).toBe(2);
    const pub = await publishHandler({ videoId: 'vid-l', source: { key: keys.source('vid-l'), probe: p }, renditions: [tr], thumbnails: th, timings: {} }, context);
    expect(pub.manifest.key).toBe(keys.manifest('vid-l'));
    // Everything landed in MEDIA_DIR/media, and results are plain JSON (what SWF records).
    const manifest = JSON.parse(await readFile(join(mediaDir, 'media', 'vid-l', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.renditions[0]!.mp4.key).toBe('vid-l/renditions/180p.mp4');
    expect(JSON.parse(JSON.stringify(tr))).toEqual(tr);
    expect((await stores.media.presignGet(pub.masterPlaylist.key, 60)).url).toBe('http://127.0.0.1:3999/files/media/vid-l/hls/master.m3u8');

    await expect(probeHandler({ videoId: 'vid-x', sourceKey: 'vid-x/source' }, context)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
