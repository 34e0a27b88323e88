/**
 * swf-local engine benchmark: `npm run bench:engine`.
 *
 * Starts the engine as a child process on a file database (the realistic mode), drives complete
 * one-activity workflows against it with pollers already waiting, and reports throughput,
 * dispatch and long-poll wake-up latency, engine CPU per API call (from /proc/<pid>/stat) and
 * engine memory (VmRSS / VmHWM from /proc/<pid>/status). It is a report: the exit code is 0
 * whatever the PASS/FAIL verdicts, non-zero only when the benchmark itself fails.
 *
 * Each workflow: StartWorkflowExecution -> PollForDecisionTask -> RespondDecisionTaskCompleted
 * (ScheduleActivityTask) -> PollForActivityTask -> RespondActivityTaskCompleted ->
 * PollForDecisionTask -> RespondDecisionTaskCompleted (CompleteWorkflowExecution): 7 API calls.
 *
 * Phases: warm-up (JIT), latency (one workflow in flight), load (BENCH_CONCURRENCY workflows in
 * flight for BENCH_LOAD_SECONDS), long (until BENCH_WORKFLOWS executions have completed in all).
 *
 * Environment:
 *   BENCH_QUICK=1            small run: 5,000 executions, 5 s load phase
 *   BENCH_WORKFLOWS=n        executions to complete in all (default 100000; quick 5000)
 *   BENCH_CONCURRENCY=n      workflows in flight (closed-loop starters) in load/long phases (default 8)
 *   BENCH_POLLERS=n          decision pollers, and as many activity pollers (default 2 x concurrency, min 8)
 *   BENCH_LOAD_SECONDS=s     length of the load phase (default 20; quick 5)
 *   BENCH_LATENCY_WORKFLOWS  workflows in the one-in-flight latency phase (default 1000; quick 300)
 *   BENCH_WARMUP_WORKFLOWS   warm-up workflows, not measured (default 1000; quick 300)
 *   BENCH_MAX_SECONDS=s      time cap for the whole run (default 570); the long phase stops early if needed
 *   BENCH_CPU_PROF=1         run the engine under `node --cpu-prof` and print a hotspot summary
 *   BENCH_ENGINE=tsx         launch through node_modules/.bin/tsx instead of `node --import tsx`
 *   BENCH_ENGINE=bundle      bundle bin/swf-local.ts with esbuild (tsx's dependency) and run it on plain node:
 *                            no TypeScript loader thread in the engine process (RSS closer to a build)
 *   BENCH_ENGINE_ROOT=path   measure the engine of another checkout (e.g. `git archive` of a commit, with a
 *                            node_modules symlink); default: this one
 *   BENCH_DB=memory          use --in-memory instead of the file database (to see what file I/O costs)
 *   BENCH_PROBE=0            do not load bench/engine-probe.ts into the engine (GC pauses and SQLite transaction
 *                            times, observed from inside the engine process without changing it)
 *   BENCH_NODE_FLAGS="..."   extra node flags for the engine process (e.g. --perf-basic-prof, then perf record -p <pid>)
 *   BENCH_DIR=path           parent of the temporary database directory (default os.tmpdir())
 *   BENCH_KEEP=1             keep the database (and profile) directory
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summarizeCpuProfile } from './cpuprofile-summary';
import { engineSettingsFromEnv, startEngineProcess, stopEngineProcess, type ProbeStats } from './engine-process';
import {
  clockTicks,
  cpuMs,
  describeProcess,
  ioCounters,
  machineCpu,
  mainThreadSchedStat,
  mainThreadState,
  memoryKb,
  type IoCounters,
  type MachineCpu,
  type SchedStat,
} from './proc-stats';
import { SwfHttp } from './swf-http';

// ------------------------------------------------------------------ settings

const ROOT = resolve(__dirname, '..');
/** The checkout whose engine is measured (default: this one). */
const ENGINE = engineSettingsFromEnv();
const ENGINE_ROOT = ENGINE.engineRoot;
const env = process.env;
const QUICK = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';

function intEnv(name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return Math.floor(n);
}

const TARGET_EXECUTIONS = intEnv('BENCH_WORKFLOWS', QUICK ? 5_000 : 100_000, 1);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8, 1);
const POLLERS = intEnv('BENCH_POLLERS', Math.max(8, 2 * CONCURRENCY), 1);
const LOAD_SECONDS = intEnv('BENCH_LOAD_SECONDS', QUICK ? 5 : 20, 1);
const LATENCY_WORKFLOWS = intEnv('BENCH_LATENCY_WORKFLOWS', QUICK ? 300 : 1000, 0);
const WARMUP_WORKFLOWS = intEnv('BENCH_WARMUP_WORKFLOWS', QUICK ? 300 : 1000, 0);
const MAX_SECONDS = intEnv('BENCH_MAX_SECONDS', 570, 30);
const CPU_PROF = env.BENCH_CPU_PROF === '1' || env.BENCH_CPU_PROF === 'true';
const LAUNCHER = ENGINE.launcher;
const IN_MEMORY = ENGINE.inMemory;
const KEEP = env.BENCH_KEEP === '1' || CPU_PROF;

const TARGETS = {
  workflowsPerSecond: 300,
  p99Ms: 5,
  cpuMsPerCall: 0.2,
  rssMb: 200,
  rssAfterExecutions: 100_000,
};

const DOMAIN = 'bench';
const DECISION_LIST = 'bench-decisions';
const ACTIVITY_LIST = 'bench-activities';
const CALLS_PER_WORKFLOW = 7;
const STATE_SAMPLE_MS = 10;
const STALL_MS = 60_000;

const runStarted = Date.now();
const deadline = runStarted + MAX_SECONDS * 1000;

// ------------------------------------------------------------------ helpers

function log(line: string): void {
  const t = ((Date.now() - runStarted) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s] ${line}`);
}

const nsToMs = (ns: bigint) => Number(ns) / 1e6;

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mb = (kb: number) => kb / 1024;

// ------------------------------------------------------------------ workload

interface PhaseStats {
  name: string;
  concurrency: number;
  startedAt: bigint;
  endedAt: bigint;
  callsAtStart: number;
  callsAtEnd: number;
  engineCpuAtStart: number;
  engineCpuAtEnd: number;
  engineMemAtEnd: { rss: number; hwm: number };
  ioAtStart: IoCounters;
  schedAtStart: SchedStat;
  schedAtEnd: SchedStat;
  machineAtStart: MachineCpu;
  machineAtEnd: MachineCpu;
  ioAtEnd: IoCounters;
  probe?: ProbeStats;
  /** Samples of the engine main thread's scheduler state (R, S, D, ...), every STATE_SAMPLE_MS. */
  threadStates: Map<string, number>;
  driverCpuAtStart: NodeJS.CpuUsage;
  driverCpuUsed: NodeJS.CpuUsage;
  completed: number;
  /** RespondActivityTaskCompleted sent -> waiting decider has its decision task. */
  dispatch: number[];
  /** StartWorkflowExecution sent -> waiting decider has the first decision task. */
  wakeDecision: number[];
  /** RespondDecisionTaskCompleted(ScheduleActivityTask) sent -> waiting worker has the activity task. */
  wakeActivity: number[];
  /** StartWorkflowExecution sent -> CompleteWorkflowExecution answered. */
  workflow: number[];
  /** Decision polls outstanding in the driver when a StartWorkflowExecution was sent. */
  idleDecisionPollers: number[];
}

interface Workflow {
  phase: PhaseStats;
  startSent: bigint;
  scheduleSent: bigint;
  activityDoneSent: bigint;
  done: () => void;
}

interface DecisionTask {
  taskToken?: string;
  workflowExecution?: { workflowId: string };
  events?: { eventType: string }[];
  nextPageToken?: string;
}

interface ActivityTask {
  taskToken?: string;
  workflowExecution?: { workflowId: string };
}

class Driver {
  readonly workflows = new Map<string, Workflow>();
  running = true;
  started = 0;
  completed = 0;
  outstandingDecisionPolls = 0;
  private seq = 0;
  private fatalError: unknown;
  private rejectFailure!: (error: unknown) => void;
  /** Rejects when any loop hits an unexpected error. */
  readonly failure = new Promise<never>((_, rej) => (this.rejectFailure = rej));
  private readonly loops: Promise<void>[] = [];

  constructor(
    readonly http: SwfHttp,
    readonly enginePid: number,
    private readonly probe: () => Promise<ProbeStats | undefined>,
  ) {
    this.failure.catch(() => undefined);
  }

  fail(error: unknown): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = error;
    this.running = false;
    this.rejectFailure(error);
  }

  async setup(): Promise<void> {
    const h = this.http;
    await h.call('RegisterDomain', JSON.stringify({ name: DOMAIN, workflowExecutionRetentionPeriodInDays: '1' }));
    await h.call(
      'RegisterWorkflowType',
      JSON.stringify({
        domain: DOMAIN,
        name: 'BenchFlow',
        version: '1',
        defaultTaskList: { name: DECISION_LIST },
        defaultExecutionStartToCloseTimeout: '3600',
        defaultTaskStartToCloseTimeout: '300',
        defaultChildPolicy: 'TERMINATE',
      }),
    );
    await h.call(
      'RegisterActivityType',
      JSON.stringify({
        domain: DOMAIN,
        name: 'BenchWork',
        version: '1',
        defaultTaskList: { name: ACTIVITY_LIST },
        defaultTaskScheduleToStartTimeout: '300',
        defaultTaskScheduleToCloseTimeout: '600',
        defaultTaskStartToCloseTimeout: '300',
        defaultTaskHeartbeatTimeout: 'NONE',
      }),
    );
  }

  startPollers(n: number): void {
    for (let i = 0; i < n; i++) {
      this.loops.push(this.guard(this.decider(i)));
      this.loops.push(this.guard(this.worker(i)));
    }
  }

  private guard(p: Promise<void>): Promise<void> {
    return p.catch((error) => {
      if (this.running) this.fail(error);
    });
  }

  private async decider(i: number): Promise<void> {
    const pollBody = JSON.stringify({ domain: DOMAIN, taskList: { name: DECISION_LIST }, identity: `bench-decider-${i}` });
    const schedule =
      ',"decisions":[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":' +
      '{"activityType":{"name":"BenchWork","version":"1"},"activityId":"a1","input":"payload"}}]}';
    const complete =
      ',"decisions":[{"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"done"}}]}';
    while (this.running) {
      this.outstandingDecisionPolls++;
      let reply;
      try {
        reply = await this.http.call('PollForDecisionTask', pollBody);
      } finally {
        this.outstandingDecisionPolls--;
      }
      const task = JSON.parse(reply.text) as DecisionTask;
      if (!task.taskToken) continue; // empty poll (hold expired, or the engine is closing)
      if (task.nextPageToken) throw new Error('unexpected paged decision task');
      const workflowId = task.workflowExecution!.workflowId;
      const wf = this.workflows.get(workflowId);
      if (!wf) throw new Error(`decision task for a workflow the driver did not start: ${workflowId}`);
      const token = `{"taskToken":${JSON.stringify(task.taskToken)}`;
      const activityDone = task.events!.some((e) => e.eventType === 'ActivityTaskCompleted');
      if (!activityDone) {
        wf.phase.wakeDecision.push(nsToMs(reply.receivedAt - wf.startSent));
        await this.http.call('RespondDecisionTaskCompleted', token + schedule, (at) => (wf.scheduleSent = at));
      } else {
        wf.phase.dispatch.push(nsToMs(reply.receivedAt - wf.activityDoneSent));
        const done = await this.http.call('RespondDecisionTaskCompleted', token + complete);
        wf.phase.workflow.push(nsToMs(done.receivedAt - wf.startSent));
        this.workflows.delete(workflowId);
        wf.done();
      }
    }
  }

  private async worker(i: number): Promise<void> {
    const pollBody = JSON.stringify({ domain: DOMAIN, taskList: { name: ACTIVITY_LIST }, identity: `bench-worker-${i}` });
    while (this.running) {
      const reply = await this.http.call('PollForActivityTask', pollBody);
      const task = JSON.parse(reply.text) as ActivityTask;
      if (!task.taskToken) continue;
      const workflowId = task.workflowExecution!.workflowId;
      const wf = this.workflows.get(workflowId);
      if (!wf) throw new Error(`activity task for a workflow the driver did not start: ${workflowId}`);
      wf.phase.wakeActivity.push(nsToMs(reply.receivedAt - wf.scheduleSent));
      await this.http.call(
        'RespondActivityTaskCompleted',
        `{"taskToken":${JSON.stringify(task.taskToken)},"result":"ok"}`,
        (at) => (wf.activityDoneSent = at),
      );
    }
  }

  /** A closed-loop starter: starts a workflow, waits for it to complete, repeats. */
  private async starter(phase: PhaseStats, more: () => boolean): Promise<void> {
    while (this.running && more()) {
      const workflowId = `wf-${++this.seq}`;
      this.started++;
      let done!: () => void;
      const finished = new Promise<void>((res) => (done = res));
      const wf: Workflow = { phase, startSent: 0n, scheduleSent: 0n, activityDoneSent: 0n, done };
      this.workflows.set(workflowId, wf);
      phase.idleDecisionPollers.push(this.outstandingDecisionPolls);
      await this.http.call(
        'StartWorkflowExecution',
        `{"domain":"${DOMAIN}","workflowId":"${workflowId}","workflowType":{"name":"BenchFlow","version":"1"},"input":"payload"}`,
        (at) => (wf.startSent = at),
      );
      await Promise.race([finished, this.failure]);
      phase.completed++;
      this.completed++;
    }
  }

  /** Runs `concurrency` closed-loop starters while `more()` holds; returns the phase's figures. */
  async phase(name: string, concurrency: number, more: () => boolean, progress?: (p: PhaseStats) => void): Promise<PhaseStats> {
    await this.probe(); // starts the probe's window
    const p: PhaseStats = {
      name,
      concurrency,
      startedAt: process.hrtime.bigint(),
      endedAt: 0n,
      callsAtStart: this.http.calls,
      callsAtEnd: 0,
      engineCpuAtStart: cpuMs(this.enginePid),
      engineCpuAtEnd: 0,
      engineMemAtEnd: { rss: 0, hwm: 0 },
      ioAtStart: ioCounters(this.enginePid),
      schedAtStart: mainThreadSchedStat(this.enginePid),
      schedAtEnd: { onCpuNs: 0, runQueueNs: 0 },
      machineAtStart: machineCpu(),
      machineAtEnd: machineCpu(),
      ioAtEnd: ioCounters(this.enginePid),
      threadStates: new Map(),
      driverCpuAtStart: process.cpuUsage(),
      driverCpuUsed: { user: 0, system: 0 },
      completed: 0,
      dispatch: [],
      wakeDecision: [],
      wakeActivity: [],
      workflow: [],
      idleDecisionPollers: [],
    };
    const timer = progress ? setInterval(() => progress(p), 10_000) : undefined;
    const sampler = setInterval(() => {
      const st = mainThreadState(this.enginePid);
      p.threadStates.set(st, (p.threadStates.get(st) ?? 0) + 1);
    }, STATE_SAMPLE_MS);
    let seen = { completed: this.completed, at: Date.now() };
    const stallCheck = setInterval(() => {
      if (this.completed !== seen.completed) seen = { completed: this.completed, at: Date.now() };
      else if (Date.now() - seen.at > STALL_MS) this.fail(new Error(`no workflow completed for ${STALL_MS / 1000} s: the engine is stuck`));
    }, 1_000);
    try {
      const starters = Array.from({ length: concurrency }, () => this.starter(p, more));
      await Promise.race([Promise.all(starters), this.failure]);
    } finally {
      if (timer) clearInterval(timer);
      clearInterval(sampler);
      clearInterval(stallCheck);
    }
    p.ioAtEnd = ioCounters(this.enginePid);
    p.schedAtEnd = mainThreadSchedStat(this.enginePid);
    p.machineAtEnd = machineCpu();
    p.probe = await this.probe();
    p.endedAt = process.hrtime.bigint();
    p.callsAtEnd = this.http.calls;
    p.engineCpuAtEnd = cpuMs(this.enginePid);
    p.engineMemAtEnd = memoryKb(this.enginePid);
    p.driverCpuUsed = process.cpuUsage(p.driverCpuAtStart);
    return p;
  }

  /** Stops the poll loops from polling again; the engine's shutdown answers the waiting polls. */
  halt(): void {
    this.running = false;
  }

  async drained(): Promise<void> {
    await Promise.race([Promise.all(this.loops), new Promise((res) => setTimeout(res, 5_000).unref())]);
  }
}

// ------------------------------------------------------------------ reporting

interface PhaseFigures {
  seconds: number;
  workflowsPerSecond: number;
  callsPerSecond: number;
  calls: number;
  engineCpuMsPerCall: number;
  engineCores: number;
  driverCpuMsPerCall: number;
  driverCores: number;
  /** CPU used by everything on the machine other than the engine and this driver, in cores. */
  otherCores: number;
  /** Share of the phase the engine's main thread was runnable but waiting for a CPU. */
  engineRunQueueShare: number;
}

function figures(p: PhaseStats): PhaseFigures {
  const seconds = nsToMs(p.endedAt - p.startedAt) / 1000;
  const calls = p.callsAtEnd - p.callsAtStart;
  const engineCpu = p.engineCpuAtEnd - p.engineCpuAtStart;
  const driverCpu = (p.driverCpuUsed.user + p.driverCpuUsed.system) / 1000;
  return {
    seconds,
    workflowsPerSecond: p.completed / seconds,
    callsPerSecond: calls / seconds,
    calls,
    engineCpuMsPerCall: engineCpu / calls,
    engineCores: engineCpu / 1000 / seconds,
    driverCpuMsPerCall: driverCpu / calls,
    driverCores: driverCpu / 1000 / seconds,
    otherCores: Math.max(0, p.machineAtEnd.busyMs - p.machineAtStart.busyMs - engineCpu - driverCpu) / 1000 / seconds,
    engineRunQueueShare: (p.schedAtEnd.runQueueNs - p.schedAtStart.runQueueNs) / 1e9 / seconds,
  };
}

function printPhase(p: PhaseStats): PhaseFigures {
  const f = figures(p);
  const mem = p.engineMemAtEnd;
  const lat = (label: string, s: number[]) =>
    console.log(
      `    ${label.padEnd(34)} p50 ${fmt(percentile(s, 50)).padStart(7)} ms   p90 ${fmt(percentile(s, 90)).padStart(7)} ms   ` +
        `p99 ${fmt(percentile(s, 99)).padStart(7)} ms   max ${fmt(percentile(s, 100)).padStart(7)} ms   (n=${s.length})`,
    );
  const idle = p.idleDecisionPollers;
  const idleAvg = idle.reduce((a, b) => a + b, 0) / Math.max(1, idle.length);
  console.log(`\n  phase "${p.name}": ${p.concurrency} workflow(s) in flight, ${POLLERS} decision + ${POLLERS} activity pollers`);
  console.log(
    `    ${p.completed} workflows in ${fmt(f.seconds, 1)} s: ${fmt(f.workflowsPerSecond, 1)} workflows/s, ` +
      `${f.calls} API calls, ${fmt(f.callsPerSecond, 0)} calls/s`,
  );
  console.log(
    `    engine CPU ${fmt(f.engineCpuMsPerCall, 3)} ms/call (${fmt(100 * f.engineCores, 0)}% of a core); ` +
      `driver CPU ${fmt(f.driverCpuMsPerCall, 3)} ms/call (${fmt(100 * f.driverCores, 0)}% of a core)`,
  );
  console.log(
    `    machine: ${p.machineAtEnd.cpus} CPUs; other processes used ${fmt(100 * f.otherCores, 0)}% of a core; ` +
      `engine main thread waited for a CPU ${fmt(100 * f.engineRunQueueShare, 1)}% of the time (schedstat run queue)`,
  );
  const states = [...p.threadStates.entries()].sort((a, b) => b[1] - a[1]);
  const nStates = states.reduce((a, [, n]) => a + n, 0);
  const stateNames: Record<string, string> = { R: 'running', S: 'sleeping', D: 'disk wait' };
  console.log(
    `    engine main thread (sampled every ${STATE_SAMPLE_MS} ms): ` +
      states.map(([st, n]) => `${stateNames[st] ?? st} ${fmt((100 * n) / nStates, 0)}%`).join(', '),
  );
  const pr = p.probe;
  if (pr) {
    console.log(
      `    engine SQLite transactions (probe): ${pr.txCount} (${fmt(pr.txCount / f.calls, 2)}/call), ${fmt((100 * pr.txMs) / 1000 / f.seconds, 0)}% of wall time; ` +
        `p50 ${fmt(pr.txP50Ms, 2)} ms, p99 ${fmt(pr.txP99Ms, 2)} ms, p99.9 ${fmt(pr.txP999Ms, 2)} ms, max ${fmt(pr.txMaxMs, 1)} ms; ` +
        `${pr.txOver1Ms} over 1 ms, ${pr.txOver5Ms} over 5 ms`,
    );
    console.log(
      `    engine GC (probe): ${pr.gcCount} pauses, ${fmt(pr.gcMs, 0)} ms (${fmt((100 * pr.gcMs) / 1000 / f.seconds, 1)}% of wall time), ` +
        `max ${fmt(pr.gcMaxMs, 1)} ms; ${pr.gcMajorCount} major (${fmt(pr.gcMajorMs, 0)} ms)`,
    );
  }
  const io = p.ioAtEnd;
  const io0 = p.ioAtStart;
  console.log(
    `    engine I/O: ${fmt((io.syscr - io0.syscr) / f.calls, 1)} read + ${fmt((io.syscw - io0.syscw) / f.calls, 1)} write syscalls/call ` +
      `(sockets included), ${fmt((io.writeBytes - io0.writeBytes) / 1024 / Math.max(1, p.completed), 1)} KB written to storage/workflow, ` +
      `${fmt((io.readBytes - io0.readBytes) / 1024 / Math.max(1, p.completed), 1)} KB read from storage/workflow`,
  );
  console.log(`    engine RSS ${fmt(mb(mem.rss), 1)} MB at phase end, peak ${fmt(mb(mem.hwm), 1)} MB (VmHWM)`);
  console.log(`    decision polls outstanding when a Start was sent: avg ${fmt(idleAvg, 1)}, min ${idle.length ? Math.min(...idle) : 'n/a'}`);
  lat('dispatch (activity done -> decider)', p.dispatch);
  lat('wake-up, decision (Start -> decider)', p.wakeDecision);
  lat('wake-up, activity (schedule -> worker)', p.wakeActivity);
  lat('whole workflow (Start -> completed)', p.workflow);
  return f;
}

const DEFINITIONS = `
Definitions (all times are process.hrtime in the driver; "received" = the whole response body has arrived):
  dispatch latency  = t(received: the already-waiting decider's PollForDecisionTask response that carries
                      ActivityTaskCompleted) - t(sent: RespondActivityTaskCompleted for that activity).
  wake-up latency   = t(received: the already-waiting decider's PollForDecisionTask response with the run's
                      first decision task) - t(sent: StartWorkflowExecution). The task becomes available when
                      the Start transaction commits; the engine hands it to the waiting poll before it answers
                      the Start call, so the Start response cannot serve as t0 (the poll answer can arrive
                      first). This figure therefore includes the Start call's transit and transaction: it is
                      an upper bound on commit -> delivery. (Also shown: the activity-side wake-up,
                      RespondDecisionTaskCompleted[ScheduleActivityTask] sent -> waiting worker's poll received.)
  engine CPU / call = (utime + stime of the engine process, /proc/<pid>/stat, all threads) over the phase,
                      divided by the API calls completed in the phase (7 per workflow: polls count once, when
                      they return a task).
  RSS               = VmRSS (now) and VmHWM (peak) from /proc/<pid>/status of the engine process.`;

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'PASS' : 'FAIL';
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) throw new Error('needs Linux /proc');
  const parent = env.BENCH_DIR ? resolve(env.BENCH_DIR) : tmpdir();
  const dir = mkdtempSync(join(parent, 'swf-bench-'));
  const profDir = CPU_PROF ? join(dir, 'cpu-prof') : undefined;
  console.log(`swf-local engine benchmark${QUICK ? ' (quick)' : ''}`);
  console.log(
    `  executions ${TARGET_EXECUTIONS}, concurrency ${CONCURRENCY}, pollers ${POLLERS}+${POLLERS}, load phase ${LOAD_SECONDS} s, ` +
      `time cap ${MAX_SECONDS} s, CLK_TCK ${clockTicks()}`,
  );
  if (ENGINE_ROOT !== ROOT) console.log(`  engine checkout: ${ENGINE_ROOT}`);
  console.log(`  engine: ${LAUNCHER === 'node' ? 'node --import tsx' : LAUNCHER === 'tsx' ? 'tsx CLI' : 'esbuild bundle on node'}, ${IN_MEMORY ? 'in-memory database' : 'SQLite file database'}`);
  console.log(`  driver: raw node:http + keep-alive agent, pre-built JSON bodies (not @aws-sdk/client-swf: see bench/swf-http.ts)`);
  if (CPU_PROF) console.log('  engine runs under --cpu-prof: CPU and latency figures include profiler overhead');

  const engine = await startEngineProcess(ENGINE, dir, profDir);
  const watchdog = setTimeout(() => {
    console.error(`bench: exceeded the time cap (${MAX_SECONDS + 60} s); killing the engine`);
    engine.child.kill('SIGKILL');
    process.exit(1);
  }, (MAX_SECONDS + 60) * 1000);
  watchdog.unref();

  let exitCode = 0;
  const http = new SwfHttp(engine.host, engine.port);
  const driver = new Driver(http, engine.pid, engine.probe);
  try {
    log(`engine listening on http://${engine.host}:${engine.port}, pid ${describeProcess(engine.pid)}`);
    log(`database ${join(dir, 'bench.sqlite')}`);
    const boot = memoryKb(engine.pid);
    log(`engine after start-up: CPU ${fmt(cpuMs(engine.pid), 0)} ms, RSS ${fmt(mb(boot.rss), 1)} MB`);

    await driver.setup();
    driver.startPollers(POLLERS);
    await new Promise((res) => setTimeout(res, 200)); // let every poll reach the engine and wait

    if (WARMUP_WORKFLOWS > 0) {
      const target = driver.started + WARMUP_WORKFLOWS;
      const w = await driver.phase('warm-up', CONCURRENCY, () => driver.started < target);
      log(`warm-up: ${w.completed} workflows (not measured)`);
    }

    let latency: PhaseStats | undefined;
    if (LATENCY_WORKFLOWS > 0) {
      const target = driver.started + LATENCY_WORKFLOWS;
      latency = await driver.phase('latency (1 in flight)', 1, () => driver.started < target);
    }

    const loadEnd = Math.min(Date.now() + LOAD_SECONDS * 1000, deadline - 15_000);
    const load = await driver.phase(`load (${CONCURRENCY} in flight)`, CONCURRENCY, () => Date.now() < loadEnd);
    const peakAfterLoad = memoryKb(engine.pid);

    const snapshot = () => ({
      at: Date.now(),
      completed: driver.completed,
      cpu: cpuMs(engine.pid),
      calls: http.calls,
      machine: machineCpu().busyMs,
      driver: process.cpuUsage(),
    });
    let last = snapshot();
    const long = await driver.phase(
      'long',
      CONCURRENCY,
      () => driver.started < TARGET_EXECUTIONS && Date.now() < deadline - 15_000,
      () => {
        const now = snapshot();
        const secs = (now.at - last.at) / 1000;
        const engineCpu = now.cpu - last.cpu;
        const driverCpu = (now.driver.user + now.driver.system - last.driver.user - last.driver.system) / 1000;
        const other = Math.max(0, now.machine - last.machine - engineCpu - driverCpu) / 1000 / secs;
        const m = memoryKb(engine.pid);
        log(
          `long phase: ${now.completed}/${TARGET_EXECUTIONS} executions; last ${fmt(secs, 0)} s: ` +
            `${fmt((now.completed - last.completed) / secs, 0)} workflows/s, engine ${fmt(engineCpu / (now.calls - last.calls), 3)} ms CPU/call ` +
            `(${fmt((100 * engineCpu) / 1000 / secs, 0)}% of a core), other processes ${fmt(100 * other, 0)}% of a core; ` +
            `RSS ${fmt(mb(m.rss), 1)} MB (peak ${fmt(mb(m.hwm), 1)} MB)`,
        );
        last = now;
      },
    );
    const afterLong = memoryKb(engine.pid);
    const reachedTarget = driver.completed >= TARGET_EXECUTIONS;
    log(
      `long phase done: ${driver.completed} executions completed in all${reachedTarget ? '' : ` (time cap reached before ${TARGET_EXECUTIONS})`}`,
    );

    console.log(DEFINITIONS);
    const lf = latency ? printPhase(latency) : undefined;
    const f = printPhase(load);
    const longF = long.completed > 0 ? printPhase(long) : undefined;

    let dbBytes = 0;
    for (const name of readdirSync(dir)) if (name.startsWith('bench.sqlite')) dbBytes += statSync(join(dir, name)).size;

    // ---------------------------------------------------------------- summary table
    const rows: [string, string, string, string][] = [];
    const p99ok = (s: number[]) => (s.length ? percentile(s, 99) <= TARGETS.p99Ms : undefined);
    const pair = (s: number[]) => `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 99))} ms`;
    rows.push(['workflows/s (load phase)', fmt(f.workflowsPerSecond, 1), `>= ${TARGETS.workflowsPerSecond}`, verdict(f.workflowsPerSecond >= TARGETS.workflowsPerSecond)]);
    rows.push(['API calls/s (load phase)', fmt(f.callsPerSecond, 0), `(${CALLS_PER_WORKFLOW}/workflow)`, '']);
    rows.push(['dispatch p50 / p99 (load)', pair(load.dispatch), `p99 <= ${TARGETS.p99Ms} ms`, verdict(p99ok(load.dispatch))]);
    rows.push(['wake-up p50 / p99 (load)', pair(load.wakeDecision), `p99 <= ${TARGETS.p99Ms} ms`, verdict(p99ok(load.wakeDecision))]);
    if (latency) {
      rows.push(['dispatch p50 / p99 (1 in flight)', pair(latency.dispatch), `p99 <= ${TARGETS.p99Ms} ms`, verdict(p99ok(latency.dispatch))]);
      rows.push(['wake-up p50 / p99 (1 in flight)', pair(latency.wakeDecision), `p99 <= ${TARGETS.p99Ms} ms`, verdict(p99ok(latency.wakeDecision))]);
    }
    rows.push(['engine CPU ms/call (load)', fmt(f.engineCpuMsPerCall, 3), `<= ${TARGETS.cpuMsPerCall}`, verdict(f.engineCpuMsPerCall <= TARGETS.cpuMsPerCall)]);
    if (lf) rows.push(['engine CPU ms/call (1 in flight)', fmt(lf.engineCpuMsPerCall, 3), `<= ${TARGETS.cpuMsPerCall}`, verdict(lf.engineCpuMsPerCall <= TARGETS.cpuMsPerCall)]);
    if (longF) {
      rows.push(['workflows/s (long phase)', fmt(longF.workflowsPerSecond, 1), `>= ${TARGETS.workflowsPerSecond}`, verdict(longF.workflowsPerSecond >= TARGETS.workflowsPerSecond)]);
      rows.push(['engine CPU ms/call (long)', fmt(longF.engineCpuMsPerCall, 3), `<= ${TARGETS.cpuMsPerCall}`, verdict(longF.engineCpuMsPerCall <= TARGETS.cpuMsPerCall)]);
    }
    if (load.probe) {
      const pr = load.probe;
      rows.push(['SQLite txn p99 / max (load)', `${fmt(pr.txP99Ms)} / ${fmt(pr.txMaxMs, 1)} ms`, `(${fmt(pr.txCount / f.calls, 2)} txn/call)`, '']);
      rows.push(['GC max pause (load)', `${fmt(pr.gcMaxMs, 1)} ms`, `(${fmt((100 * pr.gcMs) / 1000 / f.seconds, 1)}% of time)`, '']);
    }
    rows.push(['peak RSS through load phase', `${fmt(mb(peakAfterLoad.hwm), 1)} MB`, '(VmHWM)', '']);
    const rssLabel = `RSS after ${driver.completed} executions`;
    const rssOk = afterLong.rss / 1024 < TARGETS.rssMb;
    const rssVerdict = reachedTarget && driver.completed >= TARGETS.rssAfterExecutions ? verdict(rssOk) : `${verdict(rssOk)}*`;
    rows.push([rssLabel, `${fmt(mb(afterLong.rss), 1)} MB`, `< ${TARGETS.rssMb} MB`, rssVerdict]);
    rows.push(['peak RSS (whole run)', `${fmt(mb(afterLong.hwm), 1)} MB`, '(VmHWM)', '']);
    if (!IN_MEMORY) rows.push(['database size', `${fmt(dbBytes / 1024 / 1024, 1)} MB`, '(sqlite + wal)', '']);

    const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['metric', 'value', 'target', 'result'][i]!.length));
    const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(w[i]!)).join('  ')}`.trimEnd();
    console.log('\nSummary');
    console.log(line(['metric', 'value', 'target', 'result']));
    console.log(line(w.map((n) => '-'.repeat(n))));
    for (const r of rows) console.log(line(r));
    if (rssVerdict.endsWith('*')) {
      console.log(`  * the RSS target is defined after ${TARGETS.rssAfterExecutions} executions; this run completed ${driver.completed}.`);
    }
    const busiest = Math.max(f.otherCores, lf?.otherCores ?? 0, longF?.otherCores ?? 0);
    if (busiest > 0.15) {
      console.log(
        `  warning: other processes used up to ${fmt(100 * busiest, 0)}% of a core during the measured phases; ` +
          'the figures are disturbed (see "machine:" lines above).',
      );
    }
    if (f.driverCores > 0.8) console.log(`  note: the driver used ${fmt(100 * f.driverCores, 0)}% of a core in the load phase; it may limit throughput.`);
    console.log(`  engine-side errors logged on stderr: ${engine.stderr.filter((l) => /error/i.test(l)).length}`);
  } catch (error) {
    exitCode = 1;
    console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    driver.halt();
    const code = await stopEngineProcess(engine, log);
    await driver.drained();
    http.close();
    clearTimeout(watchdog);
    if (code !== 0 && code !== null) log(`engine exited with code ${code}`);
    if (profDir) {
      const profiles = existsSync(profDir) ? readdirSync(profDir).filter((n) => n.endsWith('.cpuprofile')) : [];
      if (profiles.length === 0) console.log(`no CPU profile was written to ${profDir}`);
      // The biggest profile is the main thread; others are helper threads (e.g. tsx's module loader).
      const bySize = profiles.map((n) => join(profDir, n)).sort((a, b) => statSync(b).size - statSync(a).size);
      if (bySize[0]) console.log(`\nengine main thread CPU profile (whole engine lifetime, start-up included)\n${summarizeCpuProfile(bySize[0], 25, ENGINE_ROOT)}`);
      for (const other of bySize.slice(1)) console.log(`other thread profile (not summarized): ${other}`);
    }
    if (KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
