import type { BlobStore } from '../storage/blob-store';
import { MAX_UPLOAD_BYTES } from '../video/definition';
import { errorMessage } from './errors';
import { startVideoWorkflow, type StartVideoResult, type StarterDeps } from './starter';
import { readUploadRecord, writeUploadRejection } from './upload';
import { isValidVideoId, type UploadRejection } from './video-id';
import { silentApiLogger } from './types';

/** One object an ObjectCreated notification reports. */
export interface UploadedObject {
  bucket?: string;
  /** The key, decoded (S3 events URL-encode keys; see decodeS3EventKey). */
  key: string;
  sizeBytes?: number;
}

export interface UploadEventDeps extends StarterDeps {
  uploads: BlobStore;
  maxUploadBytes?: number;
  /** Epoch ms, for the rejection record; default Date.now. */
  now?: () => number;
}

export type UploadOutcome =
  | { key: string; outcome: 'started' | 'alreadyStarted'; videoId: string; runId?: string }
  | { key: string; outcome: 'ignored'; reason: string }
  | { key: string; outcome: 'rejected'; videoId: string; reason: UploadRejection['reason'] }
  | { key: string; outcome: 'failed'; videoId: string; error: string };

/** An S3 event's object key: `+` is a space and the rest is URL-encoded. */
export function decodeS3EventKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** The video id of an upload's key `<videoId>/source`; undefined for any other key. */
export function videoIdOfSourceKey(key: string): string | undefined {
  const m = /^([^/]+)\/source$/.exec(key);
  return m && isValidVideoId(m[1]) ? m[1] : undefined;
}

/**
 * What the upload-event Lambda does with a batch of ObjectCreated records: starts the video
 * workflow for each `<videoId>/source` (with the file name POST /videos recorded), and logs and
 * skips every other key (the upload record). An empty upload or one over the size limit (it can
 * only come from someone writing to the bucket directly, past the API's signed length) starts
 * nothing and is recorded as rejected, so GET /videos/{id} says why. Starting is idempotent, so
 * a re-delivered event starts nothing twice. Throws (after trying every record) when a start or
 * a rejection record failed, so the invocation is retried and, in the end, lands in the DLQ.
 */
export async function handleUploadedObjects(deps: UploadEventDeps, objects: readonly UploadedObject[]): Promise<UploadOutcome[]> {
  const logger = deps.logger ?? silentApiLogger;
  const maxBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const now = deps.now ?? Date.now;
  const outcomes: UploadOutcome[] = [];
  for (const object of objects) {
    const { key } = object;
    const videoId = videoIdOfSourceKey(key);
    if (!videoId) {
      logger.info('Ignoring an object that is not an upload source', { bucket: object.bucket, key });
      outcomes.push({ key, outcome: 'ignored', reason: 'not a <videoId>/source key' });
      continue;
    }
    try {
      const rejection = rejectionOf(videoId, object.sizeBytes, maxBytes, now);
      if (rejection) {
        logger.warn('Rejecting an upload', { bucket: object.bucket, key, ...rejection, maxBytes });
        await writeUploadRejection(deps.uploads, rejection);
        outcomes.push({ key, outcome: 'rejected', videoId, reason: rejection.reason });
        continue;
      }
      const record = await readUploadRecord(deps.uploads, videoId, logger);
      const result: StartVideoResult = await startVideoWorkflow(deps, { videoId, sourceKey: key, ...(record?.fileName ? { fileName: record.fileName } : {}) });
      outcomes.push({ key, outcome: result.started ? 'started' : 'alreadyStarted', videoId, ...(result.runId ? { runId: result.runId } : {}) });
    } catch (error) {
      logger.error('Could not start the video workflow', { key, videoId, error: errorMessage(error) });
      outcomes.push({ key, outcome: 'failed', videoId, error: errorMessage(error) });
    }
  }
  const failed = outcomes.filter((o) => o.outcome === 'failed');
  if (failed.length > 0) {
    throw new UploadEventError(`Could not start ${failed.length} of ${objects.length} video workflow(s): ${failed.map((f) => f.key).join(', ')}`, outcomes);
  }
  return outcomes;
}

/** Why an upload of `sizeBytes` cannot be processed, or undefined when it can. */
function rejectionOf(videoId: string, sizeBytes: number | undefined, maxBytes: number, now: () => number): UploadRejection | undefined {
  if (sizeBytes === undefined) return undefined;
  const rejectedAt = new Date(now()).toISOString();
  if (sizeBytes === 0) return { videoId, reason: 'EmptyUpload', message: 'The upload is empty', sizeBytes, rejectedAt };
  if (sizeBytes > maxBytes) {
    return { videoId, reason: 'UploadTooLarge', message: `The upload is ${sizeBytes} bytes, over the limit of ${maxBytes} bytes; nothing was started`, sizeBytes, rejectedAt };
  }
  return undefined;
}

export class UploadEventError extends Error {
  override readonly name = 'UploadEventError';

  constructor(
    message: string,
    readonly outcomes: UploadOutcome[],
  ) {
    super(message);
  }
}
