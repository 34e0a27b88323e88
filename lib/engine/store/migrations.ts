/**
 * Versioned schema. Each entry runs once, in order, inside one transaction, and bumps
 * `PRAGMA user_version`; a database written by a newer engine is refused rather than guessed at.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: domains, types, executions, history, task queue, durable deadlines.
  `
  CREATE TABLE domains (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    description TEXT,
    retention TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (region, name)
  );
  CREATE TABLE domain_tags (
    domain_id INTEGER NOT NULL REFERENCES domains(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (domain_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE types (
    id INTEGER PRIMARY KEY,
    domain_id INTEGER NOT NULL REFERENCES domains(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    description TEXT,
    created_at REAL NOT NULL,
    deprecated_at REAL,
    config TEXT NOT NULL,
    UNIQUE (domain_id, kind, name, version)
  );
  CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    domain_id INTEGER NOT NULL REFERENCES domains(id),
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    type_name TEXT NOT NULL,
    type_version TEXT NOT NULL,
    status TEXT NOT NULL,
    close_status TEXT,
    started_at REAL NOT NULL,
    closed_at REAL,
    tags TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    parent TEXT,
    state TEXT NOT NULL
  );
  CREATE UNIQUE INDEX executions_one_open_run ON executions (domain_id, workflow_id) WHERE status = 'OPEN';
  CREATE INDEX executions_by_start ON executions (domain_id, status, started_at);
  CREATE INDEX executions_by_close ON executions (domain_id, status, closed_at);
  CREATE TABLE history (
    execution_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event_timestamp REAL NOT NULL,
    attributes TEXT NOT NULL,
    PRIMARY KEY (execution_id, event_id)
  ) WITHOUT ROWID;
  CREATE TABLE task_queue (
    id INTEGER PRIMARY KEY,
    domain_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    task_list TEXT NOT NULL,
    priority INTEGER NOT NULL,
    execution_id INTEGER NOT NULL,
    scheduled_event_id INTEGER NOT NULL
  );
  CREATE INDEX task_queue_by_list ON task_queue (domain_id, kind, task_list, priority DESC, id);
  CREATE UNIQUE INDEX task_queue_by_task ON task_queue (execution_id, kind, scheduled_event_id);
  CREATE TABLE deadlines (
    execution_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    due REAL NOT NULL,
    PRIMARY KEY (execution_id, kind, ref)
  ) WITHOUT ROWID;
  CREATE INDEX deadlines_by_due ON deadlines (due);
  `,
  // 2: per-database secrets; the page-token key signs every nextPageToken this database issues.
  `
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO secrets (name, value) VALUES ('page-token', randomblob(32));
  `,
  // 3: the tasks waiting for pollers live in memory, rebuilt from the runs' state documents at
  // start-up (every queued task is a SCHEDULED decision or activity there): no queue table.
  `
  DROP TABLE task_queue;
  `,
  // 4: an open run's deadlines move into its state document ("<kind> <ref>": due), from which the
  // engine rebuilds them in memory at start-up, so starting or closing a task writes no deadline
  // row. Only closed runs' retention clocks stay in the table.
  `
  UPDATE executions
     SET state = json_set(state, '$.deadlines',
                          json((SELECT json_group_object(kind || ' ' || ref, due) FROM deadlines WHERE execution_id = executions.id)))
   WHERE status = 'OPEN' AND id IN (SELECT execution_id FROM deadlines);
  DELETE FROM deadlines WHERE kind <> 'RETENTION';
  `,
];
