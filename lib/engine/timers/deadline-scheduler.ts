import type { Clock } from '../clock';

/** setTimeout cannot wait longer than this; later deadlines are re-armed on the way. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** After a deadline pass that could not be written (disk full, I/O error), when to try again. */
export const RETRY_FAILED_PASS_MS = 1000;

/**
 * Arms one timer for the earliest durable deadline. When it fires, `fireDue` processes every
 * deadline that has come due (each in its own transaction) and returns the next one, which is
 * armed in turn. Deadlines live in the database, so a restart re-arms them from there.
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly fireDue: (now: number) => number | undefined,
  ) {}

  /** Makes sure a wake-up is armed no later than `due`. */
  armAt(due: number | undefined): void {
    if (due === undefined || this.stopped || due >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, due - this.clock.now()));
    this.timer = setTimeout(() => this.run(), delay);
  }

  /** True when a deadline is already due: API calls settle it first so they never see stale state. */
  isDue(now: number): boolean {
    return this.armedFor <= now;
  }

  run(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    if (this.stopped) return;
    let next: number | undefined;
    try {
      next = this.fireDue(this.clock.now());
    } catch (error) {
      // Thrown from a timer, this would end the process. The deadlines are still due in the
      // database (the pass's transactions rolled back), so try them again shortly.
      console.error(`swf-local: a deadline pass failed (${(error as Error).message}); retrying in ${RETRY_FAILED_PASS_MS} ms`);
      next = this.clock.now() + RETRY_FAILED_PASS_MS;
    }
    this.armAt(next);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
