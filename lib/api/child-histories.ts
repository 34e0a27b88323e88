import type { HistoryEvent } from '@aws-sdk/client-swf';
import { buildView, type ChildView } from '../decider';
import type { ChunkPlan } from '../video/contracts';
import { chunkProgressOf, type ChunkProgress } from './chunk-progress';

/**
 * Reading a video's rendition children (its ProcessRendition executions) for GET /videos/{id}.
 *
 * An open child's history is read whole on every status read: it is the only source of its chunk
 * states. A closed child's history never changes, so its progress is kept (per child run, the
 * oldest dropped first past `cacheSize`) and the history is not read again.
 */

/** Closed children whose progress is kept; a few hundred small objects. */
export const DEFAULT_CLOSED_CHILD_CACHE = 512;

export type ChildExecution = { workflowId: string; runId: string };
export type ChildProgressReader = (child: ChildView, fallbackPlan: ChunkPlan | undefined) => Promise<ChunkProgress>;

export function childProgressReader(loadHistory: (execution: ChildExecution) => Promise<HistoryEvent[]>, cacheSize = DEFAULT_CLOSED_CHILD_CACHE): ChildProgressReader {
  const closed = new Map<string, ChunkProgress>();
  return async (child, fallbackPlan) => {
    // Not started yet: there is no history to read, every chunk is pending.
    if (child.runId === undefined) return chunkProgressOf(child, undefined, fallbackPlan);
    const key = `${child.workflowId}\n${child.runId}`;
    const kept = closed.get(key);
    if (kept) return kept;
    const view = buildView(await loadHistory({ workflowId: child.workflowId, runId: child.runId }));
    const progress = chunkProgressOf(child, view, fallbackPlan);
    if (view.closed && cacheSize > 0) {
      closed.set(key, progress);
      if (closed.size > cacheSize) closed.delete(closed.keys().next().value!);
    }
    return progress;
  };
}
