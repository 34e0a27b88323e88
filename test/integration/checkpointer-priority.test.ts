/**
 * The WAL checkpointer runs on a thread of its own at a lower priority (nice 10), so that on busy
 * CPUs API calls go first. Linux keeps a nice value per thread; this reads them from /proc.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../lib/engine/store/database';

/** Nice value of each thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

const linux = existsSync('/proc/self/task');

(linux ? test : test.skip)('only the checkpointer thread is niced, and it checkpoints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swf-ckpt-'));
  const before = threadNiceValues().filter((n) => n === 10).length;
  const database = openDatabase(join(dir, 'engine.sqlite'));
  try {
    let niced = 0;
    for (let i = 0; i < 100 && niced === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      niced = threadNiceValues().filter((n) => n === 10).length - before;
    }
    expect(niced).toBe(1);
    expect(threadNiceValues().filter((n) => n === 0).length).toBeGreaterThan(0);
    // It still does its job: a megabyte written reaches the database file with no checkpoint
    // asked for on the engine's connection.
    const file = join(dir, 'engine.sqlite');
    const sizeBefore = statSync(file).size;
    database.db.exec("CREATE TABLE probe (x); INSERT INTO probe VALUES (zeroblob(1048576))");
    for (let i = 0; i < 100 && statSync(file).size < sizeBefore + 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThanOrEqual(sizeBefore + 1024 * 1024);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
