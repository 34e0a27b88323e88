/**
 * The workload's pollers, on the unchanged @aws-sdk/client-swf: deciders that run the chaos
 * workflows through lib/decider, and activity workers that heartbeat while they work. Every task
 * a poll hands over and every Respond* the engine acknowledges goes into the ledger. A poller can
 * be killed mid-task: its requests are cut (as a dying process's sockets are) and the task it held
 * is never answered, so the engine must time it out and the workflow must retry it.
 */
import { SWF, type HistoryEvent, type PollForDecisionTaskCommandOutput } from '@aws-sdk/client-swf';
import { decide } from '../../lib/decider';
import type { Ledger } from './ledger';
import type { Random } from './random';
import { ACTIVITY_LIST, DECISION_LIST, DOMAIN, workflowFor, type WorkInput } from './workflows';

/** An SWF client with no SDK retries: the ledger must see each call's own outcome. */
export function chaosClient(endpoint: string): SWF {
  return new SWF({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' }, maxAttempts: 1 });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function errorName(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? e.name ?? 'Error';
}

/** The engine's typed answers that mean "not now" or "not any more": the task is someone else's business. */
const TASK_GONE = new Set(['UnknownResourceFault']);

/** Errors that are worth the same call again after a pause: the engine is down, restarting or out of space. */
export function transient(error: unknown): boolean {
  const name = errorName(error);
  return !TASK_GONE.has(name) && !/Fault$|ValidationException|SerializationException/.test(name);
}

export abstract class Poller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  protected stopped = false;
  /** True between taking a task and answering it. */
  busy = false;

  constructor(
    protected readonly swf: SWF,
    readonly identity: string,
    protected readonly ledger: Ledger,
    protected readonly random: Random,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Dies on the spot: in-flight requests are cut, a held task is never answered. */
  kill(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /** Stops after the current task (drain). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.once();
      } catch (error) {
        if (this.stopped) return;
        this.ledger.countError(errorName(error));
        await sleep(transient(error) ? 200 : 50);
      } finally {
        this.busy = false;
      }
    }
  }

  protected abstract once(): Promise<void>;

  /** Calls `fn` until it is answered, while the failure is transient; false when the task is gone. */
  protected async answer(fn: () => Promise<unknown>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return false;
      try {
        await fn();
        return true;
      } catch (error) {
        if (this.stopped) return false;
        this.ledger.countError(errorName(error));
        if (!transient(error) || attempt >= 60) return false;
        await sleep(250);
      }
    }
  }
}

export class DecisionPoller extends Poller {
  protected async once(): Promise<void> {
    const first = await this.swf.pollForDecisionTask({ domain: DOMAIN, taskList: { name: DECISION_LIST }, identity: this.identity }, { abortSignal: this.signal });
    if (!first.taskToken) return;
    this.busy = true;
    const execution = first.workflowExecution!;
    this.ledger.deliveries.push({ kind: 'decision', workflowId: execution.workflowId!, runId: execution.runId!, startedEventId: first.startedEventId!, identity: this.identity });
    const events = await this.wholeHistory(first);
    const decisions = decide(workflowFor(first.workflowType?.name), events);
    const token = first.taskToken;
    const answered = await this.answer(() => this.swf.respondDecisionTaskCompleted({ taskToken: token, decisions }, { abortSignal: this.signal }));
    if (answered) {
      this.ledger.responds.push({ op: 'RespondDecisionTaskCompleted', workflowId: execution.workflowId!, runId: execution.runId!, startedEventId: first.startedEventId!, decisions: decisions.length });
    }
  }

  /** The pages after the first come from further polls with the page token. */
  private async wholeHistory(first: PollForDecisionTaskCommandOutput): Promise<HistoryEvent[]> {
    const events = [...(first.events ?? [])];
    let token = first.nextPageToken;
    while (token) {
      const page = await this.swf.pollForDecisionTask({ domain: DOMAIN, taskList: { name: DECISION_LIST }, identity: this.identity, nextPageToken: token }, { abortSignal: this.signal });
      events.push(...(page.events ?? []));
      token = page.nextPageToken;
    }
    return events;
  }
}

/** Fails this share of activity attempts on purpose, so retries of failed (not only lost) work run too. */
const FAILURE_RATE = 0.05;
const HEARTBEAT_EVERY_MS = 1000;

export class ActivityWorker extends Poller {
  protected async once(): Promise<void> {
    const task = await this.swf.pollForActivityTask({ domain: DOMAIN, taskList: { name: ACTIVITY_LIST }, identity: this.identity }, { abortSignal: this.signal });
    if (!task.taskToken) return;
    this.busy = true;
    const execution = task.workflowExecution!;
    const base = { workflowId: execution.workflowId!, runId: execution.runId!, startedEventId: task.startedEventId! };
    this.ledger.deliveries.push({ kind: 'activity', ...base, identity: this.identity });
    const { workMs } = JSON.parse(task.input ?? '{}') as WorkInput;
    const token = task.taskToken;
    // Work, heartbeating meanwhile (the heartbeat timeout is shorter than the work can be).
    const until = Date.now() + (workMs ?? 200);
    while (Date.now() < until) {
      await sleep(Math.min(HEARTBEAT_EVERY_MS, until - Date.now()));
      if (this.stopped) return;
      try {
        await this.swf.recordActivityTaskHeartbeat({ taskToken: token, details: `at ${Date.now()}` }, { abortSignal: this.signal });
        this.ledger.heartbeats++;
      } catch (error) {
        if (this.stopped) return;
        this.ledger.countError(errorName(error));
        if (!transient(error)) return; // timed out or closed meanwhile
      }
    }
    if (this.random.chance(FAILURE_RATE)) {
      const reason = 'ChaosInjectedFailure';
      if (await this.answer(() => this.swf.respondActivityTaskFailed({ taskToken: token, reason }, { abortSignal: this.signal }))) {
        this.ledger.responds.push({ op: 'RespondActivityTaskFailed', ...base, reason });
      }
      return;
    }
    const result = JSON.stringify({ by: this.identity, startedEventId: base.startedEventId, runId: base.runId });
    if (await this.answer(() => this.swf.respondActivityTaskCompleted({ taskToken: token, result }, { abortSignal: this.signal }))) {
      this.ledger.responds.push({ op: 'RespondActivityTaskCompleted', ...base, result });
    }
  }
}
