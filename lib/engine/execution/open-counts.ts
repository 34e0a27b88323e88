import type { ExecutionState, OpenCounts } from './state';

function size(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** What the run has open now; a closed run reports what it had open when it closed. */
export function openCounts(s: ExecutionState): OpenCounts {
  if (s.openCountsAtClose) return s.openCountsAtClose;
  return {
    openActivityTasks: size(s.activities),
    openDecisionTasks: s.decision ? 1 : 0,
    openTimers: size(s.timers),
    openChildWorkflowExecutions: size(s.children),
    openLambdaFunctions: size(s.lambdas),
  };
}
