/**
 * The chaos workload's workflows, written with lib/decider so that every history the run leaves
 * behind can be replayed through the same code afterwards (a non-deterministic decision would
 * show up as a replay mismatch). One workflow type covers the mix; its input names the shape.
 */
import type { SWF } from '@aws-sdk/client-swf';
import { defineWorkflow, type RetryPolicy, type WorkflowContext } from '../../lib/decider';

export const DOMAIN = 'chaos';
export const FLOW = { name: 'ChaosFlow', version: '1' } as const;
export const CHILD = { name: 'ChaosChild', version: '1' } as const;
export const WORK = { name: 'ChaosWork', version: '1' } as const;
export const DECISION_LIST = 'chaos-deciders';
export const ACTIVITY_LIST = 'chaos-work';
export const LAMBDA_FUNCTION = 'chaos-echo';
/** Any role ARN: swf-local only checks that one is set. */
export const LAMBDA_ROLE = 'arn:aws:iam::123456789012:role/chaos-lambda';

/**
 * Short timeouts so that work abandoned by a killed poller or cut by a killed engine times out
 * and is retried within seconds.
 */
export const TIMEOUTS = { decisionTask: 5, activityStartToClose: 8, activityHeartbeat: 3, activityScheduleToStart: 30, lambda: 5 } as const;

/** Generous retries: a task may be lost to several faults in a row. */
const RETRY: RetryPolicy = { maxAttempts: 12, initialIntervalSeconds: 1, backoffCoefficient: 1.5, maximumIntervalSeconds: 4 };

export const SHAPES = ['activity', 'timer', 'lambda', 'child', 'continue', 'signal', 'cancel'] as const;
export type Shape = (typeof SHAPES)[number];

export interface FlowInput {
  shape: Shape;
  /** The run's workflowId (a history does not name it; a child's id is derived from it). */
  id: string;
  /** Continue-as-new generation, 0 for the first run. */
  gen?: number;
  /** How long the activity worker spends (and heartbeats) on the task. */
  workMs?: number;
  timerSeconds?: number;
}

/** What the activity worker gets: how long to work, heartbeating meanwhile. */
export interface WorkInput {
  workMs: number;
}

export const SIGNAL_NAME = 'go';
/** A run of shape `signal` waits this long for its signal before giving up on it and completing. */
export const SIGNAL_FALLBACK_SECONDS = 120;
/** A run of shape `cancel` sleeps this long unless it is canceled first. */
export const CANCEL_SLEEP_SECONDS = 300;
export const CONTINUE_GENERATIONS = 3;

function work(ctx: WorkflowContext<FlowInput>, key: string, workMs: number) {
  return ctx.task<{ workedMs: number }>(key, {
    kind: 'activity',
    name: WORK.name,
    version: WORK.version,
    input: { workMs } satisfies WorkInput,
    taskList: ACTIVITY_LIST,
    startToCloseTimeout: TIMEOUTS.activityStartToClose,
    heartbeatTimeout: TIMEOUTS.activityHeartbeat,
    scheduleToStartTimeout: TIMEOUTS.activityScheduleToStart,
    scheduleToCloseTimeout: 'NONE',
    retry: RETRY,
  });
}

/** Closes the run after `handle`: completes on success, fails with the task's failure otherwise. */
function closeAfter(ctx: WorkflowContext<FlowInput>, handle: { status: string; failure?: { reason: string; details?: string } }, result: unknown): void {
  if (handle.status === 'completed') ctx.complete(result);
  else if (handle.status === 'failed' || handle.status === 'canceled') ctx.fail(handle.failure?.reason ?? 'Failed', handle.failure?.details);
}

export const chaosFlow = defineWorkflow<FlowInput>({
  name: FLOW.name,
  decide(ctx) {
    const input = ctx.input;
    switch (input.shape) {
      case 'activity':
        return closeAfter(ctx, work(ctx, 'work', input.workMs ?? 500), 'worked');
      case 'timer': {
        const t = ctx.timer('pause', input.timerSeconds ?? 1);
        if (t.status === 'fired') ctx.complete('slept');
        else if (t.status !== 'running') ctx.fail('TimerFailed', t.status);
        return;
      }
      case 'lambda': {
        const l = ctx.task<unknown>('echo', { kind: 'lambda', name: LAMBDA_FUNCTION, input: { n: 1 }, startToCloseTimeout: TIMEOUTS.lambda, retry: RETRY });
        return closeAfter(ctx, l, 'echoed');
      }
      case 'child':
        return decideParent(ctx);
      case 'continue': {
        const gen = input.gen ?? 0;
        const t = ctx.timer('between', 1);
        if (t.status !== 'fired') return;
        if (gen + 1 >= CONTINUE_GENERATIONS) ctx.complete({ generations: gen + 1 });
        else ctx.continueAsNew({ ...input, gen: gen + 1 } satisfies FlowInput);
        return;
      }
      case 'signal': {
        const got = ctx.signals(SIGNAL_NAME).length > 0;
        const fallback = ctx.timer('fallback', SIGNAL_FALLBACK_SECONDS);
        if (got) {
          // The fallback timer is left to SWF: closing a run drops its open timers.
          return closeAfter(ctx, work(ctx, 'after-signal', 200), 'signaled');
        }
        if (fallback.status === 'fired') ctx.complete('no signal');
        return;
      }
      case 'cancel': {
        // Sleeps until canceled; the runner's automatic cancellation closes it CANCELED.
        const t = ctx.timer('sleep', CANCEL_SLEEP_SECONDS);
        if (t.status === 'fired') ctx.complete('not canceled');
        return;
      }
      default: {
        const unknown: never = input.shape;
        ctx.fail('UnknownShape', String(unknown));
      }
    }
  },
});

/** Starts one child (its workflowId is derived from the parent's, so replays name the same one) and waits for it. */
function decideParent(ctx: WorkflowContext<FlowInput>): void {
  const childId = `${ctx.input.id}.child`;
  const child = ctx.view.children.get(childId);
  if (!child) {
    ctx.emit({
      decisionType: 'StartChildWorkflowExecution',
      startChildWorkflowExecutionDecisionAttributes: {
        workflowType: { ...CHILD },
        workflowId: childId,
        input: JSON.stringify({ shape: 'activity', id: childId, workMs: 300 } satisfies FlowInput),
        taskList: { name: DECISION_LIST },
        childPolicy: 'TERMINATE',
        executionStartToCloseTimeout: '3600',
        taskStartToCloseTimeout: String(TIMEOUTS.decisionTask),
      },
    });
    return;
  }
  if (child.open) return;
  if (child.state === 'completed') ctx.complete('child completed');
  else ctx.fail('ChildDidNotComplete', child.state);
}

/** The child runs one activity with a short timer before it. */
export const chaosChild = defineWorkflow<FlowInput>({
  name: CHILD.name,
  decide(ctx) {
    const t = ctx.timer('warm-up', 1);
    if (t.status !== 'fired') return;
    closeAfter(ctx, work(ctx, 'child-work', ctx.input.workMs ?? 300), 'child worked');
  },
});

/** The definition that decides for a workflow type name. */
export function workflowFor(typeName: string | undefined) {
  return typeName === CHILD.name ? chaosChild : chaosFlow;
}

/** Registers the domain and types (idempotent: a restarted run finds them in place). */
export async function registerChaosTypes(swf: SWF): Promise<void> {
  const ignoreExisting = (e: unknown) => {
    const name = (e as { name?: string }).name;
    if (name !== 'DomainAlreadyExistsFault' && name !== 'TypeAlreadyExistsFault') throw e;
  };
  await swf.registerDomain({ name: DOMAIN, workflowExecutionRetentionPeriodInDays: '1' }).catch(ignoreExisting);
  for (const type of [FLOW, CHILD]) {
    await swf
      .registerWorkflowType({
        domain: DOMAIN,
        ...type,
        defaultTaskList: { name: DECISION_LIST },
        defaultExecutionStartToCloseTimeout: '3600',
        defaultTaskStartToCloseTimeout: String(TIMEOUTS.decisionTask),
        defaultChildPolicy: 'TERMINATE',
        defaultLambdaRole: LAMBDA_ROLE,
      })
      .catch(ignoreExisting);
  }
  await swf.registerActivityType({ domain: DOMAIN, ...WORK, defaultTaskList: { name: ACTIVITY_LIST } }).catch(ignoreExisting);
}
