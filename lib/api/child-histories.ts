import type { HistoryEvent } from '@aws-sdk/client-swf';
import { buildView, type ChildView } from '../decider';
import type { ChunkPlan } from '../video/contracts';
import { chunkProgressOf, type ChunkProgress } from './chunk-progress';
import { fullHistory } from './executions';
import type { SwfApi } from './types';

/**
 * Reading a video's rendition children (its ProcessRendition executions) for GET /videos/{id}.
 *
 * A history only grows, so an open child's events are kept between reads and each read asks SWF
 * only for what came since: newest-first pages of TAIL_PAGE_SIZE events until one reaches an event
 * already held (one small page for a poll every few seconds). The first read of a child, or one
 * whose kept events were dropped, reads the whole history. A closed child's history never changes:
 * its progress is kept and its events dropped. Both are kept per API instance, the least recently
 * read dropped first past the bounds below.
 */

/** Closed children whose progress is kept; a few hundred small objects. */
export const DEFAULT_CLOSED_CHILD_CACHE = 512;
/** Events kept over all open children: about 280 bytes each as JSON, so some 15 MB at most. */
export const DEFAULT_KEPT_EVENTS = 50_000;
/** Events per newest-first page when catching up with an open child. */
export const TAIL_PAGE_SIZE = 100;

export type ChildExecution = { workflowId: string; runId: string };
export type ChildProgressReader = (child: ChildView, fallbackPlan: ChunkPlan | undefined) => Promise<ChunkProgress>;

export interface ChildReaderOptions {
  closedChildren?: number;
  keptEvents?: number;
}

export function childProgressReader(swf: Pick<SwfApi, 'getWorkflowExecutionHistory'>, domain: string, options: ChildReaderOptions = {}): ChildProgressReader {
  const closedLimit = options.closedChildren ?? DEFAULT_CLOSED_CHILD_CACHE;
  const eventLimit = options.keptEvents ?? DEFAULT_KEPT_EVENTS;
  const closed = new Map<string, ChunkProgress>();
  const open = new Map<string, HistoryEvent[]>();
  let keptEvents = 0;

  const forget = (key: string): void => {
    keptEvents -= open.get(key)?.length ?? 0;
    open.delete(key);
  };
  const keep = (key: string, events: HistoryEvent[]): void => {
    forget(key);
    if (events.length > eventLimit) return;
    open.set(key, events);
    keptEvents += events.length;
    // Map order is insertion order: the first key is the least recently read.
    for (const oldest of open.keys()) {
      if (keptEvents <= eventLimit) break;
      forget(oldest);
    }
  };

  return async (child, fallbackPlan) => {
    // Not started yet: there is no history to read, every chunk is pending.
    if (child.runId === undefined) return chunkProgressOf(child, undefined, fallbackPlan);
    const execution = { workflowId: child.workflowId, runId: child.runId };
    const key = `${child.workflowId}\n${child.runId}`;
    const done = closed.get(key);
    if (done) return done;

    const held = open.get(key);
    const events = held ? await catchUp(swf, domain, execution, held) : await fullHistory(swf, domain, execution);
    const view = buildView(events);
    const progress = chunkProgressOf(child, view, fallbackPlan);
    if (view.closed) {
      forget(key);
      if (closedLimit > 0) {
        closed.set(key, progress);
        if (closed.size > closedLimit) closed.delete(closed.keys().next().value!);
      }
    } else {
      keep(key, events);
    }
    return progress;
  };
}

/**
 * `held` (the history's first events, in order) followed by the events SWF recorded since, read
 * newest first until a page reaches one already held. Falls back to the whole history if what came
 * back does not continue `held` exactly.
 */
export async function catchUp(swf: Pick<SwfApi, 'getWorkflowExecutionHistory'>, domain: string, execution: ChildExecution, held: readonly HistoryEvent[]): Promise<HistoryEvent[]> {
  const lastId = held[held.length - 1]?.eventId ?? 0;
  const newest: HistoryEvent[] = [];
  let latestId: number | undefined;
  let nextPageToken: string | undefined;
  do {
    const page = await swf.getWorkflowExecutionHistory({ domain, execution, reverseOrder: true, maximumPageSize: TAIL_PAGE_SIZE, ...(nextPageToken ? { nextPageToken } : {}) });
    const events = page.events ?? [];
    latestId ??= events[0]?.eventId ?? 0;
    const fresh = events.filter((e) => (e.eventId ?? 0) > lastId);
    newest.push(...fresh);
    if (fresh.length < events.length) break;
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  const added = newest.reverse();
  // What is held must be this history's start, and what came back must follow it without a gap.
  const continues = (latestId ?? 0) >= lastId && held.every((e, i) => e.eventId === i + 1) && added.every((e, i) => e.eventId === lastId + 1 + i);
  return continues ? [...held, ...added] : fullHistory(swf, domain, execution);
}
