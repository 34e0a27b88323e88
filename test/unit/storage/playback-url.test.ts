/**
 * Signed playback URLs: the signer (lib/storage/playback-url.ts) against the very CloudFront
 * Function code that verifies them (lib/infra/cloudfront/playback-auth.js), run here in a VM
 * context with Node's crypto standing in for CloudFront's and a fake KeyValueStore.
 */
import * as crypto from 'node:crypto';
import {
  DEFAULT_PLAYBACK_URL_SECONDS,
  InvalidKeyError,
  PLAYBACK_KEY_NAME,
  PlaybackKeyError,
  PUT_KEY_ATTEMPTS,
  SignedPlaybackUrls,
  cachedSigningKey,
  handlePlaybackKeyEvent,
  playbackToken,
  signedPlaybackUrl,
  syncPlaybackKey,
} from '../../../lib/storage';
import { playbackFunction, type CloudFrontResult } from '../../helpers/cloudfront-function';

const KEY = 'k'.repeat(16) + crypto.randomBytes(24).toString('hex');
const BASE = 'https://d111111abcdef8.cloudfront.net';
const NOW = Date.parse('2030-01-01T00:00:00Z');

/** The deployed function, as CloudFront runs it (test/helpers/cloudfront-function.ts). */
function cloudFrontFunction(opts: { key?: string; kvsFails?: boolean; nowMs?: number } = {}): (uri: string) => Promise<CloudFrontResult> {
  const nowMs = opts.nowMs ?? NOW;
  return playbackFunction({ key: opts.key ?? KEY, ...(opts.kvsFails ? { kvsFails: true } : {}), now: () => nowMs });
}

/** The path of a URL, as CloudFront hands it to the function. */
const uriOf = (url: string): string => new URL(url).pathname;
const expires = Math.floor(NOW / 1000) + 3600;

describe('a signed URL and the CloudFront Function', () => {
  test('the master playlist passes with the token stripped: the S3 key is requested', async () => {
    const url = signedPlaybackUrl(BASE, KEY, 'v1abc/hls/master.m3u8', expires);
    expect(url).toMatch(new RegExp(`^${BASE}/p/${expires}-[A-Za-z0-9_-]{43}/v1abc/hls/master\\.m3u8$`));
    expect(await cloudFrontFunction()(uriOf(url))).toMatchObject({ uri: '/v1abc/hls/master.m3u8' });
  });

  test('relative URIs inside the playlists resolve to URLs that carry the token, as hls.js resolves them', async () => {
    const fn = cloudFrontFunction();
    const master = signedPlaybackUrl(BASE, KEY, 'v1abc/hls/master.m3u8', expires);
    const variant = new URL('720p/index.m3u8', master).href; // master.m3u8 names its variants relatively
    const segment = new URL('segment_00003.ts', variant).href; // and each variant its segments
    const poster = new URL('../thumbnails/poster.jpg', master).href;
    expect(await fn(uriOf(variant))).toMatchObject({ uri: '/v1abc/hls/720p/index.m3u8' });
    expect(await fn(uriOf(segment))).toMatchObject({ uri: '/v1abc/hls/720p/segment_00003.ts' });
    expect(await fn(uriOf(poster))).toMatchObject({ uri: '/v1abc/thumbnails/poster.jpg' });
  });

  test('403 for an expired token, but not a second before it expires', async () => {
    const uri = uriOf(signedPlaybackUrl(BASE, KEY, 'v1abc/hls/master.m3u8', expires));
    expect(await cloudFrontFunction({ nowMs: expires * 1000 })(uri)).toMatchObject({ uri: '/v1abc/hls/master.m3u8' });
    expect(await cloudFrontFunction({ nowMs: (expires + 1) * 1000 })(uri)).toMatchObject({ statusCode: 403 });
  });

  test('403 when anything signed is changed: the video, the expiry, the signature, the key', async () => {
    const fn = cloudFrontFunction();
    const uri = uriOf(signedPlaybackUrl(BASE, KEY, 'v1abc/hls/master.m3u8', expires));
    const [, , token] = uri.split('/');
    const [exp, sig] = token!.split('-');
    expect(await fn(uri.replace('/v1abc/', '/v2abc/'))).toMatchObject({ statusCode: 403 });
    expect(await fn(uri.replace(`/${exp}-`, `/${Number(exp) + 86400}-`))).toMatchObject({ statusCode: 403 });
    const flipped = sig!.slice(0, -1) + (sig!.endsWith('A') ? 'B' : 'A');
    expect(await fn(uri.replace(sig!, flipped))).toMatchObject({ statusCode: 403 });
    expect(await cloudFrontFunction({ key: 'another key of at least thirty-two characters' })(uri)).toMatchObject({ statusCode: 403 });
  });

  test('403 for a path that would leave the video\'s folder, no token, or a KeyValueStore failure', async () => {
    const fn = cloudFrontFunction();
    const token = uriOf(signedPlaybackUrl(BASE, KEY, 'v1abc/x', expires)).split('/')[2]!;
    for (const uri of [
      `/p/${token}/v1abc/../v2abc/hls/master.m3u8`,
      `/p/${token}/v1abc/hls/%2e%2e/%2E%2E/v2abc/x`,
      `/p/${token}/v1abc/a%2Fb`,
      `/p/${token}/v1abc/a//b`,
      `/p/${token}/v1abc/`,
      `/p/${token}/v1abc`,
      '/v1abc/hls/master.m3u8',
      '/p/v1abc/hls/master.m3u8',
    ]) {
      expect([uri, await fn(uri)]).toEqual([uri, expect.objectContaining({ statusCode: 403 })]);
    }
    expect(await cloudFrontFunction({ kvsFails: true })(`/p/${token}/v1abc/x`)).toMatchObject({ statusCode: 403 });
    expect(await fn(`/p/${token}/v1abc/x`)).toMatchObject({ uri: '/v1abc/x' });
  });

  test('the signer refuses what the function would refuse: keys outside a video folder, bad expiries', () => {
    expect(() => signedPlaybackUrl(BASE, KEY, 'manifest.json', expires)).toThrow(InvalidKeyError);
    expect(() => signedPlaybackUrl(BASE, KEY, '../x/y', expires)).toThrow(InvalidKeyError);
    expect(() => signedPlaybackUrl(BASE, KEY, 'a:b/y', expires)).toThrow(InvalidKeyError);
    expect(() => playbackToken(KEY, 'v1', 1.5)).toThrow(RangeError);
    expect(() => playbackToken(KEY, 'v1', 0)).toThrow(RangeError);
    // Keys with characters to escape stay verifiable.
    expect(signedPlaybackUrl(`${BASE}/`, KEY, 'v1/my file#1.mp4', expires)).toMatch(/\/v1\/my%20file%231\.mp4$/);
  });
});

describe('SignedPlaybackUrls (the API\'s download links on AWS)', () => {
  test('signs each key for at least 12 hours by default, so a long video plays to its end', async () => {
    const urls = new SignedPlaybackUrls({ baseUrl: BASE, signingKey: async () => KEY, now: () => NOW });
    const link = await urls.presignGet('v1abc/hls/master.m3u8', 3600);
    expect(link).toEqual({
      url: signedPlaybackUrl(BASE, KEY, 'v1abc/hls/master.m3u8', Math.floor(NOW / 1000) + DEFAULT_PLAYBACK_URL_SECONDS),
      method: 'GET',
      headers: {},
      expiresAt: new Date(NOW + DEFAULT_PLAYBACK_URL_SECONDS * 1000).toISOString(),
    });
    expect(await cloudFrontFunction()(uriOf(link.url))).toMatchObject({ uri: '/v1abc/hls/master.m3u8' });
    const short = new SignedPlaybackUrls({ baseUrl: BASE, signingKey: async () => KEY, now: () => NOW, expiresInSeconds: 60 });
    expect((await short.presignGet('v1abc/x', 3600)).expiresAt).toBe(new Date(NOW + 60_000).toISOString());
  });
});

describe('the signing key', () => {
  const secretsWith = (value: string | undefined) => {
    const calls: string[] = [];
    return {
      calls,
      getSecretValue: async (input: { SecretId?: string }) => {
        calls.push(input.SecretId!);
        return { SecretString: value };
      },
    };
  };

  test('is read from the secret once per cache period', async () => {
    const secrets = secretsWith(KEY);
    let now = 0;
    const key = cachedSigningKey(secrets, 'arn:secret', 1000, () => now);
    expect(await key()).toBe(KEY);
    now = 999;
    await key();
    expect(secrets.calls).toHaveLength(1);
    now = 1000;
    await key();
    expect(secrets.calls).toHaveLength(2);
  });

  test('the custom resource copies it into the KeyValueStore under the name the function reads, with the store\'s ETag', async () => {
    const puts: unknown[] = [];
    const kvs = {
      describeKeyValueStore: async () => ({ ETag: 'etag-1' }),
      putKey: async (input: unknown) => {
        puts.push(input);
        return { ETag: 'etag-2' };
      },
    };
    const props = { ServiceToken: 'x', SecretArn: 'arn:secret', KeyValueStoreArn: 'arn:kvs' };
    expect(await handlePlaybackKeyEvent({ RequestType: 'Create', ResourceProperties: props }, secretsWith(KEY), kvs)).toEqual({ PhysicalResourceId: 'arn:kvs' });
    expect(puts).toEqual([{ KvsARN: 'arn:kvs', Key: PLAYBACK_KEY_NAME, Value: KEY, IfMatch: 'etag-1' }]);
    await handlePlaybackKeyEvent({ RequestType: 'Delete', ResourceProperties: props, PhysicalResourceId: 'arn:kvs' }, secretsWith(KEY), kvs);
    expect(puts).toHaveLength(1);
    await expect(handlePlaybackKeyEvent({ RequestType: 'Update', ResourceProperties: props }, secretsWith('short'), kvs)).rejects.toThrow(PlaybackKeyError);
    await expect(handlePlaybackKeyEvent({ RequestType: 'Create', ResourceProperties: { SecretArn: 'a' } }, secretsWith(KEY), kvs)).rejects.toThrow('KeyValueStoreArn');
  });

  test('a concurrent write to the store (ConflictException) is retried with a fresh ETag, a bounded number of times', async () => {
    let etag = 0;
    const conflicts = (n: number) => {
      let left = n;
      const puts: string[] = [];
      return {
        puts,
        describeKeyValueStore: async () => ({ ETag: `etag-${++etag}` }),
        putKey: async (input: { IfMatch?: string }) => {
          puts.push(input.IfMatch!);
          if (left-- > 0) throw Object.assign(new Error('ETag mismatch'), { name: 'ConflictException' });
          return { ETag: 'new' };
        },
      };
    };
    const once = conflicts(1);
    await syncPlaybackKey(secretsWith(KEY), once, { secretId: 's', keyValueStoreArn: 'k' });
    expect(once.puts).toEqual(['etag-1', 'etag-2']);
    const always = conflicts(PUT_KEY_ATTEMPTS);
    await expect(syncPlaybackKey(secretsWith(KEY), always, { secretId: 's', keyValueStoreArn: 'k' })).rejects.toThrow('ETag mismatch');
    expect(always.puts).toHaveLength(PUT_KEY_ATTEMPTS);
  });
});

describe('lambda/playback-key-sync.ts', () => {
  test('registers the SigV4a signer the KeyValueStore API requires (a plain SigV4 request is refused by the service)', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../../lambda/playback-key-sync');
    const { CloudFrontKeyValueStore } = await import('@aws-sdk/client-cloudfront-keyvaluestore');
    let authorization: string | undefined;
    const client = new CloudFrontKeyValueStore({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          authorization = request.headers.authorization;
          throw Object.assign(new Error('stop before the network'), { name: 'Stop' });
        },
      } as never,
    });
    await expect(client.describeKeyValueStore({ KvsARN: 'arn:aws:cloudfront::123456789012:key-value-store/0123abcd-0123-4567-89ab-0123456789ab' })).rejects.toThrow('stop before the network');
    expect(authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 /);
  });
});
