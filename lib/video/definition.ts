/**
 * The video workflow's names, versions, task lists and timeouts, written once. The runtime
 * (decider, handlers, API) and the CDK stack both read this file; it is plain data on purpose.
 */

export const DOMAIN = 'video-pipeline';
/** Days SWF keeps a closed execution's history. */
export const RETENTION_DAYS = '7';

export const WORKFLOW_TYPE = { name: 'ProcessVideo', version: '1' } as const;

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
export type StepName = 'probe' | 'transcode' | 'thumbnails' | 'publish';

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
