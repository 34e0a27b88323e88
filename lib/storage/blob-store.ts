import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  sizeBytes: number;
  contentType?: string;
}

/** A URL a client can use without credentials: a presigned S3 URL, or a local API URL. */
export interface PresignedRequest {
  url: string;
  method: 'GET' | 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * Where media lives: S3 on AWS, a folder locally. Keys are relative paths such as
 * `<videoId>/renditions/720p.mp4`; implementations refuse a key that would leave the store
 * (`..`, absolute paths, backslashes, empty segments) with an InvalidKeyError.
 */
export interface BlobStore {
  /** Writes a local file to `key`. */
  putFile(key: string, file: string, contentType?: string): Promise<BlobInfo>;
  putBuffer(key: string, body: Buffer | string, contentType?: string): Promise<BlobInfo>;
  /** Writes a stream; `maxBytes` makes it fail (and leave nothing) past that size. */
  putStream(key: string, body: Readable, contentType?: string, maxBytes?: number): Promise<BlobInfo>;
  /** Copies `key` to a local file. */
  getFile(key: string, file: string): Promise<void>;
  getBuffer(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  /** Undefined when the key does not exist. */
  head(key: string): Promise<BlobInfo | undefined>;
  list(prefix: string): Promise<BlobInfo[]>;
  delete(key: string): Promise<void>;
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest>;
  /**
   * A URL that accepts one PUT of `key`. With `sizeBytes`, the body must be exactly that long: S3
   * checks the signed Content-Length (a presigned PUT cannot carry a range), which is how an
   * upload's size is capped.
   */
  presignPut(key: string, contentType: string, expiresInSeconds: number, sizeBytes?: number): Promise<PresignedRequest>;
}

export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
}

/** S3's limit on a key, in UTF-8 bytes; both implementations enforce it. */
export const MAX_KEY_BYTES = 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function keyProblem(key: unknown, allowTrailingSlash: boolean): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key.length === 0) return 'is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL_CHARS.test(key)) return 'contains a control character';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(key)) return 'is absolute';
  const segments = key.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Checks a key (`<videoId>/renditions/720p.mp4`): a relative path of non-empty segments, none of
 * them `.` or `..`, no backslash or control character, at most 1024 UTF-8 bytes. Returns the key;
 * throws InvalidKeyError.
 */
export function validateKey(key: string): string {
  const problem = keyProblem(key, false);
  if (problem) throw new InvalidKeyError(`Invalid key ${JSON.stringify(key)}: it ${problem}`);
  return key;
}

/** Checks a list prefix: `''` (everything) or a key that may end with `/`. */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, true);
  if (problem) throw new InvalidKeyError(`Invalid prefix ${JSON.stringify(prefix)}: it ${problem}`);
  return prefix;
}

/** putStream's body was larger than its maxBytes; nothing was stored. */
export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
}
