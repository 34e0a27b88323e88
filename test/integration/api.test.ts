/**
 * The starter API end to end on one machine: swf-local (real engine, in memory), the local HTTP
 * server, and local folder stores in a temp dir whose presigned URLs point at the server. No
 * decider runs, so executions stay at their first decision task.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SWF } from '@aws-sdk/client-swf';
import { localStoresFor, startLocalApi, type CreateVideoResponse, type LocalApi, type VideoStatus } from '../../lib/api';
import { keys } from '../../lib/video/contracts';
import { DOMAIN, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE } from '../../lib/video/definition';
import { startTestEngine, type TestEngine } from '../helpers/engine';
import { fullHistory } from '../helpers/history';

const ROLE = 'arn:aws:iam::123456789012:role/swf-lambda';
const MAX_UPLOAD = 64 * 1024;

let t: TestEngine;
let swf: SWF;
let api: LocalApi;
let dir: string;

beforeAll(async () => {
  t = await startTestEngine();
  swf = t.swf;
  await swf.registerDomain({ name: DOMAIN, workflowExecutionRetentionPeriodInDays: '1' });
  await swf.registerWorkflowType({
    domain: DOMAIN,
    name: WORKFLOW_TYPE.name,
    version: WORKFLOW_TYPE.version,
    defaultTaskList: { name: TASK_LISTS.decisions },
    defaultExecutionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
    defaultTaskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
    defaultChildPolicy: 'TERMINATE',
  });
  dir = mkdtempSync(join(tmpdir(), 'api-it-'));
  api = await startLocalApi({
    port: 0,
    deps: (url) => {
      // The same wiring as a local run: folder stores whose URLs are the server's /files routes.
      const { uploads, media } = localStoresFor(url, { MEDIA_DIR: dir });
      return { swf, domain: DOMAIN, uploads, media, lambdaRole: ROLE, maxUploadBytes: MAX_UPLOAD };
    },
  });
});

afterAll(async () => {
  await api?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function json(res: Response): Promise<Record<string, any>> {
  const text = await res.text();
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(text) as Record<string, any>;
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = await json(res);
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe('string');
}

async function createVideo(body: object = { fileName: 'clip.mp4', contentType: 'video/mp4', sizeBytes: 4096 }): Promise<CreateVideoResponse> {
  const res = await fetch(`${api.url}/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await json(res)) as CreateVideoResponse;
}

async function upload(created: CreateVideoResponse, body: Buffer | string = Buffer.alloc(4096, 7)): Promise<Response> {
  return fetch(created.upload.url, { method: created.upload.method, headers: created.upload.headers, body });
}

describe('a video from creation to cancel', () => {
  let created: CreateVideoResponse;
  let runId: string;

  it('POST /videos: an id, a PUT URL on the local server and a status URL', async () => {
    created = await createVideo();
    expect(created.videoId).toMatch(/^v[0-9a-z]{19}$/);
    expect(created.upload).toMatchObject({ url: `${api.url}/files/uploads/${created.videoId}/source`, method: 'PUT', headers: { 'content-type': 'video/mp4' }, maxBytes: MAX_UPLOAD });
    expect(created.statusUrl).toBe(`${api.url}/videos/${created.videoId}`);
    const status = await fetch(created.statusUrl);
    expect(status.status).toBe(200);
    expect(await json(status)).toMatchObject({ videoId: created.videoId, status: 'AWAITING_UPLOAD', fileName: 'clip.mp4' });
  });

  it('PUT to the upload URL stores the bytes and starts the execution', async () => {
    const res = await upload(created);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ videoId: created.videoId, key: keys.source(created.videoId), sizeBytes: 4096, workflow: { started: true, status: 'RUNNING' } });
    runId = body.workflow.runId as string;

    const detail = await swf.describeWorkflowExecution({ domain: DOMAIN, execution: { workflowId: created.videoId, runId } });
    expect(detail.executionInfo).toMatchObject({ executionStatus: 'OPEN', workflowType: WORKFLOW_TYPE, tagList: ['video'] });
    expect(detail.executionConfiguration).toMatchObject({ taskList: { name: TASK_LISTS.decisions }, lambdaRole: ROLE, childPolicy: 'TERMINATE' });
    const open = await swf.listOpenWorkflowExecutions({ domain: DOMAIN, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId: created.videoId } });
    expect(open.executionInfos?.map((i) => i.execution?.runId)).toEqual([runId]);
    const [started] = await fullHistory(swf, DOMAIN, { workflowId: created.videoId, runId });
    expect(JSON.parse(started!.workflowExecutionStartedEventAttributes!.input!)).toEqual({ videoId: created.videoId, sourceKey: keys.source(created.videoId), fileName: 'clip.mp4' });

    // The upload is readable back through the files route.
    const source = await fetch(`${api.url}/files/uploads/${created.videoId}/source`);
    expect(source.status).toBe(200);
    expect(source.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await source.arrayBuffer())).toEqual(Buffer.alloc(4096, 7));
  });

  it('uploading again starts nothing new', async () => {
    const res = await upload(created);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ workflow: { started: false, runId, status: 'RUNNING' } });
    const count = await swf.countOpenWorkflowExecutions({ domain: DOMAIN, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId: created.videoId } });
    expect(count.count).toBe(1);
  });

  it('GET /videos/{id}: RUNNING, probe not yet scheduled (no decider runs)', async () => {
    const res = await fetch(created.statusUrl);
    expect(res.status).toBe(200);
    const status = (await json(res)) as VideoStatus;
    expect(status).toMatchObject({ videoId: created.videoId, runId, status: 'RUNNING', cancelRequested: false, fileName: 'clip.mp4', sourceKey: keys.source(created.videoId) });
    expect(status.steps.map((s) => [s.name, s.state, s.attempts])).toEqual([
      ['probe', 'PENDING', 0],
      ['ladder', 'PENDING', 0],
      ['thumbnails', 'PENDING', 0],
      ['publish', 'PENDING', 0],
    ]);
  });

  it('GET /videos lists it', async () => {
    const res = await fetch(`${api.url}/videos?limit=5`);
    expect(res.status).toBe(200);
    const { videos } = await json(res);
    expect(videos[0]).toMatchObject({ videoId: created.videoId, runId, status: 'RUNNING', statusUrl: created.statusUrl });
  });

  it('POST /videos/{id}/cancel: 202, and the execution records WorkflowExecutionCancelRequested', async () => {
    const res = await fetch(`${api.url}/videos/${created.videoId}/cancel`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ videoId: created.videoId, runId, status: 'RUNNING', cancelRequested: true });
    const history = await fullHistory(swf, DOMAIN, { workflowId: created.videoId, runId });
    expect(history.map((e) => e.eventType)).toContain('WorkflowExecutionCancelRequested');
    expect(((await json(await fetch(created.statusUrl))) as VideoStatus).cancelRequested).toBe(true);
  });

  it('a closed execution: cancel is 409, status shows the close and a new upload starts nothing', async () => {
    await swf.terminateWorkflowExecution({ domain: DOMAIN, workflowId: created.videoId, runId, reason: 'test' });
    await expectError(await fetch(`${api.url}/videos/${created.videoId}/cancel`, { method: 'POST' }), 409, 'VideoNotRunning');
    const status = (await json(await fetch(created.statusUrl))) as VideoStatus;
    expect(status).toMatchObject({ status: 'TERMINATED', failure: { reason: 'test' } });
    expect(status.steps.map((s) => s.state)).toEqual(['NOT_RUN', 'NOT_RUN', 'NOT_RUN', 'NOT_RUN']);
    const again = await upload(created);
    expect(await json(again)).toMatchObject({ workflow: { started: false, runId, status: 'TERMINATED' } });
  });
});

describe('bad requests over HTTP', () => {
  it('upload: 415 wrong content type, 400 empty, 413 oversized (declared and streamed)', async () => {
    const created = await createVideo();
    const url = created.upload.url;
    await expectError(await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415, 'UnsupportedMediaType');
    await expectError(await fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: Buffer.alloc(0) }), 400, 'EmptyUpload');
    await expectError(await fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: Buffer.alloc(MAX_UPLOAD + 1) }), 413, 'PayloadTooLarge');
    // Chunked, no content-length: refused once the stream passes the limit.
    const chunks = [Buffer.alloc(MAX_UPLOAD / 2), Buffer.alloc(MAX_UPLOAD / 2), Buffer.alloc(10)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    await expectError(await fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: stream, duplex: 'half' } as RequestInit), 413, 'PayloadTooLarge');
    // Nothing was kept, nothing started.
    expect((await fetch(`${api.url}/files/uploads/${created.videoId}/source`)).status).toBe(404);
    const list = await swf.listOpenWorkflowExecutions({ domain: DOMAIN, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId: created.videoId } });
    expect(list.executionInfos).toEqual([]);
    // Another length than POST /videos declared (the signed content-length on S3): refused.
    await expectError(await fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: 'abc' }), 400, 'UploadSizeMismatch');
    // application/octet-stream is fine.
    const small = await createVideo({ sizeBytes: 3 });
    expect(small.upload.headers).toEqual({ 'content-type': 'application/octet-stream', 'content-length': '3' });
    expect((await fetch(small.upload.url, { method: 'PUT', headers: small.upload.headers, body: 'abc' })).status).toBe(200);
  });

  it('POST /videos: sizeBytes is required, and over the limit is 413 before anything is written', async () => {
    await expectError(await fetch(`${api.url}/videos`, { method: 'POST', body: JSON.stringify({ fileName: 'a.mp4' }) }), 400, 'InvalidRequest');
    await expectError(await fetch(`${api.url}/videos`, { method: 'POST', body: JSON.stringify({ sizeBytes: MAX_UPLOAD + 1 }) }), 413, 'PayloadTooLarge');
  });

  it('upload routes: only <videoId>/source takes a PUT; media is read-only', async () => {
    await expectError(await fetch(`${api.url}/files/uploads/vabc/other`, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: 'x' }), 404, 'NotFound');
    await expectError(await fetch(`${api.url}/files/media/vabc/source`, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: 'x' }), 405, 'MethodNotAllowed');
    await expectError(await fetch(`${api.url}/files/media/vabc/nothing.mp4`), 404, 'NotFound');
    await expectError(await fetch(`${api.url}/files/other/x`), 404, 'NotFound');
    await expectError(await fetch(`${api.url}/files/media/a%5Cb/c`), 400, 'InvalidKey');
  });

  it('API: 400 malformed JSON, 415 bad content type, 404 unknown id and route, 405 wrong method', async () => {
    await expectError(await fetch(`${api.url}/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fileName": ' }), 400, 'MalformedJson');
    await expectError(await fetch(`${api.url}/videos`, { method: 'POST', body: JSON.stringify({ contentType: 'audio/mpeg' }) }), 415, 'UnsupportedMediaType');
    await expectError(await fetch(`${api.url}/videos/vdoesnotexist`), 404, 'VideoNotFound');
    await expectError(await fetch(`${api.url}/videos/vdoesnotexist/cancel`, { method: 'POST' }), 404, 'VideoNotFound');
    await expectError(await fetch(`${api.url}/nothing-here`), 404, 'NotFound');
    const wrong = await fetch(`${api.url}/videos`, { method: 'DELETE' });
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    await expectError(wrong, 405, 'MethodNotAllowed');
    await expectError(await fetch(`${api.url}/videos?limit=zero`), 400, 'InvalidRequest');
  });
});

describe('serving media', () => {
  it('content types by extension, CORS, HEAD and Range', async () => {
    const { media } = api.deps;
    await media.putBuffer('vmedia/hls/master.m3u8', '#EXTM3U\n');
    await media.putBuffer('vmedia/hls/720p/segment_00000.ts', Buffer.alloc(10));
    await media.putBuffer('vmedia/thumbnails/thumbnails.vtt', 'WEBVTT\n');
    await media.putBuffer('vmedia/thumbnails/poster.jpg', Buffer.alloc(3));
    const mp4 = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    await media.putBuffer('vmedia/renditions/720p.mp4', mp4);
    const base = `${api.url}/files/media/vmedia`;

    const master = await fetch(`${base}/hls/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    expect(await master.text()).toBe('#EXTM3U\n');
    expect((await fetch(`${base}/hls/720p/segment_00000.ts`)).headers.get('content-type')).toBe('video/mp2t');
    expect((await fetch(`${base}/thumbnails/thumbnails.vtt`)).headers.get('content-type')).toMatch(/^text\/vtt/);
    expect((await fetch(`${base}/thumbnails/poster.jpg`)).headers.get('content-type')).toBe('image/jpeg');

    const head = await fetch(`${base}/renditions/720p.mp4`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('100');
    expect(head.headers.get('accept-ranges')).toBe('bytes');

    const part = await fetch(`${base}/renditions/720p.mp4`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-type')).toBe('video/mp4');
    expect(part.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(mp4.subarray(10, 20));
    const tail = await fetch(`${base}/renditions/720p.mp4`, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(mp4.subarray(95));
    const open = await fetch(`${base}/renditions/720p.mp4`, { headers: { range: 'bytes=90-' } });
    expect(open.headers.get('content-range')).toBe('bytes 90-99/100');
    const bad = await fetch(`${base}/renditions/720p.mp4`, { headers: { range: 'bytes=200-300' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */100');
    await bad.text();

    const preflight = await fetch(`${base}/renditions/720p.mp4`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
  });
});
