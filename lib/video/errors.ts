/**
 * Errors a step throws for input that will never work. Their `name` becomes the failure reason
 * (LambdaFunctionFailed.reason / ActivityTaskFailed.reason) and the workflow does not retry them
 * (RETRY.nonRetryable in definition.ts).
 */

/** The upload is not something we can process as a video (ffprobe fails, no video stream, ...). */
export class NotAVideoError extends Error {
  override readonly name = 'NotAVideoError';
}

/**
 * The upload is damaged: its container promises more than the file holds (an interrupted upload,
 * an MP4 whose index was never written). Retrying reads the same bytes.
 */
export class TruncatedSourceError extends Error {
  override readonly name = 'TruncatedSourceError';
}

/** The video's frame is larger than the pipeline accepts (MAX_SOURCE_SIDE / MAX_SOURCE_PIXELS in probe.ts). */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
}

/**
 * A rendition is shorter than its source by more than one frame (or one audio packet): publishing
 * it would call a cut-off video complete. The outputs do not change on a retry of publish.
 */
export class OutputTooShortError extends Error {
  override readonly name = 'OutputTooShortError';
}

/**
 * A rendition fails another check before publish (too long, implausible frame count, missing
 * audio, HLS playlist unreadable or not matching its MP4). Like OutputTooShortError, not retried.
 */
export class OutputInvalidError extends Error {
  override readonly name = 'OutputInvalidError';
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
