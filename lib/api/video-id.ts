import { randomBytes } from 'node:crypto';

/**
 * Video ids are the SWF workflowId of the video's execution and the first segment of every key
 * under it, so they are kept to a safe alphabet: a letter or digit, then letters, digits, `-`, `_`.
 */
const VIDEO_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidVideoId(id: unknown): id is string {
  return typeof id === 'string' && VIDEO_ID.test(id) && id !== 'arn';
}

/** Digits of the base-36 millisecond timestamp: 9 keeps ids sortable until the year 5188. */
const TIME_DIGITS = 9;
const RANDOM_DIGITS = 10;

/**
 * A new video id: `v`, the time in base 36 (fixed width, so ids sort by creation time), then 10
 * random base-36 digits (~51 bits). Example: `v0mfz3k2a1k3j9x0a2bq`.
 */
export function newVideoId(now: number = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(TIME_DIGITS, '0').slice(-TIME_DIGITS);
  const bytes = randomBytes(RANDOM_DIGITS);
  let random = '';
  for (const b of bytes) random += (b % 36).toString(36);
  return `v${time}${random}`;
}

/**
 * The key, in the upload store, of the record POST /videos writes for a new video: what the
 * client said about the file (name, type) and when. The upload event reads it back to start the
 * workflow with the file name, and GET /videos/{id} answers AWAITING_UPLOAD from it.
 */
export const uploadRequestKey = (videoId: string): string => `${videoId}/upload.json`;

export interface UploadRequestRecord {
  videoId: string;
  fileName?: string;
  contentType: string;
  /** The size the client declared; the presigned PUT accepts exactly this many bytes. */
  sizeBytes?: number;
  createdAt: string;
}

/**
 * The key, in the upload store, of the record the upload event writes when it refuses an upload
 * (over the size limit, or empty), so that GET /videos/{id} says why nothing started.
 */
export const uploadRejectionKey = (videoId: string): string => `${videoId}/upload-rejected.json`;

/** Why an upload was refused, as GET /videos/{id} reports it (status REJECTED). */
export interface UploadRejection {
  videoId: string;
  reason: 'UploadTooLarge' | 'EmptyUpload';
  message: string;
  sizeBytes: number;
  rejectedAt: string;
}
