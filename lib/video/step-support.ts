import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, InvalidKeyError, validateKey, type BlobStore } from '../storage/blob-store';
import type { FileInfo, Rendition } from './contracts';
import { InvalidInputError, throwIfAborted } from './errors';

/**
 * What the step functions (probe, transcode, thumbnails, publish) share: hashing, uploads that
 * report FileInfo, abortable downloads, input validation and a small logger interface.
 */

/** The subset of a logger the steps use; @aws-lambda-powertools/logger's Logger fits. */
export interface StepLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLogger: StepLogger = { debug() {}, info() {}, warn() {} };

/** What every step gets besides its input. */
export interface StepContext {
  /** A private, existing, empty folder for temporary files; the caller removes it afterwards. */
  workDir: string;
  /** Aborting stops the step: ffmpeg is killed, transfers are dropped, the step rejects. */
  signal?: AbortSignal;
  /** Fraction done (0..1) of the step, for heartbeats. */
  onProgress?: (fraction: number) => void;
  logger?: StepLogger;
}

export const CONTENT_TYPES = {
  mp4: 'video/mp4',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  jpeg: 'image/jpeg',
  vtt: 'text/vtt',
  json: 'application/json',
} as const;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, ...(signal ? [{ signal }] : []));
  return hash.digest('hex');
}

/** Uploads a local file and describes it (size and sha256). */
export async function uploadFile(store: BlobStore, key: string, file: string, contentType: string, signal?: AbortSignal): Promise<FileInfo> {
  throwIfAborted(signal);
  const sha256 = await sha256File(file, signal);
  throwIfAborted(signal);
  const info = await store.putFile(key, file, contentType);
  return { key, sizeBytes: info.sizeBytes, sha256 };
}

/**
 * Uploads a stream of unknown length as it arrives (multipart on S3), hashing it on the way.
 * `complete` decides at the stream's end whether the body is whole: false fails the body, so the
 * store keeps nothing (a killed producer's stdout also ends normally). `onBytes` reports progress.
 */
export async function uploadStream(
  store: BlobStore,
  key: string,
  body: Readable,
  contentType: string,
  opts: { complete: Promise<boolean>; onBytes?: (bytes: number) => void; signal?: AbortSignal },
): Promise<FileInfo> {
  throwIfAborted(opts.signal);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      opts.onBytes?.(bytes);
      done(null, chunk);
    },
    flush(done) {
      opts.complete.then(
        (whole) => done(whole ? null : new Error(`the stream for ${key} ended before its producer finished`)),
        (error: unknown) => done(error as Error),
      );
    },
  });
  const [, info] = await Promise.all([pipeline(body, tap), store.putStream(key, tap, contentType)]);
  return { key, sizeBytes: info.sizeBytes, sha256: hash.digest('hex') };
}

export async function uploadBuffer(store: BlobStore, key: string, body: Buffer | string, contentType: string, signal?: AbortSignal): Promise<FileInfo> {
  throwIfAborted(signal);
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const info = await store.putBuffer(key, buffer, contentType);
  return { key, sizeBytes: info.sizeBytes, sha256: sha256Hex(buffer) };
}

/**
 * Copies `key` from `store` to `file`, abortably (the transfer is dropped on abort). A missing
 * source is an InvalidInputError: retrying will not make it appear.
 */
export async function downloadSource(store: BlobStore, key: string, file: string, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  let stream;
  try {
    stream = await store.getStream(key);
  } catch (error) {
    if (error instanceof BlobNotFoundError || (error as Error)?.name === 'BlobNotFoundError') {
      throw new InvalidInputError(`The source ${JSON.stringify(key)} does not exist in the upload store`);
    }
    throw error;
  }
  const tmp = `${file}.part`;
  try {
    await pipeline(stream, createWriteStream(tmp), ...(signal ? [{ signal }] : []));
    await rename(tmp, file);
  } catch (error) {
    stream.destroy();
    await rm(tmp, { force: true });
    if (signal?.aborted) throwIfAborted(signal);
    throw error;
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The relative URI from one key's folder to another key, for playlists and tracks. */
export function relativeUri(fromKey: string, toKey: string): string {
  const from = fromKey.split('/').slice(0, -1);
  const to = toKey.split('/');
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  return [...Array<string>(from.length - i).fill('..'), ...to.slice(i)].join('/');
}

// ---- input validation: a malformed input is an InvalidInputError (never retried) ----

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** A video id is one key segment: letters, digits, `.`, `_`, `-` (at most 128). */
export function requireVideoId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)) {
    throw new InvalidInputError(`videoId must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${describe(value)}`);
  }
  return value;
}

export function requireKey(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${what} must be a string key; got ${describe(value)}`);
  try {
    return validateKey(value);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
}

export function requireNumber(value: unknown, what: string, opts: { min?: number; max?: number; integer?: boolean; positive?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(`${what} must be a finite number; got ${describe(value)}`);
  if (opts.integer && !Number.isInteger(value)) throw new InvalidInputError(`${what} must be an integer; got ${value}`);
  if (opts.positive && !(value > 0)) throw new InvalidInputError(`${what} must be positive; got ${value}`);
  if (opts.min !== undefined && value < opts.min) throw new InvalidInputError(`${what} must be at least ${opts.min}; got ${value}`);
  if (opts.max !== undefined && value > opts.max) throw new InvalidInputError(`${what} must be at most ${opts.max}; got ${value}`);
  return value;
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError(`${what} must be an object; got ${describe(value)}`);
  return value as Record<string, unknown>;
}

/** A rendition name becomes a key segment and a folder name: letters, digits, `_`, `-`. */
export function requireRendition(value: unknown): Rendition {
  const r = requireObject(value, 'rendition');
  if (typeof r.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(r.name)) {
    throw new InvalidInputError(`rendition.name must be 1-64 letters, digits, "_" or "-"; got ${describe(r.name)}`);
  }
  for (const dim of ['width', 'height'] as const) {
    const v = requireNumber(r[dim], `rendition.${dim}`, { integer: true, min: 2, max: 8192 });
    if (v % 2 !== 0) throw new InvalidInputError(`rendition.${dim} must be even (H.264 4:2:0); got ${v}`);
  }
  for (const rate of ['videoBitrateKbps', 'maxBitrateKbps', 'bufferSizeKbits', 'audioBitrateKbps'] as const) {
    requireNumber(r[rate], `rendition.${rate}`, { positive: true, max: 1_000_000 });
  }
  return r as unknown as Rendition;
}
