import { randomBytes } from 'node:crypto';

/** Sources of randomness, injected so the state machine is deterministic in tests. */
export interface IdSource {
  /** A new runId: opaque, like the service's 44-character base64 ids. */
  runId(): string;
  /** A nonce for a task token. */
  nonce(): string;
}

export const randomIds: IdSource = {
  runId: () => randomBytes(33).toString('base64'),
  nonce: () => randomBytes(9).toString('base64url'),
};

/** Deterministic ids for tests and replays. */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  return {
    runId: () => `${prefix}-run-${++n}`,
    nonce: () => `${prefix}-nonce-${++n}`,
  };
}
