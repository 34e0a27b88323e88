import type { Execution } from '../execution/execution';
import { limitExceeded } from '../faults';

/**
 * How a waiting poll takes a task inside the transaction that creates it: `claim` marks the task
 * started in its run (before the run is saved), `answer` builds the poll's response (after).
 */
export interface Handoff<C = unknown, T = unknown> {
  claim(exec: Execution, scheduledEventId: number): C;
  answer(claimed: C): T;
}

export interface Waiter<T> {
  claim: () => T | undefined;
  handoff?: Handoff<unknown, T>;
  settle: (value: T | undefined, error?: unknown) => void;
}

/**
 * Long-poll waiters per task list. A poll that found nothing waits here; when a transaction
 * makes a task available on its list, the oldest waiter claims it at once, in its own
 * transaction, so a task is handed straight to a poller that is already waiting. Node runs one
 * claim at a time, which is what makes each hand-off exactly-once.
 */
export class TaskMatcher {
  private readonly waiters = new Map<string, Waiter<unknown>[]>();
  /** Who polled which task list lately (for the console): in memory, bounded, no write per poll. */
  readonly pollers = new PollersSeen();

  constructor(private readonly maxPollersPerList: number) {}

  /**
   * Waits up to `holdMs` for `claim` to succeed. Resolves undefined on timeout or when `signal`
   * aborts (the client went away: it must not be handed a task it cannot receive).
   */
  wait<T>(key: string, claim: () => T | undefined, holdMs: number, signal: AbortSignal, handoff?: Handoff<unknown, T>): Promise<T | undefined> {
    let list = this.waiters.get(key);
    if (!list) {
      list = [];
      this.waiters.set(key, list);
    }
    if (list.length >= this.maxPollersPerList) {
      return Promise.reject(limitExceeded(`Too many pollers on task list; the limit is ${this.maxPollersPerList}`));
    }
    const queue = list;
    return new Promise<T | undefined>((resolve, reject) => {
      const waiter: Waiter<T> = {
        claim,
        ...(handoff ? { handoff } : {}),
        settle: (value, error) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          // The queue now, not the one at wait time: a reserved waiter may have been put back.
          const current = this.waiters.get(key);
          const i = current ? current.indexOf(waiter as Waiter<unknown>) : -1;
          if (current && i >= 0) current.splice(i, 1);
          if (current && current.length === 0) this.waiters.delete(key);
          if (error !== undefined) reject(error);
          else resolve(value);
        },
      };
      const onAbort = () => waiter.settle(undefined);
      const timer = setTimeout(() => waiter.settle(undefined), holdMs);
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter as Waiter<unknown>);
      if (signal.aborted) onAbort();
    });
  }

  /** Tasks may have become available on `key`: hand them to waiters, oldest first. */
  notify(key: string): void {
    const queue = this.waiters.get(key);
    while (queue && queue.length > 0) {
      const waiter = queue[0]!;
      let result: unknown;
      try {
        result = waiter.claim();
      } catch (error) {
        waiter.settle(undefined, error);
        continue;
      }
      if (result === undefined) return;
      waiter.settle(result);
    }
  }

  /**
   * Takes the oldest waiter on `key` that can be handed a task inside the creating transaction.
   * It leaves the queue now; `settle` answers it after the commit, `putBack` returns it on a rollback.
   */
  reserve(key: string): Waiter<unknown> | undefined {
    const queue = this.waiters.get(key);
    const i = queue ? queue.findIndex((w) => w.handoff !== undefined) : -1;
    if (!queue || i < 0) return undefined;
    return queue.splice(i, 1)[0];
  }

  putBack(key: string, waiter: Waiter<unknown>): void {
    let queue = this.waiters.get(key);
    if (!queue) {
      queue = [];
      this.waiters.set(key, queue);
    }
    queue.unshift(waiter);
  }

  /** Number of polls waiting on `key`. */
  waiting(key: string): number {
    return this.waiters.get(key)?.length ?? 0;
  }

  /** Ends every wait with the empty answer (engine shutdown). */
  releaseAll(): void {
    for (const queue of [...this.waiters.values()]) {
      for (const w of [...queue]) w.settle(undefined);
    }
  }
}

/** One poller as a task list last saw it. */
export interface PollerSeen {
  /** The poll's `identity`; `""` when the poll gave none. */
  identity: string;
  /** Epoch ms of its latest poll. */
  lastPollAt: number;
  /** Polls seen since the engine started (while it stayed in the log). */
  polls: number;
  /** Its polls that are waiting right now. */
  waiting: number;
}

/**
 * The pollers seen per task list (SWF has no API for this; the console shows it). A poll costs
 * two map look-ups and a re-insert: no database write, no allocation for a known poller. Bounded
 * on both levels, least recently polled first out, so a flood of identities or task lists cannot
 * grow it.
 */
export class PollersSeen {
  private readonly lists = new Map<string, Map<string, PollerSeen>>();

  constructor(
    readonly maxTaskLists = 512,
    readonly maxPerTaskList = 32,
  ) {}

  /** Notes a poll on `key` (see queueKey); the entry's `waiting` is the caller's to count. */
  record(key: string, identity: string | undefined, at: number): PollerSeen {
    let list = this.lists.get(key);
    if (list) {
      this.lists.delete(key);
    } else {
      list = new Map();
      if (this.lists.size >= this.maxTaskLists) this.lists.delete(this.lists.keys().next().value!);
    }
    this.lists.set(key, list);
    const id = identity ?? '';
    let seen = list.get(id);
    if (seen) {
      list.delete(id);
      seen.lastPollAt = at;
      seen.polls++;
    } else {
      if (list.size >= this.maxPerTaskList) list.delete(list.keys().next().value!);
      seen = { identity: id, lastPollAt: at, polls: 1, waiting: 0 };
    }
    list.set(id, seen);
    return seen;
  }

  /** The pollers of `key`, most recent first. */
  of(key: string): PollerSeen[] {
    const list = this.lists.get(key);
    return list ? [...list.values()].reverse().map((p) => ({ ...p })) : [];
  }

  /** Task list keys with pollers, most recently polled first. */
  keys(): string[] {
    return [...this.lists.keys()].reverse();
  }
}

export function queueKey(domainId: number, kind: string, taskList: string): string {
  return `${domainId}|${kind}|${taskList}`;
}
