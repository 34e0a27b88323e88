/**
 * What a lone call costs an HTTP server in node before any SWF work: `npm run bench:http-floor`.
 *
 * Two toy servers answer every request with a small JSON body after parsing the request's: one on
 * node:http (what swf-local uses), one on a bare `net` socket with a minimal HTTP/1.1 framing. A
 * Python client (bench/http_floor_client.py) sends boto3's headers one call at a time with boto3's
 * own CPU time between calls, so each call wakes an idle server, as under bench:engine:boto3. The
 * figure is the server's CPU time per call (/proc), the floor under swf-local's 0.2 ms target.
 * Runs alternate A B A B; BENCH_FLOOR_CALLS (default 10000) per run.
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSplitMs } from './proc-stats';

const CALLS = Number(process.env.BENCH_FLOOR_CALLS ?? 10_000);
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';
const CLIENT = join(__dirname, 'http_floor_client.py');

/** The two servers, as programs for `node -e`: each prints its port. */
const SERVERS: Record<string, string> = {
  'node:http': `
    const http = require('http');
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        const out = JSON.stringify({ ok: true, echo: body.domain ?? null, taskToken: 'x'.repeat(60) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': '0123456789abcdef', 'content-length': Buffer.byteLength(out) });
        res.end(out);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`,
  'bare net': `
    const net = require('net');
    const server = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          const end = buf.indexOf('\\r\\n\\r\\n');
          if (end < 0) return;
          const m = /\\r\\ncontent-length:\\s*(\\d+)/i.exec(buf.toString('latin1', 0, end));
          const len = m ? Number(m[1]) : 0;
          if (buf.length < end + 4 + len) return;
          const body = JSON.parse(buf.toString('utf8', end + 4, end + 4 + len) || '{}');
          buf = buf.subarray(end + 4 + len);
          const out = JSON.stringify({ ok: true, echo: body.domain ?? null, taskToken: 'x'.repeat(60) });
          sock.write('HTTP/1.1 200 OK\\r\\ncontent-type: application/x-amz-json-1.0\\r\\nx-amzn-requestid: 0123456789abcdef\\r\\ncontent-length: ' + Buffer.byteLength(out) + '\\r\\n\\r\\n' + out);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`,
};

async function measure(kind: string): Promise<{ user: number; system: number }> {
  const child = spawn(process.execPath, ['-e', SERVERS[kind]!], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const port = line.trim();
    execFileSync(PYTHON, [CLIENT, port, String(Math.ceil(CALLS / 5))]); // warm-up
    const before = cpuSplitMs(child.pid!);
    execFileSync(PYTHON, [CLIENT, port, String(CALLS)]);
    const after = cpuSplitMs(child.pid!);
    return { user: (after.user - before.user) / CALLS, system: (after.system - before.system) / CALLS };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  console.log(`bench:http-floor: ${CALLS} lone calls per run, boto3's headers, server CPU per call (/proc)`);
  console.log('| server | CPU per call | user | kernel |');
  console.log('|---|---|---|---|');
  for (const kind of [...Object.keys(SERVERS), ...Object.keys(SERVERS)]) {
    const { user, system } = await measure(kind);
    console.log(`| ${kind} | ${(user + system).toFixed(3)} ms | ${user.toFixed(3)} ms | ${system.toFixed(3)} ms |`);
  }
}

main().catch((error: unknown) => {
  console.error('bench:http-floor failed:', error);
  process.exit(1);
});
