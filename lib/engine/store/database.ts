import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export const IN_MEMORY = ':memory:';

/**
 * Opens (and migrates) the engine's database. WAL with synchronous=NORMAL survives a killed
 * process (the WAL is in the OS cache); only a power loss could drop the last transactions.
 * The exclusive lock keeps a second engine off the same file, whose in-memory long-poll
 * waiters would otherwise never hear about the first one's tasks.
 */
export function openDatabase(file: string): Db {
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -16000');
    if (file !== IN_MEMORY) {
      db.pragma('locking_mode = EXCLUSIVE');
      // Take the lock now, so a second engine fails at start-up, not at its first write.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    }
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new Error(`database ${file} is locked: another swf-local (or another program) is using it`);
    }
    throw error;
  }
  migrate(db);
  return db;
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
