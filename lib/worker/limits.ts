/** SWF's length limits (characters) on what a worker sends back. */
export const SWF_LIMITS = {
  /** RespondActivityTaskFailed.reason, RespondDecisionTask... reasons. */
  reason: 256,
  /** RespondActivityTaskFailed/Canceled.details. */
  details: 32_768,
  /** RespondActivityTaskCompleted.result. */
  result: 32_768,
  /** RecordActivityTaskHeartbeat.details. */
  heartbeatDetails: 2_048,
} as const;

/**
 * `value` cut to at most `max` characters (UTF-16 code units, as SWF counts them through the
 * JS SDK), never splitting a surrogate pair.
 */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
