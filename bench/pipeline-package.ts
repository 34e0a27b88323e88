/**
 * npm run bench:pipeline -- --package — the package step's disk and time on the long bench's clip.
 *
 * The 3-minute 1080p clip of `--long` (same BENCH_* settings) is encoded the chunked way once
 * (BENCH_PACKAGE_WORKERS chunk workers, default 2), then the package step runs BENCH_PACKAGE_RUNS
 * times (default 2) each way, alternately:
 *   file:        the default disk budget, so the MP4 is written to the work dir and uploaded;
 *   fragmented:  a budget of 0 bytes, so the MP4 streams to the store as a fragmented MP4.
 * Each run's work dir is sampled while it runs (test/helpers/disk-peak: a lower bound on the true
 * peak), beside wall time and CPU time (this process and its ffmpeg children). The stores are
 * local folders, so uploads are file copies: on S3 the upload time comes on top.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TranscodeResult } from '../lib/video/contracts';
import { packageRendition } from '../lib/video/package';
import { withPeakDiskUse } from '../test/helpers/disk-peak';
import { longFixture, measured } from './pipeline-long';

const WORKERS = Number(process.env.BENCH_PACKAGE_WORKERS ?? 2);
const RUNS = Number(process.env.BENCH_PACKAGE_RUNS ?? 2);
const MB = 1024 * 1024;

export async function runPackage(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-package-'));
  try {
    console.log('bench:pipeline --package');
    const { stores, workDir, encodeChunked } = await longFixture(root);
    const input = await encodeChunked(WORKERS);
    const rows: { way: string; wallMs: number; cpuMs: number; peakBytes: number; samples: number; result: TranscodeResult }[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const [way, diskBudgetBytes] of [['file', undefined], ['fragmented', 0]] as const) {
        const dir = await workDir();
        let sampled: { result: TranscodeResult; peakBytes: number; samples: number } | undefined;
        const m = await measured(async () => {
          sampled = await withPeakDiskUse(dir, () => packageRendition(input, stores, { workDir: dir, ...(diskBudgetBytes !== undefined ? { diskBudgetBytes } : {}) }));
        });
        await rm(dir, { recursive: true, force: true });
        rows.push({ way, ...m, ...sampled! });
        console.log(`${way}: ${(m.wallMs / 1000).toFixed(1)} s wall, ${(m.cpuMs / 1000).toFixed(1)} s CPU, peak work dir ${(sampled!.peakBytes / MB).toFixed(1)} MB (${sampled!.samples} samples)`);
      }
    }
    const r = rows[0]!.result;
    const hlsMb = r.hls.segmentBytes / MB;
    console.log('');
    console.log(`| package step, 180 s 1080p (MP4 ${(r.mp4.sizeBytes / MB).toFixed(1)} MB, HLS ${hlsMb.toFixed(1)} MB in ${r.hls.segmentCount} segments) | wall | CPU | peak work dir |`);
    console.log('|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.way} | ${(row.wallMs / 1000).toFixed(1)} s | ${(row.cpuMs / 1000).toFixed(1)} s | ${(row.peakBytes / MB).toFixed(1)} MB |`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
