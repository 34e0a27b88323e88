import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The most a folder held while something ran: its size is summed over and over (async, so the
 * work runs between samples). A sampler can miss a peak shorter than one pass, never invent one:
 * the figure is a lower bound, which is what a "stays below" check needs to be honest about.
 */

/** Bytes of the files under `root` now; files that vanish mid-walk count as nothing. */
export async function treeBytes(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) total += await treeBytes(path);
    else total += await stat(path).then((s) => s.size, () => 0);
  }
  return total;
}

/** Runs `fn` while sampling `root`'s size; its result, the largest size seen and how many samples were taken. */
export async function withPeakDiskUse<T>(root: string, fn: () => Promise<T>): Promise<{ result: T; peakBytes: number; samples: number }> {
  let peakBytes = 0;
  let samples = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakBytes = Math.max(peakBytes, await treeBytes(root));
      samples++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    return { result: await fn(), peakBytes, samples };
  } finally {
    running = false;
    await sampler;
  }
}
