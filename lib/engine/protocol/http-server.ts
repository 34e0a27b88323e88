import { randomUUID } from 'node:crypto';
import { Server, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConsoleHandler } from '../console';
import type { EngineCore } from '../core';
import { Fault, serializationError, storageFault, unknownOperation } from '../faults';
import { validateInput } from '../model/validate';
import { RawJson, type OperationResult, type OperationTable } from '../operations/types';
import { regionOf } from './credential-scope';
import { headerOf, LeanConnection, type LeanRequest } from './http1-connection';
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

/** One SWF call as it came off the wire, whichever HTTP layer read it, and where its answer goes. */
interface SwfCall {
  readonly method: string;
  readonly url: string;
  readonly body: Buffer;
  readonly requestId: string;
  /** Aborted when the client disconnects before the answer is written. */
  readonly signal: AbortSignal;
  /** One header by lower-case name. */
  header(name: string): string | undefined;
  /** All headers, as node:http presents them (for SigV4, which signs a chosen few). */
  headers(): IncomingHttpHeaders;
  /** Writes the answer: its status and JSON text. */
  reply(status: number, text: string): void;
}

/** A call the lean layer read. (Classes, not closures: a hot path allocates one object per call.) */
class LeanCall implements SwfCall {
  readonly requestId = randomUUID();

  constructor(
    private readonly request: LeanRequest,
    private readonly connection: LeanConnection,
  ) {}

  get method(): string {
    return this.request.method;
  }

  get url(): string {
    return this.request.url;
  }

  get body(): Buffer {
    return this.request.body;
  }

  get signal(): AbortSignal {
    return this.connection.signal;
  }

  header(name: string): string | undefined {
    return headerOf(this.request, name);
  }

  headers(): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    const { names, values } = this.request;
    for (let i = 0; i < names.length; i++) headers[names[i]!] = values[i];
    return headers;
  }

  reply(status: number, text: string): void {
    const headers = `Content-Type: ${contentTypeFor(this.header('content-type'))}\r\nx-amzn-RequestId: ${this.requestId}\r\n`;
    this.connection.reply(this.request, status, headers, text);
  }
}

/** A call node:http read (the requests the lean layer declines). */
class NodeCall implements SwfCall {
  readonly requestId = randomUUID();
  private readonly contentType: string;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly body: Buffer,
    readonly signal: AbortSignal,
  ) {
    this.contentType = contentTypeFor(req.headers['content-type']);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get url(): string {
    return this.req.url ?? '/';
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  reply(status: number, text: string): void {
    const { res } = this;
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'Content-Type': this.contentType, 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': this.requestId });
    res.end(text);
  }
}

/**
 * AWS JSON 1.0 over HTTP: POST on any path, dispatch on X-Amz-Target, typed faults as 400 with
 * the service's `__type`. Nothing a client sends can make it answer 5xx: anything unexpected in a
 * handler is logged and answered as InternalFailure, and the process keeps running.
 *
 * Each connection starts on the lean HTTP/1.1 layer (http1-connection.ts), which serves the
 * requests every SDK sends; the first request it declines moves the connection to node:http,
 * which serves the rest: other methods (405, or the web console's GET /console/...), chunked
 * bodies, `Expect: 100-continue`, malformed requests. Both run the same `serveCall`.
 */
export class SwfServer extends Server {
  private readonly lean = new Set<LeanConnection>();

  constructor(core: EngineCore, handlers: OperationTable, consoleHandler?: ConsoleHandler) {
    super((req, res) => handle(core, handlers, req, res, consoleHandler));
    // Long polls hold a request for up to the poll timeout; keep sockets and requests alive longer.
    const hold = Math.max(core.config.pollTimeoutMs + 15_000, 70_000);
    this.requestTimeout = hold;
    this.headersTimeout = hold;
    this.keepAliveTimeout = hold;
    // node:http serves a connection through the listener it registered for 'connection'; it now
    // runs only for connections the lean layer hands over.
    const [nodeConnection] = this.listeners('connection') as ((socket: Socket) => void)[];
    if (!nodeConnection) throw new Error('node:http registered no connection listener');
    this.removeAllListeners('connection');
    const lean = {
      onRequest: (request: LeanRequest, connection: LeanConnection) => serveCall(core, handlers, new LeanCall(request, connection)),
      handOff: (socket: Socket) => nodeConnection.call(this, socket),
      maxBodyBytes: MAX_BODY_BYTES,
      idleTimeoutMs: hold,
    };
    this.on('connection', (socket: Socket) => {
      const connection = new LeanConnection(socket, lean);
      this.lean.add(connection);
      socket.once('close', () => this.lean.delete(connection));
    });
  }

  override closeIdleConnections(): void {
    super.closeIdleConnections();
    for (const connection of this.lean) if (connection.idle) connection.destroy();
  }

  override closeAllConnections(): void {
    super.closeAllConnections();
    for (const connection of this.lean) connection.destroy();
  }
}

export function createSwfServer(core: EngineCore, handlers: OperationTable, consoleHandler?: ConsoleHandler): SwfServer {
  return new SwfServer(core, handlers, consoleHandler);
}

/** node:http's side: whatever the lean layer declined. */
function handle(core: EngineCore, handlers: OperationTable, req: IncomingMessage, res: ServerResponse, consoleHandler?: ConsoleHandler): void {
  if (req.method !== 'POST' && consoleHandler?.(req, res)) return;
  const abort = new AbortController();
  const refuse = (fault: Fault) => {
    replyFault(new NodeCall(req, res, Buffer.alloc(0), abort.signal), fault);
    req.resume();
  };
  if (req.method !== 'POST') return refuse(new Fault('UnknownOperationException', `Method ${req.method ?? ''} is not supported; use POST`, 405));
  const tooLarge = new Fault('RequestEntityTooLargeException', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return refuse(tooLarge);
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('error', () => abort.abort());
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return refuse(tooLarge);
    serveCall(core, handlers, new NodeCall(req, res, Buffer.concat(chunks), abort.signal));
  });
}

function contentTypeFor(contentType: string | undefined): string {
  return contentType?.startsWith(PLAIN_JSON) ? PLAIN_JSON : CONTENT_TYPE;
}

/**
 * Runs one call in this turn's call group and replies once, after the group has committed if the
 * call wrote. An operation that answers synchronously (all but waiting polls) needs no promise.
 */
function serveCall(core: EngineCore, handlers: OperationTable, call: SwfCall): void {
  core.openCallGroup();
  let result: OperationResult | Promise<OperationResult>;
  try {
    result = dispatch(core, handlers, call);
  } catch (error) {
    return core.whenCommitted(() => replyFault(call, error));
  }
  if (result instanceof Promise) {
    result.then(
      (r) => answer(core, call, r),
      (error: unknown) => core.whenCommitted(() => replyFault(call, error)),
    );
  } else answer(core, call, result);
}

/** Answers with `result` once the call's group has committed, or with the error if it could not. */
function answer(core: EngineCore, call: SwfCall, result: OperationResult): void {
  core.whenCommitted((error) => (error === undefined ? replyResult(call, result) : replyFault(call, error)));
}

function replyResult(call: SwfCall, result: OperationResult): void {
  call.reply(200, result instanceof RawJson ? result.text : JSON.stringify(result ?? {}));
}

function replyFault(call: SwfCall, error: unknown): void {
  let fault: Fault;
  if (error instanceof Fault) fault = error;
  else {
    const storage = storageFault(error);
    if (storage) fault = storage;
    else {
      console.error(`swf-local: internal error in request ${call.requestId}:`, error);
      fault = new Fault('InternalFailure', 'The request processing has failed because of an unknown error', 500);
    }
  }
  call.reply(fault.httpStatus, JSON.stringify({ __type: fault.wireType, message: fault.message }));
}

function dispatch(core: EngineCore, handlers: OperationTable, call: SwfCall): OperationResult | Promise<OperationResult> {
  // Like AWS, authenticate before looking at what is asked.
  const credentials = core.config.credentials;
  const region = credentials
    ? verifySigV4(call.method, call.url, call.headers(), call.body, credentials, core.clock.now())
    : regionOf(call.header('authorization'), core.config.defaultRegion);
  const target = call.header('x-amz-target') ?? '';
  const operation = operationOf(target);
  const handler = Object.prototype.hasOwnProperty.call(handlers, operation) ? handlers[operation] : undefined;
  if (!handler) throw unknownOperation(target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header');
  let parsed: unknown;
  try {
    parsed = call.body.length === 0 ? {} : JSON.parse(call.body.toString('utf8'));
  } catch {
    throw serializationError('Request body is not valid JSON');
  }
  const input = validateInput(operation, parsed);
  core.settleDueDeadlines();
  return handler(core, { region, requestId: call.requestId, signal: call.signal }, input);
}

function operationOf(target: string): string {
  for (const prefix of TARGET_PREFIXES) if (target.startsWith(prefix)) return target.slice(prefix.length);
  return '';
}
