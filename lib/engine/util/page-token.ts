import { createHash } from 'node:crypto';
import { validationMessage } from '../faults';

/**
 * Opaque page tokens: base64url JSON of a position plus a fingerprint of the request that
 * produced it, so a token replayed with other filters is refused instead of paging nonsense.
 */
export function encodePageToken(position: Record<string, unknown>, request: unknown): string {
  return Buffer.from(JSON.stringify({ ...position, f: fingerprint(request) }), 'utf8').toString('base64url');
}

export function decodePageToken<T extends Record<string, unknown>>(token: string, request: unknown): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw validationMessage('Invalid token');
  }
  if (typeof decoded !== 'object' || decoded === null || (decoded as { f?: unknown }).f !== fingerprint(request)) {
    throw validationMessage('Invalid token');
  }
  return decoded as T;
}

function fingerprint(request: unknown): string {
  return createHash('sha1').update(JSON.stringify(request ?? null)).digest('base64url').slice(0, 12);
}

/** `maximumPageSize` 0 or absent means the service maximum. */
export function pageSize(maximumPageSize: number | undefined): number {
  return maximumPageSize === undefined || maximumPageSize === 0 ? 1000 : maximumPageSize;
}

/** Pages an in-memory, already sorted list with an offset token. */
export function pageOf<T>(
  items: readonly T[],
  maximumPageSize: number | undefined,
  nextPageToken: string | undefined,
  request: unknown,
): { page: T[]; nextPageToken?: string } {
  const offset = nextPageToken ? Number(decodePageToken<{ o: number }>(nextPageToken, request).o) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw validationMessage('Invalid token');
  const size = pageSize(maximumPageSize);
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { page, nextPageToken: encodePageToken({ o: next }, request) } : { page };
}
