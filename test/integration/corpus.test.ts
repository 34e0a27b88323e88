/**
 * The corpus: every generated odd input (test/helpers/media-inputs.ts) uploaded through the API
 * to the whole local pipeline, each ending in its expected state with its expected reason. A
 * COMPLETED one is also checked by the shared helper (no output shorter than its source) and
 * its manifest read back.
 */
import { join } from 'node:path';
import type { VideoStatus } from '../../lib/api/status';
import { generateTestClip } from '../../lib/cli/test-clip';
import type { Manifest } from '../../lib/video/contracts';
import { MEDIA_INPUTS, type MediaInput } from '../helpers/media-inputs';
import { expectNoShortOutputs, uploadVideo, useLocalPipeline, waitForVideo } from '../helpers/pipeline';

jest.setTimeout(300_000);

const pipeline = useLocalPipeline('corpus');
const { dir } = pipeline;

/** What happened to one input: the closed status, or the API's refusal. */
type Outcome = { status: VideoStatus } | { refused: { httpStatus: number; message: string } };

async function run(input: MediaInput): Promise<Outcome> {
  const file = join(dir, input.fileName);
  await input.make(file, dir);
  let videoId: string;
  try {
    videoId = await uploadVideo(pipeline.client, file);
  } catch (error) {
    const e = error as Error & { status?: number };
    return { refused: { httpStatus: e.status ?? 0, message: e.message } };
  }
  return { status: await waitForVideo(pipeline.client, videoId) };
}

test('the corpus has at least 15 inputs with distinct names', () => {
  expect(MEDIA_INPUTS.length).toBeGreaterThanOrEqual(15);
  expect(new Set(MEDIA_INPUTS.map((i) => i.name)).size).toBe(MEDIA_INPUTS.length);
  expect(new Set(MEDIA_INPUTS.map((i) => i.fileName)).size).toBe(MEDIA_INPUTS.length);
});

test("the shared helper refuses a COMPLETED video whose output is cut short", async () => {
  const short = join(dir, 'short.mp4');
  const long = join(dir, 'long.mp4');
  await generateTestClip(short, { seconds: 1, width: 320, height: 240 });
  await generateTestClip(long, { seconds: 3, width: 320, height: 240 });
  const link = (file: string) => ({ key: file, url: file });
  const status = (file: string, seconds: number): VideoStatus => ({
    videoId: 'v',
    runId: 'r',
    status: 'COMPLETED',
    cancelRequested: false,
    steps: [],
    source: { durationSeconds: seconds, width: 320, height: 240, rotation: 0, displayWidth: 320, displayHeight: 240, frameRate: 30, videoCodec: 'h264', hasAudio: true, sizeBytes: 1, formatName: 'mp4' },
    outputs: { expiresAt: '', manifest: link(file), masterPlaylist: link(file), renditions: [{ name: '240p', width: 320, height: 240, bitrateKbps: 1, durationSeconds: 1, mp4: link(file), playlist: link(file) }] },
  });
  await expect(expectNoShortOutputs(status(short, 3))).rejects.toThrow(/240p rendition lasts 1(\.\d+)? s, its source 3 s/);
  // The source file's own container is read too: a probe that under-reports cannot hide it.
  await expect(expectNoShortOutputs(status(short, 1), long)).rejects.toThrow(/shorter by more than one frame/);
  await expect(expectNoShortOutputs(status(long, 3), long)).resolves.toBeUndefined();
});

test.each(MEDIA_INPUTS.map((input) => [input.name, input] as const))('%s', async (_name, input) => {
  const outcome = await run(input);
  const { expected } = input;
  switch (expected.status) {
    case 'REFUSED': {
      expect(outcome).toHaveProperty('refused');
      const refused = (outcome as { refused: { httpStatus: number; message: string } }).refused;
      expect(refused.httpStatus).toBe(expected.httpStatus);
      expect(refused.message).toMatch(expected.message);
      return;
    }
    case 'FAILED': {
      const { status } = outcome as { status: VideoStatus };
      expect([status.status, status.failure?.reason, status.failure?.step]).toEqual(['FAILED', expected.reason, expected.step]);
      expect(status.failure?.message).toMatch(expected.message);
      // Named reasons are final: one attempt, no retries.
      expect(status.steps.find((s) => s.name === expected.step)).toMatchObject({ state: 'FAILED', attempts: 1 });
      return;
    }
    case 'COMPLETED': {
      const { status } = outcome as { status: VideoStatus };
      expect([status.status, status.failure]).toEqual(['COMPLETED', undefined]);
      expect(status.outputs!.renditions.map((r) => [r.name, r.width, r.height])).toEqual(expected.renditions);
      const manifest = JSON.parse(await (await fetch(status.outputs!.manifest.url)).text()) as Manifest;
      expect(manifest.ladder?.renditions).toEqual(expected.renditions.map(([name]) => name));
      expect(manifest.source.traits).toEqual(status.source?.traits);
      if (input.fileName === 'hdr10.mp4') expect(manifest.source.traits).toMatchObject({ hdr: true, bitDepth: 10 });
      if (input.fileName === 'interlaced.mp4') expect(manifest.source.traits).toMatchObject({ interlaced: true });
      if (input.fileName === 'vfr.mp4') expect(manifest.source.traits).toMatchObject({ variableFrameRate: true });
      if (input.fileName === 'almost-hd.mp4') {
        expect(manifest.ladder?.note).toBe("No 1080p rendition: the source's short side is 1078 px (1918x1078), and renditions are never upscaled.");
      }
      return;
    }
    default: {
      const never: never = expected;
      throw new Error(`unknown expectation ${JSON.stringify(never)}`);
    }
  }
});
