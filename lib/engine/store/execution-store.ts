import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import type { Execution } from '../execution/execution';
import type { DeadlineKind, ExecutionRecord, ExecutionState, TaskKind, TypeRef, WorkflowExecutionRef } from '../execution/state';
import { ReadyQueue, type ReadyTask } from './ready-queue';

interface ExecutionRow {
  id: number;
  domain_id: number;
  workflow_id: string;
  run_id: string;
  type_name: string;
  type_version: string;
  status: 'OPEN' | 'CLOSED';
  close_status: ExecutionRecord['closeStatus'] | null;
  started_at: number;
  closed_at: number | null;
  tags: string | null;
  cancel_requested: number;
  parent: string | null;
  state: string;
}

export interface HistoryRow {
  event_id: number;
  event_type: string;
  event_timestamp: number;
  attributes: string;
}

export interface DueDeadline {
  execution_id: number;
  kind: DeadlineKind;
  ref: number;
  due: number;
}

/** Visibility columns of a run, without its state document. */
export interface ExecutionSummary {
  id: number;
  workflowId: string;
  runId: string;
  workflowType: TypeRef;
  status: 'OPEN' | 'CLOSED';
  closeStatus?: ExecutionRecord['closeStatus'];
  startedAt: number;
  closedAt?: number;
  tagList?: string[];
  cancelRequested: boolean;
  parent?: WorkflowExecutionRef;
}

const SUMMARY_COLUMNS =
  'id, workflow_id, run_id, type_name, type_version, status, close_status, started_at, closed_at, tags, cancel_requested, parent';

/**
 * Runs, their history, the task queue and the deadlines. All writes for one run go through
 * `save`, which applies the events and effects an `Execution` collected, so a transaction either
 * records all of a change or none of it.
 */
/**
 * The tasks of a run that wait on a task list: its SCHEDULED decision and activities. The ready
 * queue lives in memory and is rebuilt from this at start-up; tools reading a database (the chaos
 * suite's invariants) use it to see what a run waits for.
 */
export function queuedTasksOf(s: ExecutionState): { kind: 'decision' | 'activity'; taskList: string; priority: number; scheduledEventId: number; queuedAt: number }[] {
  const tasks: ReturnType<typeof queuedTasksOf> = [];
  const d = s.decision;
  if (d?.state === 'SCHEDULED') tasks.push({ kind: 'decision', taskList: d.taskList, priority: d.priority, scheduledEventId: d.scheduledEventId, queuedAt: d.queuedAt ?? 0 });
  for (const key in s.activities) {
    const a = s.activities[key]!;
    if (a.state === 'SCHEDULED') tasks.push({ kind: 'activity', taskList: a.taskList, priority: a.priority, scheduledEventId: a.scheduledEventId, queuedAt: a.queuedAt ?? 0 });
  }
  return tasks;
}

export class ExecutionStore {
  private readonly q: Record<string, Statement>;
  /** Tasks waiting for a poller: in memory, rebuilt from the open runs' state at start-up. */
  readonly ready = new ReadyQueue();

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      insert: p(
        `INSERT INTO executions (domain_id, workflow_id, run_id, type_name, type_version, status, started_at, tags, parent, state)
         VALUES (?, ?, ?, ?, ?, 'OPEN', ?, ?, ?, '{}')`,
      ),
      byId: p('SELECT * FROM executions WHERE id = ?'),
      byRun: p('SELECT * FROM executions WHERE domain_id = ? AND workflow_id = ? AND run_id = ?'),
      openByWorkflowId: p(`SELECT * FROM executions WHERE domain_id = ? AND workflow_id = ? AND status = 'OPEN'`),
      openIdByWorkflowId: p(`SELECT id FROM executions WHERE domain_id = ? AND workflow_id = ? AND status = 'OPEN'`),
      countOpenInDomain: p(`SELECT count(*) AS n FROM executions WHERE domain_id = ? AND status = 'OPEN'`),
      update: p(
        `UPDATE executions SET status = ?, close_status = ?, closed_at = ?, cancel_requested = ?, state = ? WHERE id = ?`,
      ),
      updateState: p('UPDATE executions SET cancel_requested = ?, state = ? WHERE id = ?'),
      insertEvent: p('INSERT INTO history (execution_id, event_id, event_type, event_timestamp, attributes) VALUES (?, ?, ?, ?, ?)'),
      history: p(
        'SELECT event_id, event_type, event_timestamp, attributes FROM history WHERE execution_id = ? AND event_id BETWEEN ? AND ? ORDER BY event_id',
      ),
      historyDesc: p(
        'SELECT event_id, event_type, event_timestamp, attributes FROM history WHERE execution_id = ? AND event_id BETWEEN ? AND ? ORDER BY event_id DESC',
      ),
      openStates: p(`SELECT id, domain_id, state FROM executions WHERE status = 'OPEN'`),
      deadlineSet: p('INSERT OR REPLACE INTO deadlines (execution_id, kind, ref, due) VALUES (?, ?, ?, ?)'),
      deadlineClear: p('DELETE FROM deadlines WHERE execution_id = ? AND kind = ? AND ref = ?'),
      deadlineClearRun: p('DELETE FROM deadlines WHERE execution_id = ?'),
      deadlinesDue: p(
        `SELECT execution_id, kind, ref, due FROM deadlines WHERE due <= ?
         ORDER BY due, CASE kind WHEN 'ACTIVITY_SCHEDULE_TO_CLOSE' THEN 0 ELSE 1 END LIMIT ?`,
      ),
      deadlineNext: p('SELECT min(due) AS due FROM deadlines'),
      deadlinesOfKind: p('SELECT execution_id, kind, ref, due FROM deadlines WHERE kind = ? ORDER BY due'),
      purgeHistory: p('DELETE FROM history WHERE execution_id = ?'),
      purgeRun: p(`DELETE FROM executions WHERE id = ? AND status = 'CLOSED'`),
    };
    this.rebuildReadyQueue();
  }

  /** Every SCHEDULED decision and activity of an open run is a task waiting on its list. */
  private rebuildReadyQueue(): void {
    const tasks: Parameters<ReadyQueue['rebuild']>[0] = [];
    for (const row of this.q.openStates!.iterate() as Iterable<{ id: number; domain_id: number; state: string }>) {
      for (const t of queuedTasksOf(JSON.parse(row.state) as ExecutionState)) tasks.push({ domainId: row.domain_id, executionId: row.id, ...t });
    }
    this.ready.rebuild(tasks);
  }

  /** Creates the row of a new run; its state and first events come with the first `save`. */
  insert(domainId: number, workflowId: string, runId: string, type: TypeRef, startedAt: number, tagList: string[] | undefined, parent: WorkflowExecutionRef | undefined): number {
    const info = this.q.insert!.run(
      domainId,
      workflowId,
      runId,
      type.name,
      type.version,
      startedAt,
      tagList ? JSON.stringify(tagList) : null,
      parent ? JSON.stringify(parent) : null,
    );
    return Number(info.lastInsertRowid);
  }

  load(id: number): ExecutionRecord | undefined {
    const row = this.q.byId!.get(id) as ExecutionRow | undefined;
    return row && toRecord(row);
  }

  findRun(domainId: number, workflowId: string, runId: string): ExecutionRecord | undefined {
    const row = this.q.byRun!.get(domainId, workflowId, runId) as ExecutionRow | undefined;
    return row && toRecord(row);
  }

  findOpen(domainId: number, workflowId: string): ExecutionRecord | undefined {
    const row = this.q.openByWorkflowId!.get(domainId, workflowId) as ExecutionRow | undefined;
    return row && toRecord(row);
  }

  hasOpen(domainId: number, workflowId: string): boolean {
    return this.q.openIdByWorkflowId!.get(domainId, workflowId) !== undefined;
  }

  countOpen(domainId: number): number {
    return (this.q.countOpenInDomain!.get(domainId) as { n: number }).n;
  }

  /** Writes the run's new events, state and effects. Call inside the operation's transaction. */
  save(exec: Execution): void {
    const r = exec.record;
    const id = r.id;
    for (const e of exec.events) {
      this.q.insertEvent!.run(id, e.eventId, e.eventType, e.timestamp, JSON.stringify(e.attributes));
    }
    const fx = exec.effects;
    if (fx.closed) {
      this.ready.removeRun(id);
      this.q.deadlineClearRun!.run(id);
      // A closed run keeps only its retention clock.
      for (const d of fx.deadlineSet) if (d.kind === 'RETENTION') this.q.deadlineSet!.run(id, d.kind, d.ref, d.due);
    } else {
      for (const t of fx.queueRemove) this.ready.remove(id, t.kind, t.scheduledEventId);
      for (const d of fx.deadlineClear) this.q.deadlineClear!.run(id, d.kind, d.ref);
      for (const t of fx.queueAdd) {
        this.ready.add({ domainId: r.domainId, kind: t.kind, taskList: t.taskList, priority: t.priority, executionId: id, scheduledEventId: t.scheduledEventId });
      }
      for (const d of fx.deadlineSet) this.q.deadlineSet!.run(id, d.kind, d.ref, d.due);
    }
    // An open run's visibility columns never change, so its save leaves their indexes alone.
    if (fx.closed) {
      this.q.update!.run(r.status, r.closeStatus ?? null, r.closedAt ?? null, r.state.cancelRequested ? 1 : 0, JSON.stringify(r.state), id);
    } else {
      this.q.updateState!.run(r.state.cancelRequested ? 1 : 0, JSON.stringify(r.state), id);
    }
  }

  /** Forgets a closed run whose retention period has passed: visibility and history alike. */
  purge(executionId: number): void {
    this.q.purgeHistory!.run(executionId);
    this.ready.removeRun(executionId);
    this.q.deadlineClearRun!.run(executionId);
    this.q.purgeRun!.run(executionId);
  }

  /** Events `from`..`to` inclusive. */
  history(executionId: number, from: number, to: number, descending: boolean): HistoryRow[] {
    return (descending ? this.q.historyDesc! : this.q.history!).all(executionId, from, to) as HistoryRow[];
  }

  queueHead(domainId: number, kind: TaskKind, taskList: string): ReadyTask | undefined {
    return this.ready.head(domainId, kind, taskList);
  }

  removeQueued(task: ReadyTask): void {
    this.ready.take(task);
  }

  countQueued(domainId: number, kind: TaskKind, taskList: string): number {
    return this.ready.count(domainId, kind, taskList);
  }

  dueDeadlines(now: number, limit: number): DueDeadline[] {
    return this.q.deadlinesDue!.all(now, limit) as DueDeadline[];
  }

  clearDeadline(d: DueDeadline): void {
    this.q.deadlineClear!.run(d.execution_id, d.kind, d.ref);
  }

  /** Every armed deadline of `kind`, earliest first. */
  deadlinesOfKind(kind: DeadlineKind): DueDeadline[] {
    return this.q.deadlinesOfKind!.all(kind) as DueDeadline[];
  }

  nextDeadline(): number | undefined {
    const row = this.q.deadlineNext!.get() as { due: number | null };
    return row.due ?? undefined;
  }
}

function toRecord(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    domainId: row.domain_id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    workflowType: { name: row.type_name, version: row.type_version },
    status: row.status,
    ...(row.close_status ? { closeStatus: row.close_status } : {}),
    startedAt: row.started_at,
    ...(row.closed_at !== null ? { closedAt: row.closed_at } : {}),
    ...(row.tags ? { tagList: JSON.parse(row.tags) as string[] } : {}),
    ...(row.parent ? { parent: JSON.parse(row.parent) as WorkflowExecutionRef } : {}),
    state: JSON.parse(row.state) as ExecutionRecord['state'],
  };
}

export function toSummary(row: ExecutionRow): ExecutionSummary {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    workflowType: { name: row.type_name, version: row.type_version },
    status: row.status,
    ...(row.close_status ? { closeStatus: row.close_status } : {}),
    startedAt: row.started_at,
    ...(row.closed_at !== null ? { closedAt: row.closed_at } : {}),
    ...(row.tags ? { tagList: JSON.parse(row.tags) as string[] } : {}),
    cancelRequested: row.cancel_requested === 1,
    ...(row.parent ? { parent: JSON.parse(row.parent) as WorkflowExecutionRef } : {}),
  };
}

export { SUMMARY_COLUMNS };
export type { ExecutionRow };
