/**
 * The engine under benchmark as a child process: how it is launched (BENCH_ENGINE,
 * BENCH_ENGINE_ROOT, BENCH_DB, BENCH_PROBE, BENCH_NODE_FLAGS, BENCH_ENGINE_ARGS), started, probed and stopped.
 * Shared by bench/engine.ts (raw-HTTP driver) and bench/engine-boto3.ts (boto3 driver).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { findEngineProcess } from './proc-stats';

const ROOT = resolve(__dirname, '..');
const env = process.env;

export interface EngineSettings {
  launcher: 'node' | 'tsx' | 'bundle';
  /** The checkout whose engine is measured. */
  engineRoot: string;
  inMemory: boolean;
  /** Load bench/engine-probe.ts into the engine (GC and SQLite transaction figures). */
  probe: boolean;
}

export function engineSettingsFromEnv(): EngineSettings {
  const launcher = env.BENCH_ENGINE === 'tsx' ? 'tsx' : env.BENCH_ENGINE === 'bundle' ? 'bundle' : 'node';
  return {
    launcher,
    engineRoot: env.BENCH_ENGINE_ROOT ? resolve(env.BENCH_ENGINE_ROOT) : ROOT,
    inMemory: env.BENCH_DB === 'memory',
    probe: env.BENCH_PROBE !== '0' && launcher !== 'tsx',
  };
}

export interface EngineProcess {
  child: ChildProcess;
  pid: number;
  host: string;
  port: number;
  stderr: string[];
  exited: Promise<number | null>;
  /** Asks bench/engine-probe.ts for its figures since the last call (undefined without the probe). */
  probe: () => Promise<ProbeStats | undefined>;
}

/** What bench/engine-probe.ts reports for a window. */
export interface ProbeStats {
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
  gcMajorCount: number;
  gcMajorMs: number;
  txCount: number;
  txMs: number;
  txMaxMs: number;
  txP50Ms: number;
  txP99Ms: number;
  txP999Ms: number;
  txOver1Ms: number;
  txOver5Ms: number;
}

export async function startEngineProcess(settings: EngineSettings, dir: string, profDir: string | undefined): Promise<EngineProcess> {
  const { launcher: LAUNCHER, engineRoot: ENGINE_ROOT, inMemory: IN_MEMORY, probe: PROBE } = settings;
  const dbArgs = IN_MEMORY ? ['--in-memory'] : ['--db', join(dir, 'bench.sqlite')];
  // Extra engine options, e.g. BENCH_ENGINE_ARGS=--default-jit.
  const engineArgs = ['--port', '0', ...dbArgs, '--poll-timeout', '60', ...(env.BENCH_ENGINE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  const profArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval', '500'] : [];
  // Extra node flags for the engine, e.g. BENCH_NODE_FLAGS="--perf-basic-prof" for `perf record -p <pid>`.
  profArgs.push(...(env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean));
  const childEnv: NodeJS.ProcessEnv = { ...env };
  let command = process.execPath;
  let args: string[];
  if (LAUNCHER === 'tsx') {
    // The tsx CLI runs the script in a child node process; profile flags go through NODE_OPTIONS.
    command = join(ENGINE_ROOT, 'node_modules/.bin/tsx');
    args = ['bin/swf-local.ts', ...engineArgs];
    if (profArgs.length > 0) childEnv.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${profArgs.join(' ')}`.trim();
  } else if (LAUNCHER === 'bundle') {
    // Plain node on an esbuild bundle: no TypeScript loader in the process (closer to a build).
    const outfile = join(dir, 'swf-local.cjs');
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    esbuild.buildSync({
      entryPoints: [join(ENGINE_ROOT, 'bin/swf-local.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      external: ['better-sqlite3', '@aws-sdk/*'],
      logLevel: 'warning',
    });
    childEnv.NODE_PATH = join(ENGINE_ROOT, 'node_modules');
    // Files the engine loads next to its own modules (worker threads) go next to the bundle.
    for (const file of ['lib/engine/store/checkpoint-worker.cjs', 'lib/engine/lambda/lambda-worker.cjs']) {
      if (existsSync(join(ENGINE_ROOT, file))) copyFileSync(join(ENGINE_ROOT, file), join(dir, basename(file)));
    }
    const consoleFiles = join(ENGINE_ROOT, 'lib/engine/console/static');
    if (existsSync(consoleFiles)) cpSync(consoleFiles, join(dir, 'static'), { recursive: true });
    const probeArgs: string[] = [];
    if (PROBE) {
      const probeFile = join(dir, 'engine-probe.cjs');
      esbuild.buildSync({ entryPoints: [join(ROOT, 'bench/engine-probe.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: probeFile, external: ['better-sqlite3'], logLevel: 'warning' });
      probeArgs.push('--require', probeFile);
    }
    args = [...profArgs, ...probeArgs, outfile, ...engineArgs];
  } else {
    const probeArgs = PROBE ? ['--import', pathToFileURL(join(ROOT, 'bench/engine-probe.ts')).href] : [];
    args = [...profArgs, '--import', 'tsx', ...probeArgs, 'bin/swf-local.ts', ...engineArgs];
  }
  // BENCH_WRAP runs the engine under another program, e.g. "valgrind --tool=callgrind --instr-atstart=no".
  const wrap = (env.BENCH_WRAP ?? '').split(/\s+/).filter(Boolean);
  if (wrap.length > 0) {
    args = [...wrap.slice(1), command, ...args];
    command = wrap[0]!;
  }
  const child = spawn(command, args, { cwd: ENGINE_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let probeWaiter: ((stats: ProbeStats) => void) | undefined;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.startsWith('swf-bench-probe ')) {
      probeWaiter?.(JSON.parse(line.slice('swf-bench-probe '.length)) as ProbeStats);
      probeWaiter = undefined;
      return;
    }
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
    console.error(`  engine stderr: ${line}`);
  });
  const startMs = wrap.length > 0 ? 600_000 : 30_000;
  const endpoint = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`engine did not start listening within ${startMs / 1000} s`)), startMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^swf-local listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`engine exited with code ${code} before listening: ${stderr.slice(-5).join(' | ')}`));
    });
  });
  const url = new URL(endpoint);
  const pid = findEngineProcess(child.pid!, 'swf-local');
  const probe = (): Promise<ProbeStats | undefined> => {
    if (!PROBE || child.exitCode !== null) return Promise.resolve(undefined);
    return new Promise<ProbeStats | undefined>((res) => {
      const timer = setTimeout(() => {
        probeWaiter = undefined;
        res(undefined);
      }, 2_000);
      probeWaiter = (stats) => {
        clearTimeout(timer);
        res(stats);
      };
      process.kill(pid, 'SIGUSR2');
    });
  };
  return { child, pid, host: url.hostname, port: Number(url.port), stderr, exited, probe };
}

export async function stopEngineProcess(engine: EngineProcess, log: (line: string) => void): Promise<number | null> {
  if (engine.child.exitCode !== null) return engine.child.exitCode;
  engine.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 15_000).unref());
  const result = await Promise.race([engine.exited, timeout]);
  if (result === 'timeout') {
    log('engine did not exit within 15 s of SIGTERM; sending SIGKILL');
    engine.child.kill('SIGKILL');
    return engine.exited;
  }
  return result;
}
