import type { TaskKind } from '../execution/state';
import { UndoJournal } from './undo-journal';

/** A task waiting on its task list for a poller. */
export interface ReadyTask {
  domainId: number;
  kind: TaskKind;
  taskList: string;
  priority: number;
  executionId: number;
  scheduledEventId: number;
  /** Arrival order: the oldest task of the highest priority goes first. */
  seq: number;
}

/**
 * The tasks that wait for a poller, by task list, in memory. It is not a second record: every
 * task here is a SCHEDULED decision or activity in its run's state document, which is durable,
 * and `rebuild` restores the queue from those documents at start-up. Keeping it out of SQLite
 * saves each task an insert and a delete on a table and two indexes.
 *
 * Changes follow the SQLite transaction they belong to: between `begin` and `commit` each change
 * is journaled, and `rollback` undoes them, so the queue never holds what a rolled-back call did.
 */
export class ReadyQueue {
  private readonly lists = new Map<string, ReadyTask[]>();
  private readonly byTask = new Map<string, ReadyTask>();
  private readonly byRun = new Map<number, Set<ReadyTask>>();
  private nextSeq = 1;
  /** Shared with the deadline index: both follow the same SQLite transactions. */
  constructor(private readonly journal: UndoJournal = new UndoJournal()) {}

  add(task: Omit<ReadyTask, 'seq'>, seq = this.nextSeq++): void {
    const id = taskId(task.executionId, task.kind, task.scheduledEventId);
    if (this.byTask.has(id)) return;
    const entry: ReadyTask = { ...task, seq };
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    this.insert(entry);
    this.record(() => this.delete(entry));
  }

  remove(executionId: number, kind: TaskKind, scheduledEventId: number): void {
    const entry = this.byTask.get(taskId(executionId, kind, scheduledEventId));
    if (entry) this.take(entry);
  }

  removeRun(executionId: number): void {
    const entries = this.byRun.get(executionId);
    if (entries) for (const entry of [...entries]) this.take(entry);
  }

  /** Removes `entry` (from `head`): the caller claims it. */
  take(entry: ReadyTask): void {
    if (this.byTask.get(taskId(entry.executionId, entry.kind, entry.scheduledEventId)) !== entry) return;
    this.delete(entry);
    this.record(() => this.insert(entry));
  }

  /** The task the next poll on this list gets: highest priority, then oldest. */
  head(domainId: number, kind: TaskKind, taskList: string): ReadyTask | undefined {
    return this.lists.get(listKey(domainId, kind, taskList))?.[0];
  }

  count(domainId: number, kind: TaskKind, taskList: string): number {
    return this.lists.get(listKey(domainId, kind, taskList))?.length ?? 0;
  }

  /** The task lists of a domain that have tasks waiting. */
  listsOf(domainId: number): { kind: TaskKind; taskList: string }[] {
    const out: { kind: TaskKind; taskList: string }[] = [];
    for (const list of this.lists.values()) {
      const first = list[0];
      if (first && first.domainId === domainId) out.push({ kind: first.kind, taskList: first.taskList });
    }
    return out;
  }

  /** Restores the queue from the runs' state (start-up): `tasks` in any order, with their arrival times. */
  rebuild(tasks: (Omit<ReadyTask, 'seq'> & { queuedAt: number })[]): void {
    const sorted = [...tasks].sort((a, b) => a.queuedAt - b.queuedAt || a.executionId - b.executionId || a.scheduledEventId - b.scheduledEventId);
    for (const { queuedAt: _, ...task } of sorted) this.add(task);
  }

  private record(undo: () => void): void {
    this.journal.record(undo);
  }

  private insert(entry: ReadyTask): void {
    const key = listKey(entry.domainId, entry.kind, entry.taskList);
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = []));
    // Sorted by priority (descending), then seq: binary search for the slot.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid]!;
      if (m.priority > entry.priority || (m.priority === entry.priority && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, entry);
    this.byTask.set(taskId(entry.executionId, entry.kind, entry.scheduledEventId), entry);
    let run = this.byRun.get(entry.executionId);
    if (!run) this.byRun.set(entry.executionId, (run = new Set()));
    run.add(entry);
  }

  private delete(entry: ReadyTask): void {
    const key = listKey(entry.domainId, entry.kind, entry.taskList);
    const list = this.lists.get(key);
    if (list) {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.lists.delete(key);
    }
    this.byTask.delete(taskId(entry.executionId, entry.kind, entry.scheduledEventId));
    const run = this.byRun.get(entry.executionId);
    if (run) {
      run.delete(entry);
      if (run.size === 0) this.byRun.delete(entry.executionId);
    }
  }
}

function listKey(domainId: number, kind: TaskKind, taskList: string): string {
  return `${domainId}|${kind}|${taskList}`;
}

function taskId(executionId: number, kind: TaskKind, scheduledEventId: number): string {
  return `${executionId}|${kind}|${scheduledEventId}`;
}
