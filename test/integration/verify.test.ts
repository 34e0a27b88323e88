/**
 * Output verification on real outputs: a real transcode passes; publish refuses, with a named
 * reason and without writing anything, a rendition shorter than its source, one ffprobe cannot
 * read, and one whose playlist lost its segments.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTestClip } from '../../lib/cli/test-clip';
import { LocalBlobStore } from '../../lib/storage/local-blob-store';
import { keys, type PublishInput, type ThumbnailsResult, type TranscodeResult } from '../../lib/video/contracts';
import { OutputInvalidError, OutputTooShortError } from '../../lib/video/errors';
import { probeFile } from '../../lib/video/probe';
import { publish } from '../../lib/video/publish';
import { transcode } from '../../lib/video/transcode';
import { probeStored, verifyStoredOutputs } from '../../lib/video/verify';

jest.setTimeout(120_000);

let root: string;
let uploads: LocalBlobStore;
let media: LocalBlobStore;
let input: PublishInput;

const thumbnails = (videoId: string): ThumbnailsResult => {
  const f = (key: string) => ({ key, sizeBytes: 1, sha256: 'a'.repeat(64) });
  return { poster: { ...f(keys.poster(videoId)), width: 320, height: 240 }, sprite: { ...f(keys.sprite(videoId)), width: 1, height: 1, columns: 1, rows: 1, tileWidth: 1, tileHeight: 1 }, vtt: f(keys.vtt(videoId)), intervalSeconds: 1, count: 1, elapsedMs: 1 };
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'verify-it-'));
  uploads = new LocalBlobStore({ root: join(root, 'uploads') });
  media = new LocalBlobStore({ root: join(root, 'media') });
  const clip = join(root, 'clip.mp4');
  await generateTestClip(clip, { seconds: 5, width: 320, height: 240 });
  await uploads.putFile('v/source', clip, 'video/mp4');
  const probe = await probeFile(clip);
  const work = join(root, 'work');
  await mkdir(work);
  const rendition = { name: '240p', width: 320, height: 240, videoBitrateKbps: 300, maxBitrateKbps: 321, bufferSizeKbits: 450, audioBitrateKbps: 96 };
  const result: TranscodeResult = await transcode({ videoId: 'v', sourceKey: 'v/source', rendition, frameRate: probe.frameRate, hasAudio: true, segmentSeconds: 4 }, { uploads, media }, { workDir: work, preset: 'ultrafast' });
  const t = thumbnails('v');
  for (const k of [t.poster.key, t.sprite.key, t.vtt.key]) await media.putBuffer(k, 'x');
  input = { videoId: 'v', source: { key: 'v/source', probe }, renditions: [result], thumbnails: t, timings: {} };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a real transcode passes: ffprobe reads the stored MP4 in place', async () => {
  const probed = await probeStored(media, input.renditions[0]!.mp4.key);
  expect(Number(probed.format?.duration)).toBeCloseTo(5, 1);
  await expect(verifyStoredOutputs(input, media)).resolves.toBeUndefined();
});

test('a rendition shorter than its source: OutputTooShort, and nothing published', async () => {
  const longer = { ...input, source: { ...input.source, probe: { ...input.source.probe, durationSeconds: 10 } } };
  const error = await publish(longer, { media }).then(() => new Error('published'), (e: unknown) => e as Error);
  expect(error).toBeInstanceOf(OutputTooShortError);
  expect(error.message).toMatch(/^Output verification failed: 240p: the MP4 lasts 5\.\d+ s but its source 10\.000 s/);
  expect(await media.head(keys.manifest('v'))).toBeUndefined();
  expect(await media.head(keys.hlsMaster('v'))).toBeUndefined();
});

test('an MP4 ffprobe cannot read, and a playlist that lost a segment: OutputInvalid / OutputTooShort', async () => {
  const broken = join(root, 'broken.mp4');
  await writeFile(broken, 'not an mp4 at all');
  await media.putFile('w/renditions/240p.mp4', broken);
  await expect(probeStored(media, 'w/renditions/240p.mp4')).rejects.toThrow(OutputInvalidError);
  await expect(probeStored(media, 'w/renditions/240p.mp4')).rejects.toThrow(/ffprobe cannot read w\/renditions\/240p\.mp4/);

  const playlistKey = input.renditions[0]!.hls.playlist.key;
  const original = (await media.getBuffer(playlistKey)).toString();
  const lines = original.split('\n');
  const last = lines.map((l) => l.startsWith('#EXTINF')).lastIndexOf(true);
  await media.putBuffer(playlistKey, [...lines.slice(0, last), ...lines.slice(last + 2)].join('\n'));
  try {
    await expect(verifyStoredOutputs(input, media)).rejects.toThrow(/240p: its HLS playlist lists 1 segments, transcode reported 2; 240p: its HLS segments add up to 4\.000 s/);
  } finally {
    await media.putBuffer(playlistKey, original);
  }
  // Retrying publish (SWF's retry) meets the same outputs: the verdict is the same, so it is final.
  await expect(verifyStoredOutputs(input, media)).resolves.toBeUndefined();
});
