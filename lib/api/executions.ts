import type { HistoryEvent, WorkflowExecutionInfo } from '@aws-sdk/client-swf';
import { WORKFLOW_TYPE } from '../video/definition';
import type { SwfApi } from './types';

/**
 * Visibility helpers over SWF: the newest run of a workflowId, recent executions, a run's full
 * history. SWF's visibility API needs a time filter on every query; "since the epoch" covers every
 * run SWF still keeps (open ones, and closed ones within the domain's retention).
 */

const SINCE_EPOCH = { oldestDate: new Date(0) };

/** The newest run of `workflowId`: the open one if there is one, else the most recently started closed one. */
export async function findLatestRun(swf: SwfApi, domain: string, workflowId: string): Promise<WorkflowExecutionInfo | undefined> {
  const open = await swf.listOpenWorkflowExecutions({
    domain,
    startTimeFilter: SINCE_EPOCH,
    executionFilter: { workflowId },
    maximumPageSize: 1,
  });
  const openRun = open.executionInfos?.[0];
  if (openRun) return openRun;
  const closed = await swf.listClosedWorkflowExecutions({
    domain,
    startTimeFilter: SINCE_EPOCH,
    executionFilter: { workflowId },
    maximumPageSize: 1,
  });
  return closed.executionInfos?.[0];
}

/**
 * The `limit` most recently started executions of the video workflow type, open and closed,
 * newest first, one per workflowId.
 */
export async function listRecentExecutions(swf: SwfApi, domain: string, limit: number): Promise<WorkflowExecutionInfo[]> {
  const query = { domain, startTimeFilter: SINCE_EPOCH, typeFilter: { name: WORKFLOW_TYPE.name }, maximumPageSize: limit };
  const [open, closed] = await Promise.all([swf.listOpenWorkflowExecutions(query), swf.listClosedWorkflowExecutions(query)]);
  const all = [...(open.executionInfos ?? []), ...(closed.executionInfos ?? [])];
  all.sort((a, b) => startMillis(b) - startMillis(a));
  const seen = new Set<string>();
  const out: WorkflowExecutionInfo[] = [];
  for (const info of all) {
    const id = info.execution?.workflowId;
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    out.push(info);
    if (out.length >= limit) break;
  }
  return out;
}

/** Every event of a run, oldest first, following nextPageToken. */
export async function fullHistory(swf: Pick<SwfApi, 'getWorkflowExecutionHistory'>, domain: string, execution: { workflowId: string; runId: string }): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await swf.getWorkflowExecutionHistory({ domain, execution, maximumPageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
    events.push(...(page.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

/** An SWF history event in the wire shape (`aws swf get-workflow-execution-history`): epoch-second timestamps. */
export type WireHistoryEvent = Omit<HistoryEvent, 'eventTimestamp'> & { eventId: number; eventType: string; eventTimestamp: number };

export function toWireEvents(events: readonly HistoryEvent[]): WireHistoryEvent[] {
  return events.map((e) => ({ ...e, eventId: e.eventId!, eventType: e.eventType!, eventTimestamp: (e.eventTimestamp?.getTime() ?? 0) / 1000 }));
}

/** The API's overall status of a run: RUNNING while open, else SWF's close status. */
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TIMED_OUT' | 'TERMINATED' | 'CONTINUED_AS_NEW';

export function statusOf(info: WorkflowExecutionInfo): ExecutionStatus {
  if (info.executionStatus === 'OPEN' || info.closeStatus === undefined) return 'RUNNING';
  return info.closeStatus;
}

export function startMillis(info: WorkflowExecutionInfo): number {
  return toMillis(info.startTimestamp);
}

/** Epoch ms of an SDK timestamp (a Date), of an ISO string or of epoch seconds; 0 when absent. */
export function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? 0 : ms;
  }
  return 0;
}

export function isoOf(value: unknown): string | undefined {
  const ms = toMillis(value);
  return ms > 0 ? new Date(ms).toISOString() : undefined;
}
