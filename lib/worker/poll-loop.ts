import { hostname } from 'node:os';
import { backoffDelay, DEFAULT_BACKOFF, realSleep, resolveBackoff, type BackoffOptions, type Sleep } from './backoff';
import { errorFields, isTransient } from './errors';
import { defaultLogger, type WorkerLogger } from './logger';
import { toSwfOperations, type SwfLike, type SwfOperations } from './swf-port';

/** The reason a poll in flight is aborted when its poller stops. */
export class PollerStoppedError extends Error {
  override readonly name = 'PollerStoppedError';
  constructor() {
    super('the poller is stopping');
  }
}

export interface PollLoopOptions<T> {
  /** `decision` or `activity`, for log lines. */
  kind: string;
  concurrency: number;
  logger: WorkerLogger;
  backoff: Required<BackoffOptions>;
  random: () => number;
  sleep: Sleep;
  /** One long poll. `undefined` means the poll came back empty. Aborted through `signal` on stop. */
  poll(signal: AbortSignal): Promise<T | undefined>;
  /** Works one task to its end. Never aborted by stop. Resolves `false` to back off before the next poll. */
  handle(task: T): Promise<boolean>;
  /** Called for every failed poll (for counters). */
  onPollError?(error: unknown): void;
}

/**
 * `concurrency` independent loops of poll -> handle, each backing off on its own run of failures.
 * `stop()` aborts polls in flight and backoff waits, starts no new poll, and resolves once every
 * task already in hand has been handled.
 */
export class PollLoop<T> {
  private readonly controller = new AbortController();
  private state: 'new' | 'running' | 'stopping' = 'new';
  private slots: Promise<void>[] = [];
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: PollLoopOptions<T>) {}

  get running(): boolean {
    return this.state === 'running';
  }

  start(): void {
    if (this.state === 'running') return;
    if (this.state === 'stopping') throw new Error(`the ${this.options.kind} poller was stopped; create a new one`);
    this.state = 'running';
    for (let slot = 0; slot < this.options.concurrency; slot++) this.slots.push(this.loop(slot));
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.state = 'stopping';
      this.controller.abort(new PollerStoppedError());
      this.stopped = Promise.all(this.slots).then(() => undefined);
    }
    return this.stopped;
  }

  private async loop(slot: number): Promise<void> {
    const { logger, kind } = this.options;
    const signal = this.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      let task: T | undefined;
      try {
        task = await this.options.poll(signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.options.onPollError?.(error);
        const delayMs = this.delay(failures);
        const log = isTransient(error) ? logger.warn.bind(logger) : logger.error.bind(logger);
        log(`${kind} poll failed; backing off`, { slot, consecutiveFailures: failures, delayMs, ...errorFields(error) });
        await this.options.sleep(delayMs, signal);
        continue;
      }
      if (task === undefined) {
        failures = 0;
        continue;
      }
      // A task in hand is finished even when stop() is called meanwhile.
      let ok: boolean;
      try {
        ok = await this.options.handle(task);
      } catch (error) {
        logger.error(`${kind} task handling failed unexpectedly`, { slot, ...errorFields(error), error });
        ok = false;
      }
      if (ok) {
        failures = 0;
      } else {
        failures++;
        if (!signal.aborted) await this.options.sleep(this.delay(failures), signal);
      }
    }
    logger.debug(`${kind} poll loop ended`, { slot });
  }

  private delay(failures: number): number {
    return backoffDelay(failures, this.options.backoff, this.options.random);
  }
}

/**
 * Runs `operation` up to `attempts` times while it fails with a transient error, backing off
 * between tries. Used for calls about a task already in hand (next history page, responds),
 * which are safe to repeat.
 */
export async function withRetries<R>(
  operation: () => Promise<R>,
  opts: { attempts: number; backoff: Required<BackoffOptions>; random: () => number; sleep: Sleep },
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= opts.attempts || !isTransient(error)) throw error;
      await opts.sleep(backoffDelay(attempt, opts.backoff, opts.random));
    }
  }
}

/** The options both pollers share, with the production defaults applied by `pollerRuntime`. */
export interface PollerRuntimeOptions {
  swf: SwfLike;
  identity?: string;
  logger?: WorkerLogger;
  backoff?: BackoffOptions;
  callAttempts?: number;
  random?: () => number;
  sleep?: Sleep;
  now?: () => number;
}

/** What a poller needs besides its own work: the SWF port, identity, logging, clock, retries, the loop. */
export interface PollerRuntime<T> {
  swf: SwfOperations;
  logger: WorkerLogger;
  identity: string;
  now: () => number;
  retry: Parameters<typeof withRetries>[1];
  loop: PollLoop<T>;
}

export function pollerRuntime<T>(
  kind: 'decision' | 'activity',
  serviceName: string,
  options: PollerRuntimeOptions,
  concurrency: number,
  work: Pick<PollLoopOptions<T>, 'poll' | 'handle' | 'onPollError'>,
): PollerRuntime<T> {
  const logger = options.logger ?? defaultLogger(serviceName);
  const backoff = resolveBackoff(options.backoff ?? DEFAULT_BACKOFF);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  return {
    swf: toSwfOperations(options.swf),
    logger,
    identity: options.identity ?? `${hostname()}:${process.pid}`,
    now: options.now ?? Date.now,
    retry: { attempts: options.callAttempts ?? 3, backoff, random, sleep },
    loop: new PollLoop<T>({ kind, concurrency, logger, backoff, random, sleep, ...work }),
  };
}
