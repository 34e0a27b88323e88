/**
 * Loaded into the engine process by bench/engine.ts (`node --import tsx --import ./bench/engine-probe.ts`).
 * It changes no behaviour; it observes:
 *   - garbage-collection pauses (PerformanceObserver 'gc'),
 *   - the duration of every better-sqlite3 transaction (the engine's `core.run`: the handler's
 *     work inside BEGIN..COMMIT, including the COMMIT's WAL writes and any auto-checkpoint).
 * On SIGUSR2 it prints the figures gathered since the previous SIGUSR2 as one stderr line,
 * `swf-bench-probe {...}`, and starts a new window.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const BUCKET_US = 10;
const BUCKETS = 20_000; // 0..200 ms in 10 us steps; longer ones land in the last bucket

interface Window {
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
  gcMajorCount: number;
  gcMajorMs: number;
  txCount: number;
  txMs: number;
  txMaxMs: number;
  txHist: Uint32Array;
}

function freshWindow(): Window {
  return { gcCount: 0, gcMs: 0, gcMaxMs: 0, gcMajorCount: 0, gcMajorMs: 0, txCount: 0, txMs: 0, txMaxMs: 0, txHist: new Uint32Array(BUCKETS) };
}

let w = freshWindow();

// NODE_PERFORMANCE_GC_MAJOR = 4 (flags in detail.kind)
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    w.gcCount++;
    w.gcMs += e.duration;
    if (e.duration > w.gcMaxMs) w.gcMaxMs = e.duration;
    if (e.detail?.kind === 4) {
      w.gcMajorCount++;
      w.gcMajorMs += e.duration;
    }
  }
});
observer.observe({ entryTypes: ['gc'] });

function recordTx(ns: bigint): void {
  const ms = Number(ns) / 1e6;
  w.txCount++;
  w.txMs += ms;
  if (ms > w.txMaxMs) w.txMaxMs = ms;
  w.txHist[Math.min(BUCKETS - 1, Math.floor((ms * 1000) / BUCKET_US))]!++;
}

function histPercentile(h: Uint32Array, n: number, p: number): number {
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return ((i + 1) * BUCKET_US) / 1000;
  }
  return NaN;
}

function countOver(h: Uint32Array, ms: number): number {
  let n = 0;
  for (let i = Math.floor((ms * 1000) / BUCKET_US); i < h.length; i++) n += h[i]!;
  return n;
}

// Wrap better-sqlite3's transaction(): the engine resolves the same module from its cwd.
try {
  const requireFromEngine = createRequire(join(process.cwd(), 'package.json'));
  const Database = requireFromEngine('better-sqlite3') as { prototype: { transaction: (fn: (...a: unknown[]) => unknown) => unknown } };
  const original = Database.prototype.transaction;
  Database.prototype.transaction = function (this: unknown, fn: (...a: unknown[]) => unknown) {
    const txn = original.call(this, fn) as ((...a: unknown[]) => unknown) & Record<string, unknown>;
    const time = (run: (...a: unknown[]) => unknown) =>
      function (this: unknown, ...args: unknown[]) {
        const start = process.hrtime.bigint();
        try {
          return run.apply(this, args);
        } finally {
          recordTx(process.hrtime.bigint() - start);
        }
      };
    // The engine runs its calls through `.immediate`: the variants better-sqlite3 attaches are
    // timed too (a nested call runs as a savepoint inside the outer one and is counted again).
    const timed = time(txn) as unknown as Record<string, unknown>;
    for (const variant of ['deferred', 'immediate', 'exclusive'] as const) timed[variant] = time(txn[variant] as (...a: unknown[]) => unknown);
    timed.default = time(txn.default as (...a: unknown[]) => unknown);
    timed.database = txn.database;
    return timed;
  };
} catch (error) {
  process.stderr.write(`swf-bench-probe-error cannot wrap better-sqlite3: ${(error as Error).message}\n`);
}

process.on('SIGUSR2', () => {
  const h = w.txHist;
  const out = {
    gcCount: w.gcCount,
    gcMs: w.gcMs,
    gcMaxMs: w.gcMaxMs,
    gcMajorCount: w.gcMajorCount,
    gcMajorMs: w.gcMajorMs,
    txCount: w.txCount,
    txMs: w.txMs,
    txMaxMs: w.txMaxMs,
    txP50Ms: histPercentile(h, w.txCount, 50),
    txP99Ms: histPercentile(h, w.txCount, 99),
    txP999Ms: histPercentile(h, w.txCount, 99.9),
    txOver1Ms: countOver(h, 1),
    txOver5Ms: countOver(h, 5),
  };
  w = freshWindow();
  process.stderr.write(`swf-bench-probe ${JSON.stringify(out)}\n`);
});
