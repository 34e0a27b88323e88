import type { DeadlineKind } from '../execution/state';
import { UndoJournal } from '../store/undo-journal';

/** One armed deadline of an open run. */
export interface ArmedDeadline {
  executionId: number;
  kind: DeadlineKind;
  ref: number;
  due: number;
  /** Its slot in the heap, kept current so a deadline can be disarmed in O(log n). */
  slot: number;
  /** Its name in the run's state document (`deadlineKey`), made once. */
  key: string;
}

/**
 * The armed deadlines of the open runs, earliest first, in memory. Like the ready queue it is not
 * a second record: each run's state document lists its deadlines (`ExecutionState.deadlines`),
 * written in the same statement as the rest of its state, and `rebuild` restores the index from
 * those documents at start-up. A call that starts or completes a task therefore writes no
 * deadline rows. Changes are journaled so they follow their SQLite transaction.
 *
 * Order: due time, then schedule-to-close before the other kinds (an activity whose two clocks
 * end together times out as SCHEDULE_TO_CLOSE, as SWF reports it), then run, kind and ref, so a
 * pass fires ties in the same order on every start.
 */
export class DeadlineIndex {
  private readonly heap: ArmedDeadline[] = [];
  /** Each run's deadlines by `slotOf(kind, ref)`: a number, so a look-up builds and hashes no string. */
  private readonly byRun = new Map<number, Map<number, ArmedDeadline>>();

  constructor(private readonly journal: UndoJournal = new UndoJournal()) {}

  get size(): number {
    return this.heap.length;
  }

  /** Arms (or moves) the deadline `kind`/`ref` of a run; returns it as armed. */
  set(executionId: number, kind: DeadlineKind, ref: number, due: number): ArmedDeadline {
    const old = this.byRun.get(executionId)?.get(slotOf(kind, ref));
    if (old) {
      if (old.due === due) return old;
      this.remove(old);
      this.journal.record(() => this.insert(old));
    }
    const entry: ArmedDeadline = { executionId, kind, ref, due, slot: -1, key: old ? old.key : deadlineKey(kind, ref) };
    this.insert(entry);
    this.journal.record(() => this.remove(entry));
    return entry;
  }

  /** Disarms the deadline `kind`/`ref` of a run; returns what was armed, if anything. */
  clear(executionId: number, kind: DeadlineKind, ref: number): ArmedDeadline | undefined {
    const entry = this.byRun.get(executionId)?.get(slotOf(kind, ref));
    if (!entry) return undefined;
    this.remove(entry);
    this.journal.record(() => this.insert(entry));
    return entry;
  }

  clearRun(executionId: number): void {
    const entries = this.byRun.get(executionId);
    if (entries) for (const entry of [...entries.values()]) this.clear(executionId, entry.kind, entry.ref);
  }

  /**
   * A run's armed deadlines as its state document lists them, in JSON: `{"<kind> <ref>": due}`.
   * Kinds and refs need no escaping (capitals, `_`, a space, digits), and `String` writes a finite
   * number as JSON does; anything else (validated durations never give one) as JSON's `null`.
   */
  documentOf(executionId: number): string {
    const run = this.byRun.get(executionId);
    if (!run) return '{}';
    let json = '';
    for (const entry of run.values()) json += `${json ? ',' : ''}"${entry.key}":${Number.isFinite(entry.due) ? entry.due : null}`;
    return `{${json}}`;
  }

  /** The earliest armed deadline. */
  first(): ArmedDeadline | undefined {
    return this.heap[0];
  }

  /** Every armed deadline of `kind`, earliest first. */
  ofKind(kind: DeadlineKind): ArmedDeadline[] {
    return this.heap.filter((d) => d.kind === kind).sort(compare);
  }

  /** Restores the index from the open runs' state documents (start-up). */
  rebuild(runs: Iterable<{ executionId: number; deadlines: Record<string, number> | undefined }>): void {
    for (const { executionId, deadlines } of runs) {
      for (const key in deadlines) {
        const { kind, ref } = parseDeadlineKey(key);
        this.set(executionId, kind, ref, deadlines[key]!);
      }
    }
    this.journal.clear();
  }

  private insert(entry: ArmedDeadline): void {
    let run = this.byRun.get(entry.executionId);
    if (!run) this.byRun.set(entry.executionId, (run = new Map()));
    run.set(slotOf(entry.kind, entry.ref), entry);
    entry.slot = this.heap.length;
    this.heap.push(entry);
    this.up(entry.slot);
  }

  private remove(entry: ArmedDeadline): void {
    const run = this.byRun.get(entry.executionId);
    if (run) {
      run.delete(slotOf(entry.kind, entry.ref));
      if (run.size === 0) this.byRun.delete(entry.executionId);
    }
    const slot = entry.slot;
    const last = this.heap.pop()!;
    entry.slot = -1;
    if (last === entry) return;
    this.heap[slot] = last;
    last.slot = slot;
    this.up(slot);
    this.down(last.slot);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compare(h[p]!, e) <= 0) break;
      h[i] = h[p]!;
      h[i]!.slot = i;
      i = p;
    }
    h[i] = e;
    e.slot = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    const n = h.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && compare(h[c + 1]!, h[c]!) < 0) c++;
      if (compare(e, h[c]!) <= 0) break;
      h[i] = h[c]!;
      h[i]!.slot = i;
      i = c;
    }
    h[i] = e;
    e.slot = i;
  }
}

/** Kinds as small numbers, for `slotOf`. */
const KIND_NUMBER: Record<DeadlineKind, number> = {
  EXECUTION: 0,
  DECISION_START_TO_CLOSE: 1,
  DECISION_SCHEDULE_TO_START: 2,
  ACTIVITY_SCHEDULE_TO_START: 3,
  ACTIVITY_SCHEDULE_TO_CLOSE: 4,
  ACTIVITY_START_TO_CLOSE: 5,
  ACTIVITY_HEARTBEAT: 6,
  TIMER: 7,
  LAMBDA_START_TO_CLOSE: 8,
  RETENTION: 9,
};

/** A deadline's place among its run's: one number per (kind, ref). */
function slotOf(kind: DeadlineKind, ref: number): number {
  return ref * 16 + KIND_NUMBER[kind];
}

/** How a run's state document names a deadline: `<kind> <ref>`. */
export function deadlineKey(kind: DeadlineKind, ref: number): string {
  return `${kind} ${ref}`;
}

export function parseDeadlineKey(key: string): { kind: DeadlineKind; ref: number } {
  const space = key.indexOf(' ');
  return { kind: key.slice(0, space) as DeadlineKind, ref: Number(key.slice(space + 1)) };
}

function compare(a: ArmedDeadline, b: ArmedDeadline): number {
  return (
    a.due - b.due ||
    Number(b.kind === 'ACTIVITY_SCHEDULE_TO_CLOSE') - Number(a.kind === 'ACTIVITY_SCHEDULE_TO_CLOSE') ||
    a.executionId - b.executionId ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
    a.ref - b.ref
  );
}
