import type { ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import type { FileInfo } from './contracts';
import { runFfmpeg } from './ffmpeg';
import { CONTENT_TYPES, uploadFile } from './step-support';
import { parseMediaPlaylist } from './media-playlist';

/**
 * HLS made and shipped at once: ffmpeg writes the segments into a folder while each finished one
 * is uploaded and deleted, so the folder holds a few segments whatever the video's length. ffmpeg
 * rewrites its playlist after closing each segment (an EVENT playlist; a VOD one is written only at
 * the end), so a segment the playlist names is complete. When uploads fall behind, ffmpeg is
 * paused (SIGSTOP) until they catch up: the bound holds even on a slow store.
 */

/** The file name ffmpeg gives segment `n` (`-start_number 0`). */
export const SEGMENT_PATTERN = 'segment_%05d.ts';
const SEGMENT_FILE = /^segment_\d{5,}\.ts$/;
const PLAYLIST = 'index.m3u8';
/** How often the folder is looked at besides its change events (a file system without them still works). */
const POLL_MS = 100;

/** The HLS muxer's settings: segments cut at the aligned keyframes, the playlist rewritten per segment. */
export function hlsMuxArgs(opts: { playlist: string; segmentPattern: string; segmentSeconds: number }): string[] {
  return [
    '-f', 'hls',
    '-hls_time', String(opts.segmentSeconds),
    '-hls_playlist_type', 'event',
    '-hls_list_size', '0',
    '-start_number', '0',
    '-hls_segment_filename', opts.segmentPattern,
    opts.playlist,
  ];
}

export interface ShipHlsOptions {
  /** ffmpeg's inputs, maps and codec settings: everything before the HLS muxer's options. */
  inputArgs: readonly string[];
  /** An empty folder of its own for the segments. */
  dir: string;
  segmentSeconds: number;
  media: BlobStore;
  /** The key segment `n` is uploaded to. */
  keyOf: (n: number) => string;
  uploadConcurrency: number;
  /** Segments on disk (finished, being uploaded, being written) past which ffmpeg is paused; at least 3. */
  maxSegmentsOnDisk: number;
  signal?: AbortSignal;
  /** The output's expected duration, for progress (0..1 of segments uploaded). */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
}

export interface ShippedSegment {
  durationSeconds: number;
  info: FileInfo;
}

export interface ShippedHls {
  segments: ShippedSegment[];
  /** Video frames ffmpeg wrote, from its final progress report. */
  frames: number | undefined;
  /** Where the output ends (ffmpeg's final out_time: the latest stream end). */
  outTimeSeconds: number;
  /** The most segment files on disk at once. */
  peakSegmentsOnDisk: number;
  /** How many times ffmpeg was paused for the uploads to catch up. */
  pauses: number;
}

/** Runs ffmpeg into HLS and uploads each segment as soon as it is finished; resolves once all are uploaded. */
export async function shipHls(o: ShipHlsOptions): Promise<ShippedHls> {
  const maxOnDisk = Math.max(3, o.maxSegmentsOnDisk);
  const concurrency = Math.max(1, o.uploadConcurrency);
  await mkdir(o.dir, { recursive: true });
  const playlistFile = join(o.dir, PLAYLIST);
  // Our own controller stops ffmpeg when an upload fails; the caller's stops everything.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;

  let child: ChildProcess | undefined;
  let paused = false;
  let pauses = 0;
  const seen = new Set<string>();
  let removed = 0;
  let peak = 0;
  const listed: { durationSeconds: number; uri: string }[] = [];
  const shipped: ShippedSegment[] = [];
  let started = 0;
  let inFlight = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;
  let finalCount: number | undefined;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const allShipped = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  allShipped.catch(() => undefined);
  const expected = o.durationSeconds && o.durationSeconds > 0 ? Math.ceil(o.durationSeconds / o.segmentSeconds) : undefined;

  const pressure = () => {
    const onDisk = seen.size - removed;
    peak = Math.max(peak, onDisk);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Stopped mid-rewrite of its playlist, ffmpeg may leave finished segments unnamed: with
    // nothing left to upload it runs on (a few segments over the limit), or it would wait forever.
    const idle = inFlight === 0 && started >= listed.length;
    // Resume a segment below the limit, so ffmpeg is not stopped and started for every segment.
    if (!paused && onDisk > maxOnDisk && !idle) {
      paused = child.kill('SIGSTOP');
      if (paused) pauses++;
    } else if (paused && (onDisk < maxOnDisk || idle)) {
      child.kill('SIGCONT');
      paused = false;
    }
  };
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    stop.abort(error);
    settle!.reject(error);
  };
  const checkDone = () => {
    if (finalCount !== undefined && done === finalCount && !failure) settle!.resolve();
  };
  const pump = () => {
    while (!failure && inFlight < concurrency && started < listed.length) {
      const n = started++;
      const segment = listed[n]!;
      const file = join(o.dir, segment.uri);
      inFlight++;
      void (async () => {
        const info = await uploadFile(o.media, o.keyOf(n), file, CONTENT_TYPES.ts, signal);
        await rm(file, { force: true });
        shipped[n] = { durationSeconds: segment.durationSeconds, info };
      })().then(
        () => {
          inFlight--;
          removed++;
          done++;
          if (expected) o.onProgress?.(Math.min(1, done / expected));
          pressure();
          pump();
          checkDone();
        },
        (error: unknown) => {
          inFlight--;
          fail(error);
        },
      );
    }
  };
  /** New segments from ffmpeg's playlist. Mid-write it may be cut short: only whole lines count. */
  const learn = (text: string, whole: boolean) => {
    const upTo = whole ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    if (!upTo.startsWith('#EXTM3U')) {
      if (whole) throw new Error(`ffmpeg's HLS playlist ${playlistFile} is not a playlist`);
      return;
    }
    const segments = parseMediaPlaylist(upTo).segments;
    for (let n = listed.length; n < segments.length; n++) {
      const s = segments[n]!;
      if (!SEGMENT_FILE.test(s.uri)) throw new Error(`ffmpeg's HLS playlist names an unexpected segment ${JSON.stringify(s.uri)}`);
      listed.push(s);
      seen.add(s.uri);
    }
  };
  let looking = false;
  let again = false;
  const look = async () => {
    if (looking) {
      again = true;
      return;
    }
    looking = true;
    try {
      do {
        again = false;
        for (const name of await readdir(o.dir)) if (SEGMENT_FILE.test(name)) seen.add(name);
        const text = await readFile(playlistFile, 'utf8').catch(() => '');
        try {
          learn(text, false);
        } catch {
          // A playlist caught mid-rewrite; the next look (or the final one) reads it whole.
        }
        pressure();
        pump();
      } while (again && !failure);
    } catch (error) {
      fail(error);
    } finally {
      looking = false;
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(o.dir, (_event, name) => {
      // A new segment file counts at once, so a pause comes before ffmpeg writes much more.
      if (name && SEGMENT_FILE.test(name) && !seen.has(name)) {
        seen.add(name);
        pressure();
      }
      if (name === PLAYLIST) void look();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(() => void look(), POLL_MS);
  let frames: number | undefined;
  let outTimeSeconds = 0;
  try {
    await runFfmpeg([...o.inputArgs, ...hlsMuxArgs({ playlist: playlistFile, segmentPattern: join(o.dir, SEGMENT_PATTERN), segmentSeconds: o.segmentSeconds })], {
      signal,
      onSpawn: (c) => (child = c),
      onProgress: (p) => {
        if (!p.done) return;
        frames = p.frame;
        outTimeSeconds = p.outTimeSeconds;
      },
    });
    clearInterval(timer);
    watcher?.close();
    while (looking) await new Promise((r) => setTimeout(r, 5));
    learn(await readFile(playlistFile, 'utf8'), true);
    if (listed.length === 0) throw new Error('ffmpeg wrote an HLS playlist without segments');
    finalCount = listed.length;
    pump();
    checkDone();
    await allShipped;
  } catch (error) {
    fail(error);
    // Uploads in flight settle (they were aborted) before the caller removes the folder.
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    throw failure?.error ?? error;
  } finally {
    clearInterval(timer);
    watcher?.close();
  }
  return { segments: shipped, frames, outTimeSeconds, peakSegmentsOnDisk: peak, pauses };
}
