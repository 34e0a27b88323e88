/**
 * The swf-local launcher sets V8's tier-up budget before any engine code runs, unless
 * `--default-jit` asks for V8's default; both start and serve (the flag is the launcher's, and
 * `startEngine` in another program never touches V8's settings).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killGroup, spawnEngine } from '../helpers/engine-process';
import { swfCall } from '../helpers/raw-http';

const REPO = resolve(__dirname, '../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swf-jit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('--help documents --default-jit', () => {
  const help = execFileSync(resolve(REPO, 'node_modules/.bin/tsx'), ['bin/swf-local.ts', '--help'], { cwd: REPO, encoding: 'utf8' });
  expect(help).toMatch(/--default-jit\s+keep V8's default tier-up/);
});

test.each([[[] as string[]], [['--default-jit']]])('the launcher with %j starts and serves', async (extra) => {
  const engine = await spawnEngine(join(dir, `${extra.length}.sqlite`), extra);
  try {
    const r = await swfCall(engine.endpoint, 'ListDomains', { registrationStatus: 'REGISTERED' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ domainInfos: [] });
  } finally {
    await killGroup(engine.child);
  }
}, 60_000);
