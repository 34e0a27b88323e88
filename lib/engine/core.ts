import type { ActivityTypeConfiguration, WorkflowTypeConfiguration } from '@aws-sdk/client-swf';
import type { Statement } from 'better-sqlite3';
import type { Clock } from './clock';
import type { EngineConfig } from './config';
import { unknownResource } from './faults';
import { deliverOutbox } from './execution/cross-run';
import type { DecisionContext } from './execution/decision-context';
import { Execution } from './execution/execution';
import type { CrossRunPorts, LambdaTask } from './execution/ports';
import type { ExecutionRecord } from './execution/state';
import type { LambdaInvoker } from './lambda/invoker';
import { queueKey, TaskMatcher, type Waiter } from './matching/task-matcher';
import type { Db } from './store/database';
import { ExecutionStore } from './store/execution-store';
import { RegistryStore, type DomainRow } from './store/registry-store';
import { DeadlineScheduler } from './timers/deadline-scheduler';
import type { IdSource } from './util/ids';
import { PageTokens } from './util/page-token';
import { readSecret } from './store/secrets';
import type { Tx } from './store/transaction';

/** The engine's transaction: the store's `Tx`, plus hand-offs to waiting polls and deadlines to arm. */
class CoreTx implements Tx {
  readonly touchedQueues = new Set<string>();
  earliestDeadline: number | undefined;
  private readonly committed: (() => void)[] = [];
  /** Waiting polls taken by hand-offs in this transaction: put back if it rolls back. */
  private readonly reserved: { key: string; waiter: Waiter<unknown> }[] = [];

  constructor(
    private readonly core: EngineCore,
    readonly now: number,
  ) {}

  get executions() {
    return this.core.executions;
  }

  get ids() {
    return this.core.ids;
  }

  open(record: ExecutionRecord): Execution {
    return new Execution(record, this.now, this.core.ids);
  }

  /**
   * Writes the run's changes, then carries out what it asked of other runs (children, signals,
   * its parent) in this same transaction.
   */
  save(exec: Execution): void {
    const core = this.core;
    const r = exec.record;
    if (exec.isOpen && r.state.nextEventId > core.config.maxHistoryEvents) {
      exec.terminate(undefined, undefined, r.state.config.childPolicy, 'EVENT_LIMIT_EXCEEDED');
    }
    const fx = exec.effects;
    let handed: { waiter: Waiter<unknown>; claimed: unknown }[] = [];
    if (fx.closed) {
      fx.deadlineSet.push({ kind: 'RETENTION', ref: 0, due: r.closedAt! + core.retentionMs(r.domainId) });
    } else {
      handed = this.handOff(exec);
    }
    for (const d of fx.deadlineSet) {
      if (fx.closed && d.kind !== 'RETENTION') continue;
      if (this.earliestDeadline === undefined || d.due < this.earliestDeadline) this.earliestDeadline = d.due;
    }
    core.executions.save(exec);
    for (const h of handed) {
      const answer = h.waiter.handoff!.answer(h.claimed);
      this.afterCommit(() => h.waiter.settle(answer));
    }
    if (fx.outbox.length > 0) deliverOutbox(this, core.crossRunPorts, r, fx.outbox.splice(0));
  }

  /**
   * Hands the tasks this save makes pollable straight to polls already waiting for them: the
   * task is claimed in this very save, so it never touches the task queue and the poll is
   * answered the moment the transaction commits. A task with a deadline already due (a "0"
   * timeout) is queued instead, to time out first; the lists of queued tasks are noted, for
   * waiting polls to be told after the commit.
   */
  private handOff(exec: Execution): { waiter: Waiter<unknown>; claimed: unknown }[] {
    const fx = exec.effects;
    if (fx.queueAdd.length === 0) return [];
    const handed: { waiter: Waiter<unknown>; claimed: unknown }[] = [];
    fx.queueAdd = fx.queueAdd.filter((t) => {
      const key = queueKey(exec.record.domainId, t.kind, t.taskList);
      const waiter = fx.deadlineSet.some((d) => d.ref === t.scheduledEventId && d.due <= this.now) ? undefined : this.core.matcher.reserve(key);
      if (!waiter) {
        this.touchedQueues.add(key);
        return true;
      }
      this.reserved.push({ key, waiter });
      handed.push({ waiter, claimed: waiter.handoff!.claim(exec, t.scheduledEventId) });
      return false;
    });
    return handed;
  }

  /** @internal The transaction rolled back: the polls it took go back to waiting, oldest first. */
  putBackReserved(): void {
    for (const { key, waiter } of this.reserved.reverse()) this.core.matcher.putBack(key, waiter);
  }

  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  /** @internal */
  runCommitted(): void {
    for (const fn of this.committed) fn();
  }
}

/** Writes the answers of a group's calls; one that throws (a socket gone bad) stops no other. */
function answerAll(replies: readonly ((error?: unknown) => void)[], error?: unknown): void {
  for (const reply of replies) {
    try {
      reply(error);
    } catch (failure) {
      console.error(`swf-local: an answer could not be written (${(failure as Error).message})`);
    }
  }
}

/** The API calls of one turn of the event loop, in one transaction. */
interface CallGroup {
  /** Whether a call has written: the group's transaction is open. */
  begun: boolean;
  /** Each call's transaction, in order, with what follows its commit still to do. */
  readonly calls: { tx: CoreTx; top: boolean }[];
  /** The calls' answers, written once the group has committed. */
  readonly replies: ((error?: unknown) => void)[];
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
  /** Signs and checks every nextPageToken, with this database's own key. */
  readonly pageTokens: PageTokens;
  /** @internal What a run's requests on other runs need: the Lambda port and a setting. */
  readonly crossRunPorts: CrossRunPorts;
  private stopped = false;
  /**
   * One transaction wrapper for every call, BEGIN IMMEDIATE: the engine is the only writer, and a
   * deferred transaction that reads and then writes could fail with SQLITE_BUSY_SNAPSHOT if the
   * checkpointer reset the WAL in between, where an immediate one simply waits.
   */
  private readonly transaction: (tx: CoreTx, fn: (tx: Tx) => unknown) => unknown;
  /** > 0 while a deadline pass or a run's hand-off to waiting polls is under way. */
  private depth = 0;
  /** The calls of this turn of the event loop, committed together (see `openCallGroup`). */
  private group: CallGroup | undefined;
  private readonly groupStatements: { begin: Statement; commit: Statement; rollback: Statement };

  constructor(
    readonly db: Db,
    readonly config: EngineConfig,
    readonly clock: Clock,
    readonly ids: IdSource,
    /** Carries out ScheduleLambdaFunction; without one, Lambda tasks are unavailable. */
    readonly lambdaInvoker?: LambdaInvoker,
  ) {
    this.transaction = db.transaction((tx: CoreTx, fn: (tx: Tx) => unknown) => fn(tx)).immediate;
    this.groupStatements = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    this.registry = new RegistryStore(db);
    this.executions = new ExecutionStore(db);
    this.matcher = new TaskMatcher(config.maxPollersPerTaskList);
    this.pageTokens = new PageTokens(readSecret(db, 'page-token'));
    this.crossRunPorts = {
      lambda: { invoke: (executionId, task) => this.invokeLambda(executionId, task) },
      childPolicyOnEveryClose: config.childPolicyOnEveryClose,
    };
    this.scheduler = new DeadlineScheduler(clock, (now) => {
      this.depth++;
      try {
        return this.fireDueDeadlines(now);
      } finally {
        this.depth--;
      }
    });
  }

  run<T>(fn: (tx: Tx) => T): T {
    const tx = new CoreTx(this, this.clock.now());
    const journal = this.executions.journal;
    const group = this.group;
    // The group's first write begins its transaction and runs in it directly, not as a savepoint:
    // with calls arriving one at a time, a group costs no more statements than a call on its own.
    const begins = group !== undefined && !group.begun;
    if (begins) {
      this.groupStatements.begin.run();
      journal.begin();
      group.begun = true;
    }
    let result: T;
    journal.begin();
    try {
      result = (begins ? fn(tx) : this.transaction(tx, fn)) as T;
    } catch (error) {
      // Rows read inside the rolled-back transaction may have been cached; the ready queue and
      // the deadline index follow SQLite.
      journal.rollback();
      this.registry.invalidateCache();
      tx.putBackReserved();
      // The group's first write has no savepoint: rolling back its transaction takes only it.
      if (begins && this.db.inTransaction) this.groupStatements.rollback.run();
      if (group?.begun && !this.db.inTransaction) this.callGroupLost(group, error);
      throw error;
    }
    journal.commit();
    const top = this.depth === 0;
    if (group) {
      group.calls.push({ tx, top });
      return result;
    }
    this.committed(tx, top);
    return result;
  }

  /** What follows a call's commit: deadlines armed, waiting polls told, after-commit work run. */
  private committed(tx: CoreTx, top: boolean): void {
    this.scheduler.armAt(tx.earliestDeadline);
    // A deadline this change made due at once (a "0" timeout) fires before a waiting poll can be
    // handed the task. Only at the top level, so hand-offs and deadline passes never nest.
    this.depth++;
    try {
      if (top) this.settleDueDeadlines();
      for (const key of tx.touchedQueues) this.matcher.notify(key);
    } finally {
      this.depth--;
    }
    tx.runCommitted();
  }

  /**
   * Opens a group for the API calls of this turn of the event loop, unless one is open: their
   * `run`s become savepoints of one transaction, committed once they have all run (in the
   * loop's check phase, after every socket read in this turn was served). A page that several
   * calls change is written to the WAL once instead of once per call, which is most of what the
   * engine writes under load. Every answer waits for the commit (`whenCommitted`), so an
   * acknowledged call is still committed, and a call that fails rolls back alone.
   */
  openCallGroup(): void {
    if (this.group !== undefined || this.stopped || this.db.inTransaction) return;
    this.group = { begun: false, calls: [], replies: [] };
    setImmediate(this.commitCallGroupSoon);
  }

  private readonly commitCallGroupSoon = () => this.commitCallGroup();

  /**
   * The group's transaction is gone after a call's error: the call began it, or SQLite rolled it
   * back whole (it does on a full disk), taking the calls before it along. Their changes leave
   * memory, they are answered with the error, and the next call this turn begins the group again.
   */
  private callGroupLost(group: CallGroup, error: unknown): void {
    this.undoCallGroup(group);
    answerAll(group.replies.splice(0), error);
  }

  /** Memory follows a group that was not committed; the waiting polls its calls took wait again. */
  private undoCallGroup(group: CallGroup): void {
    this.executions.journal.rollback();
    this.registry.invalidateCache();
    for (const { tx } of group.calls.splice(0).reverse()) tx.putBackReserved();
    group.begun = false;
  }

  /**
   * Runs `reply` once the open group has committed (with the error if it could not), or now when
   * nothing has been written since the last commit: an answer never shows uncommitted changes.
   */
  whenCommitted(reply: (error?: unknown) => void): void {
    if (this.group?.begun) this.group.replies.push(reply);
    else reply();
  }

  private commitCallGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    if (!group.begun) return;
    try {
      this.groupStatements.commit.run();
    } catch (error) {
      // Nothing of the group was written (an I/O error): every call is answered with the error.
      if (this.db.inTransaction) this.groupStatements.rollback.run();
      this.undoCallGroup(group);
      answerAll(group.replies, error);
      return;
    }
    this.executions.journal.commit();
    for (const { tx, top } of group.calls) {
      try {
        this.committed(tx, top);
      } catch (error) {
        // Committed: the call's answer stands. What failed after it is logged, as a timer's would be.
        console.error(`swf-local: work after a commit failed (${(error as Error).message})`);
      }
    }
    answerAll(group.replies);
  }

  /** How long the domain keeps closed runs: `0` and `NONE` purge them at close, as documented. */
  retentionMs(domainId: number): number {
    const retention = this.registry.domainById(domainId)?.retention ?? 'NONE';
    return retention === 'NONE' ? 0 : Number(retention) * 86_400_000;
  }

  /**
   * Invokes a Lambda task after the transaction that started it committed, and records the
   * outcome in a transaction of its own. The start-to-close deadline is durable and fires on its
   * own; an outcome that arrives after it (or after the run closed) is ignored.
   */
  private invokeLambda(executionId: number, req: LambdaTask): void {
    const invoker = this.lambdaInvoker;
    if (!invoker) return;
    invoker
      .invoke({ functionName: req.name, payload: req.input, timeoutMs: req.timeoutMs })
      .catch((error: unknown) => ({ reason: 'ServiceException', details: String(error) }))
      .then((outcome) => {
        if (this.stopped || outcome === 'timeout') return;
        try {
          this.run((tx) => {
            const record = this.executions.load(executionId);
            if (!record) return;
            const exec = tx.open(record);
            exec.lambdaFinished(req.scheduledEventId, req.startedEventId, outcome);
            tx.save(exec);
          });
        } catch (error) {
          // Not recorded (disk full, I/O error). Thrown here it would end the process; the task's
          // durable start-to-close deadline records it as timed out instead, so the run moves on.
          console.error(`swf-local: the outcome of Lambda task ${req.name} could not be recorded (${(error as Error).message}); it will time out`);
        }
      });
  }

  /** Settles deadlines that are already due, so an API call never acts on stale state. */
  settleDueDeadlines(): void {
    if (this.scheduler.isDue(this.clock.now())) this.scheduler.run();
  }

  /** Fires every due deadline, one transaction each, earliest first; returns the next deadline. */
  private fireDueDeadlines(now: number): number | undefined {
    const index = this.executions.deadlines;
    // A deadline fired here may arm another that is already due (a "0" timeout): it comes next.
    for (let d = index.first(); d !== undefined && d.due <= now; d = index.first()) {
      const { executionId, kind, ref, due } = d;
      this.run((tx) => {
        const record = this.executions.load(executionId);
        if (record?.status !== 'OPEN') return index.clear(executionId, kind, ref);
        const exec = tx.open(record);
        exec.fireDeadline(kind, ref, due);
        tx.save(exec);
      });
    }
    // Closed runs' retention clocks, which the runs above may have just started.
    for (;;) {
      const due = this.executions.dueRetentions(now, 256);
      if (due.length === 0) break;
      for (const d of due) this.run(() => this.executions.purge(d.execution_id));
    }
    return this.executions.nextDeadline();
  }

  start(): void {
    this.scheduler.armAt(this.executions.nextDeadline());
    this.resumeLambdas();
  }

  /**
   * Lambda tasks started by a previous process ran inside it (the invoker is in-process), so they
   * died with it and their outcome will never come: invoke them again for the time left to their
   * start-to-close deadline, as AWS Lambda retries a failed invocation. Otherwise a killed engine's
   * Lambda tasks would sit until that deadline (up to 15 minutes) before the workflow could retry.
   */
  private resumeLambdas(): void {
    if (!this.lambdaInvoker) return;
    const now = this.clock.now();
    for (const d of this.executions.deadlines.ofKind('LAMBDA_START_TO_CLOSE')) {
      if (d.due <= now) continue; // fires as a timeout
      const l = this.executions.load(d.executionId)?.state.lambdas[d.ref];
      if (!l) continue;
      this.invokeLambda(d.executionId, { scheduledEventId: l.scheduledEventId, startedEventId: l.startedEventId, name: l.name, ...(l.input !== undefined ? { input: l.input } : {}), timeoutMs: d.due - now });
    }
  }

  stop(): void {
    this.commitCallGroup();
    this.stopped = true;
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

  /** What the decisions of a run in `domainId` may look up. */
  decisionContext(domainId: number): DecisionContext {
    const type = <C>(kind: 'activity' | 'workflow', name: string, version: string) => {
      const row = this.registry.type(domainId, kind, name, version);
      return row && { status: row.status, config: this.registry.typeConfig<C & object>(row) };
    };
    return {
      activityType: (name, version) => type<ActivityTypeConfiguration>('activity', name, version),
      workflowType: (name, version) => type<WorkflowTypeConfiguration>('workflow', name, version),
      openExecutionCount: () => this.executions.countOpen(domainId),
      lambdaAvailable: this.lambdaInvoker !== undefined,
      ...this.config,
    };
  }
}

export function unknownExecution(workflowId: string, runId: string | undefined): Error {
  return unknownResource(`Unknown execution: WorkflowExecution=[workflowId=${workflowId}, runId=${runId ?? ''}]`);
}
