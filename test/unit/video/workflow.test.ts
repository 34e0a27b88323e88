import type { Decision } from '@aws-sdk/client-swf';
import type {
  ProbeResult,
  PublishInput,
  PublishResult,
  Rendition,
  ThumbnailsResult,
  TranscodeInput,
  TranscodeResult,
  WorkflowCancelDetails,
  WorkflowFailureDetails,
  WorkflowInput,
} from '../../../lib/video/contracts';
import { CHUNK_PLAN_MARKER, LADDER_MARKER } from '../../../lib/video/definition';
import { planLadder } from '../../../lib/video/ladder';
import { decideVideo, parseWorkflowInput, stepTask } from '../../../lib/video/workflow';
import { HistoryBuilder, T0 } from '../decider/history-builder';

const INPUT: WorkflowInput = { videoId: 'v1', sourceKey: 'uploads/v1/source', fileName: 'clip.mov' };

const PROBE: ProbeResult = {
  durationSeconds: 30,
  width: 1280,
  height: 720,
  rotation: 0,
  displayWidth: 1280,
  displayHeight: 720,
  frameRate: 30,
  videoCodec: 'h264',
  hasAudio: true,
  audioCodec: 'aac',
  bitRate: 4_000_000,
  sizeBytes: 15_000_000,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};
const LADDER = planLadder(PROBE); // 720p, 480p, 360p
const KEYS = ['transcode-720p', 'transcode-480p', 'transcode-360p'];

const file = (key: string) => ({ key, sizeBytes: 10, sha256: 'ab'.repeat(32) });
function transcodeResult(r: Rendition): TranscodeResult {
  return {
    rendition: r,
    mp4: { ...file(`v1/renditions/${r.name}.mp4`), width: r.width, height: r.height, durationSeconds: 30, bitRate: r.videoBitrateKbps * 1000 },
    hls: { playlist: file(`v1/hls/${r.name}/index.m3u8`), segmentCount: 1, segmentBytes: 1, bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.64001f,mp4a.40.2' },
    elapsedMs: 5,
  };
}
const THUMBS: ThumbnailsResult = {
  poster: { ...file('v1/thumbnails/poster.jpg'), width: 1280, height: 720 },
  sprite: { ...file('v1/thumbnails/sprite.jpg'), width: 800, height: 450, columns: 5, rows: 5, tileWidth: 160, tileHeight: 90 },
  vtt: file('v1/thumbnails/thumbnails.vtt'),
  intervalSeconds: 2,
  count: 15,
  elapsedMs: 3,
};
const PUBLISHED: PublishResult = { manifest: file('v1/manifest.json'), masterPlaylist: file('v1/hls/master.m3u8') };

function turn(h: HistoryBuilder): Decision[] {
  const d = decideVideo(h.poll());
  h.respond(d);
  return d;
}
const types = (ds: Decision[]) => ds.map((d) => d.decisionType);
const ids = (ds: Decision[]) => ds.map((d) => d.scheduleLambdaFunctionDecisionAttributes?.id ?? d.scheduleActivityTaskDecisionAttributes?.activityId ?? d.startTimerDecisionAttributes?.timerId ?? d.recordMarkerDecisionAttributes?.markerName ?? d.requestCancelActivityTaskDecisionAttributes?.activityId ?? d.cancelTimerDecisionAttributes?.timerId ?? d.decisionType);
const lambdaInput = <T>(d: Decision | undefined): T => JSON.parse(d?.scheduleLambdaFunctionDecisionAttributes?.input ?? 'null') as T;
const failure = (d: Decision | undefined) => ({ reason: d?.failWorkflowExecutionDecisionAttributes?.reason, details: JSON.parse(d?.failWorkflowExecutionDecisionAttributes?.details ?? 'null') as WorkflowFailureDetails });

/** A run up to the fan-out: probe done, transcodes and thumbnails scheduled. */
function fannedOut(input: WorkflowInput = INPUT): HistoryBuilder {
  const h = new HistoryBuilder({ tickMs: 1000 }).start(input, { lambdaRole: 'arn:aws:iam::123456789012:role/swf-lambda' });
  turn(h);
  if (input.runner === 'activity') h.activityCompleted('probe', PROBE);
  else h.lambdaCompleted('probe', PROBE);
  turn(h);
  return h;
}

describe('ProcessVideo: the success path, stage by stage', () => {
  it('1. probes the upload', () => {
    const h = new HistoryBuilder().start(INPUT);
    expect(decideVideo(h.poll())).toEqual([
      { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'probe', name: 'video-probe', input: '{"videoId":"v1","sourceKey":"uploads/v1/source"}', startToCloseTimeout: '60' } },
    ]);
  });

  it('2-3. records the ladder and fans out the transcodes and the thumbnails', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaCompleted('probe', PROBE);
    const d = decideVideo(h.poll());
    expect(ids(d)).toEqual([LADDER_MARKER, CHUNK_PLAN_MARKER, ...KEYS, 'thumbnails']);
    expect(d[0]).toEqual({ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'ladder', details: JSON.stringify(LADDER) } });
    // 30 s fits one 60 s chunk: each rendition is one transcode task, as before chunking.
    expect(d[1]).toEqual({ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'chunk-plan', details: JSON.stringify({ seconds: 60, count: 1, concurrency: 10, segmentSeconds: 4 }) } });
    expect(lambdaInput<TranscodeInput>(d[2])).toEqual({ videoId: 'v1', sourceKey: 'uploads/v1/source', rendition: LADDER[0], frameRate: 30, hasAudio: true, segmentSeconds: 4 });
    expect(d[2]?.scheduleLambdaFunctionDecisionAttributes).toMatchObject({ name: 'video-transcode', startToCloseTimeout: '900' });
    expect(d[5]?.scheduleLambdaFunctionDecisionAttributes).toMatchObject({ name: 'video-thumbnails', startToCloseTimeout: '300' });
    expect(lambdaInput(d[5])).toEqual({ videoId: 'v1', sourceKey: 'uploads/v1/source', durationSeconds: 30, displayWidth: 1280, displayHeight: 720 });
  });

  it('4-5. waits for all of them, publishes with timings from the history, and completes', () => {
    const h = fannedOut();
    h.lambdaCompleted('transcode-480p', transcodeResult(LADDER[1]!)).lambdaCompleted('thumbnails', THUMBS);
    expect(turn(h)).toEqual([]);
    h.lambdaCompleted('transcode-360p', transcodeResult(LADDER[2]!));
    expect(turn(h)).toEqual([]);
    h.lambdaCompleted('transcode-720p', transcodeResult(LADDER[0]!));
    const publish = turn(h);
    expect(ids(publish)).toEqual(['publish']);
    expect(publish[0]?.scheduleLambdaFunctionDecisionAttributes).toMatchObject({ name: 'video-publish', startToCloseTimeout: '60' });
    const input = lambdaInput<PublishInput>(publish[0]);
    expect(input.videoId).toBe('v1');
    expect(input.source).toEqual({ key: 'uploads/v1/source', fileName: 'clip.mov', probe: PROBE });
    expect(input.renditions.map((r) => r.rendition.name)).toEqual(['720p', '480p', '360p']); // ladder order, not completion order
    expect(input.thumbnails).toEqual(THUMBS);
    expect(Object.keys(input.timings)).toEqual(['probe', ...KEYS, 'thumbnails']);
    // 1 s per event: probe scheduled as event 5, closed as event 7; transcode-720p scheduled as event 13
    expect(input.timings.probe).toEqual({ scheduledAt: T0 + 4000, closedAt: T0 + 6000, attempts: 1 });
    expect(input.timings['transcode-720p']).toMatchObject({ scheduledAt: T0 + 12_000, attempts: 1 });
    h.lambdaCompleted('publish', PUBLISHED);
    expect(turn(h)).toEqual([
      {
        decisionType: 'CompleteWorkflowExecution',
        completeWorkflowExecutionDecisionAttributes: { result: '{"videoId":"v1","manifestKey":"v1/manifest.json","masterPlaylistKey":"v1/hls/master.m3u8"}' },
      },
    ]);
    expect(h.closed).toBe(true);
  });

  it('keeps the recorded ladder even if planning would now differ', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaCompleted('probe', PROBE);
    const custom: Rendition[] = [{ ...LADDER[2]!, name: 'only' }];
    h.poll();
    h.respond([{ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'ladder', details: JSON.stringify(custom) } }]);
    h.signal('nudge');
    expect(ids(turn(h))).toEqual([CHUNK_PLAN_MARKER, 'transcode-only', 'thumbnails']);
  });
});

describe('ProcessVideo: retries', () => {
  it('retries a transient transcode failure after a backoff timer, as attempt 2', () => {
    const h = fannedOut();
    h.lambdaFailed('transcode-720p', 'TranscodeError', 'ffmpeg exited with code 1');
    expect(turn(h)).toEqual([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'transcode-720p#2', startToFireTimeout: '2' } }]);
    h.advance(2000).timerFired('transcode-720p#2');
    const retry = turn(h);
    expect(ids(retry)).toEqual(['transcode-720p#2']);
    expect(lambdaInput<TranscodeInput>(retry[0]).rendition).toEqual(LADDER[0]);
    for (const k of ['transcode-720p#2', 'transcode-480p', 'transcode-360p']) h.lambdaCompleted(k, transcodeResult(LADDER[KEYS.indexOf(k.replace('#2', ''))]!));
    h.lambdaCompleted('thumbnails', THUMBS);
    const publish = turn(h);
    expect(ids(publish)).toEqual(['publish']);
    const timings = lambdaInput<PublishInput>(publish[0]).timings;
    expect(timings['transcode-720p']?.attempts).toBe(2);
    expect(timings['transcode-720p']!.closedAt).toBeGreaterThan(timings['transcode-720p']!.scheduledAt + 2000);
  });

  it('fails with StepFailed naming the step and the last error after 3 attempts', () => {
    const h = fannedOut();
    h.lambdaFailed('thumbnails', 'ThumbnailError', 'first');
    expect(ids(turn(h))).toEqual(['thumbnails#2']);
    h.timerFired('thumbnails#2');
    turn(h);
    h.lambdaTimedOut('thumbnails#2');
    expect(turn(h)).toEqual([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'thumbnails#3', startToFireTimeout: '4' } }]);
    h.timerFired('thumbnails#3');
    turn(h);
    h.lambdaFailed('thumbnails#3', 'ThumbnailError', 'sprite sheet could not be written');
    const d = turn(h);
    expect(types(d)).toEqual(['FailWorkflowExecution']);
    expect(failure(d[0])).toEqual({ reason: 'StepFailed', details: { step: 'thumbnails', attempts: 3, error: 'ThumbnailError', message: 'sprite sheet could not be written' } });
  });

  it('reports timeouts clearly when they exhaust the attempts', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaTimedOut('probe');
    expect(ids(turn(h))).toEqual(['probe#2']);
    h.timerFired('probe#2');
    expect(ids(turn(h))).toEqual(['probe#2']);
    h.lambdaTimedOut('probe#2');
    expect(ids(turn(h))).toEqual(['probe#3']);
    h.timerFired('probe#3');
    turn(h);
    h.lambdaTimedOut('probe#3');
    expect(failure(turn(h)[0])).toEqual({ reason: 'StepFailed', details: { step: 'probe', attempts: 3, error: 'START_TO_CLOSE', message: 'timed out (START_TO_CLOSE)' } });
  });
});

describe('ProcessVideo: failures that are not retried', () => {
  it('fails with NotAVideo when the probe says the upload is not a video', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaFailed('probe', 'NotAVideoError', 'uploads/v1/source has no video stream');
    const d = turn(h);
    expect(d).toEqual([
      {
        decisionType: 'FailWorkflowExecution',
        failWorkflowExecutionDecisionAttributes: { reason: 'NotAVideo', details: '{"step":"probe","attempts":1,"error":"NotAVideoError","message":"uploads/v1/source has no video stream"}' },
      },
    ]);
    expect(h.closed).toBe(true);
  });

  it('fails with InvalidInput for a non-retryable InvalidInputError in any step, and for a bad workflow input', () => {
    const h = fannedOut();
    h.lambdaFailed('transcode-480p', 'InvalidInputError', 'rendition too small');
    expect(failure(turn(h)[0])).toEqual({ reason: 'InvalidInput', details: { step: 'transcode-480p', attempts: 1, error: 'InvalidInputError', message: 'rendition too small' } });

    const bad = new HistoryBuilder().start({ sourceKey: 'x' });
    expect(decideVideo(bad.poll())).toEqual([{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'InvalidInput', details: 'videoId must be a non-empty string' } }]);
    expect(() => parseWorkflowInput('{"videoId":"a","sourceKey":"b","runner":"ec2"}')).toThrow('runner must be "lambda" or "activity", not "ec2"');
    expect(() => parseWorkflowInput(undefined)).toThrow(/missing/);
    expect(parseWorkflowInput('{"videoId":"a","sourceKey":"b","extra":1}')).toEqual({ videoId: 'a', sourceKey: 'b' });
  });

  it('fails with StepFailed / InputTooLarge rather than send a publish input SWF would reject', () => {
    const h = fannedOut();
    // Results whose sum is too big for one SWF input (here through an absurdly long codecs string).
    const many = (r: Rendition): TranscodeResult => {
      const t = transcodeResult(r);
      return { ...t, hls: { ...t.hls, codecs: 'x'.repeat(12_000) } };
    };
    LADDER.forEach((r, i) => h.lambdaCompleted(KEYS[i]!, many(r)));
    h.lambdaCompleted('thumbnails', THUMBS);
    const d = turn(h);
    expect(types(d)).toEqual(['FailWorkflowExecution']);
    const f = failure(d[0]);
    expect(f.reason).toBe('StepFailed');
    expect(f.details).toMatchObject({ step: 'publish', attempts: 0, error: 'InputTooLarge' });
    expect(f.details.message).toMatch(/input of publish is \d+ characters; SWF allows 32768/);
  });

  it('fails with NoRenditions when the probe reports no usable frame size', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaCompleted('probe', { ...PROBE, width: 0, height: 0, displayWidth: 0, displayHeight: 0 });
    const d = turn(h);
    expect(types(d)).toEqual(['RecordMarker', 'FailWorkflowExecution']);
    expect(failure(d[1]).reason).toBe('NoRenditions');
  });

  it('fails with DeciderError when a step breaks its contract', () => {
    const h = new HistoryBuilder().start(INPUT);
    turn(h);
    h.lambdaStarted('probe');
    h.add('LambdaFunctionCompleted', { scheduledEventId: 5, startedEventId: 6, result: 'not json' });
    h.add('DecisionTaskScheduled', {});
    h.add('DecisionTaskStarted', { scheduledEventId: 8 });
    const d = decideVideo(h.events);
    expect(d[0]?.failWorkflowExecutionDecisionAttributes?.reason).toBe('DeciderError');
    expect(d[0]?.failWorkflowExecutionDecisionAttributes?.details).toMatch(/task probe: cannot decode its result/);
  });
});

describe('ProcessVideo: cancellation', () => {
  it('Lambda runner: cancels at once, naming the Lambda tasks it abandons', () => {
    const h = fannedOut();
    h.lambdaCompleted('transcode-360p', transcodeResult(LADDER[2]!));
    turn(h);
    h.cancelRequested();
    const d = turn(h);
    expect(types(d)).toEqual(['CancelWorkflowExecution']);
    const details = JSON.parse(d[0]!.cancelWorkflowExecutionDecisionAttributes!.details!) as WorkflowCancelDetails;
    expect(details).toEqual({ reason: 'CancelRequested', completedSteps: ['probe', 'transcode-360p'], abandoned: ['transcode-720p', 'transcode-480p', 'thumbnails'] });
    expect(h.closed).toBe(true);
  });

  it('activity runner: requests cancellation of open activities, waits for them, then cancels', () => {
    const h = fannedOut({ ...INPUT, runner: 'activity' });
    for (const k of KEYS) h.activityStarted(k);
    h.activityCompleted('thumbnails', THUMBS); // done before the cancel arrives
    turn(h);
    h.cancelRequested();
    const d = turn(h);
    expect(d).toEqual(KEYS.map((activityId) => ({ decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId } })));
    h.activityCanceled('transcode-720p', 'stopped');
    expect(turn(h)).toEqual([]); // two still running: wait
    h.activityCompleted('transcode-480p', transcodeResult(LADDER[1]!)); // finished before it saw the request
    h.activityFailed('transcode-360p', 'TranscodeError', 'killed'); // not retried: the run is canceling
    const close = turn(h);
    expect(types(close)).toEqual(['CancelWorkflowExecution']);
    expect(JSON.parse(close[0]!.cancelWorkflowExecutionDecisionAttributes!.details!)).toEqual({ reason: 'CancelRequested', completedSteps: ['probe', 'transcode-480p', 'thumbnails'], abandoned: [] });
  });

  it('cancels a pending retry timer and an activity that has not started yet in one go', () => {
    const h = fannedOut({ ...INPUT, runner: 'activity' });
    h.activityFailed('transcode-720p', 'TranscodeError', 'flaky');
    turn(h); // timer transcode-720p#2
    for (const k of ['transcode-480p', 'transcode-360p', 'thumbnails']) h.activityCompleted(k, k === 'thumbnails' ? THUMBS : transcodeResult(LADDER[KEYS.indexOf(k)]!));
    turn(h);
    h.timerFired('transcode-720p#2');
    turn(h); // transcode-720p#2 scheduled, no worker has it yet
    h.cancelRequested();
    expect(ids(turn(h))).toEqual(['transcode-720p#2']); // SWF cancels it at once: it never started
    expect(types(turn(h))).toEqual(['CancelWorkflowExecution']);

    const t = fannedOut();
    t.lambdaFailed('thumbnails', 'ThumbnailError');
    turn(t);
    t.cancelRequested();
    expect(types(turn(t))).toEqual(['CancelTimer', 'CancelWorkflowExecution']);
  });
});

describe('ProcessVideo: activity runner', () => {
  it('runs every step as an activity on the workers task list with the step timeouts', () => {
    const h = new HistoryBuilder({ tickMs: 1000 }).start({ ...INPUT, runner: 'activity' });
    const first = turn(h);
    expect(first).toEqual([
      {
        decisionType: 'ScheduleActivityTask',
        scheduleActivityTaskDecisionAttributes: {
          activityType: { name: 'video-probe', version: '1' },
          activityId: 'probe',
          input: '{"videoId":"v1","sourceKey":"uploads/v1/source"}',
          taskList: { name: 'video-workers' },
          scheduleToStartTimeout: '300',
          scheduleToCloseTimeout: '360',
          startToCloseTimeout: '60',
          heartbeatTimeout: '30',
        },
      },
    ]);
    h.activityCompleted('probe', PROBE);
    const fan = turn(h);
    expect(ids(fan)).toEqual([LADDER_MARKER, CHUNK_PLAN_MARKER, ...KEYS, 'thumbnails']);
    expect(fan[2]?.scheduleActivityTaskDecisionAttributes).toMatchObject({ activityType: { name: 'video-transcode', version: '1' }, startToCloseTimeout: '900', heartbeatTimeout: '60', scheduleToCloseTimeout: '1200' });
    h.activityFailed('transcode-480p', 'TranscodeError', 'worker lost its disk');
    expect(ids(turn(h))).toEqual(['transcode-480p#2']);
    h.timerFired('transcode-480p#2');
    expect(ids(turn(h))).toEqual(['transcode-480p#2']);
    h.activityCompleted('transcode-480p#2', transcodeResult(LADDER[1]!));
    h.activityCompleted('transcode-720p', transcodeResult(LADDER[0]!)).activityCompleted('transcode-360p', transcodeResult(LADDER[2]!)).activityCompleted('thumbnails', THUMBS);
    const publish = turn(h);
    expect(publish[0]?.scheduleActivityTaskDecisionAttributes).toMatchObject({ activityId: 'publish', activityType: { name: 'video-publish', version: '1' } });
    h.activityCompleted('publish', PUBLISHED);
    expect(types(turn(h))).toEqual(['CompleteWorkflowExecution']);
  });

  it('builds step options from STEPS for both runners', () => {
    expect(stepTask('transcode', 'lambda', { a: 1 })).toMatchObject({ kind: 'lambda', name: 'video-transcode', startToCloseTimeout: 900, retry: { maxAttempts: 3 } });
    expect(stepTask('publish', 'activity', {})).toMatchObject({ kind: 'activity', version: '1', taskList: 'video-workers', startToCloseTimeout: 60, heartbeatTimeout: 30, scheduleToStartTimeout: 300, scheduleToCloseTimeout: 360 });
  });
});

describe('ProcessVideo: determinism', () => {
  it('decides the same from the same history, and nothing for a closed run', () => {
    const h = fannedOut();
    h.lambdaFailed('transcode-720p', 'TranscodeError');
    const events = h.poll();
    expect(decideVideo(events)).toEqual(decideVideo(events));
    expect(decideVideo(JSON.parse(JSON.stringify(events)))).toEqual(decideVideo(events));
    const done = new HistoryBuilder().start(INPUT);
    turn(done);
    done.lambdaFailed('probe', 'NotAVideoError', 'x');
    turn(done);
    expect(decideVideo(done.events)).toEqual([]);
  });
});
