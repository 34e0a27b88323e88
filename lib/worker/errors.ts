/** How the pollers classify errors from the SDK, from network failures to typed SWF faults. */

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  code?: unknown;
}

const shape = (error: unknown): SdkErrorShape => (typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {});

/** Error names that mean "slow down and try again". */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededFault',
  'SlowDown',
]);

/** The SDK call was aborted through its abortSignal. */
export function isAbortError(error: unknown): boolean {
  return shape(error).name === 'AbortError';
}

/** The task token no longer names an open task (completed, timed out, canceled, execution closed). */
export function isUnknownResource(error: unknown): boolean {
  return shape(error).name === 'UnknownResourceFault';
}

/**
 * Worth retrying: throttling, a 5xx or server fault, or no HTTP answer at all (connection refused or
 * reset, socket timeout). Typed 4xx faults (UnknownResourceFault, ValidationException, ...) are not.
 */
export function isTransient(error: unknown): boolean {
  const e = shape(error);
  if (isAbortError(error)) return false;
  if (typeof e.name === 'string' && THROTTLING.has(e.name)) return true;
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500 || status === 429;
  return true;
}

/** Fields that describe `error` in a log line. */
export function errorFields(error: unknown): Record<string, unknown> {
  const e = shape(error);
  const fields: Record<string, unknown> = {
    errorName: typeof e.name === 'string' ? e.name : typeof error,
    errorMessage: typeof e.message === 'string' ? e.message : String(error),
  };
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) fields['httpStatusCode'] = status;
  if (e.$metadata?.requestId !== undefined) fields['requestId'] = e.$metadata.requestId;
  if (typeof e.code === 'string') fields['errorCode'] = e.code;
  return fields;
}
