/**
 * Undo steps for in-memory structures that follow the SQLite transaction their changes belong
 * to (the ready queue, the deadline index): between `begin` and `commit` each change records how
 * to undo itself, and `rollback` replays those steps, so memory never keeps what a rolled-back
 * call did. Transactions nest; an inner one's steps stay until the outermost one commits.
 */
export class UndoJournal {
  private readonly steps: (() => void)[] = [];
  /** Where each open transaction's steps start, innermost last. */
  private readonly marks: number[] = [];

  begin(): void {
    this.marks.push(this.steps.length);
  }

  commit(): void {
    this.marks.pop();
    if (this.marks.length === 0) this.steps.length = 0;
  }

  rollback(): void {
    const mark = this.marks.pop() ?? 0;
    while (this.steps.length > mark) this.steps.pop()!();
  }

  /** Records `undo` if a transaction is open; outside one (start-up rebuilds) there is nothing to undo. */
  record(undo: () => void): void {
    if (this.marks.length > 0) this.steps.push(undo);
  }

  /** Forgets every step: the structure was just rebuilt. */
  clear(): void {
    this.steps.length = 0;
  }
}
