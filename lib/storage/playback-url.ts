/**
 * Signed playback URLs for the CloudFront distribution in front of the media bucket.
 *
 *   <baseUrl>/p/<expires>-<signature>/<videoId>/hls/master.m3u8
 *
 * The token is a path prefix, not a query string, so that the relative URIs inside HLS playlists
 * resolve to URLs that carry it too: a presigned query string is lost on the first relative URI.
 * <signature> = base64url(HMAC-SHA256(key, "<expires>/<videoId>")): one token opens one video's
 * folder until <expires> (epoch seconds). The verifying side is the CloudFront Function in
 * lib/infra/cloudfront/playback-auth.js, which reads the same key from a CloudFront KeyValueStore
 * and strips the prefix before the request reaches S3.
 */
import { createHmac } from 'node:crypto';
import { InvalidKeyError, validateKey, type PresignedRequest } from './blob-store';
import { encodeKeyForUrl } from './local-blob-store';

/** The KeyValueStore key the CloudFront Function reads the signing key from. */
export const PLAYBACK_KEY_NAME = 'playback-signing-key';
/** The first path segment of every signed URL. */
export const PLAYBACK_PATH_PREFIX = 'p';
/** Default lifetime of a playback URL: long enough to watch a long video to its end. */
export const DEFAULT_PLAYBACK_URL_SECONDS = 12 * 3600;

/** A token opens the folder of one video: its first key segment, in the video id alphabet. */
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** `<expires>-<signature>` for `scope` (a video id) until `expiresAtSeconds`. */
export function playbackToken(signingKey: string, scope: string, expiresAtSeconds: number): string {
  if (!SCOPE.test(scope)) throw new InvalidKeyError(`Cannot sign playback of ${JSON.stringify(scope)}: not a video id`);
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds <= 0 || String(expiresAtSeconds).length > 12) {
    throw new RangeError(`expiresAtSeconds must be a positive whole number of seconds, got ${expiresAtSeconds}`);
  }
  const signature = createHmac('sha256', signingKey).update(`${expiresAtSeconds}/${scope}`).digest('base64url');
  return `${expiresAtSeconds}-${signature}`;
}

/** The signed URL of `key` (`<videoId>/...`) under `baseUrl`. */
export function signedPlaybackUrl(baseUrl: string, signingKey: string, key: string, expiresAtSeconds: number): string {
  validateKey(key);
  const scope = key.split('/')[0]!;
  if (!key.includes('/')) throw new InvalidKeyError(`Cannot sign playback of ${JSON.stringify(key)}: not under a video's folder`);
  return `${baseUrl.replace(/\/+$/, '')}/${PLAYBACK_PATH_PREFIX}/${playbackToken(signingKey, scope, expiresAtSeconds)}/${encodeKeyForUrl(key)}`;
}

/** What the status answer needs to hand out a download link: BlobStore's presignGet. */
export interface DownloadUrlSigner {
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
}

export interface SignedPlaybackUrlsOptions {
  /** The distribution's URL, `https://dxxxx.cloudfront.net`. */
  baseUrl: string;
  /** The current signing key (read from Secrets Manager on AWS; cached by the caller). */
  signingKey: () => Promise<string>;
  /** Lifetime of each URL, overriding the caller's (default 12 hours). */
  expiresInSeconds?: number;
  now?: () => number;
}

/** Download links through CloudFront: signed playback URLs instead of presigned S3 GETs. */
export class SignedPlaybackUrls implements DownloadUrlSigner {
  private readonly now: () => number;

  constructor(private readonly options: SignedPlaybackUrlsOptions) {
    this.now = options.now ?? Date.now;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest> {
    const lifetime = this.options.expiresInSeconds ?? Math.max(expiresInSeconds, DEFAULT_PLAYBACK_URL_SECONDS);
    const expires = Math.floor(this.now() / 1000) + Math.ceil(lifetime);
    const url = signedPlaybackUrl(this.options.baseUrl, await this.options.signingKey(), key, expires);
    return { url, method: 'GET', headers: {}, expiresAt: new Date(expires * 1000).toISOString() };
  }
}
