import type { ActivityTypeConfiguration } from '@aws-sdk/client-swf';
import type { Clock } from './clock';
import type { EngineConfig } from './config';
import { unknownResource } from './faults';
import { Execution } from './execution/execution';
import type { TypeCatalog } from './execution/decisions';
import type { ExecutionRecord } from './execution/state';
import { queueKey, TaskMatcher } from './matching/task-matcher';
import type { Db } from './store/database';
import { ExecutionStore } from './store/execution-store';
import { RegistryStore, type DomainRow } from './store/registry-store';
import { DeadlineScheduler } from './timers/deadline-scheduler';
import type { IdSource } from './util/ids';

/** One API call's view of the engine while its transaction is open. */
export class Tx {
  readonly touchedQueues = new Set<string>();
  earliestDeadline: number | undefined;

  constructor(
    readonly core: EngineCore,
    readonly now: number,
  ) {}

  /** Opens a run for changes; `save` it before the transaction ends. */
  open(record: ExecutionRecord): Execution {
    return new Execution(record, this.now, this.core.ids);
  }

  save(exec: Execution): void {
    this.core.executions.save(exec);
    const fx = exec.effects;
    if (fx.closed) return;
    for (const t of fx.queueAdd) this.touchedQueues.add(queueKey(exec.record.domainId, t.kind, t.taskList));
    for (const d of fx.deadlineSet) {
      if (this.earliestDeadline === undefined || d.due < this.earliestDeadline) this.earliestDeadline = d.due;
    }
  }
}

/**
 * The engine's shared parts: stores, clock, ids, matcher and deadline scheduler, and the one way
 * to change state: `run`, a transaction after whose commit waiting pollers are handed their
 * tasks and the scheduler learns of new deadlines.
 */
export class EngineCore {
  readonly registry: RegistryStore;
  readonly executions: ExecutionStore;
  readonly matcher: TaskMatcher;
  readonly scheduler: DeadlineScheduler;

  constructor(
    readonly db: Db,
    readonly config: EngineConfig,
    readonly clock: Clock,
    readonly ids: IdSource,
  ) {
    this.registry = new RegistryStore(db);
    this.executions = new ExecutionStore(db);
    this.matcher = new TaskMatcher(config.maxPollersPerTaskList);
    this.scheduler = new DeadlineScheduler(clock, (now) => this.fireDueDeadlines(now));
  }

  run<T>(fn: (tx: Tx) => T): T {
    const tx = new Tx(this, this.clock.now());
    const result = this.db.transaction(() => fn(tx))();
    this.scheduler.armAt(tx.earliestDeadline);
    for (const key of tx.touchedQueues) this.matcher.notify(key);
    return result;
  }

  /** Settles deadlines that are already due, so an API call never acts on stale state. */
  settleDueDeadlines(): void {
    if (this.scheduler.isDue(this.clock.now())) this.scheduler.run();
  }

  /** Fires every due deadline, one transaction each; returns the next deadline. */
  private fireDueDeadlines(now: number): number | undefined {
    for (;;) {
      const due = this.executions.dueDeadlines(now, 256);
      if (due.length === 0) break;
      for (const d of due) {
        this.run((tx) => {
          this.executions.clearDeadline(d);
          const record = this.executions.load(d.execution_id);
          if (!record) return;
          const exec = tx.open(record);
          exec.fireDeadline(d.kind, d.ref, d.due);
          tx.save(exec);
        });
      }
    }
    return this.executions.nextDeadline();
  }

  start(): void {
    this.scheduler.armAt(this.executions.nextDeadline());
  }

  stop(): void {
    this.scheduler.stop();
    this.matcher.releaseAll();
  }

  requireDomain(region: string, name: string): DomainRow {
    const domain = this.registry.domain(region, name);
    if (!domain) throw unknownResource(`Unknown domain: ${name}`);
    return domain;
  }

  domainArn(region: string, name: string): string {
    return `arn:aws:swf:${region}:${this.config.accountId}:/domain/${name}`;
  }

  /** Activity types of a domain, as the decisions see them. */
  typeCatalog(domainId: number): TypeCatalog {
    return {
      activityType: (name, version) => {
        const row = this.registry.type(domainId, 'activity', name, version);
        return row && { status: row.status, config: JSON.parse(row.config) as ActivityTypeConfiguration };
      },
    };
  }
}

export function unknownExecution(workflowId: string, runId: string | undefined): Error {
  return unknownResource(`Unknown execution: WorkflowExecution=[workflowId=${workflowId}, runId=${runId ?? ''}]`);
}
