/**
 * Replay over histories recorded from swf-local (test/fixtures/histories/video-*.json): each file
 * holds a run's full history and the decisions the decider sent for each decision task (by
 * DecisionTaskStarted event id). Deciding again from the same history prefix must give exactly
 * those decisions, every time, and the replay check must find the history consistent with them.
 */
import type { Decision, HistoryEvent } from '@aws-sdk/client-swf';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildView, replay, type WorkflowDefinition } from '../../../lib/decider';
import type { WorkflowCancelDetails, WorkflowFailureDetails, WorkflowResult } from '../../../lib/video/contracts';
import { CHUNK_PLAN_MARKER } from '../../../lib/video/definition';
import { decideVideo, processRendition, processVideo } from '../../../lib/video/workflow';

interface Fixture {
  name: string;
  description: string;
  workflow: string;
  decisions: Record<string, Decision[]>;
  history: HistoryEvent[];
}

const dir = join(__dirname, '..', '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.startsWith('video-') && f.endsWith('.json')).sort();

/** The SDK gives Dates; JSON gives ISO strings. Revive them, as a recorded history would be used. */
function load(file: string): { fixture: Fixture; history: HistoryEvent[] } {
  const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
  const history = fixture.history.map((e) => ({ ...e, eventTimestamp: new Date(e.eventTimestamp as unknown as string) }));
  return { fixture, history };
}

const upTo = (history: HistoryEvent[], eventId: number) => history.filter((e) => (e.eventId ?? 0) <= eventId);

const definitionOf = (workflow: string) => (workflow === 'ProcessRendition' ? processRendition : processVideo) as WorkflowDefinition<unknown>;

describe('ProcessVideo replay over recorded histories', () => {
  it('has the recorded scenarios', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'video-success.json',
        'video-retried-failure.json',
        'video-not-a-video.json',
        'video-cancel-activity.json',
        'video-cancel-lambda.json',
        'video-chunked.json',
        'video-chunked--720p.json',
        'video-cancel-chunked.json',
      ]),
    );
  });

  describe.each(files)('%s', (file) => {
    const { fixture, history } = load(file);
    const tasks = Object.keys(fixture.decisions).map(Number);

    it('is a ProcessVideo (or ProcessRendition child) history with contiguous event ids and one decision set per completed decision task', () => {
      expect(['ProcessVideo', 'ProcessRendition']).toContain(fixture.workflow);
      expect(history[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(fixture.workflow);
      history.forEach((e, i) => expect(e.eventId).toBe(i + 1));
      expect(tasks.length).toBe(history.filter((e) => e.eventType === 'DecisionTaskCompleted').length);
    });

    it('decides exactly the recorded decisions, twice over, from each decision task\'s history', () => {
      for (const startedEventId of tasks) {
        const prefix = upTo(history, startedEventId);
        expect(prefix[prefix.length - 1]?.eventType).toBe('DecisionTaskStarted');
        const first = decideVideo(prefix);
        const second = decideVideo(prefix);
        expect(second).toEqual(first);
        expect(first).toEqual(fixture.decisions[String(startedEventId)]);
        // straight from JSON (ISO timestamps) too
        expect(decideVideo(upTo(fixture.history, startedEventId))).toEqual(first);
      }
    });

    it('replays without a mismatch, and the closed run gets no decisions', () => {
      expect(replay(definitionOf(fixture.workflow), history)).toEqual({ ok: true, decisionTasks: tasks.length, mismatches: [] });
      expect(decideVideo(history)).toEqual([]);
    });
  });

  it('ends each scenario the way it should', () => {
    const closed = (file: string) => buildView(load(file).history).closed!;
    const success = closed('video-success.json');
    expect(success.status).toBe('COMPLETED');
    expect(JSON.parse(success.result!) as WorkflowResult).toEqual({ videoId: 'v-success', manifestKey: 'v-success/manifest.json', masterPlaylistKey: 'v-success/hls/master.m3u8' });
    expect(closed('video-success-activity.json').status).toBe('COMPLETED');

    const retried = buildView(load('video-retried-failure.json').history);
    expect(retried.closed?.status).toBe('COMPLETED');
    expect(retried.timers.get('transcode-720p#2')).toMatchObject({ state: 'fired', startToFireTimeout: 2 });
    expect(retried.tasksByKey.get('transcode-720p')?.map((t) => [t.id, t.state])).toEqual([
      ['transcode-720p', 'failed'],
      ['transcode-720p#2', 'completed'],
    ]);

    const notAVideo = closed('video-not-a-video.json');
    expect(notAVideo).toMatchObject({ status: 'FAILED', reason: 'NotAVideo' });
    expect(JSON.parse(notAVideo.details!) as WorkflowFailureDetails).toMatchObject({ step: 'probe', attempts: 1, error: 'NotAVideoError' });

    const stepFailed = closed('video-step-failed.json');
    expect(stepFailed).toMatchObject({ status: 'FAILED', reason: 'StepFailed' });
    expect(JSON.parse(stepFailed.details!)).toMatchObject({ step: 'thumbnails', attempts: 3, error: 'ThumbnailError' });

    const cancelActivity = load('video-cancel-activity.json').history;
    expect(cancelActivity.filter((e) => e.eventType === 'ActivityTaskCancelRequested').length).toBeGreaterThan(0);
    expect(buildView(cancelActivity).closed?.status).toBe('CANCELED');
    const cancelLambda = closed('video-cancel-lambda.json');
    expect(cancelLambda.status).toBe('CANCELED');
    expect((JSON.parse(cancelLambda.details!) as WorkflowCancelDetails).abandoned.length).toBeGreaterThan(0);

    // Chunked: the plan is a marker; each rendition a child; chunk-1 of 720p retried alone.
    const chunked = buildView(load('video-chunked.json').history);
    expect(chunked.closed?.status).toBe('COMPLETED');
    expect(JSON.parse(chunked.markers.find((m) => m.name === CHUNK_PLAN_MARKER)!.details!)).toEqual({ seconds: 4, count: 4, concurrency: 2, segmentSeconds: 4 });
    expect([...chunked.children.values()].map((c) => [c.workflowId, c.state])).toEqual([
      ['v-chunked-rendition-720p', 'completed'],
      ['v-chunked-rendition-480p', 'completed'],
      ['v-chunked-rendition-360p', 'completed'],
    ]);
    const child = buildView(load('video-chunked--720p.json').history);
    expect([...child.tasksByKey].map(([key, attempts]) => [key, attempts.map((t) => t.state)])).toEqual([
      ['audio', ['completed']],
      ['chunk-0', ['completed']],
      ['chunk-1', ['failed', 'completed']],
      ['chunk-2', ['completed']],
      ['chunk-3', ['completed']],
      ['package', ['completed']],
    ]);

    // Canceled while the children run: each is asked to cancel, and the parent closes after them.
    const cancelChunked = buildView(load('video-cancel-chunked.json').history);
    expect(cancelChunked.closed?.status).toBe('CANCELED');
    expect([...cancelChunked.children.values()].map((c) => c.state)).toEqual(['canceled', 'canceled', 'canceled']);
    for (const r of ['720p', '480p', '360p']) expect(buildView(load(`video-cancel-chunked--${r}.json`).history).closed?.status).toBe('CANCELED');
  });
});
