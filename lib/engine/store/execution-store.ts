import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import type { Execution } from '../execution/execution';
import type { CloseStatus, ExecutionRecord, ExecutionState, ExecutionStatus, TaskKind, TypeRef, WorkflowExecutionRef } from '../execution/state';
import { ReadyQueue, type ReadyTask } from './ready-queue';
import { UndoJournal } from './undo-journal';
import { DeadlineIndex } from '../timers/deadline-index';

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

/**
 * A whole run is read as ONE text value, `[state, [id, domain_id, ...]]`: the state document
 * spliced in as it is stored, the other columns as a JSON array, so that one `JSON.parse` builds
 * the lot. better-sqlite3 hands a row to JavaScript one property store per column (about a
 * microsecond each through V8's API, more as a named object); a single plucked string skips all
 * of them. `RunRow` names the parsed parts; `toRecord` is the one place that reads them.
 */
const RUN_TEXT = `'[' || state || ',' || json_array(id, domain_id, workflow_id, run_id, type_name, type_version, status, close_status, started_at, closed_at, tags, parent) || ']'`;
type RunRow = [
  state: ExecutionState,
  columns: [
    id: number,
    domainId: number,
    workflowId: string,
    runId: string,
    typeName: string,
    typeVersion: string,
    status: ExecutionStatus,
    closeStatus: CloseStatus | null,
    startedAt: number,
    closedAt: number | null,
    tags: string | null,
    parent: string | null,
  ],
];

/** One stored history event, a raw row: eventId, eventType, timestamp (epoch ms), attributes JSON. */
export type HistoryRow = [eventId: number, eventType: string, timestamp: number, attributes: string];

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

/**
 * Runs, their history, the task queue and the deadlines. All writes for one run go through
 * `save`, which applies the events and effects an `Execution` collected, so a transaction either
 * records all of a change or none of it.
 */
export class ExecutionStore {
  private readonly q: Record<string, Statement>;
  /** Undo steps of the in-memory parts below: `begin`/`commit`/`rollback` with each SQLite transaction. */
  readonly journal = new UndoJournal();
  /** Tasks waiting for a poller: in memory, rebuilt from the open runs' state at start-up. */
  readonly ready = new ReadyQueue(this.journal);
  /**
   * Open runs' deadlines: in memory, rebuilt from the open runs' state at start-up. Only the
   * retention clocks of closed runs are rows in the deadlines table (closed runs are never
   * scanned at start-up, and there may be many).
   */
  readonly deadlines = new DeadlineIndex(this.journal);
  /**
   * Open runs per domain, for the open-executions limit checked on every start: in memory, counted
   * at start-up, kept with the transaction (counting the rows instead walks one index entry per
   * open run, so a start would slow down as a domain fills).
   */
  private readonly openCounts = new Map<number, number>();

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      insert: p(
        `INSERT INTO executions (domain_id, workflow_id, run_id, type_name, type_version, status, started_at, tags, parent, state)
         VALUES (?, ?, ?, ?, ?, 'OPEN', ?, ?, ?, '{}')`,
      ),
      byId: p(`SELECT ${RUN_TEXT} FROM executions WHERE id = ?`).pluck(),
      byRun: p(`SELECT ${RUN_TEXT} FROM executions WHERE domain_id = ? AND workflow_id = ? AND run_id = ?`).pluck(),
      openByWorkflowId: p(`SELECT ${RUN_TEXT} FROM executions WHERE domain_id = ? AND workflow_id = ? AND status = 'OPEN'`).pluck(),
      openIdByWorkflowId: p(`SELECT id FROM executions WHERE domain_id = ? AND workflow_id = ? AND status = 'OPEN'`).pluck(),
      update: p(
        `UPDATE executions SET status = ?, close_status = ?, closed_at = ?, cancel_requested = ?, state = ? WHERE id = ?`,
      ),
      updateState: p('UPDATE executions SET cancel_requested = ?, state = ? WHERE id = ?'),
      insertEvent: p('INSERT INTO history (execution_id, event_id, event_type, event_timestamp, attributes) VALUES (?, ?, ?, ?, ?)'),
      // Most changes append two events (a task closes, the next is scheduled): one statement for
      // both saves a statement's fixed cost, and the result object better-sqlite3 builds per run.
      insertEventPair: p(
        'INSERT INTO history (execution_id, event_id, event_type, event_timestamp, attributes) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)',
      ),
      history: p(
        'SELECT event_id, event_type, event_timestamp, attributes FROM history WHERE execution_id = ? AND event_id BETWEEN ? AND ? ORDER BY event_id',
      ).raw(),
      historyDesc: p(
        'SELECT event_id, event_type, event_timestamp, attributes FROM history WHERE execution_id = ? AND event_id BETWEEN ? AND ? ORDER BY event_id DESC',
      ).raw(),
      openStates: p(`SELECT id, domain_id, state FROM executions WHERE status = 'OPEN'`),
      retentionSet: p(`INSERT OR REPLACE INTO deadlines (execution_id, kind, ref, due) VALUES (?, 'RETENTION', 0, ?)`),
      retentionClear: p(`DELETE FROM deadlines WHERE execution_id = ?`),
      retentionDue: p(`SELECT execution_id, due FROM deadlines WHERE due <= ? ORDER BY due LIMIT ?`),
      retentionNext: p('SELECT min(due) AS due FROM deadlines'),
      purgeHistory: p('DELETE FROM history WHERE execution_id = ?'),
      purgeRun: p(`DELETE FROM executions WHERE id = ? AND status = 'CLOSED'`),
    };
    this.rebuildFromOpenRuns();
  }

  /**
   * Every SCHEDULED decision and activity of an open run is a task waiting on its list, and every
   * deadline its state lists is armed.
   */
  private rebuildFromOpenRuns(): void {
    const tasks: Parameters<ReadyQueue['rebuild']>[0] = [];
    const deadlines: { executionId: number; deadlines: Record<string, number> | undefined }[] = [];
    this.openCounts.clear();
    for (const row of this.q.openStates!.iterate() as Iterable<{ id: number; domain_id: number; state: string }>) {
      this.openCounts.set(row.domain_id, (this.openCounts.get(row.domain_id) ?? 0) + 1);
      const state = JSON.parse(row.state) as ExecutionState;
      for (const t of queuedTasksOf(state)) tasks.push({ domainId: row.domain_id, executionId: row.id, ...t });
      deadlines.push({ executionId: row.id, deadlines: state.deadlines });
    }
    this.ready.rebuild(tasks);
    this.deadlines.rebuild(deadlines);
    this.journal.clear();
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
    this.addOpen(domainId, 1);
    return Number(info.lastInsertRowid);
  }

  private addOpen(domainId: number, delta: number): void {
    const n = (this.openCounts.get(domainId) ?? 0) + delta;
    this.openCounts.set(domainId, n);
    this.journal.record(() => this.openCounts.set(domainId, n - delta));
  }

  load(id: number): ExecutionRecord | undefined {
    const text = this.q.byId!.get(id) as string | undefined;
    return text === undefined ? undefined : toRecord(text);
  }

  findRun(domainId: number, workflowId: string, runId: string): ExecutionRecord | undefined {
    const text = this.q.byRun!.get(domainId, workflowId, runId) as string | undefined;
    return text === undefined ? undefined : toRecord(text);
  }

  findOpen(domainId: number, workflowId: string): ExecutionRecord | undefined {
    const text = this.q.openByWorkflowId!.get(domainId, workflowId) as string | undefined;
    return text === undefined ? undefined : toRecord(text);
  }

  hasOpen(domainId: number, workflowId: string): boolean {
    return this.q.openIdByWorkflowId!.get(domainId, workflowId) !== undefined;
  }

  countOpen(domainId: number): number {
    return this.openCounts.get(domainId) ?? 0;
  }

  /** Writes the run's new events, state and effects. Call inside the operation's transaction. */
  save(exec: Execution): void {
    const r = exec.record;
    const id = r.id;
    const events = exec.events;
    let i = 0;
    for (; i + 1 < events.length; i += 2) {
      const a = events[i]!;
      const b = events[i + 1]!;
      this.q.insertEventPair!.run(id, a.eventId, a.eventType, a.timestamp, JSON.stringify(a.attributes), id, b.eventId, b.eventType, b.timestamp, JSON.stringify(b.attributes));
    }
    if (i < events.length) {
      const e = events[i]!;
      this.q.insertEvent!.run(id, e.eventId, e.eventType, e.timestamp, JSON.stringify(e.attributes));
    }
    const fx = exec.effects;
    const s = r.state;
    if (fx.closed) {
      this.addOpen(r.domainId, -1);
      this.ready.removeRun(id);
      this.deadlines.clearRun(id);
      delete s.deadlines;
      // A closed run keeps only its retention clock, a row: closed runs are not rebuilt at start-up.
      for (const d of fx.deadlineSet) if (d.kind === 'RETENTION') this.q.retentionSet!.run(id, d.due);
      this.q.update!.run(r.status, r.closeStatus ?? null, r.closedAt ?? null, s.cancelRequested ? 1 : 0, JSON.stringify(s), id);
    } else {
      for (const t of fx.queueRemove) this.ready.remove(id, t.kind, t.scheduledEventId);
      for (const d of fx.deadlineClear) this.deadlines.clear(id, d.kind, d.ref);
      for (const t of fx.queueAdd) {
        this.ready.add({ domainId: r.domainId, kind: t.kind, taskList: t.taskList, priority: t.priority, executionId: id, scheduledEventId: t.scheduledEventId });
      }
      for (const d of fx.deadlineSet) this.deadlines.set(id, d.kind, d.ref, d.due);
      // An open run's visibility columns never change, so its save leaves their indexes alone.
      this.q.updateState!.run(s.cancelRequested ? 1 : 0, this.openStateJson(s, id), id);
    }
  }

  /**
   * An open run's state document. Its `deadlines` member is written from the deadline index,
   * which holds what the document held plus this change, as JSON text spliced in: editing the
   * parsed member instead (a keyed store per armed deadline, a `delete` per disarmed one) took
   * V8's slow paths, and the `delete` left a dictionary object that JSON.stringify walks slowly.
   */
  private openStateJson(s: ExecutionState, id: number): string {
    s.deadlines = undefined; // left out by JSON.stringify
    const json = JSON.stringify(s);
    return `${json.slice(0, -1)},"deadlines":${this.deadlines.documentOf(id)}}`;
  }

  /** Forgets a closed run whose retention period has passed: visibility and history alike. */
  purge(executionId: number): void {
    this.q.purgeHistory!.run(executionId);
    this.ready.removeRun(executionId);
    this.deadlines.clearRun(executionId);
    this.q.retentionClear!.run(executionId);
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

  /** Closed runs whose retention period ended by `now`, earliest first. */
  dueRetentions(now: number, limit: number): { execution_id: number; due: number }[] {
    return this.q.retentionDue!.all(now, limit) as { execution_id: number; due: number }[];
  }

  /** The earliest deadline of any kind: an open run's, or a closed run's retention. */
  nextDeadline(): number | undefined {
    const row = this.q.retentionNext!.get() as { due: number | null };
    const open = this.deadlines.first()?.due;
    if (row.due === null) return open;
    return open === undefined ? row.due : Math.min(open, row.due);
  }
}

/**
 * The one place a stored run (`RUN_TEXT`) becomes a record. Every record gets the same properties
 * in the same order (unset ones undefined), so they all share one object shape.
 */
function toRecord(text: string): ExecutionRecord {
  const [state, row] = JSON.parse(text) as RunRow;
  const tags = row[10];
  const parent = row[11];
  return {
    id: row[0],
    domainId: row[1],
    workflowId: row[2],
    runId: row[3],
    workflowType: { name: row[4], version: row[5] },
    status: row[6],
    closeStatus: row[7] ?? undefined,
    startedAt: row[8],
    closedAt: row[9] ?? undefined,
    tagList: tags ? (JSON.parse(tags) as string[]) : undefined,
    parent: parent ? (JSON.parse(parent) as WorkflowExecutionRef) : undefined,
    state,
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
