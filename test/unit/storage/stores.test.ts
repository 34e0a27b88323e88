import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DEFAULT_MEDIA_DIR,
  InvalidKeyError,
  LocalBlobStore,
  MAX_KEY_BYTES,
  S3BlobStore,
  resolveLocalMediaPath,
  storesFromEnv,
  validateKey,
  validatePrefix,
} from '../../../lib/storage';

describe('validateKey / validatePrefix', () => {
  it.each(['v1/source', 'v1/hls/360p/segment_00000.ts', 'a', 'a.b/c-d_e', '.hidden/x', 'a/..b', 'é/ü', 'x'.repeat(MAX_KEY_BYTES)])('accepts %j', (key) => {
    expect(validateKey(key)).toBe(key);
  });

  it.each([
    ['', /empty/],
    ['..', /"\.\." segment/],
    ['a/..', /"\.\." segment/],
    ['.', /"\." segment/],
    ['/a', /absolute/],
    ['c:/a', /absolute/],
    ['a\\b', /backslash/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['a\u0000', /control/],
    ['a\u001f', /control/],
    ['a\u007f', /control/],
    ['é'.repeat(513), /1024 bytes/],
  ])('refuses %j', (key, message) => {
    expect(() => validateKey(key)).toThrow(InvalidKeyError);
    expect(() => validateKey(key)).toThrow(message);
  });

  it('refuses non-strings', () => {
    expect(() => validateKey(undefined as unknown as string)).toThrow(InvalidKeyError);
  });

  it('prefixes may be empty or end with a slash', () => {
    expect(validatePrefix('')).toBe('');
    expect(validatePrefix('v1/')).toBe('v1/');
    expect(validatePrefix('v1/hls/seg')).toBe('v1/hls/seg');
    expect(() => validatePrefix('v1//')).toThrow(InvalidKeyError);
    expect(() => validatePrefix('../')).toThrow(InvalidKeyError);
  });
});

describe('storesFromEnv', () => {
  it('defaults to local folders under .swf-local/media with URLs under http://127.0.0.1:3000/files', async () => {
    const { uploads, media } = storesFromEnv({});
    expect(uploads).toBeInstanceOf(LocalBlobStore);
    expect(media).toBeInstanceOf(LocalBlobStore);
    expect((uploads as LocalBlobStore).root).toBe(resolve(DEFAULT_MEDIA_DIR, 'uploads'));
    expect((media as LocalBlobStore).root).toBe(resolve(DEFAULT_MEDIA_DIR, 'media'));
    expect((await uploads.presignPut('v1/source', 'video/mp4', 60)).url).toBe('http://127.0.0.1:3000/files/uploads/v1/source');
    expect((await media.presignGet('v1/hls/master.m3u8', 60)).url).toBe('http://127.0.0.1:3000/files/media/v1/hls/master.m3u8');
  });

  it('honours MEDIA_DIR and LOCAL_MEDIA_BASE_URL', async () => {
    const { uploads, media } = storesFromEnv({ MEDIA_DIR: '/srv/m', LOCAL_MEDIA_BASE_URL: 'http://localhost:9000/blobs/' });
    expect((uploads as LocalBlobStore).root).toBe(join('/srv/m', 'uploads'));
    expect((media as LocalBlobStore).root).toBe(join('/srv/m', 'media'));
    expect((await media.presignGet('v1/a.mp4', 60)).url).toBe('http://localhost:9000/blobs/media/v1/a.mp4');
  });

  it('uses S3 for each store whose bucket is set, sharing one client', () => {
    const s3Client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const both = storesFromEnv({ UPLOAD_BUCKET: 'up', MEDIA_BUCKET: 'out' }, { s3Client });
    expect(both.uploads).toBeInstanceOf(S3BlobStore);
    expect((both.uploads as S3BlobStore).bucket).toBe('up');
    expect((both.media as S3BlobStore).bucket).toBe('out');
    expect((both.media as S3BlobStore).client).toBe((both.uploads as S3BlobStore).client);
    const mixed = storesFromEnv({ MEDIA_BUCKET: 'out', MEDIA_DIR: '/srv/m' }, { s3Client });
    expect(mixed.uploads).toBeInstanceOf(LocalBlobStore);
    expect(mixed.media).toBeInstanceOf(S3BlobStore);
  });

  it('builds its own client from AWS_REGION and S3_ENDPOINT', async () => {
    const { media } = storesFromEnv({ MEDIA_BUCKET: 'out', AWS_REGION: 'eu-central-1', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' });
    const client = (media as S3BlobStore).client;
    expect(await client.config.region()).toBe('eu-central-1');
    expect(client.config.forcePathStyle).toBe(true);
  });

  it("its own client's presigned PUT URLs carry no empty-body checksum", async () => {
    const { uploads } = storesFromEnv({ UPLOAD_BUCKET: 'up', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } as NodeJS.ProcessEnv);
    const client = (uploads as S3BlobStore).client;
    client.config.credentials = async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' });
    const url = new URL((await uploads.presignPut('v1/source', 'video/mp4', 60)).url);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.has('x-amz-checksum-crc32')).toBe(false);
    expect(url.searchParams.has('x-amz-sdk-checksum-algorithm')).toBe(false);
  });
});

describe('resolveLocalMediaPath (for the local API server)', () => {
  it('maps /files/<store>/<key> to a store and decoded key', () => {
    expect(resolveLocalMediaPath('/files/media/v1/hls/master.m3u8')).toEqual({ store: 'media', key: 'v1/hls/master.m3u8' });
    expect(resolveLocalMediaPath('/files/uploads/v1/my%20file.mp4')).toEqual({ store: 'uploads', key: 'v1/my file.mp4' });
    expect(resolveLocalMediaPath('/blobs/media/a', '/blobs/')).toEqual({ store: 'media', key: 'a' });
  });

  it('ignores other paths and refuses escapes', () => {
    expect(resolveLocalMediaPath('/api/videos')).toBeUndefined();
    expect(resolveLocalMediaPath('/files/other/a')).toBeUndefined();
    expect(resolveLocalMediaPath('/files/media')).toBeUndefined();
    expect(() => resolveLocalMediaPath('/files/media/a/%2e%2e/%2e%2e/etc')).toThrow(InvalidKeyError);
    expect(() => resolveLocalMediaPath('/files/media/a%2F..%2F..%2Fx')).toThrow(InvalidKeyError);
    expect(() => resolveLocalMediaPath('/files/media/%E0%A4%A')).toThrow(InvalidKeyError);
  });
});
