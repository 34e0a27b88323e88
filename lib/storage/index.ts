import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidKeyError, validateKey, type BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';

export * from './blob-store';
export { LocalBlobStore, LOCAL_STORE_INTERNAL_DIR, contentTypeFor, encodeKeyForUrl, byteLimit, type LocalBlobStoreOptions } from './local-blob-store';
export { S3BlobStore, S3_PART_BYTES, type S3BlobStoreOptions } from './s3-blob-store';

/** The two stores of the pipeline: where uploads land, and where everything made from them goes. */
export interface Stores {
  uploads: BlobStore;
  media: BlobStore;
}

export type StoreName = keyof Stores;
export const STORE_NAMES: readonly StoreName[] = ['uploads', 'media'];

/** Local folder holding `uploads/` and `media/` when no bucket is configured. */
export const DEFAULT_MEDIA_DIR = '.swf-local/media';
/**
 * Public base URL of the local stores. URL scheme (served by the local API server):
 *
 *   `<LOCAL_MEDIA_BASE_URL>/uploads/<key>`  GET reads, PUT (with `content-type`) writes an upload
 *   `<LOCAL_MEDIA_BASE_URL>/media/<key>`    GET reads a pipeline output (playlists, segments, ...)
 *
 * `<key>` is the object key with each `/`-separated segment URI-encoded. Local URLs carry no
 * signature: the local server is a development tool bound to loopback.
 */
export const DEFAULT_LOCAL_MEDIA_BASE_URL = 'http://127.0.0.1:3000/files';

/** The environment variables storesFromEnv reads. */
export interface StorageEnv {
  /** S3 bucket for uploads; unset: `<MEDIA_DIR>/uploads`. */
  UPLOAD_BUCKET?: string;
  /** S3 bucket for outputs; unset: `<MEDIA_DIR>/media`. */
  MEDIA_BUCKET?: string;
  /** Local folder (default `.swf-local/media`, relative to the working directory). */
  MEDIA_DIR?: string;
  /** Public base URL of the local stores (default `http://127.0.0.1:3000/files`). */
  LOCAL_MEDIA_BASE_URL?: string;
  /** Region of the buckets (Lambda sets AWS_REGION). */
  AWS_REGION?: string;
  /** Optional S3-compatible endpoint (MinIO, LocalStack) and path-style addressing. */
  S3_ENDPOINT?: string;
  S3_FORCE_PATH_STYLE?: string;
}

export interface StoresFromEnvOptions {
  /** S3 client to use instead of one built from the environment (tests, shared clients). */
  s3Client?: S3Client;
}

/**
 * The stores the environment asks for: each is S3 when its bucket variable is set, else a folder
 * under MEDIA_DIR (`uploads/` and `media/`) whose presigned URLs live under LOCAL_MEDIA_BASE_URL.
 */
export function storesFromEnv(env: StorageEnv | NodeJS.ProcessEnv = process.env, options: StoresFromEnvOptions = {}): Stores {
  const e = env as StorageEnv;
  let client = options.s3Client;
  const s3 = (): S3Client => {
    client ??= new S3Client({
      // Otherwise the SDK puts a CRC32 of an empty body into presigned PUT URLs
      // (`x-amz-checksum-crc32=AAAAAA==`) and every browser upload through them fails.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
      ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
      ...(e.S3_FORCE_PATH_STYLE === 'true' || e.S3_FORCE_PATH_STYLE === '1' ? { forcePathStyle: true } : {}),
    });
    return client;
  };
  const dir = resolve(nonEmpty(e.MEDIA_DIR) ?? DEFAULT_MEDIA_DIR);
  const baseUrl = (nonEmpty(e.LOCAL_MEDIA_BASE_URL) ?? DEFAULT_LOCAL_MEDIA_BASE_URL).replace(/\/+$/, '');
  const make = (name: StoreName, bucket: string | undefined): BlobStore =>
    bucket ? new S3BlobStore({ bucket, client: s3() }) : new LocalBlobStore({ root: resolve(dir, name), baseUrl: `${baseUrl}/${name}` });
  return { uploads: make('uploads', nonEmpty(e.UPLOAD_BUCKET)), media: make('media', nonEmpty(e.MEDIA_BUCKET)) };
}

/**
 * For the local API server: maps a request path under the base URL's path (`/files` by default)
 * to a store and key, e.g. `/files/media/v1/hls/master.m3u8` -> `{ store: 'media', key:
 * 'v1/hls/master.m3u8' }`. Undefined when the path is not under a store; InvalidKeyError for a
 * key that would leave the store.
 */
export function resolveLocalMediaPath(pathname: string, basePath = new URL(DEFAULT_LOCAL_MEDIA_BASE_URL).pathname): { store: StoreName; key: string } | undefined {
  const base = basePath.replace(/\/+$/, '');
  if (!pathname.startsWith(base + '/')) return undefined;
  const rest = pathname.slice(base.length + 1);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const store = rest.slice(0, slash);
  if (store !== 'uploads' && store !== 'media') return undefined;
  let key: string;
  try {
    key = rest
      .slice(slash + 1)
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    throw new InvalidKeyError(`Invalid key in path ${JSON.stringify(pathname)}: bad percent-encoding`);
  }
  return { store, key: validateKey(key) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
export * from './playback-url';
export * from './playback-key';
