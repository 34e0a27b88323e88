/**
 * `npm run chaos -- --quick` as CI runs it: the engine as a real process under a workload mix and
 * a seeded fault schedule, then the invariants from the database and the histories. The test fails
 * when any invariant breaks or any injector saw a problem; the seed is printed to replay it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChaosReport } from '../../scripts/chaos/report';
import { killGroup } from '../helpers/engine-process';

const REPO = resolve(__dirname, '../..');
const TSX = resolve(REPO, 'node_modules/.bin/tsx');

let dir: string;
let child: ChildProcess | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chaos-quick-'));
});
afterAll(async () => {
  // A run cut short by the test's timeout must not go on (its engines and pollers with it).
  if (child && child.exitCode === null && child.signalCode === null) await killGroup(child);
  rmSync(dir, { recursive: true, force: true });
});

test('chaos --quick: nothing acknowledged is lost and no invariant breaks under repeated faults', async () => {
  const args = ['scripts/chaos/main.ts', '--quick', '--report-dir', dir, ...(process.env.CHAOS_SEED ? ['--seed', process.env.CHAOS_SEED] : [])];
  const run = spawn(TSX, args, { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child = run;
  let output = '';
  run.stdout.on('data', (b: Buffer) => (output += b.toString()));
  run.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const code = await new Promise<number | null>((r) => run.once('exit', r));
  const files = readdirSync(dir);
  if (code !== 0 || files.length !== 1) throw new Error(`npm run chaos -- --quick exited ${code}:\n${output}`);
  const report = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as ChaosReport;

  expect(report.passed).toBe(true);
  expect(report.problems).toEqual([]);
  for (const invariant of report.invariants) {
    expect({ name: invariant.name, violations: invariant.violations, examples: invariant.examples }).toEqual({ name: invariant.name, violations: 0, examples: [] });
    expect(invariant.checked).toBeGreaterThan(0);
  }
  // The faults the quick mode promises really happened.
  const faults = report.faults;
  const kills = (faults['engine kill -9 + restart'] ?? 0) + (faults['engine kill -9 under 1,000 held polls'] ?? 0);
  expect(kills).toBeGreaterThanOrEqual(5);
  expect(faults['engine kill -9 under 1,000 held polls']).toBe(1);
  expect(faults['second engine on the same file']).toBe(1);
  expect((faults['poller killed mid-task'] ?? 0) + (faults['poller killed while polling'] ?? 0)).toBeGreaterThan(0);
  expect(Object.keys(faults).filter((k) => k.startsWith('bad request')).length).toBeGreaterThan(0);
  if (!report.disk.includes('refused')) expect(faults['disk full']).toBe(1);
  expect(report.workflowsCompleted).toBeGreaterThan(0);
}, 300_000);
