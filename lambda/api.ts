/**
 * The starter API behind API Gateway (REST API, Lambda proxy integration). Wiring only: the event
 * becomes an ApiRequest for lib/api's createApi, and its ApiResponse the proxy result.
 *
 * Environment: UPLOAD_BUCKET, MEDIA_BUCKET (lib/storage storesFromEnv), LAMBDA_ROLE_ARN (the role
 * SWF assumes to invoke the step functions), SWF_DOMAIN (default definition.ts DOMAIN),
 * SWF_ENDPOINT (optional, e.g. swf-local), PLAYBACK_BASE_URL and PLAYBACK_KEY_SECRET_ARN (both or
 * neither: download links through CloudFront, signed with the key in that secret).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import { SWF } from '@aws-sdk/client-swf';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createApi, type Api, type ApiDeps, type ApiRequest, type ApiResponse } from '../lib/api';
import { cachedSigningKey, SignedPlaybackUrls, storesFromEnv, type DownloadUrlSigner } from '../lib/storage';
import { DOMAIN } from '../lib/video/definition';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** The production dependencies, from the environment. */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiDeps {
  const { uploads, media } = storesFromEnv(env);
  return {
    swf: new SWF({ ...(env.SWF_ENDPOINT ? { endpoint: env.SWF_ENDPOINT } : {}) }),
    domain: env.SWF_DOMAIN || DOMAIN,
    uploads,
    media,
    ...playbackFromEnv(env),
    ...(env.LAMBDA_ROLE_ARN ? { lambdaRole: env.LAMBDA_ROLE_ARN } : {}),
    logger,
  };
}

/** CloudFront download links when the stack configured them; none (presigned media GETs) otherwise. */
export function playbackFromEnv(env: NodeJS.ProcessEnv): { downloads?: DownloadUrlSigner } {
  const baseUrl = env.PLAYBACK_BASE_URL?.trim();
  const secretArn = env.PLAYBACK_KEY_SECRET_ARN?.trim();
  if (!baseUrl && !secretArn) return {};
  if (!baseUrl || !secretArn) throw new Error('PLAYBACK_BASE_URL and PLAYBACK_KEY_SECRET_ARN must be set together');
  return { downloads: new SignedPlaybackUrls({ baseUrl, signingKey: cachedSigningKey(new SecretsManager({}), secretArn) }) };
}

/** API Gateway proxy event -> ApiRequest. */
export function toApiRequest(event: APIGatewayProxyEvent): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = value;
  const body = event.body === null || event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return { method: event.httpMethod, path: event.path, query, headers, ...(body ? { body } : {}), ...baseUrlOf(event) };
}

/**
 * The public base URL: the domain the client called plus whatever the request's full path has
 * before the resource path (the stage, or a custom domain's base path).
 */
function baseUrlOf(event: APIGatewayProxyEvent): { baseUrl?: string } {
  const domain = event.requestContext?.domainName;
  if (!domain) return {};
  const fullPath = event.requestContext.path ?? '';
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : event.requestContext.stage ? `/${event.requestContext.stage}` : '';
  return { baseUrl: `https://${domain}${prefix}` };
}

/** ApiResponse -> proxy result (a Buffer body goes base64). */
export function toProxyResult(response: ApiResponse): APIGatewayProxyResult {
  if (Buffer.isBuffer(response.body)) {
    return { statusCode: response.statusCode, headers: response.headers, body: response.body.toString('base64'), isBase64Encoded: true };
  }
  return { statusCode: response.statusCode, headers: response.headers, body: response.body, isBase64Encoded: false };
}

/** A handler over `deps` (made on first use: cold start, not import). */
export function makeHandler(deps: () => ApiDeps = () => depsFromEnv()): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  let api: Api | undefined;
  return async (event) => {
    api ??= createApi(deps());
    return toProxyResult(await api.handle(toApiRequest(event)));
  };
}

export const handler = makeHandler();
