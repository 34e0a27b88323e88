/**
 * A Lambda task running when the engine is killed (found by `npm run chaos` on the pipeline): the
 * invoker runs inside the engine process, so the invocation dies with it. On restart the engine
 * invokes it again for the time left to its start-to-close deadline, so the workflow gets its
 * result instead of waiting out the whole timeout (up to 15 minutes for a transcode).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { swfClient } from '../helpers/engine';
import { killAllSpawned, spawnEngine } from '../helpers/engine-process';
import { fullHistory, sleep } from '../helpers/history';

const FIXTURE = join(__dirname, '../fixtures/lambda/handlers.ts');
/** Far longer than the test may take: the task must not have to time out. */
const START_TO_CLOSE_SECONDS = 300;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swf-crash-lambda-'));
});
afterAll(async () => {
  await killAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

test('a Lambda task cut by kill -9 is invoked again after the restart and completes', async () => {
  const db = join(dir, 'swf.sqlite');
  const functions = join(dir, 'functions.json');
  writeFileSync(functions, JSON.stringify({ hang: { module: FIXTURE, export: 'hang' } }));
  const args = ['--lambda-functions', functions];
  let engine = await spawnEngine(db, args);
  let swf = swfClient(engine.endpoint);
  await swf.registerDomain({ name: 'crash', workflowExecutionRetentionPeriodInDays: '1' });
  await swf.registerWorkflowType({
    domain: 'crash',
    name: 'Flow',
    version: '1',
    defaultTaskList: { name: 'decisions' },
    defaultExecutionStartToCloseTimeout: '3600',
    defaultTaskStartToCloseTimeout: '60',
    defaultChildPolicy: 'TERMINATE',
    defaultLambdaRole: 'arn:aws:iam::123456789012:role/lambda',
  });
  const { runId } = await swf.startWorkflowExecution({ domain: 'crash', workflowId: 'lambda', workflowType: { name: 'Flow', version: '1' } });
  const task = await swf.pollForDecisionTask({ domain: 'crash', taskList: { name: 'decisions' } });
  await swf.respondDecisionTaskCompleted({
    taskToken: task.taskToken!,
    decisions: [
      {
        decisionType: 'ScheduleLambdaFunction',
        scheduleLambdaFunctionDecisionAttributes: { id: 'slow', name: 'hang', input: JSON.stringify({ ms: 2000 }), startToCloseTimeout: String(START_TO_CLOSE_SECONDS) },
      },
    ],
  });
  await sleep(500); // the function is running
  await engine.kill9();
  swf.destroy();

  engine = await spawnEngine(db, args);
  swf = swfClient(engine.endpoint);
  const execution = { workflowId: 'lambda', runId: runId! };
  let types: string[] = [];
  for (let i = 0; i < 200 && !types.includes('LambdaFunctionCompleted'); i++) {
    await sleep(100);
    types = (await fullHistory(swf, 'crash', execution)).map((e) => e.eventType!);
  }
  expect(types).toEqual([
    'WorkflowExecutionStarted',
    'DecisionTaskScheduled',
    'DecisionTaskStarted',
    'DecisionTaskCompleted',
    'LambdaFunctionScheduled',
    'LambdaFunctionStarted',
    'LambdaFunctionCompleted',
    'DecisionTaskScheduled',
  ]);
  swf.destroy();
  await engine.kill9();
}, 60_000);
