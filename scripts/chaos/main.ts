#!/usr/bin/env tsx
/**
 * npm run chaos [-- --quick] [-- --seed N]: swf-local under sustained load and repeated faults,
 * checked from the database and the histories at the end. Exits 1 if any invariant broke.
 */
import { parseArgs } from 'node:util';
import { LONG, QUICK } from './modes';
import { runPipelineChaos } from './pipeline';
import { Random, newSeed } from './random';
import { formatPipeline, formatReport } from './report';
import { runChaos, writeReport } from './run';

const USAGE = `Usage: npm run chaos -- [--quick] [--pipeline] [--seed <n>] [--report-dir <dir>]
  --quick            the CI mode (about 2 minutes); without it the long mode (about 15 minutes,
                     then the pipeline part)
  --pipeline         only the pipeline part: videos through npm start while it is killed
  --seed <n>         replay a run's workload and fault schedule (printed at the start of every run)
  --report-dir <d>   where the JSON report goes (default .chaos)`;

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({ options: { quick: { type: 'boolean', default: false }, pipeline: { type: 'boolean', default: false }, seed: { type: 'string' }, 'report-dir': { type: 'string', default: '.chaos' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
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
  console.log(`chaos ${mode.name}${values.pipeline ? ' pipeline' : ''}: seed ${seed} (replay with --seed ${seed})`);
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  if (values.pipeline) {
    const pipeline = await runPipelineChaos({ ...mode.pipeline, random: new Random(seed), log });
    console.log(formatPipeline(pipeline));
    console.log(pipeline.problems.length === 0 ? 'chaos pipeline: PASS' : 'chaos pipeline: FAIL');
    process.exit(pipeline.problems.length === 0 ? 0 : 1);
  }
  const report = await runChaos({ mode, seed, log });
  // The long mode goes on with the pipeline (the quick one leaves it out to fit CI).
  if (mode.name === 'long') {
    report.pipeline = await runPipelineChaos({ ...mode.pipeline, random: new Random(seed).fork(), log });
    report.passed &&= report.pipeline.problems.length === 0;
  }
  console.log(formatReport(report));
  console.log(`report: ${writeReport(report, values['report-dir']!)}`);
  process.exit(report.passed ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error('chaos: the run itself failed:', error);
  process.exit(1);
});
