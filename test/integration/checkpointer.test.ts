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
