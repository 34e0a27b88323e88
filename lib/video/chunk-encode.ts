import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { chunkCut, type ChunkRange } from './chunks';
import { conditioningFilters } from './conditioning';
import { keys, type EncodeAudioInput, type EncodeAudioResult, type EncodeChunkInput, type EncodeChunkResult, type Rendition, type SourceTraits } from './contracts';
import { InvalidInputError } from './errors';
import { runFfmpeg } from './ffmpeg';
import { ffprobeFile, mainVideoStream } from './probe';
import { sourceLocation } from './source';
import { CONTENT_TYPES, requireKey, requireNumber, requireObject, requireRendition, requireVideoId, silentLogger, uploadFile } from './step-support';
import { audioEncodeArgs, inputThreadArgs, presetOf, videoEncodeArgs, type TranscodeContext } from './transcode';

/**
 * The encode steps of the chunked path. A chunk is cut with an input seek (`-ss` before `-i`)
 * and re-encoded, so its boundaries fall on exact grid frames whatever the source's keyframes;
 * its keyframes are forced on the same absolute segment grid as a single encode's. Chunks carry
 * video only: the audio is encoded once per rendition over the whole source, so AAC's priming
 * and frame padding happen once and the joins cannot click.
 */

/**
 * One chunk: from just before its first frame (the decoder starts at the keyframe before and drops
 * what precedes), exactly `frames` frames (the last chunk: to the end), timestamps reset to 0.
 */
export function chunkEncodeArgs(opts: { source: string; output: string; rendition: Rendition; frameRate: number; segmentSeconds: number; range: ChunkRange; traits?: SourceTraits; preset?: string; threads?: number }): string[] {
  const cut = chunkCut(opts.range, opts.frameRate);
  return [
    ...inputThreadArgs(opts.threads),
    '-ss', cut.seekSeconds.toFixed(6),
    '-i', opts.source,
    '-map', '0:v:0',
    '-map_metadata', '-1',
    '-map_chapters', '-1',
    ...videoEncodeArgs({
      rendition: opts.rendition,
      frameRate: opts.frameRate,
      segmentSeconds: opts.segmentSeconds,
      gridOffsetSeconds: cut.gridOffsetSeconds,
      // Conditioning (deinterlace, tone map) as in a single encode, so chunks match it frame for frame.
      filters: ['setpts=PTS-STARTPTS', ...conditioningFilters(opts.traits)],
      ...(opts.preset ? { preset: opts.preset } : {}),
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    }),
    ...(cut.frames !== undefined ? ['-frames:v', String(cut.frames)] : []),
    '-an', '-sn', '-dn',
    '-f', 'mp4',
    opts.output,
  ];
}

/** The rendition's audio, whole: AAC in an MP4 (M4A) container. */
export function audioOnlyArgs(opts: { source: string; output: string; rendition: Rendition }): string[] {
  return ['-i', opts.source, '-map', '0:a:0', '-map_metadata', '-1', '-vn', '-sn', '-dn', ...audioEncodeArgs(opts.rendition), '-f', 'mp4', opts.output];
}

export function validateEncodeChunkInput(input: EncodeChunkInput): EncodeChunkInput {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  requireKey(i.sourceKey, 'sourceKey');
  requireRendition(i.rendition);
  requireNumber(i.frameRate, 'frameRate', { positive: true, max: 1000 });
  requireNumber(i.segmentSeconds, 'segmentSeconds', { min: 0.5, max: 60 });
  requireNumber(i.index, 'index', { integer: true, min: 0 });
  const start = requireNumber(i.startSeconds, 'startSeconds', { min: 0 });
  if (i.endSeconds !== undefined && requireNumber(i.endSeconds, 'endSeconds', { positive: true }) <= start) {
    throw new InvalidInputError(`endSeconds (${String(i.endSeconds)}) must be after startSeconds (${start})`);
  }
  return input;
}

export function validateEncodeAudioInput(input: EncodeAudioInput): EncodeAudioInput {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  requireKey(i.sourceKey, 'sourceKey');
  requireRendition(i.rendition);
  return input;
}

/** Frames and duration of an encoded file's video stream, from its container (no decode). */
async function videoFrames(file: string, signal?: AbortSignal): Promise<{ frames: number; durationSeconds: number }> {
  const out = await ffprobeFile(file, signal ? { signal } : {});
  const video = mainVideoStream(out);
  const frames = Number(video?.nb_frames);
  if (!video || !Number.isInteger(frames)) throw new Error(`ffmpeg wrote ${file} without a readable video stream`);
  return { frames, durationSeconds: Number(video.duration ?? out.format?.duration ?? 0) };
}

/** The encode-chunk step: one chunk of one rendition, read straight from the source, uploaded to `keys.chunk`. */
export async function encodeChunk(input: EncodeChunkInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: TranscodeContext): Promise<EncodeChunkResult> {
  const started = Date.now();
  validateEncodeChunkInput(input);
  const preset = presetOf(ctx);
  const { signal } = ctx;
  const source = await sourceLocation(stores.uploads, input.sourceKey, signal);
  const range: ChunkRange = { index: input.index, startSeconds: input.startSeconds, ...(input.endSeconds !== undefined ? { endSeconds: input.endSeconds } : {}) };
  const output = join(ctx.workDir, 'chunk.mp4');
  const length = input.endSeconds !== undefined ? input.endSeconds - input.startSeconds : undefined;
  await runFfmpeg(chunkEncodeArgs({ source, output, rendition: input.rendition, frameRate: input.frameRate, segmentSeconds: input.segmentSeconds, range, ...(input.traits ? { traits: input.traits } : {}), preset, ...(ctx.threads !== undefined ? { threads: ctx.threads } : {}) }), {
    ...(signal ? { signal } : {}),
    ...(length !== undefined ? { durationSeconds: length } : {}),
    onProgress: (p) => ctx.onProgress?.(0.9 * (p.fraction ?? 0)),
  });
  const { frames, durationSeconds } = await videoFrames(output, signal);
  // A chunk past the source's last frame (a container that claims more than it holds) is empty.
  if (frames === 0) throw new InvalidInputError(`chunk ${input.index} from ${input.startSeconds} s holds no frames: the source ends before it`);
  const chunk = await uploadFile(stores.media, keys.chunk(input.videoId, input.rendition.name, input.index), output, CONTENT_TYPES.mp4, signal);
  ctx.onProgress?.(1);
  (ctx.logger ?? silentLogger).info('chunk encoded', { rendition: input.rendition.name, index: input.index, frames });
  return { index: input.index, chunk, frames, durationSeconds, elapsedMs: Date.now() - started };
}

/** The encode-audio step: the whole source's first audio stream for one rendition, uploaded to `keys.chunkAudio`. */
export async function encodeAudio(input: EncodeAudioInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: TranscodeContext): Promise<EncodeAudioResult> {
  const started = Date.now();
  validateEncodeAudioInput(input);
  const { signal } = ctx;
  const source = await sourceLocation(stores.uploads, input.sourceKey, signal);
  const output = join(ctx.workDir, 'audio.m4a');
  await runFfmpeg(audioOnlyArgs({ source, output, rendition: input.rendition }), signal ? { signal } : {});
  const out = await ffprobeFile(output, signal ? { signal } : {});
  const audio = (out.streams ?? []).find((s) => s.codec_type === 'audio');
  if (!audio) throw new Error('ffmpeg wrote the audio file without an audio stream');
  const info = await uploadFile(stores.media, keys.chunkAudio(input.videoId, input.rendition.name), output, CONTENT_TYPES.mp4, signal);
  return { audio: info, durationSeconds: Number(out.format?.duration ?? 0), elapsedMs: Date.now() - started };
}
