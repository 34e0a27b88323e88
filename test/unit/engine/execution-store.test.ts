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

test('a run reads back as it was saved, by id, by run and as the open run, open and closed alike', () => {
  const odd = 'wf "quoted" \\ \u00e9\u{1F600}';
  const exec = startRun(odd, ['t1', 't "2"'], { workflowId: 'parent', runId: 'p-run' });
  const id = exec.record.id;
  const saved = JSON.parse(JSON.stringify(exec.record)) as unknown;
  expect(JSON.parse(JSON.stringify(store.load(id)))).toEqual(saved);
  expect(JSON.parse(JSON.stringify(store.findRun(1, odd, `run "${odd}"`)))).toEqual(saved);
  expect(JSON.parse(JSON.stringify(store.findOpen(1, odd)))).toEqual(saved);
  expect(store.load(id)!.state.deadlines).toEqual({ 'EXECUTION 0': T0 + 3_600_000 });

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
  const plain = store.load(startRun('plain').record.id)!;
  const full = store.load(startRun('full', ['t'], { workflowId: 'p', runId: 'r' }).record.id)!;
  expect(Object.keys(plain)).toEqual(Object.keys(full));
  expect([plain.tagList, plain.parent, plain.closeStatus, plain.closedAt]).toEqual([undefined, undefined, undefined, undefined]);
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
