import type { BlobStore } from '../storage/blob-store';
import { MAX_UPLOAD_BYTES } from '../video/definition';
import { errorMessage } from './errors';
import { startVideoWorkflow, type StartVideoResult, type StarterDeps } from './starter';
import { readUploadRecord } from './upload';
import { isValidVideoId } from './video-id';
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
}

export type UploadOutcome =
  | { key: string; outcome: 'started' | 'alreadyStarted'; videoId: string; runId?: string }
  | { key: string; outcome: 'ignored'; reason: string }
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
 * skips everything else (the upload record, empty or oversized uploads). Starting is idempotent,
 * so a re-delivered event starts nothing twice. Throws (after trying every record) when a start
 * failed, so the invocation is retried.
 */
export async function handleUploadedObjects(deps: UploadEventDeps, objects: readonly UploadedObject[]): Promise<UploadOutcome[]> {
  const logger = deps.logger ?? silentApiLogger;
  const maxBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const outcomes: UploadOutcome[] = [];
  for (const object of objects) {
    const { key } = object;
    const videoId = videoIdOfSourceKey(key);
    if (!videoId) {
      logger.info('Ignoring an object that is not an upload source', { bucket: object.bucket, key });
      outcomes.push({ key, outcome: 'ignored', reason: 'not a <videoId>/source key' });
      continue;
    }
    if (object.sizeBytes === 0) {
      logger.warn('Ignoring an empty upload', { bucket: object.bucket, key, videoId });
      outcomes.push({ key, outcome: 'ignored', reason: 'empty upload' });
      continue;
    }
    if (object.sizeBytes !== undefined && object.sizeBytes > maxBytes) {
      logger.warn('Ignoring an upload over the size limit', { bucket: object.bucket, key, videoId, sizeBytes: object.sizeBytes, maxBytes });
      outcomes.push({ key, outcome: 'ignored', reason: `larger than ${maxBytes} bytes` });
      continue;
    }
    try {
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

export class UploadEventError extends Error {
  override readonly name = 'UploadEventError';

  constructor(
    message: string,
    readonly outcomes: UploadOutcome[],
  ) {
    super(message);
  }
}
