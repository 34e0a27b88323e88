import type { Db } from './database';

export type SecretName = 'page-token';

/** A per-database secret, created with the schema (migration 2), so it survives restarts. */
export function readSecret(db: Db, name: SecretName): Buffer {
  const row = db.prepare('SELECT value FROM secrets WHERE name = ?').get(name) as { value: Buffer } | undefined;
  if (!row || row.value.length < 32) throw new Error(`database secret ${name} is missing`);
  return row.value;
}
