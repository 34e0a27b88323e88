import { createHmac, timingSafeEqual } from 'node:crypto';
import { validationMessage } from '../faults';

/**
 * What a page token is good for: the operation, the state partition it pages (a region, or a
 * region's domain) and the query's own arguments. A token is only accepted by the very scope
 * that issued it.
 */
export interface PageScope {
  op: string;
  /** `region` for ListDomains, `region/domainId` for everything inside a domain. */
  partition: string;
  /** The request's filters and ordering (never its page size or token). */
  query?: unknown;
}

/** Bytes of HMAC-SHA256 kept in a token: 128 bits is out of reach of guessing. */
const MAC_BYTES = 16;

function invalidToken(): Error {
  return validationMessage('Invalid token');
}

/**
 * Opaque, tamper-evident page tokens: `<position>.<mac>`, both base64url, where the MAC is an
 * HMAC-SHA256 under a secret kept in the database (created by a migration, so tokens survive a
 * restart) over the scope and the position. A token that was edited, forged, or issued for
 * another operation, domain or query fails the check and is refused with ValidationException;
 * nothing in it is read before the check passes.
 */
export class PageTokens {
  constructor(private readonly secret: Buffer) {}

  encode(scope: PageScope, position: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
    return `${body}.${this.mac(scope, body).toString('base64url')}`;
  }

  decode<T extends Record<string, unknown>>(token: string, scope: PageScope): T {
    const dot = token.indexOf('.');
    if (dot <= 0) throw invalidToken();
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(scope, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidToken();
    let position: unknown;
    try {
      position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidToken();
    }
    if (typeof position !== 'object' || position === null) throw invalidToken();
    return position as T;
  }

  private mac(scope: PageScope, body: string): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${scope.op}\n${scope.partition}\n${JSON.stringify(scope.query ?? null)}\n${body}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

/** `maximumPageSize` 0 or absent means the service maximum. */
export function pageSize(maximumPageSize: number | undefined): number {
  return maximumPageSize === undefined || maximumPageSize === 0 ? 1000 : maximumPageSize;
}

/** A position read back from a token that is a usable offset, or the token is refused. */
export function offsetOf(position: { o?: unknown }): number {
  const offset = position.o;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalidToken();
  return offset;
}

/** Pages an in-memory, already sorted list with an offset token. */
export function pageOf<T>(
  tokens: PageTokens,
  scope: PageScope,
  items: readonly T[],
  maximumPageSize: number | undefined,
  nextPageToken: string | undefined,
): { page: T[]; nextPageToken?: string } {
  const offset = nextPageToken ? offsetOf(tokens.decode(nextPageToken, scope)) : 0;
  const size = pageSize(maximumPageSize);
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { page, nextPageToken: tokens.encode(scope, { o: next }) } : { page };
}
