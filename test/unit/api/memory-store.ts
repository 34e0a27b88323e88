import { Readable } from 'node:stream';
import { BlobNotFoundError, BlobTooLargeError, validateKey, validatePrefix, type BlobInfo, type BlobStore, type PresignedRequest } from '../../../lib/storage/blob-store';

/** An in-memory BlobStore; presigned URLs are `memory://<name>/<key>`. */
export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { body: Buffer; contentType?: string }>();

  constructor(
    readonly name: string,
    private readonly now: () => number = () => Date.parse('2030-01-01T00:00:00Z'),
  ) {}

  async putFile(): Promise<BlobInfo> {
    throw new Error('not used');
  }

  async putBuffer(key: string, body: Buffer | string, contentType?: string): Promise<BlobInfo> {
    validateKey(key);
    const buffer = typeof body === 'string' ? Buffer.from(body) : body;
    this.objects.set(key, { body: buffer, ...(contentType ? { contentType } : {}) });
    return { key, sizeBytes: buffer.length, ...(contentType ? { contentType } : {}) };
  }

  async putStream(key: string, body: Readable, contentType?: string, maxBytes?: number): Promise<BlobInfo> {
    validateKey(key);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (maxBytes !== undefined && size > maxBytes) {
        body.destroy();
        throw new BlobTooLargeError(`larger than ${maxBytes}`);
      }
      chunks.push(b);
    }
    return this.putBuffer(key, Buffer.concat(chunks), contentType);
  }

  async getFile(): Promise<void> {
    throw new Error('not used');
  }

  async getBuffer(key: string): Promise<Buffer> {
    const o = this.objects.get(validateKey(key));
    if (!o) throw new BlobNotFoundError(`No object at ${key}`);
    return o.body;
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.getBuffer(key)]);
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const o = this.objects.get(validateKey(key));
    return o ? { key, sizeBytes: o.body.length, ...(o.contentType ? { contentType: o.contentType } : {}) } : undefined;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    validatePrefix(prefix);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((k) => ({ key: k, sizeBytes: this.objects.get(k)!.body.length }));
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(validateKey(key));
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<PresignedRequest> {
    validateKey(key);
    return { url: `memory://${this.name}/${key}?get`, method: 'GET', headers: {}, expiresAt: new Date(this.now() + expiresInSeconds * 1000).toISOString() };
  }

  async presignPut(key: string, contentType: string, expiresInSeconds: number, sizeBytes?: number): Promise<PresignedRequest> {
    validateKey(key);
    const length: Record<string, string> = sizeBytes !== undefined ? { 'content-length': String(sizeBytes) } : {};
    return { url: `memory://${this.name}/${key}?put`, method: 'PUT', headers: { 'content-type': contentType, ...length }, expiresAt: new Date(this.now() + expiresInSeconds * 1000).toISOString() };
  }
}
