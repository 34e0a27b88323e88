/**
 * Retry policy: how many attempts a task gets and how long to wait between them. The wait is an
 * SWF timer, so a retry survives decider restarts and costs nothing while it waits.
 */
import type { TaskFailure } from './view';

export interface RetryPolicy {
  /** Total attempts, the first included; 1 means never retry. */
  maxAttempts: number;
  /** Wait before attempt 2, in seconds. */
  initialIntervalSeconds: number;
  /** Each further wait is the previous one times this. */
  backoffCoefficient: number;
  /** Upper bound of a wait, in seconds. */
  maximumIntervalSeconds: number;
  /** Error names (ActivityTaskFailed / LambdaFunctionFailed reason) that are never retried. */
  nonRetryable?: readonly string[];
}

/** One attempt, no retries. */
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, initialIntervalSeconds: 0, backoffCoefficient: 1, maximumIntervalSeconds: 0 };

/**
 * SWF causes for a refused Schedule decision that are about load, not about the request: worth
 * another attempt. Every other cause (unknown type, missing defaults, id in use...) is permanent.
 */
export const TRANSIENT_SCHEDULE_CAUSES: readonly string[] = [
  'OPEN_ACTIVITIES_LIMIT_EXCEEDED',
  'ACTIVITY_CREATION_RATE_EXCEEDED',
  'OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED',
  'LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED',
];

/**
 * Whether a failure may be retried under `policy` (attempts aside): errors unless their name is
 * non-retryable, every timeout, and schedule failures with a transient cause. Cancellations,
 * start failures (e.g. ASSUME_ROLE_FAILED) and invalid requests are permanent.
 */
export function isRetryable(failure: TaskFailure, policy: RetryPolicy): boolean {
  switch (failure.type) {
    case 'error':
      return !(policy.nonRetryable ?? []).includes(failure.reason);
    case 'timeout':
      return true;
    case 'scheduleFailed':
      return TRANSIENT_SCHEDULE_CAUSES.includes(failure.reason);
    case 'startFailed':
    case 'canceled':
    case 'invalid':
      return false;
  }
}

/** Seconds to wait after `failedAttempt` (1-based) failed: initial x coefficient^(n-1), capped, whole seconds. */
export function backoffSeconds(policy: RetryPolicy, failedAttempt: number): number {
  const raw = policy.initialIntervalSeconds * Math.pow(policy.backoffCoefficient, Math.max(0, failedAttempt - 1));
  const capped = Math.min(raw, policy.maximumIntervalSeconds > 0 ? policy.maximumIntervalSeconds : raw);
  return Number.isFinite(capped) && capped > 0 ? Math.ceil(capped) : 0;
}
