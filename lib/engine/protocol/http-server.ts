import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ConsoleHandler } from '../console';
import type { EngineCore } from '../core';
import { Fault, serializationError, storageFault, unknownOperation } from '../faults';
import { validateInput } from '../model/validate';
import { RawJson, type OperationResult, type OperationTable } from '../operations/types';
import { regionOf } from './credential-scope';
import { verifySigV4 } from './sigv4';

/**
 * X-Amz-Target forms: the short one the current SDKs send, and the long one of the Developer
 * Guide's "Making HTTP Requests" page, boto 2 and hand-written clients.
 */
const TARGET_PREFIXES = ['SimpleWorkflowService.', 'com.amazonaws.swf.service.model.SimpleWorkflowService.'];
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Clients that send plain JSON (boto 2: `application/json; charset=UTF-8`) are answered in kind. */
const PLAIN_JSON = 'application/json';
/** SWF's request size limit. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * AWS JSON 1.0 over HTTP: POST on any path, dispatch on X-Amz-Target, typed faults as 400 with
 * the service's `__type`. Nothing a client sends can make it answer 5xx: anything unexpected in a
 * handler is logged and answered as InternalFailure, and the process keeps running.
 *
 * Other methods get 405, except what `consoleHandler` takes (GET /console/...): the web console
 * is routed in the non-POST branch, so a POST pays nothing for it.
 */
export function createSwfServer(core: EngineCore, handlers: OperationTable, consoleHandler?: ConsoleHandler): Server {
  const server = createServer((req, res) => handle(core, handlers, req, res, consoleHandler));
  // Long polls hold a request for up to the poll timeout; keep sockets and requests alive longer.
  const hold = core.config.pollTimeoutMs + 15_000;
  server.requestTimeout = Math.max(hold, 70_000);
  server.headersTimeout = Math.max(hold, 70_000);
  server.keepAliveTimeout = Math.max(hold, 70_000);
  return server;
}

function handle(core: EngineCore, handlers: OperationTable, req: IncomingMessage, res: ServerResponse, consoleHandler?: ConsoleHandler): void {
  if (req.method !== 'POST' && consoleHandler?.(req, res)) return;
  const requestId = randomUUID();
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const contentType = req.headers['content-type']?.startsWith(PLAIN_JSON) ? PLAIN_JSON : CONTENT_TYPE;
  const fail = (fault: Fault) => send(res, requestId, contentType, fault.httpStatus, { __type: fault.wireType, message: fault.message });

  if (req.method !== 'POST') {
    fail(new Fault('UnknownOperationException', `Method ${req.method ?? ''} is not supported; use POST`, 405));
    req.resume();
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    fail(new Fault('RequestEntityTooLargeException', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413));
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => abort.abort());
  req.on('end', () => {
    if (tooLarge) {
      fail(new Fault('RequestEntityTooLargeException', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413));
      return;
    }
    dispatch(core, handlers, req, Buffer.concat(chunks), requestId, abort.signal).then(
      (result) => {
        if (result instanceof RawJson) sendText(res, requestId, contentType, 200, result.text);
        else send(res, requestId, contentType, 200, result ?? {});
      },
      (error: unknown) => {
        if (error instanceof Fault) return fail(error);
        const storage = storageFault(error);
        if (storage) return fail(storage);
        console.error(`swf-local: internal error in request ${requestId}:`, error);
        fail(new Fault('InternalFailure', 'The request processing has failed because of an unknown error', 500));
      },
    );
  });
}

async function dispatch(
  core: EngineCore,
  handlers: OperationTable,
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
  signal: AbortSignal,
): Promise<OperationResult> {
  // Like AWS, authenticate before looking at what is asked.
  const credentials = core.config.credentials;
  const region = credentials
    ? verifySigV4(req.method!, req.url ?? '/', req.headers, body, credentials, core.clock.now())
    : regionOf(req.headers.authorization, core.config.defaultRegion);
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = operationOf(target);
  const handler = Object.prototype.hasOwnProperty.call(handlers, operation) ? handlers[operation] : undefined;
  if (!handler) throw unknownOperation(target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError('Request body is not valid JSON');
  }
  const input = validateInput(operation, parsed);
  core.settleDueDeadlines();
  return handler(core, { region, requestId, signal }, input);
}

function operationOf(target: string): string {
  for (const prefix of TARGET_PREFIXES) if (target.startsWith(prefix)) return target.slice(prefix.length);
  return '';
}

function send(res: ServerResponse, requestId: string, contentType: string, status: number, body: object): void {
  sendText(res, requestId, contentType, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, requestId: string, contentType: string, status: number, text: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}
