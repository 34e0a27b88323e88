import type {
  CountPendingActivityTasksInput,
  CountPendingDecisionTasksInput,
  PollForActivityTaskInput,
  PollForDecisionTaskInput,
  RecordActivityTaskHeartbeatInput,
  RespondActivityTaskCanceledInput,
  RespondActivityTaskCompletedInput,
  RespondActivityTaskFailedInput,
  RespondDecisionTaskCompletedInput,
} from '@aws-sdk/client-swf';
import { unknownExecution, type EngineCore } from '../core';
import type { Tx } from '../store/transaction';
import { unknownResource, validationMessage } from '../faults';
import { applyDecisions, validateDecisionBatch } from '../execution/decisions';
import type { Execution } from '../execution/execution';
import type { DecisionTaskState, ExecutionRecord, OpenActivity, TaskKind } from '../execution/state';
import { queueKey, type Handoff } from '../matching/task-matcher';
import type { DomainRow } from '../store/registry-store';
import { pageSize, type PageScope } from '../util/page-token';
import { decodeTaskToken, type TaskTokenClaims } from '../util/task-token';
import { historyPageJson } from './executions';
import { defined, RawJson, type CallContext, type OperationResult, type OperationTable } from './types';

// ------------------------------------------------------------------ polling

/** A decision task page: what to serve and where this page starts. */
interface DecisionPage {
  taskToken: string;
  startedEventId: number;
  previousStartedEventId: number;
  /** First and last event of the whole answer, and the first event of this page. */
  first: number;
  last: number;
  at: number;
  reverse: boolean;
  size: number;
}

/** A decision task's history pages are bound to the poll's domain, task list and order. */
function decisionPageScope(region: string, domain: DomainRow, input: PollForDecisionTaskInput): PageScope {
  return { op: 'PollForDecisionTask', partition: `${region}/${domain.id}`, query: { l: input.taskList!.name, r: input.reverseOrder ?? false } };
}

function decisionTaskJson(core: EngineCore, scope: PageScope, record: ExecutionRecord, p: DecisionPage): RawJson {
  const from = p.reverse ? p.first : p.at;
  const to = p.reverse ? p.at : p.last;
  const page = historyPageJson(core, record.id, from, to, p.reverse, p.size);
  const token =
    page.next !== undefined
      ? core.pageTokens.encode(scope, {
          e: record.id,
          k: p.taskToken,
          s: p.startedEventId,
          p: p.previousStartedEventId,
          a: p.first,
          b: p.last,
          n: page.next,
          z: p.size,
        })
      : undefined;
  const head = JSON.stringify({
    taskToken: p.taskToken,
    startedEventId: p.startedEventId,
    workflowExecution: { workflowId: record.workflowId, runId: record.runId },
    workflowType: record.workflowType,
    previousStartedEventId: p.previousStartedEventId,
    ...(token ? { nextPageToken: token } : {}),
  });
  return new RawJson(`${head.slice(0, -1)},"events":[${page.json}]}`);
}

/** Claiming a decision task for a poll and answering it: from the queue or handed over. */
function decisionHandoff(core: EngineCore, scope: PageScope, input: PollForDecisionTaskInput): Handoff<{ record: ExecutionRecord; task: DecisionTaskState; previousStartedEventId: number }, RawJson> {
  return {
    claim: (exec) => {
      const previousStartedEventId = exec.state.lastCompletedDecisionStartedEventId;
      return { record: exec.record, task: exec.claimDecision(input.identity), previousStartedEventId };
    },
    answer: ({ record, task, previousStartedEventId }) => {
      const reverse = input.reverseOrder ?? false;
      const first = input.startAtPreviousStartedEvent && previousStartedEventId > 0 ? previousStartedEventId : 1;
      return decisionTaskJson(core, scope, record, {
        taskToken: task.token,
        startedEventId: task.startedEventId,
        previousStartedEventId,
        first,
        last: task.startedEventId,
        at: reverse ? task.startedEventId : first,
        reverse,
        size: pageSize(input.maximumPageSize),
      });
    },
  };
}

/** A poll carrying nextPageToken pages through the task it already has; it never claims. */
function nextDecisionPage(core: EngineCore, scope: PageScope, domain: DomainRow, input: PollForDecisionTaskInput): RawJson {
  const reverse = input.reverseOrder ?? false;
  const t = core.pageTokens.decode<{ e: number; k: string; s: number; p: number; a: number; b: number; n: number; z: number }>(input.nextPageToken!, scope);
  const record = core.executions.load(t.e);
  // The signature already binds the token to this domain; the run's own domain is checked too.
  if (!record || record.domainId !== domain.id) throw validationMessage('Invalid token');
  return decisionTaskJson(core, scope, record, {
    taskToken: t.k,
    startedEventId: t.s,
    previousStartedEventId: t.p,
    first: t.a,
    last: t.b,
    at: t.n,
    reverse,
    size: input.maximumPageSize ? pageSize(input.maximumPageSize) : t.z,
  });
}

function activityHandoff(input: PollForActivityTaskInput): Handoff<{ record: ExecutionRecord; activity: OpenActivity }, object> {
  return {
    claim: (exec, scheduledEventId) => ({ record: exec.record, activity: exec.claimActivity(scheduledEventId, input.identity) }),
    answer: ({ record, activity: a }) =>
      defined({
        taskToken: a.token,
        activityId: a.activityId,
        startedEventId: a.startedEventId,
        workflowExecution: { workflowId: record.workflowId, runId: record.runId },
        activityType: a.activityType,
        input: a.input,
      }),
  };
}

/** Takes the best task queued on the poll's list, if any, and claims it with `handoff`. */
function claimQueued<R>(core: EngineCore, tx: Tx, domain: DomainRow, kind: TaskKind, taskList: string, handoff: Handoff<unknown, R>): R | undefined {
  const head = core.executions.queueHead(domain.id, kind, taskList);
  if (!head) return undefined;
  core.executions.removeQueued(head);
  const exec = tx.open(core.executions.load(head.executionId)!);
  const claimed = handoff.claim(exec, head.scheduledEventId);
  tx.save(exec);
  return handoff.answer(claimed);
}

/**
 * Claims a task now, or waits for one: the matcher hands a task to the oldest waiting poll the
 * moment one is scheduled, and a poll whose client disconnected is dropped without a claim.
 */
async function longPoll<T extends object>(
  core: EngineCore,
  ctx: CallContext,
  domain: DomainRow,
  kind: TaskKind,
  taskList: string,
  identity: string | undefined,
  handoff: Handoff<unknown, T>,
  empty: object,
): Promise<OperationResult> {
  const key = queueKey(domain.id, kind, taskList);
  // In memory only (the console's "pollers seen"): no write on the poll path.
  const seen = core.matcher.pollers.record(key, identity, core.clock.now());
  // The queue is in memory: a poll that finds it empty opens no transaction (no locks, no commit).
  const attempt = () =>
    core.executions.queueHead(domain.id, kind, taskList) ? core.run((tx) => claimQueued(core, tx, domain, kind, taskList, handoff)) : undefined;
  const now = attempt();
  if (now) return now;
  seen.waiting++;
  try {
    const waited = await core.matcher.wait(key, attempt, core.config.pollTimeoutMs, ctx.signal, handoff);
    return waited ?? empty;
  } finally {
    seen.waiting--;
  }
}

function emptyPoll(core: EngineCore, fields: object): object {
  return core.config.emptyPollTaskToken === 'empty' ? { taskToken: '', ...fields } : fields;
}

// ------------------------------------------------------------------ responding

function claimsOf(token: string, kind: TaskKind): TaskTokenClaims {
  const claims = decodeTaskToken(token);
  if (!claims || claims.kind !== kind) throw validationMessage('Invalid token');
  return claims;
}

/** Opens the run a task token belongs to; the token must still be live for its task. */
function openForToken(core: EngineCore, tx: Tx, claims: TaskTokenClaims): Execution {
  const record = core.executions.load(claims.executionId);
  if (!record) throw unknownResource('Unknown execution');
  return tx.open(record);
}

function withActivity(core: EngineCore, token: string, fn: (exec: Execution, a: OpenActivity) => unknown): unknown {
  const claims = claimsOf(token, 'activity');
  return core.run((tx) => {
    const exec = openForToken(core, tx, claims);
    const a = exec.activityForToken(claims.scheduledEventId, token);
    if (!a) throw unknownResource(`Unknown activity, scheduledEventId = ${claims.scheduledEventId}`);
    const result = fn(exec, a);
    tx.save(exec);
    return result;
  });
}

export const taskOperations: OperationTable = {
  PollForDecisionTask: (core, ctx, input: PollForDecisionTaskInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    const scope = decisionPageScope(ctx.region, domain, input);
    if (input.nextPageToken) return nextDecisionPage(core, scope, domain, input);
    return longPoll(core, ctx, domain, 'decision', input.taskList!.name!, input.identity, decisionHandoff(core, scope, input) as Handoff<unknown, RawJson>, emptyPoll(core, { startedEventId: 0, previousStartedEventId: 0 }));
  },

  PollForActivityTask: (core, ctx, input: PollForActivityTaskInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    return longPoll(core, ctx, domain, 'activity', input.taskList!.name!, input.identity, activityHandoff(input) as Handoff<unknown, object>, emptyPoll(core, { startedEventId: 0 }));
  },

  RespondDecisionTaskCompleted: (core, _ctx, input: RespondDecisionTaskCompletedInput) => {
    const token = input.taskToken!;
    const claims = claimsOf(token, 'decision');
    core.run((tx) => {
      const exec = openForToken(core, tx, claims);
      if (!exec.holdsDecisionToken(token)) {
        const r = exec.record;
        throw r.status === 'CLOSED'
          ? unknownExecution(r.workflowId, r.runId)
          : unknownResource(`Unknown decision task, scheduledEventId = ${claims.scheduledEventId}`);
      }
      const decisions = input.decisions ?? [];
      const fault = validateDecisionBatch(decisions);
      if (fault) throw fault;
      const { completedEventId, hadPending } = exec.completeDecision(
        defined({
          scheduledEventId: claims.scheduledEventId,
          startedEventId: claims.startedEventId,
          executionContext: input.executionContext,
          taskList: input.taskList,
          taskListScheduleToStartTimeout: input.taskListScheduleToStartTimeout,
        }) as never,
      );
      exec.overrideDecisionTaskList(input.taskList?.name, input.taskListScheduleToStartTimeout);
      applyDecisions(exec, decisions, completedEventId, hadPending, core.decisionContext(exec.record.domainId));
      tx.save(exec);
    });
    return undefined;
  },

  RespondActivityTaskCompleted: (core, _ctx, input: RespondActivityTaskCompletedInput) => {
    withActivity(core, input.taskToken!, (exec, a) => exec.completeActivity(a, input.result));
    return undefined;
  },

  RespondActivityTaskFailed: (core, _ctx, input: RespondActivityTaskFailedInput) => {
    withActivity(core, input.taskToken!, (exec, a) => exec.failActivity(a, input.reason, input.details));
    return undefined;
  },

  RespondActivityTaskCanceled: (core, _ctx, input: RespondActivityTaskCanceledInput) => {
    // Accepted with or without a cancel request: the worker knows best that it stopped.
    withActivity(core, input.taskToken!, (exec, a) => exec.cancelActivity(a, input.details));
    return undefined;
  },

  RecordActivityTaskHeartbeat: (core, _ctx, input: RecordActivityTaskHeartbeatInput) => ({
    cancelRequested: withActivity(core, input.taskToken!, (exec, a) => exec.heartbeat(a, input.details)),
  }),

  CountPendingDecisionTasks: (core, ctx, input: CountPendingDecisionTasksInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    return { count: core.executions.countQueued(domain.id, 'decision', input.taskList!.name!), truncated: false };
  },

  CountPendingActivityTasks: (core, ctx, input: CountPendingActivityTasksInput) => {
    const domain = core.requireDomain(ctx.region, input.domain!);
    return { count: core.executions.countQueued(domain.id, 'activity', input.taskList!.name!), truncated: false };
  },
};
