/**
 * The chunk plan: how a rendition's video is cut into chunks that are encoded independently and
 * joined without re-encoding. Pure (the decider computes it and records it in a marker).
 *
 * Chunk `i` covers [i * seconds, min((i + 1) * seconds, duration)). `seconds` is a multiple of the
 * HLS segment length, so every chunk starts on the segment grid: each chunk's first frame is a
 * keyframe, its other forced keyframes fall on the same grid, and after the join the segments of
 * every rendition line up exactly as they do for a single encode.
 */
import type { ChunkPlan } from './contracts';
import { CHUNKING, HLS_SEGMENT_SECONDS } from './definition';

export interface ChunkRange {
  index: number;
  startSeconds: number;
  /** Undefined for the last chunk: it runs to the end of the source. */
  endSeconds?: number;
}

/** A requested chunk length that cannot be used (not a positive multiple of the segment length, or out of bounds). */
export class InvalidChunkSecondsError extends Error {
  override readonly name = 'InvalidChunkSecondsError';
}

/** Checks a configured chunk length: a multiple of HLS_SEGMENT_SECONDS within CHUNKING's bounds. */
export function validateChunkSeconds(seconds: number, segmentSeconds = HLS_SEGMENT_SECONDS): number {
  if (!Number.isFinite(seconds) || seconds < CHUNKING.minSeconds || seconds > CHUNKING.maxSeconds) {
    throw new InvalidChunkSecondsError(`chunk seconds must be between ${CHUNKING.minSeconds} and ${CHUNKING.maxSeconds}; got ${seconds}`);
  }
  if (!Number.isInteger(seconds / segmentSeconds)) {
    throw new InvalidChunkSecondsError(`chunk seconds must be a multiple of the ${segmentSeconds} s HLS segment, so joins fall on segment boundaries; got ${seconds}`);
  }
  return seconds;
}

/**
 * The plan for a source of `durationSeconds`: chunks of `seconds`, lengthened (by whole segments)
 * when that would make more than `maxChunks`. A source no longer than one chunk gets one chunk:
 * the workflow then encodes each rendition in one task, as there is nothing to join.
 */
export function planChunks(durationSeconds: number, seconds: number, concurrency: number, opts: { segmentSeconds?: number; maxChunks?: number } = {}): ChunkPlan {
  const segment = opts.segmentSeconds ?? HLS_SEGMENT_SECONDS;
  const maxChunks = opts.maxChunks ?? CHUNKING.maxChunks;
  validateChunkSeconds(seconds, segment);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidChunkSecondsError(`chunk concurrency must be a positive integer; got ${concurrency}`);
  let length = seconds;
  if (chunkCountFor(durationSeconds, length) > maxChunks) {
    length = Math.ceil(durationSeconds / maxChunks / segment) * segment;
  }
  return { seconds: length, count: chunkCountFor(durationSeconds, length), concurrency, segmentSeconds: segment };
}

/**
 * Chunks for a duration. A remainder shorter than one segment joins the previous chunk rather
 * than making a chunk of a few frames (a source's duration is often a hair over a round number).
 */
export function chunkCountFor(durationSeconds: number, seconds: number): number {
  if (!(durationSeconds > 0)) return 1;
  return Math.max(1, Math.ceil(durationSeconds / seconds - 1e-6) - (durationSeconds % seconds > 0 && durationSeconds % seconds < 0.5 ? 1 : 0));
}

/** The time range of chunk `index` in a plan. */
export function chunkRange(plan: ChunkPlan, index: number): ChunkRange {
  if (!Number.isInteger(index) || index < 0 || index >= plan.count) throw new RangeError(`chunk ${index} is outside the plan's ${plan.count} chunks`);
  const startSeconds = index * plan.seconds;
  return index === plan.count - 1 ? { index, startSeconds } : { index, startSeconds, endSeconds: startSeconds + plan.seconds };
}

/** Every chunk of a plan, in order. */
export function chunkRanges(plan: ChunkPlan): ChunkRange[] {
  return Array.from({ length: plan.count }, (_, i) => chunkRange(plan, i));
}

/**
 * The first frame at or after `seconds` (frame n is shown at n / frameRate): where the single
 * encode's forced keyframe for a grid time lands, so a chunk starts on exactly that frame.
 */
export function frameIndex(seconds: number, frameRate: number): number {
  return Math.max(0, Math.ceil(seconds * frameRate - 1e-6));
}

/** How far before a frame's time the seek goes: well under a frame, so float rounding never drops it. */
export const SEEK_EPSILON_SECONDS = 0.0005;

/** How a chunk is cut from the source (for a constant frame rate source; a variable one is treated at its average rate). */
export interface ChunkCut {
  /** Input seek: just before the chunk's first frame, so the decoder starts from the keyframe before it and drops what precedes. */
  seekSeconds: number;
  /** Frames to encode; undefined for the last chunk (to the end of the source). */
  frames?: number;
  /**
   * Seconds from the grid time to the chunk's first frame (0 at integer frame rates): the chunk's
   * later keyframes go on the first frames at or after each absolute grid time, like a single encode.
   */
  gridOffsetSeconds: number;
}

/** The cut of a chunk: every source frame belongs to exactly one chunk, adjacent chunks share none. */
export function chunkCut(range: ChunkRange, frameRate: number): ChunkCut {
  const first = frameIndex(range.startSeconds, frameRate);
  const firstAt = first / frameRate;
  const cut: ChunkCut = { seekSeconds: Math.max(0, firstAt - SEEK_EPSILON_SECONDS), gridOffsetSeconds: Math.max(0, firstAt - range.startSeconds) };
  if (range.endSeconds !== undefined) cut.frames = frameIndex(range.endSeconds, frameRate) - first;
  return cut;
}
