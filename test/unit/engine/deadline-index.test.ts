import { DeadlineIndex, deadlineKey, parseDeadlineKey } from '../../../lib/engine/timers/deadline-index';
import { UndoJournal } from '../../../lib/engine/store/undo-journal';

/** Drains the index in firing order. */
function drain(index: DeadlineIndex): string[] {
  const out: string[] = [];
  for (let d = index.first(); d; d = index.first()) {
    out.push(`${d.executionId}:${d.kind}:${d.ref}@${d.due}`);
    index.clear(d.executionId, d.kind, d.ref);
  }
  return out;
}

test('fires earliest first; schedule-to-close first among equal due times; moving a deadline re-sorts it', () => {
  const index = new DeadlineIndex();
  index.set(1, 'TIMER', 7, 500);
  index.set(2, 'ACTIVITY_START_TO_CLOSE', 5, 300);
  index.set(2, 'ACTIVITY_SCHEDULE_TO_CLOSE', 5, 300);
  index.set(3, 'EXECUTION', 0, 100);
  index.set(1, 'DECISION_START_TO_CLOSE', 2, 900);
  index.set(1, 'TIMER', 7, 50); // re-armed earlier
  index.set(3, 'ACTIVITY_HEARTBEAT', 4, 1000);
  index.clear(3, 'ACTIVITY_HEARTBEAT', 4);
  expect(index.size).toBe(5);
  expect(drain(index)).toEqual([
    '1:TIMER:7@50',
    '3:EXECUTION:0@100',
    '2:ACTIVITY_SCHEDULE_TO_CLOSE:5@300',
    '2:ACTIVITY_START_TO_CLOSE:5@300',
    '1:DECISION_START_TO_CLOSE:2@900',
  ]);
});

test('a rolled-back transaction leaves the index as it was', () => {
  const tx = new UndoJournal();
  const index = new DeadlineIndex(tx);
  index.set(1, 'TIMER', 1, 10);
  index.set(2, 'TIMER', 1, 20);
  tx.begin();
  index.set(1, 'TIMER', 1, 99);
  index.clearRun(2);
  index.set(3, 'EXECUTION', 0, 5);
  tx.rollback();
  expect(drain(index)).toEqual(['1:TIMER:1@10', '2:TIMER:1@20']);
});

test('stays a heap through many random changes', () => {
  const index = new DeadlineIndex();
  const expected = new Map<string, number>();
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let i = 0; i < 5000; i++) {
    const run = rand(50);
    const ref = rand(4);
    if (rand(3) === 0) {
      index.clear(run, 'TIMER', ref);
      expected.delete(`${run}:${ref}`);
    } else {
      const due = rand(10_000);
      index.set(run, 'TIMER', ref, due);
      expected.set(`${run}:${ref}`, due);
    }
  }
  const dues = drain(index).map((s) => Number(s.split('@')[1]));
  expect(dues).toEqual([...expected.values()].sort((a, b) => a - b));
});

test('rebuilds from state documents; keys round-trip', () => {
  expect(parseDeadlineKey(deadlineKey('ACTIVITY_HEARTBEAT', 12))).toEqual({ kind: 'ACTIVITY_HEARTBEAT', ref: 12 });
  const index = new DeadlineIndex();
  index.rebuild([
    { executionId: 4, deadlines: { 'EXECUTION 0': 900, 'DECISION_START_TO_CLOSE 3': 200 } },
    { executionId: 5, deadlines: undefined },
  ]);
  expect(index.ofKind('DECISION_START_TO_CLOSE').map((d) => d.executionId)).toEqual([4]);
  expect(drain(index)).toEqual(['4:DECISION_START_TO_CLOSE:3@200', '4:EXECUTION:0@900']);
});

test("set and clear hand back the armed deadline, which carries its state-document name; same ref, other kind, other run stay apart", () => {
  const index = new DeadlineIndex();
  const armed = index.set(1, 'ACTIVITY_START_TO_CLOSE', 5, 100);
  expect(armed.key).toBe(deadlineKey('ACTIVITY_START_TO_CLOSE', 5));
  expect(index.set(1, 'ACTIVITY_START_TO_CLOSE', 5, 100)).toBe(armed);
  index.set(1, 'ACTIVITY_HEARTBEAT', 5, 50);
  index.set(2, 'ACTIVITY_START_TO_CLOSE', 5, 70);
  expect(index.set(1, 'ACTIVITY_START_TO_CLOSE', 5, 200).key).toBe(armed.key);
  expect(index.clear(1, 'ACTIVITY_HEARTBEAT', 5)?.due).toBe(50);
  expect(index.clear(1, 'ACTIVITY_HEARTBEAT', 5)).toBeUndefined();
  expect(drain(index)).toEqual(['2:ACTIVITY_START_TO_CLOSE:5@70', '1:ACTIVITY_START_TO_CLOSE:5@200']);
});

test("a run's deadlines as state-document JSON: what JSON.stringify would write", () => {
  const index = new DeadlineIndex();
  expect(index.documentOf(1)).toBe('{}');
  index.set(1, 'EXECUTION', 0, 1_796_314_007_645);
  index.set(1, 'ACTIVITY_HEARTBEAT', 12, 1_796_314_007_645.5);
  index.set(2, 'TIMER', 3, 5);
  index.set(1, 'TIMER', 9, Number.NaN);
  const doc = index.documentOf(1);
  expect(doc).toBe(JSON.stringify({ 'EXECUTION 0': 1_796_314_007_645, 'ACTIVITY_HEARTBEAT 12': 1_796_314_007_645.5, 'TIMER 9': Number.NaN }));
  expect(JSON.parse(doc)).toEqual({ 'EXECUTION 0': 1_796_314_007_645, 'ACTIVITY_HEARTBEAT 12': 1_796_314_007_645.5, 'TIMER 9': null });
});
