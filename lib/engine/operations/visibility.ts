import type {
  CountClosedWorkflowExecutionsInput,
  CountOpenWorkflowExecutionsInput,
  ListClosedWorkflowExecutionsInput,
  ListOpenWorkflowExecutionsInput,
} from '@aws-sdk/client-swf';
import type { EngineCore } from '../core';
import { validationMessage } from '../faults';
import { toSummary, SUMMARY_COLUMNS, type ExecutionRow } from '../store/execution-store';
import { offsetOf, pageSize, type PageScope } from '../util/page-token';
import { executionInfo } from './executions';
import { defined, type OperationTable } from './types';

type VisibilityInput = ListClosedWorkflowExecutionsInput & { startTimeFilter?: unknown; closeTimeFilter?: unknown };

interface TimeFilter {
  oldestDate: number;
  latestDate?: number;
}

const EXCLUSIVE_MESSAGE = 'Cannot specify more than one exclusive filters in the same query';

/**
 * Builds the WHERE clause of a visibility query and enforces the filter rules: open queries
 * need startTimeFilter; closed ones exactly one time filter; at most one of the other filters.
 */
function buildQuery(core: EngineCore, region: string, input: VisibilityInput, open: boolean) {
  const domain = core.requireDomain(region, input.domain!);
  const start = input.startTimeFilter as TimeFilter | undefined;
  const close = input.closeTimeFilter as TimeFilter | undefined;
  if (open) {
    if (!start) throw validationMessage("1 validation error detected: Value null at 'startTimeFilter' failed to satisfy constraint: Member must not be null");
  } else if ((start ? 1 : 0) + (close ? 1 : 0) !== 1) {
    throw validationMessage(
      start ? EXCLUSIVE_MESSAGE : 'Either startTimeFilter or closeTimeFilter must be specified',
    );
  }
  const others = [input.executionFilter, input.typeFilter, input.tagFilter, open ? undefined : input.closeStatusFilter];
  if (others.filter((f) => f !== undefined).length > 1) throw validationMessage(EXCLUSIVE_MESSAGE);

  const where = ['domain_id = ?', 'status = ?'];
  const args: unknown[] = [domain.id, open ? 'OPEN' : 'CLOSED'];
  const timeColumn = close ? 'closed_at' : 'started_at';
  const time = (close ?? start)!;
  where.push(`${timeColumn} >= ?`);
  args.push(time.oldestDate * 1000);
  if (time.latestDate !== undefined) {
    where.push(`${timeColumn} <= ?`);
    args.push(time.latestDate * 1000);
  }
  if (input.executionFilter) {
    where.push('workflow_id = ?');
    args.push(input.executionFilter.workflowId);
  }
  if (input.typeFilter) {
    where.push('type_name = ?');
    args.push(input.typeFilter.name);
    if (input.typeFilter.version) {
      where.push('type_version = ?');
      args.push(input.typeFilter.version);
    }
  }
  if (input.tagFilter) {
    where.push('EXISTS (SELECT 1 FROM json_each(executions.tags) WHERE value = ?)');
    args.push(input.tagFilter.tag);
  }
  if (!open && input.closeStatusFilter) {
    where.push('close_status = ?');
    args.push(input.closeStatusFilter.status);
  }
  return { domain, sql: where.join(' AND '), args, timeColumn };
}

function list(core: EngineCore, region: string, input: VisibilityInput, open: boolean): object {
  const { domain, sql, args, timeColumn } = buildQuery(core, region, input, open);
  const scope: PageScope = {
    op: open ? 'ListOpenWorkflowExecutions' : 'ListClosedWorkflowExecutions',
    partition: `${region}/${domain.id}`,
    query: { ...input, domain: undefined, nextPageToken: undefined, maximumPageSize: undefined },
  };
  const offset = input.nextPageToken ? offsetOf(core.pageTokens.decode(input.nextPageToken, scope)) : 0;
  const size = pageSize(input.maximumPageSize);
  const order = input.reverseOrder ? 'ASC' : 'DESC';
  // One row more than the page tells whether another page exists.
  const rows = core.db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM executions WHERE ${sql} ORDER BY ${timeColumn} ${order}, id ${order} LIMIT ? OFFSET ?`)
    .all(...args, size + 1, offset) as ExecutionRow[];
  const more = rows.length > size;
  return defined({
    executionInfos: rows.slice(0, size).map((r) => executionInfo(toSummary(r))),
    nextPageToken: more ? core.pageTokens.encode(scope, { o: offset + size }) : undefined,
  });
}

function count(core: EngineCore, region: string, input: VisibilityInput, open: boolean): object {
  const { sql, args } = buildQuery(core, region, input, open);
  const row = core.db.prepare(`SELECT count(*) AS n FROM executions WHERE ${sql}`).get(...args) as { n: number };
  return { count: row.n, truncated: false };
}

export const visibilityOperations: OperationTable = {
  ListOpenWorkflowExecutions: (core, ctx, input: ListOpenWorkflowExecutionsInput) => list(core, ctx.region, input as VisibilityInput, true),
  ListClosedWorkflowExecutions: (core, ctx, input: ListClosedWorkflowExecutionsInput) => list(core, ctx.region, input as VisibilityInput, false),
  CountOpenWorkflowExecutions: (core, ctx, input: CountOpenWorkflowExecutionsInput) => count(core, ctx.region, input as VisibilityInput, true),
  CountClosedWorkflowExecutions: (core, ctx, input: CountClosedWorkflowExecutionsInput) => count(core, ctx.region, input as VisibilityInput, false),
};
