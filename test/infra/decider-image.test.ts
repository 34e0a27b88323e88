/**
 * The decider image (Dockerfile), without a Docker engine: its shape (multi-stage, Node.js 22,
 * non-root, plain node running one bundle) and its build step, run here as the build stage runs it;
 * the bundle it makes then decides a real execution on swf-local and stops cleanly on SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureRegistered } from '../../lib/registration/register';
import { registrationSpec } from '../../lib/registration/spec';
import { TASK_LISTS, WORKFLOW_TYPE } from '../../lib/video/definition';
import { startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { REPO_ROOT } from './synth';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
/** Instructions, comments and continuations folded. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((acc, line) => {
  if (/^FROM\s/i.test(line)) acc.push([line]);
  else acc.at(-1)?.push(line);
  return acc;
}, []);

describe('Dockerfile', () => {
  test('two stages from the Node.js 22 image; the runtime stage runs node dist/decider.js as the non-root node user', () => {
    expect(stages).toHaveLength(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=public\.ecr\.aws\/docker\/library\/node:22-[a-z-]+$/m);
    expect(stages[0]![0]).toBe('FROM ${NODE_IMAGE} AS build');
    const runtime = stages[1]!;
    expect(runtime[0]).toBe('FROM ${NODE_IMAGE} AS runtime');
    expect(runtime).toContain('COPY --from=build /src/dist/ ./dist/');
    expect(runtime).toContain('USER node');
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/decider.js"]');
    // Nothing after USER switches back to root, and the runtime stage installs nothing.
    expect(runtime.slice(runtime.indexOf('USER node'))).not.toContainEqual(expect.stringMatching(/^USER\s+(root|0)\b/));
    expect(runtime.filter((l) => /^RUN\s/.test(l))).toEqual([]);
    expect(instructions.filter((l) => /^ADD\s/.test(l))).toEqual([]);
  });

  test('the build stage installs from the lock file and bundles bin/decider.ts with esbuild', () => {
    const build = stages[0]!;
    expect(build).toContain('RUN npm ci --ignore-scripts --no-audit --no-fund');
    expect(build.some((l) => l.startsWith('RUN npx esbuild bin/decider.ts --bundle --platform=node --target=node22'))).toBe(true);
  });
});

describe('the bundle the build stage makes', () => {
  let dir: string;
  let bundle: string;
  let t: TestEngine;
  let decider: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'decider-image-'));
    bundle = path.join(dir, 'decider.js');
    // The build stage's own command, with the output redirected here.
    const command = stages[0]!.find((l) => l.startsWith('RUN npx esbuild'))!.slice('RUN '.length).replace('--outfile=dist/decider.js', `--outfile=${bundle}`);
    const [bin, ...args] = command.split(/\s+/);
    const built = spawnSync(bin!, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
    t = await startTestEngine({ pollTimeoutMs: 1000 });
  }, 90_000);

  afterAll(async () => {
    decider?.kill('SIGKILL');
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs with plain node, answers a decision task on swf-local, and exits 0 on SIGTERM', async () => {
    const spec = registrationSpec();
    const domain = unique('image');
    spec.domain.name = domain;
    await ensureRegistered(t.swf, spec);

    let output = '';
    decider = spawn(process.execPath, ['--no-warnings', bundle], {
      cwd: dir, // no node_modules anywhere up the tree of the bundle: it must stand alone
      env: { PATH: process.env.PATH, SWF_ENDPOINT: t.engine.endpoint, AWS_REGION: 'us-east-1', SWF_DOMAIN: domain, DECISION_TASK_LIST: TASK_LISTS.decisions },
    });
    decider.stdout!.on('data', (d: Buffer) => (output += d));
    decider.stderr!.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<number | null>((resolve) => decider!.on('exit', (code) => resolve(code)));

    const run = await t.swf.startWorkflowExecution({
      domain,
      workflowId: 'image-check',
      workflowType: WORKFLOW_TYPE,
      input: JSON.stringify({ videoId: 'image-check', sourceKey: 'image-check/source' }),
    });
    const deadline = Date.now() + 30_000;
    let decided = false;
    while (!decided && Date.now() < deadline) {
      const history = await t.swf.getWorkflowExecutionHistory({ domain, execution: { workflowId: 'image-check', runId: run.runId! } });
      decided = (history.events ?? []).some((e) => e.eventType === 'DecisionTaskCompleted');
      if (!decided) await new Promise((r) => setTimeout(r, 200));
    }
    expect({ decided, output: decided ? '' : output }).toEqual({ decided: true, output: '' });
    expect(output).toContain('decider starting');

    decider.kill('SIGTERM');
    expect(await exited).toBe(0);
    decider = undefined;
  }, 60_000);
});
