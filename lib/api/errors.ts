import type { ApiErrorBody, ApiResponse } from './types';

/**
 * An error the API answers with a 4xx/5xx JSON body `{ error: { code, message } }`. Anything else
 * thrown inside a route becomes a 500 InternalError (logged, message not echoed).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message);
export const notFound = (code: string, message: string): ApiError => new ApiError(404, code, message);
export const conflict = (code: string, message: string): ApiError => new ApiError(409, code, message);

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: ApiError): ApiResponse {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
  return jsonResponse(error.statusCode, body, error.headers);
}

/** The SDK's error name (`WorkflowExecutionAlreadyStartedFault`, `UnknownResourceFault`, ...). */
export function faultName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

export function isFault(error: unknown, name: string): boolean {
  return faultName(error) === name;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
