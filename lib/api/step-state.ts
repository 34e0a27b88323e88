import { taskId, type TaskFailure, type TaskView, type WorkflowView } from '../decider';
import type { StepFailure, StepState } from './status';

/**
 * Where a task stands, read from its attempts in a run's view: the parent's steps (status.ts) and
 * a rendition child's chunks (chunk-progress.ts) are judged by the same rules.
 */

/** The state of a task whose attempts are `attempts` (oldest first), in a run that is open or not. */
export function latestState(view: WorkflowView, attempts: readonly TaskView[], runOpen: boolean): { state: StepState; nextAttemptAt?: string } {
  const last = attempts[attempts.length - 1];
  if (!last) return { state: runOpen ? 'PENDING' : 'NOT_RUN' };
  let state = stateOf(last);
  let nextAttemptAt: string | undefined;
  if (!last.open && last.state !== 'completed') {
    // A backoff timer named after the next attempt's id means a retry is coming.
    const timer = view.timers.get(taskId(last.key, last.attempt + 1));
    if (timer?.open && runOpen) {
      state = 'RETRY_WAIT';
      nextAttemptAt = iso(timer.fireAt);
    }
  }
  // The run closed while the task was open (terminated, timed out, canceled): it did not finish.
  if (!runOpen && (state === 'SCHEDULED' || state === 'RUNNING')) state = 'CANCELED';
  return nextAttemptAt === undefined ? { state } : { state, nextAttemptAt };
}

export function stateOf(task: TaskView): StepState {
  switch (task.state) {
    case 'scheduled':
      return 'SCHEDULED';
    case 'started':
      return 'RUNNING';
    case 'completed':
      return 'COMPLETED';
    case 'timedOut':
      return 'TIMED_OUT';
    case 'canceled':
      return 'CANCELED';
    case 'failed':
    case 'scheduleFailed':
    case 'startFailed':
      return 'FAILED';
    default: {
      const never: never = task.state;
      throw new Error(`unknown task state ${String(never)}`);
    }
  }
}

/** An attempt that ended without completing and without being canceled: it counts as a failure. */
export function isFailedAttempt(task: TaskView): boolean {
  return !task.open && task.state !== 'completed' && task.state !== 'canceled';
}

export function failureOf(f: TaskFailure): StepFailure {
  return { type: f.type, reason: f.reason, ...optional('details', f.details) };
}

export function byAttempt(a: TaskView, b: TaskView): number {
  return (a.scheduledEventId ?? a.closedEventId ?? 0) - (b.scheduledEventId ?? b.closedEventId ?? 0) || a.attempt - b.attempt;
}

export function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function iso(ms: number | undefined): string | undefined {
  return ms !== undefined && ms > 0 ? new Date(ms).toISOString() : undefined;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
