/**
 * Starts chaos workflows to keep a number of them in flight, and sends the signals and cancel
 * requests their shapes wait for. Every call the engine answers 200 goes into the ledger; a call
 * cut by a fault is tried again (a start by the same workflowId, so it happens at most once).
 */
import type { SWF } from '@aws-sdk/client-swf';
import type { Ledger } from './ledger';
import { errorName, sleep, transient } from './pollers';
import type { Random } from './random';
import { DOMAIN, FLOW, SHAPES, SIGNAL_NAME, type FlowInput, type Shape } from './workflows';

export class Starter {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private serial = 0;
  /** Follow-up calls (signals, cancels) still to make. */
  private readonly followUps = new Set<Promise<void>>();
  /** Runs of shape signal or cancel still waiting for their follow-up (drained at the end). */
  readonly waitingOnUs = new Map<string, Shape>();

  constructor(
    private readonly swf: SWF,
    private readonly ledger: Ledger,
    private readonly random: Random,
    private readonly inFlight: number,
    private readonly prefix: string,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops starting new runs; the follow-ups of started ones are sent at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await Promise.all([...this.followUps]);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let open: number;
      try {
        open = (await this.swf.countOpenWorkflowExecutions({ domain: DOMAIN, startTimeFilter: { oldestDate: new Date(0) }, typeFilter: { name: FLOW.name } })).count ?? 0;
      } catch (error) {
        this.ledger.countError(errorName(error));
        await sleep(250);
        continue;
      }
      for (let i = open; i < this.inFlight && !this.stopped; i++) await this.startOne();
      await sleep(100);
    }
  }

  private async startOne(): Promise<void> {
    const shape = this.random.pick(SHAPES);
    const workflowId = `${this.prefix}-${++this.serial}-${shape}`;
    const input: FlowInput = { shape, id: workflowId, workMs: this.random.int(100, 2500), timerSeconds: this.random.int(1, 3) };
    const started = await this.call(() => this.swf.startWorkflowExecution({ domain: DOMAIN, workflowId, workflowType: { ...FLOW }, input: JSON.stringify(input) }), ['WorkflowExecutionAlreadyStartedFault']);
    if (started === undefined) return;
    if (started !== 'tolerated') this.ledger.started.set(workflowId, (started as { runId?: string }).runId!);
    if (shape === 'signal' || shape === 'cancel') {
      this.waitingOnUs.set(workflowId, shape);
      this.followUp(workflowId, shape, this.random.int(500, 4000));
    }
  }

  private followUp(workflowId: string, shape: Shape, delayMs: number): void {
    const done = (async () => {
      const until = Date.now() + delayMs;
      while (!this.stopped && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
      if (shape === 'signal') {
        const input = `signal-${workflowId}-${this.random.int(0, 1e9)}`;
        const r = await this.call(() => this.swf.signalWorkflowExecution({ domain: DOMAIN, workflowId, signalName: SIGNAL_NAME, input }), []);
        if (r !== undefined) this.ledger.signals.push({ workflowId, input });
      } else {
        const r = await this.call(() => this.swf.requestCancelWorkflowExecution({ domain: DOMAIN, workflowId }), []);
        if (r !== undefined) this.ledger.cancels.push({ workflowId });
      }
      this.waitingOnUs.delete(workflowId);
    })();
    this.followUps.add(done);
    void done.finally(() => this.followUps.delete(done));
  }

  /**
   * The call's answer; 'tolerated' for an error named in `tolerate`; undefined when it failed for
   * good. A transient failure (the engine down, the disk full) is tried again.
   */
  private async call<T>(fn: () => Promise<T>, tolerate: string[]): Promise<T | 'tolerated' | undefined> {
    for (let attempt = 1; attempt <= 120; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const name = errorName(error);
        if (tolerate.includes(name)) return 'tolerated';
        this.ledger.countError(name);
        if (!transient(error)) return undefined;
        await sleep(250);
      }
    }
    return undefined;
  }
}
