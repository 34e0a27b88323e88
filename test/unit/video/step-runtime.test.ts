import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '../../../lib/storage/local-blob-store';
import { InvalidInputError, isAbortError } from '../../../lib/video/errors';
import { deadlineMarginMs, runStep, storesForEnv } from '../../../lib/video/step-runtime';
import { downloadSource, mapLimit, requireVideoId, sha256File, sha256Hex, uploadBuffer, uploadFile } from '../../../lib/video/step-support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'step-runtime-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runStep', () => {
  const env = () => ({ MEDIA_DIR: join(dir, 'media'), LOCAL_MEDIA_BASE_URL: 'http://127.0.0.1:1/files' });

  it('gives the step stores from the environment and a fresh work dir, removed afterwards', async () => {
    let seen = '';
    const result = await runStep(
      'probe',
      undefined,
      async (stores, ctx) => {
        seen = ctx.workDir;
        expect(existsSync(ctx.workDir)).toBe(true);
        expect(ctx.workDir.startsWith(tmpdir())).toBe(true);
        expect((stores.uploads as LocalBlobStore).root).toBe(join(dir, 'media', 'uploads'));
        await writeFile(join(ctx.workDir, 'big.bin'), 'x');
        return 42;
      },
      { env: env() },
    );
    expect(result).toBe(42);
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the work dir when the step fails, and rethrows', async () => {
    let seen = '';
    await expect(
      runStep(
        'transcode',
        undefined,
        async (_stores, ctx) => {
          seen = ctx.workDir;
          throw new InvalidInputError('bad');
        },
        { env: env() },
      ),
    ).rejects.toThrow(InvalidInputError);
    expect(existsSync(seen)).toBe(false);
  });

  it('aborts the step shortly before the Lambda deadline', async () => {
    const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 700 };
    const started = Date.now();
    const error = (await runStep(
      'thumbnails',
      context,
      (_stores, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal!.addEventListener('abort', () => reject(ctx.signal!.reason));
        }),
      { env: env() },
    ).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toMatch(/thumbnails step was stopped/);
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('passes an outside signal through (an activity worker cancelling)', async () => {
    const controller = new AbortController();
    const run = runStep('publish', undefined, (_s, ctx) => new Promise((_r, reject) => ctx.signal!.addEventListener('abort', () => reject(ctx.signal!.reason))), {
      env: env(),
      signal: controller.signal,
    });
    controller.abort();
    expect(isAbortError(await run.catch((e: unknown) => e))).toBe(true);
  });

  it('margin: 10% of the time left, between 0.5 s and 5 s', () => {
    expect(deadlineMarginMs(1000)).toBe(500);
    expect(deadlineMarginMs(20_000)).toBe(2000);
    expect(deadlineMarginMs(900_000)).toBe(5000);
  });

  it('reuses stores while the environment is unchanged', () => {
    const a = storesForEnv(env());
    expect(storesForEnv(env())).toBe(a);
    expect(storesForEnv({ ...env(), MEDIA_DIR: join(dir, 'other') })).not.toBe(a);
  });
});

describe('step support', () => {
  it('hashes files and buffers alike', async () => {
    const f = join(dir, 'h.txt');
    await writeFile(f, 'abc');
    expect(await sha256File(f)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('uploads report key, size and sha256', async () => {
    const store = new LocalBlobStore(join(dir, 'store'));
    const f = join(dir, 'u.txt');
    await writeFile(f, 'hello');
    expect(await uploadFile(store, 'v/u.txt', f, 'text/plain')).toEqual({ key: 'v/u.txt', sizeBytes: 5, sha256: sha256Hex('hello') });
    expect(await uploadBuffer(store, 'v/b.txt', 'hi', 'text/plain')).toEqual({ key: 'v/b.txt', sizeBytes: 2, sha256: sha256Hex('hi') });
  });

  it('downloads a source, and a missing one is an InvalidInputError', async () => {
    const store = new LocalBlobStore(join(dir, 'store'));
    await store.putBuffer('v/source', 'video bytes');
    const out = join(dir, 'dl');
    await downloadSource(store, 'v/source', out);
    expect(await readFile(out, 'utf8')).toBe('video bytes');
    await expect(downloadSource(store, 'v/none', join(dir, 'dl2'))).rejects.toThrow(InvalidInputError);
    await expect(downloadSource(store, 'v/none', join(dir, 'dl2'))).rejects.toThrow(/does not exist/);
  });

  it('a download aborts with the signal and leaves no partial file', async () => {
    const store = new LocalBlobStore(join(dir, 'store'));
    await store.putBuffer('v/big', Buffer.alloc(1024 * 1024));
    const controller = new AbortController();
    controller.abort();
    const out = join(dir, 'aborted');
    expect(isAbortError(await downloadSource(store, 'v/big', out, controller.signal).catch((e: unknown) => e))).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('mapLimit keeps order and the concurrency bound', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 5));
      running--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(peak).toBe(2);
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
  });

  it('video ids are one safe key segment', () => {
    expect(requireVideoId('3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b')).toBe('3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b');
    for (const bad of ['', 'a/b', '..', '.x', 'x'.repeat(129), 42]) expect(() => requireVideoId(bad)).toThrow(InvalidInputError);
  });
});
