import type { HistoryEvent } from '@aws-sdk/client-swf';
import { ALL_EVENT_TYPES, DeciderError, attemptsOf, buildView, markerOf, openTasks, openTimers, parseTaskId, taskId, toMillis } from '../../../lib/decider';
import { HistoryBuilder, T0 } from './history-builder';

/** One history holding every one of the 54 event types, linked the way SWF links them. */
function everyEventType(): HistoryEvent[] {
  const h = new HistoryBuilder({ tickMs: 1000 });
  const dtc = 4;
  h.add('WorkflowExecutionStarted', { input: '{"n":1}', childPolicy: 'TERMINATE', taskList: { name: 'd' }, workflowType: { name: 'W', version: '1' }, lambdaRole: 'role', tagList: ['a'] }); // 1
  h.add('DecisionTaskScheduled', { taskList: { name: 'd' } }); // 2
  h.add('DecisionTaskStarted', { scheduledEventId: 2, identity: 'me' }); // 3
  h.add('DecisionTaskCompleted', { scheduledEventId: 2, startedEventId: 3, executionContext: 'ctx-1' }); // 4
  // activities
  h.add('ActivityTaskScheduled', { activityId: 'a1', activityType: { name: 'A', version: '1' }, taskList: { name: 'w' }, input: '"in"', startToCloseTimeout: '30', decisionTaskCompletedEventId: dtc }); // 5
  h.add('ScheduleActivityTaskFailed', { activityId: 'bad', activityType: { name: 'Nope', version: '1' }, cause: 'ACTIVITY_TYPE_DOES_NOT_EXIST', decisionTaskCompletedEventId: dtc }); // 6
  h.add('ActivityTaskStarted', { scheduledEventId: 5, identity: 'w1' }); // 7
  h.add('ActivityTaskCancelRequested', { activityId: 'a1', decisionTaskCompletedEventId: dtc }); // 8
  h.add('RequestCancelActivityTaskFailed', { activityId: 'ghost', cause: 'ACTIVITY_ID_UNKNOWN', decisionTaskCompletedEventId: dtc }); // 9
  h.add('ActivityTaskCanceled', { scheduledEventId: 5, startedEventId: 7, latestCancelRequestedEventId: 8, details: 'stopped' }); // 10
  h.add('ActivityTaskScheduled', { activityId: 'a2', activityType: { name: 'A', version: '1' }, taskList: { name: 'w' }, decisionTaskCompletedEventId: dtc }); // 11
  h.add('ActivityTaskCompleted', { scheduledEventId: 11, startedEventId: 0, result: '{"ok":true}' }); // 12
  h.add('ActivityTaskScheduled', { activityId: 'a3', activityType: { name: 'A', version: '1' }, taskList: { name: 'w' }, decisionTaskCompletedEventId: dtc }); // 13
  h.add('ActivityTaskFailed', { scheduledEventId: 13, startedEventId: 0, reason: 'Boom', details: 'it broke' }); // 14
  h.add('ActivityTaskScheduled', { activityId: 'a4', activityType: { name: 'A', version: '1' }, taskList: { name: 'w' }, decisionTaskCompletedEventId: dtc }); // 15
  h.add('ActivityTaskTimedOut', { scheduledEventId: 15, startedEventId: 0, timeoutType: 'SCHEDULE_TO_START' }); // 16
  // timers
  h.add('TimerStarted', { timerId: 't1', startToFireTimeout: '5', decisionTaskCompletedEventId: dtc }); // 17
  h.add('StartTimerFailed', { timerId: 't2', cause: 'TIMER_CREATION_RATE_EXCEEDED', decisionTaskCompletedEventId: dtc }); // 18
  h.add('TimerFired', { timerId: 't1', startedEventId: 17 }); // 19
  h.add('TimerStarted', { timerId: 't3', startToFireTimeout: '60', decisionTaskCompletedEventId: dtc }); // 20
  h.add('TimerCanceled', { timerId: 't3', startedEventId: 20, decisionTaskCompletedEventId: dtc }); // 21
  h.add('CancelTimerFailed', { timerId: 't9', cause: 'TIMER_ID_UNKNOWN', decisionTaskCompletedEventId: dtc }); // 22
  // markers, signals, cancel requests
  h.add('MarkerRecorded', { markerName: 'm', details: '[1]', decisionTaskCompletedEventId: dtc }); // 23
  h.add('RecordMarkerFailed', { markerName: 'm2', cause: 'OPERATION_NOT_PERMITTED', decisionTaskCompletedEventId: dtc }); // 24
  h.add('WorkflowExecutionSignaled', { signalName: 'poke', input: 'x', externalWorkflowExecution: { workflowId: 'other', runId: 'r' }, externalInitiatedEventId: 9 }); // 25
  h.add('WorkflowExecutionCancelRequested', { cause: 'CHILD_POLICY_APPLIED' }); // 26
  // children
  h.add('StartChildWorkflowExecutionInitiated', { workflowId: 'c1', workflowType: { name: 'C', version: '1' }, taskList: { name: 'd' }, childPolicy: 'TERMINATE', decisionTaskCompletedEventId: dtc }); // 27
  h.add('ChildWorkflowExecutionStarted', { workflowExecution: { workflowId: 'c1', runId: 'rc1' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 27 }); // 28
  h.add('ChildWorkflowExecutionCompleted', { workflowExecution: { workflowId: 'c1', runId: 'rc1' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 27, startedEventId: 28, result: '"done"' }); // 29
  h.add('StartChildWorkflowExecutionInitiated', { workflowId: 'c2', workflowType: { name: 'C', version: '1' }, taskList: { name: 'd' }, childPolicy: 'TERMINATE', decisionTaskCompletedEventId: dtc }); // 30
  h.add('ChildWorkflowExecutionFailed', { workflowExecution: { workflowId: 'c2', runId: 'rc2' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 30, startedEventId: 0, reason: 'Bad', details: 'd' }); // 31
  h.add('StartChildWorkflowExecutionInitiated', { workflowId: 'c3', workflowType: { name: 'C', version: '1' }, taskList: { name: 'd' }, childPolicy: 'TERMINATE', decisionTaskCompletedEventId: dtc }); // 32
  h.add('ChildWorkflowExecutionTimedOut', { workflowExecution: { workflowId: 'c3', runId: 'rc3' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 32, startedEventId: 0, timeoutType: 'START_TO_CLOSE' }); // 33
  h.add('StartChildWorkflowExecutionInitiated', { workflowId: 'c4', workflowType: { name: 'C', version: '1' }, taskList: { name: 'd' }, childPolicy: 'TERMINATE', decisionTaskCompletedEventId: dtc }); // 34
  h.add('ChildWorkflowExecutionCanceled', { workflowExecution: { workflowId: 'c4', runId: 'rc4' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 34, startedEventId: 0 }); // 35
  h.add('StartChildWorkflowExecutionInitiated', { workflowId: 'c5', workflowType: { name: 'C', version: '1' }, taskList: { name: 'd' }, childPolicy: 'TERMINATE', decisionTaskCompletedEventId: dtc }); // 36
  h.add('ChildWorkflowExecutionTerminated', { workflowExecution: { workflowId: 'c5', runId: 'rc5' }, workflowType: { name: 'C', version: '1' }, initiatedEventId: 36, startedEventId: 0 }); // 37
  h.add('StartChildWorkflowExecutionFailed', { workflowId: 'c6', workflowType: { name: 'Nope', version: '1' }, cause: 'WORKFLOW_TYPE_DOES_NOT_EXIST', initiatedEventId: 0, decisionTaskCompletedEventId: dtc }); // 38
  // external signals and cancels
  h.add('SignalExternalWorkflowExecutionInitiated', { workflowId: 'x1', signalName: 's', decisionTaskCompletedEventId: dtc }); // 39
  h.add('ExternalWorkflowExecutionSignaled', { workflowExecution: { workflowId: 'x1', runId: 'rx1' }, initiatedEventId: 39 }); // 40
  h.add('SignalExternalWorkflowExecutionInitiated', { workflowId: 'x2', signalName: 's', decisionTaskCompletedEventId: dtc }); // 41
  h.add('SignalExternalWorkflowExecutionFailed', { workflowId: 'x2', cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', initiatedEventId: 41, decisionTaskCompletedEventId: dtc }); // 42
  h.add('RequestCancelExternalWorkflowExecutionInitiated', { workflowId: 'x3', decisionTaskCompletedEventId: dtc }); // 43
  h.add('ExternalWorkflowExecutionCancelRequested', { workflowExecution: { workflowId: 'x3', runId: 'rx3' }, initiatedEventId: 43 }); // 44
  h.add('RequestCancelExternalWorkflowExecutionInitiated', { workflowId: 'x4', decisionTaskCompletedEventId: dtc }); // 45
  h.add('RequestCancelExternalWorkflowExecutionFailed', { workflowId: 'x4', cause: 'UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION', initiatedEventId: 45, decisionTaskCompletedEventId: dtc }); // 46
  // Lambda tasks
  h.add('LambdaFunctionScheduled', { id: 'l1', name: 'fn', input: '{}', startToCloseTimeout: '60', decisionTaskCompletedEventId: dtc }); // 47
  h.add('LambdaFunctionStarted', { scheduledEventId: 47 }); // 48
  h.add('LambdaFunctionCompleted', { scheduledEventId: 47, startedEventId: 48, result: '42' }); // 49
  h.add('LambdaFunctionScheduled', { id: 'l2', name: 'fn', decisionTaskCompletedEventId: dtc }); // 50
  h.add('LambdaFunctionFailed', { scheduledEventId: 50, startedEventId: 0, reason: 'TypeError', details: 'x is undefined' }); // 51
  h.add('LambdaFunctionScheduled', { id: 'l3', name: 'fn', decisionTaskCompletedEventId: dtc }); // 52
  h.add('LambdaFunctionTimedOut', { scheduledEventId: 52, startedEventId: 0, timeoutType: 'START_TO_CLOSE' }); // 53
  h.add('LambdaFunctionScheduled', { id: 'l4', name: 'fn', decisionTaskCompletedEventId: dtc }); // 54
  h.add('StartLambdaFunctionFailed', { scheduledEventId: 54, cause: 'ASSUME_ROLE_FAILED', message: 'no role' }); // 55
  h.add('ScheduleLambdaFunctionFailed', { id: 'l5', name: 'fn', cause: 'ID_ALREADY_IN_USE', decisionTaskCompletedEventId: dtc }); // 56
  // decision task timeout, close failures
  h.add('DecisionTaskScheduled', { taskList: { name: 'd' } }); // 57
  h.add('DecisionTaskStarted', { scheduledEventId: 57 }); // 58
  h.add('DecisionTaskTimedOut', { scheduledEventId: 57, startedEventId: 58, timeoutType: 'START_TO_CLOSE' }); // 59
  h.add('CompleteWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc }); // 60
  h.add('FailWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc }); // 61
  h.add('CancelWorkflowExecutionFailed', { cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: dtc }); // 62
  h.add('ContinueAsNewWorkflowExecutionFailed', { cause: 'WORKFLOW_TYPE_DEPRECATED', decisionTaskCompletedEventId: dtc }); // 63
  // every closing event (a real history has one; the reducer keeps the last)
  h.add('WorkflowExecutionTimedOut', { timeoutType: 'START_TO_CLOSE', childPolicy: 'TERMINATE' }); // 64
  h.add('WorkflowExecutionTerminated', { childPolicy: 'TERMINATE', reason: 'operator', cause: 'OPERATOR_INITIATED' }); // 65
  h.add('WorkflowExecutionContinuedAsNew', { newExecutionRunId: 'r2', taskList: { name: 'd' }, childPolicy: 'TERMINATE', workflowType: { name: 'W', version: '1' }, decisionTaskCompletedEventId: dtc }); // 66
  h.add('WorkflowExecutionCanceled', { details: 'c', decisionTaskCompletedEventId: dtc }); // 67
  h.add('WorkflowExecutionFailed', { reason: 'R', details: 'D', decisionTaskCompletedEventId: dtc }); // 68
  h.add('WorkflowExecutionCompleted', { result: '"ok"', decisionTaskCompletedEventId: dtc }); // 69
  return h.events;
}

describe('ALL_EVENT_TYPES', () => {
  it('lists the 54 SWF event types once each', () => {
    expect(ALL_EVENT_TYPES).toHaveLength(54);
    expect(new Set(ALL_EVENT_TYPES).size).toBe(54);
  });
});

describe('buildView over every event type', () => {
  const history = everyEventType();
  const view = buildView(history);

  it('covers all 54 types and knows each of them', () => {
    expect(new Set(history.map((e) => e.eventType))).toEqual(new Set(ALL_EVENT_TYPES));
    expect(view.unknownEvents).toEqual([]);
    expect(view.historyLength).toBe(69);
  });

  it('reads the execution from WorkflowExecutionStarted', () => {
    expect(view.input).toBe('{"n":1}');
    expect(view.execution).toMatchObject({ workflowType: { name: 'W', version: '1' }, taskList: 'd', childPolicy: 'TERMINATE', lambdaRole: 'role', tagList: ['a'], startedAt: T0 });
  });

  it('tracks activities through every outcome', () => {
    const t = (id: string) => view.tasks.get(id)!;
    expect(t('a1')).toMatchObject({ kind: 'activity', state: 'canceled', open: false, cancelRequested: true, startedEventId: 7, closedEventId: 10, startToCloseTimeout: 30, input: '"in"', name: 'A', version: '1' });
    expect(t('a1').failure).toEqual({ type: 'canceled', reason: 'Canceled', details: 'stopped' });
    expect(t('a2')).toMatchObject({ state: 'completed', result: '{"ok":true}' });
    expect(t('a3')).toMatchObject({ state: 'failed', failure: { type: 'error', reason: 'Boom', details: 'it broke' } });
    expect(t('a4')).toMatchObject({ state: 'timedOut', failure: { type: 'timeout', reason: 'SCHEDULE_TO_START' } });
    expect(t('bad')).toMatchObject({ state: 'scheduleFailed', failure: { type: 'scheduleFailed', reason: 'ACTIVITY_TYPE_DOES_NOT_EXIST' } });
    // times are the event timestamps as epoch ms (1 s per event here)
    expect(t('a1')).toMatchObject({ scheduledAt: T0 + 4000, startedAt: T0 + 6000, closedAt: T0 + 9000 });
  });

  it('tracks Lambda tasks through every outcome', () => {
    const t = (id: string) => view.tasks.get(id)!;
    expect(t('l1')).toMatchObject({ kind: 'lambda', name: 'fn', state: 'completed', result: '42', startToCloseTimeout: 60 });
    expect(t('l2')).toMatchObject({ state: 'failed', failure: { type: 'error', reason: 'TypeError', details: 'x is undefined' } });
    expect(t('l3')).toMatchObject({ state: 'timedOut', failure: { type: 'timeout', reason: 'START_TO_CLOSE' } });
    expect(t('l4')).toMatchObject({ state: 'startFailed', failure: { type: 'startFailed', reason: 'ASSUME_ROLE_FAILED', details: 'no role' } });
    expect(t('l5')).toMatchObject({ state: 'scheduleFailed', failure: { reason: 'ID_ALREADY_IN_USE' } });
    expect(openTasks(view)).toEqual([]);
  });

  it('tracks timers, markers, signals and cancel requests', () => {
    expect(view.timers.get('t1')).toMatchObject({ state: 'fired', startToFireTimeout: 5, fireAt: T0 + 16_000 + 5000, closedAt: T0 + 18_000 });
    expect(view.timers.get('t2')).toMatchObject({ state: 'startFailed', cause: 'TIMER_CREATION_RATE_EXCEEDED' });
    expect(view.timers.get('t3')).toMatchObject({ state: 'canceled', open: false });
    expect(openTimers(view)).toEqual([]);
    expect(markerOf(view, 'm')).toMatchObject({ details: '[1]', eventId: 23 });
    expect(view.signals).toEqual([{ name: 'poke', input: 'x', eventId: 25, at: T0 + 24_000, external: { workflowId: 'other', runId: 'r', initiatedEventId: 9 } }]);
    expect(view.cancelRequested).toBe(true);
    expect(view.cancelRequests[0]).toMatchObject({ eventId: 26, cause: 'CHILD_POLICY_APPLIED' });
  });

  it('tracks children and external requests', () => {
    const states = Object.fromEntries([...view.children.values()].map((c) => [c.workflowId, c.state]));
    expect(states).toEqual({ c1: 'completed', c2: 'failed', c3: 'timedOut', c4: 'canceled', c5: 'terminated', c6: 'startFailed' });
    expect(view.children.get('c1')).toMatchObject({ runId: 'rc1', result: '"done"' });
    expect(view.externalRequests.map((r) => [r.kind, r.workflowId, r.state])).toEqual([
      ['signal', 'x1', 'delivered'],
      ['signal', 'x2', 'failed'],
      ['cancel', 'x3', 'delivered'],
      ['cancel', 'x4', 'failed'],
    ]);
  });

  it('lists every refused decision', () => {
    expect(view.decisionFailures.map((f) => `${f.decisionType}:${f.cause}`)).toEqual([
      'ScheduleActivityTask:ACTIVITY_TYPE_DOES_NOT_EXIST',
      'RequestCancelActivityTask:ACTIVITY_ID_UNKNOWN',
      'StartTimer:TIMER_CREATION_RATE_EXCEEDED',
      'CancelTimer:TIMER_ID_UNKNOWN',
      'RecordMarker:OPERATION_NOT_PERMITTED',
      'StartChildWorkflowExecution:WORKFLOW_TYPE_DOES_NOT_EXIST',
      'SignalExternalWorkflowExecution:UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION',
      'RequestCancelExternalWorkflowExecution:UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION',
      'ScheduleLambdaFunction:ID_ALREADY_IN_USE',
      'CompleteWorkflowExecution:UNHANDLED_DECISION',
      'FailWorkflowExecution:UNHANDLED_DECISION',
      'CancelWorkflowExecution:UNHANDLED_DECISION',
      'ContinueAsNewWorkflowExecution:WORKFLOW_TYPE_DEPRECATED',
    ]);
  });

  it('keeps decision-task bookkeeping and the close', () => {
    expect(view.decisionTasks).toMatchObject({ scheduled: 2, completed: 1, timedOut: 1, previousStartedEventId: 3, latestExecutionContext: 'ctx-1' });
    expect(view.decisionTasks.current).toBeUndefined();
    expect(view.decisionTasks.newEvents[0]?.eventId).toBe(4);
    expect(view.closed).toMatchObject({ status: 'COMPLETED', eventId: 69, result: '"ok"' });
  });
});

describe('HistoryBuilder', () => {
  it('writes contiguous ids and keeps one decision task outstanding, like the engine', () => {
    const h = new HistoryBuilder().start();
    h.poll();
    h.signal('a').signal('b'); // while the task is started: one pending DecisionTaskScheduled, not two
    h.respond([{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} }]);
    const events = h.events;
    events.forEach((e, i) => expect(e.eventId).toBe(i + 1));
    expect(events.map((e) => e.eventType)).toEqual([
      'WorkflowExecutionStarted',
      'DecisionTaskScheduled',
      'DecisionTaskStarted',
      'WorkflowExecutionSignaled',
      'DecisionTaskScheduled',
      'WorkflowExecutionSignaled',
      'DecisionTaskCompleted',
      'CompleteWorkflowExecutionFailed',
    ]);
    expect(events[7]?.completeWorkflowExecutionFailedEventAttributes).toEqual({ cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: 7 });
    expect(h.closed).toBe(false);
  });
});

describe('buildView details', () => {
  it('groups attempts by task key and parses attempt ids', () => {
    const h = new HistoryBuilder().start();
    h.poll();
    h.respond([
      { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'job', name: 'fn' } },
      { decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'other', name: 'fn' } },
    ]);
    h.lambdaFailed('job', 'Oops');
    h.poll();
    h.respond([{ decisionType: 'ScheduleLambdaFunction', scheduleLambdaFunctionDecisionAttributes: { id: 'job#2', name: 'fn' } }]);
    const view = buildView(h.events);
    expect(attemptsOf(view, 'job').map((t) => [t.id, t.attempt, t.state])).toEqual([
      ['job', 1, 'failed'],
      ['job#2', 2, 'scheduled'],
    ]);
    expect(attemptsOf(view, 'job', 'activity')).toEqual([]);
    expect(taskId('x', 1)).toBe('x');
    expect(taskId('x', 3)).toBe('x#3');
    expect(parseTaskId('a#b#12')).toEqual({ key: 'a#b', attempt: 12 });
    expect(parseTaskId('plain')).toEqual({ key: 'plain', attempt: 1 });
    expect(parseTaskId('#4')).toEqual({ key: '#4', attempt: 1 });
  });

  it('does not let ACTIVITY_ID_ALREADY_IN_USE overwrite the open activity', () => {
    const h = new HistoryBuilder().start();
    h.poll();
    const sched = { decisionType: 'ScheduleActivityTask' as const, scheduleActivityTaskDecisionAttributes: { activityId: 'a', activityType: { name: 'A', version: '1' } } };
    h.respond([sched]).activityStarted('a');
    h.signal('go').poll();
    h.respond([sched]);
    const view = buildView(h.events);
    expect(view.tasks.get('a')).toMatchObject({ state: 'started', open: true });
    expect(view.decisionFailures).toEqual([expect.objectContaining({ decisionType: 'ScheduleActivityTask', cause: 'ACTIVITY_ID_ALREADY_IN_USE', id: 'a' })]);
  });

  it('derives previousStartedEventId and the new events, or takes them from the poll', () => {
    const h = new HistoryBuilder().start();
    h.poll();
    h.respond([{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 't', startToFireTimeout: '1' } }]);
    h.timerFired('t');
    const events = h.poll();
    const view = buildView(events);
    expect(view.decisionTasks.previousStartedEventId).toBe(3);
    expect(view.decisionTasks.newEvents.map((e) => e.eventType)).toEqual(['DecisionTaskCompleted', 'TimerStarted', 'TimerFired', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect(view.decisionTasks.current).toEqual({ scheduledEventId: 7, startedEventId: 8, identity: 'decider' });
    expect(buildView(events, { previousStartedEventId: 6 }).decisionTasks.newEvents.map((e) => e.eventId)).toEqual([7, 8]);
  });

  it('reads timestamps from Date, ISO string (JSON) and epoch seconds (wire)', () => {
    expect(toMillis(new Date(T0))).toBe(T0);
    expect(toMillis(new Date(T0).toISOString())).toBe(T0);
    expect(toMillis(T0 / 1000 + 0.25)).toBe(T0 + 250);
    expect(toMillis(undefined)).toBe(0);
    const h = new HistoryBuilder().start();
    const fromJson = JSON.parse(JSON.stringify(h.poll())) as HistoryEvent[];
    expect(buildView(fromJson).lastEventAt).toBe(buildView(h.events).lastEventAt);
  });

  it('keeps events of unknown types aside instead of failing', () => {
    const h = new HistoryBuilder().start();
    const events = [...h.poll(), { eventId: 4, eventType: 'SomethingNew', eventTimestamp: new Date(T0) } as unknown as HistoryEvent];
    const view = buildView(events);
    expect(view.unknownEvents).toHaveLength(1);
    expect(view.historyLength).toBe(4);
  });

  it('rejects an event without its attributes, or one pointing nowhere', () => {
    const bare = [{ eventId: 1, eventType: 'ActivityTaskCompleted', eventTimestamp: new Date(T0) } as HistoryEvent];
    expect(() => buildView(bare)).toThrow(DeciderError);
    expect(() => buildView(bare)).toThrow(/history event 1 \(ActivityTaskCompleted\) has no activityTaskCompletedEventAttributes/);
    const h = new HistoryBuilder().start();
    h.add('LambdaFunctionCompleted', { scheduledEventId: 99, startedEventId: 98 });
    expect(() => buildView(h.events)).toThrow(/unknown scheduled event 99/);
  });
});
