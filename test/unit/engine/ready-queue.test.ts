import { ReadyQueue } from '../../../lib/engine/store/ready-queue';
import { UndoJournal } from '../../../lib/engine/store/undo-journal';

const task = (executionId: number, scheduledEventId: number, priority = 0, taskList = 'tl') => ({
  domainId: 1,
  kind: 'activity' as const,
  taskList,
  priority,
  executionId,
  scheduledEventId,
});

test('highest priority first, then oldest', () => {
  const q = new ReadyQueue();
  q.add(task(1, 5));
  q.add(task(2, 5, 3));
  q.add(task(3, 5));
  q.add(task(4, 5, 3));
  const order: number[] = [];
  for (let head = q.head(1, 'activity', 'tl'); head; head = q.head(1, 'activity', 'tl')) {
    order.push(head.executionId);
    q.take(head);
  }
  expect(order).toEqual([2, 4, 1, 3]);
  expect(q.count(1, 'activity', 'tl')).toBe(0);
  expect(q.listsOf(1)).toEqual([]);
});

test('a rolled-back transaction leaves the queue as it was; a committed one keeps its changes', () => {
  const tx = new UndoJournal();
  const q = new ReadyQueue(tx);
  q.add(task(1, 5));
  q.add(task(2, 7));
  tx.begin();
  q.take(q.head(1, 'activity', 'tl')!);
  q.add(task(3, 9));
  q.removeRun(2);
  tx.rollback();
  expect([q.head(1, 'activity', 'tl')!.executionId, q.count(1, 'activity', 'tl')]).toEqual([1, 2]);
  tx.begin();
  q.take(q.head(1, 'activity', 'tl')!);
  tx.commit();
  tx.begin();
  tx.rollback();
  expect([q.head(1, 'activity', 'tl')!.executionId, q.count(1, 'activity', 'tl')]).toEqual([2, 1]);
});

test('removal by task and by run; the same task is never queued twice', () => {
  const q = new ReadyQueue();
  q.add(task(1, 5));
  q.add(task(1, 5));
  q.add(task(1, 6, 0, 'other'));
  q.add(task(2, 5));
  expect(q.count(1, 'activity', 'tl')).toBe(2);
  q.remove(2, 'activity', 5);
  expect(q.count(1, 'activity', 'tl')).toBe(1);
  q.removeRun(1);
  expect(q.count(1, 'activity', 'tl') + q.count(1, 'activity', 'other')).toBe(0);
});

test('rebuild orders by arrival time, whatever order the runs come in', () => {
  const q = new ReadyQueue();
  q.rebuild([
    { ...task(3, 5), queuedAt: 300 },
    { ...task(1, 5), queuedAt: 200 },
    { ...task(2, 5, 1), queuedAt: 400 },
  ]);
  const order: number[] = [];
  for (let head = q.head(1, 'activity', 'tl'); head; head = q.head(1, 'activity', 'tl')) {
    order.push(head.executionId);
    q.take(head);
  }
  expect(order).toEqual([2, 1, 3]);
  // New arrivals after a rebuild come after everything rebuilt.
  q.rebuild([{ ...task(5, 5), queuedAt: 1 }]);
  q.add(task(6, 5));
  expect(q.head(1, 'activity', 'tl')!.executionId).toBe(5);
});

test('decision and activity lists of the same name and the lists of other domains stay apart', () => {
  const q = new ReadyQueue();
  q.add(task(1, 5));
  q.add({ ...task(2, 6), kind: 'decision' });
  q.add({ ...task(3, 7), domainId: 2 });
  expect([q.count(1, 'activity', 'tl'), q.count(1, 'decision', 'tl'), q.count(2, 'activity', 'tl')]).toEqual([1, 1, 1]);
  expect(q.listsOf(1)).toEqual([
    { kind: 'decision', taskList: 'tl' },
    { kind: 'activity', taskList: 'tl' },
  ]);
  q.remove(2, 'activity', 6); // a decision task, asked for as an activity: stays
  expect(q.count(1, 'decision', 'tl')).toBe(1);
  q.remove(2, 'decision', 6);
  expect(q.listsOf(1)).toEqual([{ kind: 'activity', taskList: 'tl' }]);
});
