import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type FileInfo, type Rendition, type TranscodeInput, type TranscodeResult } from './contracts';
import { HLS_SEGMENT_SECONDS } from './definition';
import { conditioningFilters } from './conditioning';
import { InvalidInputError, throwIfAborted } from './errors';
import { runFfmpeg } from './ffmpeg';
import { shipHls, type ShippedSegment } from './hls-ship';
import { buildMediaPlaylist, segmentBandwidth } from './media-playlist';
import { ffprobeFile, mainVideoStream, probeFile, round3, type FfprobeOutput, type FfprobeStream } from './probe';
import {
  CONTENT_TYPES,
  downloadSource,
  requireKey,
  requireNumber,
  requireObject,
  requireRendition,
  relativeUri,
  requireVideoId,
  silentLogger,
  uploadBuffer,
  uploadFile,
  type StepContext,
} from './step-support';

/**
 * One rendition: the source is encoded once to an H.264/AAC MP4 (faststart) with keyframes forced
 * on the segment grid, then the MP4 is remuxed (`-c copy`, no second encode) into HLS. Because
 * every rendition's keyframes sit at multiples of the segment length, their segments align.
 */

/** x264 preset; `TRANSCODE_PRESET` overrides it for handlers. */
export const DEFAULT_PRESET = 'veryfast';
export const AUDIO_SAMPLE_RATE = 48_000;
const X264_PRESETS = new Set(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo']);

export { buildMediaPlaylist, parseMediaPlaylist, segmentBandwidth, type MediaPlaylist } from './media-playlist';

export interface EncodePlan {
  source: string;
  output: string;
  rendition: Rendition;
  frameRate: number;
  hasAudio: boolean;
  segmentSeconds: number;
  preset?: string;
  /** Filters before scaling (deinterlace, HDR tone mapping): conditioningFilters(probe traits). */
  conditioning?: readonly string[];
  /** Threads for the whole encode (decode, filters, x264); default ffmpeg's (every core). */
  threads?: number;
}

/**
 * The input side of a thread cap: the decoder's and the filter graph's threads. With these and
 * x264's `-threads` (videoEncodeArgs), an encode capped at one thread uses one CPU, which is how
 * the long bench models one Lambda worker per chunk. No cap: ffmpeg's default, every core.
 */
export function inputThreadArgs(threads: number | undefined): string[] {
  return threads === undefined ? [] : ['-threads', String(threads), '-filter_threads', String(threads)];
}

/** Frames per segment: the GOP length that puts a keyframe at every segment boundary. */
export function gopFrames(frameRate: number, segmentSeconds: number): number {
  return Math.max(1, Math.round(frameRate * segmentSeconds));
}

/**
 * ffmpeg's force_key_frames expression: a keyframe at every multiple of `segmentSeconds`. A chunk
 * whose first frame comes `gridOffsetSeconds` after its grid time keeps the absolute grid: its
 * keyframes land on the same frames as in a single encode.
 */
export function forceKeyFramesExpr(segmentSeconds: number, gridOffsetSeconds = 0): string {
  if (gridOffsetSeconds <= 0) return `expr:gte(t,n_forced*${segmentSeconds})`;
  // The small slack absorbs float rounding of t; frames are tens of ms apart.
  return `expr:gte(t,n_forced*${segmentSeconds}-${(gridOffsetSeconds + 1e-4).toFixed(6)})`;
}

/**
 * The video encoder settings of a rendition: H.264 (High, yuv420p, VBV-capped), scaled to the
 * rendition's displayed size, a GOP of one segment and keyframes forced on the segment grid.
 * `filters` go before the scale (a chunk resets its timestamps there; conditioning deinterlaces or
 * tone-maps).
 */
export function videoEncodeArgs(opts: { rendition: Rendition; frameRate: number; segmentSeconds: number; preset?: string; threads?: number; gridOffsetSeconds?: number; filters?: readonly string[] }): string[] {
  const { rendition: r } = opts;
  const gop = gopFrames(opts.frameRate, opts.segmentSeconds);
  return [
    '-vf', [...(opts.filters ?? []), `scale=${r.width}:${r.height}`, 'setsar=1', 'format=yuv420p'].join(','),
    '-c:v', 'libx264',
    '-preset', opts.preset ?? DEFAULT_PRESET,
    ...(opts.threads !== undefined ? ['-threads', String(opts.threads)] : []),
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    '-b:v', `${r.videoBitrateKbps}k`,
    '-maxrate', `${r.maxBitrateKbps}k`,
    '-bufsize', `${r.bufferSizeKbits}k`,
    '-g', String(gop),
    '-keyint_min', String(gop),
    '-sc_threshold', '0',
    '-force_key_frames', forceKeyFramesExpr(opts.segmentSeconds, opts.gridOffsetSeconds),
    '-metadata:s:v:0', 'rotate=0',
  ];
}

/** The audio encoder settings of a rendition: AAC-LC stereo at 48 kHz. */
export function audioEncodeArgs(rendition: Rendition): string[] {
  return ['-c:a', 'aac', '-b:a', `${rendition.audioBitrateKbps}k`, '-ac', '2', '-ar', String(AUDIO_SAMPLE_RATE)];
}

/**
 * The encode: H.264 + AAC stereo into a faststart MP4. ffmpeg's default auto-rotation turns the
 * frames upright first, so scaling to the rendition's (displayed) size yields exactly that size,
 * and the output carries no rotation.
 */
export function encodeArgs(plan: EncodePlan): string[] {
  const args = [
    ...inputThreadArgs(plan.threads),
    '-i', plan.source,
    '-map', '0:v:0',
    ...(plan.hasAudio ? ['-map', '0:a:0'] : []),
    '-map_metadata', '-1',
    '-map_chapters', '-1',
    ...videoEncodeArgs({ rendition: plan.rendition, frameRate: plan.frameRate, segmentSeconds: plan.segmentSeconds, ...(plan.conditioning ? { filters: plan.conditioning } : {}), ...(plan.preset ? { preset: plan.preset } : {}), ...(plan.threads !== undefined ? { threads: plan.threads } : {}) }),
    ...(plan.hasAudio ? audioEncodeArgs(plan.rendition) : ['-an']),
  ];
  args.push('-sn', '-dn', '-movflags', '+faststart', '-f', 'mp4', plan.output);
  return args;
}

/** ffprobe's `-show_data` hex dump (`00000000: 0164 001f ...  .d..`) -> bytes. */
export function parseHexDump(dump: string | undefined): Buffer {
  if (!dump) return Buffer.alloc(0);
  const hex: string[] = [];
  for (const line of dump.split('\n')) {
    const m = /^[0-9a-fA-F]{8}:\s((?:[0-9a-fA-F]{2,4}\s?)+)/.exec(line.trim());
    if (!m) continue;
    // Hex groups end where two spaces start the ASCII column.
    const groups = (m[1] ?? '').split('  ')[0] ?? '';
    hex.push(groups.replace(/\s+/g, ''));
  }
  return Buffer.from(hex.join(''), 'hex');
}

const H264_PROFILE_IDC: Record<string, [number, number]> = {
  baseline: [66, 0x00],
  'constrained baseline': [66, 0x40],
  main: [77, 0x00],
  extended: [88, 0x00],
  high: [100, 0x00],
  'high 10': [110, 0x00],
  'high 4:2:2': [122, 0x00],
  'high 4:4:4 predictive': [244, 0x00],
};

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * RFC 6381 codec string of an H.264 stream: `avc1.PPCCLL` from the avcC box (profile_idc,
 * constraint flags, level_idc) when ffprobe dumped it, else from the profile name and level.
 */
export function avcCodecString(stream: Pick<FfprobeStream, 'profile' | 'level' | 'extradata'>): string {
  const avcc = parseHexDump(stream.extradata);
  if (avcc.length >= 4 && avcc[0] === 1) return `avc1.${hex2(avcc[1]!)}${hex2(avcc[2]!)}${hex2(avcc[3]!)}`;
  const [idc, flags] = H264_PROFILE_IDC[(stream.profile ?? '').toLowerCase()] ?? [100, 0];
  const level = stream.level !== undefined && stream.level > 0 ? stream.level : 31;
  return `avc1.${hex2(idc)}${hex2(flags)}${hex2(level)}`;
}

/** RFC 6381 codec string of an AAC stream: `mp4a.40.<audio object type>`. */
export function aacCodecString(stream: Pick<FfprobeStream, 'profile' | 'extradata'>): string {
  const asc = parseHexDump(stream.extradata);
  if (asc.length >= 1) {
    const aot = asc[0]! >> 3;
    if (aot > 0 && aot < 31) return `mp4a.40.${aot}`;
  }
  const profile = (stream.profile ?? '').toLowerCase();
  if (profile === 'he-aacv2') return 'mp4a.40.29';
  if (profile === 'he-aac') return 'mp4a.40.5';
  return 'mp4a.40.2';
}

/** `avc1.64001f,mp4a.40.2` for an ffprobe description of an output file. */
export function codecsString(probe: FfprobeOutput): string {
  const out: string[] = [];
  const video = mainVideoStream(probe);
  if (video) out.push(avcCodecString(video));
  const audio = (probe.streams ?? []).find((s) => s.codec_type === 'audio');
  if (audio) out.push(aacCodecString(audio));
  return out.join(',');
}

/** Validates a TranscodeInput; InvalidInputError on anything malformed. */
export function validateTranscodeInput(input: TranscodeInput): TranscodeInput {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  requireKey(i.sourceKey, 'sourceKey');
  requireRendition(i.rendition);
  requireNumber(i.frameRate, 'frameRate', { positive: true, max: 1000 });
  if (typeof i.hasAudio !== 'boolean') throw new InvalidInputError(`hasAudio must be a boolean; got ${JSON.stringify(i.hasAudio)}`);
  requireNumber(i.segmentSeconds ?? HLS_SEGMENT_SECONDS, 'segmentSeconds', { min: 0.5, max: 60 });
  return input;
}

/** The context's x264 preset (default veryfast); InvalidInputError for one x264 does not know. */
export function presetOf(ctx: { preset?: string }): string {
  const preset = ctx.preset ?? DEFAULT_PRESET;
  if (!X264_PRESETS.has(preset)) throw new InvalidInputError(`unknown x264 preset ${JSON.stringify(preset)}`);
  return preset;
}

export interface TranscodeContext extends StepContext {
  /** x264 preset (default veryfast). */
  preset?: string;
  /** Threads per encode (decode, filters, x264; default ffmpeg's: every core); benches pin it to model one worker's CPU. */
  threads?: number;
  /** Parallel segment uploads (default 6). */
  uploadConcurrency?: number;
}

/** The transcode step: downloads the source, encodes one rendition, uploads MP4 and HLS. */
export async function transcode(input: TranscodeInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: TranscodeContext): Promise<TranscodeResult> {
  const started = Date.now();
  validateTranscodeInput(input);
  const { videoId, rendition } = input;
  const segmentSeconds = input.segmentSeconds ?? HLS_SEGMENT_SECONDS;
  const preset = presetOf(ctx);
  const { signal } = ctx;
  const log = ctx.logger ?? silentLogger;
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));

  const source = join(ctx.workDir, 'source');
  await downloadSource(stores.uploads, input.sourceKey, source, signal);
  // A quick probe: the duration drives progress, and an unreadable source fails here clearly.
  const sourceInfo = await probeFile(source, signal ? { signal } : {});
  progress(0.05);

  const mp4 = join(ctx.workDir, `${rendition.name}.mp4`);
  const encode = await runFfmpeg(
    encodeArgs({ source, output: mp4, rendition, frameRate: input.frameRate, hasAudio: input.hasAudio && sourceInfo.hasAudio, segmentSeconds, preset, conditioning: conditioningFilters(sourceInfo.traits), ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) }),
    {
      ...(signal ? { signal } : {}),
      durationSeconds: sourceInfo.durationSeconds,
      onProgress: (p) => progress(0.05 + 0.8 * (p.fraction ?? 0)),
    },
  );
  log.info('encoded', { rendition: rendition.name, elapsedMs: encode.elapsedMs });
  return deliverRendition({ mp4, videoId, rendition, segmentSeconds, started }, stores.media, { ...ctx, onProgress: (f) => progress(0.85 + 0.15 * f) });
}

/**
 * What a rendition's finished MP4 becomes when it is on disk (the single encode): checked, then
 * uploaded while HLS is cut from it (`-c copy`) and shipped segment by segment (shipHls: the HLS
 * copy never lies on disk whole), then the playlist that names the segments, last, so a reader
 * never sees a playlist pointing at a missing segment. `onProgress` reports 0..1 of this part.
 */
export async function deliverRendition(
  made: { mp4: string; videoId: string; rendition: Rendition; segmentSeconds: number; started: number },
  media: BlobStore,
  ctx: TranscodeContext,
): Promise<TranscodeResult> {
  const { mp4, videoId, rendition, segmentSeconds, started } = made;
  const { signal } = ctx;
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));
  const out = await ffprobeFile(mp4, { ...(signal ? { signal } : {}), extra: ['-show_data'] });
  const { width, height } = checkedSize(mainVideoStream(out), rendition, 'MP4');
  const durationSeconds = round3(Number(out.format?.duration ?? 0));
  progress(0.05);

  const mp4Upload = uploadFile(media, keys.mp4(videoId, rendition.name), mp4, CONTENT_TYPES.mp4, signal);
  mp4Upload.catch(() => undefined);
  const hls = await shipHls({
    ...shipSettings(ctx, videoId, rendition, segmentSeconds),
    inputArgs: ['-i', mp4, '-map', '0', '-c', 'copy'],
    dir: join(ctx.workDir, 'hls'),
    media,
    durationSeconds,
    onProgress: (f) => progress(0.05 + 0.9 * f),
  }).catch(async (error: unknown) => {
    await mp4Upload.catch(() => undefined);
    throw error;
  });
  const mp4Info = await mp4Upload;
  const playlist = await uploadMediaPlaylist(media, videoId, rendition, hls.segments, signal);
  throwIfAborted(signal);
  progress(1);
  const bitRate = Number(out.format?.bit_rate) || (durationSeconds > 0 ? Math.round((mp4Info.sizeBytes * 8) / durationSeconds) : 0);
  return renditionResult({ rendition, mp4: mp4Info, width, height, durationSeconds, bitRate, segments: hls.segments, playlist, codecs: codecsString(out), started });
}

/** Parallel segment uploads when the context does not say. */
export const DEFAULT_UPLOAD_CONCURRENCY = 6;

/**
 * shipHls's settings from a step's context: segments go to the keys a rendition's HLS has always
 * used; the disk holds the segments being uploaded, one finished and one being written.
 */
export function shipSettings(ctx: TranscodeContext, videoId: string, rendition: Rendition, segmentSeconds: number) {
  const uploadConcurrency = ctx.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  return {
    segmentSeconds,
    keyOf: (n: number) => keys.hlsSegment(videoId, rendition.name, n),
    uploadConcurrency,
    maxSegmentsOnDisk: uploadConcurrency + 2,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/** The output's displayed size, which must be the rendition's. */
export function checkedSize(video: FfprobeStream | undefined, rendition: Rendition, what: string): { width: number; height: number } {
  const width = video?.width ?? 0;
  const height = video?.height ?? 0;
  if (width !== rendition.width || height !== rendition.height) {
    throw new Error(`the ${rendition.name} ${what} is ${width}x${height}, expected ${rendition.width}x${rendition.height}`);
  }
  return { width, height };
}

/** The rendition's VOD media playlist, naming the uploaded segments by their keys. Upload it last. */
export async function uploadMediaPlaylist(media: BlobStore, videoId: string, rendition: Rendition, segments: readonly ShippedSegment[], signal?: AbortSignal): Promise<FileInfo> {
  const playlistKey = keys.hlsPlaylist(videoId, rendition.name);
  const text = buildMediaPlaylist(segments.map((s) => ({ durationSeconds: s.durationSeconds, uri: relativeUri(playlistKey, s.info.key) })));
  return uploadBuffer(media, playlistKey, text, CONTENT_TYPES.m3u8, signal);
}

/** A TranscodeResult from what was uploaded. */
export function renditionResult(r: {
  rendition: Rendition;
  mp4: FileInfo;
  width: number;
  height: number;
  durationSeconds: number;
  bitRate: number;
  segments: readonly ShippedSegment[];
  playlist: FileInfo;
  codecs: string;
  started: number;
}): TranscodeResult {
  const bw = segmentBandwidth(r.segments.map((s) => ({ sizeBytes: s.info.sizeBytes, durationSeconds: s.durationSeconds })));
  return {
    rendition: r.rendition,
    mp4: { ...r.mp4, width: r.width, height: r.height, durationSeconds: r.durationSeconds, bitRate: Math.round(r.bitRate) },
    hls: {
      playlist: r.playlist,
      segmentCount: r.segments.length,
      segmentBytes: r.segments.reduce((n, s) => n + s.info.sizeBytes, 0),
      bandwidth: bw.bandwidth,
      averageBandwidth: bw.averageBandwidth,
      codecs: r.codecs,
    },
    elapsedMs: Date.now() - r.started,
  };
}
