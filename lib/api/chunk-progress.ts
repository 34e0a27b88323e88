import { attemptsOf, type ChildView, type TaskView, type WorkflowView } from '../decider';
import type { ChunkPlan, RenditionWorkflowInput } from '../video/contracts';
import { STEP_KEYS } from '../video/workflow';
import type { StepFailure, StepState } from './status';
import { failureOf, isFailedAttempt, latestState, optional, parseJson } from './step-state';

/**
 * How far a ProcessRendition child is, read from its own history: counts of its chunks by state,
 * its audio and package sub-steps, and a fraction done. Counts, not a row per chunk, so the
 * answer stays small for a 1,000-chunk rendition; only chunks in trouble are listed, capped.
 */

/** At most this many failing chunks are listed (the rest are counted in `failingNotListed`). */
export const MAX_LISTED_FAILING_CHUNKS = 10;

export interface SubStepStatus {
  state: StepState;
  attempts: number;
  nextAttemptAt?: string;
  failure?: StepFailure;
}

/** A chunk whose latest attempt did not complete: waiting for its retry, or failed for good. */
export interface FailingChunk {
  index: number;
  state: StepState;
  attempts: number;
  nextAttemptAt?: string;
  failure?: StepFailure;
}

export interface ChunkProgress {
  /** Chunks in the plan. */
  total: number;
  completed: number;
  /** Scheduled or started. */
  running: number;
  /** The latest attempt failed and a backoff timer runs before the next one (RETRY_WAIT). */
  retrying: number;
  /** The latest attempt failed or timed out and no retry is waiting (for good once the child closed). */
  failed: number;
  /** Canceled, or still open when the child closed. */
  canceled: number;
  /** Not asked for yet (at most `concurrency` chunks run at a time). */
  pending: number;
  /** Attempts that failed or timed out so far, over every chunk (retried ones included). */
  failedAttempts: number;
  /** The failing chunks (RETRY_WAIT, FAILED, TIMED_OUT), lowest index first, at most MAX_LISTED_FAILING_CHUNKS. */
  failing: FailingChunk[];
  /** Failing chunks beyond the listed ones. */
  failingNotListed: number;
  /** Absent when the source has no audio track (the child encodes none). */
  audio?: SubStepStatus;
  package: SubStepStatus;
  /**
   * Work done, 0 to 1: completed units over all units, where every chunk, the audio and the
   * package step are one unit each. 1 exactly when the child completed.
   */
  fractionDone: number;
  /** Events in the child's history: what one status read of this rendition costs. */
  historyEvents: number;
}

/** The plan and audio flag the parent gave the child (its StartChildWorkflowExecution input). */
export function childPlanOf(child: ChildView, fallbackPlan?: ChunkPlan): { plan?: ChunkPlan; hasAudio?: boolean } {
  const input = parseJson<Partial<RenditionWorkflowInput>>(child.input);
  const plan = isPlan(input?.plan) ? input.plan : isPlan(fallbackPlan) ? fallbackPlan : undefined;
  return { ...optional('plan', plan), ...optional('hasAudio', typeof input?.hasAudio === 'boolean' ? input.hasAudio : undefined) };
}

/**
 * The progress of `child` from its own history's view, or, while it has not started (no history
 * yet), from the parent's view of it alone: every chunk pending.
 */
export function chunkProgressOf(child: ChildView, childView: WorkflowView | undefined, fallbackPlan?: ChunkPlan): ChunkProgress {
  const own = parseJson<Partial<RenditionWorkflowInput>>(childView?.input);
  const given = childPlanOf(child, fallbackPlan);
  const plan = isPlan(own?.plan) ? own.plan : given.plan;
  const hasAudio = typeof own?.hasAudio === 'boolean' ? own.hasAudio : given.hasAudio;
  const total = plan?.count ?? 0;
  const childOpen = childView ? !childView.closed : child.open;
  const sub = (key: string): SubStepStatus => (childView ? subStepOf(childView, attemptsOf(childView, key), childOpen) : { state: childOpen ? 'PENDING' : 'NOT_RUN', attempts: 0 });

  const p: ChunkProgress = { total, completed: 0, running: 0, retrying: 0, failed: 0, canceled: 0, pending: 0, failedAttempts: 0, failing: [], failingNotListed: 0, package: sub(STEP_KEYS.package), fractionDone: 0, historyEvents: childView?.historyLength ?? 0 };
  if (hasAudio !== false) p.audio = sub(STEP_KEYS.audio);

  for (let index = 0; index < total; index++) {
    const attempts = childView ? attemptsOf(childView, STEP_KEYS.chunk(index)) : [];
    for (const t of attempts) if (isFailedAttempt(t)) p.failedAttempts++;
    const { state, nextAttemptAt } = childView ? latestState(childView, attempts, childOpen) : { state: 'PENDING' as const, nextAttemptAt: undefined };
    switch (state) {
      case 'PENDING':
      case 'NOT_RUN':
        p.pending++;
        break;
      case 'SCHEDULED':
      case 'RUNNING':
        p.running++;
        break;
      case 'COMPLETED':
        p.completed++;
        break;
      case 'CANCELED':
        p.canceled++;
        break;
      case 'RETRY_WAIT':
        p.retrying++;
        listFailing(p, index, state, attempts, nextAttemptAt);
        break;
      case 'FAILED':
      case 'TIMED_OUT':
        p.failed++;
        listFailing(p, index, state, attempts, nextAttemptAt);
        break;
      default: {
        const never: never = state;
        throw new Error(`unknown step state ${String(never)}`);
      }
    }
  }

  const units = total + (p.audio ? 1 : 0) + 1;
  const done = p.completed + (p.audio?.state === 'COMPLETED' ? 1 : 0) + (p.package.state === 'COMPLETED' ? 1 : 0);
  p.fractionDone = childView?.closed?.status === 'COMPLETED' ? 1 : Math.floor((done / units) * 1000) / 1000;
  return p;
}

function subStepOf(view: WorkflowView, attempts: readonly TaskView[], runOpen: boolean): SubStepStatus {
  const { state, nextAttemptAt } = latestState(view, attempts, runOpen);
  const last = attempts[attempts.length - 1];
  return {
    state,
    attempts: attempts.length,
    ...optional('nextAttemptAt', nextAttemptAt),
    ...(last?.failure && last.state !== 'completed' ? { failure: failureOf(last.failure) } : {}),
  };
}

function listFailing(p: ChunkProgress, index: number, state: StepState, attempts: readonly TaskView[], nextAttemptAt: string | undefined): void {
  if (p.failing.length >= MAX_LISTED_FAILING_CHUNKS) {
    p.failingNotListed++;
    return;
  }
  const last = attempts[attempts.length - 1];
  p.failing.push({ index, state, attempts: attempts.length, ...optional('nextAttemptAt', nextAttemptAt), ...(last?.failure ? { failure: failureOf(last.failure) } : {}) });
}

function isPlan(value: unknown): value is ChunkPlan {
  const count = (value as { count?: unknown } | undefined)?.count;
  return typeof value === 'object' && value !== null && typeof count === 'number' && Number.isInteger(count) && count >= 0;
}
