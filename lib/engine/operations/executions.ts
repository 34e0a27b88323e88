import type {
  DescribeWorkflowExecutionInput,
  GetWorkflowExecutionHistoryInput,
  RequestCancelWorkflowExecutionInput,
  SignalWorkflowExecutionInput,
  StartWorkflowExecutionInput,
  TerminateWorkflowExecutionInput,
  WorkflowTypeConfiguration,
} from '@aws-sdk/client-swf';
import { unknownExecution, type EngineCore } from '../core';
import {
  alreadyStarted,
  defaultUndefined,
  domainDeprecated,
  limitExceeded,
  typeDeprecated,
  unknownResource,
  validationMessage,
} from '../faults';
import { eventToWireJson } from '../execution/events';
import { openCounts } from '../execution/open-counts';
import type { ExecutionRecord } from '../execution/state';
import type { DomainRow } from '../store/registry-store';
import type { ExecutionSummary, HistoryRow } from '../store/execution-store';
import { pageSize, type PageScope } from '../util/page-token';
import { defined, RawJson, type OperationTable } from './types';
import { typeLabel } from './workflow-types';
import { isValidExecutionTimeout, MAX_EXECUTION_SECONDS, resolveRunConfig } from '../execution/run-config';
import { createRun } from '../execution/runs';

/** The run's WorkflowExecutionInfo, as Describe and the List operations return it. */
export function executionInfo(e: ExecutionSummary | ExecutionRecord): object {
  return defined({
    execution: { workflowId: e.workflowId, runId: e.runId },
    workflowType: e.workflowType,
    startTimestamp: e.startedAt / 1000,
    closeTimestamp: e.closedAt !== undefined ? e.closedAt / 1000 : undefined,
    executionStatus: e.status,
    closeStatus: e.closeStatus,
    parent: e.parent,
    tagList: e.tagList,
    cancelRequested: 'cancelRequested' in e ? e.cancelRequested : e.state.cancelRequested,
  });
}

/** Resolves a run: the exact run when runId is given, the open run of the workflowId otherwise. */
function openRun(core: EngineCore, domain: DomainRow, workflowId: string, runId: string | undefined): ExecutionRecord {
  const record = core.executions.findOpen(domain.id, workflowId);
  if (!record || (runId && record.runId !== runId)) throw unknownExecution(workflowId, runId);
  return record;
}

function requireRun(core: EngineCore, domain: DomainRow, execution: { workflowId?: string; runId?: string }): ExecutionRecord {
  const record = core.executions.findRun(domain.id, execution.workflowId!, execution.runId!);
  if (!record) throw unknownExecution(execution.workflowId!, execution.runId);
  return record;
}

/** Writes one page of a run's history as wire JSON, events `from`..`to` in the asked order. */
export function historyPageJson(
  core: EngineCore,
  executionId: number,
  from: number,
  to: number,
  reverse: boolean,
  limit: number,
): { json: string; next?: number } {
  const rows: HistoryRow[] = reverse
    ? core.executions.history(executionId, Math.max(from, to - limit + 1), to, true)
    : core.executions.history(executionId, from, Math.min(to, from + limit - 1), false);
  const json = rows.map((r) => eventToWireJson(r[0], r[1], r[2], r[3])).join(',');
  const last = rows.length > 0 ? rows[rows.length - 1]![0] : undefined;
  if (last === undefined) return { json };
  const next = reverse ? last - 1 : last + 1;
  return reverse ? (next >= from ? { json, next } : { json }) : next <= to ? { json, next } : { json };
}

export const executionOperations: OperationTable = {
  StartWorkflowExecution: (core, ctx, input: StartWorkflowExecutionInput) =>
    core.run((tx) => {
      const domain = core.requireDomain(ctx.region, input.domain!);
      const type = { name: input.workflowType!.name!, version: input.workflowType!.version! };
      const typeRow = core.registry.type(domain.id, 'workflow', type.name, type.version);
      if (!typeRow) throw unknownResource(`Unknown type: ${typeLabel('workflow', type.name, type.version)}`);
      if (domain.status === 'DEPRECATED') throw domainDeprecated(`Domain is deprecated: ${domain.name}`);
      if (typeRow.status === 'DEPRECATED') throw typeDeprecated(typeLabel('workflow', type.name, type.version));
      if (core.executions.hasOpen(domain.id, input.workflowId!)) throw alreadyStarted('Already Started');
      const config = resolveRunConfig(input, core.registry.typeConfig<WorkflowTypeConfiguration>(typeRow));
      if (typeof config === 'string') throw defaultUndefined(config);
      if (!isValidExecutionTimeout(config.executionStartToCloseTimeout)) {
        throw validationMessage(
          `executionStartToCloseTimeout must be a number of seconds no greater than ${MAX_EXECUTION_SECONDS} (NONE is not allowed)`,
        );
      }
      if (core.executions.countOpen(domain.id) >= core.config.maxOpenExecutionsPerDomain) {
        throw limitExceeded(`Cannot have more than ${core.config.maxOpenExecutionsPerDomain} open executions in a domain`);
      }
      const exec = createRun(tx, {
        domainId: domain.id,
        workflowId: input.workflowId!,
        workflowType: type,
        config,
        ...(input.input !== undefined ? { input: input.input } : {}),
        ...(input.tagList ? { tagList: input.tagList } : {}),
      });
      return { runId: exec.record.runId };
    }),

  SignalWorkflowExecution: (core, ctx, input: SignalWorkflowExecutionInput) => {
    core.run((tx) => {
      const domain = core.requireDomain(ctx.region, input.domain!);
      const exec = tx.open(openRun(core, domain, input.workflowId!, input.runId));
      // A signal from the API has no initiating event: the link is 0, as the service writes it.
      exec.signal(defined({ signalName: input.signalName, input: input.input, externalInitiatedEventId: 0 }) as never);
      tx.save(exec);
    });
    return undefined;
  },

  RequestCancelWorkflowExecution: (core, ctx, input: RequestCancelWorkflowExecutionInput) => {
    core.run((tx) => {
      const domain = core.requireDomain(ctx.region, input.domain!);
      const exec = tx.open(openRun(core, domain, input.workflowId!, input.runId));
      // Every request is recorded, repeated ones too: the decider sees each of them.
      exec.requestCancel({ externalInitiatedEventId: 0 });
      tx.save(exec);
    });
    return undefined;
  },

  TerminateWorkflowExecution: (core, ctx, input: TerminateWorkflowExecutionInput) => {
    core.run((tx) => {
      const domain = core.requireDomain(ctx.region, input.domain!);
      const exec = tx.open(openRun(core, domain, input.workflowId!, input.runId));
      const cause = core.config.operatorTerminateCause === 'none' ? undefined : core.config.operatorTerminateCause;
      exec.terminate(input.reason, input.details, input.childPolicy ?? exec.state.config.childPolicy, cause);
      tx.save(exec);
    });
    return undefined;
  },

  DescribeWorkflowExecution: (core, ctx, input: DescribeWorkflowExecutionInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    const record = requireRun(core, domain, input.execution!);
    const s = record.state;
    const c = s.config;
    return defined({
      executionInfo: executionInfo(record),
      executionConfiguration: defined({
        taskStartToCloseTimeout: c.taskStartToCloseTimeout,
        executionStartToCloseTimeout: c.executionStartToCloseTimeout,
        taskList: { name: c.taskList },
        taskPriority: c.taskPriority,
        childPolicy: c.childPolicy,
        lambdaRole: c.lambdaRole,
      }),
      openCounts: openCounts(s),
      latestActivityTaskTimestamp: s.latestActivityTaskTimestamp !== undefined ? s.latestActivityTaskTimestamp / 1000 : undefined,
      latestExecutionContext: s.latestExecutionContext,
    });
  },

  GetWorkflowExecutionHistory: (core, ctx, input: GetWorkflowExecutionHistoryInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    const record = requireRun(core, domain, input.execution!);
    const reverse = input.reverseOrder ?? false;
    const scope: PageScope = {
      op: 'GetWorkflowExecutionHistory',
      partition: `${ctx.region}/${domain.id}`,
      query: { w: record.workflowId, u: record.runId, r: reverse },
    };
    let from = 1;
    let to = record.state.nextEventId - 1;
    if (input.nextPageToken) {
      // The token pins the range seen by the first page, so later events never shift pages.
      const t = core.pageTokens.decode<{ n: number; t: number }>(input.nextPageToken, scope);
      if (reverse) to = t.n;
      else [from, to] = [t.n, t.t];
    }
    const page = historyPageJson(core, record.id, from, to, reverse, pageSize(input.maximumPageSize));
    const token = page.next !== undefined ? core.pageTokens.encode(scope, { n: page.next, t: to }) : undefined;
    return new RawJson(`{"events":[${page.json}]${token ? `,"nextPageToken":"${token}"` : ''}}`);
  },
};
