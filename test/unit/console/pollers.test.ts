/** The engine's in-memory log of pollers per task list (lib/engine/matching/task-matcher.ts). */
import { PollersSeen, queueKey, TaskMatcher } from '../../../lib/engine/matching/task-matcher';

describe('PollersSeen', () => {
  it('records each identity once per task list, with its latest poll and count, newest first', () => {
    const log = new PollersSeen();
    const key = queueKey(1, 'decision', 'deciders');
    log.record(key, 'a', 1000);
    log.record(key, 'b', 2000);
    log.record(key, 'a', 3000);
    expect(log.of(key)).toEqual([
      { identity: 'a', lastPollAt: 3000, polls: 2, waiting: 0 },
      { identity: 'b', lastPollAt: 2000, polls: 1, waiting: 0 },
    ]);
    expect(log.of(queueKey(1, 'activity', 'deciders'))).toEqual([]);
  });

  it('keeps a poll without identity as ""', () => {
    const log = new PollersSeen();
    log.record('k', undefined, 5);
    expect(log.of('k')).toEqual([{ identity: '', lastPollAt: 5, polls: 1, waiting: 0 }]);
  });

  it('hands back the live entry so the caller can count waiting polls; of() returns copies', () => {
    const log = new PollersSeen();
    const seen = log.record('k', 'w', 1);
    seen.waiting++;
    expect(log.of('k')[0]!.waiting).toBe(1);
    log.of('k')[0]!.waiting = 99;
    expect(log.of('k')[0]!.waiting).toBe(1);
    expect(log.record('k', 'w', 2)).toBe(seen);
  });

  it('is bounded per task list: the least recently polled identity goes first', () => {
    const log = new PollersSeen(10, 3);
    log.record('k', 'a', 1);
    log.record('k', 'b', 2);
    log.record('k', 'c', 3);
    log.record('k', 'a', 4); // a is recent again
    log.record('k', 'd', 5); // evicts b
    expect(log.of('k').map((p) => p.identity)).toEqual(['d', 'a', 'c']);
  });

  it('is bounded in task lists: the least recently polled list goes first', () => {
    const log = new PollersSeen(2, 3);
    log.record('k1', 'a', 1);
    log.record('k2', 'a', 2);
    log.record('k1', 'a', 3);
    log.record('k3', 'a', 4); // evicts k2
    expect(log.keys()).toEqual(['k3', 'k1']);
    expect(log.of('k2')).toEqual([]);
  });

  it('stays small under a flood of identities and task lists', () => {
    const log = new PollersSeen();
    for (let i = 0; i < 20_000; i++) log.record(`list-${i % 2000}`, `worker-${i}`, i);
    expect(log.keys().length).toBeLessThanOrEqual(log.maxTaskLists);
    expect(log.keys().every((k) => log.of(k).length <= log.maxPerTaskList)).toBe(true);
  });

  it('is part of every TaskMatcher', () => {
    expect(new TaskMatcher(10).pollers).toBeInstanceOf(PollersSeen);
  });
});
