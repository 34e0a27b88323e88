/**
 * The odd inputs a user uploads, generated with ffmpeg so no media file is committed: each with the
 * end state the pipeline must reach and why. The probe fixture tests and the corpus test share it.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateTestClip } from '../../lib/cli/test-clip';
import { runFfmpeg } from '../../lib/video/ffmpeg';

export type EndState =
  | { status: 'COMPLETED'; renditions: [name: string, width: number, height: number][] }
  | { status: 'FAILED'; reason: string; step: string; message: RegExp }
  /** The API refuses the upload itself; no workflow starts. */
  | { status: 'REFUSED'; httpStatus: number; message: RegExp };

export interface MediaInput {
  name: string;
  /** The file name the user uploads (its extension picks the content type). */
  fileName: string;
  /** Writes the input into `dir` at `file` (a shared cache of base clips lives in `dir` too). */
  make(file: string, dir: string): Promise<unknown>;
  expected: EndState;
}

const lavfiVideo = (size: string, rate: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];

/** Base clips several inputs cut or remux, made once per folder. */
const cache = new Map<string, Promise<string>>();
function base(dir: string, name: string, make: (file: string) => Promise<unknown>): Promise<string> {
  const file = join(dir, `base-${name}`);
  let made = cache.get(file);
  if (!made) {
    made = make(file).then(() => file);
    cache.set(file, made);
  }
  return made;
}

/** The demo's own clip: 10 s, 1280x720, H.264/AAC, moov first (faststart). */
export const demoClip = (dir: string) => base(dir, 'demo-10s.mp4', (f) => generateTestClip(f, { seconds: 10, width: 1280, height: 720 }));
/** A 4 s 320x240 clip with audio, moov first. */
const smallClip = (dir: string) => base(dir, 'small-4s.mp4', (f) => generateTestClip(f, { seconds: 4, width: 320, height: 240 }));
/** The same with the moov atom at the end, as a camera writes it (no faststart). */
const smallClipMoovLast = (dir: string) => base(dir, 'small-4s-moov-last.mp4', async (f) => runFfmpeg(['-i', await smallClip(dir), '-c', 'copy', f]));
const smallMkv = (dir: string) => base(dir, 'small-4s.mkv', async (f) => runFfmpeg(['-i', await smallClip(dir), '-c', 'copy', f]));

async function head(source: string, file: string, bytes: number | ((size: number) => number)): Promise<void> {
  const data = await readFile(source);
  await writeFile(file, data.subarray(0, typeof bytes === 'number' ? bytes : bytes(data.length)));
}

const truncated = /The upload is cut off/;

export const MEDIA_INPUTS: readonly MediaInput[] = [
  {
    name: 'a plain 2 s 480x270 clip',
    fileName: 'plain.mp4',
    make: (f) => generateTestClip(f, { seconds: 2, width: 480, height: 270 }),
    expected: { status: 'COMPLETED', renditions: [['270p', 480, 270]] },
  },
  {
    name: "the demo's truncated upload: the first 300,000 bytes of its 10 s clip",
    fileName: 'interrupted.mp4',
    make: async (f, dir) => head(await demoClip(dir), f, 300_000),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: /container says 10\.00 s but its media ends at 0\.\d\d s/ },
  },
  {
    name: 'truncated at half its bytes',
    fileName: 'half.mp4',
    make: async (f, dir) => head(await smallClip(dir), f, (n) => Math.floor(n / 2)),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: truncated },
  },
  {
    name: 'truncated at 90% of its bytes',
    fileName: 'ninety.mp4',
    make: async (f, dir) => head(await smallClip(dir), f, (n) => Math.floor(n * 0.9)),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: truncated },
  },
  {
    name: 'truncated inside its moov atom (the first 1,000 bytes)',
    fileName: 'header-only.mp4',
    make: async (f, dir) => head(await smallClip(dir), f, 1000),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: /ends inside its mov,mp4,m4a,3gp,3g2,mj2 header/ },
  },
  {
    name: 'moov atom missing (a camera file cut before its index)',
    fileName: 'no-moov.mp4',
    make: async (f, dir) => head(await smallClipMoovLast(dir), f, (n) => Math.floor(n * 0.8)),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: /without its index \(moov atom\)/ },
  },
  {
    name: 'a truncated Matroska file',
    fileName: 'cut.mkv',
    make: async (f, dir) => head(await smallMkv(dir), f, (n) => Math.floor(n * 0.6)),
    expected: { status: 'FAILED', reason: 'TruncatedSource', step: 'probe', message: truncated },
  },
  {
    name: 'a Matroska video named .mp4 (wrong extension)',
    fileName: 'really-matroska.mp4',
    make: async (f, dir) => copyFile(await smallMkv(dir), f),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'an MPEG-TS video (ffprobe crash workaround)',
    fileName: 'broadcast.ts',
    make: async (f, dir) => runFfmpeg(['-i', await smallClip(dir), '-c', 'copy', '-f', 'mpegts', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'an AVI with B-frames (packets without a pts)',
    fileName: 'camcorder.avi',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 25), ...tone, '-t', '2', '-c:v', 'mpeg4', '-bf', '2', '-c:a', 'mp3', '-shortest', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'a WebM (VP8 and Vorbis)',
    fileName: 'browser.webm',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 25), ...tone, '-t', '2', '-c:v', 'libvpx', '-deadline', 'realtime', '-c:a', 'libvorbis', '-shortest', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'a text file',
    fileName: 'notes.txt',
    make: (f) => writeFile(f, 'this is plain text, not a video\n'.repeat(50)),
    expected: { status: 'FAILED', reason: 'NotAVideo', step: 'probe', message: /not a video/ },
  },
  {
    name: 'zero bytes',
    fileName: 'empty.mp4',
    make: (f) => writeFile(f, ''),
    expected: { status: 'REFUSED', httpStatus: 400, message: /empty/i },
  },
  {
    name: 'audio only (AAC in MP4)',
    fileName: 'voice.m4a',
    make: (f) => runFfmpeg([...tone, '-t', '2', '-c:a', 'aac', f]),
    expected: { status: 'FAILED', reason: 'NotAVideo', step: 'probe', message: /no video stream \(only audio\)/ },
  },
  {
    name: 'zero video streams: subtitles only',
    fileName: 'subtitles.mkv',
    make: async (f, dir) => {
      const srt = join(dir, 'subs.srt');
      await writeFile(srt, '1\n00:00:00,000 --> 00:00:01,000\nhello\n');
      await runFfmpeg(['-i', srt, '-c:s', 'srt', f]);
    },
    expected: { status: 'FAILED', reason: 'NotAVideo', step: 'probe', message: /no video stream \(only subtitle\)/ },
  },
  {
    name: 'a still image (PNG)',
    fileName: 'photo.png',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 1), '-frames:v', '1', f]),
    expected: { status: 'FAILED', reason: 'NotAVideo', step: 'probe', message: /image or text|still image/ },
  },
  {
    name: 'a still image (JPEG named .mov)',
    fileName: 'photo.mov',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 1), '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', f]),
    expected: { status: 'FAILED', reason: 'NotAVideo', step: 'probe', message: /image or text|still image/ },
  },
  {
    name: 'variable frame rate (30 fps, then 10 fps)',
    fileName: 'vfr.mp4',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 30), ...tone, '-t', '2', '-vf', "select='lt(n\\,30)+not(mod(n\\,3))'", '-vsync', 'vfr', ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'interlaced (top field first)',
    fileName: 'interlaced.mp4',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 25), '-t', '1', '-vf', 'setfield=tff', '-flags', '+ildct+ilme', '-top', '1', ...x264, '-pix_fmt', 'yuv420p', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'HDR10, 10-bit (PQ, BT.2020)',
    fileName: 'hdr10.mp4',
    make: (f) => runFfmpeg([...lavfiVideo('320x240', 25), '-t', '1', ...x264, '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', f]),
    expected: { status: 'COMPLETED', renditions: [['240p', 320, 240]] },
  },
  {
    name: 'huge dimensions (8200x64)',
    fileName: 'panorama.mp4',
    make: (f) => runFfmpeg(['-f', 'lavfi', '-i', 'color=size=8200x64:rate=5', '-t', '1', ...x264, f]),
    expected: { status: 'FAILED', reason: 'FrameTooLarge', step: 'probe', message: /8200x64/ },
  },
  {
    name: "a phone's portrait video (640x360 coded, display matrix turned a quarter)",
    fileName: 'phone.mp4',
    make: async (f, dir) => {
      const land = join(dir, 'phone-land.mp4');
      await runFfmpeg([...lavfiVideo('640x360', 30), ...tone, '-t', '1', ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', land]);
      // ffmpeg 4.1's `rotate` metadata becomes the MP4 display matrix.
      await runFfmpeg(['-i', land, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', f]);
    },
    expected: { status: 'COMPLETED', renditions: [['360p', 360, 640]] },
  },
  {
    name: '1918x1078 (just short of 1080p: the manifest says why there is no 1080p rung)',
    fileName: 'almost-hd.mp4',
    make: (f) => runFfmpeg([...lavfiVideo('1918x1078', 30), '-t', '1', ...x264, '-pix_fmt', 'yuv420p', f]),
    expected: {
      status: 'COMPLETED',
      renditions: [
        ['720p', 1282, 720],
        ['480p', 854, 480],
        ['360p', 640, 360],
      ],
    },
  },
];
