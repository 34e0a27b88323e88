/**
 * Exponential backoff with jitter, and an abortable sleep. The randomness and the sleep are
 * injected so tests can run the retry schedule without waiting.
 */

export interface BackoffOptions {
  /** Delay before the first retry, in ms (default 200). */
  initialMs?: number;
  /** Upper bound of any delay, in ms (default 30 000). */
  maxMs?: number;
}

/** Sleeps `ms` or until `signal` aborts, whichever comes first. Never rejects. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 200, maxMs: 30_000 };

export function resolveBackoff(options: BackoffOptions = {}): Required<BackoffOptions> {
  const initialMs = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  if (!(Number.isFinite(initialMs) && initialMs >= 0)) throw new RangeError(`backoff.initialMs must be a number >= 0, got ${initialMs}`);
  if (!(Number.isFinite(maxMs) && maxMs >= initialMs)) throw new RangeError(`backoff.maxMs must be a number >= initialMs, got ${maxMs}`);
  return { initialMs, maxMs };
}

/**
 * The delay before retry number `attempt` (1-based): the exponential ceiling
 * `min(maxMs, initialMs * 2^(attempt-1))`, with "equal jitter": half of it fixed, half random.
 * Equal jitter keeps a floor under the delay (full jitter can retry a failing endpoint at once)
 * while still spreading many workers that failed together.
 */
export function backoffDelay(attempt: number, options: Required<BackoffOptions>, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
