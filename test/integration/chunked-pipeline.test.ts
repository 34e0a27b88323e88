/**
 * Chunked encoding end to end on swf-local: a generated 3-minute clip (small frame, 10 fps, so
 * it suits a loaded CI box) goes through the API, the ProcessVideo decider plans 20-second chunks,
 * one ProcessRendition child per rendition encodes them two at a time plus the audio once, and the
 * package step joins them. The outputs must pass the checks a single encode passes, and more: the
 * same frames as the source, keyframes and HLS segments on the same 4 s grid in every rendition,
 * and no audible join in a continuous tone.
 */
import { join } from 'node:path';
import type { VideoStatus } from '../../lib/api/status';
import { generateTestClip } from '../../lib/cli/test-clip';
import { CHUNK_PLAN_MARKER, DOMAIN, HLS_SEGMENT_SECONDS, RENDITION_WORKFLOW_TYPE } from '../../lib/video/definition';
import { ffmpegPath, runFfprobeJson, runProcess } from '../../lib/video/ffmpeg';
import { parseMediaPlaylist } from '../../lib/video/transcode';
import { renditionWorkflowId } from '../../lib/video/workflow';
import { isClosed, uploadVideo, useLocalPipeline, waitForVideo } from '../helpers/pipeline';

jest.setTimeout(300_000);

const SECONDS = 180;
const FPS = 10;
const CHUNK_SECONDS = 20;
const pipeline = useLocalPipeline('chunked', { chunking: { seconds: CHUNK_SECONDS, concurrency: 2 } });
const { dir } = pipeline;

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; nb_frames?: string; duration?: string }[];
  format: { duration: string };
}

/** Presentation times of the keyframes of a file's video stream, from its packets (no decode). */
async function keyframeTimes(url: string): Promise<number[]> {
  const out = await runFfprobeJson<{ packets: { pts_time?: string; flags?: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', url]);
  return out.packets.filter((p) => p.flags?.startsWith('K')).map((p) => Number(p.pts_time));
}

/**
 * The peak (dBFS) of what a 3 kHz high-pass leaves of a window of the audio. The source is a
 * steady 440 Hz tone, which the filter removes; a click or gap at a join is broadband and stays.
 * The input seek lands a second early, so the filter has settled before the window.
 */
async function highPassPeakDb(url: string, atSeconds: number, halfWindow = 0.05): Promise<number> {
  const seek = Math.max(0, atSeconds - 1);
  const from = atSeconds - seek - halfWindow;
  const { stderr } = await runProcess(ffmpegPath(), [
    '-hide_banner', '-nostdin', '-ss', seek.toFixed(3), '-i', url, '-map', '0:a:0',
    '-af', `highpass=f=3000,atrim=${from.toFixed(3)}:${(from + 2 * halfWindow).toFixed(3)},astats`,
    '-f', 'null', '-',
  ]);
  const peaks = [...stderr.matchAll(/Peak level dB: (-?[\d.]+|-inf)/g)].map((m) => (m[1] === '-inf' ? -Infinity : Number(m[1])));
  expect(peaks.length).toBeGreaterThan(0);
  return peaks[peaks.length - 1]!;
}

test('a 3-minute clip is encoded in chunks by child workflows and joins without a trace', async () => {
  const clip = join(dir, 'clip-3min.mp4');
  await generateTestClip(clip, { seconds: SECONDS, width: 854, height: 480, frameRate: FPS });
  const source = await runFfprobeJson<Probe>(['-show_streams', '-show_format', clip]);
  const sourceVideo = source.streams.find((s) => s.codec_type === 'video')!;

  const videoId = await uploadVideo(pipeline.client, clip);
  const status = await waitForVideo(pipeline.client, videoId, isClosed, 240_000);
  expect(status.status).toBe('COMPLETED');
  expect(status.steps.map((s) => `${s.name}${s.rendition ? ` ${s.rendition}` : ''}:${s.state}`)).toEqual([
    'probe:COMPLETED',
    'ladder:COMPLETED',
    'transcode 480p:COMPLETED',
    'transcode 360p:COMPLETED',
    'thumbnails:COMPLETED',
    'publish:COMPLETED',
  ]);
  const outputs = status.outputs!;

  // The plan is a marker in the parent's history; each rendition is a child with its own history.
  const { events } = await pipeline.client.history(videoId);
  const marker = events.find((e) => e.markerRecordedEventAttributes?.markerName === CHUNK_PLAN_MARKER);
  const chunkCount = SECONDS / CHUNK_SECONDS;
  expect(JSON.parse(marker!.markerRecordedEventAttributes!.details!)).toEqual({ seconds: CHUNK_SECONDS, count: chunkCount, concurrency: 2, segmentSeconds: HLS_SEGMENT_SECONDS });
  expect(events.filter((e) => e.eventType === 'ChildWorkflowExecutionCompleted')).toHaveLength(2);
  for (const r of outputs.renditions) {
    const child = await pipeline.stack.swf.getWorkflowExecutionHistory({ domain: DOMAIN, execution: { workflowId: renditionWorkflowId(videoId, r.name), runId: events.find((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId === renditionWorkflowId(videoId, r.name))!.childWorkflowExecutionStartedEventAttributes!.workflowExecution!.runId! }, maximumPageSize: 1000 });
    const childEvents = child.events ?? [];
    expect(childEvents[0]!.workflowExecutionStartedEventAttributes!.workflowType).toEqual(RENDITION_WORKFLOW_TYPE);
    const fns = childEvents.filter((e) => e.eventType === 'LambdaFunctionScheduled').map((e) => e.lambdaFunctionScheduledEventAttributes!.id);
    expect(fns).toEqual(expect.arrayContaining(['audio', 'package', ...Array.from({ length: chunkCount }, (_, i) => `chunk-${i}`)]));
    // Never more than two chunks open at once.
    const idByEvent = new Map(childEvents.filter((e) => e.eventType === 'LambdaFunctionScheduled').map((e) => [e.eventId, e.lambdaFunctionScheduledEventAttributes!.id!]));
    let open = 0;
    let most = 0;
    for (const e of childEvents) {
      if (e.eventType === 'LambdaFunctionScheduled' && idByEvent.get(e.eventId)!.startsWith('chunk-')) most = Math.max(most, ++open);
      const closes = e.lambdaFunctionCompletedEventAttributes?.scheduledEventId ?? e.lambdaFunctionFailedEventAttributes?.scheduledEventId ?? e.lambdaFunctionTimedOutEventAttributes?.scheduledEventId;
      if (closes !== undefined && idByEvent.get(closes)?.startsWith('chunk-')) open--;
    }
    expect(most).toBe(2);
    expect(childEvents[childEvents.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
  }

  const keyframes: number[][] = [];
  const segmentDurations: number[][] = [];
  for (const r of outputs.renditions) {
    // Same checks as a single encode: H.264 at the planned size, AAC audio...
    const probe = await runFfprobeJson<Probe>(['-show_streams', '-show_format', r.mp4.url]);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect([video.codec_name, video.width, video.height]).toEqual(['h264', r.width, r.height]);
    expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    // ...and every source frame exactly once: the same count, the duration within one frame.
    expect(Number(video.nb_frames)).toBe(Number(sourceVideo.nb_frames));
    expect(Math.abs(Number(video.duration) - Number(sourceVideo.duration))).toBeLessThanOrEqual(1 / FPS + 1e-6);
    keyframes.push(await keyframeTimes(r.mp4.url));

    const playlistUrl = new URL(`${r.name}/index.m3u8`, outputs.masterPlaylist.url).toString();
    const playlist = parseMediaPlaylist(await fetchText(playlistUrl));
    expect(playlist.endList).toBe(true);
    segmentDurations.push(playlist.segments.map((s) => Number(s.durationSeconds.toFixed(3))));
  }
  // Keyframes on the 4 s grid, the same in every rendition (chunk joins included), so the HLS
  // segments line up across the ladder.
  const grid = Array.from({ length: SECONDS / HLS_SEGMENT_SECONDS }, (_, i) => i * HLS_SEGMENT_SECONDS);
  for (const k of keyframes) expect(k.map((t) => Number(t.toFixed(3)))).toEqual(grid);
  expect(segmentDurations[0]).toEqual(grid.map(() => HLS_SEGMENT_SECONDS));
  for (const d of segmentDurations) expect(d).toEqual(segmentDurations[0]);

  // A player's view: ffmpeg follows the master playlist over HTTP and decodes it to the end.
  const played = await runProcess(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', outputs.masterPlaylist.url, '-map', '0:v:0', '-map', '0:a:0', '-f', 'null', '-']);
  const last = [...played.stderr.matchAll(/time=(\d+):(\d+):([\d.]+)/g)].pop()!;
  expect(Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])).toBeCloseTo(SECONDS, 0);

  // No click at a join: what a high-pass leaves of the tone at each chunk join is no louder than
  // mid-chunk (a separately encoded audio piece per chunk measures about 10 dB louder there).
  const mp4 = outputs.renditions[0]!.mp4.url;
  const baseline = Math.max(...(await Promise.all([10, 50, 130].map((t) => highPassPeakDb(mp4, t)))));
  for (let i = 1; i < chunkCount; i++) expect(await highPassPeakDb(mp4, i * CHUNK_SECONDS)).toBeLessThanOrEqual(baseline + 3);
  // Nor a gap: the tone never drops to silence (but for AAC's padding after its very end).
  const silence = await runProcess(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', mp4, '-map', '0:a:0', '-af', 'silencedetect=noise=-40dB:d=0.01', '-f', 'null', '-']);
  const gaps = [...silence.stderr.matchAll(/silence_start: ([\d.]+)/g)].map((m) => Number(m[1]));
  expect(gaps.filter((t) => t < SECONDS - 0.05)).toEqual([]);

  // Thumbnails made chunk by chunk make one sheet: a tile every 2 s, 90 tiles.
  const vtt = await fetchText(outputs.thumbnails!.vtt.url);
  expect(vtt.match(/sprite\.jpg#xywh=/g)).toHaveLength(90);
  const manifest = JSON.parse(await fetchText(outputs.manifest.url)) as { renditions: unknown[]; thumbnails: { count: number } };
  expect(manifest.renditions).toHaveLength(2);
  expect(manifest.thumbnails.count).toBe(90);
});
