import {
  SWFServiceException,
  type Decision,
  type EventType,
  type HistoryEvent,
  type PollForActivityTaskCommandOutput,
  type PollForDecisionTaskCommandOutput,
  type SWF,
  type WorkflowExecution,
} from '@aws-sdk/client-swf';
import { unique } from './engine';

/** Runs `promise`, expects it to reject, and returns the error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Expects `promise` to reject with an instance of the SDK fault class `cls`, optionally with a
 * message equal to (string) or matching (RegExp) `message`. Returns the error.
 */
export async function expectFault<T extends Error>(
  promise: Promise<unknown>,
  cls: abstract new (...args: never[]) => T,
  message?: string | RegExp,
): Promise<T> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(cls);
  const e = error as T;
  expect(e.name).toBe(cls.name);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  return e;
}

/** Expects an unmodelled ValidationException (an SWFServiceException named ValidationException). */
export async function expectValidation(promise: Promise<unknown>, message?: string | RegExp): Promise<SWFServiceException> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(SWFServiceException);
  const e = error as SWFServiceException;
  expect(e.name).toBe('ValidationException');
  if (typeof message === 'string') expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  return e;
}

/** A run's identity with both ids known. */
export interface RunRef {
  workflowId: string;
  runId: string;
}

export interface StartOptions {
  workflowId?: string;
  type?: { name: string; version: string };
  taskList?: string;
  input?: string;
  tagList?: string[];
  taskPriority?: string;
}

/** Starts a run of Flow/1 (from registerBasics) unless told otherwise. */
export async function startRun(swf: SWF, domain: string, opts: StartOptions = {}): Promise<RunRef> {
  const workflowId = opts.workflowId ?? unique('wf');
  const out = await swf.startWorkflowExecution({
    domain,
    workflowId,
    workflowType: opts.type ?? { name: 'Flow', version: '1' },
    ...(opts.taskList !== undefined ? { taskList: { name: opts.taskList } } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.tagList !== undefined ? { tagList: opts.tagList } : {}),
    ...(opts.taskPriority !== undefined ? { taskPriority: opts.taskPriority } : {}),
  });
  expect(out.runId).toBeTruthy();
  return { workflowId, runId: out.runId! };
}

export type DecisionTask = PollForDecisionTaskCommandOutput & { taskToken: string; events: HistoryEvent[] };
export type ActivityTask = PollForActivityTaskCommandOutput & { taskToken: string };

/** Polls one decision task and fails the test when the poll comes back empty. */
export async function pollDecision(
  swf: SWF,
  domain: string,
  taskList = 'default',
  extra: { maximumPageSize?: number; reverseOrder?: boolean; startAtPreviousStartedEvent?: boolean; identity?: string } = {},
): Promise<DecisionTask> {
  const task = await swf.pollForDecisionTask({ domain, taskList: { name: taskList }, ...extra });
  if (!task.taskToken) throw new Error(`expected a decision task on ${domain}/${taskList}, the poll was empty`);
  return task as DecisionTask;
}

/** Polls one activity task and fails the test when the poll comes back empty. */
export async function pollActivity(swf: SWF, domain: string, taskList = 'default', identity?: string): Promise<ActivityTask> {
  const task = await swf.pollForActivityTask({ domain, taskList: { name: taskList }, ...(identity ? { identity } : {}) });
  if (!task.taskToken) throw new Error(`expected an activity task on ${domain}/${taskList}, the poll was empty`);
  return task as ActivityTask;
}

/** Polls the run's decision task and answers it with `decisions`. */
export async function decide(
  swf: SWF,
  domain: string,
  decisions: Decision[],
  taskList = 'default',
  executionContext?: string,
): Promise<DecisionTask> {
  const task = await pollDecision(swf, domain, taskList);
  await swf.respondDecisionTaskCompleted({
    taskToken: task.taskToken,
    decisions,
    ...(executionContext !== undefined ? { executionContext } : {}),
  });
  return task;
}

/** The run's whole history, following every page. */
export async function historyOf(swf: SWF, domain: string, execution: WorkflowExecution): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await swf.getWorkflowExecutionHistory({ domain, execution, ...(nextPageToken ? { nextPageToken } : {}) });
    events.push(...(page.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

export function eventTypes(events: readonly HistoryEvent[]): (EventType | string | undefined)[] {
  return events.map((e) => e.eventType);
}

export function eventsOf(events: readonly HistoryEvent[], type: EventType | string): HistoryEvent[] {
  return events.filter((e) => e.eventType === type);
}

/** The single event of `type`; fails the test when there is none or more than one. */
export function onlyEvent(events: readonly HistoryEvent[], type: EventType | string): HistoryEvent {
  const found = eventsOf(events, type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

export function lastEvent(events: readonly HistoryEvent[]): HistoryEvent {
  const e = events[events.length - 1];
  if (!e) throw new Error('empty history');
  return e;
}

/** Decision builders for the part-1 decisions. */
export const d = {
  schedule(activityId: string, extra: Record<string, unknown> = {}, type = { name: 'Work', version: '1' }): Decision {
    return {
      decisionType: 'ScheduleActivityTask',
      scheduleActivityTaskDecisionAttributes: { activityType: type, activityId, ...extra },
    };
  },
  cancelActivity(activityId: string): Decision {
    return { decisionType: 'RequestCancelActivityTask', requestCancelActivityTaskDecisionAttributes: { activityId } };
  },
  complete(result?: string): Decision {
    return {
      decisionType: 'CompleteWorkflowExecution',
      completeWorkflowExecutionDecisionAttributes: result !== undefined ? { result } : {},
    };
  },
  fail(reason?: string, details?: string): Decision {
    return { decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason, details } };
  },
  cancel(details?: string): Decision {
    return { decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: { details } };
  },
  marker(markerName: string, details?: string): Decision {
    return { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName, details } };
  },
  timer(timerId: string, startToFireTimeout: string, control?: string): Decision {
    return { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId, startToFireTimeout, control } };
  },
  cancelTimer(timerId: string): Decision {
    return { decisionType: 'CancelTimer', cancelTimerDecisionAttributes: { timerId } };
  },
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
