/**
 * Bad requests over raw sockets: malformed JSON, a truncated body, an oversized body, a request
 * sent one byte at a time, and bytes that are not HTTP at all. The engine must answer each with a
 * 4xx (or, for a request that never finishes, simply close), never a 5xx, and keep serving.
 */
import { connect } from 'node:net';
import { sleep } from './pollers';

export type BadRequestKind = 'malformed-json' | 'truncated-body' | 'oversized-body' | 'slow-request' | 'not-http' | 'unknown-operation';
export const BAD_REQUEST_KINDS: readonly BadRequestKind[] = ['malformed-json', 'truncated-body', 'oversized-body', 'slow-request', 'not-http', 'unknown-operation'];

export interface BadRequestOutcome {
  kind: BadRequestKind;
  /** The HTTP status answered, or undefined when the connection closed without an answer. */
  status?: number;
  /** What was wrong with the answer, if anything. */
  problem?: string;
}

function request(target: string, body: string, extraHeaders = ''): string {
  return (
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: SimpleWorkflowService.${target}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extraHeaders}\r\n${body}`
  );
}

/** Sends `chunks` (pausing `gapMs` between them, then half-closing if told) and reads the status line. */
function exchange(port: number, chunks: (string | Buffer)[], gapMs: number, timeoutMs: number, halfClose = false): Promise<{ status?: number; text: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (b) => (text += b.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ ...(m ? { status: Number(m[1]) } : {}), text });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs > 0) await sleep(gapMs);
      }
      if (halfClose) socket.end();
    });
  });
}

/** One bad request of `kind`; `slowGapMs` paces the byte-at-a-time request. */
export async function sendBadRequest(port: number, kind: BadRequestKind, slowGapMs = 5): Promise<BadRequestOutcome> {
  const judge = (status: number | undefined, expect: (s: number | undefined) => string | undefined): BadRequestOutcome => {
    const problem = expect(status);
    return { kind, ...(status !== undefined ? { status } : {}), ...(problem ? { problem } : {}) };
  };
  const is4xx = (s: number | undefined) => (s !== undefined && s >= 400 && s < 500 ? undefined : `expected a 4xx, got ${s ?? 'no answer'}`);
  switch (kind) {
    case 'malformed-json':
      return judge((await exchange(port, [request('ListDomains', '{"registrationStatus": "REGIST')], 0, 10_000)).status, is4xx);
    case 'unknown-operation':
      return judge((await exchange(port, [request('DropAllTables', '{}')], 0, 10_000)).status, is4xx);
    case 'oversized-body': {
      const body = `{"domain":"${'x'.repeat(2 * 1024 * 1024)}"}`;
      return judge((await exchange(port, [request('DescribeDomain', body)], 0, 20_000)).status, (s) => (s === undefined || s === 413 ? undefined : `expected 413 or a closed connection, got ${s}`));
    }
    case 'truncated-body': {
      // Declares 100 bytes, sends 10, then half-closes: the request can never complete.
      const head = request('ListDomains', '').replace('Content-Length: 0', 'Content-Length: 100');
      const answer = await exchange(port, [head + '{"registra'], 0, 10_000, true);
      return judge(answer.status, (s) => (s === undefined || (s >= 400 && s < 500) ? undefined : `expected a 4xx or a closed connection, got ${s}`));
    }
    case 'slow-request': {
      const whole = Buffer.from(request('ListDomains', '{"registrationStatus":"REGISTERED"}'));
      const bytes = [...whole].map((b) => Buffer.from([b]));
      const answer = await exchange(port, bytes, slowGapMs, 60_000);
      return judge(answer.status, (s) => (s === 200 && answer.text.includes('domainInfos') ? undefined : `expected 200 with domainInfos, got ${s ?? 'no answer'}`));
    }
    case 'not-http':
      return judge((await exchange(port, [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x00, 0x01]), 'garbage\r\n\r\n'], 0, 10_000)).status, (s) =>
        s === undefined || (s >= 400 && s < 500) ? undefined : `expected a 4xx or a closed connection, got ${s}`,
      );
    default: {
      const unknown: never = kind;
      throw new Error(`unknown bad request kind ${String(unknown)}`);
    }
  }
}
