/**
 * GET /videos/{id} against histories the real workflow records: swf-local with the real decider
 * (lib/video/workflow.ts behind lib/worker's DecisionPoller) and stand-in step functions
 * (test/unit/api/fixtures/fake-steps.ts: no ffmpeg) as Lambda tasks; uploads through the local
 * server. Checks that the status view follows the workflow's task names, retry ids and ladder
 * marker, and that the completed outputs are downloadable through the local server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SWF } from '@aws-sdk/client-swf';
import { localStoresFor, startLocalApi, type CreateVideoResponse, type LocalApi, type StepStatus, type VideoStatus } from '../../lib/api';
import { keys } from '../../lib/video/contracts';
import { DOMAIN, STEPS, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE } from '../../lib/video/definition';
import { decideVideo } from '../../lib/video/workflow';
import { DecisionPoller } from '../../lib/worker';
import { startTestEngine, type TestEngine } from '../helpers/engine';

const FIXTURE = resolve(__dirname, '../unit/api/fixtures/fake-steps.ts');
const ROLE = 'arn:aws:iam::123456789012:role/swf-lambda';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let t: TestEngine;
let swf: SWF;
let api: LocalApi;
let poller: DecisionPoller;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'api-pipeline-'));
  // The step functions run in worker threads, which do not see this test's process.env (jest
  // sandboxes it): a shim module tells them where the stores are.
  const shim = join(dir, 'steps.ts');
  writeFileSync(shim, `process.env.API_PIPELINE_DIR = ${JSON.stringify(dir)};\nexport * from ${JSON.stringify(FIXTURE)};\n`);
  t = await startTestEngine({
    pollTimeoutMs: 1000,
    lambdaFunctions: {
      [STEPS.probe.functionName]: { module: shim, export: 'probe' },
      [STEPS.transcode.functionName]: { module: shim, export: 'transcode' },
      [STEPS.thumbnails.functionName]: { module: shim, export: 'thumbnails' },
      [STEPS.publish.functionName]: { module: shim, export: 'publish' },
    },
  });
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
  poller = new DecisionPoller({
    swf,
    domain: DOMAIN,
    taskList: TASK_LISTS.decisions,
    decide: (task) => decideVideo(task.history, { previousStartedEventId: task.previousStartedEventId }),
    logger: quiet,
  });
  poller.start();
  api = await startLocalApi({
    port: 0,
    deps: (url) => ({ swf, domain: DOMAIN, ...localStoresFor(url, { MEDIA_DIR: dir }), lambdaRole: ROLE }),
  });
});

afterAll(async () => {
  await poller?.stop();
  await api?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function uploadVideo(fileName: string, body: string): Promise<CreateVideoResponse> {
  const res = await fetch(`${api.url}/videos`, { method: 'POST', body: JSON.stringify({ fileName, sizeBytes: Buffer.byteLength(body) }) });
  expect(res.status).toBe(201);
  const created = (await res.json()) as CreateVideoResponse;
  const put = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body });
  expect(put.status).toBe(200);
  return created;
}

async function waitForClose(statusUrl: string, timeoutMs = 40_000): Promise<VideoStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await fetch(statusUrl)).json()) as VideoStatus;
    if (status.status !== 'RUNNING') return status;
    if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${JSON.stringify(status.steps.map((s) => [s.name, s.rendition, s.state]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('a completed video: every step with its attempts, and outputs downloadable from the local server', async () => {
  const created = await uploadVideo('trip.mp4', 'pretend this is H.264');
  const status = await waitForClose(created.statusUrl);
  expect(status).toMatchObject({ videoId: created.videoId, status: 'COMPLETED', fileName: 'trip.mp4', cancelRequested: false });
  expect(status.steps.map((s) => [s.name, s.rendition ?? null, s.state, s.attempts])).toEqual([
    ['probe', null, 'COMPLETED', 1],
    ['ladder', null, 'COMPLETED', 1],
    ['transcode', '480p', 'COMPLETED', 1],
    ['transcode', '360p', 'COMPLETED', 2],
    ['thumbnails', null, 'COMPLETED', 1],
    ['publish', null, 'COMPLETED', 1],
  ]);
  const ladder = status.steps[1]!;
  expect(ladder.renditions?.map((r) => r.name)).toEqual(['480p', '360p']);
  const retried = status.steps[3] as StepStatus;
  expect(retried.attemptDetails.map((a) => [a.state, a.failure?.reason ?? null])).toEqual([
    ['FAILED', 'FfmpegError'],
    ['COMPLETED', null],
  ]);
  // The retry waited for its backoff timer (RETRY.initialIntervalSeconds).
  expect(Date.parse(retried.attemptDetails[1]!.scheduledAt!) - Date.parse(retried.attemptDetails[0]!.closedAt!)).toBeGreaterThanOrEqual(1500);
  for (const step of status.steps) {
    if (step.name === 'ladder') continue;
    expect(Date.parse(step.scheduledAt!)).toBeLessThanOrEqual(Date.parse(step.startedAt!));
    expect(Date.parse(step.startedAt!)).toBeLessThanOrEqual(Date.parse(step.closedAt!));
  }
  expect(status.source).toMatchObject({ displayWidth: 854, displayHeight: 480 });

  const outputs = status.outputs!;
  expect(outputs.manifestError).toBeUndefined();
  expect(outputs.manifest.url).toBe(`${api.url}/files/media/${created.videoId}/manifest.json`);
  expect(outputs.renditions.map((r) => [r.name, r.mp4.key, r.playlist.key])).toEqual([
    ['480p', keys.mp4(created.videoId, '480p'), keys.hlsPlaylist(created.videoId, '480p')],
    ['360p', keys.mp4(created.videoId, '360p'), keys.hlsPlaylist(created.videoId, '360p')],
  ]);
  expect(outputs.thumbnails?.poster.url).toBe(`${api.url}/files/media/${created.videoId}/thumbnails/poster.jpg`);
  const manifest = await fetch(outputs.manifest.url);
  expect(manifest.status).toBe(200);
  expect(((await manifest.json()) as { videoId: string }).videoId).toBe(created.videoId);
  const master = await fetch(outputs.masterPlaylist.url);
  expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  expect(await master.text()).toMatch(/^#EXTM3U/);

  const list = (await (await fetch(`${api.url}/videos`)).json()) as { videos: { videoId: string; status: string }[] };
  expect(list.videos.find((v) => v.videoId === created.videoId)?.status).toBe('COMPLETED');
});

it('a file that is not a video: FAILED with the reason, and the steps never reached', async () => {
  const created = await uploadVideo('notes.mp4', 'NOT A VIDEO, just text');
  const status = await waitForClose(created.statusUrl);
  expect(status.status).toBe('FAILED');
  expect(status.failure).toMatchObject({ reason: 'NotAVideo', step: 'probe', error: 'NotAVideoError', message: 'ffprobe found no video stream' });
  expect(status.steps.map((s) => [s.name, s.state, s.attempts])).toEqual([
    ['probe', 'FAILED', 1],
    ['ladder', 'NOT_RUN', 0],
    ['thumbnails', 'NOT_RUN', 0],
    ['publish', 'NOT_RUN', 0],
  ]);
  expect(status.steps[0]!.failure).toMatchObject({ type: 'error', reason: 'NotAVideoError' });
  expect(status.outputs).toBeUndefined();
  await fetch(`${api.url}/videos/${created.videoId}/cancel`, { method: 'POST' }).then(async (res) => {
    expect(res.status).toBe(409);
    await res.text();
  });
});
