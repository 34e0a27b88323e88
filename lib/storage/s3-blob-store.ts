import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  validateKey,
  validatePrefix,
  type BlobInfo,
  type BlobStore,
  type PresignedRequest,
} from './blob-store';

/** S3's minimum part size (except the last part) is 5 MiB; 8 MiB parts keep memory modest. */
export const S3_PART_BYTES = 8 * 1024 * 1024;
/**
 * putFile sends a file larger than this as a multipart upload: one PutObject stops at 5 GB (a long
 * rendition's MP4 is larger), and a failed part is resent alone.
 */
export const MULTIPART_FILE_BYTES = 64 * 1024 * 1024;
/** Longest presigned URL lifetime SigV4 allows. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3BlobStoreOptions {
  bucket: string;
  /**
   * An S3 client; tests inject one whose `send` is a fake (presigning needs no network). Build it
   * with `requestChecksumCalculation: 'WHEN_REQUIRED'` (storesFromEnv does): with the SDK's
   * default, presigned PUT URLs carry a checksum of an empty body and uploads through them fail.
   */
  client: S3Client;
  /** Part size for putStream bodies larger than one part. */
  partBytes?: number;
  /** putFile's multipart threshold; default MULTIPART_FILE_BYTES. */
  multipartFileBytes?: number;
  /** For expiresAt; defaults to the system clock. */
  now?: () => number;
}

/**
 * A BlobStore on one S3 bucket. Keys are validated exactly as the local store does, so a key that
 * works in development works on AWS and vice versa.
 */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  readonly client: S3Client;
  private readonly partBytes: number;
  private readonly multipartFileBytes: number;
  private readonly now: () => number;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.client = options.client;
    this.partBytes = Math.max(5 * 1024 * 1024, options.partBytes ?? S3_PART_BYTES);
    this.multipartFileBytes = options.multipartFileBytes ?? MULTIPART_FILE_BYTES;
    this.now = options.now ?? Date.now;
  }

  async putFile(key: string, file: string, contentType?: string): Promise<BlobInfo> {
    validateKey(key);
    const { size } = await stat(file);
    if (size > this.multipartFileBytes) return this.putStream(key, createReadStream(file), contentType);
    const body = createReadStream(file);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: size,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      );
    } finally {
      body.destroy();
    }
    return info(key, size, contentType);
  }

  async putBuffer(key: string, body: Buffer | string, contentType?: string): Promise<BlobInfo> {
    validateKey(key);
    const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: buffer,
        ContentLength: buffer.length,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
    return info(key, buffer.length, contentType);
  }

  /**
   * A body of unknown length: buffered up to one part; a small body is one PutObject, a larger one
   * a multipart upload. Past `maxBytes` the upload is aborted, so nothing is left in the bucket.
   */
  async putStream(key: string, body: Readable, contentType?: string, maxBytes?: number): Promise<BlobInfo> {
    validateKey(key);
    const tooLarge = () => new BlobTooLargeError(`The body for ${JSON.stringify(key)} is larger than ${maxBytes} bytes`);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const flushPart = async () => {
      if (uploadId === undefined) {
        const created = await this.client.send(
          new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ...(contentType ? { ContentType: contentType } : {}) }),
        );
        if (!created.UploadId) throw new Error(`S3 returned no UploadId for ${key}`);
        uploadId = created.UploadId;
      }
      const chunk = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const PartNumber = parts.length + 1;
      const out = await this.client.send(
        new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber, Body: chunk, ContentLength: chunk.length }),
      );
      parts.push({ PartNumber, ETag: out.ETag });
    };
    try {
      for await (const raw of body) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
        total += chunk.length;
        if (maxBytes !== undefined && total > maxBytes) throw tooLarge();
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= this.partBytes) await flushPart();
      }
      if (uploadId === undefined) {
        const buffer = Buffer.concat(pending, pendingBytes);
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: buffer,
            ContentLength: buffer.length,
            ...(contentType ? { ContentType: contentType } : {}),
          }),
        );
      } else {
        if (pendingBytes > 0) await flushPart();
        await this.client.send(
          new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
      }
      return info(key, total, contentType);
    } catch (error) {
      body.destroy();
      if (uploadId !== undefined) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  async getFile(key: string, file: string): Promise<void> {
    const stream = await this.getStream(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(stream, createWriteStream(tmp));
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const stream = await this.getStream(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }

  async getStream(key: string): Promise<Readable> {
    validateKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return toReadable(out.Body, key);
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(`No object at key ${JSON.stringify(key)} in bucket ${this.bucket}`);
      throw error;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    validateKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return info(key, out.ContentLength ?? 0, out.ContentType);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    const out: BlobInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) out.push({ key: o.Key, sizeBytes: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest> {
    validateKey(key);
    const expiresIn = checkExpiry(expiresInSeconds);
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
    return { url, method: 'GET', headers: {}, expiresAt: new Date(this.now() + expiresIn * 1000).toISOString() };
  }

  /**
   * The client must send `headers` exactly as returned: they are signed. With `sizeBytes` that
   * includes `content-length`, so S3 refuses (403 SignatureDoesNotMatch) a body of any other size.
   */
  async presignPut(key: string, contentType: string, expiresInSeconds: number, sizeBytes?: number): Promise<PresignedRequest> {
    validateKey(key);
    const expiresIn = checkExpiry(expiresInSeconds);
    if (sizeBytes !== undefined && !(Number.isSafeInteger(sizeBytes) && sizeBytes > 0)) throw new RangeError(`sizeBytes must be a positive integer, got ${sizeBytes}`);
    const sized = sizeBytes !== undefined;
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ...(sized ? { ContentLength: sizeBytes } : {}) }),
      { expiresIn, signableHeaders: new Set(sized ? ['content-type', 'content-length'] : ['content-type']) },
    );
    return {
      url,
      method: 'PUT',
      headers: { 'content-type': contentType, ...(sized ? { 'content-length': String(sizeBytes) } : {}) },
      expiresAt: new Date(this.now() + expiresIn * 1000).toISOString(),
    };
  }
}

function info(key: string, sizeBytes: number, contentType: string | undefined): BlobInfo {
  return { key, sizeBytes, ...(contentType ? { contentType } : {}) };
}

function checkExpiry(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`expiresInSeconds must be between 1 and ${MAX_PRESIGN_SECONDS}, got ${seconds}`);
  }
  return Math.ceil(seconds);
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function toReadable(body: unknown, key: string): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null) return Readable.from([]);
  if (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === 'string') return Readable.from([Buffer.from(body as Uint8Array)]);
  const web = body as { transformToWebStream?: () => unknown; getReader?: () => unknown };
  if (typeof web.getReader === 'function') return Readable.fromWeb(web as never);
  if (typeof web.transformToWebStream === 'function') return Readable.fromWeb(web.transformToWebStream() as never);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return Readable.from(body as AsyncIterable<unknown>);
  throw new Error(`Unexpected S3 body type for ${key}`);
}
