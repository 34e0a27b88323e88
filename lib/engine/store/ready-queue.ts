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
  /**
   * Lists by domain and kind (a number: `listGroup`), then task list name. Two levels rather than
   * one key string: a call would otherwise build and hash a new "<domain>|<kind>|<list>" string
   * for each look-up.
   */
  private readonly lists = new Map<number, Map<string, ReadyTask[]>>();
  /** Each run's queued tasks by `taskSlot(kind, scheduledEventId)`: a number, as above. */
  private readonly byRun = new Map<number, Map<number, ReadyTask>>();
  private nextSeq = 1;
  /** Shared with the deadline index: both follow the same SQLite transactions. */
  constructor(private readonly journal: UndoJournal = new UndoJournal()) {}

  add(task: Omit<ReadyTask, 'seq'>, seq = this.nextSeq++): void {
    if (this.byRun.get(task.executionId)?.has(taskSlot(task.kind, task.scheduledEventId))) return;
    const entry: ReadyTask = {
      domainId: task.domainId,
      kind: task.kind,
      taskList: task.taskList,
      priority: task.priority,
      executionId: task.executionId,
      scheduledEventId: task.scheduledEventId,
      seq,
    };
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    this.insert(entry);
    this.record(() => this.delete(entry));
  }

  remove(executionId: number, kind: TaskKind, scheduledEventId: number): void {
    const entry = this.byRun.get(executionId)?.get(taskSlot(kind, scheduledEventId));
    if (entry) this.take(entry);
  }

  removeRun(executionId: number): void {
    const entries = this.byRun.get(executionId);
    if (entries) for (const entry of [...entries.values()]) this.take(entry);
  }

  /** Removes `entry` (from `head`): the caller claims it. */
  take(entry: ReadyTask): void {
    if (this.byRun.get(entry.executionId)?.get(taskSlot(entry.kind, entry.scheduledEventId)) !== entry) return;
    this.delete(entry);
    this.record(() => this.insert(entry));
  }

  /** The task the next poll on this list gets: highest priority, then oldest. */
  head(domainId: number, kind: TaskKind, taskList: string): ReadyTask | undefined {
    return this.lists.get(listGroup(domainId, kind))?.get(taskList)?.[0];
  }

  count(domainId: number, kind: TaskKind, taskList: string): number {
    return this.lists.get(listGroup(domainId, kind))?.get(taskList)?.length ?? 0;
  }

  /** The task lists of a domain that have tasks waiting. */
  listsOf(domainId: number): { kind: TaskKind; taskList: string }[] {
    const out: { kind: TaskKind; taskList: string }[] = [];
    for (const kind of ['decision', 'activity'] as const) {
      for (const taskList of this.lists.get(listGroup(domainId, kind))?.keys() ?? []) out.push({ kind, taskList });
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
    const group = listGroup(entry.domainId, entry.kind);
    let lists = this.lists.get(group);
    if (!lists) this.lists.set(group, (lists = new Map()));
    let list = lists.get(entry.taskList);
    if (!list) lists.set(entry.taskList, (list = []));
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
    let run = this.byRun.get(entry.executionId);
    if (!run) this.byRun.set(entry.executionId, (run = new Map()));
    run.set(taskSlot(entry.kind, entry.scheduledEventId), entry);
  }

  private delete(entry: ReadyTask): void {
    const group = listGroup(entry.domainId, entry.kind);
    const lists = this.lists.get(group);
    const list = lists?.get(entry.taskList);
    if (lists && list) {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) lists.delete(entry.taskList);
      if (lists.size === 0) this.lists.delete(group);
    }
    const run = this.byRun.get(entry.executionId);
    if (run) {
      run.delete(taskSlot(entry.kind, entry.scheduledEventId));
      if (run.size === 0) this.byRun.delete(entry.executionId);
    }
  }
}

/** A domain's decision lists and its activity lists, as one number. */
function listGroup(domainId: number, kind: TaskKind): number {
  return domainId * 2 + (kind === 'decision' ? 0 : 1);
}

/** A task's place among its run's queued tasks, as one number. */
function taskSlot(kind: TaskKind, scheduledEventId: number): number {
  return scheduledEventId * 2 + (kind === 'decision' ? 0 : 1);
}
