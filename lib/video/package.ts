import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type PackageInput, type TranscodeResult } from './contracts';
import { InvalidInputError } from './errors';
import { runFfmpeg } from './ffmpeg';
import { ffprobeFile, mainVideoStream } from './probe';
import { sourceLocation } from './source';
import { mapLimit, requireNumber, requireObject, requireRendition, requireVideoId } from './step-support';
import { deliverRendition, type TranscodeContext } from './transcode';

/**
 * The package step of the chunked path: the rendition's chunks are joined by ffmpeg's concat
 * demuxer with streams copied (no re-encode: each chunk starts with a keyframe on the segment
 * grid), the audio encoded once for the rendition is muxed beside them, and the MP4 then becomes
 * HLS and uploads exactly as a single encode's does (deliverRendition), under the same keys.
 */

/** Parallel chunk look-ups (a HEAD and a presigned URL each on S3). */
const LOOKUP_CONCURRENCY = 8;

/** The concat demuxer's list: one `file` line per chunk, quoted for its syntax. */
export function concatList(files: readonly string[]): string {
  return files.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n') + '\n';
}

/** Chunks (and the audio) into one faststart MP4, every stream copied. */
export function joinArgs(opts: { list: string; audio?: string; output: string }): string[] {
  return [
    // The list may name URLs (S3): the concat demuxer opens them with this whitelist.
    '-protocol_whitelist', 'file,http,https,tcp,tls,crypto',
    '-f', 'concat',
    '-safe', '0',
    '-i', opts.list,
    ...(opts.audio ? ['-i', opts.audio] : []),
    '-map', '0:v:0',
    ...(opts.audio ? ['-map', '1:a:0'] : []),
    '-c', 'copy',
    '-map_metadata', '-1',
    '-movflags', '+faststart',
    '-f', 'mp4',
    opts.output,
  ];
}

export function validatePackageInput(input: PackageInput): PackageInput {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  requireRendition(i.rendition);
  requireNumber(i.chunkCount, 'chunkCount', { integer: true, min: 1, max: 100_000 });
  requireNumber(i.frames, 'frames', { integer: true, min: 1 });
  requireNumber(i.segmentSeconds, 'segmentSeconds', { min: 0.5, max: 60 });
  if (typeof i.hasAudio !== 'boolean') throw new InvalidInputError(`hasAudio must be a boolean; got ${JSON.stringify(i.hasAudio)}`);
  return input;
}

/** The package step: chunks + audio -> the rendition's MP4 and HLS, as TranscodeResult. */
export async function packageRendition(input: PackageInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: TranscodeContext): Promise<TranscodeResult> {
  const started = Date.now();
  validatePackageInput(input);
  const { videoId, rendition } = input;
  const { signal } = ctx;
  const sig = signal ? { signal } : {};
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));

  // The chunks and the audio are read in place (files locally, presigned URLs on S3), not copied
  // to /tmp first: the step's disk then holds only the MP4 and its HLS copy.
  const chunkFiles = await mapLimit(Array.from({ length: input.chunkCount }, (_, i) => i), LOOKUP_CONCURRENCY, (i) =>
    sourceLocation(stores.media, keys.chunk(videoId, rendition.name, i), signal, 'chunk'),
  );
  const audio = input.hasAudio ? await sourceLocation(stores.media, keys.chunkAudio(videoId, rendition.name), signal, 'audio') : undefined;
  progress(0.05);

  const list = join(ctx.workDir, 'chunks.txt');
  await writeFile(list, concatList(chunkFiles));
  const mp4 = join(ctx.workDir, `${rendition.name}.mp4`);
  await runFfmpeg(joinArgs({ list, output: mp4, ...(audio ? { audio } : {}) }), sig);
  progress(0.3);

  // The join must hold every chunk's frames, no more, no fewer: a mismatch is a broken chunk.
  const video = mainVideoStream(await ffprobeFile(mp4, sig));
  const frames = Number(video?.nb_frames);
  if (frames !== input.frames) throw new Error(`the joined ${rendition.name} MP4 has ${String(video?.nb_frames)} frames; its ${input.chunkCount} chunks have ${input.frames}`);
  progress(0.4);

  return deliverRendition({ mp4, videoId, rendition, segmentSeconds: input.segmentSeconds, started }, stores.media, { ...ctx, onProgress: (f) => progress(0.4 + 0.6 * f) });
}
