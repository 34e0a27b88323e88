/**
 * A full disk (found by `npm run chaos`): the engine refuses writes with a typed, retryable
 * ServiceUnavailableException instead of an InternalFailure, acknowledges nothing it did not
 * commit, and carries on by itself once space returns. The disk is made "full" with SQLite's
 * max_page_count, which fails writes with SQLITE_FULL as a full file system does, without a mount.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { swfClient } from '../helpers/engine';

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
