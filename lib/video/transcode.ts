import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type FileInfo, type Rendition, type TranscodeInput, type TranscodeResult } from './contracts';
import { HLS_SEGMENT_SECONDS } from './definition';
import { conditioningFilters } from './conditioning';
import { InvalidInputError, throwIfAborted } from './errors';
import { runFfmpeg } from './ffmpeg';
import { ffprobeFile, mainVideoStream, probeFile, type FfprobeOutput, type FfprobeStream } from './probe';
import {
  CONTENT_TYPES,
  downloadSource,
  mapLimit,
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

/** The remux: MP4 -> HLS VOD (MPEG-TS segments), streams copied, cut at the aligned keyframes. */
export function hlsRemuxArgs(opts: { input: string; playlist: string; segmentPattern: string; segmentSeconds: number }): string[] {
  return [
    '-i', opts.input,
    '-map', '0',
    '-c', 'copy',
    '-f', 'hls',
    '-hls_time', String(opts.segmentSeconds),
    '-hls_playlist_type', 'vod',
    '-hls_list_size', '0',
    '-start_number', '0',
    '-hls_segment_filename', opts.segmentPattern,
    opts.playlist,
  ];
}

export interface MediaPlaylist {
  version: number;
  targetDuration: number;
  mediaSequence: number;
  playlistType?: string;
  endList: boolean;
  segments: { durationSeconds: number; uri: string }[];
}

/** Parses an HLS media playlist (the tags ffmpeg writes). Throws on anything that is not one. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist: it does not start with #EXTM3U');
  const out: MediaPlaylist = { version: 1, targetDuration: 0, mediaSequence: 0, endList: false, segments: [] };
  let pending: number | undefined;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const [tag, value = ''] = splitTag(line);
    if (tag === '#EXT-X-VERSION') out.version = Number(value);
    else if (tag === '#EXT-X-TARGETDURATION') out.targetDuration = Number(value);
    else if (tag === '#EXT-X-MEDIA-SEQUENCE') out.mediaSequence = Number(value);
    else if (tag === '#EXT-X-PLAYLIST-TYPE') out.playlistType = value;
    else if (tag === '#EXT-X-ENDLIST') out.endList = true;
    else if (tag === '#EXTINF') {
      pending = Number.parseFloat(value.split(',')[0] ?? '');
      if (!Number.isFinite(pending) || pending < 0) throw new Error(`bad #EXTINF duration: ${line}`);
    } else if (!line.startsWith('#')) {
      if (pending === undefined) throw new Error(`segment URI without #EXTINF: ${line}`);
      out.segments.push({ durationSeconds: pending, uri: line });
      pending = undefined;
    }
  }
  return out;
}

function splitTag(line: string): [string, string?] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line] : [line.slice(0, colon), line.slice(colon + 1)];
}

/**
 * Writes a VOD media playlist. TARGETDURATION is the longest segment rounded to the nearest
 * integer (RFC 8216 4.3.3.1); every segment starts with a keyframe (INDEPENDENT-SEGMENTS).
 */
export function buildMediaPlaylist(segments: readonly { durationSeconds: number; uri: string }[]): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSeconds)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const s of segments) lines.push(`#EXTINF:${s.durationSeconds.toFixed(6)},`, s.uri);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/**
 * HLS BANDWIDTH (the peak segment bit rate) and AVERAGE-BANDWIDTH (all bytes over the whole
 * duration), bits per second.
 */
export function segmentBandwidth(segments: readonly { sizeBytes: number; durationSeconds: number }[]): { bandwidth: number; averageBandwidth: number } {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const s of segments) {
    bytes += s.sizeBytes;
    seconds += s.durationSeconds;
    if (s.durationSeconds > 0) peak = Math.max(peak, (s.sizeBytes * 8) / s.durationSeconds);
  }
  const average = seconds > 0 ? (bytes * 8) / seconds : 0;
  return { bandwidth: Math.ceil(Math.max(peak, average)), averageBandwidth: Math.ceil(average) };
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
 * What a rendition's finished MP4 becomes, however it was made (one encode, or chunks joined):
 * HLS by remuxing (`-c copy`), a size check, then the uploads: segments first (renamed to their
 * keys), then the playlist that names them, so a reader never sees a playlist pointing at a
 * missing segment. `onProgress` reports 0..1 of this part.
 */
export async function deliverRendition(
  made: { mp4: string; videoId: string; rendition: Rendition; segmentSeconds: number; started: number },
  media: BlobStore,
  ctx: TranscodeContext,
): Promise<TranscodeResult> {
  const { mp4, videoId, rendition, segmentSeconds, started } = made;
  const { signal } = ctx;
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));
  const hlsDir = join(ctx.workDir, 'hls');
  await mkdir(hlsDir, { recursive: true });
  const localPlaylist = join(hlsDir, 'index.m3u8');
  await runFfmpeg(hlsRemuxArgs({ input: mp4, playlist: localPlaylist, segmentPattern: join(hlsDir, 'segment_%05d.ts'), segmentSeconds }), signal ? { signal } : {});
  const parsed = parseMediaPlaylist(await readFile(localPlaylist, 'utf8'));
  if (parsed.segments.length === 0) throw new Error(`ffmpeg wrote an HLS playlist without segments for ${rendition.name}`);
  progress(0.2);

  const out = await ffprobeFile(mp4, { ...(signal ? { signal } : {}), extra: ['-show_data'] });
  const video = mainVideoStream(out);
  const width = video?.width ?? 0;
  const height = video?.height ?? 0;
  if (width !== rendition.width || height !== rendition.height) {
    throw new Error(`the ${rendition.name} MP4 is ${width}x${height}, expected ${rendition.width}x${rendition.height}`);
  }
  const durationSeconds = Math.round(Number(out.format?.duration ?? 0) * 1000) / 1000;
  const mp4Size = (await stat(mp4)).size;
  const bitRate = Number(out.format?.bit_rate) || (durationSeconds > 0 ? Math.round((mp4Size * 8) / durationSeconds) : 0);

  const playlistKey = keys.hlsPlaylist(videoId, rendition.name);
  const segmentFiles = parsed.segments.map((s) => resolve(hlsDir, s.uri));
  const mp4Upload = uploadFile(media, keys.mp4(videoId, rendition.name), mp4, CONTENT_TYPES.mp4, signal);
  let uploaded = 0;
  const segments = await mapLimit(segmentFiles, ctx.uploadConcurrency ?? 6, async (file, n): Promise<FileInfo> => {
    const info = await uploadFile(media, keys.hlsSegment(videoId, rendition.name, n), file, CONTENT_TYPES.ts, signal);
    progress(0.2 + (0.75 * ++uploaded) / segmentFiles.length);
    return info;
  }).catch(async (error: unknown) => {
    await mp4Upload.catch(() => undefined);
    throw error;
  });
  const playlistText = buildMediaPlaylist(parsed.segments.map((s, n) => ({ durationSeconds: s.durationSeconds, uri: relativeUri(playlistKey, keys.hlsSegment(videoId, rendition.name, n)) })));
  const playlist = await uploadBuffer(media, playlistKey, playlistText, CONTENT_TYPES.m3u8, signal);
  const mp4Info = await mp4Upload;
  throwIfAborted(signal);
  progress(1);

  const bw = segmentBandwidth(segments.map((s, n) => ({ sizeBytes: s.sizeBytes, durationSeconds: parsed.segments[n]!.durationSeconds })));
  return {
    rendition,
    mp4: { ...mp4Info, width, height, durationSeconds, bitRate: Math.round(bitRate) },
    hls: {
      playlist,
      segmentCount: segments.length,
      segmentBytes: segments.reduce((n, s) => n + s.sizeBytes, 0),
      bandwidth: bw.bandwidth,
      averageBandwidth: bw.averageBandwidth,
      codecs: codecsString(out),
    },
    elapsedMs: Date.now() - started,
  };
}
