/**
 * One chaos run: the engine on a small disk, a workload with no faults (baseline), the same
 * workload under a seeded fault schedule, a drain, one last kill -9 and restart, then the
 * invariants from the database and the histories.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SmallDisk } from './disk';
import { EngineControl } from './engine-control';
import { INJECTORS, schedule, type FaultContext } from './faults';
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { fullHistory } from '../../test/helpers/history';
import { checkInvariants, readDatabase } from './invariants';
import { Ledger } from './ledger';
import type { ChaosMode } from './modes';
import { chaosClient, sleep } from './pollers';
import { Random } from './random';
import { buildReport, type ChaosReport, type PhaseWindow } from './report';
import { Starter } from './starter';
import { DOMAIN, LAMBDA_FUNCTION, registerChaosTypes } from './workflows';
import { Workforce } from './workforce';

export interface RunOptions {
  mode: ChaosMode;
  seed: number;
  log?: (line: string) => void;
}

export async function runChaos({ mode, seed, log = () => undefined }: RunOptions): Promise<ChaosReport> {
  const began = Date.now();
  const random = new Random(seed);
  const work = mkdtempSync(join(tmpdir(), 'swf-chaos-'));
  const disk = SmallDisk.mount(join(work, 'disk'), mode.tmpfsMb);
  const diskNote = disk.mounted ? `database on a ${mode.tmpfsMb} MB tmpfs mounted for the run` : `${disk.refusal}: database on ${tmpdir()}, full-disk fault skipped`;
  log(`disk: ${diskNote}`);
  const functions = join(work, 'lambda-functions.json');
  writeFileSync(functions, JSON.stringify({ [LAMBDA_FUNCTION]: { module: resolve(__dirname, 'lambda-handler.ts'), export: 'handler' } }));
  const ledger = new Ledger();
  const engine = await EngineControl.create({ db: join(disk.dir, 'swf.sqlite'), lambdaFunctions: functions, pollTimeoutSeconds: 5 }, (message) => ledger.problems.push(message));
  const swf = chaosClient(engine.endpoint);
  const workforce = new Workforce(swf, ledger, random.fork(), { deciders: mode.deciders, workers: mode.workers });
  const starter = new Starter(swf, ledger, random.fork(), mode.inFlight, `wf-${seed}`);
  const phases: PhaseWindow[] = [];
  try {
    await engine.start();
    log(`engine: ${engine.endpoint} on ${engine.settings.db}`);
    await registerChaosTypes(swf);
    workforce.start();
    starter.start();

    let phaseStart = Date.now();
    let phaseCpu = engine.cpuMs();
    let phaseStartupCpu = engine.startupCpuMs;
    log(`baseline: ${mode.baselineSeconds} s without faults`);
    await sleep(mode.baselineSeconds * 1000);
    phases.push({ name: 'baseline', startMs: phaseStart, endMs: Date.now(), engineCpuMs: engine.cpuMs() - phaseCpu, startupCpuMs: engine.startupCpuMs - phaseStartupCpu });

    const ctx: FaultContext = { engine, swf, ledger, workforce, random: random.fork(), disk, fullDiskAcks: [], diskFullSeconds: mode.diskFullSeconds };
    const counts = { ...mode.faults, ...(disk.mounted ? {} : { 'disk-full': 0 }) };
    const plan = schedule(random.fork(), counts, mode.faultSeconds * 1000);
    phaseStart = Date.now();
    phaseCpu = engine.cpuMs();
    phaseStartupCpu = engine.startupCpuMs;
    log(`faults: ${plan.length} over ${mode.faultSeconds} s`);
    for (const step of plan) {
      const wait = phaseStart + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      log(`  +${((Date.now() - phaseStart) / 1000).toFixed(1)} s ${step.kind}`);
      await engine.ensureRunning();
      await INJECTORS[step.kind](ctx);
    }
    const rest = phaseStart + mode.faultSeconds * 1000 - Date.now();
    if (rest > 0) await sleep(rest);
    phases.push({ name: 'faults', startMs: phaseStart, endMs: Date.now(), engineCpuMs: engine.cpuMs() - phaseCpu, startupCpuMs: engine.startupCpuMs - phaseStartupCpu });

    log('drain: no new runs; waiting for open runs to close');
    await engine.ensureRunning();
    await starter.stop();
    const drainUntil = Date.now() + mode.drainSeconds * 1000;
    while (Date.now() < drainUntil) {
      const open = await swf.countOpenWorkflowExecutions({ domain: DOMAIN, startTimeFilter: { oldestDate: new Date(0) } }).then((r) => r.count ?? 0, () => -1);
      if (open === 0) break;
      await sleep(500);
    }
    await workforce.stop();

    // One last crash, so the checks read what a restarted engine recovered.
    await engine.kill9();
    ledger.countFault('engine kill -9 + restart');
    await engine.start();
    log('checking invariants');
    const facts = readDatabase(engine.settings.db);
    const histories = new Map<string, HistoryEvent[]>();
    for (const r of facts.runs) histories.set(r.run_id, await fullHistory(swf, DOMAIN, { workflowId: r.workflow_id, runId: r.run_id }));
    const results = checkInvariants(facts, histories, ledger, ctx.fullDiskAcks);
    return buildReport({ seed, mode: mode.name, wallSeconds: (Date.now() - began) / 1000, runs: facts.runs, results, ledger, phases, restartMs: engine.restartMs, disk: diskNote });
  } finally {
    await starter.stop().catch(() => undefined);
    await workforce.stop().catch(() => undefined);
    swf.destroy();
    await engine.stop();
    disk.unmount();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where a report is kept (the README's figures come from the long run's file). */
export function writeReport(report: ChaosReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-${report.mode}-${report.seed}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}
