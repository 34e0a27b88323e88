/**
 * The WAL checkpointer copies committed pages into the database file from a thread of its own:
 * nothing on the engine's connection asks for a checkpoint.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../lib/engine/store/database';

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

type Db = ReturnType<typeof openDatabase>['db'];

const walBytes = (file: string) => statSync(`${file}-wal`).size;

/**
 * Writes for two seconds without a pause long enough for a PASSIVE round to copy everything
 * (which would let the WAL start over with no help); `between` runs after every transaction.
 * Returns the WAL bytes written (a transaction's frames: its row's page and the header page).
 */
async function writeSteadily(db: Db, between: () => Promise<void> | void): Promise<number> {
  const started = Date.now();
  let frames = 0;
  while (Date.now() - started < 2000) {
    // Prepared each time: that work paces the writes at about what the engine writes at full load.
    db.transaction(() => db.prepare('INSERT INTO probe VALUES (zeroblob(2048))').run()).immediate();
    frames += 2;
    await between();
  }
  return frames * (4096 + 24);
}

test('under steady writes the WAL starts over: the engine copies the last frames between two calls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const file = join(dir, 'engine.sqlite');
  const database = openDatabase(file, {
    intervalMs: 5,
    restartBytes: 1024 * 1024,
    forceRestartBytes: Infinity,
    engineWaitMs: 60_000,
  });
  try {
    database.db.exec('CREATE TABLE probe (x)');
    // Yields to the event loop between transactions, as the engine does between calls, but only
    // for as long as a setImmediate takes.
    const written = await writeSteadily(database.db, () => new Promise((r) => setImmediate(r)));
    // The WAL file never shrinks, so its size is the most it ever held: without a restart, all
    // that was written (about a tenth of it with restarts). The checkpointer was told never to
    // force one, so the engine's own checkpoints started it over.
    expect(walBytes(file)).toBeLessThan(written / 4);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writes outpacing the checkpointer: it restarts the WAL itself once the WAL passes a bound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const file = join(dir, 'engine.sqlite');
  // The engine is never asked (its message would wait a minute); only the bound can act.
  const database = openDatabase(file, { intervalMs: 5, restartBytes: Infinity, forceRestartBytes: 4 * 1024 * 1024 });
  try {
    database.db.exec('CREATE TABLE probe (x)');
    const written = await writeSteadily(database.db, () => new Promise((r) => setImmediate(r)));
    expect(walBytes(file)).toBeLessThan(written / 4);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an engine that never yields still gets its WAL started over: the checkpointer stops waiting for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const file = join(dir, 'engine.sqlite');
  const database = openDatabase(file, { intervalMs: 5, restartBytes: 1024 * 1024, forceRestartBytes: Infinity, engineWaitMs: 50 });
  try {
    database.db.exec('CREATE TABLE probe (x)');
    await new Promise((r) => setTimeout(r, 100)); // the checkpointer is up
    // Never returns to the event loop, so the checkpointer's message never reaches this thread;
    // the short pauses let its RESTART take the write lock, as calls arriving apart would.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const written = await writeSteadily(database.db, () => void Atomics.wait(pause, 0, 0, 0.2));
    expect(walBytes(file)).toBeLessThan(written / 4);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
