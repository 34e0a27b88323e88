/**
 * Schema 4 moves an open run's deadlines from the deadlines table into its state document, from
 * which the engine rebuilds them in memory: a database written by an older engine keeps every
 * armed deadline, and closed runs keep their retention rows.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../lib/engine/store/database';
import { ExecutionStore } from '../../lib/engine/store/execution-store';
import { MIGRATIONS } from '../../lib/engine/store/migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'swf-deadline-migration-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a schema-3 database: open runs get their deadlines in their state, closed runs keep retention rows', async () => {
  const file = join(dir, 'swf.sqlite');
  const old = new Database(file);
  for (let v = 0; v < 3; v++) old.exec(MIGRATIONS[v]!);
  old.pragma('user_version = 3');
  old.exec(`INSERT INTO domains (id, region, name, status, retention, created_at) VALUES (1, 'us-east-1', 'd', 'REGISTERED', '1', 0)`);
  const state = JSON.stringify({ nextEventId: 4, decision: null, activities: {}, timers: {} });
  const insertRun = old.prepare(
    `INSERT INTO executions (id, domain_id, workflow_id, run_id, type_name, type_version, status, started_at, state) VALUES (?, 1, ?, ?, 't', '1', ?, 0, ?)`,
  );
  insertRun.run(1, 'open', 'r1', 'OPEN', state);
  insertRun.run(2, 'closed', 'r2', 'CLOSED', state);
  insertRun.run(3, 'idle', 'r3', 'OPEN', state);
  const deadline = old.prepare('INSERT INTO deadlines (execution_id, kind, ref, due) VALUES (?, ?, ?, ?)');
  deadline.run(1, 'EXECUTION', 0, 9_000.5);
  deadline.run(1, 'DECISION_START_TO_CLOSE', 3, 2_000);
  deadline.run(2, 'RETENTION', 0, 5_000);
  old.close();

  const { db, close } = openDatabase(file);
  try {
    const states = db.prepare('SELECT id, state FROM executions ORDER BY id').all() as { id: number; state: string }[];
    expect(JSON.parse(states[0]!.state).deadlines).toEqual({ 'EXECUTION 0': 9_000.5, 'DECISION_START_TO_CLOSE 3': 2_000 });
    expect(JSON.parse(states[0]!.state).nextEventId).toBe(4);
    expect(JSON.parse(states[2]!.state).deadlines).toBeUndefined();
    expect(db.prepare('SELECT execution_id, kind FROM deadlines').all()).toEqual([{ execution_id: 2, kind: 'RETENTION' }]);

    const store = new ExecutionStore(db);
    expect(store.deadlines.size).toBe(2);
    expect(store.deadlines.first()).toMatchObject({ executionId: 1, kind: 'DECISION_START_TO_CLOSE', ref: 3, due: 2_000 });
    expect(store.nextDeadline()).toBe(2_000);
    expect(store.dueRetentions(6_000, 10)).toEqual([{ execution_id: 2, due: 5_000 }]);
  } finally {
    await close();
  }
});
