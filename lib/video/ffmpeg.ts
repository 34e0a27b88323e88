import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { abortError } from './errors';

/**
 * Running ffmpeg and ffprobe: where the binaries are, a process runner that kills the process on
 * abort and keeps the tail of stderr for error messages, and ffmpeg's `-progress` output parsed.
 */

/**
 * The ffmpeg binary: `FFMPEG_PATH` when set (a Lambda layer's `/opt/bin/ffmpeg`, a system ffmpeg),
 * else the one @ffmpeg-installer/ffmpeg ships (ffmpeg 4.1 static; README "ffmpeg" says why not newer).
 */
export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_PATH) return env.FFMPEG_PATH;
  return installedBinary('ffmpeg', () => require('@ffmpeg-installer/ffmpeg') as { path: string });
}

/** The ffprobe binary: `FFPROBE_PATH` when set, else the one @ffprobe-installer/ffprobe ships. */
export function ffprobePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_PATH) return env.FFPROBE_PATH;
  return installedBinary('ffprobe', () => require('@ffprobe-installer/ffprobe') as { path: string });
}

/**
 * The path an installer package resolves, required lazily (a bundle that sets the variable needs no
 * package). The packages throw a bare string on a platform they have no binary for; that becomes
 * an Error saying what to do.
 */
export function installedBinary(name: 'ffmpeg' | 'ffprobe', load: () => { path: string }): string {
  try {
    return load().path;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const variable = name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
    throw new Error(`No ${name} binary for ${process.platform}-${process.arch} (${why}): install @${name}-installer/${name}'s package for this platform, or set ${variable} to an ${name} executable`);
  }
}

export interface FfmpegProgress {
  /** Output position in seconds. */
  outTimeSeconds: number;
  frame?: number;
  fps?: number;
  /** Encoding speed relative to real time (`1.5x` -> 1.5). */
  speed?: number;
  /** 0..1 when the input duration is known. */
  fraction?: number;
  /** ffmpeg reported `progress=end`. */
  done: boolean;
}

export interface RunOptions {
  /** Aborting kills the process (SIGKILL) and rejects with the signal's reason. */
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes of stderr kept (the tail); default 64 KiB. */
  stderrLimit?: number;
  /** Bytes of stdout kept; past this the run fails (protects against runaway output). Default 64 MiB. */
  stdoutLimit?: number;
  /** Called with each complete stdout line, e.g. `-progress pipe:1` key=value lines. */
  onStdoutLine?: (line: string) => void;
  /** Called once the process is spawned (tests use its pid; the HLS shipper pauses it). */
  onSpawn?: (child: ChildProcess) => void;
  /**
   * Takes stdout as a byte stream instead of keeping it (an output written to `pipe:1`). `clean`
   * settles when the process exits: true only for exit 0, so the sink can refuse to finish an
   * upload from a process that was killed or failed (its stdout ends normally all the same). The
   * run settles after the sink; a sink that rejects kills the process and is the run's error.
   */
  stdoutSink?: (stdout: Readable, clean: Promise<boolean>) => Promise<void>;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** A process exited non-zero (or was killed by a signal we did not send). */
export class ProcessError extends Error {
  override readonly name: string = 'ProcessError';
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** ffmpeg or ffprobe failed; the message ends with the last lines of its stderr. */
export class FfmpegError extends ProcessError {
  override readonly name = 'FfmpegError';
}

/** The last `lines` non-empty lines of a process's stderr, for an error message. */
export function stderrTail(stderr: string, lines = 5): string {
  return stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}

/**
 * Runs `bin args` without a shell. Resolves when it exits 0; rejects with FfmpegError on any other
 * exit and with the abort reason when `signal` aborts (after the process has been killed and has
 * exited, so its files are no longer being written).
 */
export function runProcess(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const stderrLimit = options.stderrLimit ?? 64 * 1024;
  const stdoutLimit = options.stdoutLimit ?? 64 * 1024 * 1024;
  const started = Date.now();
  const command = [bin, ...args].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  return new Promise<RunResult>((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(error);
      return;
    }
    let stdout = '';
    let stderr = '';
    let lineBuffer = '';
    let aborted = false;
    let overflow = false;
    let spawnError: Error | undefined;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let sinkError: unknown;
    let killedBySink = false;
    let sinkDone: Promise<void> = Promise.resolve();
    child.stderr!.setEncoding('utf8');
    if (options.stdoutSink) {
      const clean = new Promise<boolean>((resolveClean) => child.on('exit', (code) => resolveClean(code === 0 && !aborted)));
      sinkDone = options.stdoutSink(child.stdout!, clean).catch((error: unknown) => {
        sinkError = error ?? new Error('the stdout sink failed');
        killedBySink = child.exitCode === null && child.signalCode === null;
        kill();
      });
    } else {
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', onStdoutData);
    }
    function onStdoutData(chunk: string): void {
      stdout += chunk;
      if (stdout.length > stdoutLimit) {
        overflow = true;
        stdout = '';
        kill();
      }
      if (options.onStdoutLine) {
        lineBuffer += chunk;
        let nl: number;
        while ((nl = lineBuffer.indexOf('\n')) >= 0) {
          const line = lineBuffer.slice(0, nl).replace(/\r$/, '');
          lineBuffer = lineBuffer.slice(nl + 1);
          try {
            options.onStdoutLine(line);
          } catch {
            // A progress callback's failure must not break the run.
          }
        }
      }
    }
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > stderrLimit * 2) stderr = stderr.slice(-stderrLimit);
    });
    child.on('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) {
        // Never started (ENOENT, EACCES): there will be no exit to wait for.
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      }
    });
    if (child.pid !== undefined) options.onSpawn?.(child);
    child.on('close', (code, exitSignal) => void sinkDone.then(() => {
      signal?.removeEventListener('abort', onAbort);
      if (stderr.length > stderrLimit) stderr = stderr.slice(-stderrLimit);
      if (aborted && signal) return reject(abortError(signal));
      if (spawnError) return reject(spawnError);
      // A sink that failed on its own is the error; one that refused a failed process's output is not.
      if (sinkError !== undefined && (killedBySink || code === 0)) return reject(sinkError);
      const name = bin.split(/[\\/]/).pop() ?? bin;
      if (overflow) {
        return reject(new FfmpegError(`${name} wrote more than ${stdoutLimit} bytes to stdout`, command, code, exitSignal, stderr));
      }
      if (code !== 0) {
        const why = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
        const tail = stderrTail(stderr);
        return reject(new FfmpegError(`${name} ${why}${tail ? `: ${tail}` : ''}`, command, code, exitSignal, stderr));
      }
      resolvePromise({ stdout, stderr, elapsedMs: Date.now() - started });
    }));
  });
}

export interface FfmpegRunOptions extends Omit<RunOptions, 'onStdoutLine'> {
  /** Progress callback; ffmpeg is run with `-progress pipe:1 -nostats`. */
  onProgress?: (progress: FfmpegProgress) => void;
  /** Input duration, to compute `fraction`. */
  durationSeconds?: number;
  /** Binary to run instead of ffmpegPath(). */
  bin?: string;
}

/** Quiet, no prompts, overwrite. */
const FFMPEG_QUIET_ARGS: readonly string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];

/** The arguments every ffmpeg run gets: quiet, no prompts, overwrite, machine-readable progress. */
export const FFMPEG_COMMON_ARGS: readonly string[] = [...FFMPEG_QUIET_ARGS, '-progress', 'pipe:1', '-nostats'];

/**
 * Runs ffmpeg with FFMPEG_COMMON_ARGS in front of `args`, reporting progress. With `stdoutSink`
 * stdout carries the output (`pipe:1`), so there is no `-progress` and no onProgress.
 */
export function runFfmpeg(args: readonly string[], options: FfmpegRunOptions = {}): Promise<RunResult> {
  const { onProgress, durationSeconds, bin, ...rest } = options;
  if (rest.stdoutSink) return runProcess(bin ?? ffmpegPath(), [...FFMPEG_QUIET_ARGS, '-nostats', ...args], rest);
  const parser = new ProgressParser(durationSeconds);
  return runProcess(bin ?? ffmpegPath(), [...FFMPEG_COMMON_ARGS, ...args], {
    ...rest,
    stdoutLimit: rest.stdoutLimit ?? 1024 * 1024,
    onStdoutLine: (line) => {
      const p = parser.push(line);
      if (p && onProgress) onProgress(p);
    },
  }).then((r) => ({ ...r, stdout: '' }));
}

/** Runs ffprobe with `args` and parses its JSON output (`-print_format json` is added). */
export async function runFfprobeJson<T = unknown>(args: readonly string[], options: RunOptions & { bin?: string } = {}): Promise<T> {
  const { bin, ...rest } = options;
  const { stdout } = await runProcess(bin ?? ffprobePath(), ['-hide_banner', '-v', 'error', '-print_format', 'json', ...args], rest);
  return JSON.parse(stdout) as T;
}

/** `HH:MM:SS.micro` (ffmpeg's out_time / time=) -> seconds; NaN when unparsable. */
export function parseFfmpegTime(value: string): number {
  const m = /^(-)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] ? -seconds : seconds;
}

/**
 * Parses ffmpeg's `-progress` output: blocks of `key=value` lines, each ending with
 * `progress=continue` or `progress=end`. `push` returns a progress report at the end of a block.
 */
export class ProgressParser {
  private block: Record<string, string> = {};

  constructor(private readonly durationSeconds?: number) {}

  push(line: string): FfmpegProgress | undefined {
    const eq = line.indexOf('=');
    if (eq <= 0) return undefined;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.block[key] = value;
      return undefined;
    }
    const b = this.block;
    this.block = {};
    return progressFromBlock(b, value === 'end', this.durationSeconds);
  }
}

/** One `-progress` block (already split into keys) -> FfmpegProgress. */
export function progressFromBlock(block: Record<string, string>, done: boolean, durationSeconds?: number): FfmpegProgress {
  // out_time is the most reliable; out_time_us/out_time_ms are both microseconds (a known misnomer).
  let t = block.out_time !== undefined ? parseFfmpegTime(block.out_time) : Number.NaN;
  if (!Number.isFinite(t)) {
    const us = Number(block.out_time_us ?? block.out_time_ms);
    t = Number.isFinite(us) ? us / 1e6 : 0;
  }
  t = Math.max(0, t);
  const progress: FfmpegProgress = { outTimeSeconds: t, done };
  const frame = Number(block.frame);
  if (block.frame !== undefined && Number.isFinite(frame)) progress.frame = frame;
  const fps = Number(block.fps);
  if (block.fps !== undefined && Number.isFinite(fps)) progress.fps = fps;
  const speed = block.speed !== undefined ? Number.parseFloat(block.speed) : Number.NaN;
  if (Number.isFinite(speed)) progress.speed = speed;
  if (durationSeconds !== undefined && durationSeconds > 0) progress.fraction = done ? 1 : Math.min(1, t / durationSeconds);
  return progress;
}
