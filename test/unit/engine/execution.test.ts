import { applyDecisions, validateDecisionBatch } from '../../../lib/engine/execution/decisions';
import { Execution } from '../../../lib/engine/execution/execution';
import type { ExecutionRecord } from '../../../lib/engine/execution/state';
import { initialState } from '../../../lib/engine/execution/run-config';
import { sequentialIds } from '../../../lib/engine/util/ids';
import { DEFAULT_CONFIG } from '../../../lib/engine/config';
import type { DecisionContext } from '../../../lib/engine/execution/decision-context';

const T0 = 1_700_000_000_000;

function newRecord(): ExecutionRecord {
  return {
    id: 7,
    domainId: 1,
    workflowId: 'wf',
    runId: 'run',
    workflowType: { name: 'Flow', version: '1' },
    status: 'OPEN',
    startedAt: T0,
    state: initialState({
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '30',
      taskList: 'deciders',
      childPolicy: 'TERMINATE',
    }),
  };
}

const catalog: DecisionContext = {
  ...DEFAULT_CONFIG,
  workflowType: () => undefined,
  openExecutionCount: () => 0,
  lambdaAvailable: false,
  activityType: (name: string) =>
    name === 'Work'
      ? { status: 'REGISTERED', config: { defaultTaskList: { name: 'workers' }, defaultTaskScheduleToCloseTimeout: '60', defaultTaskScheduleToStartTimeout: '30', defaultTaskStartToCloseTimeout: '30' } }
      : undefined,
};

/** Runs `fn` on the record as one transaction at `now` and returns what it produced. */
function step(record: ExecutionRecord, now: number, fn: (e: Execution) => void): Execution {
  const e = new Execution(record, now, sequentialIds('t'));
  fn(e);
  return e;
}

const types = (e: Execution) => e.events.map((ev) => ev.eventType);

describe('Execution state machine', () => {
  it('starts with WorkflowExecutionStarted, a decision task and the execution timeout armed', () => {
    const r = newRecord();
    const e = step(r, T0, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    expect(types(e)).toEqual(['WorkflowExecutionStarted', 'DecisionTaskScheduled']);
    expect(e.effects.queueAdd).toEqual([{ kind: 'decision', taskList: 'deciders', priority: 0, scheduledEventId: 2 }]);
    expect(e.effects.deadlineSet).toEqual([{ kind: 'EXECUTION', ref: 0, due: T0 + 3_600_000 }]);
  });

  it('keeps at most one decision task in flight and fails a close with UNHANDLED_DECISION', () => {
    const r = newRecord();
    step(r, T0, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    const claim = step(r, T0 + 1, (x) => x.claimDecision('me'));
    expect(types(claim)).toEqual(['DecisionTaskStarted']);
    // A signal while the decider works appends a DecisionTaskScheduled that is not pollable yet.
    const sig = step(r, T0 + 2, (x) => x.signal({ signalName: 'poke' }));
    expect(types(sig)).toEqual(['WorkflowExecutionSignaled', 'DecisionTaskScheduled']);
    expect(sig.effects.queueAdd).toEqual([]);
    const done = step(r, T0 + 3, (x) => {
      const { completedEventId, hadPending } = x.completeDecision({ scheduledEventId: 2, startedEventId: 3 });
      applyDecisions(x, [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} }], completedEventId, hadPending, catalog);
    });
    expect(types(done)).toEqual(['DecisionTaskCompleted', 'CompleteWorkflowExecutionFailed']);
    // The pending task became pollable; the run is still open.
    expect(done.effects.queueAdd).toEqual([{ kind: 'decision', taskList: 'deciders', priority: 0, scheduledEventId: 5 }]);
    expect(r.status).toBe('OPEN');
  });

  it('schedules an activity with resolved defaults and times it out stamped at its deadline', () => {
    const r = newRecord();
    step(r, T0, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    step(r, T0, (x) => x.claimDecision(undefined));
    const sched = step(r, T0 + 10, (x) => {
      const { completedEventId, hadPending } = x.completeDecision({ scheduledEventId: 2, startedEventId: 3 });
      applyDecisions(x, [{ decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'a1' } }], completedEventId, hadPending, catalog);
    });
    const scheduled = sched.events[1]!;
    expect(scheduled.attributes).toMatchObject({
      activityId: 'a1',
      taskList: { name: 'workers' },
      scheduleToCloseTimeout: '60',
      scheduleToStartTimeout: '30',
      startToCloseTimeout: '30',
      heartbeatTimeout: 'NONE',
    });
    const due = T0 + 10 + 30_000;
    const fired = step(r, due + 500, (x) => x.fireDeadline('ACTIVITY_SCHEDULE_TO_START', scheduled.eventId, due));
    expect(types(fired)).toEqual(['ActivityTaskTimedOut', 'DecisionTaskScheduled']);
    expect(fired.events[0]!.timestamp).toBe(due);
    expect(fired.events[0]!.attributes).toMatchObject({ timeoutType: 'SCHEDULE_TO_START', startedEventId: 0 });
    expect(fired.effects.queueRemove).toEqual([{ kind: 'activity', scheduledEventId: scheduled.eventId }]);
    // A stale deadline for the closed activity produces nothing.
    const stale = step(r, due + 600, (x) => x.fireDeadline('ACTIVITY_SCHEDULE_TO_CLOSE', scheduled.eventId, due + 100));
    expect(stale.events).toEqual([]);
  });

  it('reports ScheduleActivityTaskFailed causes in the documented order', () => {
    const r = newRecord();
    step(r, T0, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    step(r, T0, (x) => x.claimDecision(undefined));
    const e = step(r, T0, (x) => {
      const { completedEventId, hadPending } = x.completeDecision({ scheduledEventId: 2, startedEventId: 3 });
      applyDecisions(
        x,
        [
          { decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Nope', version: '1' }, activityId: 'a' } },
          { decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'b' } },
          { decisionType: 'ScheduleActivityTask', scheduleActivityTaskDecisionAttributes: { activityType: { name: 'Work', version: '1' }, activityId: 'b' } },
        ],
        completedEventId,
        hadPending,
        catalog,
      );
    });
    expect(types(e)).toEqual(['DecisionTaskCompleted', 'ScheduleActivityTaskFailed', 'ActivityTaskScheduled', 'ScheduleActivityTaskFailed', 'DecisionTaskScheduled']);
    expect(e.events[1]!.attributes).toMatchObject({ cause: 'ACTIVITY_TYPE_DOES_NOT_EXIST' });
    expect(e.events[3]!.attributes).toMatchObject({ cause: 'ACTIVITY_ID_ALREADY_IN_USE' });
  });

  it('closing drops open work and marks the effects closed', () => {
    const r = newRecord();
    step(r, T0, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    const e = step(r, T0 + 5, (x) => x.terminate('stop', undefined, 'ABANDON', 'OPERATOR_INITIATED'));
    expect(types(e)).toEqual(['WorkflowExecutionTerminated']);
    expect(e.events[0]!.attributes).toEqual({ childPolicy: 'ABANDON', reason: 'stop', cause: 'OPERATOR_INITIATED' });
    expect(r.status).toBe('CLOSED');
    expect(r.closeStatus).toBe('TERMINATED');
    expect(r.state.decision).toBeNull();
    expect(e.effects.closed).toBe(true);
    // Deadlines of a closed run do nothing.
    expect(step(r, T0 + 10, (x) => x.fireDeadline('EXECUTION', 0, T0 + 10)).events).toEqual([]);
  });

  it('never stamps an event before the newest one, even for a late deadline', () => {
    const r = newRecord();
    step(r, T0 + 1000, (x) => x.start({ childPolicy: 'TERMINATE', taskList: { name: 'deciders' }, workflowType: r.workflowType }));
    const e = step(r, T0 + 2000, (x) => x.append('MarkerRecorded', { markerName: 'm', decisionTaskCompletedEventId: 0 }, T0));
    expect(e.events[0]!.timestamp).toBe(T0 + 1000);
  });
});

describe('validateDecisionBatch', () => {
  it('refuses a closing decision that is not last', () => {
    const fault = validateDecisionBatch([
      { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} },
      { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'x' } },
    ]);
    expect(fault?.faultName).toBe('ValidationException');
    expect(fault?.message).toBe('Close must be last decision in list');
  });

  it('names a missing attributes structure with its 1-based path', () => {
    const fault = validateDecisionBatch([{ decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'x' } }, { decisionType: 'StartTimer' }]);
    expect(fault?.message).toBe(
      "1 validation error detected: Value null at 'decisions.2.member.startTimerDecisionAttributes' failed to satisfy constraint: Member must not be null",
    );
  });

  it('accepts a batch with a closing decision last', () => {
    expect(
      validateDecisionBatch([
        { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'x' } },
        { decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: {} },
      ]),
    ).toBeUndefined();
  });
});
