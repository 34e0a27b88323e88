import { limitExceeded } from '../faults';

interface Waiter<T> {
  claim: () => T | undefined;
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

  constructor(private readonly maxPollersPerList: number) {}

  /**
   * Waits up to `holdMs` for `claim` to succeed. Resolves undefined on timeout or when `signal`
   * aborts (the client went away: it must not be handed a task it cannot receive).
   */
  wait<T>(key: string, claim: () => T | undefined, holdMs: number, signal: AbortSignal): Promise<T | undefined> {
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
        settle: (value, error) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          const i = queue.indexOf(waiter as Waiter<unknown>);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0 && this.waiters.get(key) === queue) this.waiters.delete(key);
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

export function queueKey(domainId: number, kind: string, taskList: string): string {
  return `${domainId}|${kind}|${taskList}`;
}
