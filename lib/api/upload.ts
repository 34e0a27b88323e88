import type { Readable } from 'node:stream';
import { keys } from '../video/contracts';
import { MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES } from '../video/definition';
import { BlobTooLargeError, type BlobStore } from '../storage/blob-store';
import { ApiError, errorMessage, faultName } from './errors';
import { startVideoWorkflow, type StartVideoResult, type StarterDeps } from './starter';
import { isValidVideoId, uploadRejectionKey, uploadRequestKey, type UploadRejection, type UploadRequestRecord } from './video-id';
import { silentApiLogger } from './types';

/** `video/mp4; codecs=...` -> `video/mp4`, lower-cased; undefined for an empty value. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** True for the upload content types of definition.ts (parameters ignored). */
export function isUploadContentType(contentType: string | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return type !== undefined && (UPLOAD_CONTENT_TYPES as readonly string[]).includes(type);
}

export function unsupportedUploadType(contentType: string | undefined): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `Content type ${contentType ? JSON.stringify(contentType) : '(none)'} is not accepted for an upload; use one of ${UPLOAD_CONTENT_TYPES.join(', ')}`,
  );
}

const TYPE_BY_EXTENSION: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  qt: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
};

/** The upload content type a file name suggests; application/octet-stream when it suggests none. */
export function uploadContentTypeFor(fileName: string | undefined): string {
  const ext = fileName?.split('.').pop()?.toLowerCase();
  return (fileName && fileName.includes('.') && ext && TYPE_BY_EXTENSION[ext]) || 'application/octet-stream';
}

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'PayloadTooLarge', `The upload is larger than the limit of ${maxBytes} bytes`);
}

export interface ReceiveUploadDeps extends StarterDeps {
  uploads: BlobStore;
  maxUploadBytes?: number;
}

export interface ReceiveUploadArgs {
  videoId: string;
  /** The request's content-type header. */
  contentType: string | undefined;
  /** The request's content-length header, when it sent one. */
  contentLength: string | undefined;
  body: Readable;
}

export interface ReceiveUploadResult {
  videoId: string;
  key: string;
  sizeBytes: number;
  workflow: StartVideoResult;
}

/**
 * The local stand-in for "S3 PUT, then the ObjectCreated event": checks the request (415 for a
 * content type that is not a video, 413 past the size limit, 400 for an empty body), streams the
 * body into the upload store under `<videoId>/source`, then starts the workflow exactly as the
 * upload-event Lambda does. Throws ApiError for a bad request (the caller
 * then stops reading the body).
 */
export async function receiveUpload(deps: ReceiveUploadDeps, args: ReceiveUploadArgs): Promise<ReceiveUploadResult> {
  const logger = deps.logger ?? silentApiLogger;
  const maxBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const { videoId } = args;
  if (!isValidVideoId(videoId)) throw new ApiError(404, 'NotFound', `No upload location for video ${JSON.stringify(videoId)}`);
  if (!isUploadContentType(args.contentType)) throw unsupportedUploadType(args.contentType);
  const contentType = mediaTypeOf(args.contentType)!;
  if (args.contentLength !== undefined) {
    const length = Number(args.contentLength);
    if (!/^\d+$/.test(args.contentLength.trim()) || !Number.isSafeInteger(length)) {
      throw new ApiError(400, 'BadRequest', `Invalid content-length ${JSON.stringify(args.contentLength)}`);
    }
    if (length === 0) throw emptyUpload();
    if (length > maxBytes) throw tooLarge(maxBytes);
  }
  // As S3 checks the signed content-length of the presigned PUT: exactly the declared size.
  const record = await readUploadRecord(deps.uploads, videoId, logger);
  const declared = record?.sizeBytes;
  if (declared !== undefined && args.contentLength !== undefined && Number(args.contentLength) !== declared) {
    throw new ApiError(400, 'UploadSizeMismatch', `The upload is ${args.contentLength} bytes but POST /videos declared ${declared}`);
  }

  const key = keys.source(videoId);
  let sizeBytes: number;
  try {
    sizeBytes = (await deps.uploads.putStream(key, args.body, contentType, Math.min(maxBytes, declared ?? maxBytes))).sizeBytes;
  } catch (error) {
    if (error instanceof BlobTooLargeError || (error as Error)?.name === 'BlobTooLargeError') throw tooLarge(maxBytes);
    throw error;
  }
  if (sizeBytes === 0 || (declared !== undefined && sizeBytes !== declared)) {
    await deps.uploads.delete(key).catch((error: unknown) => logger.warn('Could not remove a refused upload', { key, error: errorMessage(error) }));
    if (sizeBytes === 0) throw emptyUpload();
    throw new ApiError(400, 'UploadSizeMismatch', `The upload is ${sizeBytes} bytes but POST /videos declared ${declared}`);
  }
  logger.info('Upload stored', { videoId, key, sizeBytes, contentType });

  let workflow: StartVideoResult;
  try {
    workflow = await startVideoWorkflow(deps, { videoId, sourceKey: key, ...(record?.fileName ? { fileName: record.fileName } : {}) });
  } catch (error) {
    // The bytes are kept: the same PUT again retries the start (which is idempotent).
    logger.error('Upload stored but the workflow did not start', { videoId, error: errorMessage(error) });
    throw new ApiError(502, 'WorkflowStartFailed', `The upload was stored but the workflow could not be started (${faultName(error) ?? 'Error'}); repeat the upload to retry`);
  }
  return { videoId, key, sizeBytes, workflow };
}

function emptyUpload(): ApiError {
  return new ApiError(400, 'EmptyUpload', 'The upload is empty');
}

/** The record POST /videos wrote for `videoId`, if any (and if readable). */
export async function readUploadRecord(uploads: BlobStore, videoId: string, logger = silentApiLogger): Promise<UploadRequestRecord | undefined> {
  const key = uploadRequestKey(videoId);
  try {
    if (!(await uploads.head(key))) return undefined;
    const parsed = JSON.parse((await uploads.getBuffer(key)).toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const r = parsed as Partial<UploadRequestRecord>;
    return {
      videoId,
      contentType: typeof r.contentType === 'string' ? r.contentType : 'application/octet-stream',
      createdAt: typeof r.createdAt === 'string' ? r.createdAt : '',
      ...(typeof r.fileName === 'string' ? { fileName: r.fileName } : {}),
      ...(typeof r.sizeBytes === 'number' && Number.isSafeInteger(r.sizeBytes) ? { sizeBytes: r.sizeBytes } : {}),
    };
  } catch (error) {
    logger.warn('Could not read the upload record', { key, error: errorMessage(error) });
    return undefined;
  }
}

/** The record of an upload the upload event refused, if any (and if readable). */
export async function readUploadRejection(uploads: BlobStore, videoId: string, logger = silentApiLogger): Promise<UploadRejection | undefined> {
  const key = uploadRejectionKey(videoId);
  try {
    if (!(await uploads.head(key))) return undefined;
    const r = JSON.parse((await uploads.getBuffer(key)).toString('utf8')) as Partial<UploadRejection>;
    if (r.reason !== 'UploadTooLarge' && r.reason !== 'EmptyUpload') return undefined;
    return {
      videoId,
      reason: r.reason,
      message: typeof r.message === 'string' ? r.message : r.reason,
      sizeBytes: typeof r.sizeBytes === 'number' ? r.sizeBytes : 0,
      rejectedAt: typeof r.rejectedAt === 'string' ? r.rejectedAt : '',
    };
  } catch (error) {
    logger.warn('Could not read the upload rejection', { key, error: errorMessage(error) });
    return undefined;
  }
}

/** Records why an upload was refused, for GET /videos/{id}. */
export async function writeUploadRejection(uploads: BlobStore, rejection: UploadRejection): Promise<void> {
  await uploads.putBuffer(uploadRejectionKey(rejection.videoId), JSON.stringify(rejection), 'application/json');
}
