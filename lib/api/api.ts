import { buildView } from '../decider';
import { keys } from '../video/contracts';
import { MAX_UPLOAD_BYTES } from '../video/definition';
import { ApiError, badRequest, conflict, errorMessage, errorResponse, faultName, isFault, jsonResponse, notFound } from './errors';
import { findLatestRun, fullHistory, isoOf, listRecentExecutions, statusOf, toWireEvents, type ExecutionStatus, type WireHistoryEvent } from './executions';
import { cleanFileName, MAX_FILE_NAME_LENGTH } from './starter';
import { childProgressReader } from './child-histories';
import { renditionChildren, videoStatus } from './status';
import { isUploadContentType, mediaTypeOf, readUploadRecord, readUploadRejection, tooLarge, unsupportedUploadType, uploadContentTypeFor } from './upload';
import { isValidVideoId, newVideoId, uploadRequestKey, type UploadRequestRecord } from './video-id';
import { silentApiLogger, type ApiDeps, type ApiRequest, type ApiResponse } from './types';

/** Default lifetime of presigned URLs (upload and downloads), seconds. */
export const DEFAULT_URL_EXPIRES_SECONDS = 3600;
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

/** The body of 201 POST /videos. */
export interface CreateVideoResponse {
  videoId: string;
  /**
   * PUT the file to `url` with exactly `headers`: they carry the declared `content-length`, which
   * the URL is signed for, so a body of any other size is refused (S3: 403).
   */
  upload: { url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string; sizeBytes: number; maxBytes: number };
  statusUrl: string;
}

/** One row of GET /videos. */
export interface VideoListItem {
  videoId: string;
  runId: string;
  status: ExecutionStatus;
  startedAt?: string;
  closedAt?: string;
  cancelRequested: boolean;
  statusUrl: string;
}

/** GET /videos/{id} for an upload the upload event refused (too large, empty): nothing was started. */
export interface RejectedUploadStatus {
  videoId: string;
  status: 'REJECTED';
  fileName?: string;
  failure: { reason: string; message: string };
  sizeBytes: number;
  rejectedAt: string;
  steps: [];
}

/** The body of 202 POST /videos/{id}/cancel. */
export interface CancelVideoResponse {
  videoId: string;
  runId: string;
  status: 'RUNNING';
  cancelRequested: true;
}

/** GET /videos/{id} for a video that was created but whose upload has not arrived. */
export interface AwaitingUploadStatus {
  videoId: string;
  status: 'AWAITING_UPLOAD';
  fileName?: string;
  createdAt?: string;
  steps: [];
}

/** One rendition child of a chunked run, as GET /videos/{id}/history lists it. */
export interface ChildRunItem {
  workflowId: string;
  rendition: string;
  /** Absent until the child started. */
  runId?: string;
  /** The parent's view of the child: initiated, started, completed, failed, timedOut, canceled, terminated, startFailed. */
  state: string;
  /** GET this for the child's own history. */
  historyUrl: string;
}

/** The body of GET /videos/{id}/history: the video's run, or (with `?workflowId=`) one of its rendition children. */
export interface VideoHistoryResponse {
  videoId: string;
  /** The run whose events these are: the video's, or the child's. */
  workflowId: string;
  runId: string;
  /** `?workflowId=` only: the video's run that started the child, and the child's rendition. */
  parentRunId?: string;
  rendition?: string;
  events: WireHistoryEvent[];
  /** The video's run only: its rendition children (none unless the video was encoded in chunks). */
  children?: ChildRunItem[];
}

export interface Api {
  handle(req: ApiRequest): Promise<ApiResponse>;
}

type Route = 'videos' | 'video' | 'history' | 'cancel';

const ALLOWED: Record<Route, string[]> = { videos: ['GET', 'POST'], video: ['GET'], history: ['GET'], cancel: ['POST'] };

/**
 * The starter HTTP API as a plain function of a request:
 *
 *   POST /videos                 {sizeBytes, fileName?, contentType?} -> 201 {videoId, upload: {url, method, headers}, statusUrl}
 *   GET  /videos?limit=20        recent videos, open and closed, newest first
 *   GET  /videos/{id}            status, steps and (when completed) download links
 *   GET  /videos/{id}/history    the latest run's SWF history, as get-workflow-execution-history prints it,
 *                                and its rendition children; `?workflowId=<child>` gives one child's history
 *   POST /videos/{id}/cancel     202; 404 unknown, 409 not running
 *
 * Every error is JSON `{ error: { code, message } }`. The upload itself goes to the presigned URL
 * (S3, or the local server's /files route) and starts the workflow from there.
 */
export function createApi(deps: ApiDeps): Api {
  const logger = deps.logger ?? silentApiLogger;
  const now = deps.now ?? Date.now;
  const ttl = deps.urlExpiresInSeconds ?? DEFAULT_URL_EXPIRES_SECONDS;
  const maxUploadBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const mintId = deps.newVideoId ?? (() => newVideoId(now()));

  const link = (req: ApiRequest, path: string): string => `${(req.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
  const statusPath = (videoId: string): string => `/videos/${encodeURIComponent(videoId)}`;
  // One reader for the API's life: a warm instance reads only what is new in an open child's history, and a closed child's never again.
  const childProgress = childProgressReader(deps.swf, deps.domain);

  async function createVideo(req: ApiRequest): Promise<ApiResponse> {
    const body = parseJsonBody(req.body);
    const fileName = body.fileName;
    if (fileName !== undefined && (typeof fileName !== 'string' || cleanFileName(fileName) === '' || fileName.length > MAX_FILE_NAME_LENGTH)) {
      throw badRequest('InvalidRequest', `fileName must be a non-empty string of at most ${MAX_FILE_NAME_LENGTH} characters`);
    }
    const requestedType = body.contentType;
    if (requestedType !== undefined && typeof requestedType !== 'string') throw badRequest('InvalidRequest', 'contentType must be a string');
    if (requestedType !== undefined && !isUploadContentType(requestedType)) throw unsupportedUploadType(requestedType);
    const contentType = requestedType !== undefined ? mediaTypeOf(requestedType)! : uploadContentTypeFor(fileName);
    const sizeBytes = body.sizeBytes;
    if (sizeBytes === 0) throw badRequest('EmptyUpload', 'the file is empty (0 bytes): there is no video to process');
    if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes < 1) {
      throw badRequest('InvalidRequest', 'sizeBytes (the file\'s size in bytes, a positive integer) is required: the upload URL accepts exactly that many bytes');
    }
    if (sizeBytes > maxUploadBytes) throw tooLarge(maxUploadBytes);

    const videoId = mintId();
    if (!isValidVideoId(videoId)) throw new Error(`newVideoId returned an invalid id ${JSON.stringify(videoId)}`);
    const record: UploadRequestRecord = {
      videoId,
      ...(fileName !== undefined ? { fileName: cleanFileName(fileName) } : {}),
      contentType,
      sizeBytes,
      createdAt: new Date(now()).toISOString(),
    };
    await deps.uploads.putBuffer(uploadRequestKey(videoId), JSON.stringify(record), 'application/json');
    const presigned = await deps.uploads.presignPut(keys.source(videoId), contentType, ttl, sizeBytes);
    logger.info('Video created', { videoId, contentType, fileName: record.fileName });
    const statusUrl = link(req, statusPath(videoId));
    const response: CreateVideoResponse = {
      videoId,
      upload: {
        url: presigned.url,
        method: 'PUT',
        headers: { ...presigned.headers, 'content-type': contentType },
        expiresAt: presigned.expiresAt,
        sizeBytes,
        maxBytes: maxUploadBytes,
      },
      statusUrl,
    };
    return jsonResponse(201, response, { location: statusUrl });
  }

  async function listVideos(req: ApiRequest): Promise<ApiResponse> {
    const limit = parseLimit(req.query.limit);
    const infos = await listRecentExecutions(deps.swf, deps.domain, limit);
    const videos: VideoListItem[] = infos.map((info) => {
      const videoId = info.execution?.workflowId ?? '';
      return {
        videoId,
        runId: info.execution?.runId ?? '',
        status: statusOf(info),
        ...(isoOf(info.startTimestamp) ? { startedAt: isoOf(info.startTimestamp) } : {}),
        ...(isoOf(info.closeTimestamp) ? { closedAt: isoOf(info.closeTimestamp) } : {}),
        cancelRequested: info.cancelRequested === true,
        statusUrl: link(req, statusPath(videoId)),
      };
    });
    return jsonResponse(200, { videos });
  }

  async function getVideo(videoId: string): Promise<ApiResponse> {
    const latest = await findLatestRun(deps.swf, deps.domain, videoId);
    const runId = latest?.execution?.runId;
    if (!latest || !runId) {
      const record = await readUploadRecord(deps.uploads, videoId, logger);
      const rejection = await readUploadRejection(deps.uploads, videoId, logger);
      if (rejection) {
        const rejected: RejectedUploadStatus = {
          videoId,
          status: 'REJECTED',
          ...(record?.fileName !== undefined ? { fileName: record.fileName } : {}),
          failure: { reason: rejection.reason, message: rejection.message },
          sizeBytes: rejection.sizeBytes,
          rejectedAt: rejection.rejectedAt,
          steps: [],
        };
        return jsonResponse(200, rejected);
      }
      if (!record) throw videoNotFound(videoId);
      const awaiting: AwaitingUploadStatus = {
        videoId,
        status: 'AWAITING_UPLOAD',
        ...(record.fileName !== undefined ? { fileName: record.fileName } : {}),
        ...(record.createdAt ? { createdAt: record.createdAt } : {}),
        steps: [],
      };
      return jsonResponse(200, awaiting);
    }
    const execution = { workflowId: videoId, runId };
    try {
      const detail = await deps.swf.describeWorkflowExecution({ domain: deps.domain, execution });
      const history = await fullHistory(deps.swf, deps.domain, execution);
      const status = await videoStatus({ media: deps.media, ...(deps.downloads ? { downloads: deps.downloads } : {}), urlExpiresInSeconds: ttl, logger, childProgress }, detail.executionInfo ?? latest, history);
      return jsonResponse(200, status);
    } catch (error) {
      // The run went past its retention between the listing and these calls.
      if (isFault(error, 'UnknownResourceFault')) throw videoNotFound(videoId);
      throw error;
    }
  }

  async function getHistory(req: ApiRequest, videoId: string): Promise<ApiResponse> {
    const wanted = historyQuery(req.query, videoId);
    const runId = (await findLatestRun(deps.swf, deps.domain, videoId))?.execution?.runId;
    if (!runId) throw videoNotFound(videoId);
    try {
      const events = await fullHistory(deps.swf, deps.domain, { workflowId: videoId, runId });
      const children = [...childrenOf(events)].map(([rendition, child]): ChildRunItem => ({
        workflowId: child.workflowId,
        rendition,
        ...(child.runId !== undefined ? { runId: child.runId } : {}),
        state: child.state,
        historyUrl: link(req, `${statusPath(videoId)}/history?workflowId=${encodeURIComponent(child.workflowId)}`),
      }));
      if (wanted === undefined) {
        const body: VideoHistoryResponse = { videoId, workflowId: videoId, runId, events: toWireEvents(events), children };
        return jsonResponse(200, body);
      }
      // Only a child this video's own history started: never another video's run.
      const child = children.find((c) => c.workflowId === wanted);
      if (!child) throw notFound('ChildNotFound', `Video ${videoId} has no rendition workflow ${JSON.stringify(wanted)}`);
      if (child.runId === undefined) throw conflict('ChildNotStarted', `The rendition workflow ${wanted} of video ${videoId} has not started yet`);
      const childEvents = await fullHistory(deps.swf, deps.domain, { workflowId: child.workflowId, runId: child.runId }).catch((error: unknown) => {
        if (isFault(error, 'UnknownResourceFault')) throw notFound('ChildNotFound', `The history of rendition workflow ${wanted} of video ${videoId} is no longer kept`);
        throw error;
      });
      const body: VideoHistoryResponse = { videoId, workflowId: child.workflowId, runId: child.runId, parentRunId: runId, rendition: child.rendition, events: toWireEvents(childEvents) };
      return jsonResponse(200, body);
    } catch (error) {
      if (isFault(error, 'UnknownResourceFault')) throw videoNotFound(videoId);
      throw error;
    }
  }

  async function cancelVideo(videoId: string): Promise<ApiResponse> {
    const latest = await findLatestRun(deps.swf, deps.domain, videoId);
    const runId = latest?.execution?.runId;
    if (!latest || !runId) {
      if (await readUploadRecord(deps.uploads, videoId, logger)) {
        throw conflict('VideoNotStarted', `Video ${videoId} has not been uploaded yet, so there is nothing to cancel`);
      }
      throw videoNotFound(videoId);
    }
    const status = statusOf(latest);
    if (status !== 'RUNNING') throw conflict('VideoNotRunning', `Video ${videoId} is not running (status ${status})`);
    try {
      await deps.swf.requestCancelWorkflowExecution({ domain: deps.domain, workflowId: videoId, runId });
    } catch (error) {
      // It closed between the listing and the request.
      if (isFault(error, 'UnknownResourceFault')) throw conflict('VideoNotRunning', `Video ${videoId} is not running any more`);
      throw error;
    }
    logger.info('Video cancel requested', { videoId, runId });
    const body: CancelVideoResponse = { videoId, runId, status: 'RUNNING', cancelRequested: true };
    return jsonResponse(202, body);
  }

  async function route(req: ApiRequest): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    const match = matchRoute(req.path);
    if (!match) throw notFound('NotFound', `No route for ${method} ${req.path}`);
    const allowed = ALLOWED[match.route];
    if (!allowed.includes(method)) {
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${req.path}; use ${allowed.join(', ')}`, { allow: allowed.join(', ') });
    }
    if (match.route === 'videos') return method === 'POST' ? createVideo(req) : listVideos(req);
    const videoId = match.videoId;
    if (videoId === undefined || !isValidVideoId(videoId)) throw videoNotFound(videoId ?? '');
    if (match.route === 'history') return getHistory(req, videoId);
    return match.route === 'video' ? getVideo(videoId) : cancelVideo(videoId);
  }

  return {
    async handle(req: ApiRequest): Promise<ApiResponse> {
      try {
        return await route(req);
      } catch (error) {
        if (error instanceof ApiError) return errorResponse(error);
        return errorResponse(unexpected(error, req));
      }
    },
  };

  function unexpected(error: unknown, req: ApiRequest): ApiError {
    const name = faultName(error);
    logger.error('Request failed', { method: req.method, path: req.path, error: errorMessage(error), errorName: name });
    if (name === 'UnknownResourceFault' || name === 'TypeDeprecatedFault') {
      return new ApiError(503, 'ServiceNotReady', `The workflow service is not set up for domain ${deps.domain}: ${errorMessage(error)}`);
    }
    if (name === 'ThrottlingException' || name === 'LimitExceededFault') {
      return new ApiError(503, 'Throttled', 'The workflow service is busy; try again', { 'retry-after': '1' });
    }
    return new ApiError(500, 'InternalError', 'Internal error');
  }
}

function videoNotFound(videoId: string): ApiError {
  return notFound('VideoNotFound', `No video ${JSON.stringify(videoId)}`);
}

/** `/videos`, `/videos/{id}`, `/videos/{id}/cancel` (a trailing slash is ignored). */
export function matchRoute(path: string): { route: Route; videoId?: string } | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments[0] !== '' || segments[1] !== 'videos') return undefined;
  if (segments.length === 2) return { route: 'videos' };
  let videoId: string;
  try {
    videoId = decodeURIComponent(segments[2] ?? '');
  } catch {
    videoId = '';
  }
  if (segments.length === 3) return { route: 'video', videoId };
  if (segments.length === 4 && segments[3] === 'cancel') return { route: 'cancel', videoId };
  if (segments.length === 4 && segments[3] === 'history') return { route: 'history', videoId };
  return undefined;
}

/** The rendition children a run's history started; none when the history cannot be read as a run (its events are still served). */
function childrenOf(events: Parameters<typeof buildView>[0]): ReturnType<typeof renditionChildren> {
  try {
    return renditionChildren(buildView(events));
  } catch {
    return new Map();
  }
}

/**
 * GET /videos/{id}/history's query: nothing (the video's run), or `workflowId` naming the video
 * itself or one of its rendition children. Any other parameter is refused rather than ignored.
 */
function historyQuery(query: Record<string, string | undefined>, videoId: string): string | undefined {
  for (const name of Object.keys(query)) {
    if (name !== 'workflowId') throw badRequest('InvalidRequest', `Unknown query parameter ${JSON.stringify(name)}: the history takes only workflowId (a rendition workflow of this video)`);
  }
  const wanted = query.workflowId;
  if (wanted === undefined) return undefined;
  if (wanted === '') throw badRequest('InvalidRequest', 'workflowId must name a rendition workflow of this video');
  return wanted === videoId ? undefined : wanted;
}

/** POST /videos's body: empty, or a JSON object. */
function parseJsonBody(body: Buffer | undefined): { fileName?: unknown; contentType?: unknown; sizeBytes?: unknown } {
  const text = body?.toString('utf8').trim() ?? '';
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest('MalformedJson', `The request body is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('InvalidRequest', 'The request body must be a JSON object');
  return parsed as { fileName?: unknown; contentType?: unknown; sizeBytes?: unknown };
}

/** `limit`: an integer of at least 1; above 100 it is cut to 100. */
function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIST_LIMIT;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw badRequest('InvalidRequest', `limit must be a positive integer (at most ${MAX_LIST_LIMIT} are returned)`);
  return Math.min(n, MAX_LIST_LIMIT);
}
