/**
 * The named failures of probe and output verification end the run at once with their reason: a
 * retry reads the same bytes (or the same outputs), so it cannot help.
 */
import type { WorkflowInput } from '../../../lib/video/contracts';
import { RETRY } from '../../../lib/video/definition';
import { FrameTooLargeError, OutputInvalidError, OutputTooShortError, TruncatedSourceError } from '../../../lib/video/errors';
import { decideVideo } from '../../../lib/video/workflow';
import { HistoryBuilder } from '../decider/history-builder';

const INPUT: WorkflowInput = { videoId: 'v1', sourceKey: 'uploads/v1/source' };

it.each([
  [new TruncatedSourceError('x').name, 'TruncatedSource'],
  [new FrameTooLargeError('x').name, 'FrameTooLarge'],
  [new OutputTooShortError('x').name, 'OutputTooShort'],
  [new OutputInvalidError('x').name, 'OutputInvalid'],
])('%s is not retried: the run fails with reason %s', (errorName, reason) => {
  expect(RETRY.nonRetryable).toContain(errorName);
  const h = new HistoryBuilder().start(INPUT);
  h.respond(decideVideo(h.poll()));
  h.lambdaFailed('probe', errorName, 'why');
  const decisions = decideVideo(h.poll());
  expect(decisions).toEqual([
    {
      decisionType: 'FailWorkflowExecution',
      failWorkflowExecutionDecisionAttributes: { reason, details: JSON.stringify({ step: 'probe', attempts: 1, error: errorName, message: 'why' }) },
    },
  ]);
});
