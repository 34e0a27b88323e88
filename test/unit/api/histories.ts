import type { HistoryEvent } from '@aws-sdk/client-swf';
import type { ChunkPlan, Manifest, ProbeResult, Rendition, RenditionWorkflowInput, TranscodeInput, WorkflowInput, WorkflowResult } from '../../../lib/video/contracts';
import { keys } from '../../../lib/video/contracts';

/** Builds a history the way SWF records one: event ids in order, timestamps a second apart. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  constructor(private at = Date.parse('2030-01-01T00:00:00Z')) {}

  add(eventType: string, attributes: Record<string, unknown> = {}, advanceMs = 1000): number {
    const eventId = this.events.length + 1;
    const member = `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes`;
    this.events.push({ eventId, eventType, eventTimestamp: new Date(this.at), [member]: attributes } as HistoryEvent);
    this.at += advanceMs;
    return eventId;
  }

  time(eventId: number): string {
    return this.events[eventId - 1]!.eventTimestamp!.toISOString();
  }

  started(input: WorkflowInput): number {
    return this.add('WorkflowExecutionStarted', {
      input: JSON.stringify(input),
      workflowType: { name: 'ProcessVideo', version: '1' },
      taskList: { name: 'video-deciders' },
      childPolicy: 'TERMINATE',
      tagList: ['video'],
      lambdaRole: 'arn:aws:iam::123456789012:role/swf-lambda',
    });
  }

  /** A decision task: scheduled, started, completed. Returns the completed event's id. */
  decision(): number {
    const scheduled = this.add('DecisionTaskScheduled', { taskList: { name: 'video-deciders' } });
    const started = this.add('DecisionTaskStarted', { scheduledEventId: scheduled, identity: 'decider' });
    return this.add('DecisionTaskCompleted', { scheduledEventId: scheduled, startedEventId: started });
  }

  lambdaScheduled(id: string, name: string, input: unknown, dtc: number): number {
    return this.add('LambdaFunctionScheduled', { id, name, input: JSON.stringify(input), startToCloseTimeout: '60', decisionTaskCompletedEventId: dtc });
  }

  lambdaStarted(scheduledEventId: number): number {
    return this.add('LambdaFunctionStarted', { scheduledEventId });
  }

  lambdaCompleted(scheduledEventId: number, startedEventId: number, result: unknown): number {
    return this.add('LambdaFunctionCompleted', { scheduledEventId, startedEventId, result: JSON.stringify(result) });
  }

  lambdaFailed(scheduledEventId: number, startedEventId: number, reason: string, details: string): number {
    return this.add('LambdaFunctionFailed', { scheduledEventId, startedEventId, reason, details });
  }

  timerStarted(timerId: string, seconds: number, dtc: number): number {
    return this.add('TimerStarted', { timerId, startToFireTimeout: String(seconds), decisionTaskCompletedEventId: dtc });
  }

  timerFired(timerId: string, startedEventId: number): number {
    return this.add('TimerFired', { timerId, startedEventId });
  }

  marker(markerName: string, details: string, dtc: number): number {
    return this.add('MarkerRecorded', { markerName, details, decisionTaskCompletedEventId: dtc });
  }
}

export const VIDEO_ID = 'v0abc123xyz';

export const PROBE: ProbeResult = {
  durationSeconds: 12.5,
  width: 1920,
  height: 1080,
  rotation: 0,
  displayWidth: 1920,
  displayHeight: 1080,
  frameRate: 30,
  videoCodec: 'h264',
  hasAudio: true,
  audioCodec: 'aac',
  bitRate: 5_000_000,
  sizeBytes: 7_812_500,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};

export const LADDER: Rendition[] = [
  { name: '720p', width: 1280, height: 720, videoBitrateKbps: 3000, maxBitrateKbps: 3210, bufferSizeKbits: 6000, audioBitrateKbps: 128 },
  { name: '360p', width: 640, height: 360, videoBitrateKbps: 800, maxBitrateKbps: 856, bufferSizeKbits: 1600, audioBitrateKbps: 96 },
];

const input: WorkflowInput = { videoId: VIDEO_ID, sourceKey: keys.source(VIDEO_ID), fileName: 'holiday.mp4' };

const transcodeInput = (rendition: Rendition): TranscodeInput => ({
  videoId: VIDEO_ID,
  sourceKey: keys.source(VIDEO_ID),
  rendition,
  frameRate: 30,
  hasAudio: true,
  segmentSeconds: 4,
});

/**
 * The history of a ProcessVideo run as the workflow records it (lib/video/workflow.ts): probe,
 * the ladder marker, transcodes (720p fails once and is retried after a backoff timer) and
 * thumbnails in parallel, publish, completed. `upTo` cuts it short at a named point.
 */
export function videoHistory(upTo: 'started' | 'probing' | 'retryWait' | 'complete' | 'notAVideo' = 'complete'): { events: HistoryEvent[]; b: HistoryBuilder; ids: Record<string, number> } {
  const b = new HistoryBuilder();
  const ids: Record<string, number> = {};
  b.started(input);
  if (upTo === 'started') {
    b.add('DecisionTaskScheduled', { taskList: { name: 'video-deciders' } });
    return { events: b.events, b, ids };
  }
  let dtc = b.decision();
  ids.probeScheduled = b.lambdaScheduled('probe', 'video-probe', { videoId: VIDEO_ID, sourceKey: keys.source(VIDEO_ID) }, dtc);
  ids.probeStarted = b.lambdaStarted(ids.probeScheduled);
  if (upTo === 'probing') return { events: b.events, b, ids };
  if (upTo === 'notAVideo') {
    ids.probeFailed = b.lambdaFailed(ids.probeScheduled, ids.probeStarted, 'NotAVideoError', 'ffprobe found no video stream');
    dtc = b.decision();
    b.add('WorkflowExecutionFailed', {
      reason: 'NotAVideo',
      details: JSON.stringify({ step: 'probe', attempts: 1, error: 'NotAVideoError', message: 'ffprobe found no video stream' }),
      decisionTaskCompletedEventId: dtc,
    });
    return { events: b.events, b, ids };
  }
  ids.probeCompleted = b.lambdaCompleted(ids.probeScheduled, ids.probeStarted, PROBE);
  dtc = b.decision();
  ids.ladder = b.marker('ladder', JSON.stringify(LADDER), dtc);
  ids.t720 = b.lambdaScheduled('transcode-720p', 'video-transcode', transcodeInput(LADDER[0]!), dtc);
  ids.t360 = b.lambdaScheduled('transcode-360p', 'video-transcode', transcodeInput(LADDER[1]!), dtc);
  ids.thumbs = b.lambdaScheduled('thumbnails', 'video-thumbnails', { videoId: VIDEO_ID }, dtc);
  ids.t720Started = b.lambdaStarted(ids.t720);
  ids.t360Started = b.lambdaStarted(ids.t360);
  ids.thumbsStarted = b.lambdaStarted(ids.thumbs);
  ids.t720Failed = b.lambdaFailed(ids.t720, ids.t720Started, 'FfmpegError', 'ffmpeg exited with code 137');
  dtc = b.decision();
  ids.timer = b.timerStarted('transcode-720p#2', 2, dtc);
  if (upTo === 'retryWait') return { events: b.events, b, ids };
  b.lambdaCompleted(ids.t360, ids.t360Started, { rendition: LADDER[1] });
  b.lambdaCompleted(ids.thumbs, ids.thumbsStarted, { count: 4 });
  b.timerFired('transcode-720p#2', ids.timer);
  dtc = b.decision();
  ids.t720b = b.lambdaScheduled('transcode-720p#2', 'video-transcode', transcodeInput(LADDER[0]!), dtc);
  ids.t720bStarted = b.lambdaStarted(ids.t720b);
  ids.t720bCompleted = b.lambdaCompleted(ids.t720b, ids.t720bStarted, { rendition: LADDER[0] });
  dtc = b.decision();
  ids.publish = b.lambdaScheduled('publish', 'video-publish', { videoId: VIDEO_ID }, dtc);
  ids.publishStarted = b.lambdaStarted(ids.publish);
  ids.publishCompleted = b.lambdaCompleted(ids.publish, ids.publishStarted, {
    manifest: { key: keys.manifest(VIDEO_ID), sizeBytes: 100, sha256: 'x' },
    masterPlaylist: { key: keys.hlsMaster(VIDEO_ID), sizeBytes: 100, sha256: 'y' },
  });
  dtc = b.decision();
  const result: WorkflowResult = { videoId: VIDEO_ID, manifestKey: keys.manifest(VIDEO_ID), masterPlaylistKey: keys.hlsMaster(VIDEO_ID) };
  ids.completed = b.add('WorkflowExecutionCompleted', { result: JSON.stringify(result), decisionTaskCompletedEventId: dtc });
  return { events: b.events, b, ids };
}

const file = (key: string, sizeBytes: number) => ({ key, sizeBytes, sha256: 'ab'.repeat(32) });

/** The manifest.json publish writes for the completed history. */
export function manifestFor(videoId: string = VIDEO_ID): Manifest {
  return {
    videoId,
    createdAt: '2030-01-01T00:01:00.000Z',
    source: { key: keys.source(videoId), fileName: 'holiday.mp4', durationSeconds: 12.5, width: 1920, height: 1080, rotation: 0, sizeBytes: 7_812_500 },
    renditions: LADDER.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      bitrateKbps: r.videoBitrateKbps + r.audioBitrateKbps,
      durationSeconds: 12.5,
      mp4: file(keys.mp4(videoId, r.name), 1000),
      hls: { playlist: file(keys.hlsPlaylist(videoId, r.name), 200), segmentCount: 4 },
    })),
    hls: { masterPlaylist: keys.hlsMaster(videoId) },
    thumbnails: { poster: file(keys.poster(videoId), 300), sprite: file(keys.sprite(videoId), 400), vtt: file(keys.vtt(videoId), 500), intervalSeconds: 2, count: 7 },
    timings: {},
  };
}

// ---- chunked runs: the ProcessVideo parent starts one ProcessRendition child per rendition ----

export const CHUNK_PLAN: ChunkPlan = { seconds: 4, count: 5, concurrency: 2, segmentSeconds: 4 };

export function renditionInput(rendition: Rendition, plan: ChunkPlan = CHUNK_PLAN, hasAudio = true): RenditionWorkflowInput {
  return { videoId: VIDEO_ID, sourceKey: keys.source(VIDEO_ID), rendition, frameRate: 30, hasAudio, durationSeconds: plan.count * plan.seconds, plan };
}

const FUNCTION_OF_KEY = (key: string): string => (key === 'audio' ? 'video-encode-audio' : key === 'package' ? 'video-package' : 'video-encode-chunk');

/**
 * A ProcessRendition child's history written step by step, as the workflow records it: each call
 * appends the events of one happening (a decision with the tasks it schedules, a task's start,
 * its close, a retry timer).
 */
export class RenditionHistory {
  readonly b: HistoryBuilder;
  private dtc = 0;
  private readonly scheduled = new Map<string, { scheduled: number; started?: number }>();

  constructor(input: RenditionWorkflowInput, at?: number) {
    this.b = new HistoryBuilder(at);
    this.b.add('WorkflowExecutionStarted', { input: JSON.stringify(input), workflowType: { name: 'ProcessRendition', version: '1' }, taskList: { name: 'video-deciders' }, childPolicy: 'TERMINATE', parentWorkflowExecution: { workflowId: VIDEO_ID, runId: 'run-1' } });
    this.dtc = this.b.decision();
  }

  get events(): HistoryEvent[] {
    return this.b.events;
  }

  decision(): this {
    this.dtc = this.b.decision();
    return this;
  }

  /** Schedules and starts `id` (`chunk-3`, `chunk-3#2`, `audio`, `package`). */
  run(...ids: string[]): this {
    for (const id of ids) {
      const scheduled = this.b.lambdaScheduled(id, FUNCTION_OF_KEY(id.replace(/#\d+$/, '')), { id }, this.dtc);
      this.scheduled.set(id, { scheduled, started: this.b.lambdaStarted(scheduled) });
    }
    return this;
  }

  /** Schedules `id` without a start (no Lambda capacity yet). */
  schedule(id: string): this {
    this.scheduled.set(id, { scheduled: this.b.lambdaScheduled(id, FUNCTION_OF_KEY(id.replace(/#\d+$/, '')), { id }, this.dtc) });
    return this;
  }

  complete(...ids: string[]): this {
    for (const id of ids) {
      const t = this.scheduled.get(id)!;
      this.b.lambdaCompleted(t.scheduled, t.started!, { id });
    }
    return this;
  }

  fail(id: string, reason = 'FfmpegError'): this {
    const t = this.scheduled.get(id)!;
    this.b.lambdaFailed(t.scheduled, t.started!, reason, `${id} failed`);
    return this;
  }

  timeOut(id: string): this {
    const t = this.scheduled.get(id)!;
    this.b.add('LambdaFunctionTimedOut', { scheduledEventId: t.scheduled, startedEventId: t.started, timeoutType: 'START_TO_CLOSE' });
    return this;
  }

  /** The backoff timer before attempt `nextId` (`chunk-1#2`). */
  retryTimer(nextId: string, seconds = 2): number {
    return this.b.timerStarted(nextId, seconds, this.dtc);
  }

  close(eventType: 'WorkflowExecutionCompleted' | 'WorkflowExecutionFailed' | 'WorkflowExecutionCanceled' | 'WorkflowExecutionTerminated', attributes: Record<string, unknown> = {}): this {
    this.decision();
    this.b.add(eventType, { ...attributes, ...(eventType === 'WorkflowExecutionTerminated' ? {} : { decisionTaskCompletedEventId: this.dtc }) });
    return this;
  }
}

/**
 * A chunked ProcessVideo run up to its children: probe, the ladder and chunk-plan markers, one
 * ProcessRendition child per rendition (`started` says which have started; their runIds are
 * `child-<rendition>`), the thumbnails' tile tasks left out.
 */
export function chunkedVideoHistory(started: readonly string[] = LADDER.map((r) => r.name), close?: { rendition: string; eventType: 'ChildWorkflowExecutionCompleted' | 'ChildWorkflowExecutionFailed' }): HistoryEvent[] {
  const b = new HistoryBuilder();
  b.started(input);
  let dtc = b.decision();
  const probe = b.lambdaScheduled('probe', 'video-probe', { videoId: VIDEO_ID, sourceKey: keys.source(VIDEO_ID) }, dtc);
  b.lambdaCompleted(probe, b.lambdaStarted(probe), { ...PROBE, durationSeconds: 20 });
  dtc = b.decision();
  b.marker('ladder', JSON.stringify(LADDER), dtc);
  b.marker('chunk-plan', JSON.stringify(CHUNK_PLAN), dtc);
  const initiated = new Map<string, number>();
  for (const r of LADDER) {
    const workflowId = `${VIDEO_ID}-rendition-${r.name}`;
    initiated.set(r.name, b.add('StartChildWorkflowExecutionInitiated', { workflowId, workflowType: { name: 'ProcessRendition', version: '1' }, input: JSON.stringify(renditionInput(r)), childPolicy: 'TERMINATE', taskList: { name: 'video-deciders' }, decisionTaskCompletedEventId: dtc }));
  }
  for (const name of started) {
    b.add('ChildWorkflowExecutionStarted', { workflowExecution: { workflowId: `${VIDEO_ID}-rendition-${name}`, runId: `child-${name}` }, workflowType: { name: 'ProcessRendition', version: '1' }, initiatedEventId: initiated.get(name) });
  }
  if (close) {
    const name = close.rendition;
    const attrs = { workflowExecution: { workflowId: `${VIDEO_ID}-rendition-${name}`, runId: `child-${name}` }, workflowType: { name: 'ProcessRendition', version: '1' }, initiatedEventId: initiated.get(name), startedEventId: 0 };
    b.add(close.eventType, close.eventType === 'ChildWorkflowExecutionCompleted' ? { ...attrs, result: '{}' } : { ...attrs, reason: 'FfmpegError', details: 'chunk-1 failed' });
  }
  return b.events;
}
