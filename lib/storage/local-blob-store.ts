import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidKeyError,
  validateKey,
  validatePrefix,
  type BlobInfo,
  type BlobStore,
  type PresignedRequest,
} from './blob-store';

/**
 * Folder name under the root that holds temp files (for atomic writes) and content-type sidecars.
 * It is not part of the key space: `list` skips it and a key may not start with it.
 */
export const LOCAL_STORE_INTERNAL_DIR = '.blobstore';
/** Longest file name most file systems accept, in bytes. */
const MAX_SEGMENT_BYTES = 255;

export interface LocalBlobStoreOptions {
  /** The folder; created on first write. */
  root: string;
  /**
   * Public URL of this store's folder, e.g. `http://127.0.0.1:3000/files/media`: presigned URLs are
   * `<baseUrl>/<key>` (each key segment URI-encoded), served by the local API server.
   */
  baseUrl?: string;
  /** For presigned URLs' expiresAt; defaults to the system clock. */
  now?: () => number;
}

/** Guesses a content type from a key's extension, for objects written without one. */
export function contentTypeFor(key: string): string | undefined {
  const ext = posix.extname(key).toLowerCase();
  return CONTENT_TYPES[ext];
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

/** Encodes a key for a URL path: each segment URI-encoded, slashes kept. */
export function encodeKeyForUrl(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * A BlobStore on a local folder: key `a/b.mp4` is the file `<root>/a/b.mp4`. Every write goes to a
 * temp file under `<root>/.blobstore/tmp` first and is renamed into place, so a reader never sees
 * a partial object and a failed or oversized write leaves nothing.
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;
  readonly baseUrl: string | undefined;
  private readonly now: () => number;

  constructor(options: LocalBlobStoreOptions | string) {
    const opts = typeof options === 'string' ? { root: options } : options;
    this.root = resolve(opts.root);
    this.baseUrl = opts.baseUrl?.replace(/\/+$/, '');
    this.now = opts.now ?? Date.now;
  }

  /** The file that holds `key` (validated). */
  pathOf(key: string): string {
    validateKey(key);
    const segments = key.split('/');
    if (segments[0] === LOCAL_STORE_INTERNAL_DIR) {
      throw new InvalidKeyError(`Invalid key ${JSON.stringify(key)}: "${LOCAL_STORE_INTERNAL_DIR}" is reserved`);
    }
    if (segments.some((s) => Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)) {
      throw new InvalidKeyError(`Invalid key ${JSON.stringify(key)}: a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    const file = join(this.root, ...segments);
    // validateKey already rules out escapes; this is a second fence.
    if (!file.startsWith(this.root + sep)) throw new InvalidKeyError(`Invalid key ${JSON.stringify(key)}: it leaves the store`);
    return file;
  }

  async putFile(key: string, file: string, contentType?: string): Promise<BlobInfo> {
    return this.write(key, contentType, async (tmp) => {
      await copyFile(file, tmp);
    });
  }

  async putBuffer(key: string, body: Buffer | string, contentType?: string): Promise<BlobInfo> {
    return this.write(key, contentType, async (tmp) => {
      await writeFile(tmp, body);
    });
  }

  async putStream(key: string, body: Readable, contentType?: string, maxBytes?: number): Promise<BlobInfo> {
    return this.write(key, contentType, async (tmp) => {
      const out = createWriteStream(tmp, { flags: 'wx' });
      if (maxBytes === undefined) {
        await pipeline(body, out);
      } else {
        await pipeline(body, byteLimit(key, maxBytes), out);
      }
    });
  }

  async getFile(key: string, file: string): Promise<void> {
    const source = this.pathOf(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.part`;
    try {
      await copyFile(source, tmp);
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw this.mapNotFound(error, key);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw this.mapNotFound(error, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      const handle = await open(file, 'r');
      // Opened first so a missing key fails here, not on the stream's first read.
      return handle.createReadStream();
    } catch (error) {
      throw this.mapNotFound(error, key);
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const file = this.pathOf(key);
    try {
      const st = await stat(file);
      if (!st.isFile()) return undefined;
      const contentType = (await this.readContentType(key)) ?? contentTypeFor(key);
      return { key, sizeBytes: st.size, ...(contentType ? { contentType } : {}) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter by the whole prefix (S3 semantics:
    // `a/b` matches `a/b.mp4` and `a/bc/d`).
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    if (dirKey.split('/')[0] === LOCAL_STORE_INTERNAL_DIR) return [];
    const start = dirKey ? join(this.root, ...dirKey.split('/')) : this.root;
    const out: BlobInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw error;
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (!keyPrefix && entry.name === LOCAL_STORE_INTERNAL_DIR) continue;
        if (entry.isDirectory()) {
          const asDir = key + '/';
          if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(join(dir, entry.name), asDir);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const st = await stat(join(dir, entry.name)).catch(() => undefined);
          if (!st) continue;
          const contentType = (await this.readContentType(key)) ?? contentTypeFor(key);
          out.push({ key, sizeBytes: st.size, ...(contentType ? { contentType } : {}) });
        }
      }
    };
    await walk(start, dirKey ? dirKey + '/' : '');
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    await rm(this.metaPath(key), { force: true });
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest> {
    return { url: this.urlOf(key), method: 'GET', headers: {}, expiresAt: this.expiresAt(expiresInSeconds) };
  }

  /** The local server checks `content-length` against the size POST /videos declared. */
  async presignPut(key: string, contentType: string, expiresInSeconds: number, sizeBytes?: number): Promise<PresignedRequest> {
    return {
      url: this.urlOf(key),
      method: 'PUT',
      headers: { 'content-type': contentType, ...(sizeBytes !== undefined ? { 'content-length': String(sizeBytes) } : {}) },
      expiresAt: this.expiresAt(expiresInSeconds),
    };
  }

  /** `<baseUrl>/<encoded key>`. */
  urlOf(key: string): string {
    this.pathOf(key);
    if (!this.baseUrl) throw new Error(`LocalBlobStore at ${this.root} has no baseUrl, so it cannot make URLs`);
    return `${this.baseUrl}/${encodeKeyForUrl(key)}`;
  }

  private expiresAt(expiresInSeconds: number): string {
    if (!Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) {
      throw new RangeError(`expiresInSeconds must be a positive number, got ${expiresInSeconds}`);
    }
    return new Date(this.now() + expiresInSeconds * 1000).toISOString();
  }

  private metaPath(key: string): string {
    return join(this.root, LOCAL_STORE_INTERNAL_DIR, 'meta', ...key.split('/')) + '.json';
  }

  private async readContentType(key: string): Promise<string | undefined> {
    try {
      const meta = JSON.parse(await readFile(this.metaPath(key), 'utf8')) as { contentType?: unknown };
      return typeof meta.contentType === 'string' ? meta.contentType : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes through a temp file and renames it into place; on any failure the temp file is removed. */
  private async write(key: string, contentType: string | undefined, fill: (tmp: string) => Promise<void>): Promise<BlobInfo> {
    const file = this.pathOf(key);
    const tmpDir = join(this.root, LOCAL_STORE_INTERNAL_DIR, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
    try {
      await fill(tmp);
      const st = await stat(tmp);
      // A content type the key's extension does not imply is recorded (before the object appears,
      // so a reader that sees the object sees its type); otherwise a stale sidecar is removed.
      const meta = this.metaPath(key);
      if (contentType && contentType !== contentTypeFor(key)) {
        await mkdir(dirname(meta), { recursive: true });
        const metaTmp = `${tmp}.meta`;
        await writeFile(metaTmp, JSON.stringify({ contentType }));
        await rename(metaTmp, meta);
      } else {
        await rm(meta, { force: true });
      }
      try {
        await mkdir(dirname(file), { recursive: true });
        await rename(tmp, file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
          throw new InvalidKeyError(`Invalid key ${JSON.stringify(key)}: it clashes with an existing object or folder in the local store`);
        }
        throw error;
      }
      const resolvedType = contentType ?? contentTypeFor(key);
      return { key, sizeBytes: st.size, ...(resolvedType ? { contentType: resolvedType } : {}) };
    } catch (error) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.meta`, { force: true });
      throw error;
    }
  }

  private mapNotFound(error: unknown, key: string): unknown {
    if (isNotFound(error) || (error as NodeJS.ErrnoException)?.code === 'EISDIR' || (error as NodeJS.ErrnoException)?.code === 'ENOTDIR') {
      return new BlobNotFoundError(`No object at key ${JSON.stringify(key)}`);
    }
    return error;
  }
}

/** A pass-through that fails once more than `maxBytes` went through. */
export function byteLimit(key: string, maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new BlobTooLargeError(`The body for ${JSON.stringify(key)} is larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
