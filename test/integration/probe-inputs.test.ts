/**
 * Probe on generated odd inputs: what it finds in each (the corpus test checks where each ends in
 * the pipeline), and that it reads a source where it lies, over ranged HTTP reads, without
 * copying it.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../lib/storage/local-blob-store';
import type { ProbeResult } from '../../lib/video/contracts';
import { TruncatedSourceError } from '../../lib/video/errors';
import { ffprobePath, runFfmpeg } from '../../lib/video/ffmpeg';
import { probe, probeFile, probeSource } from '../../lib/video/probe';
import { demoClip, MEDIA_INPUTS } from '../helpers/media-inputs';

jest.setTimeout(120_000);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probed(fileName: string): Promise<ProbeResult> {
  const input = MEDIA_INPUTS.find((i) => i.fileName === fileName);
  if (!input) throw new Error(`no input ${fileName}`);
  const file = join(dir, fileName);
  await input.make(file, dir);
  return probeFile(file);
}

test('variable frame rate is seen, and the duration is the real one', async () => {
  const p = await probed('vfr.mp4');
  expect(p.traits).toMatchObject({ variableFrameRate: true, interlaced: false, hdr: false, bitDepth: 8 });
  expect(p.durationSeconds).toBeCloseTo(2, 0);
});

test('interlaced: the field order marks it', async () => {
  expect((await probed('interlaced.mp4')).traits).toMatchObject({ interlaced: true, variableFrameRate: false });
});

test('HDR10: PQ transfer and 10 bits', async () => {
  expect((await probed('hdr10.mp4')).traits).toMatchObject({ hdr: true, bitDepth: 10, pixelFormat: 'yuv420p10le' });
});

test("a phone's portrait video: the display matrix turns 640x360 into 360x640", async () => {
  const p = await probed('phone.mp4');
  expect([p.width, p.height, p.rotation, p.displayWidth, p.displayHeight]).toEqual([640, 360, 90, 360, 640]);
});

test('MPEG-TS: probed through the remux fallback, reported as MPEG-TS', async () => {
  const p = await probed('broadcast.ts');
  expect([p.formatName, p.width, p.height, p.hasAudio]).toEqual(['mpegts', 320, 240, true]);
  expect(p.durationSeconds).toBeCloseTo(4, 1);
  expect((await readdir(dir)).filter((f) => f.endsWith('.probe.mkv'))).toEqual([]);
});

test('a plain clip: the whole duration is decodable', async () => {
  const p = await probed('plain.mp4');
  expect(p.traits?.decodableSeconds).toBeCloseTo(p.durationSeconds, 2);
  expect(p.traits).toMatchObject({ variableFrameRate: false, interlaced: false, hdr: false });
});

/**
 * 20 s of noise at 160x120 (~15 MB): it does not compress, so the file is larger than loopback TCP
 * buffers hold and a read of the whole file would show. A keyframe every second, as real sources have.
 */
let noiseClip: Promise<string> | undefined;
function noise(): Promise<string> {
  const clip = join(dir, 'noise.mp4');
  noiseClip ??= runFfmpeg(['-f', 'lavfi', '-i', 'nullsrc=s=160x120:r=30,geq=random(1)*255:128:128', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '10', '-g', '30', '-movflags', '+faststart', clip]).then(() => clip);
  return noiseClip;
}

describe('reading only what it needs', () => {
  let server: Server;
  let requests: string[] = [];
  let base: string;

  beforeAll(async () => {
    // A static file server with byte ranges, as S3 serves a presigned GET; it records the ranges asked for.
    server = createServer((req, res) => {
      void (async () => {
        const file = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1)));
        const { size } = await stat(file);
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        requests.push(req.headers.range ?? 'all');
        res.writeHead(range ? 206 : 200, { 'content-length': end - start + 1, 'accept-ranges': 'bytes', ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) });
        const stream = createReadStream(file, { start, end });
        stream.pipe(res);
        res.on('close', () => stream.destroy());
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    requests = [];
  });

  test('probing a large clip over HTTP reads its header and its end with ranged requests, a fraction of the file', async () => {
    // ffprobe's own count of what it read (its AVIOContext statistics at debug level), through a
    // wrapper: what the server sent would include what loopback TCP buffers took but nobody read.
    const log = join(dir, 'ffprobe-statistics.log');
    const wrapper = join(dir, 'ffprobe-with-statistics.sh');
    await writeFile(wrapper, `#!/bin/sh\nexec "${ffprobePath()}" "$@" -v debug 2>>"${log}"\n`, { mode: 0o755 });
    const clip = await noise();
    const { size } = await stat(clip);
    const previous = process.env.FFPROBE_PATH;
    process.env.FFPROBE_PATH = wrapper;
    let p: ProbeResult;
    try {
      p = await probeSource(`${base}/noise.mp4`, size);
    } finally {
      if (previous === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = previous;
    }
    expect([p.durationSeconds, p.width, p.height]).toEqual([20, 160, 120]);
    const read = [...(await readFile(log, 'utf8')).matchAll(/Statistics: (\d+) bytes read/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(read).toBeGreaterThan(0);
    // The header, and the last TAIL_SCAN_SECONDS (3 of 20 s) from the keyframe before them.
    expect(read).toBeLessThan(size / 3);
    expect(requests.some((r) => Number(/^bytes=(\d+)-/.exec(r)?.[1]) > size / 2)).toBe(true);
  });

  test('an MPEG-TS source over HTTP: its duration from a read of its end, the work dir left empty', async () => {
    const clip = join(dir, 'noise.ts');
    await runFfmpeg(['-i', await noise(), '-c', 'copy', '-f', 'mpegts', clip]);
    const { size } = await stat(clip);
    const workDir = join(dir, 'ts-work');
    await mkdir(workDir);
    const p = await probeSource(`${base}/noise.ts`, size, { workDir });
    expect([p.formatName, p.width, p.height]).toEqual(['mpegts', 160, 120]);
    // The remux holds REMUX_HEAD_SECONDS (5 s); the 20 s are ffmpeg's reading of the file's end.
    expect(p.durationSeconds).toBeCloseTo(20, 1);
    expect(requests.some((r) => Number(/^bytes=(\d+)-/.exec(r)?.[1]) > size * 0.9)).toBe(true);
    expect(await readdir(workDir)).toEqual([]);
  });

  test('the interrupted upload fails over HTTP as it does locally', async () => {
    const input = MEDIA_INPUTS.find((i) => i.fileName === 'interrupted.mp4')!;
    await input.make(join(dir, 'interrupted.mp4'), dir);
    await expect(probeSource(`${base}/interrupted.mp4`, 300_000)).rejects.toThrow(TruncatedSourceError);
  });

  test('the probe step reads the local store in place: nothing is copied into its work dir', async () => {
    const uploads = new LocalBlobStore({ root: join(dir, 'store') });
    await uploads.putFile('v1/source', await demoClip(dir));
    const workDir = join(dir, 'work');
    await mkdir(workDir);
    const p = await probe({ videoId: 'v1', sourceKey: 'v1/source' }, { uploads }, { workDir });
    expect(p.durationSeconds).toBe(10);
    expect(await readdir(workDir)).toEqual([]);
  });
});
