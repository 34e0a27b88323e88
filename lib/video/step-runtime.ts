import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storesFromEnv, type Stores } from '../storage';
import type { StepName } from './definition';
import { isAbortError, throwIfAborted } from './errors';
import type { StepContext, StepLogger } from './step-support';

/**
 * What a Lambda handler (or an activity worker) wraps around a step: the stores from the
 * environment, a private work dir under os.tmpdir() removed afterwards, and an AbortSignal that
 * fires shortly before the invocation's deadline, so ffmpeg is killed and the temp files removed
 * before Lambda (or swf-local's invoker) stops the handler.
 */

/** The parts of a Lambda context the runtime reads (swf-local's invoker provides them too). */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

/** How long before the deadline the step is stopped: 10% of the time left, between 0.5 and 5 s. */
export function deadlineMarginMs(remainingMs: number): number {
  return Math.min(5000, Math.max(500, remainingMs * 0.1));
}

let cached: { signature: string; stores: Stores } | undefined;

/** storesFromEnv, kept for as long as the storage variables do not change (a warm container reuses it). */
export function storesForEnv(env: NodeJS.ProcessEnv = process.env): Stores {
  const signature = JSON.stringify(['UPLOAD_BUCKET', 'MEDIA_BUCKET', 'MEDIA_DIR', 'LOCAL_MEDIA_BASE_URL', 'AWS_REGION', 'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE'].map((k) => env[k] ?? null));
  if (cached?.signature !== signature) cached = { signature, stores: storesFromEnv(env) };
  return cached.stores;
}

export interface RunStepOptions {
  logger?: StepLogger;
  /** An outside signal (an activity worker's cancellation) combined with the deadline. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onProgress?: (fraction: number) => void;
}

/** Runs one step with stores, a work dir and a deadline signal; the work dir is always removed. */
export async function runStep<T>(
  step: StepName,
  context: LambdaContextLike | undefined,
  fn: (stores: Stores, ctx: StepContext) => Promise<T>,
  options: RunStepOptions = {},
): Promise<T> {
  const started = Date.now();
  const logger = options.logger;
  const stores = storesForEnv(options.env ?? process.env);
  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  let timer: NodeJS.Timeout | undefined;
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining !== undefined && Number.isFinite(remaining) && remaining > 0) {
    const deadline = new AbortController();
    const margin = deadlineMarginMs(remaining);
    timer = setTimeout(() => {
      const reason = new Error(`The ${step} step was stopped ${Math.round(margin)} ms before its ${Math.round(remaining / 1000)} s deadline`);
      reason.name = 'TimeoutError';
      deadline.abort(reason);
    }, Math.max(0, remaining - margin));
    timer.unref();
    signals.push(deadline.signal);
  }
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const workDir = await mkdtemp(join(tmpdir(), `video-${step}-`));
  logger?.info('step started', { step, requestId: context?.awsRequestId, workDir });
  try {
    throwIfAborted(signal);
    const result = await fn(stores, {
      workDir,
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(logger ? { logger } : {}),
    });
    logger?.info('step finished', { step, elapsedMs: Date.now() - started });
    return result;
  } catch (error) {
    const e = error as Error;
    if (isAbortError(error) || e?.name === 'TimeoutError') logger?.warn('step stopped', { step, reason: e?.message });
    else logger?.warn('step failed', { step, error: { name: e?.name, message: e?.message } });
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
