import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, extname } from 'node:path';
import type { CreateVideoResponse, VideoHistoryResponse, VideoListItem } from '../api/api';
import type { VideoStatus } from '../api/status';

/** An error answer of the starter API: `{ error: { code, message } }` with its HTTP status. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.mpg': 'video/mpeg',
  '.mpeg': 'video/mpeg',
};

export function contentTypeOfFile(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The starter API as a user's program sees it: plain HTTP, as documented in the README. */
export class VideoApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** `sizeBytes`: the upload URL the API answers with accepts exactly that many bytes. */
  async createVideo(fileName: string, contentType: string, sizeBytes: number): Promise<CreateVideoResponse> {
    return this.call<CreateVideoResponse>('POST', '/videos', { fileName, contentType, sizeBytes });
  }

  /** Creates a video and uploads `file` to the URL the API handed out; returns the video id. */
  async upload(file: string, onProgress?: (sentBytes: number, totalBytes: number) => void): Promise<string> {
    const contentType = contentTypeOfFile(file);
    const { size } = await stat(file);
    const created = await this.createVideo(basename(file), contentType, size);
    await putFile(created.upload.url, created.upload.headers, file, onProgress);
    return created.videoId;
  }

  status(videoId: string): Promise<VideoStatus> {
    return this.call<VideoStatus>('GET', `/videos/${encodeURIComponent(videoId)}`);
  }

  list(limit = 20): Promise<{ videos: VideoListItem[] }> {
    return this.call('GET', `/videos?limit=${limit}`);
  }

  /** The video's history and its rendition children; with `workflowId`, that child's history. */
  history(videoId: string, workflowId?: string): Promise<VideoHistoryResponse> {
    const query = workflowId === undefined ? '' : `?workflowId=${encodeURIComponent(workflowId)}`;
    return this.call('GET', `/videos/${encodeURIComponent(videoId)}/history${query}`);
  }

  /** The video's history, then each started rendition child's, fetched at once. */
  async histories(videoId: string): Promise<VideoHistoryResponse[]> {
    const parent = await this.history(videoId);
    const children = (parent.children ?? []).filter((c) => c.runId !== undefined);
    return [parent, ...(await Promise.all(children.map((c) => this.history(videoId, c.workflowId))))];
  }

  cancel(videoId: string): Promise<unknown> {
    return this.call('POST', `/videos/${encodeURIComponent(videoId)}/cancel`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiCallError(res.status, 'InvalidResponse', `${method} ${path}: the API answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ApiCallError(res.status, e?.code ?? 'HttpError', e?.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return parsed as T;
  }
}

/**
 * PUTs a file as a stream with its Content-Length, the way a presigned S3 URL expects it (the
 * length in `headers`, when given, is the signed one; the file's own size is sent, so a file that
 * changed since POST /videos is refused rather than cut).
 */
export async function putFile(
  url: string,
  headers: Record<string, string>,
  file: string,
  onProgress?: (sentBytes: number, totalBytes: number) => void,
): Promise<void> {
  const { size } = await stat(file);
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const req = send(target, { method: 'PUT', headers: { ...headers, 'content-length': String(size) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve();
        const text = Buffer.concat(chunks).toString('utf8');
        let message = text.slice(0, 500);
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          // S3 answers XML; show it as it is.
        }
        reject(new ApiCallError(status, 'UploadFailed', `upload failed with HTTP ${status}: ${message}`));
      });
    });
    req.on('error', reject);
    let sent = 0;
    const stream = createReadStream(file);
    stream.on('data', (chunk) => {
      sent += chunk.length;
      onProgress?.(sent, size);
    });
    stream.on('error', (error) => req.destroy(error));
    stream.pipe(req);
  });
}
