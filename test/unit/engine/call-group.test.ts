/**
 * The API calls of one turn of the event loop commit together (EngineCore.openCallGroup): each
 * call is a savepoint, the group commits in the loop's check phase, and every answer waits for
 * that commit. Driven here on an engine core with the operations called directly, as the HTTP
 * server calls them; a second connection shows what is committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_CONFIG } from '../../../lib/engine/config';
import { EngineCore } from '../../../lib/engine/core';
import { OPERATION_HANDLERS } from '../../../lib/engine/operations';
import type { RawJson } from '../../../lib/engine/operations/types';
import { openDatabase, type EngineDatabase } from '../../../lib/engine/store/database';
import { sequentialIds } from '../../../lib/engine/util/ids';

let dir: string;
let database: EngineDatabase;
let core: EngineCore;
let reader: Database.Database;

const ctx = () => ({ region: 'us-east-1', requestId: 'r', signal: new AbortController().signal });
const endOfTurn = () => new Promise((r) => setImmediate(r));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swf-group-'));
  const file = join(dir, 'engine.sqlite');
  database = openDatabase(file);
  core = new EngineCore(database.db, { ...DEFAULT_CONFIG, pollTimeoutMs: 60_000 }, { now: () => Date.now() }, sequentialIds('u'));
  await OPERATION_HANDLERS.RegisterDomain!(core, ctx(), { name: 'd', workflowExecutionRetentionPeriodInDays: '1' });
  await OPERATION_HANDLERS.RegisterWorkflowType!(core, ctx(), {
    domain: 'd',
    name: 'Flow',
    version: '1',
    defaultTaskList: { name: 'deciders' },
    defaultExecutionStartToCloseTimeout: '3600',
    defaultTaskStartToCloseTimeout: '300',
    defaultChildPolicy: 'TERMINATE',
  });
  reader = new Database(file, { readonly: true });
});

afterEach(async () => {
  core.stop();
  reader.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (workflowId: string) =>
  OPERATION_HANDLERS.StartWorkflowExecution!(core, ctx(), { domain: 'd', workflowId, workflowType: { name: 'Flow', version: '1' } });
const committedRuns = () => (reader.prepare('SELECT workflow_id FROM executions ORDER BY id').pluck().all() as string[]);
const domainId = () => core.registry.domain('us-east-1', 'd')!.id;

test('the calls of one turn commit together, and each is answered only after that commit', async () => {
  const answered: unknown[] = [];
  core.openCallGroup();
  start('one');
  core.whenCommitted((error) => answered.push(error ?? 'ok'));
  start('two');
  core.whenCommitted((error) => answered.push(error ?? 'ok'));
  // Both ran (the engine's own connection sees them) but neither is committed or answered.
  expect(core.executions.countOpen(domainId())).toBe(2);
  expect(committedRuns()).toEqual([]);
  expect(answered).toEqual([]);
  await endOfTurn();
  expect(committedRuns()).toEqual(['one', 'two']);
  expect(answered).toEqual(['ok', 'ok']);
  // With no group open, an answer goes out at once.
  core.whenCommitted(() => answered.push('now'));
  expect(answered).toEqual(['ok', 'ok', 'now']);
});

test('a call that fails rolls back alone; the others of its group commit', async () => {
  core.openCallGroup();
  start('kept');
  expect(() =>
    core.run(() => {
      core.db.prepare("INSERT INTO domain_tags (domain_id, key, value) VALUES (?, 'k', 'v')").run(domainId());
      throw new Error('the call fails after writing');
    }),
  ).toThrow('the call fails after writing');
  start('also kept');
  await endOfTurn();
  expect(committedRuns()).toEqual(['kept', 'also kept']);
  expect(reader.prepare('SELECT count(*) FROM domain_tags').pluck().get()).toBe(0);
});

test('a group that cannot commit answers every call with the error and leaves memory as it was', async () => {
  // A poll waiting before the group: a start in the group hands it its task.
  const poll = OPERATION_HANDLERS.PollForDecisionTask!(core, ctx(), { domain: 'd', taskList: { name: 'deciders' } }) as Promise<RawJson>;
  const errors: unknown[] = [];
  core.db.pragma('foreign_keys = ON'); // outside a transaction, where it takes effect
  core.openCallGroup();
  start('lost');
  core.whenCommitted((error) => errors.push(error));
  // A deferred foreign-key violation fails the COMMIT itself, as a full disk or an I/O error would.
  core.run(() => {
    core.db.pragma('defer_foreign_keys = ON');
    core.db.prepare("INSERT INTO domain_tags (domain_id, key, value) VALUES (999, 'k', 'v')").run();
  });
  core.whenCommitted((error) => errors.push(error));
  expect(core.executions.countOpen(domainId())).toBe(1);
  await endOfTurn();
  expect(errors).toHaveLength(2);
  expect(errors.map(String)).toEqual([expect.stringMatching(/FOREIGN KEY/), expect.stringMatching(/FOREIGN KEY/)]);
  expect(committedRuns()).toEqual([]);
  expect(core.executions.countOpen(domainId())).toBe(0);
  // The poll was put back: it gets the next run's task, not the lost one's.
  await start('next');
  expect(JSON.parse((await poll).text).workflowExecution.workflowId).toBe('next');
});

test('a full disk that rolls back the whole transaction takes the calls before it along, not those after', async () => {
  const answers: unknown[] = [];
  core.openCallGroup();
  start('before');
  core.whenCommitted((error) => answers.push(error ?? 'ok'));
  // SQLITE_FULL rolls back the whole transaction, not only the failing call's savepoint.
  core.db.pragma(`max_page_count = ${core.db.pragma('page_count', { simple: true })}`);
  expect(() => core.run(() => core.db.prepare('INSERT INTO domain_tags (domain_id, key, value) VALUES (?, ?, zeroblob(100000))').run(domainId(), 'big'))).toThrow(
    expect.objectContaining({ code: 'SQLITE_FULL' }),
  );
  // The call before was answered with the error at once (nothing of it is kept)...
  expect(answers).toHaveLength(1);
  expect(answers[0]).toEqual(expect.objectContaining({ code: 'SQLITE_FULL' }));
  expect(core.executions.countOpen(domainId())).toBe(0);
  // ...and a call after it, once space returns, commits in a group of its own.
  core.db.pragma('max_page_count = 1073741823');
  start('after');
  core.whenCommitted((error) => answers.push(error ?? 'ok'));
  await endOfTurn();
  expect(answers[1]).toBe('ok');
  expect(committedRuns()).toEqual(['after']);
});
