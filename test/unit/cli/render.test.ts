import type { VideoStatus } from '../../../lib/api/status';
import { FAILURE_ADVICE, renderFailure } from '../../../lib/cli/render';
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
