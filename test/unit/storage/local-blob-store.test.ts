import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobNotFoundError, BlobTooLargeError, InvalidKeyError } from '../../../lib/storage/blob-store';
import { LocalBlobStore, LOCAL_STORE_INTERNAL_DIR, encodeKeyForUrl } from '../../../lib/storage/local-blob-store';

let dir: string;
let store: LocalBlobStore;
const NOW = Date.parse('2030-01-01T00:00:00Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-store-'));
  store = new LocalBlobStore({ root: join(dir, 'media'), baseUrl: 'http://127.0.0.1:3000/files/media/', now: () => NOW });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Files under the root other than the internal folder's temp files. */
async function tempFiles(): Promise<string[]> {
  const tmp = join(dir, 'media', LOCAL_STORE_INTERNAL_DIR, 'tmp');
  return existsSync(tmp) ? readdir(tmp) : [];
}

describe('LocalBlobStore', () => {
  it('writes and reads buffers, files and streams', async () => {
    const info = await store.putBuffer('v1/a.txt', 'hello', 'text/plain');
    expect(info).toEqual({ key: 'v1/a.txt', sizeBytes: 5, contentType: 'text/plain' });
    expect((await store.getBuffer('v1/a.txt')).toString()).toBe('hello');
    expect(await readFile(join(dir, 'media', 'v1', 'a.txt'), 'utf8')).toBe('hello');

    const src = join(dir, 'src.bin');
    await writeFile(src, Buffer.alloc(1000, 7));
    await store.putFile('v1/renditions/360p.mp4', src);
    const out = join(dir, 'out.bin');
    await store.getFile('v1/renditions/360p.mp4', out);
    expect((await readFile(out)).equals(Buffer.alloc(1000, 7))).toBe(true);

    await store.putStream('v1/s.bin', Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 'application/octet-stream');
    const chunks: Buffer[] = [];
    for await (const c of await store.getStream('v1/s.bin')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcd');
    expect(await tempFiles()).toEqual([]);
  });

  it('head reports size and content type (recorded, or implied by the extension)', async () => {
    await store.putBuffer('v1/source', 'x', 'video/quicktime');
    await store.putBuffer('v1/hls/master.m3u8', '#EXTM3U');
    expect(await store.head('v1/source')).toEqual({ key: 'v1/source', sizeBytes: 1, contentType: 'video/quicktime' });
    expect(await store.head('v1/hls/master.m3u8')).toEqual({ key: 'v1/hls/master.m3u8', sizeBytes: 7, contentType: 'application/vnd.apple.mpegurl' });
    expect(await store.head('v1/missing')).toBeUndefined();
    expect(await store.head('v1/hls')).toBeUndefined(); // a folder is not an object
    // Overwriting without a type drops the recorded one.
    await store.putBuffer('v1/source', 'yy');
    expect(await store.head('v1/source')).toEqual({ key: 'v1/source', sizeBytes: 2 });
  });

  it('lists by string prefix (S3 semantics), sorted, without internal files', async () => {
    for (const k of ['v1/a.mp4', 'v1/hls/360p/index.m3u8', 'v1/hls/360p/segment_00000.ts', 'v10/x', 'v2/y']) await store.putBuffer(k, k, 'application/x-test');
    expect((await store.list('v1/')).map((b) => b.key)).toEqual(['v1/a.mp4', 'v1/hls/360p/index.m3u8', 'v1/hls/360p/segment_00000.ts']);
    expect((await store.list('v1')).map((b) => b.key)).toEqual(['v1/a.mp4', 'v1/hls/360p/index.m3u8', 'v1/hls/360p/segment_00000.ts', 'v10/x']);
    expect((await store.list('v1/hls/360p/seg')).map((b) => b.key)).toEqual(['v1/hls/360p/segment_00000.ts']);
    expect((await store.list('')).map((b) => b.key)).toHaveLength(5);
    expect(await store.list('nothing/')).toEqual([]);
    expect((await store.list('v2/'))[0]).toEqual({ key: 'v2/y', sizeBytes: 4, contentType: 'application/x-test' });
  });

  it('deletes, and a missing key is BlobNotFoundError', async () => {
    await store.putBuffer('v1/a', 'x');
    await store.delete('v1/a');
    await store.delete('v1/a'); // idempotent
    await expect(store.getBuffer('v1/a')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.getStream('v1/a')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.getFile('v1/a', join(dir, 'x'))).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('putStream past maxBytes fails with BlobTooLargeError and leaves nothing (not even the old object)', async () => {
    await store.putBuffer('v1/up', 'old');
    const big = Readable.from((function* () {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(100, i);
    })());
    await expect(store.putStream('v1/up', big, 'video/mp4', 550)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect((await store.getBuffer('v1/up')).toString()).toBe('old');
    expect(await tempFiles()).toEqual([]);
    await expect(store.putStream('v1/new', Readable.from([Buffer.alloc(600)]), undefined, 599)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await store.head('v1/new')).toBeUndefined();
    // Exactly maxBytes is fine.
    await store.putStream('v1/new', Readable.from([Buffer.alloc(599)]), undefined, 599);
    expect((await store.head('v1/new'))?.sizeBytes).toBe(599);
  });

  it('a failing body stream leaves nothing', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.putStream('v1/broken', failing)).rejects.toThrow('connection reset');
    expect(await store.head('v1/broken')).toBeUndefined();
    expect(await tempFiles()).toEqual([]);
  });

  it('writes are atomic: a concurrent reader sees the old or the new object, never a mix', async () => {
    const a = Buffer.alloc(2_000_000, 1);
    const b = Buffer.alloc(2_000_000, 2);
    await store.putBuffer('v1/big', a);
    const writes = [store.putBuffer('v1/big', b), store.putBuffer('v1/big', a), store.putBuffer('v1/big', b)];
    const reads: Buffer[] = [];
    for (let i = 0; i < 5; i++) reads.push(await store.getBuffer('v1/big'));
    await Promise.all(writes);
    for (const r of reads) {
      expect(r.length).toBe(2_000_000);
      expect(r.equals(a) || r.equals(b)).toBe(true);
    }
  });

  it.each([
    ['', 'empty'],
    ['../x', '".." segment'],
    ['a/../../x', '".." segment'],
    ['/etc/passwd', 'absolute'],
    ['C:/x', 'absolute'],
    ['a\\b', 'backslash'],
    ['a//b', 'empty segment'],
    ['a/./b', '"." segment'],
    ['a/', 'empty segment'],
    ['a/b\u0000c', 'control character'],
    ['a\nb', 'control character'],
    ['x'.repeat(1025), 'longer than 1024'],
    [`${LOCAL_STORE_INTERNAL_DIR}/tmp/x`, 'reserved'],
    [`a/${'y'.repeat(256)}`, 'longer than 255'],
  ])('refuses key %j (%s) in every operation', async (key, why) => {
    await expect(store.putBuffer(key, 'x')).rejects.toThrow(InvalidKeyError);
    await expect(store.putBuffer(key, 'x')).rejects.toThrow(why);
    await expect(store.getBuffer(key)).rejects.toThrow(InvalidKeyError);
    await expect(store.head(key)).rejects.toThrow(InvalidKeyError);
    await expect(store.delete(key)).rejects.toThrow(InvalidKeyError);
    await expect(store.presignGet(key, 60)).rejects.toThrow(InvalidKeyError);
    await expect(store.putStream(key, Readable.from(['x']))).rejects.toThrow(InvalidKeyError);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('accepts a 1024-byte key when the file system allows its segments', async () => {
    const key = Array.from({ length: 8 }, (_, i) => String(i).repeat(127)).join('/');
    expect(Buffer.byteLength(key)).toBe(1023);
    await store.putBuffer(key, 'x');
    expect((await store.head(key))?.sizeBytes).toBe(1);
  });

  it('a key that clashes with a folder is an InvalidKeyError', async () => {
    await store.putBuffer('v1/a/b', 'x');
    await expect(store.putBuffer('v1/a', 'x')).rejects.toThrow(InvalidKeyError);
    await expect(store.putBuffer('v1/a/b/c', 'x')).rejects.toThrow(InvalidKeyError);
    expect(await tempFiles()).toEqual([]);
  });

  it('presigns GET and PUT as URLs under its base URL', async () => {
    const get = await store.presignGet('v1/hls/360p/index.m3u8', 3600);
    expect(get).toEqual({
      url: 'http://127.0.0.1:3000/files/media/v1/hls/360p/index.m3u8',
      method: 'GET',
      headers: {},
      expiresAt: '2030-01-01T01:00:00.000Z',
    });
    const put = await store.presignPut('v1/my file#1.mp4', 'video/mp4', 900);
    expect(put).toEqual({
      url: 'http://127.0.0.1:3000/files/media/v1/my%20file%231.mp4',
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      expiresAt: '2030-01-01T00:15:00.000Z',
    });
    await expect(store.presignGet('v1/x', 0)).rejects.toThrow(RangeError);
    await expect(new LocalBlobStore(dir).presignGet('v1/x', 60)).rejects.toThrow(/no baseUrl/);
  });

  it('encodes keys for URLs segment by segment', () => {
    expect(encodeKeyForUrl('a b/c?d/é')).toBe('a%20b/c%3Fd/%C3%A9');
  });
});
