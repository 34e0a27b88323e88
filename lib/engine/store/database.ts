import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { acquireLock } from './lock-file';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export const IN_MEMORY = ':memory:';

/** An open engine database; `close` stops its checkpointer and releases its lock. */
export interface EngineDatabase {
  db: Db;
  /** How the WAL was started over so far: by the engine between calls, or forced by the checkpointer. */
  readonly walRestarts: { byEngine: number; forced: number };
  close(): Promise<void>;
}

/** How the WAL checkpointer paces itself (see checkpoint-worker.cjs); tests shrink these. */
export interface CheckpointTuning {
  /** How often the checkpointer copies the WAL into the database (and, so, syncs the WAL). */
  intervalMs: number;
  /** WAL content past which the WAL is started over. */
  restartBytes: number;
  /**
   * WAL content past which the checkpointer restarts the WAL itself, making the writer wait,
   * instead of asking the engine: writes outpacing its copies.
   */
  forceRestartBytes: number;
  /** A catch-up round that copied no more frames than this leaves the engine little to copy. */
  catchUpFrames: number;
  /** How long the checkpointer waits for the engine to finish a restart before copying on. */
  engineWaitMs: number;
}

const DEFAULT_TUNING: CheckpointTuning = {
  intervalMs: 250,
  restartBytes: 32 * 1024 * 1024,
  forceRestartBytes: 128 * 1024 * 1024,
  catchUpFrames: 64,
  engineWaitMs: 2_000,
};

/**
 * Opens (and migrates) the engine's database. WAL with synchronous=NORMAL survives a killed
 * process (the WAL is in the OS cache); only a power loss could drop the last transactions.
 * Automatic checkpoints are off on the engine's connection: a worker thread checkpoints instead,
 * so no API call pays for copying pages; it asks the engine (a message, so between two calls) to
 * copy the last few frames when the WAL is due to start over. A lock file keeps a second engine
 * off the same file.
 */
export function openDatabase(file: string, tuning: Partial<CheckpointTuning> = {}): EngineDatabase {
  const inMemory = file === IN_MEMORY;
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const release = inMemory ? () => {} : acquireLock(file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    release();
    throw error;
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -16000');
    if (!inMemory) db.pragma('wal_autocheckpoint = 0');
    migrate(db);
  } catch (error) {
    db.close();
    release();
    throw error;
  }
  const checkpointer = inMemory
    ? undefined
    : new Worker(join(__dirname, 'checkpoint-worker.cjs'), {
        workerData: { file, ...DEFAULT_TUNING, ...tuning },
        // Plain CommonJS: none of the parent's loaders (tsx, profilers) are needed or wanted.
        execArgv: [],
      });
  checkpointer?.unref();
  let closed = false;
  const walRestarts = { byEngine: 0, forced: 0 };
  checkpointer?.on('message', (message) => {
    if (message === 'forced-restart') walRestarts.forced++;
    if (message !== 'finish-restart' || closed) return;
    try {
      // Copies the frames written since the checkpointer's last round; with every frame copied,
      // the next write transaction starts the WAL over. An embedder holding a transaction open
      // across ticks is simply asked again after the next round.
      if (!db.inTransaction) {
        db.pragma('wal_checkpoint(PASSIVE)');
        walRestarts.byEngine++;
      }
    } catch {
      // The checkpointer forces a restart if the engine never manages one.
    }
    checkpointer.postMessage('restart-finished');
  });
  let closing: Promise<void> | undefined;
  return {
    db,
    walRestarts,
    close: () =>
      (closing ??= (async () => {
        closed = true;
        if (checkpointer) {
          await new Promise<void>((resolve) => {
            checkpointer.on('message', (message) => message === 'stopped' && resolve());
            checkpointer.once('exit', () => resolve());
            checkpointer.postMessage('stop');
          });
          await checkpointer.terminate();
        }
        db.close();
        release();
      })()),
  };
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this engine understands (${MIGRATIONS.length})`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
