/**
 * Errors a step throws for input that will never work. Their `name` becomes the failure reason
 * (LambdaFunctionFailed.reason / ActivityTaskFailed.reason) and the workflow does not retry them
 * (RETRY.nonRetryable in definition.ts).
 */

/** The upload is not something we can process as a video (ffprobe fails, no video stream, ...). */
export class NotAVideoError extends Error {
  override readonly name = 'NotAVideoError';
}

/** The step's input is malformed (bad ids, keys or rendition), or a source it names does not exist. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** True for the error an aborted operation rejects with (DOMException or Error named AbortError). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** The error to reject with when `signal` aborted: its reason when that is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Throws the abort error when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
