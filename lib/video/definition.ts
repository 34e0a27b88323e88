/**
 * The video workflow's names, versions, task lists and timeouts, written once. The runtime
 * (decider, handlers, API) and the CDK stack both read this file; it is plain data on purpose.
 */

export const DOMAIN = 'video-pipeline';
/** Days SWF keeps a closed execution's history. */
export const RETENTION_DAYS = '7';

/**
 * Version 2: a video longer than one chunk is encoded in chunks by one child workflow per
 * rendition (decisions incompatible with version 1's histories, hence the new version).
 */
export const WORKFLOW_TYPE = { name: 'ProcessVideo', version: '2' } as const;

/**
 * The child workflow that encodes one rendition in chunks (started by ProcessVideo, one per rung
 * of the ladder): its own history keeps the parent's small however long the video is.
 */
export const RENDITION_WORKFLOW_TYPE = { name: 'ProcessRendition', version: '1' } as const;

/** Every workflow type the decider answers for, as registered. */
export const WORKFLOW_TYPES = [WORKFLOW_TYPE, RENDITION_WORKFLOW_TYPE] as const;

export const TASK_LISTS = {
  /** Where the decider polls. */
  decisions: 'video-deciders',
  /** Where long-lived activity workers poll, when steps run as activities instead of Lambda. */
  activities: 'video-workers',
} as const;

/** Seconds, as SWF strings. */
export const WORKFLOW_TIMEOUTS = {
  executionStartToClose: '3600',
  taskStartToClose: '60',
} as const;

export const CHILD_POLICY = 'TERMINATE' as const;

/** The steps that do work. Each is a Lambda function (name below) and an activity type of the same name. */
export type StepName = 'probe' | 'transcode' | 'thumbnails' | 'publish' | 'encodeChunk' | 'encodeAudio' | 'packageRendition' | 'thumbnailTiles' | 'thumbnailSheet';

export interface StepDefinition {
  /** Lambda function name (on AWS, the deployed function's name) and activity type name. */
  functionName: string;
  activityVersion: string;
  /** start-to-close seconds for a Lambda task (1-900) and an activity. */
  timeoutSeconds: number;
  /** Activity heartbeat timeout in seconds, for long-lived workers. */
  heartbeatSeconds: number;
  /** Lambda memory (MB) and ephemeral storage (MB) on AWS. */
  memoryMb: number;
  ephemeralStorageMb: number;
  /** The handler module under lambda/ (without extension) and its export. */
  handlerFile: string;
}

export const STEPS: Record<StepName, StepDefinition> = {
  probe: { functionName: 'video-probe', activityVersion: '1', timeoutSeconds: 60, heartbeatSeconds: 30, memoryMb: 1024, ephemeralStorageMb: 2048, handlerFile: 'probe' },
  transcode: { functionName: 'video-transcode', activityVersion: '1', timeoutSeconds: 900, heartbeatSeconds: 60, memoryMb: 3008, ephemeralStorageMb: 10240, handlerFile: 'transcode' },
  thumbnails: { functionName: 'video-thumbnails', activityVersion: '1', timeoutSeconds: 300, heartbeatSeconds: 60, memoryMb: 2048, ephemeralStorageMb: 4096, handlerFile: 'thumbnails' },
  publish: { functionName: 'video-publish', activityVersion: '1', timeoutSeconds: 60, heartbeatSeconds: 30, memoryMb: 1024, ephemeralStorageMb: 1024, handlerFile: 'publish' },
  // The chunked path (videos longer than one chunk). A chunk reads only its own range of the
  // source; the package step joins the chunks and the audio without encoding anything.
  encodeChunk: { functionName: 'video-encode-chunk', activityVersion: '1', timeoutSeconds: 900, heartbeatSeconds: 60, memoryMb: 3008, ephemeralStorageMb: 2048, handlerFile: 'encode-chunk' },
  encodeAudio: { functionName: 'video-encode-audio', activityVersion: '1', timeoutSeconds: 900, heartbeatSeconds: 60, memoryMb: 1024, ephemeralStorageMb: 2048, handlerFile: 'encode-audio' },
  packageRendition: { functionName: 'video-package', activityVersion: '1', timeoutSeconds: 900, heartbeatSeconds: 60, memoryMb: 2048, ephemeralStorageMb: 10240, handlerFile: 'package' },
  thumbnailTiles: { functionName: 'video-thumbnail-tiles', activityVersion: '1', timeoutSeconds: 300, heartbeatSeconds: 60, memoryMb: 1024, ephemeralStorageMb: 1024, handlerFile: 'thumbnail-tiles' },
  thumbnailSheet: { functionName: 'video-thumbnail-sheet', activityVersion: '1', timeoutSeconds: 300, heartbeatSeconds: 60, memoryMb: 1024, ephemeralStorageMb: 1024, handlerFile: 'thumbnail-sheet' },
};

/** How the workflow retries a failed step: exponential backoff through SWF timers. */
export const RETRY = {
  maxAttempts: 3,
  initialIntervalSeconds: 2,
  backoffCoefficient: 2,
  maximumIntervalSeconds: 60,
  /** Error names (LambdaFunctionFailed.reason / ActivityTaskFailed.reason) never retried. */
  nonRetryable: ['NotAVideoError', 'InvalidInputError', 'TruncatedSourceError', 'FrameTooLargeError', 'OutputTooShortError', 'OutputInvalidError'],
} as const;

/** HLS segment length; keyframes are forced on this grid so every rendition's segments align. */
export const HLS_SEGMENT_SECONDS = 4;

/** Uploads larger than this are refused (bytes). */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

/** Content types the starter accepts for an upload. */
export const UPLOAD_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska', 'video/x-msvideo', 'video/mpeg', 'application/octet-stream'] as const;

/** The marker the workflow records its rendition ladder in (details: JSON Rendition[]), for status views. */
export const LADDER_MARKER = 'ladder';

/** The marker the workflow records its chunk plan in (details: JSON ChunkPlan), so replay is exact. */
export const CHUNK_PLAN_MARKER = 'chunk-plan';

/**
 * Chunked encoding defaults (the decider's; a workflow input may override seconds and concurrency).
 *
 * - seconds: 60. A 60 s chunk of 1080p at up to 60 fps is at most 3,600 frames; x264 veryfast on
 *   the encode function's 3,008 MB (about 1.7 vCPU) runs 1080p at roughly 25-40 fps, so a chunk
 *   takes about 1.5-2.5 minutes, a third or less of Lambda's 900 s even on a slow source. It must
 *   be a multiple of HLS_SEGMENT_SECONDS so chunk joins fall on segment boundaries.
 * - concurrency: 10 chunk encodes at a time per rendition (4 renditions: 40 concurrent Lambdas,
 *   well inside the default account limit of 1,000).
 * - maxChunks: a longer video gets longer chunks rather than more, so a rendition's history stays
 *   bounded (about 6 events a chunk) whatever chunk length is asked for.
 */
export const CHUNKING = {
  seconds: 60,
  concurrency: 10,
  maxChunks: 1000,
  /** Bounds of a configured chunk length (seconds). */
  minSeconds: HLS_SEGMENT_SECONDS,
  maxSeconds: 600,
} as const;
