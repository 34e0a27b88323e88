import type { VideoStatus } from '../../../lib/api/status';
import type { StepStatus } from '../../../lib/api/status';
import type { ChunkProgress } from '../../../lib/api/chunk-progress';
import { FAILURE_ADVICE, chunkSummary, progressLine, renderFailure, renderSteps } from '../../../lib/cli/render';
import { RETRY } from '../../../lib/video/definition';

const failed = (reason: string, message?: string): VideoStatus => ({
  videoId: 'v',
  runId: 'r',
  status: 'FAILED',
  cancelRequested: false,
  steps: [],
  failure: { reason, step: 'probe', ...(message ? { message } : {}) },
});

describe('renderFailure', () => {
  it('names the reason, the step and the message, then what to do', () => {
    expect(renderFailure(failed('TruncatedSource', 'The upload is cut off: its container says 10.00 s but its media ends at 0.83 s (8% of it)'))).toEqual([
      'Failure in probe: TruncatedSource: The upload is cut off: its container says 10.00 s but its media ends at 0.83 s (8% of it)',
      '  What to do: the file is incomplete (an interrupted upload or an unfinished recording): upload the whole file again.',
    ]);
  });

  it('gives no advice for reasons it has none for', () => {
    expect(renderFailure(failed('StepFailed', 'timed out'))).toEqual(['Failure in probe: StepFailed: timed out']);
  });

  it('every non-retryable error a user can meet has advice', () => {
    const reasons = RETRY.nonRetryable.filter((n) => n !== 'InvalidInputError').map((n) => n.replace(/Error$/, ''));
    expect(Object.keys(FAILURE_ADVICE).sort()).toEqual(reasons.sort());
  });
});

const chunks = (over: Partial<ChunkProgress> = {}): ChunkProgress => ({
  total: 120,
  completed: 37,
  running: 10,
  retrying: 2,
  failed: 0,
  canceled: 0,
  pending: 71,
  failedAttempts: 3,
  failing: [],
  failingNotListed: 0,
  audio: { state: 'COMPLETED', attempts: 1 },
  package: { state: 'PENDING', attempts: 0 },
  fractionDone: 0.31,
  historyEvents: 400,
  ...over,
});

const transcode = (rendition: string, over: Partial<StepStatus> = {}): StepStatus => ({ name: 'transcode', rendition, state: 'RUNNING', attempts: 1, attemptDetails: [], ...over });

describe('chunk progress', () => {
  it('summarizes a chunked rendition in a few words', () => {
    expect(chunkSummary(transcode('720p', { chunks: chunks() }))).toBe('chunks 37/120, 10 running, 2 retrying, 3 failed attempts');
    expect(chunkSummary(transcode('720p', { chunks: chunks({ completed: 120, running: 0, retrying: 0, pending: 0, failedAttempts: 1, package: { state: 'RUNNING', attempts: 1 } }) }))).toBe('chunks 120/120, 1 failed attempt, package RUNNING');
    expect(chunkSummary(transcode('720p', { chunks: chunks({ running: 0, retrying: 0, failed: 1, canceled: 9, audio: { state: 'CANCELED', attempts: 1 } }) }))).toBe('chunks 37/120, 1 failed, 9 canceled, 3 failed attempts, audio CANCELED');
    expect(chunkSummary(transcode('720p', { progressError: 'Rate exceeded' }))).toBe('progress unknown: Rate exceeded');
    expect(chunkSummary(transcode('720p'))).toBe('');
  });

  it('shows it on the step lines and in the progress line', () => {
    const status: VideoStatus = { videoId: 'v', runId: 'r', status: 'RUNNING', cancelRequested: false, steps: [transcode('720p', { chunks: chunks() }), transcode('360p', { state: 'SCHEDULED' }), { name: 'probe', state: 'COMPLETED', attempts: 1, attemptDetails: [] }] };
    expect(renderSteps(status)[0]).toMatch(/transcode 720p\s+RUNNING\s+chunks 37\/120, 10 running, 2 retrying, 3 failed attempts$/);
    expect(renderSteps(status)).toHaveLength(3);
    const failing = transcode('720p', { chunks: chunks({ failing: [{ index: 41, state: 'RETRY_WAIT', attempts: 2, failure: { type: 'error', reason: 'FfmpegError', details: 'exit 1' } }], failingNotListed: 3 }) });
    expect(renderSteps({ ...status, steps: [failing] }).slice(1)).toEqual(['      chunk 41    RETRY_WAIT (attempt 2)  FfmpegError: exit 1', '      and 3 more failing chunks']);
    expect(progressLine(status)).toBe('RUNNING 1/3 steps done; running: 720p: chunks 37/120, 10 running, 2 retrying, 3 failed attempts; transcode 360p');
  });
});
