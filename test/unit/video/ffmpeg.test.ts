import {
  FFMPEG_COMMON_ARGS,
  FfmpegError,
  ProgressParser,
  ffmpegPath,
  ffprobePath,
  installedBinary,
  parseFfmpegTime,
  progressFromBlock,
  runProcess,
  stderrTail,
} from '../../../lib/video/ffmpeg';
import { abortError, isAbortError } from '../../../lib/video/errors';

const node = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('binary paths', () => {
  it('FFMPEG_PATH / FFPROBE_PATH override the installer packages', () => {
    expect(ffmpegPath({ FFMPEG_PATH: '/opt/bin/ffmpeg' })).toBe('/opt/bin/ffmpeg');
    expect(ffprobePath({ FFPROBE_PATH: '/opt/bin/ffprobe' })).toBe('/opt/bin/ffprobe');
    expect(ffmpegPath({})).toMatch(/ffmpeg$/);
    expect(ffprobePath({})).toMatch(/ffprobe$/);
  });

  it('says what to do when the installer package has no binary for the platform', () => {
    const unsupported = () => {
      throw 'Unsupported platform/architecture: sunos-sparc';
    };
    expect(() => installedBinary('ffprobe', unsupported)).toThrow(
      `No ffprobe binary for ${process.platform}-${process.arch} (Unsupported platform/architecture: sunos-sparc): install @ffprobe-installer/ffprobe's package for this platform, or set FFPROBE_PATH to an ffprobe executable`,
    );
    expect(installedBinary('ffmpeg', () => ({ path: '/x/ffmpeg' }))).toBe('/x/ffmpeg');
  });

  it('every ffmpeg run is quiet, non-interactive and reports progress on stdout', () => {
    expect(FFMPEG_COMMON_ARGS).toEqual(['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats']);
  });
});

describe('progress parsing', () => {
  it('parses HH:MM:SS.micro', () => {
    expect(parseFfmpegTime('00:00:01.500000')).toBe(1.5);
    expect(parseFfmpegTime('01:02:03.25')).toBeCloseTo(3723.25);
    expect(parseFfmpegTime('-00:00:00.023220')).toBeCloseTo(-0.02322);
    expect(parseFfmpegTime('N/A')).toBeNaN();
  });

  it('turns -progress blocks into reports', () => {
    const parser = new ProgressParser(10);
    const lines = [
      'frame=60',
      'fps=30.00',
      'stream_0_0_q=28.0',
      'bitrate= 512.3kbits/s',
      'total_size=128000',
      'out_time_us=2000000',
      'out_time_ms=2000000',
      'out_time=00:00:02.000000',
      'dup_frames=0',
      'drop_frames=0',
      'speed=1.5x',
      'progress=continue',
    ];
    const reports = lines.map((l) => parser.push(l)).filter(Boolean);
    expect(reports).toEqual([{ outTimeSeconds: 2, frame: 60, fps: 30, speed: 1.5, fraction: 0.2, done: false }]);
    expect(parser.push('out_time=00:00:10.000000')).toBeUndefined();
    expect(parser.push('speed=N/A')).toBeUndefined();
    expect(parser.push('progress=end')).toEqual({ outTimeSeconds: 10, fraction: 1, done: true });
  });

  it('falls back to out_time_us, clamps negatives, leaves fraction out without a duration', () => {
    expect(progressFromBlock({ out_time: 'N/A', out_time_us: '1500000' }, false)).toEqual({ outTimeSeconds: 1.5, done: false });
    expect(progressFromBlock({ out_time: '-577014:32:22.771810' }, false, 5)).toEqual({ outTimeSeconds: 0, fraction: 0, done: false });
    expect(progressFromBlock({ out_time: '00:00:09.000000' }, false, 4).fraction).toBe(1);
  });

  it('stderrTail keeps the last non-empty lines', () => {
    expect(stderrTail('a\n\nb\r\nc\n  \nd\ne\nf\n', 3)).toBe('d | e | f');
  });
});

describe('runProcess with a stdout sink', () => {
  const drain = async (stdout: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const c of stdout) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };

  it('hands stdout over as bytes and tells the sink the process exited cleanly', async () => {
    let seen: [string, boolean] | undefined;
    const r = await runProcess(node, ['-e', 'process.stdout.write("mp4 bytes")'], { stdoutSink: async (stdout, clean) => void (seen = [await drain(stdout), await clean]) });
    expect(seen).toEqual(['mp4 bytes', true]);
    expect(r.stdout).toBe('');
  });

  it('a process that fails: the sink is told, and the run fails with the process error, not the sink refusal', async () => {
    let clean: boolean | undefined;
    const err = await runProcess(node, ['-e', 'process.stdout.write("partial"); console.error("broken input"); process.exitCode = 2'], {
      stdoutSink: async (stdout, exit) => {
        await drain(stdout);
        clean = await exit;
        if (!clean) throw new Error('refused');
      },
    }).catch((e: unknown) => e);
    expect(clean).toBe(false);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toContain('broken input');
  });

  it('a sink that fails kills the process and is the run error', async () => {
    const err = await runProcess(node, ['-e', 'setInterval(() => process.stdout.write("x"), 10)'], { stdoutSink: async () => Promise.reject(new Error('store unreachable')) }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('store unreachable');
  });
});

describe('runProcess', () => {
  it('captures stdout and stderr', async () => {
    const r = await runProcess(node, ['-e', 'process.stdout.write("out"); process.stderr.write("err")']);
    expect(r.stdout).toBe('out');
    expect(r.stderr).toBe('err');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('streams stdout lines to a callback', async () => {
    const lines: string[] = [];
    await runProcess(node, ['-e', 'console.log("a=1"); console.log("progress=continue"); console.log("b=2")'], { onStdoutLine: (l) => lines.push(l) });
    expect(lines).toEqual(['a=1', 'progress=continue', 'b=2']);
  });

  it('a non-zero exit is an FfmpegError with the exit code and the tail of stderr', async () => {
    const err = await runProcess(node, ['-e', 'console.error("line 1"); console.error("Invalid data found"); process.exitCode = 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    const e = err as FfmpegError;
    expect(e.name).toBe('FfmpegError');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/exited with code 3: line 1 \| Invalid data found$/);
    expect(e.stderr).toContain('Invalid data found');
  });

  it('keeps only the tail of a huge stderr', async () => {
    const err = (await runProcess(node, ['-e', 'for (let i = 0; i < 5000; i++) console.error("noise " + i); console.error("the end"); process.exitCode = 1'], { stderrLimit: 1000 }).catch((e: unknown) => e)) as FfmpegError;
    expect(err.stderr.length).toBeLessThanOrEqual(1000);
    expect(err.stderr).toContain('the end');
  });

  it('a missing binary rejects with ENOENT', async () => {
    await expect(runProcess('/nonexistent/ffmpeg', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('abort kills the process and rejects with the abort reason', async () => {
    const controller = new AbortController();
    let pid = 0;
    const started = Date.now();
    const run = runProcess(node, ['-e', 'setInterval(() => {}, 1000)'], { signal: controller.signal, onSpawn: (c) => (pid = c.pid!) });
    setTimeout(() => controller.abort(), 100);
    const err = await run.catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it('an already aborted signal never spawns', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the workflow');
    controller.abort(reason);
    let spawned = false;
    await expect(runProcess(node, ['-e', ''], { signal: controller.signal, onSpawn: () => (spawned = true) })).rejects.toBe(reason);
    expect(spawned).toBe(false);
  });

  it('abortError uses the reason when it is an Error, else an AbortError', () => {
    const c = new AbortController();
    c.abort('stop');
    expect(abortError(c.signal)).toMatchObject({ name: 'AbortError', message: 'stop' });
    const d = new AbortController();
    d.abort();
    expect(isAbortError(abortError(d.signal))).toBe(true);
  });
});
