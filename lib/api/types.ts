import type {
  DescribeWorkflowExecutionInput,
  GetWorkflowExecutionHistoryInput,
  History,
  ListClosedWorkflowExecutionsInput,
  ListOpenWorkflowExecutionsInput,
  RequestCancelWorkflowExecutionInput,
  Run,
  StartWorkflowExecutionInput,
  WorkflowExecutionDetail,
  WorkflowExecutionInfos,
} from '@aws-sdk/client-swf';
import type { BlobStore } from '../storage/blob-store';
import type { DownloadUrlSigner } from '../storage/playback-url';

/**
 * The SWF operations the API calls, shaped like the SDK's aggregated `SWF` client so that
 * `new SWF(...)` satisfies it as it is. Outputs leave out `$metadata`, so a test fake only returns
 * the members it cares about.
 */
export interface SwfApi {
  startWorkflowExecution(input: StartWorkflowExecutionInput): Promise<Partial<Run>>;
  listOpenWorkflowExecutions(input: ListOpenWorkflowExecutionsInput): Promise<Partial<WorkflowExecutionInfos>>;
  listClosedWorkflowExecutions(input: ListClosedWorkflowExecutionsInput): Promise<Partial<WorkflowExecutionInfos>>;
  describeWorkflowExecution(input: DescribeWorkflowExecutionInput): Promise<Partial<WorkflowExecutionDetail>>;
  getWorkflowExecutionHistory(input: GetWorkflowExecutionHistoryInput): Promise<Partial<History>>;
  requestCancelWorkflowExecution(input: RequestCancelWorkflowExecutionInput): Promise<unknown>;
}

/** The part of a logger the API uses; @aws-lambda-powertools/logger's Logger fits. */
export interface ApiLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentApiLogger: ApiLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Everything the API needs from the outside world. Only swf, domain and the stores are required. */
export interface ApiDeps {
  swf: SwfApi;
  /** The SWF domain (definition.ts DOMAIN in production). */
  domain: string;
  /** Where uploads land (`<videoId>/source`). */
  uploads: BlobStore;
  /** Where the pipeline's outputs live (manifest, playlists, renditions, thumbnails). */
  media: BlobStore;
  /**
   * Signs the download links of GET /videos/{id}; default `media` (presigned S3 GETs, or local
   * URLs). On AWS: SignedPlaybackUrls, through CloudFront, so that HLS's relative URIs work.
   */
  downloads?: DownloadUrlSigner;
  /** IAM role SWF assumes to invoke the step Lambdas; passed to StartWorkflowExecution when set. */
  lambdaRole?: string;
  /** Mints a video id; default `newVideoId`. */
  newVideoId?: () => string;
  /** Epoch ms; default Date.now. */
  now?: () => number;
  /** Largest accepted upload in bytes; default MAX_UPLOAD_BYTES from definition.ts. */
  maxUploadBytes?: number;
  /** Lifetime of presigned upload and download URLs, seconds; default 3600. */
  urlExpiresInSeconds?: number;
  logger?: ApiLogger;
}

/** An HTTP request, framework-free. Header names are lower-case. */
export interface ApiRequest {
  method: string;
  /** Path without the query string, e.g. `/videos/v123`; percent-encoded as received. */
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body?: Buffer;
  /**
   * Public base URL of the API (`https://abc.execute-api.eu-west-1.amazonaws.com/prod`,
   * `http://127.0.0.1:3000`), used to make absolute links such as `statusUrl`. Without it links
   * are absolute paths.
   */
  baseUrl?: string;
}

export interface ApiResponse {
  statusCode: number;
  /** Header names are lower-case. */
  headers: Record<string, string>;
  /** JSON text for every route of the API; a Buffer is sent as is (base64 through API Gateway). */
  body: string | Buffer;
}

/** A JSON error body: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
