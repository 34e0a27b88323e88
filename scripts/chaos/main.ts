#!/usr/bin/env tsx
/**
 * npm run chaos [-- --quick] [-- --seed N]: swf-local under sustained load and repeated faults,
 * checked from the database and the histories at the end. Exits 1 if any invariant broke.
 */
import { parseArgs } from 'node:util';
import { LONG, QUICK } from './modes';
import { newSeed } from './random';
import { formatReport } from './report';
import { runChaos, writeReport } from './run';

const USAGE = `Usage: npm run chaos -- [--quick] [--seed <n>] [--report-dir <dir>]
  --quick            the CI mode (about 2 minutes); without it the long mode (about 15 minutes)
  --seed <n>         replay a run's workload and fault schedule (printed at the start of every run)
  --report-dir <d>   where the JSON report goes (default .chaos)`;

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({ options: { quick: { type: 'boolean', default: false }, seed: { type: 'string' }, 'report-dir': { type: 'string', default: '.chaos' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const seed = values.seed === undefined ? newSeed() : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    console.error(`chaos: --seed must be an integer 0..2^32-1, got ${values.seed}\n${USAGE}`);
    process.exit(2);
  }
  const mode = values.quick ? QUICK : LONG;
  console.log(`chaos ${mode.name}: seed ${seed} (replay with --seed ${seed})`);
  const report = await runChaos({ mode, seed, log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`) });
  console.log(formatReport(report));
  console.log(`report: ${writeReport(report, values['report-dir']!)}`);
  process.exit(report.passed ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error('chaos: the run itself failed:', error);
  process.exit(1);
});
