/**
 * lib/api: the starter HTTP API as plain functions (no framework, no Lambda types).
 *
 *   const api = createApi({ swf, domain: DOMAIN, uploads, media, lambdaRole });
 *   const response = await api.handle({ method: 'POST', path: '/videos', query: {}, headers: {}, body });
 *
 * The same starter function runs behind the S3 upload event (lambda/upload-event.ts) and the local
 * server's upload route (local-server.ts).
 */
export {
  createApi,
  matchRoute,
  DEFAULT_LIST_LIMIT,
  DEFAULT_URL_EXPIRES_SECONDS,
  MAX_LIST_LIMIT,
  type Api,
  type AwaitingUploadStatus,
  type RejectedUploadStatus,
  type CancelVideoResponse,
  type ChildRunItem,
  type VideoHistoryResponse,
  type CreateVideoResponse,
  type VideoListItem,
} from './api';
export { chunkProgressOf, childPlanOf, MAX_LISTED_FAILING_CHUNKS, type ChunkProgress, type FailingChunk, type SubStepStatus } from './chunk-progress';
export { catchUp, childProgressReader, DEFAULT_CLOSED_CHILD_CACHE, DEFAULT_KEPT_EVENTS, TAIL_PAGE_SIZE, type ChildProgressReader, type ChildReaderOptions } from './child-histories';
export { ApiError, errorResponse, jsonResponse, faultName, isFault } from './errors';
export { findLatestRun, fullHistory, listRecentExecutions, statusOf, toWireEvents, type ExecutionStatus, type WireHistoryEvent } from './executions';
export { startLocalApi, localStoresFor, parseRange, servedContentType, type LocalApi, type LocalApiOptions } from './local-server';
export {
  startVideoWorkflow,
  cleanFileName,
  InvalidStartError,
  MAX_FILE_NAME_LENGTH,
  VIDEO_TAG,
  type StartVideoArgs,
  type StartVideoResult,
  type StarterDeps,
} from './starter';
export {
  videoStatus,
  summarizeSteps,
  parseLadder,
  outputsOf,
  type AttemptStatus,
  type DownloadLink,
  type StepFailure,
  type StepState,
  type StepStatus,
  type VideoOutputs,
  type VideoStatus,
} from './status';
export {
  handleUploadedObjects,
  decodeS3EventKey,
  videoIdOfSourceKey,
  UploadEventError,
  type UploadedObject,
  type UploadEventDeps,
  type UploadOutcome,
} from './upload-event';
export {
  receiveUpload,
  readUploadRecord,
  readUploadRejection,
  isUploadContentType,
  uploadContentTypeFor,
  mediaTypeOf,
  type ReceiveUploadArgs,
  type ReceiveUploadDeps,
  type ReceiveUploadResult,
} from './upload';
export { newVideoId, isValidVideoId, uploadRequestKey, uploadRejectionKey, type UploadRejection, type UploadRequestRecord } from './video-id';
export { silentApiLogger, type ApiDeps, type ApiErrorBody, type ApiLogger, type ApiRequest, type ApiResponse, type SwfApi } from './types';
