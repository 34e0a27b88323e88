import { readdirSync, readFile } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

/** A file the console may serve, and its content type. */
export interface StaticFile {
  path: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Where the page's files live (plain HTML, CSS and ES modules: no build step). */
export const STATIC_DIR = join(__dirname, 'static');

/**
 * The page's files by name. Only the files in the folder at start-up are served (a fixed list,
 * so no request path can reach anything else); their contents are read per request, so an edit
 * shows on reload.
 */
export function staticFiles(dir = STATIC_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith('.')) files.set(entry.name, { path: join(dir, entry.name), type: contentTypeOf(entry.name) });
  }
  return files;
}

export function sendFile(res: ServerResponse, file: StaticFile, head: boolean): void {
  readFile(file.path, (error, data) => {
    if (res.destroyed || res.writableEnded) return;
    if (error) {
      const text = JSON.stringify({ __type: 'NotFound', message: 'File is gone' });
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(head ? undefined : text);
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': data.length,
      // Files change with the repository, not per request: revalidate, never serve stale.
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(head ? undefined : data);
  });
}
