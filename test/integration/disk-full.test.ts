/**
 * A full disk (found by `npm run chaos`): the engine refuses writes with a typed, retryable
 * ServiceUnavailableException instead of an InternalFailure, acknowledges nothing it did not
 * commit, keeps running when a deadline pass or a Lambda outcome cannot be written, and carries on
 * by itself once space returns. The first test fills the "disk" with SQLite's max_page_count,
 * which fails writes with SQLITE_FULL as a full file system does, without needing a mount.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { swfClient } from '../helpers/engine';
import { fullHistory } from '../helpers/history';

const FIXTURE = join(__dirname, '../fixtures/lambda/handlers.ts');

let dir: string;
let engine: RunningEngine;
let swf: SWF;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swf-disk-full-'));
  engine = await startEngine({ port: 0, db: join(dir, 'swf.sqlite'), pollTimeoutMs: 1000, lambdaFunctions: { slow: { module: FIXTURE, export: 'hang' } } });
  swf = swfClient(engine.endpoint);
  await swf.registerDomain({ name: 'full', workflowExecutionRetentionPeriodInDays: '1' });
  await swf.registerWorkflowType({
    domain: 'full',
    name: 'Flow',
    version: '1',
    defaultTaskList: { name: 'decisions' },
    defaultExecutionStartToCloseTimeout: '3600',
    defaultTaskStartToCloseTimeout: '1',
    defaultChildPolicy: 'TERMINATE',
    defaultLambdaRole: 'arn:aws:iam::123456789012:role/lambda',
  });
});

afterAll(async () => {
  swf.destroy();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const pages = () => engine.core.db.pragma('page_count', { simple: true }) as number;
/** The database may not grow past its current size: every write that needs a page fails with SQLITE_FULL. */
const fillDisk = () => engine.core.db.pragma(`max_page_count = ${pages()}`);
const freeDisk = () => engine.core.db.pragma('max_page_count = 1073741823');

async function startFlow(workflowId: string, taskList = 'decisions'): Promise<string> {
  return (await swf.startWorkflowExecution({ domain: 'full', workflowId, workflowType: { name: 'Flow', version: '1' }, taskList: { name: taskList } })).runId!;
}

test('writes are refused with a typed 503 while the disk is full, and nothing refused is kept', async () => {
  fillDisk();
  const refused: string[] = [];
  const acknowledged: string[] = [];
  try {
    for (let i = 0; i < 200 && refused.length < 3; i++) {
      const id = `during-${i}`;
      try {
        await startFlow(id);
        acknowledged.push(id);
      } catch (error) {
        const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
        expect(e.name).toBe('ServiceUnavailableException');
        expect(e.$metadata?.httpStatusCode).toBe(503);
        expect(e.message).toMatch(/disk is full/);
        refused.push(id);
      }
    }
  } finally {
    freeDisk();
  }
  expect(refused.length).toBeGreaterThan(0);
  const openRuns = async (id: string) =>
    (await swf.countOpenWorkflowExecutions({ domain: 'full', startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId: id } })).count;
  for (const id of acknowledged) expect(await openRuns(id)).toBe(1);
  for (const id of refused) expect(await openRuns(id)).toBe(0);
  // Space is back: the same call now succeeds.
  await startFlow('after');
});
test('a deadline and a Lambda outcome that cannot be written do not stop the engine; the deadline lands once space returns', async () => {
  const runId = await startFlow('deadline', 'lambda-decisions');
  const task = await swf.pollForDecisionTask({ domain: 'full', taskList: { name: 'lambda-decisions' } });
  expect(task.workflowExecution?.workflowId).toBe('deadline');
  await swf.respondDecisionTaskCompleted({
    taskToken: task.taskToken!,
    decisions: [{ decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'l1', name: 'slow', input: '{"ms":300}', startToCloseTimeout: '1' } }],
  });
  // From here every write of a run fails as on a full disk: the Lambda's outcome (after 300 ms)
  // and its start-to-close deadline (after 1 s) cannot be recorded. Before the fix, either one
  // threw out of a callback and took the engine process down.
  const save = jest.spyOn(engine.core.executions, 'save').mockImplementation(() => {
    throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  });
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    await new Promise((r) => setTimeout(r, 1600));
    expect(save).toHaveBeenCalled();
  } finally {
    save.mockRestore();
  }
  // Space is back: the engine retries the deadline pass by itself and the timeout lands.
  let types: string[] = [];
  for (let i = 0; i < 50 && !types.includes('LambdaFunctionTimedOut'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    types = (await fullHistory(swf, 'full', { workflowId: 'deadline', runId })).map((e) => e.eventType!);
  }
  logged.mockRestore();
  expect(types).toContain('LambdaFunctionTimedOut');
  expect(types).not.toContain('LambdaFunctionCompleted');
});
