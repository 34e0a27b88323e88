/**
 * boto3 (Python) against the in-process engine: test/python/boto3_scenarios.py runs a child
 * workflow and a continue-as-new loop with deciders written in Python and prints a JSON summary,
 * which is checked here. The script runs as an async child process: the engine lives in this
 * process and must keep serving while Python waits on it.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { startTestEngine, type TestEngine } from '../helpers/engine';

const REPO = resolve(__dirname, '../..');
const SCRIPT = resolve(REPO, 'test/python/boto3_scenarios.py');

interface Exec {
  workflowId: string;
  runId: string;
}

interface Summary {
  boto3: string;
  domain: string;
  emptyPoll: { decision: object; activity: object };
  child: {
    parent: Exec;
    parentCloseStatus: string;
    parentResult: string;
    parentEventTypes: string[];
    child: Exec;
    childCloseStatus: string;
    childParent: Exec;
    childCompleted: { result: string; workflowExecution: Exec; initiatedEventId: number; startedEventId: number }[];
    childStartedEventId: number;
  };
  continueAsNew: {
    workflowId: string;
    finalRunId: string;
    runs: { runId: string; closeStatus: string; input: string; continuedExecutionRunId: string | null; lastEventType: string; result?: string }[];
  };
}

/** A Python-side environment that ignores any AWS profile or config of the machine. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const key of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SWF']) {
    delete env[key];
  }
  return env;
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }> {
  return new Promise((done) => {
    execFile(file, args, { cwd: REPO, env: pythonEnv(), timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      done({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr), ...(e ? { error: e } : {}) });
    });
  });
}

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 1000 });
});

afterAll(async () => {
  await t?.close();
});

test('boto3 runs a child workflow and a continue-as-new loop end to end', async () => {
  const probe = await run('python3', ['-c', 'import boto3, botocore; print(boto3.__version__)'], 15_000);
  if (probe.code !== 0) {
    throw new Error(
      'This test needs python3 with boto3 installed (python3 -c "import boto3" failed): ' +
        (probe.error?.code === 'ENOENT' ? 'python3 is not on PATH' : probe.stderr.trim() || String(probe.error?.message)),
    );
  }

  const out = await run('python3', [SCRIPT, t.engine.endpoint], 28_000);
  if (out.code !== 0) throw new Error(`boto3_scenarios.py failed (exit ${out.code ?? (out.error as { signal?: string } | undefined)?.signal}):\n${out.stderr}\n${out.stdout}`);
  const summary = JSON.parse(out.stdout.trim().split('\n').pop()!) as Summary;

  // Child workflow: the parent saw the child's result and completed with it.
  const c = summary.child;
  expect(c.childCloseStatus).toBe('COMPLETED');
  expect(c.childParent).toEqual(c.parent);
  expect(c.childCompleted).toEqual([
    { result: 'HELLO FROM PARENT', workflowExecution: c.child, initiatedEventId: expect.any(Number), startedEventId: c.childStartedEventId },
  ]);
  expect(c.parentCloseStatus).toBe('COMPLETED');
  expect(c.parentResult).toBe('parent saw: HELLO FROM PARENT');
  expect(c.parentEventTypes).toEqual(
    expect.arrayContaining(['StartChildWorkflowExecutionInitiated', 'ChildWorkflowExecutionStarted', 'ChildWorkflowExecutionCompleted', 'WorkflowExecutionCompleted']),
  );
  expect(c.parentEventTypes[c.parentEventTypes.length - 1]).toBe('WorkflowExecutionCompleted');

  // Continue-as-new: three runs chained by continuedExecutionRunId; the last one completed.
  const loop = summary.continueAsNew;
  expect(loop.runs.map((r) => [r.input, r.closeStatus, r.lastEventType])).toEqual([
    ['0', 'CONTINUED_AS_NEW', 'WorkflowExecutionContinuedAsNew'],
    ['1', 'CONTINUED_AS_NEW', 'WorkflowExecutionContinuedAsNew'],
    ['2', 'COMPLETED', 'WorkflowExecutionCompleted'],
  ]);
  expect(loop.runs[0]!.continuedExecutionRunId ?? null).toBeNull();
  expect(loop.runs[1]!.continuedExecutionRunId).toBe(loop.runs[0]!.runId);
  expect(loop.runs[2]!.continuedExecutionRunId).toBe(loop.runs[1]!.runId);
  expect(loop.finalRunId).toBe(loop.runs[2]!.runId);
  expect(loop.runs[2]!.result).toBe('done after 2');
  // boto3 with the default empty poll: no taskToken member at all.
  expect(summary.emptyPoll).toEqual({ decision: { startedEventId: 0, previousStartedEventId: 0 }, activity: { startedEventId: 0 } });
  expect(new Set(loop.runs.map((r) => r.runId)).size).toBe(3);
}, 40_000);
