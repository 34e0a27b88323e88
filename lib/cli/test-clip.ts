import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runFfmpeg } from '../video/ffmpeg';

export interface TestClipOptions {
  seconds?: number;
  width?: number;
  height?: number;
  frameRate?: number;
  /** Include a sine-tone audio track (default true). */
  audio?: boolean;
  /** Keyframe interval in seconds (default x264's: 250 frames), e.g. 2 for a camera-like source. */
  keyframeSeconds?: number;
}

/**
 * Writes a synthetic H.264/AAC test clip (a moving test pattern with a 440 Hz tone), so the demo
 * and the tests need no media file of their own.
 */
export async function generateTestClip(file: string, options: TestClipOptions = {}): Promise<void> {
  const { seconds = 10, width = 1280, height = 720, frameRate = 30, audio = true, keyframeSeconds } = options;
  await mkdir(dirname(file), { recursive: true });
  const args = ['-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${frameRate}`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p');
  if (keyframeSeconds !== undefined) args.push('-g', String(Math.max(1, Math.round(keyframeSeconds * frameRate))));
  if (audio) args.push('-c:a', 'aac', '-b:a', '128k', '-shortest');
  args.push('-movflags', '+faststart', file);
  await runFfmpeg(args);
}
