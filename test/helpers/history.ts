import type { HistoryEvent, SWF, WorkflowExecution } from '@aws-sdk/client-swf';
import type { RunningEngine } from '../../lib/engine';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every event of a run, following nextPageToken. */
export async function fullHistory(swf: SWF, domain: string, execution: WorkflowExecution): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await swf.getWorkflowExecutionHistory({ domain, execution, maximumPageSize: 1000, nextPageToken });
    events.push(...(page.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

/** An event as the engine stored it: read straight from the store, without an API call. */
export interface StoredEvent {
  eventId: number;
  eventType: string;
  /** Epoch milliseconds. */
  timestamp: number;
  attributes: Record<string, unknown>;
}

/**
 * A run's history read from an in-process engine's store, bypassing the HTTP API. API calls
 * settle due deadlines first, so reading through the store is how a test proves that a deadline
 * fired on its own.
 */
export function storedHistory(engine: RunningEngine, domain: string, execution: WorkflowExecution, region = 'us-east-1'): StoredEvent[] {
  const core = engine.core;
  const d = core.registry.domain(region, domain);
  if (!d) throw new Error(`no domain ${domain}`);
  const record = core.executions.findRun(d.id, execution.workflowId!, execution.runId!);
  if (!record) throw new Error(`no run ${execution.workflowId}/${execution.runId}`);
  return core.executions.history(record.id, 1, record.state.nextEventId - 1, false).map(([eventId, eventType, timestamp, attributes]) => ({
    eventId,
    eventType,
    timestamp,
    attributes: JSON.parse(attributes) as Record<string, unknown>,
  }));
}

/** Epoch ms of an SDK history event. */
export function ts(e: HistoryEvent | undefined): number {
  if (!e?.eventTimestamp) throw new Error('event without a timestamp');
  return e.eventTimestamp.getTime();
}

/** The only event of `type`; throws if there is not exactly one. */
export function only(events: HistoryEvent[], type: string): HistoryEvent {
  const hits = events.filter((e) => e.eventType === type);
  if (hits.length !== 1) throw new Error(`expected exactly one ${type}, found ${hits.length}: ${events.map((e) => e.eventType).join(', ')}`);
  return hits[0]!;
}

export function eventTypes(events: { eventType?: string }[]): string[] {
  return events.map((e) => e.eventType!);
}

/** Throws unless eventIds are exactly 1..N in order. */
export function expectContiguous(events: { eventId?: number }[]): void {
  events.forEach((e, i) => {
    if (e.eventId !== i + 1) throw new Error(`eventId ${e.eventId} at position ${i}; expected ${i + 1}`);
  });
}

/** The SDK exception name of a rejected call, or 'resolved' when it did not fail. */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return (error as Error).name;
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
