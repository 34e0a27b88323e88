import { randomBytes } from 'node:crypto';

/** Sources of randomness, injected so the state machine is deterministic in tests. */
export interface IdSource {
  /** A new runId: opaque, like the service's 44-character base64 ids. */
  runId(): string;
  /** A nonce for a task token. */
  nonce(): string;
}

/** Random bytes drawn in bulk: one syscall per few hundred ids instead of one per id. */
class RandomPool {
  private buffer = Buffer.alloc(0);
  private offset = 0;

  take(n: number): Buffer {
    if (this.offset + n > this.buffer.length) {
      this.buffer = randomBytes(8192);
      this.offset = 0;
    }
    const out = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

const pool = new RandomPool();

export const randomIds: IdSource = {
  runId: () => pool.take(33).toString('base64'),
  nonce: () => pool.take(9).toString('base64url'),
};

/** Deterministic ids for tests and replays. */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  return {
    runId: () => `${prefix}-run-${++n}`,
    nonce: () => `${prefix}-nonce-${++n}`,
  };
}
