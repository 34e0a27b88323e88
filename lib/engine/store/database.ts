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
  close(): Promise<void>;
}

/** How often the checkpointer copies the WAL into the database. */
const CHECKPOINT_INTERVAL_MS = 250;
/** WAL content past which the checkpointer starts it over. */
const WAL_RESTART_BYTES = 32 * 1024 * 1024;

/**
 * Opens (and migrates) the engine's database. WAL with synchronous=NORMAL survives a killed
 * process (the WAL is in the OS cache); only a power loss could drop the last transactions.
 * Automatic checkpoints are off on the engine's connection: a worker thread checkpoints instead,
 * so no API call pays for copying pages. A lock file keeps a second engine off the same file.
 */
export function openDatabase(file: string): EngineDatabase {
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
        workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS, restartBytes: WAL_RESTART_BYTES },
        // Plain CommonJS: none of the parent's loaders (tsx, profilers) are needed or wanted.
        execArgv: [],
      });
  checkpointer?.unref();
  let closing: Promise<void> | undefined;
  return {
    db,
    close: () =>
      (closing ??= (async () => {
        if (checkpointer) {
          await new Promise<void>((resolve) => {
            checkpointer.once('message', () => resolve());
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
