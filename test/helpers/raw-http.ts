import { request as httpRequest } from 'node:http';

/** The AWS JSON 1.0 content type SWF speaks, both ways. */
export const AMZ_JSON = 'application/x-amz-json-1.0';

export interface RawCall {
  /** Operation name; sent as `X-Amz-Target: SimpleWorkflowService.<op>` unless `target` is given. */
  op?: string;
  /** The exact X-Amz-Target value; `null` sends no X-Amz-Target header at all. */
  target?: string | null;
  /** An object is JSON-encoded; a string is sent as is; undefined sends no body. */
  body?: unknown;
  method?: string;
  /** Path on the endpoint; `/` unless told otherwise. */
  path?: string;
  /** Extra headers (override the defaults, names as given). */
  headers?: Record<string, string>;
  /** Signs the Authorization header's credential scope for this region (no real signature). */
  region?: string;
  signal?: AbortSignal;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
  /** Wall-clock duration of the call in ms. */
  ms: number;
}

/** A fake SigV4 Authorization header: the engine reads only the credential scope from it. */
export function fakeAuthorization(region: string): string {
  return (
    `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20240101/${region}/swf/aws4_request, ` +
    'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000'
  );
}

/** One raw HTTP call to the engine with `fetch`, bypassing every SDK. */
export async function rawCall(endpoint: string, call: RawCall): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'Content-Type': AMZ_JSON };
  if (call.target !== null) headers['X-Amz-Target'] = call.target ?? `SimpleWorkflowService.${call.op ?? ''}`;
  if (call.region) headers['Authorization'] = fakeAuthorization(call.region);
  Object.assign(headers, call.headers ?? {});
  const method = call.method ?? 'POST';
  const body =
    call.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body);
  const started = Date.now();
  const res = await fetch(endpoint + (call.path ?? '/'), { method, headers, body, signal: call.signal });
  const text = await res.text();
  let json: any;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, ms: Date.now() - started };
}

/** Shorthand for an operation call with a JSON body. */
export function swfCall(endpoint: string, op: string, body: unknown, region?: string): Promise<RawAnswer> {
  return rawCall(endpoint, { op, body, ...(region ? { region } : {}) });
}

/**
 * A raw call with node:http, for what fetch cannot do: the exact header names on the wire and
 * a body streamed with chunked transfer encoding (no Content-Length).
 */
export function nodeHttpCall(
  endpoint: string,
  opts: { headers: Record<string, string>; chunks?: (string | Buffer)[]; method?: string; path?: string },
): Promise<{ status: number; rawHeaders: string[]; text: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/',
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, text: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before the whole body is written.
    req.on('error', reject);
    for (const c of opts.chunks ?? []) req.write(c);
    req.end();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
