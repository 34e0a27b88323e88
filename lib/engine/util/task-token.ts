import type { TaskKind } from '../execution/state';

/**
 * Task tokens name the claim they belong to: (kind, run row, scheduledEventId, startedEventId)
 * plus a nonce. The engine never trusts the token's content alone: it is valid only while the
 * run's state still holds the very same token string for that task.
 */
export interface TaskTokenClaims {
  kind: TaskKind;
  executionId: number;
  scheduledEventId: number;
  startedEventId: number;
}

const KIND_CODE: Record<TaskKind, string> = { decision: 'd', activity: 'a' };

export function encodeTaskToken(c: TaskTokenClaims, nonce: string): string {
  const raw = `swf1.${KIND_CODE[c.kind]}.${c.executionId}.${c.scheduledEventId}.${c.startedEventId}.${nonce}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** Undefined when the token was not made by this engine. */
export function decodeTaskToken(token: string): TaskTokenClaims | undefined {
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  const parts = raw.split('.');
  if (parts.length !== 6 || parts[0] !== 'swf1') return undefined;
  const kind = parts[1] === 'd' ? 'decision' : parts[1] === 'a' ? 'activity' : undefined;
  const nums = [parts[2], parts[3], parts[4]].map((p) => (p && /^\d{1,15}$/.test(p) ? Number(p) : NaN));
  if (!kind || nums.some((n) => Number.isNaN(n))) return undefined;
  return { kind, executionId: nums[0]!, scheduledEventId: nums[1]!, startedEventId: nums[2]! };
}
