import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidKeyError, type BlobStore } from '../storage/blob-store';
import { resolveLocalMediaPath, storesFromEnv, type StorageEnv, type Stores } from '../storage';
import { createApi, type Api } from './api';
import { ApiError, errorMessage, errorResponse, jsonResponse } from './errors';
import { receiveUpload } from './upload';
import { videoIdOfSourceKey } from './upload-event';
import { silentApiLogger, type ApiDeps, type ApiLogger, type ApiRequest, type ApiResponse } from './types';

/**
 * The local HTTP server: the starter API of createApi, plus the routes the local blob stores'
 * URLs point at (lib/storage DEFAULT_LOCAL_MEDIA_BASE_URL, `<base>/uploads/<key>`, `<base>/media/<key>`):
 *
 *   PUT  /files/uploads/<videoId>/source   the upload: stored, then the workflow is started (like S3 + the upload event)
 *   GET  /files/uploads/<key>              read an upload
 *   GET  /files/media/<key>                read an output (HLS playlists and segments, MP4, thumbnails, manifest); Range supported
 *
 * Every response carries permissive CORS headers so a page on another origin can play the HLS
 * output. A development tool: bind it to loopback.
 */

export interface LocalApiOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The API's dependencies, or a function of the server's URL (`http://127.0.0.1:<port>`) that
   * makes them: with port 0 the local stores' base URL is only known once the server listens.
   */
  deps: ApiDeps | ((url: string) => ApiDeps);
  /** URL path the stores are served under; default `/files` (the path of LOCAL_MEDIA_BASE_URL). */
  filesPath?: string;
  /** Largest API request body (POST /videos), bytes; default 1 MiB. */
  maxApiBodyBytes?: number;
}

export interface LocalApi {
  /** `http://<host>:<port>`, no trailing slash. */
  url: string;
  /** `<url><filesPath>`: the base URL for LOCAL_MEDIA_BASE_URL. */
  filesUrl: string;
  server: Server;
  deps: ApiDeps;
  close(): Promise<void>;
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, PUT, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, range, authorization',
  'access-control-expose-headers': 'content-length, content-range, accept-ranges, location',
  'access-control-max-age': '600',
};

/** Content types of the outputs, by extension (what players need). */
const SERVED_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.vtt': 'text/vtt; charset=utf-8',
  '.json': 'application/json',
};

export function servedContentType(key: string, stored: string | undefined): string {
  const dot = key.lastIndexOf('.');
  const ext = dot > key.lastIndexOf('/') ? key.slice(dot).toLowerCase() : '';
  return SERVED_TYPES[ext] ?? stored ?? 'application/octet-stream';
}

const DEFAULT_MAX_API_BODY = 1024 * 1024;

/**
 * The stores for a local server listening at `url`: storesFromEnv(env), with LOCAL_MEDIA_BASE_URL
 * defaulting to `<url>/files` so that presigned URLs point at this server whatever its port.
 */
export function localStoresFor(url: string, env: StorageEnv | NodeJS.ProcessEnv = process.env): Stores {
  const e = env as StorageEnv;
  return storesFromEnv({ ...e, LOCAL_MEDIA_BASE_URL: e.LOCAL_MEDIA_BASE_URL?.trim() || `${url}/files` });
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const host = options.host ?? '127.0.0.1';
  const filesPath = `/${(options.filesPath ?? '/files').replace(/^\/+|\/+$/g, '')}`;
  const maxApiBody = options.maxApiBodyBytes ?? DEFAULT_MAX_API_BODY;
  let state: { deps: ApiDeps; api: Api; logger: ApiLogger; url: string } | undefined;

  const server = createServer((req, res) => {
    if (!state) {
      send(res, errorResponse(new ApiError(503, 'ServiceNotReady', 'Starting up')));
      return;
    }
    void handleRequest(state, req, res).catch((error: unknown) => {
      state?.logger.error('Local server request failed', { method: req.method, url: req.url, error: errorMessage(error) });
      if (!res.headersSent) send(res, errorResponse(new ApiError(500, 'InternalError', 'Internal error')));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  let deps: ApiDeps;
  try {
    deps = typeof options.deps === 'function' ? options.deps(url) : options.deps;
  } catch (error) {
    server.close();
    throw error;
  }
  state = { deps, api: createApi(deps), logger: deps.logger ?? silentApiLogger, url };

  async function handleRequest(s: NonNullable<typeof state>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', s.url);
    const pathname = parsed.pathname;

    if (method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }

    if (pathname === filesPath || pathname.startsWith(filesPath + '/')) {
      let target: ReturnType<typeof resolveLocalMediaPath>;
      try {
        target = resolveLocalMediaPath(pathname, filesPath);
      } catch (error) {
        if (error instanceof InvalidKeyError) return rejectBody(req, res, errorResponse(new ApiError(400, 'InvalidKey', error.message)));
        throw error;
      }
      if (!target) return rejectBody(req, res, errorResponse(new ApiError(404, 'NotFound', `No file at ${pathname}`)));
      const store = target.store === 'uploads' ? s.deps.uploads : s.deps.media;
      if (method === 'GET' || method === 'HEAD') return serveBlob(store, target.key, req, res, method === 'HEAD');
      if (method === 'PUT' && target.store === 'uploads') return putUpload(s, target.key, req, res);
      const allow = target.store === 'uploads' ? 'GET, HEAD, PUT' : 'GET, HEAD';
      return rejectBody(req, res, errorResponse(new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${pathname}; use ${allow}`, { allow })));
    }

    let body: Buffer;
    try {
      body = await readBody(req, maxApiBody);
    } catch (error) {
      if (error instanceof ApiError) return rejectBody(req, res, errorResponse(error));
      throw error;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of parsed.searchParams) if (!(k in query)) query[k] = v;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const apiRequest: ApiRequest = { method, path: pathname, query, headers, baseUrl: s.url, ...(body.length > 0 ? { body } : {}) };
    send(res, await s.api.handle(apiRequest));
  }

  async function putUpload(s: NonNullable<typeof state>, key: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const videoId = videoIdOfSourceKey(key);
    if (!videoId) {
      return rejectBody(req, res, errorResponse(new ApiError(404, 'NotFound', `Uploads go to ${filesPath}/uploads/<videoId>/source, not ${key}`)));
    }
    // The body goes through a PassThrough so that a refused upload does not destroy the request's
    // socket before the error response is written.
    const body = new PassThrough();
    req.pipe(body);
    const onClose = (): void => {
      if (!req.complete) body.destroy(new Error('The client closed the connection during the upload'));
    };
    req.once('close', onClose);
    try {
      const result = await receiveUpload(
        { ...s.deps, logger: s.logger },
        { videoId, contentType: header(req, 'content-type'), contentLength: header(req, 'content-length'), body: body as Readable },
      );
      send(res, jsonResponse(200, result));
    } catch (error) {
      req.unpipe(body);
      body.destroy();
      if (error instanceof ApiError) return rejectBody(req, res, errorResponse(error));
      throw error;
    } finally {
      req.off('close', onClose);
    }
  }

  return {
    url,
    filesUrl: `${url}${filesPath}`,
    server,
    deps,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function send(res: ServerResponse, response: ApiResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.statusCode, { ...CORS_HEADERS, ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

/**
 * Answers before (or instead of) reading the whole request body: the connection is closed after
 * the response, and whatever the client still sends is discarded meanwhile.
 */
function rejectBody(req: IncomingMessage, res: ServerResponse, response: ApiResponse): void {
  if (!req.complete) {
    response = { ...response, headers: { ...response.headers, connection: 'close' } };
    req.resume();
    res.once('finish', () => {
      if (!req.complete) setTimeout(() => req.socket.destroy(), 2000).unref();
    });
  }
  send(res, response);
}

/** The request body, up to maxBytes (ApiError 413 past that; the rest of the body is left unread). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(new ApiError(413, 'PayloadTooLarge', `The request body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); 'invalid' for a syntax we ignore, 'unsatisfiable' past the end. */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!value) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

async function serveBlob(store: BlobStore, key: string, req: IncomingMessage, res: ServerResponse, headOnly: boolean): Promise<void> {
  const info = await store.head(key);
  if (!info) return send(res, errorResponse(new ApiError(404, 'NotFound', `No object ${JSON.stringify(key)}`)));
  const size = info.sizeBytes;
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    'content-type': servedContentType(key, info.contentType),
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
  };
  const range = parseRange(header(req, 'range'), size);
  if (range === 'unsatisfiable') {
    const r = errorResponse(new ApiError(416, 'RangeNotSatisfiable', `The range is outside the object (${size} bytes)`));
    return send(res, { ...r, headers: { ...r.headers, 'content-range': `bytes */${size}` } });
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(range.end - range.start + 1);
  } else {
    headers['content-length'] = String(size);
  }
  res.writeHead(range ? 206 : 200, headers);
  if (headOnly || size === 0) {
    res.end();
    return;
  }
  const source = await openRange(store, key, range);
  try {
    await pipeline(source, res);
  } catch {
    // The client went away mid-stream; nothing more to do.
    source.destroy();
  }
}

/** The object's bytes (only `range` when given): straight from the file for a local store. */
async function openRange(store: BlobStore, key: string, range: { start: number; end: number } | undefined): Promise<Readable> {
  const local = store as Partial<{ pathOf(key: string): string }>;
  if (typeof local.pathOf === 'function') {
    return createReadStream(local.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }
  const stream = await store.getStream(key);
  if (!range) return stream;
  const slice = sliceBytes(range.start, range.end);
  // A failure of either side destroys both, so the response pipeline sees it.
  pipeline(stream, slice).catch(() => undefined);
  return slice;
}

/** Passes bytes start..end (inclusive) of a stream through. */
function sliceBytes(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      callback(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}
