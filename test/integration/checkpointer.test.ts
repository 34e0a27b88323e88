/**
 * The WAL checkpointer copies committed pages into the database file from a thread of its own:
 * nothing on the engine's connection asks for a checkpoint.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { openDatabase, type CheckpointTuning, type EngineDatabase } from '../../lib/engine/store/database';

test('a megabyte written reaches the database file with no checkpoint asked for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const file = join(dir, 'engine.sqlite');
  const database = openDatabase(file);
  try {
    const sizeBefore = statSync(file).size;
    database.db.exec('CREATE TABLE probe (x); INSERT INTO probe VALUES (zeroblob(1048576))');
    for (let i = 0; i < 100 && statSync(file).size < sizeBefore + 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThanOrEqual(sizeBefore + 1024 * 1024);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});


/** The WAL header's checkpoint sequence number: SQLite adds one each time the WAL starts over. */
function walRestarts(file: string): number {
  const header = Buffer.alloc(32);
  const fd = openSync(`${file}-wal`, 'r');
  try {
    readSync(fd, header, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

// The steady-write loops below run for up to ten seconds on a loaded machine.
jest.setTimeout(30_000);

const insertRow = (db: EngineDatabase['db']) => db.transaction(() => db.prepare('INSERT INTO probe VALUES (zeroblob(2048))').run()).immediate();
const yieldBriefly = () => new Promise<void>((r) => setImmediate(r));

/** Opens a database in a fresh directory for `body`, with the checkpointer tuned as given. */
async function withDatabase(tuning: Partial<CheckpointTuning>, body: (database: EngineDatabase, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const file = join(dir, 'engine.sqlite');
  const database = openDatabase(file, { intervalMs: 5, restartBytes: 256 * 1024, ...tuning });
  try {
    database.db.exec('CREATE TABLE probe (x)');
    await body(database, file);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('asked by the checkpointer, the engine copies the last frames between two calls, and its next write starts the WAL over', () =>
  withDatabase({ forceRestartBytes: Infinity, engineWaitMs: 60_000 }, async (database, file) => {
    // Steady writes, yielding between them as the engine does between calls, until the engine
    // has been asked; the checkpointer waits for it meanwhile, so only the engine copies.
    const started = Date.now();
    while (database.walRestarts.byEngine === 0 && Date.now() - started < 10_000) {
      insertRow(database.db);
      await yieldBriefly();
    }
    expect(database.walRestarts).toEqual({ byEngine: 1, forced: 0 });
    const before = walRestarts(file);
    insertRow(database.db);
    expect(walRestarts(file)).toBe(before + 1);
  }));

test('writes outpacing the checkpointer: past a bound it restarts the WAL itself, making the writer wait', () =>
  // The engine is never asked (no restart size); only the bound can act.
  withDatabase({ restartBytes: Infinity, forceRestartBytes: 4 * 1024 * 1024 }, async (database, file) => {
    const first = walRestarts(file);
    const started = Date.now();
    while (database.walRestarts.forced < 2 && Date.now() - started < 10_000) {
      insertRow(database.db);
      await yieldBriefly();
    }
    expect(database.walRestarts.forced).toBeGreaterThanOrEqual(2);
    expect(database.walRestarts.byEngine).toBe(0);
    insertRow(database.db);
    expect(walRestarts(file)).toBeGreaterThan(first);
  }));

/**
 * Another thread writing to `file` for `ms`, yielding between batches as an engine would. Its
 * connection stays open until told to stop: closing it would checkpoint the WAL.
 */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const db = new (require('better-sqlite3'))(workerData.file);
const insert = db.prepare('INSERT INTO probe VALUES (zeroblob(2048))');
const write = db.transaction(() => insert.run());
const until = Date.now() + workerData.ms;
(function next() {
  if (Date.now() >= until) return;
  for (let i = 0; i < 50; i++) write.immediate();
  setImmediate(next);
})();
parentPort.once('message', () => db.close());
`;

test('an engine that does not answer only pauses the checkpointer: it copies on after a while', () =>
  withDatabase({ forceRestartBytes: Infinity, engineWaitMs: 50, catchUpFrames: Infinity }, async (database, file) => {
    await new Promise((r) => setTimeout(r, 100)); // the checkpointer is up
    // Another thread writes while this one, the engine's, waits without returning to the event
    // loop: the checkpointer asks the engine to finish a restart after its first round (no
    // catch-up rounds) and gets no answer.
    const writer = new Worker(WRITER, { eval: true, workerData: { file, ms: 600 } });
    const signal = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(signal, 0, 0, 2000);
    // Every page is in the database file: the checkpointer copied the last frames itself.
    const pages = database.db.pragma('page_count', { simple: true }) as number;
    expect(pages).toBeGreaterThan(1000);
    expect(statSync(file).size).toBe(pages * 4096);
    expect(database.walRestarts.byEngine).toBe(0);
    writer.postMessage('stop');
    await new Promise((r) => writer.once('exit', r));
  }));
