import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type FileInfo, type PackageInput, type TranscodeResult } from './contracts';
import { STEPS } from './definition';
import { InvalidInputError, throwIfAborted } from './errors';
import { runFfmpeg } from './ffmpeg';
import { shipHls } from './hls-ship';
import { ffprobeFile, mainVideoStream, parseRate, round3 } from './probe';
import { sourceObject } from './source';
import { CONTENT_TYPES, mapLimit, requireNumber, requireObject, requireRendition, requireVideoId, silentLogger, uploadFile, uploadStream } from './step-support';
import { checkedSize, codecsString, renditionResult, shipSettings, uploadMediaPlaylist, type TranscodeContext } from './transcode';

/**
 * The package step of the chunked path: the rendition's chunks are joined by ffmpeg's concat
 * demuxer with streams copied (no re-encode: each chunk starts with a keyframe on the segment
 * grid), the audio encoded once for the rendition muxed beside them, into the same HLS and MP4
 * keys a single encode uploads. Its disk use does not grow with the video (README "Joining").
 */

/** Parallel chunk look-ups (a HEAD and a presigned URL each on S3). */
const LOOKUP_CONCURRENCY = 8;

/** The concat demuxer's list: one `file` line per chunk, quoted for its syntax. */
export function concatList(files: readonly string[]): string {
  return files.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n') + '\n';
}

/** The join's inputs: the concat list (and the audio), every stream copied. */
export function joinInputArgs(opts: { list: string; audio?: string }): string[] {
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
  ];
}

/** Chunks (and the audio) into one faststart MP4 file (ffmpeg moves the index to the front in place). */
export function joinArgs(opts: { list: string; audio?: string; output: string }): string[] {
  return [...joinInputArgs(opts), '-movflags', '+faststart', '-f', 'mp4', opts.output];
}

/**
 * Chunks (and the audio) into a fragmented MP4 on stdout: each fragment is written once, in order,
 * and nothing is seeked back to, so it streams to the store without touching the disk.
 */
export function fragmentedJoinArgs(opts: { list: string; audio?: string }): string[] {
  return [...joinInputArgs(opts), '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1'];
}

/**
 * What the joined MP4 will weigh: the chunks and the audio hold its every byte of media (streams
 * are copied), and their own indexes weigh about what the joined one will. The margin covers the
 * difference. Exact sizes from the store beat the rendition's maxrate x duration, which x264 may
 * overshoot for a moment and which is 2-3x the average rate.
 */
export function joinedSizeEstimate(inputBytes: readonly number[]): number {
  const total = inputBytes.reduce((n, b) => n + b, 0);
  return Math.ceil(total * 1.02) + 1024 * 1024;
}

/** Room the package step leaves on its disk besides the MP4: segments in flight, the list, ffmpeg's own files. */
export const DISK_MARGIN_MB = 512;

/**
 * The package step's disk budget for the MP4: `PACKAGE_DISK_BUDGET_MB` when set, else the package
 * function's ephemeral storage (the figure the CDK stack gives it) less DISK_MARGIN_MB.
 */
export function packageDiskBudgetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = env.PACKAGE_DISK_BUDGET_MB !== undefined && env.PACKAGE_DISK_BUDGET_MB !== '' ? Number(env.PACKAGE_DISK_BUDGET_MB) : STEPS.packageRendition.ephemeralStorageMb - DISK_MARGIN_MB;
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`PACKAGE_DISK_BUDGET_MB must be a number of MB, at least 0; got ${JSON.stringify(env.PACKAGE_DISK_BUDGET_MB)}`);
  return Math.floor(mb * 1024 * 1024);
}

/** How the MP4 reaches the store: written to disk first when it fits the budget, else streamed as fragments. */
export type Mp4Delivery = 'file' | 'fragmented';

export function chooseMp4Delivery(estimateBytes: number, budgetBytes: number): Mp4Delivery {
  return estimateBytes <= budgetBytes ? 'file' : 'fragmented';
}

export interface PackageContext extends TranscodeContext {
  /** Bytes of disk the MP4 may take; default packageDiskBudgetBytes(). */
  diskBudgetBytes?: number;
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

/**
 * The package step: chunks + audio -> the rendition's HLS and MP4, as TranscodeResult. Neither is
 * ever on disk twice, and HLS never whole: the HLS is cut straight from the chunks and shipped
 * segment by segment (shipHls), and the frame count is checked on what ffmpeg wrote there; then
 * the MP4 is joined again, to a file when it fits the disk budget, else streamed as a fragmented
 * MP4. The playlist goes last, after the MP4.
 */
export async function packageRendition(input: PackageInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: PackageContext): Promise<TranscodeResult> {
  const started = Date.now();
  validatePackageInput(input);
  const { videoId, rendition } = input;
  const { signal } = ctx;
  const sig = signal ? { signal } : {};
  const log = ctx.logger ?? silentLogger;
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));

  // The chunks and the audio are read in place (files locally, presigned URLs on S3), not copied to disk.
  const chunks = await mapLimit(Array.from({ length: input.chunkCount }, (_, i) => i), LOOKUP_CONCURRENCY, (i) =>
    sourceObject(stores.media, keys.chunk(videoId, rendition.name, i), signal, 'chunk'),
  );
  const audio = input.hasAudio ? await sourceObject(stores.media, keys.chunkAudio(videoId, rendition.name), signal, 'audio') : undefined;
  // The copied streams' descriptions: the first chunk's video (its avcC is the output's), the audio's.
  const [chunkProbe, audioProbe] = await Promise.all([
    ffprobeFile(chunks[0]!.location, { ...sig, extra: ['-show_data'] }),
    audio ? ffprobeFile(audio.location, { ...sig, extra: ['-show_data'] }) : undefined,
  ]);
  const video = mainVideoStream(chunkProbe);
  const { width, height } = checkedSize(video, rendition, 'chunk');
  const audioStream = (audioProbe?.streams ?? []).find((s) => s.codec_type === 'audio');
  const codecs = codecsString({ streams: [...(video ? [video] : []), ...(audioStream ? [audioStream] : [])] });
  const fps = parseRate(video?.avg_frame_rate) || parseRate(video?.r_frame_rate);
  progress(0.05);

  const list = join(ctx.workDir, 'chunks.txt');
  await writeFile(list, concatList(chunks.map((c) => c.location)));
  const joinInputs = { list, ...(audio ? { audio: audio.location } : {}) };
  const hls = await shipHls({
    ...shipSettings(ctx, videoId, rendition, input.segmentSeconds),
    inputArgs: joinInputArgs(joinInputs),
    dir: join(ctx.workDir, 'hls'),
    media: stores.media,
    ...(fps > 0 ? { durationSeconds: input.frames / fps } : {}),
    onProgress: (f) => progress(0.05 + 0.5 * f),
  });
  // The join must hold every chunk's frames, no more, no fewer: a mismatch is a broken chunk. The
  // segments are up by now but no playlist names them, and a retry overwrites them.
  if (hls.frames !== input.frames) throw new Error(`the joined ${rendition.name} HLS has ${String(hls.frames)} frames; its ${input.chunkCount} chunks have ${input.frames}`);
  const durationSeconds = round3(hls.outTimeSeconds);
  progress(0.55);

  const estimate = joinedSizeEstimate([...chunks, ...(audio ? [audio] : [])].map((c) => c.sizeBytes));
  const budget = ctx.diskBudgetBytes ?? packageDiskBudgetBytes();
  const delivery = chooseMp4Delivery(estimate, budget);
  log.info('packaging the MP4', { rendition: rendition.name, delivery, estimateBytes: estimate, budgetBytes: budget, hlsPeakSegmentsOnDisk: hls.peakSegmentsOnDisk, hlsPauses: hls.pauses });
  const mp4Key = keys.mp4(videoId, rendition.name);
  const mp4Progress = (f: number) => progress(0.55 + 0.43 * f);
  let mp4: FileInfo;
  switch (delivery) {
    case 'file': {
      const file = join(ctx.workDir, `${rendition.name}.mp4`);
      await runFfmpeg(joinArgs({ ...joinInputs, output: file }), { ...sig, durationSeconds, onProgress: (p) => mp4Progress(0.5 * (p.fraction ?? 0)) });
      mp4 = await uploadFile(stores.media, mp4Key, file, CONTENT_TYPES.mp4, signal);
      await rm(file, { force: true });
      break;
    }
    case 'fragmented': {
      let streamed: FileInfo | undefined;
      await runFfmpeg(fragmentedJoinArgs(joinInputs), {
        ...sig,
        stdoutSink: async (stdout, clean) => {
          streamed = await uploadStream(stores.media, mp4Key, stdout, CONTENT_TYPES.mp4, { complete: clean, onBytes: (b) => mp4Progress(b / estimate), ...sig });
        },
      });
      if (!streamed) throw new Error(`the fragmented ${rendition.name} MP4 was not uploaded`);
      mp4 = streamed;
      break;
    }
    default: {
      const never: never = delivery;
      throw new Error(`unknown MP4 delivery ${String(never)}`);
    }
  }

  const playlist = await uploadMediaPlaylist(stores.media, videoId, rendition, hls.segments, signal);
  throwIfAborted(signal);
  progress(1);
  const bitRate = durationSeconds > 0 ? (mp4.sizeBytes * 8) / durationSeconds : 0;
  return renditionResult({ rendition, mp4, width, height, durationSeconds, bitRate, segments: hls.segments, playlist, codecs, started });
}
