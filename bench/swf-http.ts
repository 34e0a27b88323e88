/**
 * A minimal AWS JSON 1.0 client for the benchmark driver: node:http with a keep-alive agent and
 * request bodies the caller has already serialized.
 *
 * Why not @aws-sdk/client-swf: the driver shares a 2-core machine with the engine, and the SDK
 * spends far more CPU per call (middleware stack, SigV4 signing, (de)serialization of the whole
 * shape) than the engine does. A driver that saturates its own core first would measure the
 * driver, not the engine. Raw HTTP keeps the per-call driver cost to a few tens of microseconds,
 * and the wire traffic is the same JSON the SDK sends (minus the SigV4 Authorization header,
 * which swf-local only reads for the region).
 */
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';

const CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface SwfReply {
  status: number;
  text: string;
  /** process.hrtime.bigint() when the request was handed to node:http. */
  sentAt: bigint;
  /** process.hrtime.bigint() when the whole response body had arrived. */
  receivedAt: bigint;
}

export class SwfError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(`${operation}: HTTP ${status} ${type}: ${message}`);
  }
}

export class SwfHttp {
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, keepAliveMsecs: 30_000 });
  /** Completed calls (any status). */
  calls = 0;
  private readonly headers = new Map<string, OutgoingHttpHeaders>();

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Sends `body` (JSON text) to `operation`; resolves on 200, rejects with SwfError otherwise. */
  call(operation: string, body: string, onSent?: (at: bigint) => void): Promise<SwfReply> {
    let base = this.headers.get(operation);
    if (!base) {
      base = { 'Content-Type': CONTENT_TYPE, 'X-Amz-Target': `SimpleWorkflowService.${operation}` };
      this.headers.set(operation, base);
    }
    return new Promise<SwfReply>((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: { ...base, 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const receivedAt = process.hrtime.bigint();
            this.calls++;
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status !== 200) {
              let type = 'Unknown';
              let message = text;
              try {
                const parsed = JSON.parse(text) as { __type?: string; message?: string };
                type = parsed.__type ?? type;
                message = parsed.message ?? text;
              } catch {
                /* not JSON */
              }
              reject(new SwfError(operation, status, type, message));
              return;
            }
            resolve({ status, text, sentAt, receivedAt });
          });
        },
      );
      req.on('error', reject);
      const sentAt = process.hrtime.bigint();
      onSent?.(sentAt);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
