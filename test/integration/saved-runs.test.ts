/**
 * The store keeps open runs parsed as their last save wrote them, so a load skips the row read.
 * What a caller does to a loaded record must reach later loads only through a committed save.
 */
import { openDatabase, IN_MEMORY, type EngineDatabase } from '../../lib/engine/store/database';
import { ExecutionStore } from '../../lib/engine/store/execution-store';
import { Execution } from '../../lib/engine/execution/execution';
import type { ExecutionRecord } from '../../lib/engine/execution/state';
import { sequentialIds } from '../../lib/engine/util/ids';

let engineDb: EngineDatabase;
let store: ExecutionStore;
let id: number;

const STATE = { nextEventId: 1, lastEventTime: 0, decision: null, pendingDecision: null, activities: {}, timers: {}, children: {}, lambdas: {}, cancelRequested: false };

/** A run's record as SQLite has it, bypassing the store's saved records. */
function fromDisk(): ExecutionRecord {
  return store.findRun(1, 'w', 'r')!;
}

/** `fn` inside a transaction, as the engine runs every call: the store's memory follows SQLite. */
function inTx(fn: () => void): void {
  store.journal.begin();
  try {
    engineDb.db.transaction(fn)();
  } catch (error) {
    store.journal.rollback();
    throw error;
  }
  store.journal.commit();
}

function saveWith(record: ExecutionRecord, change: (r: ExecutionRecord) => void): void {
  const exec = new Execution(record, 1000, sequentialIds());
  change(record);
  store.save(exec);
}

beforeEach(() => {
  engineDb = openDatabase(IN_MEMORY);
  engineDb.db.exec(`INSERT INTO domains (id, region, name, status, retention, created_at) VALUES (1, 'us-east-1', 'd', 'REGISTERED', '1', 0)`);
  store = new ExecutionStore(engineDb.db);
  inTx(() => {
    id = store.insert(1, 'w', 'r', { name: 't', version: '1' }, 0, undefined, undefined);
    saveWith(store.load(id)!, (r) => Object.assign(r.state, structuredClone(STATE)));
  });
});
afterEach(() => engineDb.close());

test('a committed save is what the next load returns, equal to the row', () => {
  inTx(() => saveWith(store.load(id)!, (r) => (r.state.latestExecutionContext = 'one')));
  const loaded = store.load(id)!;
  expect(loaded.state.latestExecutionContext).toBe('one');
  expect(loaded).toEqual(fromDisk());
});

test('a rolled-back save leaves no trace in later loads', () => {
  expect(() =>
    inTx(() => {
      saveWith(store.load(id)!, (r) => (r.state.latestExecutionContext = 'rolled back'));
      throw new Error('the call failed');
    }),
  ).toThrow('the call failed');
  expect(store.load(id)!.state.latestExecutionContext).toBeUndefined();
});

test('a record changed but not saved is not handed out again', () => {
  inTx(() => saveWith(store.load(id)!, (r) => (r.state.latestExecutionContext = 'saved')));
  store.load(id)!.state.latestExecutionContext = 'not saved';
  expect(store.load(id)!.state.latestExecutionContext).toBe('saved');
});
