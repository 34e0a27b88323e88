/**
 * swf-local engine CPU per call under a boto3 driver: `npm run bench:engine:boto3`.
 *
 * Starts the engine as a child process (file database, as bench:engine does) and drives it from
 * bench/boto3_driver.py: one Python thread, one call at a time, complete one-activity workflows
 * (7 calls each). The engine's CPU time (user + system, from /proc/<pid>/stat) over the measured
 * workflows, divided by the calls made, is the figure; it does not depend on how busy the rest
 * of the machine is the way wall-clock latency does.
 *
 * Environment (besides the engine settings of bench/engine-process.ts):
 *   BENCH_BOTO3_WORKFLOWS=n   measured workflows (default 2000)
 *   BENCH_BOTO3_WARMUP=n      warm-up workflows, not measured (default 300)
 *   BENCH_CPU_PROF=1          run the engine under `node --cpu-prof` and print a hotspot summary
 *   BENCH_PYTHON=path         the Python with boto3 (default python3)
 *   BENCH_CALLGRIND=1         run the engine under valgrind's callgrind (use with BENCH_ENGINE=bundle and
 *                             BENCH_PROBE=0) and report instructions per call over the measured workflows:
 *                             a count that, unlike CPU time, does not move with the load of a shared machine
 *   BENCH_STRACE=1            attach `strace -c -f` to the engine for the measured workflows and report system
 *                             calls per call (all threads), another count that does not move with the load
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { summarizeCpuProfile } from './cpuprofile-summary';
import { engineSettingsFromEnv, startEngineProcess, stopEngineProcess } from './engine-process';
import { cpuSplitMs, threadCpuMs } from './proc-stats';

const ROOT = resolve(__dirname, '..');
const env = process.env;
const WORKFLOWS = Number(env.BENCH_BOTO3_WORKFLOWS ?? 2000);
const WARMUP = Number(env.BENCH_BOTO3_WARMUP ?? 300);
const CPU_PROF = env.BENCH_CPU_PROF === '1';
const CALLGRIND = env.BENCH_CALLGRIND === '1';
const STRACE = env.BENCH_STRACE === '1';

/** `strace -c` attached to a running process; `stop` ends it and returns its summary table's rows. */
function attachStrace(pid: number, out: string): { stop: () => Promise<{ calls: number; name: string }[]> } {
  const tracer: ChildProcess = spawn('strace', ['-c', '-f', '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  return {
    stop: async () => {
      const exited = new Promise<void>((res) => tracer.once('exit', () => res()));
      tracer.kill('SIGINT');
      await exited;
      const rows: { calls: number; name: string }[] = [];
      // Rows: % time, seconds, usecs/call, calls, [errors], syscall.
      for (const line of readFileSync(out, 'utf8').split('\n')) {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
        if (m && m[2] !== 'total') rows.push({ calls: Number(m[1]), name: m[2]! });
      }
      return rows.sort((a, b) => b.calls - a.calls);
    },
  };
}

/**
 * Instructions executed while instrumentation was on (callgrind_annotate's program totals), per
 * thread and in all: with --separate-threads each thread writes a file of its own.
 */
function callgrindInstructions(dir: string): { total: number; byThread: number[] } {
  const byThread: number[] = [];
  for (const name of readdirSync(dir).filter((n) => n.startsWith('callgrind.out'))) {
    let report: string;
    try {
      report = execFileSync('callgrind_annotate', [join(dir, name)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue; // a thread that ran nothing while instrumentation was on has no costs to annotate
    }
    const m = /([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS/.exec(report);
    if (m) byThread.push(Number(m[1]!.replace(/,/g, '')));
  }
  byThread.sort((a, b) => b - a);
  return { total: byThread.reduce((a, b) => a + b, 0), byThread };
}

interface DriverFigures {
  workflows: number;
  calls: number;
  wallSeconds: number;
  driverCpuSeconds: number;
  callP50Ms: number;
  callP99Ms: number;
}

async function main(): Promise<void> {
  const settings = engineSettingsFromEnv();
  const dir = mkdtempSync(join(env.BENCH_DIR ?? tmpdir(), 'swf-bench-boto3-'));
  const profDir = CPU_PROF ? join(dir, 'cpu-prof') : undefined;
  if (CALLGRIND) env.BENCH_WRAP = `valgrind --tool=callgrind --instr-atstart=no --smc-check=all --separate-threads=yes --callgrind-out-file=${join(dir, 'callgrind.out.%p')}`;
  const engine = await startEngineProcess(settings, dir, profDir);
  const endpoint = `http://${engine.host}:${engine.port}`;
  console.log(`swf-local boto3 bench: ${WORKFLOWS} workflows (${WORKFLOWS * 7} calls) after ${WARMUP} warm-up, one thread`);
  console.log(`  engine pid ${engine.pid} at ${endpoint}, ${settings.inMemory ? 'in-memory' : 'SQLite file'} database`);
  try {
    const driver = spawn(env.BENCH_PYTHON ?? 'python3', [join(ROOT, 'bench/boto3_driver.py'), endpoint, String(WARMUP), String(WORKFLOWS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((res) => driver.once('exit', (code) => res(code)));
    let cpuAtStart = { user: 0, system: 0 };
    let threadsAtStart = new Map<string, number>();
    let strace: ReturnType<typeof attachStrace> | undefined;
    const figures = await new Promise<DriverFigures>((res, rej) => {
      createInterface({ input: driver.stdout! }).on('line', (line) => {
        if (line === 'warm') {
          if (CALLGRIND) execFileSync('callgrind_control', ['-i', 'on', String(engine.pid)], { stdio: 'ignore' });
          cpuAtStart = cpuSplitMs(engine.pid);
          threadsAtStart = threadCpuMs(engine.pid);
          if (STRACE) strace = attachStrace(engine.pid, join(dir, 'strace.txt'));
          // strace needs a moment to attach to every thread before the measured calls start.
          setTimeout(() => driver.stdin!.write('go\n'), STRACE ? 1000 : 0);
        } else if (line.startsWith('{')) {
          res(JSON.parse(line) as DriverFigures);
        }
      });
      void exited.then((code) => rej(new Error(`boto3 driver exited with code ${code} before reporting`)));
    });
    if (CALLGRIND) execFileSync('callgrind_control', ['-i', 'off', String(engine.pid)], { stdio: 'ignore' });
    const syscalls = await strace?.stop();
    const cpuAtEnd = cpuSplitMs(engine.pid);
    const userCpu = cpuAtEnd.user - cpuAtStart.user;
    const systemCpu = cpuAtEnd.system - cpuAtStart.system;
    const engineCpu = userCpu + systemCpu;
    const threads = [...threadCpuMs(engine.pid)].map(([name, ms]) => [name, ms - (threadsAtStart.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
    await exited;
    const perCall = engineCpu / figures.calls;
    console.log('');
    console.log(`| metric | value |`);
    console.log(`|---|---|`);
    console.log(`| engine CPU per call | ${perCall.toFixed(3)} ms (target <= 0.2 ms) |`);
    console.log(`| of which user space / kernel | ${(userCpu / figures.calls).toFixed(3)} / ${(systemCpu / figures.calls).toFixed(3)} ms |`);
    console.log(`| calls/s (one thread) | ${(figures.calls / figures.wallSeconds).toFixed(0)} |`);
    console.log(`| call latency seen by boto3 | p50 ${figures.callP50Ms.toFixed(2)} ms, p99 ${figures.callP99Ms.toFixed(2)} ms |`);
    console.log(`| driver CPU per call (boto3) | ${((figures.driverCpuSeconds * 1000) / figures.calls).toFixed(3)} ms |`);
    for (const [name, ms] of threads.sort((a, b) => b[1] - a[1])) console.log(`| engine thread ${name}: CPU per call | ${(ms / figures.calls).toFixed(3)} ms |`);
    if (syscalls) {
      const per = (n: number) => (n / figures.calls).toFixed(2);
      const total = syscalls.reduce((a, r) => a + r.calls, 0);
      console.log(`| engine system calls per call (strace -c -f, all threads) | ${per(total)}: ${syscalls.slice(0, 10).map((r) => `${r.name} ${per(r.calls)}`).join(', ')} |`);
    }
  } finally {
    await stopEngineProcess(engine, (line) => console.log(line));
    if (CALLGRIND) {
      const { total, byThread } = callgrindInstructions(dir);
      const perCall = (n: number) => `${(n / (WORKFLOWS * 7) / 1000).toFixed(0)} k`;
      console.log(`| engine instructions per call (callgrind) | ${perCall(total)} in all; by thread ${byThread.filter((n) => n > 0).map(perCall).join(', ')} |`);
    }
    if (profDir) {
      const profiles = existsSync(profDir) ? readdirSync(profDir).filter((n) => n.endsWith('.cpuprofile')) : [];
      const biggest = profiles.map((n) => join(profDir, n)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
      if (biggest) console.log(`\nengine main thread CPU profile (whole run)\n${summarizeCpuProfile(biggest, 30, settings.engineRoot)}`);
      console.log(`profile kept in ${profDir}`);
    } else if (CALLGRIND) {
      console.log(`callgrind output kept in ${dir}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
