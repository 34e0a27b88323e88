/**
 * Helpers for multi-run scenarios: child workflows, continue-as-new, external signals and
 * cancellations, Lambda tasks. Builds on `swf-flow.ts` (polling, deciding, history).
 */
import type {
  ChildPolicy,
  Decision,
  DescribeWorkflowExecutionCommandOutput,
  HistoryEvent,
  SWF,
  WorkflowExecution,
} from '@aws-sdk/client-swf';
import { historyOf, pollDecision, type DecisionTask } from './swf-flow';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Run {
  workflowId: string;
  runId: string;
}

/** The attributes member of an event (`xxxEventAttributes`), whatever its type. */
export function attrsOf(e: HistoryEvent | undefined): Record<string, unknown> {
  if (!e?.eventType) throw new Error('no event');
  const member = e.eventType.charAt(0).toLowerCase() + e.eventType.slice(1) + 'EventAttributes';
  const a = (e as unknown as Record<string, unknown>)[member];
  if (!a) throw new Error(`${e.eventType} (event ${e.eventId}) has no ${member}`);
  return a as Record<string, unknown>;
}

/** The single event of `type` and its attributes; throws unless there is exactly one. */
export function the(events: readonly HistoryEvent[], type: string): { id: number; attrs: Record<string, unknown>; event: HistoryEvent } {
  const hits = events.filter((e) => e.eventType === type);
  if (hits.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${hits.length}: ${events.map((e) => `${e.eventId}:${e.eventType}`).join(', ')}`);
  }
  const event = hits[0]!;
  return { id: event.eventId!, attrs: attrsOf(event), event };
}

export function typesOf(events: readonly HistoryEvent[]): string[] {
  return events.map((e) => e.eventType!);
}

/** Events the decider has not seen yet: after the previous decision task's DecisionTaskStarted. */
export function newEvents(task: DecisionTask): HistoryEvent[] {
  const prev = task.previousStartedEventId ?? 0;
  return task.events.filter((e) => e.eventId! > prev);
}

/** Polls the history of `execution` until `check` accepts it; returns that history. */
export async function historyUntil(
  swf: SWF,
  domain: string,
  execution: WorkflowExecution,
  check: (events: HistoryEvent[]) => boolean,
  what = 'a history change',
  timeoutMs = 10_000,
): Promise<HistoryEvent[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const events = await historyOf(swf, domain, execution);
    if (check(events)) return events;
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what} in ${execution.workflowId}: ${events.map((e) => e.eventType).join(', ')}`);
    }
    await sleep(100);
  }
}

/** Waits until the run's history has an event of `type`; returns the history. */
export function historyWith(swf: SWF, domain: string, execution: WorkflowExecution, type: string, timeoutMs?: number): Promise<HistoryEvent[]> {
  return historyUntil(swf, domain, execution, (es) => es.some((e) => e.eventType === type), type, timeoutMs);
}

export function describeRun(swf: SWF, domain: string, execution: WorkflowExecution): Promise<DescribeWorkflowExecutionCommandOutput> {
  return swf.describeWorkflowExecution({ domain, execution });
}

/** Polls a decision task on `taskList`, answers it with `decisions(task)`, returns the task. */
export async function decideWith(
  swf: SWF,
  domain: string,
  taskList: string,
  decisions: (task: DecisionTask) => Decision[],
): Promise<DecisionTask> {
  const task = await pollDecision(swf, domain, taskList);
  await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: decisions(task) });
  return task;
}

/** Workflow type defaults for RegisterWorkflowType. */
export interface WorkflowDefaults {
  defaultTaskList?: { name: string };
  defaultExecutionStartToCloseTimeout?: string;
  defaultTaskStartToCloseTimeout?: string;
  defaultChildPolicy?: ChildPolicy;
  defaultTaskPriority?: string;
  defaultLambdaRole?: string;
}

export async function registerWorkflow(swf: SWF, domain: string, name: string, version: string, defaults: WorkflowDefaults = {}): Promise<{ name: string; version: string }> {
  await swf.registerWorkflowType({ domain, name, version, ...defaults });
  return { name, version };
}

export interface ChildOptions {
  workflowType?: { name: string; version: string };
  input?: string;
  control?: string;
  executionStartToCloseTimeout?: string;
  taskList?: string;
  taskPriority?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  lambdaRole?: string;
}

export interface ContinueOptions {
  input?: string;
  executionStartToCloseTimeout?: string;
  taskList?: string;
  taskPriority?: string;
  taskStartToCloseTimeout?: string;
  childPolicy?: ChildPolicy;
  tagList?: string[];
  workflowTypeVersion?: string;
  lambdaRole?: string;
}

/** Builders for the decisions that reach beyond one run. */
export const dx = {
  startChild(workflowId: string, o: ChildOptions = {}): Decision {
    const { taskList, workflowType, ...rest } = o;
    return {
      decisionType: 'StartChildWorkflowExecution',
      startChildWorkflowExecutionDecisionAttributes: {
        workflowId,
        workflowType: workflowType ?? { name: 'Flow', version: '1' },
        ...(taskList !== undefined ? { taskList: { name: taskList } } : {}),
        ...rest,
      },
    };
  },
  continueAsNew(o: ContinueOptions = {}): Decision {
    const { taskList, ...rest } = o;
    return {
      decisionType: 'ContinueAsNewWorkflowExecution',
      continueAsNewWorkflowExecutionDecisionAttributes: { ...(taskList !== undefined ? { taskList: { name: taskList } } : {}), ...rest },
    };
  },
  signal(workflowId: string, signalName: string, o: { runId?: string; input?: string; control?: string } = {}): Decision {
    return { decisionType: 'SignalExternalWorkflowExecution', signalExternalWorkflowExecutionDecisionAttributes: { workflowId, signalName, ...o } };
  },
  cancelExternal(workflowId: string, o: { runId?: string; control?: string } = {}): Decision {
    return { decisionType: 'RequestCancelExternalWorkflowExecution', requestCancelExternalWorkflowExecutionDecisionAttributes: { workflowId, ...o } };
  },
  lambda(id: string, name: string, o: { input?: string; control?: string; startToCloseTimeout?: string } = {}): Decision {
    return { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id, name, ...o } };
  },
};
