import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Fault } from '../faults';

/** Access key id -> secret access key. */
export type Credentials = Readonly<Record<string, string>>;

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses requests signed more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const authFault = (name: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException', message: string) =>
  new Fault(name, message, name === 'IncompleteSignatureException' ? 400 : 403);

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw authFault('IncompleteSignatureException', `Authorization header requires the ${ALGORITHM} algorithm`);
  }
  const parts = new Map<string, string>();
  for (const piece of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  const scope = credential?.split('/');
  if (!scope || scope.length !== 5 || scope[4] !== 'aws4_request' || !signedHeaders || !signature) {
    throw authFault(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' (<key>/<date>/<region>/<service>/aws4_request), 'SignedHeaders' and 'Signature'",
    );
  }
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Each path segment URI-encoded (RFC 3986), after undoing the encoding it travelled with. */
function canonicalPath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeRfc3986(encodeRfc3986(safeDecode(seg))))
    .join('/') || '/';
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const eq = kv.indexOf('=');
      const k = eq < 0 ? kv : kv.slice(0, eq);
      const v = eq < 0 ? '' : kv.slice(eq + 1);
      return [encodeRfc3986(safeDecode(k)), encodeRfc3986(safeDecode(v))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Verifies a request's SigV4 signature against known credentials and returns the region of its
 * credential scope. Faults are the ones AWS answers with, so clients report them the same way.
 */
export function verifySigV4(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  credentials: Credentials,
  now: number,
): string {
  const authorization = headers.authorization;
  if (!authorization) throw authFault('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  const secret = Object.prototype.hasOwnProperty.call(credentials, auth.accessKeyId) ? credentials[auth.accessKeyId] : undefined;
  if (secret === undefined) throw authFault('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = String(headers['x-amz-date'] ?? '');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) throw authFault('IncompleteSignatureException', 'Authorization requires an X-Amz-Date header in ISO 8601 basic format');
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    throw authFault('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes from the server's time`);
  }
  if (!amzDate.startsWith(auth.date)) {
    throw authFault('InvalidSignatureException', 'Credential should be scoped to a valid date matching X-Amz-Date');
  }
  if (!auth.signedHeaders.includes('host')) {
    throw authFault('InvalidSignatureException', "'Host' must be a signed header");
  }
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const raw = headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = typeof headers['x-amz-content-sha256'] === 'string' ? headers['x-amz-content-sha256'] : sha256(body);
  const canonicalRequest = [method, canonicalPath(path), canonicalQuery(query), canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, auth.date), auth.region), auth.service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw authFault(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return auth.region;
}

/** Reads `{ "<accessKeyId>": "<secretAccessKey>", ... }`. */
export function parseCredentials(text: string, source: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`credentials file ${source} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`credentials file ${source} must be an object of accessKeyId -> secretAccessKey strings`);
  }
  return parsed as Credentials;
}
