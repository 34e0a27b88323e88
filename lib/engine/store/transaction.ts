import type { Execution } from '../execution/execution';
import type { ExecutionRecord } from '../execution/state';
import type { IdSource } from '../util/ids';
import type { ExecutionStore } from './execution-store';

/**
 * One API call's view of the engine while its transaction is open: what the operations and the
 * runs they touch may read and change. Everything written through it commits together or not
 * at all.
 */
export interface Tx {
  /** The call's time, epoch ms: every event of the transaction is stamped from it. */
  readonly now: number;
  readonly executions: ExecutionStore;
  readonly ids: IdSource;
  /** Opens a run for changes; `save` it before the transaction ends. */
  open(record: ExecutionRecord): Execution;
  /** Writes the run's changes and carries out what it asked of other runs, in this transaction. */
  save(exec: Execution): void;
  /** Runs `fn` once the transaction has committed (never if it rolls back). */
  afterCommit(fn: () => void): void;
}
