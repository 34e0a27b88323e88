/**
 * The ProcessVideo console plugin's reading of a history (lib/video/console/video-plugin.js),
 * over the recorded video histories: steps in pipeline order, renditions from the ladder
 * marker, attempts and backoff waits, and the media URLs of a completed run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { chunkProgressOf } from '../../../lib/api/chunk-progress';
import { buildView } from '../../../lib/decider';
import { loadBrowserModule } from './browser-module';
import { eventById, recordedHistory, ROOT, upTo, VIDEO_PLUGIN_JS } from './fixtures';
import { STEPS } from '../../../lib/video/definition';
import { STEP_KEYS } from '../../../lib/video/workflow';

const p = loadBrowserModule(VIDEO_PLUGIN_JS);
const row = (progress: any) => progress.steps.map((s: any) => `${s.key}:${s.state}:${s.attempts.length}`);

describe('video plugin: videoProgress', () => {
  it('names the same Lambda functions and task keys as the workflow', () => {
    // The parent's own steps; a chunked run's sheet task stands for its thumbnails step (its chunk
    // and tile tasks are not steps of their own).
    for (const step of ['probe', 'transcode', 'thumbnails', 'publish'] as const) expect(p.STEP_OF_FUNCTION[STEPS[step].functionName]).toBe(step);
    expect(p.STEP_OF_FUNCTION[STEPS.thumbnailSheet.functionName]).toBe('thumbnails');
    expect(Object.keys(p.STEP_OF_FUNCTION)).toHaveLength(5);
    expect(STEP_KEYS.transcode('720p')).toBe('transcode-720p');
    expect(p.parseTaskId('transcode-720p#3')).toEqual({ key: 'transcode-720p', attempt: 3 });
  });

  it('reads a completed run: every step once, renditions in ladder order, the result', () => {
    const progress = p.videoProgress(recordedHistory('video-success'), 0);
    expect(row(progress)).toEqual([
      'probe:COMPLETED:1',
      'transcode-720p:COMPLETED:1',
      'transcode-480p:COMPLETED:1',
      'transcode-360p:COMPLETED:1',
      'thumbnails:COMPLETED:1',
      'publish:COMPLETED:1',
    ]);
    expect(progress.ladder).toEqual(['720p', '480p', '360p']);
    expect(progress.steps[1].rendition).toBe('720p');
    expect(progress).toMatchObject({ done: 6, total: 6, close: { status: 'COMPLETED' }, result: { manifestKey: 'v-success/manifest.json', masterPlaylistKey: 'v-success/hls/master.m3u8' } });
    expect(progress.steps.every((s: any) => s.elapsed >= 0)).toBe(true);
  });

  it('reads a chunked run: each rendition is its ProcessRendition child, the thumbnails the sheet', () => {
    const progress = p.videoProgress(recordedHistory('video-chunked'), 0);
    expect(row(progress)).toEqual([
      'probe:COMPLETED:1',
      'transcode-720p:COMPLETED:1',
      'transcode-480p:COMPLETED:1',
      'transcode-360p:COMPLETED:1',
      'thumbnails:COMPLETED:1',
      'publish:COMPLETED:1',
    ]);
    expect(progress).toMatchObject({ done: 6, total: 6, close: { status: 'COMPLETED' } });
    expect(row(p.videoProgress(recordedHistory('video-cancel-chunked'), 0)).filter((r: string) => r.startsWith('transcode'))).toEqual([
      'transcode-720p:CANCELED:1',
      'transcode-480p:CANCELED:1',
      'transcode-360p:CANCELED:1',
    ]);
  });

  it('reads the same run on the activity runner', () => {
    expect(row(p.videoProgress(recordedHistory('video-success-activity'), 0))).toEqual(row(p.videoProgress(recordedHistory('video-success'), 0)));
  });

  it('shows a retried rendition with both attempts', () => {
    const progress = p.videoProgress(recordedHistory('video-retried-failure'), 0);
    const s = progress.steps.find((x: any) => x.key === 'transcode-720p');
    expect(s.attempts.map((a: any) => `${a.attempt}:${a.state}:${a.reason ?? ''}`)).toEqual(['1:FAILED:TranscodeError', '2:COMPLETED:']);
    expect(s.state).toBe('COMPLETED');
    expect(progress.done).toBe(6);
  });

  it('waits for the next attempt while the backoff timer runs', () => {
    const events = recordedHistory('video-step-failed');
    const timer = events.find((e: any) => e.eventType === 'TimerStarted' && e.timerStartedEventAttributes.timerId === 'thumbnails#2')!; // after 2 s
    const progress = p.videoProgress(upTo(events, timer.eventId), timer.eventTimestamp + 0.5);
    const s = progress.steps.find((x: any) => x.key === 'thumbnails');
    expect(s.state).toBe('RETRY_WAIT');
    expect(s.nextAttemptAt).toBeCloseTo(timer.eventTimestamp + 2, 6);
    expect(progress.steps.find((x: any) => x.key === 'publish').state).toBe('PENDING');
  });

  it('reads a run that failed for good', () => {
    const progress = p.videoProgress(recordedHistory('video-step-failed'), 0);
    const s = progress.steps.find((x: any) => x.key === 'thumbnails');
    expect(s.attempts.map((a: any) => a.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(s.state).toBe('FAILED');
    expect(progress.steps.find((x: any) => x.key === 'publish').state).toBe('NOT_RUN');
    expect(progress.close).toMatchObject({ status: 'FAILED', reason: 'StepFailed', details: { step: 'thumbnails', attempts: 3 } });
    expect(progress.result).toBeUndefined();
  });

  it('before the ladder: probe running, the rest pending', () => {
    const events = recordedHistory('video-success');
    const progress = p.videoProgress(upTo(events, 6), eventById(events, 6).eventTimestamp + 1);
    expect(row(progress)).toEqual(['probe:RUNNING:1', 'thumbnails:PENDING:0', 'publish:PENDING:0']);
    expect(progress.steps[0].elapsed).toBeCloseTo(1, 6);
  });

  it('reads a canceled run', () => {
    const progress = p.videoProgress(recordedHistory('video-cancel-activity'), 0);
    expect(progress.close.status).toBe('CANCELED');
    expect(progress.steps.filter((s: any) => s.state === 'CANCELED').length).toBeGreaterThanOrEqual(3);
    expect(progress.steps.find((s: any) => s.key === 'publish').state).toBe('NOT_RUN');
  });

  it('reads a not-a-video failure', () => {
    const progress = p.videoProgress(recordedHistory('video-not-a-video'), 0);
    expect(progress.steps[0]).toMatchObject({ key: 'probe', state: 'FAILED' });
    expect(progress.close.status).toBe('FAILED');
  });
});

describe('video plugin: mediaUrls', () => {
  const manifest = {
    videoId: 'v 1',
    renditions: [
      { name: '1080p', width: 1920, height: 1080, mp4: { key: 'v 1/renditions/1080p.mp4' }, hls: { playlist: { key: 'v 1/hls/1080p/index.m3u8' } } },
      { name: '720p', width: 1280, height: 720, mp4: { key: 'v 1/renditions/720p.mp4' }, hls: { playlist: { key: 'v 1/hls/720p/index.m3u8' } } },
    ],
    hls: { masterPlaylist: 'v 1/hls/master.m3u8' },
    thumbnails: { poster: { key: 'v 1/thumbnails/poster.jpg' }, sprite: { key: 'v 1/thumbnails/sprite.jpg' }, vtt: { key: 'v 1/thumbnails/thumbnails.vtt' } },
  };

  it('builds encoded URLs under the media base and picks the 720p MP4 as fallback', () => {
    const urls = p.mediaUrls('http://127.0.0.1:3000/files/media/', manifest, 'ignored');
    expect(urls.master).toBe('http://127.0.0.1:3000/files/media/v%201/hls/master.m3u8');
    expect(urls.poster).toBe('http://127.0.0.1:3000/files/media/v%201/thumbnails/poster.jpg');
    expect(urls.manifest).toBe('http://127.0.0.1:3000/files/media/v%201/manifest.json');
    expect(urls.fallbackMp4).toBe('http://127.0.0.1:3000/files/media/v%201/renditions/720p.mp4');
    expect(urls.renditions.map((r: any) => r.name)).toEqual(['1080p', '720p']);
  });

  it('falls back to the smallest rendition when there is no 720p or smaller', () => {
    const big = { ...manifest, renditions: [manifest.renditions[0]] };
    expect(p.mediaUrls('/m/', big, 'x').fallbackMp4).toBe('/m/v%201/renditions/1080p.mp4');
  });
});

describe('video plugin: closeNote', () => {
  it('names the reason, the step and its message for a failed run', () => {
    const details = { step: 'probe', attempts: 1, error: 'TruncatedSourceError', message: 'The upload is cut off: its container says 10.00 s but its media ends at 0.83 s (8% of it)' };
    expect(p.closeNote({ status: 'FAILED', reason: 'TruncatedSource', details })).toBe(
      'No outputs: the run closed failed (TruncatedSource) in probe: The upload is cut off: its container says 10.00 s but its media ends at 0.83 s (8% of it)',
    );
  });

  it('says what it knows for other closes', () => {
    expect(p.closeNote({ status: 'TIMED_OUT' })).toBe('No outputs: the run closed timed out.');
    expect(p.closeNote({ status: 'TERMINATED', reason: 'operator', details: 'free text' })).toBe('No outputs: the run closed terminated (operator).');
  });
});

describe('video plugin: a chunked run\'s child progress, from the starter API', () => {
  // The real shape: lib/api's reading of the recorded 720p child, cut while a chunk waits to retry.
  const childEvents = recordedHistory('video-chunked--720p').map((e) => ({ ...e, eventTimestamp: new Date(e.eventTimestamp * 1000) }));
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'histories', 'video-chunked--720p.json'), 'utf8')) as { input: unknown };
  const child = { workflowId: 'v-chunked-rendition-720p', runId: 'r', input: JSON.stringify(fixture.input), state: 'started' as const, open: true };
  const chunksAt = (eventId: number) => chunkProgressOf(child, buildView(childEvents.filter((e) => e.eventId <= eventId) as HistoryEvent[]));

  it('marks the renditions a child encodes, so the page knows to ask the API', () => {
    const progress = p.videoProgress(recordedHistory('video-chunked'), 0);
    expect(progress.chunked).toBe(true);
    expect(progress.steps.filter((s: any) => s.childWorkflowId).map((s: any) => s.childWorkflowId)).toEqual(['v-chunked-rendition-720p', 'v-chunked-rendition-480p', 'v-chunked-rendition-360p']);
    expect(p.videoProgress(recordedHistory('video-success'), 0).chunked).toBe(false);
  });

  it('picks the chunked renditions out of GET /videos/{id} and says where each is', () => {
    const status = {
      steps: [
        { name: 'probe', state: 'COMPLETED' },
        { name: 'transcode', rendition: '720p', state: 'RUNNING', chunks: chunksAt(19) },
        { name: 'transcode', rendition: '480p', state: 'RUNNING', progressError: 'Rate exceeded' },
        { name: 'transcode', rendition: '360p', state: 'RUNNING', chunks: chunksAt(41) },
      ],
    };
    const steps = p.chunkedSteps(status);
    expect([...steps.keys()]).toEqual(['720p', '480p', '360p']);
    expect(p.chunkNote(steps.get('720p'))).toBe('chunks 1/4, 1 running, 1 retrying, 1 failed attempt');
    expect(p.chunkNote(steps.get('480p'))).toBe('progress unknown: Rate exceeded');
    expect(p.chunkNote(steps.get('360p'))).toBe('chunks 4/4, 1 failed attempt, package running');
    expect(p.chunkNote(undefined)).toBe('');
  });
});
