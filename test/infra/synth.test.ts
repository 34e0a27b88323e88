/**
 * `npm run synth` (= `cdk synth --quiet`) works offline and without Docker: the Lambda code is
 * bundled by the local esbuild, the ffmpeg layer is assembled by copying the npm binaries, and
 * the decider's Docker build context is staged (images are only built by `cdk deploy`). Then the
 * artifacts themselves are checked: the layer's binaries, each bundle loads, and the registration
 * handler's bundle registers and deprecates against swf-local.
 */
import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { STACK_NAME } from '../../lib/infra/app';
import { defaultLayerFiles } from '../../lib/infra/ffmpeg-layer';
import { registrationSpec } from '../../lib/registration/spec';
import { STEPS, WORKFLOW_TYPE } from '../../lib/video/definition';
import { startTestEngine, unique } from '../helpers/engine';
import { readZip } from '../helpers/zip';
import { REPO_ROOT } from './synth';

/** Generous: the budget is a minute on an idle machine, but this runs next to other test files. */
const SYNTH_BUDGET_MS = 150_000;

let outdir: string;
let result: ReturnType<typeof spawnSync>;
let elapsedMs = 0;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, string> }> };

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
  const started = Date.now();
  result = spawnSync('npm', ['run', '--silent', 'synth', '--', '--output', outdir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: SYNTH_BUDGET_MS + 60_000,
    // No Docker engine and no network needed: make sure nothing falls back to either.
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
  });
  elapsedMs = Date.now() - started;
  console.log(`npm run synth took ${(elapsedMs / 1000).toFixed(1)} s`);
  if (result.status === 0) template = JSON.parse(readFileSync(path.join(outdir, `${STACK_NAME}.template.json`), 'utf8'));
}, SYNTH_BUDGET_MS + 90_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The staged asset directory of a resource (from its aws:asset:path metadata). */
function assetDir(logicalId: string): string {
  const metadata = template.Resources[logicalId]?.Metadata ?? {};
  const dir = metadata['aws:asset:path'];
  if (!dir) throw new Error(`${logicalId} has no asset`);
  return path.join(outdir, dir);
}

function lambdaFunctions(): [string, Record<string, any>][] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs22.x')
    .map(([id, r]) => [id, r.Properties]);
}

test('npm run synth exits 0, offline, without Docker, within budget', () => {
  expect({ status: result.status, error: result.error?.message, stderr: result.status === 0 ? '' : String(result.stderr).slice(-4000) }).toEqual({ status: 0, error: undefined, stderr: '' });
  expect(String(result.stderr)).not.toMatch(/docker (run|build)/i);
  expect(elapsedMs).toBeLessThan(SYNTH_BUDGET_MS);
});

test('the ffmpeg layer is one zip of bin/ffmpeg and bin/ffprobe, world-executable, as the packages of lib/infra/ffmpeg-binaries.json ship them', () => {
  const layers = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::LayerVersion');
  expect(layers).toHaveLength(1);
  const zip = assetDir(layers[0]![0]);
  expect(zip).toMatch(/\.zip$/);
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const expected = Object.entries(defaultLayerFiles()).map(([name, file]) => ({ name: `bin/${name}`, mode: 0o100755, size: statSync(file).size, sha256: sha(file), system: 3 }));
  expect(readZip(zip)).toEqual(expected);
});

test('every function is a local esbuild bundle (index.js + source map) that loads without the ffmpeg installers', () => {
  const fns = lambdaFunctions();
  expect(fns).toHaveLength(Object.keys(STEPS).length + 4);
  for (const [id] of fns) {
    const dir = assetDir(id);
    expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
    // Loading the bundle runs its module scope, as a cold start does; the handler must be exported.
    // --no-warnings: the SDK's "Node.js 20 support ends" notice is not a load failure.
    const load = spawnSync(process.execPath, ['--no-warnings', '-e', `const m = require(${JSON.stringify(path.join(dir, 'index.js'))}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`], {
      encoding: 'utf8',
      timeout: 30_000,
      cwd: tmpdir(), // away from the repository's node_modules: the bundle must stand alone
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', UPLOAD_BUCKET: 'u', MEDIA_BUCKET: 'm', FFMPEG_PATH: '/opt/bin/ffmpeg', FFPROBE_PATH: '/opt/bin/ffprobe' },
    });
    expect({ id, status: load.status, stderr: load.stderr.trim() }).toEqual({ id, status: 0, stderr: '' });
  }
  // The installers' dynamic requires are left out of the bundles, not half-bundled.
  for (const [id] of fns) expect(readFileSync(path.join(assetDir(id), 'index.js'), 'utf8')).not.toContain('@ffmpeg-installer/linux-x64/package.json');
});

test('the bundled registration handler registers and deprecates against swf-local', async () => {
  const handlers = lambdaFunctions().filter(([, p]) => String(p.Description ?? '').startsWith('Registers'));
  expect(handlers).toHaveLength(1);
  const bundle = path.join(assetDir(handlers[0]![0]), 'index.js');
  const t = await startTestEngine({ pollTimeoutMs: 500 });
  try {
    const spec = registrationSpec();
    spec.domain.name = unique('bundle');
    const properties = { ServiceToken: 'token', ...spec };
    const script = `
      const { handler } = require(${JSON.stringify(bundle)});
      const base = { ServiceToken: 'token', ResponseURL: 'https://example.invalid/', StackId: 's', RequestId: 'r', LogicalResourceId: 'Swf', ResourceType: 'Custom::SwfRegistration' };
      const props = ${JSON.stringify(properties)};
      (async () => {
        const created = await handler({ ...base, RequestType: 'Create', ResourceProperties: props });
        const updated = await handler({ ...base, RequestType: 'Update', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: props, OldResourceProperties: props });
        await handler({ ...base, RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: props });
        await handler({ ...base, RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: props });
        process.stdout.write('RESULT ' + JSON.stringify({ created, updated }) + '\\n');
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-warnings', '-e', script], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local', SWF_ENDPOINT: t.engine.endpoint },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse(line!.slice('RESULT '.length))).toEqual({
      created: { PhysicalResourceId: spec.domain.name, Data: { DomainName: spec.domain.name, WorkflowTypeName: WORKFLOW_TYPE.name, WorkflowTypeVersion: WORKFLOW_TYPE.version } },
      updated: { PhysicalResourceId: spec.domain.name, Data: { DomainName: spec.domain.name, WorkflowTypeName: WORKFLOW_TYPE.name, WorkflowTypeVersion: WORKFLOW_TYPE.version } },
    });
    expect((await t.swf.describeDomain({ name: spec.domain.name })).domainInfo?.status).toBe('DEPRECATED');
  } finally {
    await t.close();
  }
});

test('the decider image context is staged from .dockerignore: Dockerfile, package files, bin/ and lib/ only', () => {
  const assets = JSON.parse(readFileSync(path.join(outdir, `${STACK_NAME}.assets.json`), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string; platform?: string } }> };
  const images = Object.values(assets.dockerImages);
  expect(images).toHaveLength(1);
  expect(images[0]!.source).toMatchObject({ dockerFile: 'Dockerfile', platform: 'linux/amd64' });
  const dir = path.join(outdir, images[0]!.source.directory);
  expect(readdirSync(dir).sort()).toEqual(['.dockerignore', 'Dockerfile', 'bin', 'lib', 'package-lock.json', 'package.json', 'tsconfig.json']);
  expect(existsSync(path.join(dir, 'bin', 'decider.ts'))).toBe(true);
  expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
});
