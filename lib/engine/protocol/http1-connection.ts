import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A lean HTTP/1.1 server side for the one request shape every SWF client sends: a POST whose body
 * length is given by Content-Length. node:http costs a lone call more CPU than the SWF work it
 * carries (IncomingMessage and ServerResponse streams, header objects, an AbortController per
 * request: `npm run bench:http-floor`), so such requests are read and answered here, straight on
 * the socket.
 *
 * Anything else (another method, chunked bodies, `Expect`, `Upgrade`, duplicate or malformed
 * headers, HTTP/0.9 or 2, oversized heads) is not second-guessed: the connection is handed to
 * node:http at that request boundary, with the bytes already read put back, and node:http serves
 * it from then on with its full semantics. So this file needs to be right only about what it
 * accepts; everything it declines behaves exactly as before.
 *
 * One leniency, chosen for speed: control characters inside a header value are not looked for
 * (node:http answers 400). Checking them costs a scan of every byte of the head, about 4% of a
 * call's instructions, and no value this engine reads can be misread because of one: the
 * operation name must match exactly, and SigV4 signs the bytes as they came.
 */

export interface LeanRequest {
  method: string;
  url: string;
  /** Header names (lower case) and their values, in the order sent; no name repeats. */
  names: readonly string[];
  values: readonly string[];
  body: Buffer;
}

/** A header of a lean request by lower-case name (a dozen headers: a scan beats building a map). */
export function headerOf(request: LeanRequest, name: string): string | undefined {
  const i = request.names.indexOf(name);
  return i < 0 ? undefined : request.values[i];
}

export interface LeanOptions {
  /** Serves a request; its answer goes to `connection.reply(request, ...)`. */
  onRequest: (request: LeanRequest, connection: LeanConnection) => void;
  /** Takes over a socket this layer declines; it was paused and the unread bytes put back. */
  handOff: (socket: Socket) => void;
  maxBodyBytes: number;
  /** An idle connection (no request being answered) is closed after this long. */
  idleTimeoutMs: number;
}

/** node:http's default limit on a request head (--max-http-header-size). */
const MAX_HEAD_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/;

/** Serves a socket from its construction until it closes or is handed to node:http. */
export class LeanConnection {
  /** Bytes read and not yet consumed (the start of the next request), and their length. */
  private chunks: Buffer[] = [];
  private received = 0;
  /** The head of a request whose body is still coming, and how many unread bytes it needs. */
  private head: RequestHead | undefined;
  private awaiting = 0;
  /** A request is being answered: responses go out in request order, so parsing waits. */
  private busy = false;
  private keepAlive = true;
  private closed = false;
  private abort: AbortController | undefined;
  /** The request being answered. */
  private current: LeanRequest | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.close();
  private readonly onError = () => this.socket.destroy();
  /**
   * The client sent FIN. As node:http does by default, treat it as gone: a request still being
   * answered (a waiting poll) is abandoned, and the connection ends (the server allows half-open
   * sockets, so nothing else would end it).
   */
  private readonly onEnd = () => {
    this.close();
    this.socket.end();
  };
  private readonly onTimeout = () => {
    if (!this.busy) this.socket.destroy();
  };

  constructor(
    private readonly socket: Socket,
    private readonly options: LeanOptions,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
    socket.on('end', this.onEnd);
  }

  /** No request is being answered: the engine may close it at shutdown without losing an answer. */
  get idle(): boolean {
    return !this.busy;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.busy) {
      // A pipelined request waits for the answer before it; don't let it pile up unread.
      if (this.received > MAX_HEAD_BYTES + this.options.maxBodyBytes) this.socket.pause();
      return;
    }
    if (this.received >= this.awaiting) this.next();
  }

  /** The unread bytes as one buffer (joined once, not per chunk: a 1 MiB body comes in many). */
  private unread(): Buffer | undefined {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.received)];
    return this.chunks[0];
  }

  private keep(rest: Buffer | undefined): void {
    this.chunks = rest && rest.length > 0 ? [rest] : [];
    this.received = rest?.length ?? 0;
  }

  /** Starts the request at the front of the unread bytes once it is complete. */
  private next(): void {
    let buf = this.unread();
    if (!buf) return;
    // Clients may send an empty line between requests (RFC 9112 section 2.2).
    let start = 0;
    while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
    if (start > 0) {
      buf = buf.subarray(start);
      this.keep(buf);
      if (buf.length === 0) return;
    }
    // botocore sends a request's head and body in two writes: the head read first is kept.
    let head = this.head;
    if (!head) {
      const headEnd = buf.indexOf(HEAD_END);
      if (headEnd < 0) {
        if (buf.length > MAX_HEAD_BYTES) this.handOff();
        return;
      }
      head = parseHead(buf.toString('latin1', 0, headEnd), this.options.maxBodyBytes);
      if (!head) return this.handOff();
      head.bodyStart = headEnd + 4;
    }
    const bodyEnd = head.bodyStart + head.contentLength;
    if (buf.length < bodyEnd) {
      this.head = head;
      this.awaiting = bodyEnd;
      return;
    }
    this.head = undefined;
    this.awaiting = 0;
    const body = buf.subarray(head.bodyStart, bodyEnd);
    this.keep(buf.subarray(bodyEnd));
    this.busy = true;
    this.keepAlive = head.keepAlive;
    const request: LeanRequest = { method: head.method, url: head.url, names: head.names, values: head.values, body };
    this.current = request;
    this.options.onRequest(request, this);
  }

  /** Aborted when the client goes away while a request is being answered (a waiting poll). */
  get signal(): AbortSignal {
    return (this.abort ??= new AbortController()).signal;
  }

  /**
   * Writes the answer to `request` (`headers`: complete header lines). An answer to anything but
   * the request being answered (a second one, or one after the client left) is dropped.
   */
  reply(request: LeanRequest, status: number, headers: string, text: string): void {
    if (request !== this.current || this.closed) return;
    this.current = undefined;
    const connection = this.keepAlive ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.options.idleTimeoutMs / 1000)}` : 'Connection: close';
    this.socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}Content-Length: ${Buffer.byteLength(text)}\r\nDate: ${httpDate()}\r\n${connection}\r\n\r\n${text}`,
    );
    this.busy = false;
    if (!this.keepAlive) {
      this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }

  private close(): void {
    this.closed = true;
    if (this.busy) this.abort?.abort();
  }

  /** Gives the connection to node:http, with the bytes read so far put back in front. */
  private handOff(): void {
    const { socket } = this;
    socket.pause();
    socket.off('data', this.onData);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
    socket.off('timeout', this.onTimeout);
    socket.off('end', this.onEnd);
    socket.setTimeout(0);
    const unread = this.unread();
    if (unread) socket.unshift(unread);
    this.keep(undefined);
    this.closed = true;
    this.options.handOff(socket);
    socket.resume();
  }
}

interface RequestHead {
  method: string;
  url: string;
  /** Header names (lower case) and values, in order. */
  names: string[];
  values: string[];
  contentLength: number;
  keepAlive: boolean;
  /** Where the body starts in the unread bytes (set by the connection). */
  bodyStart: number;
}

/** 1 for the RFC 9110 token characters a header name is made of. */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHARS[c.charCodeAt(0)] = 1;

/** Optional whitespace around a field value: SP or HTAB. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isToken(text: string, from: number, to: number): boolean {
  if (from === to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
}

/**
 * The head of a request this layer serves, or undefined when node:http should have it. Only a
 * POST with a plain Content-Length is taken; a question this parser would have to answer with
 * judgement (folded lines, repeated headers, odd characters) is node:http's.
 */
export function parseHead(text: string, maxBodyBytes: number): RequestHead | undefined {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const line = REQUEST_LINE.exec(text.slice(0, eol));
  if (!line || line[1] !== 'POST') return undefined;
  const names: string[] = [];
  const values: string[] = [];
  let length: string | undefined;
  let connection = '';
  const end = text.length;
  for (let pos = eol + 2; pos < end; pos = eol + 2) {
    eol = text.indexOf('\r\n', pos);
    if (eol < 0) eol = end;
    // A CR or LF inside a line (not part of its end) is node:http's to refuse.
    const cr = text.indexOf('\r', pos);
    const lf = text.indexOf('\n', pos);
    if ((cr >= 0 && cr < eol) || (lf >= 0 && lf <= eol)) return undefined;
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > eol || !isToken(text, pos, colon)) return undefined;
    const name = text.slice(pos, colon).toLowerCase();
    // A repeated header has merge rules of its own: node:http's to apply.
    if (names.includes(name)) return undefined;
    let from = colon + 1;
    let to = eol;
    while (from < to && isBlank(text.charCodeAt(from))) from++;
    while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
    const value = text.slice(from, to);
    switch (name) {
      case 'content-length':
        length = value;
        break;
      case 'connection':
        connection = value.toLowerCase();
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
    }
    names.push(name);
    values.push(value);
  }
  if (length === undefined || !/^\d{1,9}$/.test(length)) return undefined;
  const contentLength = Number(length);
  if (contentLength > maxBodyBytes) return undefined;
  const keepAlive = line[3] === '1' ? !/(^|[\s,])close($|[\s,])/.test(connection) : /(^|[\s,])keep-alive($|[\s,])/.test(connection);
  return { method: line[1], url: line[2]!, names, values, contentLength, keepAlive, bodyStart: 0 };
}

let dateSecond = -1;
let dateText = '';

/** The Date header, computed once a second as node:http does. */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}
