/**
 * Output verification: before publish calls a video done, every rendition is checked against its
 * source, so a cut-off or broken output fails the run with a named reason instead of completing.
 * The checks are plain functions over ffprobe descriptions (reading an MP4's header is cheap:
 * no output is decoded) and the HLS playlist text.
 */
import type { BlobStore } from '../storage/blob-store';
import type { ProbeResult, PublishInput, TranscodeResult } from './contracts';
import { OutputInvalidError, OutputTooShortError, throwIfAborted } from './errors';
import { FfmpegError, runFfprobeJson, stderrTail } from './ffmpeg';
import { mainVideoStream, parseRate, probeArgs, readableLocation, type FfprobeOutput, type FfprobeStream } from './probe';
import { parseMediaPlaylist } from './transcode';

/** What is known of one rendition's stored outputs. */
export interface RenditionOutputs {
  /** What transcode reported. */
  result: TranscodeResult;
  /** ffprobe -show_format -show_streams of the stored MP4. */
  mp4: FfprobeOutput;
  /** The stored HLS media playlist's text. */
  playlist: string;
}

export type VerificationReason = 'OutputTooShort' | 'OutputInvalid';

export interface VerificationProblem {
  rendition: string;
  reason: VerificationReason;
  message: string;
}

/** Samples in one AAC packet: the audio side of "within one packet". */
const AAC_FRAME_SAMPLES = 1024;
/** Rounding of durations written with millisecond or microsecond precision. */
const EPSILON_SECONDS = 0.002;

const num = (v: string | number | undefined): number => (v === undefined ? Number.NaN : Number(v));

/** One audio packet's duration in seconds, from the stream's own figures when it has them. */
export function audioPacketSeconds(audio: FfprobeStream & { sample_rate?: string }): number {
  const duration = num(audio.duration);
  const packets = num(audio.nb_frames);
  if (duration > 0 && packets > 0) return duration / packets;
  const rate = num(audio.sample_rate);
  return rate > 0 ? AAC_FRAME_SAMPLES / rate : 0;
}

/**
 * How far a duration may be off: one video frame, plus one audio packet when there is audio
 * (audio is cut at packet boundaries, so the MP4 may end up to one packet later or earlier).
 */
export function durationTolerance(frameRate: number, audioPacket = 0): number {
  return (frameRate > 0 ? 1 / frameRate : 0) + audioPacket + EPSILON_SECONDS;
}

const seconds = (n: number): string => `${n.toFixed(3)} s`;

/** Checks one rendition against its source; an empty list means it may be published. */
export function verifyRendition(source: ProbeResult, out: RenditionOutputs): VerificationProblem[] {
  const name = out.result.rendition.name;
  const problems: VerificationProblem[] = [];
  const fail = (reason: VerificationReason, message: string) => problems.push({ rendition: name, reason, message: `${name}: ${message}` });

  const video = mainVideoStream(out.mp4);
  const audio = (out.mp4.streams ?? []).find((s) => s.codec_type === 'audio') as (FfprobeStream & { sample_rate?: string }) | undefined;
  if (!video) {
    fail('OutputInvalid', 'the MP4 has no video stream');
    return problems;
  }
  const fps = parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate) || source.frameRate;
  const tolerance = durationTolerance(fps, audio ? audioPacketSeconds(audio) : 0);
  const videoSeconds = num(video.duration) > 0 ? num(video.duration) : num(out.mp4.format?.duration);
  const mp4Seconds = Math.max(num(out.mp4.format?.duration) || 0, videoSeconds || 0);

  // Duration: the whole source, within one frame (and one audio packet) either way.
  if (!(mp4Seconds > 0)) fail('OutputInvalid', 'the MP4 has no duration');
  else if (mp4Seconds < source.durationSeconds - tolerance) {
    fail('OutputTooShort', `the MP4 lasts ${seconds(mp4Seconds)} but its source ${seconds(source.durationSeconds)} (${seconds(source.durationSeconds - mp4Seconds)} missing)`);
  } else if (mp4Seconds > source.durationSeconds + tolerance) {
    fail('OutputInvalid', `the MP4 lasts ${seconds(mp4Seconds)}, longer than its source (${seconds(source.durationSeconds)})`);
  }

  // Frame count: what the frame rate says the video's duration holds, within a frame.
  const frames = num(video.nb_frames);
  if (frames > 0 && videoSeconds > 0) {
    const expected = videoSeconds * fps;
    if (Math.abs(frames - expected) > 1 + EPSILON_SECONDS * fps) {
      fail('OutputInvalid', `the MP4 has ${frames} frames; ${seconds(videoSeconds)} at ${fps.toFixed(3)} fps holds ${Math.round(expected)}`);
    }
  } else if (!(frames > 0) && video.nb_frames !== undefined) {
    fail('OutputInvalid', 'the MP4 has no video frames');
  }

  // Audio: kept whenever the source has it.
  if (source.hasAudio && !audio) fail('OutputInvalid', 'the MP4 has no audio but its source has');

  // HLS: a parseable VOD playlist whose segments add up to the MP4.
  let playlist;
  try {
    playlist = parseMediaPlaylist(out.playlist);
  } catch (error) {
    fail('OutputInvalid', `its HLS playlist cannot be read (${(error as Error).message})`);
    return problems;
  }
  const count = playlist.segments.length;
  const hlsSeconds = playlist.segments.reduce((sum, s) => sum + s.durationSeconds, 0);
  if (!playlist.endList) fail('OutputInvalid', 'its HLS playlist has no #EXT-X-ENDLIST (not a complete VOD playlist)');
  if (count === 0) fail('OutputInvalid', 'its HLS playlist has no segments');
  else {
    if (count !== out.result.hls.segmentCount) fail('OutputInvalid', `its HLS playlist lists ${count} segments, transcode reported ${out.result.hls.segmentCount}`);
    const reference = videoSeconds > 0 ? videoSeconds : mp4Seconds;
    if (Math.abs(hlsSeconds - reference) > tolerance) {
      const reason: VerificationReason = hlsSeconds < reference ? 'OutputTooShort' : 'OutputInvalid';
      fail(reason, `its HLS segments add up to ${seconds(hlsSeconds)}, the MP4's video to ${seconds(reference)}`);
    }
    const target = playlist.targetDuration;
    const overlong = playlist.segments.findIndex((s) => Math.round(s.durationSeconds) > target);
    if (overlong >= 0) fail('OutputInvalid', `HLS segment ${overlong} lasts ${seconds(playlist.segments[overlong]!.durationSeconds)}, over #EXT-X-TARGETDURATION ${target}`);
  }
  return problems;
}

/** Checks every rendition; the problems of all of them, in rendition order. */
export function verifyOutputs(source: ProbeResult, outputs: readonly RenditionOutputs[]): VerificationProblem[] {
  return outputs.flatMap((out) => verifyRendition(source, out));
}

/**
 * Throws for the problems found: OutputTooShortError when any output is cut short (the case a user
 * must never see as COMPLETED), else OutputInvalidError. The message lists every problem.
 */
export function assertVerified(problems: readonly VerificationProblem[]): void {
  if (problems.length === 0) return;
  const message = `Output verification failed: ${problems.map((p) => p.message).join('; ')}`;
  if (problems.some((p) => p.reason === 'OutputTooShort')) throw new OutputTooShortError(message);
  throw new OutputInvalidError(message);
}

/** ffprobe of a stored output, read where it lies (the local file, or a presigned URL: only its header). */
export async function probeStored(media: BlobStore, key: string, signal?: AbortSignal): Promise<FfprobeOutput> {
  try {
    return await runFfprobeJson<FfprobeOutput>(probeArgs(await readableLocation(media, key, 900)), signal ? { signal } : {});
  } catch (error) {
    // ffprobe exiting non-zero on our own output means the output is broken, not the moment.
    if (error instanceof FfmpegError && !error.exitSignal) throw new OutputInvalidError(`Output verification failed: ffprobe cannot read ${key} (${stderrTail(error.stderr, 1)})`);
    throw error;
  }
}

export type ProbeStored = typeof probeStored;

/** Reads what verification needs of every rendition in `input` and checks it; throws as assertVerified. */
export async function verifyStoredOutputs(input: PublishInput, media: BlobStore, options: { signal?: AbortSignal; probe?: ProbeStored } = {}): Promise<void> {
  const probe = options.probe ?? probeStored;
  const outputs = await Promise.all(
    input.renditions.map(async (result): Promise<RenditionOutputs> => {
      const [mp4, playlist] = await Promise.all([probe(media, result.mp4.key, options.signal), media.getBuffer(result.hls.playlist.key)]);
      return { result, mp4, playlist: playlist.toString('utf8') };
    }),
  );
  throwIfAborted(options.signal);
  assertVerified(verifyOutputs(input.source.probe, outputs));
}
