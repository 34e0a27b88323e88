/**
 * The lean HTTP/1.1 layer in front of SWF dispatch (lib/engine/protocol/http1-connection.ts),
 * byte by byte on raw sockets: what it serves itself (POST with Content-Length: split packets,
 * pipelining, keep-alive and Connection: close, HTTP/1.0), and that every request it declines is
 * served by node:http on the same connection, with the bytes already read intact (chunked
 * bodies, Expect, repeated headers, other methods, malformed heads).
 */
import { connect, type Socket } from 'node:net';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { parseHead } from '../../lib/engine/protocol/http1-connection';

let engine: RunningEngine;
let port: number;

beforeAll(async () => {
  engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 1000 });
  port = engine.port;
});

afterAll(async () => {
  await engine?.close();
});

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw connection that reads HTTP/1.1 responses (Content-Length bodies only, as the engine sends). */
class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly socket: Socket;

  constructor() {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  async response(timeoutMs = 5000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.take();
      if (parsed) return parsed;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffered.toString())}`);
      if (Date.now() > deadline) throw new Error(`no response; unread: ${JSON.stringify(this.buffered.toString())}`);
      await new Promise<void>((res) => {
        const timer = setTimeout(res, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          res();
        });
      });
    }
  }

  /** Resolves once the server has closed the connection. */
  async closedByServer(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  private take(): Response | undefined {
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.buffered.toString('latin1', 0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.buffered.length < end + 4 + length) return undefined;
    const body = this.buffered.toString('utf8', end + 4, end + 4 + length);
    this.buffered = this.buffered.subarray(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A complete SWF request as an SDK sends it. */
function swfRequest(op: string, body: object, extra: string[] = [], version = '1.1'): string {
  const text = JSON.stringify(body);
  return [
    `POST / HTTP/${version}`,
    `Host: 127.0.0.1:${port}`,
    `X-Amz-Target: SimpleWorkflowService.${op}`,
    'Content-Type: application/x-amz-json-1.0',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...extra,
    '',
    text,
  ].join('\r\n');
}

/** ListDomains with a chunked body: a request the lean layer hands to node:http. */
function chunkedListDomains(body: object): string {
  const text = JSON.stringify(body);
  return ['POST / HTTP/1.1', 'Host: x', 'X-Amz-Target: SimpleWorkflowService.ListDomains', 'Content-Type: application/x-amz-json-1.0', 'Transfer-Encoding: chunked', '', `${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`].join('\r\n');
}

const LIST_DOMAINS = { registrationStatus: 'REGISTERED' };

describe('requests the lean layer serves', () => {
  test('a request split across packets, byte by byte at the worst places', async () => {
    const c = new RawConnection();
    const request = swfRequest('ListDomains', LIST_DOMAINS);
    for (const piece of [request.slice(0, 3), request.slice(3, 40), request.slice(40, request.indexOf('\r\n\r\n') + 2), request.slice(request.indexOf('\r\n\r\n') + 2, -5), request.slice(-5)]) {
      c.send(piece);
      await new Promise((r) => setTimeout(r, 10));
    }
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ domainInfos: [] });
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['date']).toMatch(/GMT$/);
    expect(r.headers['connection']).toBe('keep-alive');
    c.close();
  });

  test('a body of almost 1 MiB in 16 KiB pieces is read whole', async () => {
    const c = new RawConnection();
    const request = Buffer.from(swfRequest('ListDomains', { registrationStatus: 'DEPRECATED', padding: 'x'.repeat(1000 * 1000) }));
    for (let at = 0; at < request.length; at += 16 * 1024) c.send(request.subarray(at, at + 16 * 1024));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ domainInfos: [] });
    c.close();
  });

  test('pipelined requests in one packet are answered in order on one connection', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS) + swfRequest('NoSuchOperation', {}) + '\r\n' + swfRequest('ListDomains', { registrationStatus: 'DEPRECATED' }));
    const answers = [await c.response(), await c.response(), await c.response()];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 200]);
    expect(JSON.parse(answers[1]!.body).__type).toContain('UnknownOperationException');
    expect(answers[0]!.headers['x-amzn-requestid']).not.toBe(answers[2]!.headers['x-amzn-requestid']);
    c.close();
  });

  test('a multi-byte UTF-8 body: Content-Length counts bytes both ways', async () => {
    const c = new RawConnection();
    const domain = `dom-ü-${process.pid}`;
    c.send(swfRequest('RegisterDomain', { name: domain, workflowExecutionRetentionPeriodInDays: '1', description: 'ünïcødé ✓' }));
    expect((await c.response()).status).toBe(200);
    c.send(swfRequest('DescribeDomain', { name: domain }));
    const r = await c.response();
    expect(JSON.parse(r.body).domainInfo.description).toBe('ünïcødé ✓');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    c.close();
  });

  test('Connection: close is honoured: the answer, then the server closes', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS, ['Connection: close']));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.headers['connection']).toBe('close');
    expect(await c.closedByServer()).toBe(true);
  });

  test('HTTP/1.0 closes after the answer unless it asks for keep-alive', async () => {
    const once = new RawConnection();
    once.send(swfRequest('ListDomains', LIST_DOMAINS, [], '1.0'));
    expect((await once.response()).status).toBe(200);
    expect(await once.closedByServer()).toBe(true);

    const kept = new RawConnection();
    kept.send(swfRequest('ListDomains', LIST_DOMAINS, ['Connection: keep-alive'], '1.0'));
    expect((await kept.response()).headers['connection']).toBe('keep-alive');
    kept.send(swfRequest('ListDomains', LIST_DOMAINS, ['Connection: keep-alive'], '1.0'));
    expect((await kept.response()).status).toBe(200);
    kept.close();
  });

  test('a client that half-closes during a waiting poll is treated as gone, as node:http does', async () => {
    const c = new RawConnection();
    const domain = `half-${process.pid}`;
    c.send(swfRequest('RegisterDomain', { name: domain, workflowExecutionRetentionPeriodInDays: '1' }));
    expect((await c.response()).status).toBe(200);
    c.send(swfRequest('PollForDecisionTask', { domain, taskList: { name: 'half' } }));
    await new Promise((r) => setTimeout(r, 100));
    c.socket.end();
    expect(await c.closedByServer(3000)).toBe(true);
  });
});

describe('requests handed to node:http on the same connection', () => {
  test('chunked body after a lean request: read by node:http, then the connection stays with it', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS));
    expect((await c.response()).status).toBe(200);
    c.send(chunkedListDomains({ registrationStatus: 'DEPRECATED' }));
    expect(JSON.parse((await c.response()).body)).toEqual({ domainInfos: [] });
    c.send(swfRequest('ListDomains', LIST_DOMAINS));
    expect((await c.response()).status).toBe(200);
    c.close();
  });

  test('pipelined bytes behind the declined request are not lost in the hand-over', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS) + chunkedListDomains(LIST_DOMAINS) + swfRequest('DescribeDomain', { name: 'nope' }));
    const answers = [await c.response(), await c.response(), await c.response()];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 400]);
    expect(JSON.parse(answers[2]!.body).__type).toContain('UnknownResourceFault');
    c.close();
  });

  test('Expect: 100-continue gets its 100 from node:http', async () => {
    const c = new RawConnection();
    const body = JSON.stringify(LIST_DOMAINS);
    c.send(['POST / HTTP/1.1', 'Host: x', 'X-Amz-Target: SimpleWorkflowService.ListDomains', 'Expect: 100-continue', `Content-Length: ${body.length}`, '', ''].join('\r\n'));
    expect((await c.response()).status).toBe(100);
    c.send(body);
    expect((await c.response()).status).toBe(200);
    c.close();
  });

  test('a repeated header goes to node:http, which keeps the first Content-Type', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS, ['Content-Type: application/json']));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.0');
    c.close();
  });

  test('a GET after a POST on one connection reaches node:http (405 outside the console)', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS));
    expect((await c.response()).status).toBe(200);
    c.send('GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBe(405);
    expect(JSON.parse(r.body).__type).toContain('UnknownOperationException');
    c.close();
  });

  test('a body over 1 MiB is refused with 413 by node:http', async () => {
    const c = new RawConnection();
    c.send(['POST / HTTP/1.1', 'Host: x', 'X-Amz-Target: SimpleWorkflowService.ListDomains', `Content-Length: ${1024 * 1024 + 1}`, '', ''].join('\r\n'));
    const r = await c.response();
    expect(r.status).toBe(413);
    c.close();
  });

  test('a control character in a header value is served (the one leniency: node:http would answer 400)', async () => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', { registrationStatus: 'DEPRECATED' }, ['X-Junk: a\x01b']));
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ domainInfos: [] });
    c.close();
  });

  test.each([
    ['a header line without a colon', 'NoColonHere'],
    ['a space inside a header name', 'Bad Name: x'],
    ['a folded header line', 'X-Folded: a\r\n  b'],
  ])('%s: answered 400 by node:http, never served', async (_name, line) => {
    const c = new RawConnection();
    c.send(swfRequest('ListDomains', LIST_DOMAINS, [line]));
    const r = await c.response();
    expect(r.status).toBe(400);
    c.close();
  });
});

describe('parseHead', () => {
  const base = ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 2'];
  const parse = (lines: string[]) => parseHead(lines.join('\r\n'), 100);

  test('names are lower-cased, values trimmed, order kept', () => {
    expect(parse([...base, 'X-Amz-Target:  SimpleWorkflowService.ListDomains  '])).toEqual({
      method: 'POST',
      url: '/',
      names: ['host', 'content-length', 'x-amz-target'],
      values: ['x', '2', 'SimpleWorkflowService.ListDomains'],
      contentLength: 2,
      keepAlive: true,
      bodyStart: 0,
    });
  });

  test.each([
    ['another method', ['GET / HTTP/1.1', 'Host: x', 'Content-Length: 2']],
    ['HTTP/2', ['POST / HTTP/2.0', 'Content-Length: 2']],
    ['no Content-Length', ['POST / HTTP/1.1', 'Host: x']],
    ['a signed Content-Length', ['POST / HTTP/1.1', 'Content-Length: +2']],
    ['a body over the limit', ['POST / HTTP/1.1', 'Content-Length: 101']],
    ['Transfer-Encoding', [...base, 'Transfer-Encoding: chunked']],
    ['Expect', [...base, 'Expect: 100-continue']],
    ['Upgrade', [...base, 'Upgrade: h2c']],
    ['a repeated name in another case', [...base, 'host: y']],
    ['a lone LF inside a line', [...base, 'X-A: a\nb']],
    ['a lone CR at the end', [...base, 'X-A: a\r']],
    ['an empty name', [...base, ': v']],
    ['a non-ASCII name', [...base, 'Nämé: v']],
  ])('declines %s', (_name, lines) => {
    expect(parse(lines)).toBeUndefined();
  });

  test('a header named like an Object member is just a header', () => {
    expect(parse([...base, '__proto__: x', 'constructor: y'])?.names).toEqual(['host', 'content-length', '__proto__', 'constructor']);
  });

  test('Connection tokens decide keep-alive by version', () => {
    expect(parse([...base, 'Connection: Keep-Alive, Close'])?.keepAlive).toBe(false);
    expect(parse(['POST / HTTP/1.0', 'Content-Length: 2'])?.keepAlive).toBe(false);
    expect(parse(['POST / HTTP/1.0', 'Content-Length: 2', 'Connection: keep-alive'])?.keepAlive).toBe(true);
  });

  test('values may hold tabs and bytes from 128 up (latin1), as node:http allows', () => {
    expect(parse([...base, 'User-Agent: a\tb \xe9'])?.values[2]).toBe('a\tb \xe9');
  });
});
