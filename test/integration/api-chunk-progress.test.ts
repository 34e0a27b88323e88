/**
 * A chunked video's progress through the API on swf-local, end to end: a 32-second clip cut in
 * 4-second chunks (8 per rendition), one chunk encode at a time per rendition, so the run spends
 * a while with some chunks done and others not. GET /videos/{id} must show the chunk counts of
 * each rendition's child while it runs, never going backwards, and every chunk done at the end;
 * GET /videos/{id}/history must list the children and serve each one's own history.
 */
import { join } from 'node:path';
import type { StepStatus, VideoStatus } from '../../lib/api/status';
import { generateTestClip } from '../../lib/cli/test-clip';
import { renditionWorkflowId } from '../../lib/video/workflow';
import { isClosed, uploadVideo, useLocalPipeline, waitForVideo } from '../helpers/pipeline';

jest.setTimeout(300_000);

const SECONDS = 32;
const CHUNK_SECONDS = 4;
const CHUNKS = SECONDS / CHUNK_SECONDS;
const pipeline = useLocalPipeline('chunk-progress', { chunking: { seconds: CHUNK_SECONDS, concurrency: 1 } });

const renditionSteps = (s: VideoStatus): StepStatus[] => s.steps.filter((step) => step.name === 'transcode');

test('the status shows each rendition\'s chunk counts while it encodes, and every chunk done at the end', async () => {
  const clip = join(pipeline.dir, 'clip.mp4');
  await generateTestClip(clip, { seconds: SECONDS, width: 640, height: 360, frameRate: 10 });
  const videoId = await uploadVideo(pipeline.client, clip);

  // Poll as a user's page would, keeping every answer that had chunk counts while the run was open.
  const midway: VideoStatus[] = [];
  const deadline = Date.now() + 240_000;
  let last: VideoStatus;
  for (;;) {
    last = await pipeline.client.status(videoId);
    if (last.status !== 'RUNNING') break;
    if (renditionSteps(last).some((s) => s.chunks)) midway.push(last);
    if (Date.now() > deadline) throw new Error(`video ${videoId} still running: ${JSON.stringify(renditionSteps(last))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const status = await waitForVideo(pipeline.client, videoId, isClosed);
  expect(status.status).toBe('COMPLETED');

  // While running: the counts were there, the plan's total, and some rendition was seen part-way.
  expect(midway.length).toBeGreaterThan(0);
  const partWay = midway.flatMap(renditionSteps).filter((s) => s.chunks && s.chunks.completed > 0 && s.chunks.completed < s.chunks.total);
  expect(partWay.length).toBeGreaterThan(0);
  for (const s of midway.flatMap(renditionSteps)) {
    expect(s.progressError).toBeUndefined();
    expect(s.chunks!.total).toBe(CHUNKS);
    const c = s.chunks!;
    expect(c.completed + c.running + c.retrying + c.failed + c.canceled + c.pending).toBe(CHUNKS);
    // One encode at a time per rendition.
    expect(c.running).toBeLessThanOrEqual(1);
  }
  // Never backwards: a rendition's completed chunks and fraction only grow from poll to poll.
  const names = renditionSteps(status).map((s) => s.rendition!);
  for (const name of names) {
    const seen = midway.map((m) => m.steps.find((s) => s.rendition === name)?.chunks).filter((c) => c !== undefined);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.completed).toBeGreaterThanOrEqual(seen[i - 1]!.completed);
      expect(seen[i]!.fractionDone).toBeGreaterThanOrEqual(seen[i - 1]!.fractionDone);
    }
  }

  // At the end: every chunk of every rendition done, the audio and the package too.
  expect(names.length).toBeGreaterThan(0);
  for (const s of renditionSteps(status)) {
    expect(s).toMatchObject({ state: 'COMPLETED', workflowId: renditionWorkflowId(videoId, s.rendition!) });
    expect(s.chunks).toMatchObject({ total: CHUNKS, completed: CHUNKS, running: 0, retrying: 0, failed: 0, pending: 0, audio: { state: 'COMPLETED' }, package: { state: 'COMPLETED' }, fractionDone: 1 });
    expect(s.chunks!.historyEvents).toBeGreaterThan(CHUNKS * 3);
  }

  // The history: the video's run lists its children; each child's own history is served.
  const [parent, ...children] = await pipeline.client.histories(videoId);
  expect(parent!.children!.map((c) => c.rendition).sort()).toEqual([...names].sort());
  expect(children.map((h) => h.workflowId).sort()).toEqual(names.map((n) => renditionWorkflowId(videoId, n)).sort());
  for (const h of children) {
    expect(h).toMatchObject({ videoId, parentRunId: status.runId });
    expect(h.events[0]!.eventType).toBe('WorkflowExecutionStarted');
    expect(h.events[h.events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
    expect(h.events.filter((e) => e.eventType === 'LambdaFunctionScheduled').length).toBeGreaterThanOrEqual(CHUNKS + 2);
  }
  await expect(pipeline.client.history(videoId, `${videoId}x-rendition-360p`)).rejects.toMatchObject({ status: 404, code: 'ChildNotFound' });
});
