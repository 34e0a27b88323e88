/** The run's figures and verdict, as text for the terminal and JSON for the README and CI. */
import type { InvariantResult, RunRow } from './invariants';
import type { Ledger } from './ledger';
import type { PipelineReport } from './pipeline';

export interface PhaseWindow {
  name: string;
  startMs: number;
  endMs: number;
  /** Engine CPU time used during the phase. */
  engineCpuMs: number;
  /** The part of it spent starting engines (restarts). */
  startupCpuMs: number;
}

export interface ChaosReport {
  seed: number;
  mode: string;
  wallSeconds: number;
  runs: { total: number; open: number; byCloseStatus: Record<string, number> };
  /** Top-level workflows (ChaosFlow chains) that reached their final close. */
  workflowsCompleted: number;
  faults: Record<string, number>;
  invariants: { name: string; checked: number; violations: number; examples: string[] }[];
  problems: string[];
  notes: string[];
  throughput: {
    phase: string;
    seconds: number;
    workflowsClosed: number;
    perMinute: number;
    engineCpuSeconds: number;
    /** Of engineCpuSeconds, what engine start-ups took. */
    startupCpuSeconds: number;
    /** Engine CPU per workflow closed, start-ups left out. */
    engineCpuMsPerWorkflow: number;
  }[];
  acknowledged: { starts: number; responds: number; signals: number; cancels: number; heartbeats: number; deliveries: number };
  clientErrors: Record<string, number>;
  engineRestartMs: { count: number; median: number; max: number };
  disk: string;
  /** The pipeline part, when it ran. */
  pipeline?: PipelineReport;
  passed: boolean;
}

/** Top-level chains closed for good (a continue-as-new hand-over is not a close of the workflow). */
function finalCloses(runs: RunRow[]): RunRow[] {
  return runs.filter((r) => r.type_name === 'ChaosFlow' && r.status === 'CLOSED' && r.close_status !== 'CONTINUED_AS_NEW');
}

export function throughputOf(runs: RunRow[], phases: PhaseWindow[]): ChaosReport['throughput'] {
  const closed = finalCloses(runs);
  return phases.map((p) => {
    const n = closed.filter((r) => r.closed_at! >= p.startMs && r.closed_at! < p.endMs).length;
    const seconds = (p.endMs - p.startMs) / 1000;
    return {
      phase: p.name,
      seconds: Math.round(seconds),
      workflowsClosed: n,
      perMinute: Math.round((n / seconds) * 60 * 10) / 10,
      engineCpuSeconds: Math.round(p.engineCpuMs / 100) / 10,
      startupCpuSeconds: Math.round(p.startupCpuMs / 100) / 10,
      engineCpuMsPerWorkflow: n > 0 ? Math.round(((p.engineCpuMs - p.startupCpuMs) / n) * 10) / 10 : 0,
    };
  });
}

export function buildReport(args: {
  seed: number;
  mode: string;
  wallSeconds: number;
  runs: RunRow[];
  results: InvariantResult[];
  ledger: Ledger;
  phases: PhaseWindow[];
  restartMs: number[];
  disk: string;
}): ChaosReport {
  const { runs, results, ledger } = args;
  const byCloseStatus: Record<string, number> = {};
  for (const r of runs) if (r.status === 'CLOSED') byCloseStatus[r.close_status ?? '?'] = (byCloseStatus[r.close_status ?? '?'] ?? 0) + 1;
  const sorted = [...args.restartMs].sort((a, b) => a - b);
  const invariants = results.map((r) => ({ name: r.name, checked: r.checked, violations: r.violations.length, examples: r.violations.slice(0, 5) }));
  return {
    seed: args.seed,
    mode: args.mode,
    wallSeconds: Math.round(args.wallSeconds),
    runs: { total: runs.length, open: runs.filter((r) => r.status === 'OPEN').length, byCloseStatus },
    workflowsCompleted: finalCloses(runs).filter((r) => r.close_status === 'COMPLETED' || r.close_status === 'CANCELED').length,
    faults: Object.fromEntries(ledger.faults),
    invariants,
    problems: [...ledger.problems],
    notes: [...ledger.notes],
    throughput: throughputOf(runs, args.phases),
    acknowledged: {
      starts: ledger.started.size,
      responds: ledger.responds.length,
      signals: ledger.signals.length,
      cancels: ledger.cancels.length,
      heartbeats: ledger.heartbeats,
      deliveries: ledger.deliveries.length,
    },
    clientErrors: Object.fromEntries([...ledger.clientErrors].sort((a, b) => b[1] - a[1])),
    engineRestartMs: { count: sorted.length, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 },
    disk: args.disk,
    passed: invariants.every((i) => i.violations === 0) && ledger.problems.length === 0,
  };
}

export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  lines.push(`chaos ${r.mode}: seed ${r.seed}, ${r.wallSeconds} s`);
  lines.push(`  runs: ${r.runs.total} (${r.runs.open} open); closed: ${Object.entries(r.runs.byCloseStatus).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  workflows completed (or canceled as asked): ${r.workflowsCompleted}`);
  lines.push('  faults injected:');
  for (const [k, v] of Object.entries(r.faults).sort()) lines.push(`    ${String(v).padStart(5)}  ${k}`);
  lines.push(`  acknowledged: ${r.acknowledged.starts} starts, ${r.acknowledged.responds} Respond*, ${r.acknowledged.signals} signals, ${r.acknowledged.cancels} cancels, ${r.acknowledged.heartbeats} heartbeats; ${r.acknowledged.deliveries} tasks delivered`);
  lines.push(`  engine start-ups: ${r.engineRestartMs.count}, median ${r.engineRestartMs.median} ms, max ${r.engineRestartMs.max} ms`);
  lines.push('  throughput (top-level workflows closed):');
  for (const t of r.throughput) {
    lines.push(`    ${t.phase.padEnd(12)} ${String(t.workflowsClosed).padStart(6)} in ${t.seconds} s = ${t.perMinute}/min; engine CPU ${t.engineCpuSeconds} s (${t.startupCpuSeconds} s of it start-ups), ${t.engineCpuMsPerWorkflow} ms per workflow without them`);
  }
  lines.push(`  disk: ${r.disk}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push('  invariants:');
  for (const i of r.invariants) {
    lines.push(`    ${i.violations === 0 ? 'ok  ' : 'FAIL'} ${i.name} (${i.checked} checked${i.violations ? `, ${i.violations} violations` : ''})`);
    for (const e of i.examples) lines.push(`         ${e}`);
  }
  for (const p of r.problems) lines.push(`  PROBLEM: ${p}`);
  if (r.pipeline) lines.push(formatPipeline(r.pipeline));
  lines.push(`  client errors seen: ${Object.entries(r.clientErrors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  lines.push(r.passed ? 'chaos: PASS (nothing lost, no invariant broken)' : 'chaos: FAIL');
  return lines.join('\n');
}

export function formatPipeline(p: PipelineReport): string {
  const lines = [`  pipeline: ${p.videos.length} uploads through npm start in ${p.seconds} s; ${p.stackKills} kill -9 of the whole stack, ${p.ffmpegKills} of ffmpeg inside Lambda tasks`];
  for (const v of p.videos) lines.push(`    ${v.status.padEnd(9)} ${v.videoId} (${v.file})${v.failure ? ` ${v.failure}` : ''}${v.filesVerified ? `, ${v.filesVerified} output files verified` : ''}`);
  for (const problem of p.problems) lines.push(`  PROBLEM (pipeline): ${problem}`);
  return lines.join('\n');
}
