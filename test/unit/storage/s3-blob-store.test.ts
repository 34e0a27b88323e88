import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { BlobNotFoundError, BlobTooLargeError, InvalidKeyError } from '../../../lib/storage/blob-store';
import { S3BlobStore } from '../../../lib/storage/s3-blob-store';

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/** A real S3Client (so presigning works offline) whose send() is a fake recording every command. */
function fakeClient(reply: (command: string, input: Record<string, unknown>) => unknown = () => ({})) {
  const client = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const sent: Sent[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    sent.push({ command: name, input: command.input });
    return reply(name, command.input);
  };
  (client as unknown as { send: typeof send }).send = send;
  return { client, sent };
}

function notFound(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
}

const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('S3BlobStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('putBuffer and putFile send PutObject with Bucket, Key, ContentType and ContentLength', async () => {
    const { client, sent } = fakeClient();
    const store = new S3BlobStore({ bucket: 'media-bucket', client });
    expect(await store.putBuffer('v1/manifest.json', '{}', 'application/json')).toEqual({ key: 'v1/manifest.json', sizeBytes: 2, contentType: 'application/json' });
    const file = join(dir, 'f.mp4');
    await writeFile(file, Buffer.alloc(123));
    expect(await store.putFile('v1/renditions/360p.mp4', file, 'video/mp4')).toEqual({ key: 'v1/renditions/360p.mp4', sizeBytes: 123, contentType: 'video/mp4' });
    expect(sent.map((s) => s.command)).toEqual(['PutObjectCommand', 'PutObjectCommand']);
    expect(sent[0]!.input).toMatchObject({ Bucket: 'media-bucket', Key: 'v1/manifest.json', ContentType: 'application/json', ContentLength: 2 });
    expect(Buffer.isBuffer(sent[0]!.input.Body)).toBe(true);
    expect(sent[1]!.input).toMatchObject({ Bucket: 'media-bucket', Key: 'v1/renditions/360p.mp4', ContentType: 'video/mp4', ContentLength: 123 });
    expect(sent[1]!.input.Body).toBeInstanceOf(Readable);
    expect((sent[1]!.input.Body as Readable).destroyed).toBe(true); // the file is closed afterwards
  });

  it('putStream: a small body is one PutObject', async () => {
    const { client, sent } = fakeClient();
    const store = new S3BlobStore({ bucket: 'b', client });
    await store.putStream('v1/source', Readable.from([Buffer.from('abc'), Buffer.from('def')]), 'video/mp4', 100);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input).toMatchObject({ Bucket: 'b', Key: 'v1/source', ContentType: 'video/mp4', ContentLength: 6 });
    expect((sent[0]!.input.Body as Buffer).toString()).toBe('abcdef');
  });

  it('putStream: a large body is a multipart upload', async () => {
    const { client, sent } = fakeClient((command, input) =>
      command === 'CreateMultipartUploadCommand' ? { UploadId: 'up-1' } : command === 'UploadPartCommand' ? { ETag: `"etag-${String(input.PartNumber)}"` } : {},
    );
    const part = 5 * 1024 * 1024;
    const store = new S3BlobStore({ bucket: 'b', client, partBytes: part });
    const body = Readable.from([Buffer.alloc(part), Buffer.alloc(part), Buffer.alloc(10)]);
    const info = await store.putStream('v1/source', body, 'video/mp4');
    expect(info.sizeBytes).toBe(2 * part + 10);
    expect(sent.map((s) => s.command)).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    expect(sent[0]!.input).toMatchObject({ Bucket: 'b', Key: 'v1/source', ContentType: 'video/mp4' });
    expect(sent[3]!.input).toMatchObject({ UploadId: 'up-1', PartNumber: 3, ContentLength: 10 });
    expect(sent[4]!.input).toMatchObject({
      UploadId: 'up-1',
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"etag-1"' }, { PartNumber: 2, ETag: '"etag-2"' }, { PartNumber: 3, ETag: '"etag-3"' }] },
    });
  });

  it('putFile: a file past the multipart threshold is a multipart upload (one PutObject stops at 5 GB)', async () => {
    const { client, sent } = fakeClient((command, input) =>
      command === 'CreateMultipartUploadCommand' ? { UploadId: 'up-3' } : command === 'UploadPartCommand' ? { ETag: `"etag-${String(input.PartNumber)}"` } : {},
    );
    const part = 5 * 1024 * 1024;
    const store = new S3BlobStore({ bucket: 'b', client, partBytes: part, multipartFileBytes: part });
    const file = join(dir, 'big.mp4');
    await writeFile(file, Buffer.alloc(part + 10));
    expect(await store.putFile('v1/renditions/1080p.mp4', file, 'video/mp4')).toEqual({ key: 'v1/renditions/1080p.mp4', sizeBytes: part + 10, contentType: 'video/mp4' });
    expect(sent.map((s) => s.command)).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    expect(sent[0]!.input).toMatchObject({ Key: 'v1/renditions/1080p.mp4', ContentType: 'video/mp4' });
    await writeFile(file, Buffer.alloc(part));
    await store.putFile('v1/renditions/720p.mp4', file, 'video/mp4');
    expect(sent.at(-1)).toMatchObject({ command: 'PutObjectCommand', input: { ContentLength: part } });
  });

  it('putStream past maxBytes aborts the multipart upload and stores nothing', async () => {
    const { client, sent } = fakeClient((command) => (command === 'CreateMultipartUploadCommand' ? { UploadId: 'up-2' } : { ETag: '"e"' }));
    const part = 5 * 1024 * 1024;
    const store = new S3BlobStore({ bucket: 'b', client, partBytes: part });
    const body = Readable.from([Buffer.alloc(part), Buffer.alloc(part), Buffer.alloc(part)]);
    await expect(store.putStream('v1/source', body, 'video/mp4', 2 * part + 1)).rejects.toBeInstanceOf(BlobTooLargeError);
    // Two parts fit; the third chunk crosses the limit and the upload is aborted.
    expect(sent.map((s) => s.command)).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']);
    expect(sent[3]!.input).toEqual({ Bucket: 'b', Key: 'v1/source', UploadId: 'up-2' });

    const small = fakeClient();
    await expect(new S3BlobStore({ bucket: 'b', client: small.client }).putStream('v1/s', Readable.from([Buffer.alloc(11)]), undefined, 10)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(small.sent).toEqual([]);
  });

  it('reads objects, maps NoSuchKey / NotFound', async () => {
    const { client, sent } = fakeClient((command, input) => {
      if (input.Key === 'v1/missing') throw notFound(command === 'HeadObjectCommand' ? 'NotFound' : 'NoSuchKey');
      if (command === 'GetObjectCommand') return { Body: Readable.from([Buffer.from('hello')]) };
      if (command === 'HeadObjectCommand') return { ContentLength: 5, ContentType: 'text/plain' };
      return {};
    });
    const store = new S3BlobStore({ bucket: 'b', client });
    expect((await store.getBuffer('v1/a')).toString()).toBe('hello');
    const file = join(dir, 'got.txt');
    await store.getFile('v1/a', file);
    expect(await readFile(file, 'utf8')).toBe('hello');
    expect(await store.head('v1/a')).toEqual({ key: 'v1/a', sizeBytes: 5, contentType: 'text/plain' });
    expect(await store.head('v1/missing')).toBeUndefined();
    await expect(store.getBuffer('v1/missing')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.getFile('v1/missing', join(dir, 'nope'))).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(sent.filter((s) => s.command === 'GetObjectCommand').every((s) => s.input.Bucket === 'b')).toBe(true);
  });

  it('lists every page and deletes', async () => {
    const { client, sent } = fakeClient((command, input) => {
      if (command !== 'ListObjectsV2Command') return {};
      return input.ContinuationToken
        ? { Contents: [{ Key: 'v1/c', Size: 3 }], IsTruncated: false }
        : { Contents: [{ Key: 'v1/a', Size: 1 }, { Key: 'v1/b', Size: 2 }], IsTruncated: true, NextContinuationToken: 't2' };
    });
    const store = new S3BlobStore({ bucket: 'b', client });
    expect(await store.list('v1/')).toEqual([
      { key: 'v1/a', sizeBytes: 1 },
      { key: 'v1/b', sizeBytes: 2 },
      { key: 'v1/c', sizeBytes: 3 },
    ]);
    expect(sent[0]!.input).toEqual({ Bucket: 'b', Prefix: 'v1/' });
    expect(sent[1]!.input).toEqual({ Bucket: 'b', Prefix: 'v1/', ContinuationToken: 't2' });
    await store.delete('v1/a');
    expect(sent[2]).toEqual({ command: 'DeleteObjectCommand', input: { Bucket: 'b', Key: 'v1/a' } });
  });

  it('validates keys like the local store, before sending anything', async () => {
    const { client, sent } = fakeClient();
    const store = new S3BlobStore({ bucket: 'b', client });
    for (const key of ['../x', '/abs', 'a//b', 'a\\b', 'a/./b', '', 'a\u0007', 'k'.repeat(1025)]) {
      await expect(store.putBuffer(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.presignPut(key, 'video/mp4', 60)).rejects.toBeInstanceOf(InvalidKeyError);
    }
    await expect(store.list('../')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(sent).toEqual([]);
  });

  it('presigns GET and PUT offline: the URL names bucket and key and carries a signature', async () => {
    const { client, sent } = fakeClient();
    const store = new S3BlobStore({ bucket: 'upload-bucket', client, now: () => NOW });
    const get = await store.presignGet('v1/hls/master.m3u8', 600);
    const getUrl = new URL(get.url);
    expect(getUrl.hostname).toBe('upload-bucket.s3.eu-west-1.amazonaws.com');
    expect(getUrl.pathname).toBe('/v1/hls/master.m3u8');
    expect(getUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(getUrl.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(getUrl.searchParams.get('X-Amz-Credential')).toContain('AKIDEXAMPLE');
    expect(get).toMatchObject({ method: 'GET', headers: {}, expiresAt: '2030-01-01T00:10:00.000Z' });

    const put = await store.presignPut('v1/source', 'video/mp4', 900);
    const putUrl = new URL(put.url);
    expect(putUrl.pathname).toBe('/v1/source');
    expect(putUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The content type is signed: the client must send exactly this header.
    expect(putUrl.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type');
    expect(put).toMatchObject({ method: 'PUT', headers: { 'content-type': 'video/mp4' }, expiresAt: '2030-01-01T00:15:00.000Z' });
    // No checksum of an empty body baked into the URL (it would fail every real upload).
    expect([...putUrl.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toEqual([]);
    expect(sent).toEqual([]); // presigning sends nothing

    // With a declared size the length is signed too: S3 refuses a body of any other size.
    const sized = await store.presignPut('v1/source', 'video/mp4', 900, 123_456);
    expect(new URL(sized.url).searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(['content-length', 'content-type', 'host']);
    expect(sized.headers).toEqual({ 'content-type': 'video/mp4', 'content-length': '123456' });
    await expect(store.presignPut('v1/source', 'video/mp4', 900, 0)).rejects.toThrow(RangeError);

    await expect(store.presignGet('v1/x', 8 * 24 * 3600)).rejects.toThrow(RangeError);
  });
});
