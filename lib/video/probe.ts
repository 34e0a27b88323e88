import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { LocalBlobStore } from '../storage/local-blob-store';
import type { ProbeInput, ProbeResult, SourceTraits } from './contracts';
import { FrameTooLargeError, InvalidInputError, NotAVideoError, TruncatedSourceError, isAbortError, throwIfAborted } from './errors';
import { FfmpegError, ffmpegPath, runFfprobeJson, runProcess } from './ffmpeg';
import { requireKey, requireObject, requireVideoId, silentLogger, type StepContext } from './step-support';

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
  pix_fmt?: string;
  field_order?: string;
  color_transfer?: string;
  start_time?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number | string; displaymatrix?: string }[];
}

export interface FfprobeFormat {
  format_name?: string;
  start_time?: string;
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

/**
 * The largest frame the pipeline accepts: no side above 8192 (H.264's level 6.2 limit, and what a
 * rendition may be) and no more pixels than 8K UHD. Larger sources are refused at probe
 * (FrameTooLargeError) rather than left to fail an encode after minutes of work.
 */
export const MAX_SOURCE_SIDE = 8192;
export const MAX_SOURCE_PIXELS = 7680 * 4320;

/** Transfer functions of HDR video: PQ (HDR10, Dolby Vision base layers) and HLG. */
const HDR_TRANSFERS = new Set(['smpte2084', 'arib-std-b67']);
/** Field orders that mean interlaced coding (`progressive` and `unknown` do not). */
const INTERLACED_FIELD_ORDERS = new Set(['tt', 'bb', 'tb', 'bt']);
/** avg_frame_rate this far (relative) from r_frame_rate marks a variable frame rate. */
const VFR_TOLERANCE = 0.02;
/** Above this, a VFR source's r_frame_rate is a timestamp artefact, not a rate to encode at; avg_frame_rate is used. */
const MAX_VFR_BASE_RATE = 120;

/** `yuv420p10le` -> 10; 8 for formats without a depth suffix. */
export function bitDepthOf(pixFmt: string | undefined): number {
  const m = /p(\d{1,2})(?:le|be)$/.exec(pixFmt ?? '');
  return m ? Number(m[1]) : 8;
}

/** What else the pipeline needs to know about a source's video stream (see SourceTraits). */
export function traitsOf(video: FfprobeStream): Omit<SourceTraits, 'decodableSeconds'> {
  const r = parseRate(video.r_frame_rate);
  const avg = parseRate(video.avg_frame_rate);
  return {
    variableFrameRate: r > 0 && avg > 0 && Math.abs(r - avg) / r > VFR_TOLERANCE,
    interlaced: INTERLACED_FIELD_ORDERS.has(video.field_order ?? ''),
    hdr: HDR_TRANSFERS.has(video.color_transfer ?? ''),
    bitDepth: bitDepthOf(video.pix_fmt),
    pixelFormat: video.pix_fmt ?? 'unknown',
  };
}

/** Picks the main video stream: the first video stream that is not cover art. */
export function mainVideoStream(probe: FfprobeOutput): FfprobeStream | undefined {
  return (probe.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
}

/** A ProbeResult as probe makes it now: with its traits. */
export type ProbedSource = ProbeResult & { traits: SourceTraits };

/** ffprobe's JSON -> ProbeResult; NotAVideoError when it does not describe a playable video. */
export function parseProbe(probe: FfprobeOutput, sizeBytes?: number): ProbedSource {
  const format = probe.format ?? {};
  const formatName = format.format_name ?? 'unknown';
  const video = mainVideoStream(probe);
  if (!video && (probe.streams ?? []).length === 0 && /\bmp4\b|\bmov\b/.test(formatName)) {
    throw new TruncatedSourceError('The upload is cut off: it is an MP4/MOV file whose index (moov atom) is incomplete, so none of its media can be read');
  }
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
  if (width > MAX_SOURCE_SIDE || height > MAX_SOURCE_SIDE || width * height > MAX_SOURCE_PIXELS) {
    throw new FrameTooLargeError(`The video's frame is ${width}x${height}; the pipeline accepts at most ${MAX_SOURCE_SIDE} pixels a side and ${MAX_SOURCE_PIXELS} pixels (7680x4320)`);
  }
  const duration = firstPositive(format.duration, video.duration);
  if (duration === undefined) throw notAVideo(`it has no duration (${formatName}, ${codec})`);
  const nbFrames = Number(video.nb_frames);
  if (STILL_IMAGE_CODECS.has(codec) && (nbFrames === 1 || !(duration > 0.1))) throw notAVideo(`it is a still image (${codec})`);

  const traits = traitsOf(video);
  // A variable-rate source comes out at the constant rate its timestamps are on (r_frame_rate;
  // ffmpeg fills the gaps), so that is the rate the GOP and the playlists must use.
  const baseRate = parseRate(video.r_frame_rate);
  const frameRate = round3(traits.variableFrameRate && baseRate <= MAX_VFR_BASE_RATE ? baseRate : parseRate(video.avg_frame_rate) || baseRate);
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
    traits: { ...traits, decodableSeconds: round3(duration) },
  };
}

function firstPositive(...values: (string | undefined)[]): number | undefined {
  for (const v of values) {
    const n = Number(v);
    if (v !== undefined && Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}

/** Seconds rounded to the millisecond, as every duration the pipeline reports. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The ffprobe arguments for a file or URL. */
export function probeArgs(input: string): string[] {
  return ['-show_format', '-show_streams', input];
}

export interface FfprobeFileOptions {
  signal?: AbortSignal;
  extra?: string[];
  remuxOnCrash?: boolean;
  /** Where the crash fallback writes its remux; default beside a local `input`. */
  workDir?: string;
  /** The input's size, when it is a URL (the remux fallback reports it as the source's). */
  sizeBytes?: number;
}

/**
 * Runs ffprobe on a local file or a URL. ffprobe failing to read it is a NotAVideoError (or a
 * TruncatedSourceError for an MP4 without its index). ffprobe *crashing* (killed by a signal: the
 * packaged static ffprobe segfaults on MPEG-TS, see README "ffmpeg") says nothing about the input,
 * so its first seconds are remuxed (`-c copy`) to Matroska with ffmpeg and that is probed, with the
 * duration ffmpeg reads from the whole input.
 */
export async function ffprobeFile(input: string, options: FfprobeFileOptions = {}): Promise<FfprobeOutput> {
  const sig = options.signal ? { signal: options.signal } : {};
  try {
    return await runFfprobeJson<FfprobeOutput>([...(options.extra ?? []), ...probeArgs(input)], sig);
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof FfmpegError && error.exitSignal && options.remuxOnCrash !== false) {
      return withRemux(input, options, async (remuxed, banner) => (await probeRemuxed(input, remuxed, banner, options)).output);
    }
    throw probeFailure(error);
  }
}

function probeFailure(error: unknown): unknown {
  if (error instanceof FfmpegError) {
    if (error.exitSignal) return new Error(`ffprobe crashed (${error.exitSignal})`);
    if (/moov atom not found/i.test(error.stderr)) {
      return new TruncatedSourceError('The upload is cut off: it is an MP4/MOV file without its index (moov atom), as an interrupted upload or an unfinished recording leaves it');
    }
    const tail = (error.stderr.trim().split(/\r?\n/).pop() ?? '').replace(/^.*?:\s*/, '');
    // A container ffprobe recognised but whose header the file ends inside.
    const container = /^\[([\w,]+) @ [^\]]*\] (?:error reading header|File ended prematurely)/m.exec(error.stderr)?.[1];
    if (container && /End of file|Input\/output error/.test(tail)) {
      return new TruncatedSourceError(`The upload is cut off: the file ends inside its ${container} header, before any media (an interrupted upload?)`);
    }
    return notAVideo(`ffprobe could not read it (${tail || `exit code ${error.exitCode}`})`);
  }
  if (error instanceof SyntaxError) return notAVideo('ffprobe returned no usable description');
  return error;
}

/**
 * Seconds of the input the fallback remux copies: enough for ffprobe to describe the streams. The
 * duration comes from ffmpeg's own reading of the input (its `Duration:` line, which it takes from
 * the timestamps at both ends of the file), so the remux never copies the whole file.
 */
export const REMUX_HEAD_SECONDS = 5;

/** The arguments of the fallback remux: the first seconds of the audio and video streams copied into Matroska. */
export function remuxForProbeArgs(source: string, output: string): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-i', source, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-t', String(REMUX_HEAD_SECONDS), '-f', 'matroska', output];
}

/** ffmpeg's input banner (`Duration: 00:01:02.35, start: 1.400000, bitrate: ...`) -> seconds; undefined for N/A. */
export function bannerTiming(stderr: string): { durationSeconds?: number; startSeconds?: number } {
  const m = /^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)(?:, start: (-?[\d.]+))?/m.exec(stderr);
  if (!m) return {};
  const duration = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const start = Number(m[4]);
  return { ...(duration > 0 ? { durationSeconds: duration } : {}), ...(m[4] !== undefined && Number.isFinite(start) ? { startSeconds: start } : {}) };
}

const isUrl = (input: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(input);

/** Remuxes `input` for probing, runs `fn` on the remuxed file, and removes it. */
async function withRemux<T>(input: string, options: FfprobeFileOptions, fn: (remuxed: string, ffmpegStderr: string) => Promise<T>): Promise<T> {
  const sig = options.signal ? { signal: options.signal } : {};
  const remuxed = options.workDir ? join(options.workDir, 'probe-remux.mkv') : isUrl(input) ? undefined : `${input}.probe.mkv`;
  if (!remuxed) throw new Error('ffprobe crashed on a URL and no work dir was given for the remux fallback');
  try {
    let stderr: string;
    try {
      stderr = (await runProcess(ffmpegPath(), remuxForProbeArgs(input, remuxed), sig)).stderr;
    } catch (error) {
      if (error instanceof FfmpegError && !error.exitSignal) {
        const line = error.stderr.trim().split(/\r?\n/).pop() ?? '';
        throw notAVideo(`ffmpeg could not read it (${line.replace(/^.*?:\s*/, '') || `exit code ${error.exitCode}`})`);
      }
      throw error;
    }
    return await fn(remuxed, stderr);
  } finally {
    await rm(remuxed, { force: true });
  }
}

/**
 * ffprobe of the remuxed file, reported as the original: its container as the remux's ffmpeg named
 * it (`Input #0, <format>, from`, printed at its default log level) and its size.
 */
async function probeRemuxed(input: string, remuxed: string, ffmpegStderr: string, options: FfprobeFileOptions): Promise<{ output: FfprobeOutput; size: number }> {
  const sig = options.signal ? { signal: options.signal } : {};
  let out: FfprobeOutput;
  const inputFormat = /^Input #0, (.+?), from /m.exec(ffmpegStderr)?.[1];
  try {
    out = await runFfprobeJson<FfprobeOutput>([...(options.extra ?? []), ...probeArgs(remuxed)], sig);
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw probeFailure(error);
  }
  const size = options.sizeBytes ?? (isUrl(input) ? 0 : (await stat(input)).size);
  // The remux holds only the first seconds: the whole input's duration is ffmpeg's.
  const { durationSeconds: duration, startSeconds } = bannerTiming(ffmpegStderr);
  const { duration: _headOnly, bit_rate: _headRate, ...format } = out.format ?? {};
  out.format = {
    ...format,
    ...(inputFormat ? { format_name: inputFormat } : {}),
    size: String(size),
    ...(duration !== undefined ? { duration: String(duration) } : {}),
    ...(startSeconds !== undefined ? { start_time: String(startSeconds) } : {}),
    ...(duration !== undefined && size > 0 ? { bit_rate: String(Math.round((size * 8) / duration)) } : {}),
  };
  return { output: out, size };
}

// ---- damage: does the file hold what its container promises? ----

export interface FfprobePacket {
  stream_index?: number;
  pts_time?: string;
  dts_time?: string;
  duration_time?: string;
}

/** Seconds at the end of a source that the damage check reads (a packet scan, no decode). */
export const TAIL_SCAN_SECONDS = 3;
/** A source whose media ends this much (plus one frame) before its container's duration is truncated. */
export const TRUNCATION_TOLERANCE_SECONDS = 0.25;

/**
 * How far past its start the tail scan may read: far beyond any real end. The interval needs an
 * explicit end: the packaged ffprobe reads an open-ended one (`<from>%`) from uninitialized
 * memory, so whether it returns any packet depended on the binary's path and environment.
 */
export const TAIL_SCAN_LIMIT_SECONDS = 1_000_000;

/** The packet scan of the last seconds: `-read_intervals <from>%+<limit>` reads from there to the end. */
export function tailScanArgs(input: string, fromSeconds: number): string[] {
  return ['-read_intervals', `${Math.max(0, fromSeconds).toFixed(3)}%+${TAIL_SCAN_LIMIT_SECONDS}`, '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time', input];
}

/**
 * Where the media of `streams` ends, in seconds from `startTime`: the latest packet's pts (its dts
 * when it has none, as B-frames in AVI) plus its duration. Undefined when no packet of those
 * streams has a timestamp.
 */
export function mediaEnd(packets: readonly FfprobePacket[], streams: ReadonlySet<number>, startTime = 0): number | undefined {
  let end: number | undefined;
  for (const p of packets) {
    if (p.stream_index === undefined || !streams.has(p.stream_index)) continue;
    const pts = [p.pts_time, p.dts_time].map(Number).find(Number.isFinite);
    if (pts === undefined) continue;
    const duration = Number(p.duration_time);
    const stop = pts + (Number.isFinite(duration) && duration > 0 ? duration : 0) - startTime;
    end = end === undefined ? stop : Math.max(end, stop);
  }
  return end;
}

/**
 * Compares the container's duration with where the media actually ends (`endSeconds`, from the
 * packet scan). Far short: TruncatedSourceError, naming both. A little short (more than a frame,
 * within the tolerance): the result's duration becomes the media's, which is what an encode of it
 * will last, so output verification compares against the truth.
 */
export function checkDecodable(result: ProbedSource, endSeconds: number | undefined): ProbedSource {
  const promised = result.durationSeconds;
  const frame = 1 / result.frameRate;
  if (endSeconds === undefined || !(endSeconds > 0)) {
    throw new TruncatedSourceError(`The upload is cut off: its container says ${promised.toFixed(2)} s but the file holds no readable media (an interrupted upload?)`);
  }
  const end = round3(endSeconds);
  if (end < promised - TRUNCATION_TOLERANCE_SECONDS - frame) {
    const share = Math.floor((100 * end) / promised);
    throw new TruncatedSourceError(`The upload is cut off: its container says ${promised.toFixed(2)} s but its media ends at ${end.toFixed(2)} s (${share}% of it); the file is incomplete, as an interrupted upload leaves it`);
  }
  const durationSeconds = end < promised - frame ? end : promised;
  return { ...result, durationSeconds, traits: { ...result.traits, decodableSeconds: Math.min(end, promised) } };
}

/** Runs the tail packet scan on `input` and checks `result` against it. */
async function scanTail(input: string, probe: FfprobeOutput, result: ProbedSource, signal?: AbortSignal): Promise<ProbedSource> {
  const startTime = Number(probe.format?.start_time);
  const start = Number.isFinite(startTime) ? startTime : 0;
  const media = new Set((probe.streams ?? []).filter((s) => (s.codec_type === 'video' && !s.disposition?.attached_pic) || s.codec_type === 'audio').map((s) => s.index ?? -1));
  let packets: FfprobePacket[];
  try {
    const out = await runFfprobeJson<{ packets?: FfprobePacket[] }>(tailScanArgs(input, start + result.durationSeconds - TAIL_SCAN_SECONDS), signal ? { signal } : {});
    packets = out.packets ?? [];
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw probeFailure(error);
  }
  return checkDecodable(result, mediaEnd(packets, media, start));
}

/**
 * Describes a source (a local path, or a URL ffprobe reads with ranged requests) and checks that it
 * holds what its container promises. Reads the header and the last TAIL_SCAN_SECONDS, never the
 * whole file, unless ffprobe crashes on it (then it is remuxed into `workDir` first).
 */
export async function probeSource(input: string, sizeBytes: number, options: { signal?: AbortSignal; workDir?: string } = {}): Promise<ProbeResult> {
  if (sizeBytes === 0) throw notAVideo('the file is empty');
  const { signal } = options;
  const sig = signal ? { signal } : {};
  let probe: FfprobeOutput;
  try {
    probe = await runFfprobeJson<FfprobeOutput>(probeArgs(input), sig);
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (!(error instanceof FfmpegError && error.exitSignal)) throw probeFailure(error);
    return withRemux(input, { ...options, sizeBytes }, async (remuxed, banner) => {
      // No tail scan: ffmpeg took this duration from the last timestamps the file holds.
      const { output } = await probeRemuxed(input, remuxed, banner, { ...options, sizeBytes });
      return parseProbe(output, sizeBytes);
    });
  }
  return scanTail(input, probe, parseProbe(probe, sizeBytes), signal);
}

/** Probes a local file into a ProbeResult. */
export async function probeFile(file: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const { size } = await stat(file);
  return probeSource(file, size, options);
}

/**
 * Where ffprobe can read a stored object without copying it: the file itself for the local store,
 * a presigned GET URL (ranged reads) otherwise.
 */
export async function readableLocation(store: BlobStore, key: string, expiresInSeconds = 3600): Promise<string> {
  if (store instanceof LocalBlobStore) return store.pathOf(key);
  return (await store.presignGet(key, expiresInSeconds)).url;
}

/** The probe step: describes the upload where it lies, reading only its header and its end. */
export async function probe(input: ProbeInput, stores: { uploads: BlobStore }, ctx: StepContext): Promise<ProbeResult> {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  const sourceKey = requireKey(i.sourceKey, 'sourceKey');
  const log = ctx.logger ?? silentLogger;
  const head = await stores.uploads.head(sourceKey);
  if (!head) throw new InvalidInputError(`The source ${JSON.stringify(sourceKey)} does not exist in the upload store`);
  throwIfAborted(ctx.signal);
  const location = await readableLocation(stores.uploads, sourceKey);
  const result = await probeSource(location, head.sizeBytes, { workDir: ctx.workDir, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  log.info('probed', { sourceKey, result });
  ctx.onProgress?.(1);
  return result;
}
