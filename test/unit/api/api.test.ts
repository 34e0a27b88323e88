import { UnknownResourceFault } from '@aws-sdk/client-swf';
import { createApi, handleUploadedObjects, uploadRequestKey, type ApiDeps, type ApiRequest, type ApiResponse, type CreateVideoResponse, type StepStatus, type VideoStatus } from '../../../lib/api';
import { keys } from '../../../lib/video/contracts';
import { DOMAIN } from '../../../lib/video/definition';
import { FakeSwf } from './fake-swf';
import { CHUNK_PLAN, LADDER, PROBE, RenditionHistory, VIDEO_ID, chunkedVideoHistory, manifestFor, renditionInput, videoHistory } from './histories';
import { MemoryBlobStore } from './memory-store';

const NOW = Date.parse('2030-01-01T00:00:00Z');

function setup(overrides: Partial<ApiDeps> = {}) {
  const swf = new FakeSwf(() => NOW);
  const uploads = new MemoryBlobStore('uploads', () => NOW);
  const media = new MemoryBlobStore('media', () => NOW);
  let n = 0;
  const deps: ApiDeps = { swf, domain: DOMAIN, uploads, media, newVideoId: () => `vtest${++n}`, now: () => NOW, ...overrides };
  const api = createApi(deps);
  const call = async (method: string, path: string, opts: { body?: string | Buffer; query?: Record<string, string>; baseUrl?: string } = {}) => {
    const req: ApiRequest = {
      method,
      path,
      query: opts.query ?? {},
      headers: {},
      ...(opts.body !== undefined ? { body: Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body) } : {}),
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    };
    const res = await api.handle(req);
    return { ...res, json: JSON.parse(res.body.toString()) as Record<string, any> };
  };
  return { swf, uploads, media, api, call };
}

function expectError(res: ApiResponse & { json: Record<string, any> }, status: number, code: string): void {
  expect({ status: res.statusCode, code: res.json.error?.code }).toEqual({ status, code });
  expect(typeof res.json.error.message).toBe('string');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
}

describe('POST /videos', () => {
  it('creates a video: a new id, a presigned PUT for <id>/source and the status URL', async () => {
    const { call, uploads, swf } = setup();
    const res = await call('POST', '/videos', { body: JSON.stringify({ fileName: 'holiday.mp4', contentType: 'video/mp4', sizeBytes: 5000 }), baseUrl: 'https://api.example.com/prod' });
    expect(res.statusCode).toBe(201);
    const body = res.json as CreateVideoResponse;
    expect(body).toEqual({
      videoId: 'vtest1',
      upload: {
        url: `memory://uploads/${keys.source('vtest1')}?put`,
        method: 'PUT',
        headers: { 'content-type': 'video/mp4', 'content-length': '5000' },
        expiresAt: new Date(NOW + 3600_000).toISOString(),
        sizeBytes: 5000,
        maxBytes: 2 * 1024 * 1024 * 1024,
      },
      statusUrl: 'https://api.example.com/prod/videos/vtest1',
    });
    expect(res.headers.location).toBe(body.statusUrl);
    // The upload record keeps the file name for the upload event.
    expect(JSON.parse((await uploads.getBuffer(uploadRequestKey('vtest1'))).toString())).toEqual({
      videoId: 'vtest1',
      fileName: 'holiday.mp4',
      contentType: 'video/mp4',
      sizeBytes: 5000,
      createdAt: new Date(NOW).toISOString(),
    });
    // Nothing starts before the upload.
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(0);
  });

  it('needs only sizeBytes; the content type then comes from the file name or is application/octet-stream', async () => {
    const { call } = setup();
    const bare = await call('POST', '/videos', { body: '{"sizeBytes":1}' });
    expect(bare.statusCode).toBe(201);
    expect(bare.json.upload.headers['content-type']).toBe('application/octet-stream');
    expect(bare.json.statusUrl).toBe('/videos/vtest1');
    const mov = await call('POST', '/videos', { body: '{"fileName":"clip.MOV","sizeBytes":1}' });
    expect(mov.json.upload.headers['content-type']).toBe('video/quicktime');
    const params = await call('POST', '/videos', { body: '{"contentType":"Video/WebM; codecs=vp9","sizeBytes":1}' });
    expect(params.json.upload.headers['content-type']).toBe('video/webm');
  });

  it('mints ids with the default generator: v + time-sortable base36 + random', async () => {
    const { call } = setup({ newVideoId: undefined });
    const a = await call('POST', '/videos', { body: '{"sizeBytes":1}' });
    const b = await call('POST', '/videos', { body: '{"sizeBytes":1}' });
    expect(a.json.videoId).toMatch(/^v[0-9a-z]{19}$/);
    expect(a.json.videoId).not.toBe(b.json.videoId);
    expect(a.json.videoId.slice(0, 10)).toBe(b.json.videoId.slice(0, 10));
  });

  it('400 for malformed JSON, a non-object body or a bad fileName', async () => {
    const { call } = setup();
    expectError(await call('POST', '/videos', { body: '{"fileName":' }), 400, 'MalformedJson');
    expectError(await call('POST', '/videos', { body: '[1,2]' }), 400, 'InvalidRequest');
    expectError(await call('POST', '/videos', { body: '{"fileName":42}' }), 400, 'InvalidRequest');
    expectError(await call('POST', '/videos', { body: JSON.stringify({ fileName: 'x'.repeat(300) }) }), 400, 'InvalidRequest');
    expectError(await call('POST', '/videos', { body: '{"contentType":7}' }), 400, 'InvalidRequest');
  });

  it('sizeBytes is required and capped: 400 when missing or not a positive integer (EmptyUpload for 0), 413 over the limit; nothing is written', async () => {
    const { call, uploads } = setup({ maxUploadBytes: 1000 });
    const empty = await call('POST', '/videos', { body: '{"sizeBytes":0}' });
    expectError(empty, 400, 'EmptyUpload');
    expect(empty.json.error.message).toMatch(/empty/);
    for (const body of ['', '{}', '{"sizeBytes":-5}', '{"sizeBytes":1.5}', '{"sizeBytes":"10"}']) {
      const res = await call('POST', '/videos', { body });
      expectError(res, 400, 'InvalidRequest');
      expect(res.json.error.message).toContain('sizeBytes');
    }
    expectError(await call('POST', '/videos', { body: '{"sizeBytes":1001}' }), 413, 'PayloadTooLarge');
    expect(uploads.objects.size).toBe(0);
    expect((await call('POST', '/videos', { body: '{"sizeBytes":1000}' })).statusCode).toBe(201);
  });

  it('415 for a content type that is not a video', async () => {
    const { call, uploads } = setup();
    expectError(await call('POST', '/videos', { body: '{"contentType":"image/png"}' }), 415, 'UnsupportedMediaType');
    expectError(await call('POST', '/videos', { body: '{"contentType":"video/x-flv"}' }), 415, 'UnsupportedMediaType');
    expect(uploads.objects.size).toBe(0);
  });
});

describe('GET /videos/{id}', () => {
  it('REJECTED with the reason when the upload event refused the upload (over the limit)', async () => {
    const { call, uploads } = setup();
    await call('POST', '/videos', { body: '{"fileName":"big.mp4","sizeBytes":10}' });
    await handleUploadedObjects({ swf: new FakeSwf(), domain: DOMAIN, uploads, maxUploadBytes: 10, now: () => NOW }, [{ key: 'vtest1/source', sizeBytes: 11 }]);
    const res = await call('GET', '/videos/vtest1');
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      videoId: 'vtest1',
      status: 'REJECTED',
      fileName: 'big.mp4',
      failure: { reason: 'UploadTooLarge', message: 'The upload is 11 bytes, over the limit of 10 bytes; nothing was started' },
      sizeBytes: 11,
      rejectedAt: new Date(NOW).toISOString(),
      steps: [],
    });
  });

  it('404 for an unknown or invalid id', async () => {
    const { call } = setup();
    expectError(await call('GET', '/videos/vnope'), 404, 'VideoNotFound');
    expectError(await call('GET', '/videos/a%3Ab'), 404, 'VideoNotFound');
    expectError(await call('GET', '/videos/%E0%A4%A'), 404, 'VideoNotFound');
  });

  it('AWAITING_UPLOAD for a created video whose upload has not arrived', async () => {
    const { call } = setup();
    await call('POST', '/videos', { body: '{"fileName":"a.mp4","sizeBytes":10}' });
    const res = await call('GET', '/videos/vtest1');
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ videoId: 'vtest1', status: 'AWAITING_UPLOAD', fileName: 'a.mp4', createdAt: new Date(NOW).toISOString(), steps: [] });
  });

  it('RUNNING with every step pending right after the start', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW, history: videoHistory('started').events });
    const res = await call('GET', `/videos/${VIDEO_ID}`);
    expect(res.statusCode).toBe(200);
    const status = res.json as VideoStatus;
    expect(status).toMatchObject({ videoId: VIDEO_ID, runId: 'run-1', status: 'RUNNING', cancelRequested: false, fileName: 'holiday.mp4', sourceKey: `${VIDEO_ID}/source` });
    expect(status.steps.map((s) => [s.name, s.state, s.attempts])).toEqual([
      ['probe', 'PENDING', 0],
      ['ladder', 'PENDING', 0],
      ['thumbnails', 'PENDING', 0],
      ['publish', 'PENDING', 0],
    ]);
    expect(status.outputs).toBeUndefined();
  });

  it('a running probe, and a transcode waiting for its retry', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: 'vprobing', history: videoHistory('probing').events });
    const probing = (await call('GET', '/videos/vprobing')).json as VideoStatus;
    expect(probing.steps[0]).toMatchObject({ name: 'probe', state: 'RUNNING', attempts: 1 });
    expect(probing.steps[0]!.startedAt).toBeDefined();
    expect(probing.steps[0]!.closedAt).toBeUndefined();

    const { events, b, ids } = videoHistory('retryWait');
    swf.addRun({ workflowId: 'vretry', history: events });
    const status = (await call('GET', '/videos/vretry')).json as VideoStatus;
    const byName = (name: string, rendition?: string): StepStatus => status.steps.find((s) => s.name === name && s.rendition === rendition)!;
    expect(byName('ladder')).toMatchObject({ state: 'COMPLETED', renditions: LADDER });
    expect(byName('transcode', '720p')).toMatchObject({
      state: 'RETRY_WAIT',
      attempts: 1,
      failure: { type: 'error', reason: 'FfmpegError', details: 'ffmpeg exited with code 137' },
      nextAttemptAt: new Date(Date.parse(b.time(ids.timer!)) + 2000).toISOString(),
    });
    expect(byName('transcode', '360p')).toMatchObject({ state: 'RUNNING', attempts: 1 });
    expect(byName('thumbnails')).toMatchObject({ state: 'RUNNING' });
    expect(byName('publish')).toMatchObject({ state: 'PENDING' });
    expect(status.source).toEqual(PROBE);
  });

  it('COMPLETED: steps with attempts and times, outputs with download URLs from the manifest', async () => {
    const { call, swf, media } = setup();
    const { events, b, ids } = videoHistory('complete');
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW, closedAt: NOW + 60_000, closeStatus: 'COMPLETED', history: events });
    await media.putBuffer(keys.manifest(VIDEO_ID), JSON.stringify(manifestFor()), 'application/json');

    const res = await call('GET', `/videos/${VIDEO_ID}`);
    expect(res.statusCode).toBe(200);
    const status = res.json as VideoStatus;
    expect(status.status).toBe('COMPLETED');
    expect(status.closedAt).toBe(new Date(NOW + 60_000).toISOString());
    expect(status.failure).toBeUndefined();
    expect(status.steps.map((s) => [s.name, s.rendition ?? null, s.state, s.attempts])).toEqual([
      ['probe', null, 'COMPLETED', 1],
      ['ladder', null, 'COMPLETED', 1],
      ['transcode', '720p', 'COMPLETED', 2],
      ['transcode', '360p', 'COMPLETED', 1],
      ['thumbnails', null, 'COMPLETED', 1],
      ['publish', null, 'COMPLETED', 1],
    ]);
    const t720 = status.steps[2]!;
    expect(t720).toMatchObject({
      scheduledAt: b.time(ids.t720!),
      startedAt: b.time(ids.t720bStarted!),
      closedAt: b.time(ids.t720bCompleted!),
    });
    expect(t720.failure).toBeUndefined();
    expect(t720.attemptDetails).toEqual([
      { attempt: 1, state: 'FAILED', scheduledAt: b.time(ids.t720!), startedAt: b.time(ids.t720Started!), closedAt: b.time(ids.t720Failed!), failure: { type: 'error', reason: 'FfmpegError', details: 'ffmpeg exited with code 137' } },
      { attempt: 2, state: 'COMPLETED', scheduledAt: b.time(ids.t720b!), startedAt: b.time(ids.t720bStarted!), closedAt: b.time(ids.t720bCompleted!) },
    ]);
    expect(status.steps[1]).toMatchObject({ name: 'ladder', closedAt: b.time(ids.ladder!) });

    const out = status.outputs!;
    const url = (key: string) => `memory://media/${key}?get`;
    expect(out.expiresAt).toBe(new Date(NOW + 3600_000).toISOString());
    expect(out.manifest).toEqual({ key: keys.manifest(VIDEO_ID), url: url(keys.manifest(VIDEO_ID)) });
    expect(out.masterPlaylist).toEqual({ key: keys.hlsMaster(VIDEO_ID), url: url(keys.hlsMaster(VIDEO_ID)) });
    expect(out.renditions).toEqual(
      LADDER.map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bitrateKbps: r.videoBitrateKbps + r.audioBitrateKbps,
        durationSeconds: 12.5,
        mp4: { key: keys.mp4(VIDEO_ID, r.name), url: url(keys.mp4(VIDEO_ID, r.name)), sizeBytes: 1000 },
        playlist: { key: keys.hlsPlaylist(VIDEO_ID, r.name), url: url(keys.hlsPlaylist(VIDEO_ID, r.name)), sizeBytes: 200 },
      })),
    );
    expect(out.thumbnails).toEqual({
      poster: { key: keys.poster(VIDEO_ID), url: url(keys.poster(VIDEO_ID)), sizeBytes: 300 },
      sprite: { key: keys.sprite(VIDEO_ID), url: url(keys.sprite(VIDEO_ID)), sizeBytes: 400 },
      vtt: { key: keys.vtt(VIDEO_ID), url: url(keys.vtt(VIDEO_ID)), sizeBytes: 500 },
      intervalSeconds: 2,
      count: 7,
    });
  });

  it('COMPLETED without a readable manifest still links the manifest and master playlist', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'COMPLETED', closedAt: NOW, history: videoHistory('complete').events });
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    expect(status.outputs).toMatchObject({ manifest: { key: keys.manifest(VIDEO_ID) }, masterPlaylist: { key: keys.hlsMaster(VIDEO_ID) }, renditions: [] });
    expect(status.outputs!.manifestError).toMatch(/No object/);
  });

  it('FAILED: the reason, the failing step, and the steps never reached', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'FAILED', closedAt: NOW, history: videoHistory('notAVideo').events });
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    expect(status.status).toBe('FAILED');
    expect(status.failure).toMatchObject({ reason: 'NotAVideo', step: 'probe', error: 'NotAVideoError', message: 'ffprobe found no video stream' });
    expect(status.steps.map((s) => [s.name, s.state])).toEqual([
      ['probe', 'FAILED'],
      ['ladder', 'NOT_RUN'],
      ['thumbnails', 'NOT_RUN'],
      ['publish', 'NOT_RUN'],
    ]);
    expect(status.steps[0]!.failure).toEqual({ type: 'error', reason: 'NotAVideoError', details: 'ffprobe found no video stream' });
    expect(status.outputs).toBeUndefined();
  });

  it('CANCELED: the cancel details, and open steps shown as canceled', async () => {
    const { call, swf } = setup();
    const { b } = videoHistory('probing');
    b.add('WorkflowExecutionCancelRequested', {});
    const dtc = b.decision();
    b.add('WorkflowExecutionCanceled', { details: JSON.stringify({ reason: 'CancelRequested', completedSteps: [], abandoned: ['probe'] }), decisionTaskCompletedEventId: dtc });
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'CANCELED', closedAt: NOW, cancelRequested: true, history: b.events });
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    expect(status).toMatchObject({ status: 'CANCELED', cancelRequested: true, cancellation: { reason: 'CancelRequested', completedSteps: [], abandoned: ['probe'] } });
    expect(status.failure).toBeUndefined();
    expect(status.steps.map((s) => [s.name, s.state])).toEqual([
      ['probe', 'CANCELED'],
      ['ladder', 'NOT_RUN'],
      ['thumbnails', 'NOT_RUN'],
      ['publish', 'NOT_RUN'],
    ]);
  });

  it('reads the whole history, page by page', async () => {
    const { call, swf } = setup();
    swf.historyPageSize = 3;
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'COMPLETED', closedAt: NOW, history: videoHistory('complete').events });
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    expect(status.steps.every((s) => s.state === 'COMPLETED')).toBe(true);
    const pages = swf.callsOf('getWorkflowExecutionHistory');
    expect(pages.length).toBeGreaterThan(5);
    expect(pages[0]).toMatchObject({ domain: DOMAIN, execution: { workflowId: VIDEO_ID, runId: 'run-1' } });
  });

  it('shows the newest run of the id: the open one, else the most recently started closed one', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW - 2000, closedAt: NOW - 1500, closeStatus: 'TERMINATED', history: videoHistory('started').events });
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW - 1000, closedAt: NOW - 500, closeStatus: 'FAILED', history: videoHistory('notAVideo').events });
    expect((await call('GET', `/videos/${VIDEO_ID}`)).json).toMatchObject({ runId: 'run-2', status: 'FAILED' });
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW, history: videoHistory('started').events });
    expect((await call('GET', `/videos/${VIDEO_ID}`)).json).toMatchObject({ runId: 'run-3', status: 'RUNNING' });
    const open = swf.callsOf('listOpenWorkflowExecutions')[0]!;
    expect(open).toMatchObject({ domain: DOMAIN, executionFilter: { workflowId: VIDEO_ID } });
    expect(open.startTimeFilter).toBeDefined();
  });

  it('404 when the run disappears (retention) between the listing and the describe', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'COMPLETED', history: [] });
    swf.failNext('describeWorkflowExecution', new UnknownResourceFault({ message: 'gone', $metadata: {} }));
    expectError(await call('GET', `/videos/${VIDEO_ID}`), 404, 'VideoNotFound');
  });
});

describe('a chunked run: each rendition\'s child and its chunks', () => {
  const child720 = `${VIDEO_ID}-rendition-720p`;
  const child360 = `${VIDEO_ID}-rendition-360p`;

  /** The parent with both children started; 720p has 2 chunks done and 1 waiting to retry, 360p 1 running. */
  function chunkedSetup() {
    const t = setup();
    t.swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW, history: chunkedVideoHistory() });
    const h720 = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio', 'chunk-0', 'chunk-1').complete('audio', 'chunk-0', 'chunk-1').decision().run('chunk-2').fail('chunk-2').decision();
    h720.retryTimer('chunk-2#2');
    const h360 = new RenditionHistory(renditionInput(LADDER[1]!)).run('audio', 'chunk-0');
    t.swf.addRun({ workflowId: child720, runId: 'child-720p', typeName: 'ProcessRendition', history: h720.events });
    t.swf.addRun({ workflowId: child360, runId: 'child-360p', typeName: 'ProcessRendition', history: h360.events });
    return t;
  }

  it('GET /videos/{id}: every rendition step carries its child\'s chunk counts, read from the child\'s own history', async () => {
    const { call, swf } = chunkedSetup();
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    const s720 = status.steps.find((s) => s.rendition === '720p')!;
    const s360 = status.steps.find((s) => s.rendition === '360p')!;
    expect(s720).toMatchObject({ name: 'transcode', state: 'RUNNING', workflowId: child720 });
    expect(s720.chunks).toMatchObject({ total: CHUNK_PLAN.count, completed: 2, running: 0, retrying: 1, failed: 0, pending: 2, failedAttempts: 1, audio: { state: 'COMPLETED' }, package: { state: 'PENDING' } });
    expect(s720.chunks!.failing).toEqual([expect.objectContaining({ index: 2, state: 'RETRY_WAIT', attempts: 1 })]);
    expect(s360.chunks).toMatchObject({ total: CHUNK_PLAN.count, completed: 0, running: 1, pending: 4, audio: { state: 'RUNNING' } });
    expect(s720.progressError).toBeUndefined();
    const read = swf.callsOf('getWorkflowExecutionHistory').map((c) => (c.execution as { runId: string }).runId);
    expect(read.sort()).toEqual(['child-360p', 'child-720p', 'run-1']);
  });

  it('a child whose history cannot be read degrades its own step, with the reason; the rest of the status stands', async () => {
    const { call, swf } = chunkedSetup();
    swf.runs.splice(swf.runs.findIndex((r) => r.workflowId === child360), 1);
    const res = await call('GET', `/videos/${VIDEO_ID}`);
    expect(res.statusCode).toBe(200);
    const status = res.json as VideoStatus;
    const s360 = status.steps.find((s) => s.rendition === '360p')!;
    expect(s360).toMatchObject({ state: 'RUNNING', workflowId: child360 });
    expect(s360.chunks).toBeUndefined();
    expect(s360.progressError).toMatch(/Unknown execution/);
    expect(status.steps.find((s) => s.rendition === '720p')!.chunks?.completed).toBe(2);
  });

  it('a child not started yet shows every chunk pending without a read', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, startedAt: NOW, history: chunkedVideoHistory([]) });
    const status = (await call('GET', `/videos/${VIDEO_ID}`)).json as VideoStatus;
    expect(status.steps.filter((s) => s.name === 'transcode').map((s) => [s.rendition, s.state, s.chunks?.pending, s.chunks?.total])).toEqual([
      ['720p', 'SCHEDULED', 5, 5],
      ['360p', 'SCHEDULED', 5, 5],
    ]);
    expect(swf.callsOf('getWorkflowExecutionHistory')).toHaveLength(1);
  });

  it('GET /videos/{id}/history lists the children; ?workflowId= serves one child\'s history', async () => {
    const { call } = chunkedSetup();
    const parent = await call('GET', `/videos/${VIDEO_ID}/history`, { baseUrl: 'http://api.test' });
    expect(parent.statusCode).toBe(200);
    expect(parent.json).toMatchObject({ videoId: VIDEO_ID, workflowId: VIDEO_ID, runId: 'run-1' });
    expect(parent.json.children).toEqual([
      { workflowId: child720, rendition: '720p', runId: 'child-720p', state: 'started', historyUrl: `http://api.test/videos/${VIDEO_ID}/history?workflowId=${encodeURIComponent(child720)}` },
      { workflowId: child360, rendition: '360p', runId: 'child-360p', state: 'started', historyUrl: `http://api.test/videos/${VIDEO_ID}/history?workflowId=${encodeURIComponent(child360)}` },
    ]);
    const child = await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: child360 } });
    expect(child.statusCode).toBe(200);
    expect(child.json).toMatchObject({ videoId: VIDEO_ID, workflowId: child360, runId: 'child-360p', parentRunId: 'run-1', rendition: '360p' });
    expect(child.json.events[0].eventType).toBe('WorkflowExecutionStarted');
    expect(child.json.events[0].workflowExecutionStartedEventAttributes.workflowType.name).toBe('ProcessRendition');
    expect(typeof child.json.events[0].eventTimestamp).toBe('number');
    // The video's own id is the video's history.
    expect((await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: VIDEO_ID } })).json.workflowId).toBe(VIDEO_ID);
  });

  it('the history never serves another video\'s run; anything else is a typed 400/404/409', async () => {
    const { call, swf } = chunkedSetup();
    swf.addRun({ workflowId: 'vother', history: videoHistory('started').events });
    swf.addRun({ workflowId: 'vother-rendition-720p', typeName: 'ProcessRendition', history: new RenditionHistory(renditionInput(LADDER[0]!)).events });
    expectError(await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: 'vother' } }), 404, 'ChildNotFound');
    expectError(await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: 'vother-rendition-720p' } }), 404, 'ChildNotFound');
    expectError(await call('GET', '/videos/vother/history', { query: { workflowId: child720 } }), 404, 'ChildNotFound');
    expectError(await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: '' } }), 400, 'InvalidRequest');
    expectError(await call('GET', `/videos/${VIDEO_ID}/history`, { query: { children: 'true' } }), 400, 'InvalidRequest');
    expectError(await call('GET', '/videos/vnobody/history', { query: { workflowId: child720 } }), 404, 'VideoNotFound');

    // A child past its retention (its run is gone from SWF) is not the video missing.
    swf.runs.splice(swf.runs.findIndex((r) => r.workflowId === child360), 1);
    expectError(await call('GET', `/videos/${VIDEO_ID}/history`, { query: { workflowId: child360 } }), 404, 'ChildNotFound');

    swf.addRun({ workflowId: 'vwaiting', history: chunkedVideoHistory(['720p']) });
    expectError(await call('GET', '/videos/vwaiting/history', { query: { workflowId: `${VIDEO_ID}-rendition-360p` } }), 409, 'ChildNotStarted');
  });
});

describe('GET /videos', () => {
  it('lists open and closed runs, newest first, with status', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: 'va', startedAt: NOW - 3000, closedAt: NOW - 2500, closeStatus: 'COMPLETED' });
    swf.addRun({ workflowId: 'vb', startedAt: NOW - 2000 });
    swf.addRun({ workflowId: 'vc', startedAt: NOW - 1000, closedAt: NOW - 900, closeStatus: 'CANCELED' });
    swf.addRun({ workflowId: 'other', startedAt: NOW, typeName: 'SomethingElse' });
    const res = await call('GET', '/videos', { baseUrl: 'http://127.0.0.1:3000' });
    expect(res.statusCode).toBe(200);
    expect(res.json.videos).toEqual([
      { videoId: 'vc', runId: 'run-3', status: 'CANCELED', startedAt: new Date(NOW - 1000).toISOString(), closedAt: new Date(NOW - 900).toISOString(), cancelRequested: false, statusUrl: 'http://127.0.0.1:3000/videos/vc' },
      { videoId: 'vb', runId: 'run-2', status: 'RUNNING', startedAt: new Date(NOW - 2000).toISOString(), cancelRequested: false, statusUrl: 'http://127.0.0.1:3000/videos/vb' },
      { videoId: 'va', runId: 'run-1', status: 'COMPLETED', startedAt: new Date(NOW - 3000).toISOString(), closedAt: new Date(NOW - 2500).toISOString(), cancelRequested: false, statusUrl: 'http://127.0.0.1:3000/videos/va' },
    ]);
    expect(swf.callsOf('listOpenWorkflowExecutions')[0]).toMatchObject({ domain: DOMAIN, typeFilter: { name: 'ProcessVideo' }, maximumPageSize: 20 });
    expect(swf.callsOf('listClosedWorkflowExecutions')[0]).toMatchObject({ domain: DOMAIN, typeFilter: { name: 'ProcessVideo' }, maximumPageSize: 20 });
  });

  it('limit: default 20, at most 100, 400 when not a positive integer', async () => {
    const { call, swf } = setup();
    for (let i = 0; i < 5; i++) swf.addRun({ workflowId: `v${i}`, startedAt: NOW + i });
    const two = await call('GET', '/videos', { query: { limit: '2' } });
    expect(two.json.videos.map((v: { videoId: string }) => v.videoId)).toEqual(['v4', 'v3']);
    await call('GET', '/videos', { query: { limit: '5000' } });
    expect(swf.callsOf('listOpenWorkflowExecutions').at(-1)).toMatchObject({ maximumPageSize: 100 });
    expectError(await call('GET', '/videos', { query: { limit: '0' } }), 400, 'InvalidRequest');
    expectError(await call('GET', '/videos', { query: { limit: 'ten' } }), 400, 'InvalidRequest');
    expectError(await call('GET', '/videos', { query: { limit: '-1' } }), 400, 'InvalidRequest');
  });
});

describe('POST /videos/{id}/cancel', () => {
  it('202 and RequestCancelWorkflowExecution of the open run', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID, history: videoHistory('probing').events });
    const res = await call('POST', `/videos/${VIDEO_ID}/cancel`);
    expect(res.statusCode).toBe(202);
    expect(res.json).toEqual({ videoId: VIDEO_ID, runId: 'run-1', status: 'RUNNING', cancelRequested: true });
    expect(swf.callsOf('requestCancelWorkflowExecution')).toEqual([{ domain: DOMAIN, workflowId: VIDEO_ID, runId: 'run-1' }]);
    expect((await call('GET', `/videos/${VIDEO_ID}`)).json.cancelRequested).toBe(true);
  });

  it('404 for an unknown video, 409 for a closed one or one not uploaded yet', async () => {
    const { call, swf } = setup();
    expectError(await call('POST', '/videos/vnope/cancel'), 404, 'VideoNotFound');
    swf.addRun({ workflowId: VIDEO_ID, closeStatus: 'COMPLETED', closedAt: NOW });
    expectError(await call('POST', `/videos/${VIDEO_ID}/cancel`), 409, 'VideoNotRunning');
    await call('POST', '/videos', { body: '{"sizeBytes":10}' });
    expectError(await call('POST', '/videos/vtest1/cancel'), 409, 'VideoNotStarted');
    expect(swf.callsOf('requestCancelWorkflowExecution')).toHaveLength(0);
  });

  it('409 when the run closes between the listing and the request', async () => {
    const { call, swf } = setup();
    swf.addRun({ workflowId: VIDEO_ID });
    swf.failNext('requestCancelWorkflowExecution', new UnknownResourceFault({ message: 'closed', $metadata: {} }));
    expectError(await call('POST', `/videos/${VIDEO_ID}/cancel`), 409, 'VideoNotRunning');
  });
});

describe('routing and errors', () => {
  it('404 for an unknown route, 405 (with Allow) for a wrong method', async () => {
    const { call } = setup();
    expectError(await call('GET', '/'), 404, 'NotFound');
    expectError(await call('GET', '/video'), 404, 'NotFound');
    expectError(await call('GET', '/videos/a/b/c'), 404, 'NotFound');
    expectError(await call('GET', '/videos/a/cancel'), 405, 'MethodNotAllowed');
    const del = await call('DELETE', '/videos/abc');
    expectError(del, 405, 'MethodNotAllowed');
    expect(del.headers.allow).toBe('GET');
    const put = await call('PUT', '/videos');
    expect(put.headers.allow).toBe('GET, POST');
  });

  it('a trailing slash is ignored', async () => {
    const { call } = setup();
    expect((await call('POST', '/videos/', { body: '{"sizeBytes":1}' })).statusCode).toBe(201);
  });

  it('500 InternalError (message not echoed) for an unexpected failure, 503 for throttling or a missing domain', async () => {
    const logged: unknown[] = [];
    const { call, swf } = setup({ logger: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => logged.push(args) } });
    swf.failNext('listOpenWorkflowExecutions', new Error('socket hang up: secret detail'));
    const res = await call('GET', '/videos');
    expectError(res, 500, 'InternalError');
    expect(res.json.error.message).not.toMatch(/secret/);
    expect(logged).toHaveLength(1);
    swf.failNext('listOpenWorkflowExecutions', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expectError(await call('GET', '/videos'), 503, 'Throttled');
    swf.failNext('listOpenWorkflowExecutions', new UnknownResourceFault({ message: 'Unknown domain', $metadata: {} }));
    expectError(await call('GET', `/videos/${VIDEO_ID}`), 503, 'ServiceNotReady');
  });
});
