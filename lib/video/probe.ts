import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import type { ProbeInput, ProbeResult } from './contracts';
import { NotAVideoError, isAbortError, throwIfAborted } from './errors';
import { FfmpegError, ffmpegPath, runFfprobeJson, runProcess } from './ffmpeg';
import { downloadSource, requireKey, requireObject, requireVideoId, silentLogger, type StepContext } from './step-support';

/** The parts of `ffprobe -print_format json -show_format -show_streams` output we read. */
export interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  bit_rate?: string;
  nb_frames?: string;
  extradata?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number | string; displaymatrix?: string }[];
}

export interface FfprobeFormat {
  format_name?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: FfprobeFormat;
}

export type Rotation = ProbeResult['rotation'];

/** `30000/1001` -> 29.97..., `25` -> 25; 0 for `0/0` or garbage. */
export function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split('/');
  const num = Number(n);
  const den = d === undefined ? 1 : Number(d);
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0 || num <= 0) return 0;
  return num / den;
}

function normalizeRotation(degrees: number): Rotation {
  const r = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
  return r as Rotation;
}

/**
 * Clockwise display rotation of a video stream. ffmpeg 4.x reports the `rotate` tag (clockwise
 * degrees); newer ffprobe reports only the display matrix side data, whose `rotation` is
 * counter-clockwise (so a phone's portrait video is `rotate=90` or `rotation: -90`).
 */
export function rotationOf(stream: FfprobeStream): Rotation {
  const tag = stream.tags?.rotate;
  if (tag !== undefined && Number.isFinite(Number(tag))) return normalizeRotation(Number(tag));
  for (const sd of stream.side_data_list ?? []) {
    if (sd.side_data_type === 'Display Matrix' && sd.rotation !== undefined && Number.isFinite(Number(sd.rotation))) {
      return normalizeRotation(-Number(sd.rotation));
    }
  }
  return 0;
}

/** Formats that ffprobe "reads" but that are not videos (still images, text art). */
const NOT_VIDEO_FORMATS = new Set(['image2', 'tty', 'gif', 'apng', 'webp_pipe', 'ico', 'bmp_pipe']);
const STILL_IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff', 'ansi', 'jpeg2000', 'jpegls']);

function notAVideo(reason: string): NotAVideoError {
  return new NotAVideoError(`The upload is not a video: ${reason}`);
}

/** Picks the main video stream: the first video stream that is not cover art. */
export function mainVideoStream(probe: FfprobeOutput): FfprobeStream | undefined {
  return (probe.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
}

/** ffprobe's JSON -> ProbeResult; NotAVideoError when it does not describe a playable video. */
export function parseProbe(probe: FfprobeOutput, sizeBytes?: number): ProbeResult {
  const format = probe.format ?? {};
  const formatName = format.format_name ?? 'unknown';
  const video = mainVideoStream(probe);
  if (!video) {
    const kinds = [...new Set((probe.streams ?? []).map((s) => s.codec_type ?? 'unknown'))];
    throw notAVideo(kinds.length ? `it has no video stream (only ${kinds.join(', ')})` : `it has no video stream (format ${formatName})`);
  }
  if (NOT_VIDEO_FORMATS.has(formatName) || formatName.endsWith('_pipe')) {
    throw notAVideo(`it is an image or text, not a video (${formatName})`);
  }
  const codec = video.codec_name ?? 'unknown';
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (!(width > 0 && height > 0)) throw notAVideo(`its video stream (${codec}) has no frame size`);
  const duration = firstPositive(format.duration, video.duration);
  if (duration === undefined) throw notAVideo(`it has no duration (${formatName}, ${codec})`);
  const nbFrames = Number(video.nb_frames);
  if (STILL_IMAGE_CODECS.has(codec) && (nbFrames === 1 || !(duration > 0.1))) throw notAVideo(`it is a still image (${codec})`);

  const frameRate = round3(parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate));
  if (!(frameRate > 0) || frameRate > 1000) throw notAVideo(`its frame rate is unknown (${video.avg_frame_rate ?? '?'})`);

  const rotation = rotationOf(video);
  // Anamorphic sources (SAR other than 1:1) are displayed wider or narrower than coded.
  const sar = parseRate(video.sample_aspect_ratio?.replace(':', '/'));
  const shownWidth = sar > 0 && Math.abs(sar - 1) > 0.001 ? Math.round(width * sar) : width;
  const quarter = rotation === 90 || rotation === 270;
  const audio = (probe.streams ?? []).find((s) => s.codec_type === 'audio');
  const bitRate = Number(format.bit_rate ?? video.bit_rate);
  const size = sizeBytes ?? Number(format.size);

  return {
    durationSeconds: round3(duration),
    width,
    height,
    rotation,
    displayWidth: quarter ? height : shownWidth,
    displayHeight: quarter ? shownWidth : height,
    frameRate,
    videoCodec: codec,
    hasAudio: audio !== undefined,
    ...(audio?.codec_name ? { audioCodec: audio.codec_name } : {}),
    ...(Number.isFinite(bitRate) && bitRate > 0 ? { bitRate: Math.round(bitRate) } : {}),
    sizeBytes: Number.isFinite(size) ? size : 0,
    formatName,
  };
}

function firstPositive(...values: (string | undefined)[]): number | undefined {
  for (const v of values) {
    const n = Number(v);
    if (v !== undefined && Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The ffprobe arguments for a file. */
export function probeArgs(file: string): string[] {
  return ['-show_format', '-show_streams', file];
}

/**
 * Runs ffprobe on a local file. ffprobe failing to read it is a NotAVideoError. ffprobe *crashing*
 * (killed by a signal: the static ffprobe 6.x build segfaults on some MPEG-TS files) says nothing
 * about the file, so the file is remuxed (`-c copy`) to Matroska with ffmpeg and that is probed.
 */
export async function ffprobeFile(file: string, options: { signal?: AbortSignal; extra?: string[]; remuxOnCrash?: boolean } = {}): Promise<FfprobeOutput> {
  const sig = options.signal ? { signal: options.signal } : {};
  try {
    return await runFfprobeJson<FfprobeOutput>([...(options.extra ?? []), ...probeArgs(file)], sig);
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof FfmpegError && error.exitSignal && options.remuxOnCrash !== false) return probeViaRemux(file, options);
    throw probeFailure(error);
  }
}

function probeFailure(error: unknown): unknown {
  if (error instanceof FfmpegError) {
    if (error.exitSignal) return new Error(`ffprobe crashed (${error.exitSignal})`);
    const tail = (error.stderr.trim().split(/\r?\n/).pop() ?? '').replace(/^.*?:\s*/, '');
    return notAVideo(`ffprobe could not read it (${tail || `exit code ${error.exitCode}`})`);
  }
  if (error instanceof SyntaxError) return notAVideo('ffprobe returned no usable description');
  return error;
}

/** The arguments of the fallback remux: audio and video streams copied into Matroska. */
export function remuxForProbeArgs(source: string, output: string): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-i', source, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-f', 'matroska', output];
}

async function probeViaRemux(file: string, options: { signal?: AbortSignal; extra?: string[] }): Promise<FfprobeOutput> {
  const sig = options.signal ? { signal: options.signal } : {};
  const remuxed = `${file}.probe.mkv`;
  try {
    let stderr: string;
    try {
      stderr = (await runProcess(ffmpegPath(), remuxForProbeArgs(file, remuxed), sig)).stderr;
    } catch (error) {
      if (error instanceof FfmpegError && !error.exitSignal) {
        const line = error.stderr.trim().split(/\r?\n/).pop() ?? '';
        throw notAVideo(`ffmpeg could not read it (${line.replace(/^.*?:\s*/, '') || `exit code ${error.exitCode}`})`);
      }
      throw error;
    }
    let out: FfprobeOutput;
    try {
      out = await runFfprobeJson<FfprobeOutput>([...(options.extra ?? []), ...probeArgs(remuxed)], sig);
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw probeFailure(error);
    }
    // Report the original container, as ffmpeg named it, and the original size.
    const inputFormat = /^Input #0, (.+?), from /m.exec(stderr)?.[1];
    const { size } = await stat(file);
    const duration = Number(out.format?.duration);
    out.format = {
      ...out.format,
      ...(inputFormat ? { format_name: inputFormat } : {}),
      size: String(size),
      ...(duration > 0 ? { bit_rate: String(Math.round((size * 8) / duration)) } : {}),
    };
    return out;
  } finally {
    await rm(remuxed, { force: true });
  }
}

/** Probes a local file into a ProbeResult. */
export async function probeFile(file: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const { size } = await stat(file);
  if (size === 0) throw notAVideo('the file is empty');
  return parseProbe(await ffprobeFile(file, options), size);
}

/** The probe step: downloads the upload into the work dir and describes it. */
export async function probe(input: ProbeInput, stores: { uploads: BlobStore }, ctx: StepContext): Promise<ProbeResult> {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  const sourceKey = requireKey(i.sourceKey, 'sourceKey');
  const log = ctx.logger ?? silentLogger;
  const file = join(ctx.workDir, 'source');
  await downloadSource(stores.uploads, sourceKey, file, ctx.signal);
  throwIfAborted(ctx.signal);
  const result = await probeFile(file, ctx.signal ? { signal: ctx.signal } : {});
  log.info('probed', { sourceKey, result });
  ctx.onProgress?.(1);
  return result;
}
