/**
 * Playback as it works on AWS, on this machine: a video processed by the local pipeline, its
 * status from the API with download links signed for "CloudFront" (SignedPlaybackUrls, as
 * lambda/api.ts wires it on AWS), and a stand-in CloudFront on loopback that runs the very
 * viewer-request function the stack deploys (lib/infra/cloudfront/playback-auth.js) before
 * serving the media store, as origin access control serves the media bucket. hls.js, on a page of
 * another origin in Debian's Chromium, is given outputs.masterPlaylist.url as it is and must play:
 * every variant playlist and segment it asks for through relative URIs must pass the function.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createApi, localStoresFor, type VideoStatus } from '../../lib/api';
import { VideoApiClient } from '../../lib/cli/api-client';
import { generateTestClip } from '../../lib/cli/test-clip';
import { startLocalStack, type LocalStack } from '../../lib/local/stack';
import { SignedPlaybackUrls, type BlobStore } from '../../lib/storage';
import { DOMAIN } from '../../lib/video/definition';
import { playbackFunction } from '../helpers/cloudfront-function';
import { launchChromium } from './chromium';

jest.setTimeout(90_000);

declare const window: any;

const KEY = 'a-playback-signing-key-of-sixty-four-characters-0123456789abcdef';

let dir: string;
let stack: LocalStack;
let context: BrowserContext;
let page: Page;
let profile: string;
let cdn: Server;
let pageServer: Server;
const requests: { uri: string; status: number }[] = [];

const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', m4s: 'video/iso.segment', mp4: 'video/mp4', jpg: 'image/jpeg', vtt: 'text/vtt', json: 'application/json' };

/** CloudFront in miniature: the viewer-request function, then the origin (the media store). */
function startCdn(media: BlobStore): Promise<Server> {
  const viewerRequest = playbackFunction({ key: KEY });
  const server = createServer((req, res) => {
    void (async () => {
      const uri = new URL(req.url ?? '/', 'http://cdn').pathname;
      const cors = { 'access-control-allow-origin': '*' };
      if (req.method === 'OPTIONS') return void res.writeHead(204, { ...cors, 'access-control-allow-headers': '*' }).end();
      const result = await viewerRequest(uri);
      if ('statusCode' in result) {
        requests.push({ uri, status: result.statusCode });
        return void res.writeHead(result.statusCode, cors).end();
      }
      const key = decodeURIComponent(result.uri.slice(1));
      if (!(await media.head(key))) {
        requests.push({ uri, status: 404 });
        return void res.writeHead(404, cors).end();
      }
      requests.push({ uri, status: 200 });
      res.writeHead(200, { ...cors, 'content-type': TYPES[key.split('.').pop() ?? ''] ?? 'application/octet-stream' });
      res.end(await media.getBuffer(key));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The player page, on an origin of its own: hls.js from node_modules, nothing else. */
function startPageServer(): Promise<Server> {
  const hlsJs = readFileSync(require.resolve('hls.js/dist/hls.min.js'));
  const html = `<!doctype html><video id="v" muted playsinline></video><script src="/hls.min.js"></script><script>
    window.result = { errors: [], fragments: 0 };
    window.play = (url) => {
      const hls = new Hls({ maxBufferLength: 4 });
      // Fatal errors only: hls.js also reports recoveries (bufferSeekOverHole at a start gap) as errors.
      hls.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) window.result.errors.push(d.details + ' ' + ((d.response && d.response.code) || '')); });
      hls.on(Hls.Events.FRAG_LOADED, () => window.result.fragments++);
      hls.on(Hls.Events.MANIFEST_PARSED, () => document.getElementById('v').play());
      hls.loadSource(url);
      hls.attachMedia(document.getElementById('v'));
    };</script>`;
  const server = createServer((req, res) => {
    if (req.url === '/hls.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let status: VideoStatus;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'playback-browser-'));
  const clip = join(dir, 'clip.mp4');
  const [s, browser] = await Promise.all([
    startLocalStack({ dataDir: dir, enginePort: 0, apiPort: 0, pollTimeoutMs: 5_000, transcodePreset: 'ultrafast', logLevel: 'ERROR' }),
    launchChromium({ width: 640, height: 480 }),
    generateTestClip(clip, { seconds: 6, width: 640, height: 360 }),
  ]);
  stack = s;
  ({ context, page, profile } = browser);

  const client = new VideoApiClient(stack.api.url);
  const videoId = await client.upload(clip);
  for (let i = 0; i < 600; i++) {
    const st = await client.status(videoId);
    if (st.status !== 'RUNNING' && st.status !== ('AWAITING_UPLOAD' as string)) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const stores = localStoresFor(stack.api.url, { MEDIA_DIR: join(dir, 'media') });
  cdn = await startCdn(stores.media);
  pageServer = await startPageServer();
  // The API as lambda/api.ts builds it on AWS: download links through "CloudFront".
  const api = createApi({ swf: stack.swf, domain: DOMAIN, ...stores, downloads: new SignedPlaybackUrls({ baseUrl: urlOf(cdn), signingKey: async () => KEY }) });
  const res = await api.handle({ method: 'GET', path: `/videos/${videoId}`, query: {}, headers: {} });
  status = JSON.parse(String(res.body)) as VideoStatus;
}, 90_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
  await new Promise((r) => (cdn ? cdn.close(r) : r(undefined)));
  await new Promise((r) => (pageServer ? pageServer.close(r) : r(undefined)));
  for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

test('GET /videos/{id} hands out signed CloudFront URLs for every output', () => {
  expect(status.status).toBe('COMPLETED');
  const outputs = status.outputs!;
  const links = [outputs.manifest, outputs.masterPlaylist, ...outputs.renditions.flatMap((r) => [r.mp4, r.playlist])];
  for (const link of links) expect(link.url).toMatch(new RegExp(`^${urlOf(cdn)}/p/\\d+-[A-Za-z0-9_-]{43}/${status.videoId}/`));
  expect(Date.parse(outputs.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
});

test('hls.js plays the master playlist URL as it is: variant playlists and segments through relative URIs all pass the function', async () => {
  await page.goto(urlOf(pageServer));
  expect(await page.evaluate(() => window.MediaSource?.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"'))).toBe(true);
  requests.length = 0;
  await page.evaluate((url) => window.play(url), status.outputs!.masterPlaylist.url);
  await page.waitForFunction(() => (window.document.getElementById('v').currentTime > 1.5) || window.result.errors.length > 0, undefined, { timeout: 30_000 });
  const result = (await page.evaluate(() => window.result)) as { errors: string[]; fragments: number };
  expect(result.errors).toEqual([]);
  expect(result.fragments).toBeGreaterThan(0);
  // Every request carried the token in its path and passed; segments were among them.
  expect(requests.filter((r) => r.status !== 200)).toEqual([]);
  expect(requests.every((r) => r.uri.startsWith('/p/'))).toBe(true);
  expect(requests.some((r) => /\/hls\/[^/]+\/index\.m3u8$/.test(r.uri))).toBe(true);
  expect(requests.filter((r) => !r.uri.endsWith('.m3u8')).length).toBeGreaterThan(0);
});

test('a link whose token was tampered with is refused (403) and nothing is served', async () => {
  const master = status.outputs!.masterPlaylist.url;
  const forged = master.replace(/\/p\/(\d+)-/, (_m, exp: string) => `/p/${Number(exp) + 3600}-`);
  requests.length = 0;
  expect((await fetch(forged)).status).toBe(403);
  expect((await fetch(master.replace(/\/p\/[^/]+\//, '/'))).status).toBe(403);
  expect(requests.map((r) => r.status)).toEqual([403, 403]);
});
