// The SWF JSON API of this engine, from the page: POST with X-Amz-Target on the same origin.

export class SwfError extends Error {
  constructor(type, message, status) {
    super(message || type);
    this.name = 'SwfError';
    this.type = type;
    this.status = status;
  }
}

/**
 * `call(operation, input)` -> the operation's output. Requests are unsigned (the engine runs
 * with --auth none); another region than the engine's default is named the way SWF reads it,
 * in a SigV4 credential scope.
 */
export function createSwf({ region, defaultRegion, endpoint = '/' }) {
  return async function call(operation, input = {}) {
    const headers = {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `SimpleWorkflowService.${operation}`,
    };
    const r = typeof region === 'function' ? region() : region;
    if (r && r !== defaultRegion) {
      headers.Authorization = `AWS4-HMAC-SHA256 Credential=console/20000101/${r}/swf/aws4_request, SignedHeaders=host, Signature=unsigned`;
    }
    let res;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(input), cache: 'no-store' });
    } catch (error) {
      throw new SwfError('NetworkError', `swf-local is not reachable (${error.message})`, 0);
    }
    const text = await res.text();
    let body = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { message: text };
    }
    if (!res.ok) {
      const type = String(body.__type ?? `HTTP ${res.status}`).split('#').pop();
      throw new SwfError(type, body.message ?? body.Message ?? text, res.status);
    }
    return body;
  };
}

/** Every page of a paged SWF list operation, concatenated (`key` names the list member). */
export async function allPages(call, operation, input, key, maxPages = 100) {
  const items = [];
  let token;
  for (let i = 0; i < maxPages; i++) {
    const page = await call(operation, token ? { ...input, nextPageToken: token } : input);
    items.push(...(page[key] ?? []));
    token = page.nextPageToken;
    if (!token) break;
  }
  return items;
}

/** GET one of the console's own JSON endpoints (relative to /console/). */
export async function consoleApi(path) {
  const res = await fetch(path, { cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new SwfError(String(body.__type ?? `HTTP ${res.status}`).split('#').pop(), body.message ?? `HTTP ${res.status}`, res.status);
  return body;
}
