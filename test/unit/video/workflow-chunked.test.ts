/**
 * ProcessVideo v2's chunked path and the ProcessRendition child, decision by decision, over
 * synthetic histories (no engine).
 */
import type { Decision } from '@aws-sdk/client-swf';
import type { ChunkPlan, EncodeChunkInput, PackageInput, ProbeResult, PublishInput, Rendition, RenditionWorkflowInput, ThumbnailSheetInput, ThumbnailsResult, TranscodeResult, WorkflowInput } from '../../../lib/video/contracts';
import { RENDITION_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../../../lib/video/definition';
import { planLadder } from '../../../lib/video/ladder';
import { decideVideo, renditionWorkflowId } from '../../../lib/video/workflow';
import { HistoryBuilder } from '../decider/history-builder';

const ROLE = 'arn:aws:iam::123456789012:role/swf-lambda';
const INPUT: WorkflowInput = { videoId: 'v1', sourceKey: 'v1/source', chunkSeconds: 20, chunkConcurrency: 2 };
const PROBE: ProbeResult = {
  durationSeconds: 180, width: 1280, height: 720, rotation: 0, displayWidth: 1280, displayHeight: 720, frameRate: 30,
  videoCodec: 'h264', hasAudio: true, audioCodec: 'aac', sizeBytes: 90_000_000, formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};
const LADDER = planLadder(PROBE);
const PLAN: ChunkPlan = { seconds: 20, count: 9, concurrency: 2, segmentSeconds: 4 };
const file = (key: string) => ({ key, sizeBytes: 10, sha256: 'ab'.repeat(32) });
const transcoded = (r: Rendition): TranscodeResult => ({
  rendition: r,
  mp4: { ...file(`v1/renditions/${r.name}.mp4`), width: r.width, height: r.height, durationSeconds: 180, bitRate: 1 },
  hls: { playlist: file(`v1/hls/${r.name}/index.m3u8`), segmentCount: 45, segmentBytes: 1, bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.64001f,mp4a.40.2' },
  elapsedMs: 1,
});
const THUMBS: ThumbnailsResult = {
  poster: { ...file('v1/thumbnails/poster.jpg'), width: 1280, height: 720 },
  sprite: { ...file('v1/thumbnails/sprite.jpg'), width: 1600, height: 810, columns: 10, rows: 9, tileWidth: 160, tileHeight: 90 },
  vtt: file('v1/thumbnails/thumbnails.vtt'),
  intervalSeconds: 2,
  count: 90,
  elapsedMs: 1,
};

function turn(h: HistoryBuilder): Decision[] {
  const d = decideVideo(h.poll());
  h.respond(d);
  return d;
}
const ids = (ds: Decision[]) =>
  ds.map(
    (d) =>
      d.scheduleLambdaFunctionDecisionAttributes?.id ??
      d.startTimerDecisionAttributes?.timerId ??
      d.recordMarkerDecisionAttributes?.markerName ??
      d.startChildWorkflowExecutionDecisionAttributes?.workflowId ??
      (d.requestCancelExternalWorkflowExecutionDecisionAttributes ? `cancel ${d.requestCancelExternalWorkflowExecutionDecisionAttributes.workflowId}` : undefined) ??
      d.decisionType,
  );
const inputOf = <T>(d: Decision | undefined): T => JSON.parse(d?.scheduleLambdaFunctionDecisionAttributes?.input ?? d?.startChildWorkflowExecutionDecisionAttributes?.input ?? 'null') as T;
const CHILDREN = LADDER.map((r) => renditionWorkflowId('v1', r.name));

/** The parent after probe: markers, the children and the first tile tasks decided. */
function planned(): { h: HistoryBuilder; d: Decision[] } {
  const h = new HistoryBuilder({ tickMs: 1000 }).start(INPUT, { lambdaRole: ROLE, workflowType: WORKFLOW_TYPE });
  turn(h);
  h.lambdaCompleted('probe', PROBE);
  return { h, d: turn(h) };
}

describe('ProcessVideo: a video longer than one chunk', () => {
  it('records the plan, starts one ProcessRendition child per rendition and the first tile tasks, bounded', () => {
    const { d } = planned();
    expect(ids(d)).toEqual(['ladder', 'chunk-plan', ...CHILDREN, 'tiles-0', 'tiles-1']);
    expect(JSON.parse(d[1]!.recordMarkerDecisionAttributes!.details!)).toEqual(PLAN);
    const start = d[2]!.startChildWorkflowExecutionDecisionAttributes!;
    expect(start).toMatchObject({ workflowType: RENDITION_WORKFLOW_TYPE, taskList: { name: 'video-deciders' }, childPolicy: 'TERMINATE', lambdaRole: ROLE });
    expect(inputOf<RenditionWorkflowInput>(d[2])).toEqual({ videoId: 'v1', sourceKey: 'v1/source', rendition: LADDER[0], frameRate: 30, hasAudio: true, durationSeconds: 180, plan: PLAN });
    expect(inputOf(d[5])).toEqual({ videoId: 'v1', sourceKey: 'v1/source', durationSeconds: 180, displayWidth: 1280, displayHeight: 720, startSeconds: 0, endSeconds: 20 });
  });

  it('keeps at most `concurrency` tile tasks open, then makes the sheet, then publishes once the children are done', () => {
    const { h } = planned();
    for (const c of CHILDREN) h.childStarted(c);
    expect(turn(h)).toEqual([]);
    h.lambdaCompleted('tiles-0', { first: 0, count: 10, elapsedMs: 1 });
    expect(ids(turn(h))).toEqual(['tiles-2']);
    for (let i = 1; i < 9; i++) {
      h.lambdaCompleted(`tiles-${i}`, { first: i * 10, count: 10, elapsedMs: 1 });
      const next = ids(turn(h));
      expect(next).toEqual(i + 2 < 9 ? [`tiles-${i + 2}`] : i === 8 ? ['thumbnails'] : []);
    }
    const sheet = h.events.filter((e) => e.lambdaFunctionScheduledEventAttributes?.id === 'thumbnails')[0]!;
    expect(sheet.lambdaFunctionScheduledEventAttributes!.name).toBe('video-thumbnail-sheet');
    expect((JSON.parse(sheet.lambdaFunctionScheduledEventAttributes!.input!) as ThumbnailSheetInput).tiles).toBe(90);
    h.lambdaCompleted('thumbnails', THUMBS);
    expect(turn(h)).toEqual([]);
    // Children finish out of order; the publish input keeps the ladder's order.
    for (const i of [2, 0, 1]) h.childClosed(CHILDREN[i]!, 'ChildWorkflowExecutionCompleted', { result: JSON.stringify(transcoded(LADDER[i]!)) });
    const publish = turn(h);
    expect(ids(publish)).toEqual(['publish']);
    const input = inputOf<PublishInput>(publish[0]);
    expect(input.renditions.map((r) => r.rendition.name)).toEqual(LADDER.map((r) => r.name));
    expect(input.thumbnails).toEqual(THUMBS);
    expect(Object.keys(input.timings)).toEqual(expect.arrayContaining(['probe', 'thumbnails', ...LADDER.map((r) => `transcode-${r.name}`)]));
  });

  it('fails with a failed child\'s own reason and asks the other open children to cancel', () => {
    const { h } = planned();
    for (const c of CHILDREN) h.childStarted(c);
    turn(h);
    const details = JSON.stringify({ step: 'chunk-3', attempts: 3, error: 'TranscodeError', message: 'ffmpeg exited with code 1' });
    h.childClosed(CHILDREN[1]!, 'ChildWorkflowExecutionFailed', { reason: 'StepFailed', details });
    const d = turn(h);
    expect(ids(d)).toEqual([`cancel ${CHILDREN[0]}`, `cancel ${CHILDREN[2]}`, 'FailWorkflowExecution']);
    expect(d[2]!.failWorkflowExecutionDecisionAttributes).toEqual({ reason: 'StepFailed', details });
  });

  it('on cancel asks every open child to cancel and closes only once they have', () => {
    const { h } = planned();
    for (const c of CHILDREN) h.childStarted(c);
    turn(h);
    h.cancelRequested();
    expect(ids(turn(h))).toEqual(CHILDREN.map((c) => `cancel ${c}`));
    h.childClosed(CHILDREN[0]!, 'ChildWorkflowExecutionCanceled');
    h.childClosed(CHILDREN[1]!, 'ChildWorkflowExecutionCanceled');
    expect(ids(turn(h))).toEqual([]);
    h.childClosed(CHILDREN[2]!, 'ChildWorkflowExecutionCanceled');
    expect(ids(turn(h))).toEqual(['CancelWorkflowExecution']);
  });

  it('refuses a chunk length off the segment grid as InvalidInput', () => {
    const h = new HistoryBuilder().start({ ...INPUT, chunkSeconds: 10 }, { workflowType: WORKFLOW_TYPE });
    expect(decideVideo(h.poll())).toEqual([
      { decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'InvalidInput', details: 'chunk seconds must be a multiple of the 4 s HLS segment, so joins fall on segment boundaries; got 10' } },
    ]);
  });

  it('plans from the decider\'s chunking when the input names none, and one chunk means the whole-rendition path', () => {
    const h = new HistoryBuilder().start({ videoId: 'v1', sourceKey: 'v1/source' }, { workflowType: WORKFLOW_TYPE });
    h.respond(decideVideo(h.poll(), { chunking: { seconds: 200, concurrency: 3 } }));
    h.lambdaCompleted('probe', PROBE);
    const d = decideVideo(h.poll(), { chunking: { seconds: 200, concurrency: 3 } });
    expect(JSON.parse(d[1]!.recordMarkerDecisionAttributes!.details!)).toEqual({ seconds: 200, count: 1, concurrency: 3, segmentSeconds: 4 });
    expect(ids(d).slice(2)).toEqual([...LADDER.map((r) => `transcode-${r.name}`), 'thumbnails']);
  });
});

describe('ProcessRendition: one rendition in chunks', () => {
  const rendition = LADDER[0]!;
  const INPUT_R: RenditionWorkflowInput = { videoId: 'v1', sourceKey: 'v1/source', rendition, frameRate: 30, hasAudio: true, durationSeconds: 50, plan: { seconds: 20, count: 3, concurrency: 2, segmentSeconds: 4 } };
  const chunkDone = (h: HistoryBuilder, i: number, frames: number, id = `chunk-${i}`) => h.lambdaCompleted(id, { index: i, chunk: file(`work/v1/720p/chunk_${i}.mp4`), frames, durationSeconds: frames / 30, elapsedMs: 1 });

  it('encodes the audio once and the chunks two at a time, retries a failed chunk alone, packages, completes with the package result', () => {
    const h = new HistoryBuilder({ tickMs: 1000 }).start(INPUT_R, { lambdaRole: ROLE, workflowType: RENDITION_WORKFLOW_TYPE });
    const first = turn(h);
    expect(ids(first)).toEqual(['audio', 'chunk-0', 'chunk-1']);
    expect(first[0]!.scheduleLambdaFunctionDecisionAttributes).toMatchObject({ name: 'video-encode-audio', startToCloseTimeout: '900' });
    expect(first[1]!.scheduleLambdaFunctionDecisionAttributes).toMatchObject({ name: 'video-encode-chunk', startToCloseTimeout: '900' });
    expect(inputOf<EncodeChunkInput>(first[2])).toEqual({ videoId: 'v1', sourceKey: 'v1/source', rendition, frameRate: 30, segmentSeconds: 4, index: 1, startSeconds: 20, endSeconds: 40 });

    h.lambdaFailed('chunk-1', 'TranscodeError', 'ffmpeg exited with code 1');
    expect(ids(turn(h))).toEqual(['chunk-1#2']); // the backoff timer: nothing else is redone
    chunkDone(h, 0, 600);
    const third = turn(h);
    expect(ids(third)).toEqual(['chunk-2']); // the retry in backoff still holds a slot
    expect(inputOf<EncodeChunkInput>(third[0]).endSeconds).toBeUndefined(); // the last chunk runs to the end
    h.timerFired('chunk-1#2');
    expect(ids(turn(h))).toEqual(['chunk-1#2']);
    chunkDone(h, 2, 300);
    h.lambdaCompleted('audio', { audio: file('work/v1/720p/audio.m4a'), durationSeconds: 50, elapsedMs: 1 });
    expect(turn(h)).toEqual([]);
    chunkDone(h, 1, 600, 'chunk-1#2');
    const pkg = turn(h);
    expect(ids(pkg)).toEqual(['package']);
    expect(inputOf<PackageInput>(pkg[0])).toEqual({ videoId: 'v1', rendition, chunkCount: 3, frames: 1500, hasAudio: true, segmentSeconds: 4 });
    h.lambdaCompleted('package', transcoded(rendition));
    expect(turn(h)).toEqual([{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: JSON.stringify(transcoded(rendition)) } }]);
  });

  it('fails with StepFailed naming the chunk once it is out of attempts', () => {
    const h = new HistoryBuilder({ tickMs: 1000 }).start({ ...INPUT_R, hasAudio: false }, { workflowType: RENDITION_WORKFLOW_TYPE });
    expect(ids(turn(h))).toEqual(['chunk-0', 'chunk-1']);
    h.lambdaFailed('chunk-0', 'NotAVideoError', 'the source ends before it');
    const d = turn(h);
    expect(d[0]!.failWorkflowExecutionDecisionAttributes!.reason).toBe('NotAVideo');
    expect(JSON.parse(d[0]!.failWorkflowExecutionDecisionAttributes!.details!)).toMatchObject({ step: 'chunk-0', attempts: 1, error: 'NotAVideoError' });
  });
});

describe('history size for a 3-hour video at the default 60 s chunks', () => {
  const LONG: ProbeResult = { ...PROBE, durationSeconds: 3 * 3600 };
  const rendition = LADDER[0]!;

  /** Completes the oldest open Lambda task each turn (the worst case: one decision task per completion). */
  function drain(h: HistoryBuilder, complete: (id: string) => unknown): void {
    turn(h);
    while (!h.closed) {
      const id = h.open().lambdas[0];
      if (id === undefined) throw new Error('stuck: no open task and the run is open');
      h.lambdaCompleted(id, complete(id));
      turn(h);
    }
  }

  it('a ProcessRendition child stays near 1,100 events (1,097)', () => {
    const plan: ChunkPlan = { seconds: 60, count: 180, concurrency: 10, segmentSeconds: 4 };
    const h = new HistoryBuilder().start({ videoId: 'v1', sourceKey: 'v1/source', rendition, frameRate: 30, hasAudio: true, durationSeconds: LONG.durationSeconds, plan }, { workflowType: RENDITION_WORKFLOW_TYPE });
    drain(h, (id) => {
      if (id === 'audio') return { audio: file('work/v1/1080p/audio.m4a'), durationSeconds: LONG.durationSeconds, elapsedMs: 1 };
      if (id === 'package') return transcoded(rendition);
      const i = Number(id.replace('chunk-', ''));
      return { index: i, chunk: file(`work/v1/1080p/chunk_${i}.mp4`), frames: 1800, durationSeconds: 60, elapsedMs: 1 };
    });
    expect(h.events[h.events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
    expect(h.events.length).toBeLessThan(1200);
  });

  it('the parent stays near 600 events (577)', () => {
    const h = new HistoryBuilder().start({ videoId: 'v1', sourceKey: 'v1/source' }, { workflowType: WORKFLOW_TYPE });
    turn(h);
    h.lambdaCompleted('probe', LONG);
    turn(h);
    const ladder = planLadder(LONG);
    for (const r of ladder) h.childStarted(renditionWorkflowId('v1', r.name));
    for (const r of ladder) h.childClosed(renditionWorkflowId('v1', r.name), 'ChildWorkflowExecutionCompleted', { result: JSON.stringify(transcoded(r)) });
    drain(h, (id) => {
      if (id === 'thumbnails') return THUMBS;
      if (id === 'publish') return { manifest: file('v1/manifest.json'), masterPlaylist: file('v1/hls/master.m3u8') };
      const i = Number(id.replace('tiles-', ''));
      return { first: Math.floor(i / 2), count: 1, elapsedMs: 1 }; // a tile every 120 s: every other 60 s chunk
    });
    expect(h.events[h.events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
    expect(h.events.length).toBeLessThan(700);
  });
});
