/**
 * Task ids. A workflow addresses a task by a stable key (`transcode-720p`); each attempt gets its
 * own SWF id, so a retry never collides with the attempt before it:
 *
 *   attempt 1: `transcode-720p`   attempt 2: `transcode-720p#2`   attempt 3: `transcode-720p#3`
 *
 * The backoff timer that precedes attempt N has attempt N's id as its timerId. User timers and
 * task keys may not contain `#`, so neither can collide with a retry id.
 */
import { DeciderError } from './errors';

/** SWF's limit on activityId, Lambda id, timerId and markerName. */
export const MAX_ID_LENGTH = 256;
/** Room kept for the `#<attempt>` suffix. */
const SUFFIX_ROOM = 8;
// Forbidden by SWF in activity ids and timer ids: ':', '/', '|', control characters, and 'arn'.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[:/|#\u0000-\u001f\u007f-\u009f]/;

/** The SWF id of `attempt` (1-based) of the task `key`. */
export function taskId(key: string, attempt: number): string {
  return attempt <= 1 ? key : `${key}#${attempt}`;
}

/** Splits an SWF id back into the key and attempt; ids without a suffix are attempt 1. */
export function parseTaskId(id: string): { key: string; attempt: number } {
  const m = /^(.*)#([1-9][0-9]*)$/.exec(id);
  if (m && m[1] !== undefined && m[2] !== undefined && m[1] !== '') return { key: m[1], attempt: Number(m[2]) };
  return { key: id, attempt: 1 };
}

/** Throws a DeciderError unless `key` can be used as a task key or timer key. */
export function assertValidKey(key: string, what = 'task key'): void {
  if (typeof key !== 'string' || key.length === 0) throw new DeciderError(`${what} must be a non-empty string`);
  if (key.length > MAX_ID_LENGTH - SUFFIX_ROOM) throw new DeciderError(`${what} "${key.slice(0, 40)}..." is longer than ${MAX_ID_LENGTH - SUFFIX_ROOM} characters`);
  if (FORBIDDEN.test(key) || key === 'arn' || key.trim() !== key) {
    throw new DeciderError(`${what} "${key}" may not contain ':', '/', '|', '#', control characters or surrounding spaces, nor be 'arn'`);
  }
}
