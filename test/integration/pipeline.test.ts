/**
 * The whole pipeline on one machine, driven the way a user drives it: through the HTTP API, with
 * real ffmpeg behind the step handlers, swf-local coordinating and the real decider deciding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTestClip } from '../../lib/cli/test-clip';
import { ffmpegPath, runFfprobeJson, runProcess } from '../../lib/video/ffmpeg';
import { isClosed as closed, uploadVideo, useLocalPipeline, waitForVideo } from '../helpers/pipeline';

jest.setTimeout(180_000);

const pipeline = useLocalPipeline('pipeline');
const { dir } = pipeline;

const until = (videoId: string, done: Parameters<typeof waitForVideo>[2]) => waitForVideo(pipeline.client, videoId, done);

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

test('a 2-second 1280x720 upload becomes three renditions, a playable HLS ladder and thumbnails', async () => {
  const clip = join(dir, 'clip.mp4');
  await generateTestClip(clip, { seconds: 2, width: 1280, height: 720 });
  const videoId = await uploadVideo(pipeline.client, clip);
  const status = await until(videoId, closed);
  expect(status.status).toBe('COMPLETED');
  expect(status.steps.map((s) => `${s.name}${s.rendition ? ` ${s.rendition}` : ''}:${s.state}`)).toEqual([
    'probe:COMPLETED',
    'ladder:COMPLETED',
    'transcode 720p:COMPLETED',
    'transcode 480p:COMPLETED',
    'transcode 360p:COMPLETED',
    'thumbnails:COMPLETED',
    'publish:COMPLETED',
  ]);
  const outputs = status.outputs!;
  expect(outputs.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
    ['720p', 1280, 720],
    ['480p', 854, 480],
    ['360p', 640, 360],
  ]);

  // Each MP4, read back from its download URL, has the planned resolution, H.264 video and AAC audio.
  for (const r of outputs.renditions) {
    const probe = (await runFfprobeJson(['-show_streams', '-show_format', r.mp4.url])) as {
      streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
      format: { duration: string };
    };
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect([video.codec_name, video.width, video.height]).toEqual(['h264', r.width, r.height]);
    expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    expect(Number(probe.format.duration)).toBeCloseTo(2, 0);
  }

  // The master playlist lists every rendition, and a player can follow it down to the segments.
  const master = await fetchText(outputs.masterPlaylist.url);
  expect(master.startsWith('#EXTM3U')).toBe(true);
  const variants = master.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(variants).toEqual(['720p/index.m3u8', '480p/index.m3u8', '360p/index.m3u8']);
  expect(master).toContain('RESOLUTION=1280x720');
  for (const v of variants) {
    const media = await fetchText(new URL(v, outputs.masterPlaylist.url).toString());
    expect(media).toContain('#EXT-X-ENDLIST');
    const segment = media.split('\n').find((l) => l.endsWith('.ts'))!;
    const res = await fetch(new URL(segment, new URL(v, outputs.masterPlaylist.url)).toString());
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }
  // A player's view: ffmpeg opens the master playlist over HTTP and decodes it to the end. (The
  // bundled ffprobe build crashes on MPEG-TS, so ffmpeg does the reading.)
  const played = await runProcess(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', outputs.masterPlaylist.url, '-map', '0:v:0', '-map', '0:a:0', '-f', 'null', '-']);
  expect(played.stderr).toMatch(/Input #0, hls/);
  const time = /time=(\d+):(\d+):([\d.]+)/g;
  const last = [...played.stderr.matchAll(time)].pop()!;
  expect(Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])).toBeCloseTo(2, 0);

  // Thumbnails: a JPEG poster and sprite, and a WebVTT track that points into the sprite.
  const poster = Buffer.from(await (await fetch(outputs.thumbnails!.poster.url)).arrayBuffer());
  expect(poster.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  const sprite = Buffer.from(await (await fetch(outputs.thumbnails!.sprite.url)).arrayBuffer());
  expect(sprite.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  const vtt = await fetchText(outputs.thumbnails!.vtt.url);
  expect(vtt.startsWith('WEBVTT')).toBe(true);
  expect(vtt).toMatch(/sprite\.jpg#xywh=\d+,\d+,\d+,\d+/);

  const manifest = JSON.parse(await fetchText(outputs.manifest.url)) as { videoId: string; renditions: unknown[] };
  expect(manifest.videoId).toBe(videoId);
  expect(manifest.renditions).toHaveLength(3);

  // The history, as the API serves it, tells the same story in SWF's own events.
  const { events } = await pipeline.client.history(videoId);
  expect(events[0]!.eventType).toBe('WorkflowExecutionStarted');
  expect(events[events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
  expect(events.filter((e) => e.eventType === 'LambdaFunctionCompleted')).toHaveLength(6);
});

test('an upload that is not a video fails the workflow with a clear reason', async () => {
  const bogus = join(dir, 'not-a-video.mp4');
  writeFileSync(bogus, 'this is plain text, not a video\n'.repeat(100));
  const videoId = await uploadVideo(pipeline.client, bogus);
  const status = await until(videoId, closed);
  expect(status.status).toBe('FAILED');
  expect(status.failure).toMatchObject({ reason: 'NotAVideo', step: 'probe', error: 'NotAVideoError' });
  expect(status.failure?.message).toMatch(/not a video/i);
  expect(status.steps.find((s) => s.name === 'probe')).toMatchObject({ state: 'FAILED', attempts: 1 });
});

test('cancelling mid-way stops the workflow: it closes CANCELED and publishes nothing', async () => {
  const clip = join(dir, 'long.mp4');
  await generateTestClip(clip, { seconds: 20, width: 1280, height: 720 });
  const videoId = await uploadVideo(pipeline.client, clip);
  await until(videoId, (s) => s.steps.some((step) => step.name === 'transcode' && step.state === 'RUNNING'));
  await pipeline.client.cancel(videoId);
  const status = await until(videoId, closed);
  expect(status.status).toBe('CANCELED');
  expect(status.steps.find((s) => s.name === 'publish')?.state).toBe('NOT_RUN');
  const { events } = await pipeline.client.history(videoId);
  const types = events.map((e) => e.eventType);
  expect(types).toContain('WorkflowExecutionCancelRequested');
  expect(types[types.length - 1]).toBe('WorkflowExecutionCanceled');
  const scheduled = events.filter((e) => e.eventType === 'LambdaFunctionScheduled').map((e) => e.lambdaFunctionScheduledEventAttributes?.id);
  expect(scheduled).not.toContain('publish');
});
