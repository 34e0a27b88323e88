/**
 * The store reads a run as one text value and its history as raw rows, writes a change's events
 * two to a statement, and keeps queued tasks and deadlines in memory by number: what goes in must
 * come back out unchanged.
 */
import { Execution } from '../../../lib/engine/execution/execution';
import { initialState } from '../../../lib/engine/execution/run-config';
import { IN_MEMORY, openDatabase, type EngineDatabase } from '../../../lib/engine/store/database';
import { ExecutionStore } from '../../../lib/engine/store/execution-store';
import { sequentialIds } from '../../../lib/engine/util/ids';

const T0 = 1_700_000_000_123;
const CONFIG = { executionStartToCloseTimeout: '3600', taskStartToCloseTimeout: '30', taskList: 'deciders', childPolicy: 'TERMINATE' as const };

let database: EngineDatabase;
let store: ExecutionStore;
beforeEach(() => {
  database = openDatabase(IN_MEMORY);
  store = new ExecutionStore(database.db);
});
afterEach(() => database.close());

/** A new run, started: its row, first events and state, saved. */
function startRun(workflowId: string, tagList?: string[], parent?: { workflowId: string; runId: string }): Execution {
  const id = store.insert(1, workflowId, `run "${workflowId}"`, { name: 'Flow \u00e9', version: '1' }, T0, tagList, parent);
  const state = initialState(CONFIG);
  const exec = new Execution(
    { id, domainId: 1, workflowId, runId: `run "${workflowId}"`, workflowType: { name: 'Flow \u00e9', version: '1' }, status: 'OPEN', startedAt: T0, tagList, parent, state },
    T0,
    sequentialIds('t'),
  );
  exec.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: exec.record.workflowType, input: 'a "quoted"\n\u2028 input' });
  store.save(exec);
  return exec;
}

/** What a JSON document would keep of `value` (undefined members left out). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

test('a run reads back as it was saved, by id, by run and as the open run, open and closed alike', () => {
  const odd = 'wf "quoted" \\ \u00e9\u{1F600}';
  const exec = startRun(odd, ['t1', 't "2"'], { workflowId: 'parent', runId: 'p-run' });
  const id = exec.record.id;
  // The state document's deadlines are written from the deadline index, not from the record.
  const saved = plain({ ...exec.record, state: { ...exec.record.state, deadlines: { 'EXECUTION 0': T0 + 3_600_000 } } });
  expect(plain(store.load(id))).toEqual(saved);
  expect(plain(store.findRun(1, odd, `run "${odd}"`))).toEqual(saved);
  expect(plain(store.findOpen(1, odd))).toEqual(saved);

  const closing = new Execution(store.load(id)!, T0 + 1000.5, sequentialIds('c'));
  closing.terminate('why', undefined, 'TERMINATE', undefined);
  store.save(closing);
  const closed = store.load(id)!;
  expect([closed.status, closed.closeStatus, closed.closedAt, closed.startedAt]).toEqual(['CLOSED', 'TERMINATED', T0 + 1000.5, T0]);
  expect([closed.tagList, closed.parent]).toEqual([['t1', 't "2"'], { workflowId: 'parent', runId: 'p-run' }]);
  expect(store.findOpen(1, odd)).toBeUndefined();
  expect(store.load(id + 1)).toBeUndefined();
});

test('every record has the same properties in the same order, whatever is set', () => {
  const bare = store.load(startRun('bare').record.id)!;
  const full = store.load(startRun('full', ['t'], { workflowId: 'p', runId: 'r' }).record.id)!;
  expect(Object.keys(bare)).toEqual(Object.keys(full));
  expect([bare.tagList, bare.parent, bare.closeStatus, bare.closedAt]).toEqual([undefined, undefined, undefined, undefined]);
});

test('the state document lists exactly the armed deadlines after each change, as the index holds them', () => {
  const exec = startRun('deadlines');
  const id = exec.record.id;
  const claim = new Execution(store.load(id)!, T0 + 10, sequentialIds('d'));
  claim.claimDecision('decider');
  store.save(claim);
  const stored = () => (JSON.parse(database.db.prepare('SELECT state FROM executions WHERE id = ?').pluck().get(id) as string) as { deadlines: unknown }).deadlines;
  expect(stored()).toEqual({ 'EXECUTION 0': T0 + 3_600_000, 'DECISION_START_TO_CLOSE 2': T0 + 10 + 30_000 });
  const done = new Execution(store.load(id)!, T0 + 20, sequentialIds('e'));
  done.completeDecision({ scheduledEventId: 2, startedEventId: 3 });
  store.save(done);
  expect(stored()).toEqual({ 'EXECUTION 0': T0 + 3_600_000 });
  // Rebuilt from the documents, as at start-up, the index holds the same.
  const reopened = new ExecutionStore(database.db);
  expect([reopened.deadlines.size, reopened.deadlines.first()]).toEqual([1, expect.objectContaining({ executionId: id, kind: 'EXECUTION', due: T0 + 3_600_000 })]);
});

test("a change's events are all written, in order, however many there are", () => {
  const exec = startRun('events');
  const id = exec.record.id;
  for (const count of [1, 2, 3, 4, 5]) {
    const e = new Execution(store.load(id)!, T0 + count, sequentialIds(`s${count}`));
    for (let i = 0; i < count; i++) e.signal({ signalName: `s${count}.${i}`, externalInitiatedEventId: 0 });
    store.save(e);
  }
  const rows = store.history(id, 1, 1000, false);
  expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => i + 1));
  const signals = rows.filter((r) => r[1] === 'WorkflowExecutionSignaled').map((r) => (JSON.parse(r[3]) as { signalName: string }).signalName);
  expect(signals).toEqual([1, 2, 3, 4, 5].flatMap((n) => Array.from({ length: n }, (_, i) => `s${n}.${i}`)));
  expect(store.history(id, 1, 1000, true).map((r) => r[0])).toEqual(rows.map((r) => r[0]).reverse());
});

test('open runs are counted per domain in memory: starts, closes, rollbacks and a restart', () => {
  const a = startRun('count-a');
  startRun('count-b');
  expect([store.countOpen(1), store.countOpen(2)]).toEqual([2, 0]);

  // A start, then a close, each inside a transaction that rolls back: the count goes back.
  store.journal.begin();
  startRun('count-rolled-back');
  expect(store.countOpen(1)).toBe(3);
  store.journal.rollback();
  expect(store.countOpen(1)).toBe(2);
  store.journal.begin();
  const closing = new Execution(store.load(a.record.id)!, T0 + 10, sequentialIds('r'));
  closing.terminate('why', undefined, 'TERMINATE', undefined);
  store.save(closing);
  expect(store.countOpen(1)).toBe(1);
  store.journal.rollback();
  expect(store.countOpen(1)).toBe(2);

  // Rebuilt from the rows at start-up. Only the journal was rolled back above, not SQLite, so the
  // rows now say 3 open runs less the closed one: a new store must count what the rows say.
  const rows = database.db.prepare(`SELECT count(*) FROM executions WHERE domain_id = 1 AND status = 'OPEN'`).pluck().get();
  expect(rows).toBe(2);
  expect(new ExecutionStore(database.db).countOpen(1)).toBe(2);
});
