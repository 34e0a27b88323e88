/**
 * The pollers as a team of fixed size: a killed poller is replaced by a new one with a new
 * identity (as a supervisor restarts a crashed worker process).
 */
import type { SWF } from '@aws-sdk/client-swf';
import type { Ledger } from './ledger';
import { ActivityWorker, DecisionPoller, type Poller } from './pollers';
import type { Random } from './random';

export class Workforce {
  private readonly pollers: Poller[] = [];
  private serial = 0;

  constructor(
    private readonly swf: SWF,
    private readonly ledger: Ledger,
    private readonly random: Random,
    private readonly size: { deciders: number; workers: number },
  ) {}

  start(): void {
    for (let i = 0; i < this.size.deciders; i++) this.add('decider');
    for (let i = 0; i < this.size.workers; i++) this.add('worker');
  }

  private add(role: 'decider' | 'worker'): void {
    const identity = `${role}-${++this.serial}`;
    const poller = role === 'decider' ? new DecisionPoller(this.swf, identity, this.ledger, this.random.fork()) : new ActivityWorker(this.swf, identity, this.ledger, this.random.fork());
    this.pollers.push(poller);
    poller.start();
  }

  /**
   * Kills one poller, preferring one that holds a task (mid-task is the interesting moment), and
   * starts a replacement. Returns the victim's identity.
   */
  killOne(): { identity: string; midTask: boolean } {
    const busy = this.pollers.filter((p) => p.busy);
    const victim = busy.length > 0 ? this.random.pick(busy) : this.random.pick(this.pollers);
    const midTask = victim.busy;
    victim.kill();
    if (midTask) this.ledger.abandoners.add(victim.identity);
    this.pollers.splice(this.pollers.indexOf(victim), 1);
    this.add(victim instanceof DecisionPoller ? 'decider' : 'worker');
    return { identity: victim.identity, midTask };
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
  }
}
