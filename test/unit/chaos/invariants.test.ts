/**
 * The chaos run's invariant checker must catch what it claims to: a clean history passes, and
 * each kind of damage (a gap in event ids, a task delivered twice, an acknowledged call missing,
 * a timer fired early, a stuck open run, a history the workflow would not decide again) is named.
 */
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { checkInvariants, type DatabaseFacts, type RunRow } from '../../../scripts/chaos/invariants';
import { Ledger } from '../../../scripts/chaos/ledger';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms);

/** A ChaosFlow run of shape `timer` (1 s) as the engine records it, complete. */
function timerRun(): HistoryEvent[] {
  return [
    { eventId: 1, eventType: 'WorkflowExecutionStarted', eventTimestamp: at(0), workflowExecutionStartedEventAttributes: { workflowType: { name: 'ChaosFlow', version: '1' }, input: JSON.stringify({ shape: 'timer', id: 'w', timerSeconds: 1 }), taskList: { name: 'd' }, childPolicy: 'TERMINATE' } },
    { eventId: 2, eventType: 'DecisionTaskScheduled', eventTimestamp: at(0), decisionTaskScheduledEventAttributes: { taskList: { name: 'd' } } },
    { eventId: 3, eventType: 'DecisionTaskStarted', eventTimestamp: at(10), decisionTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'decider-1' } },
    { eventId: 4, eventType: 'DecisionTaskCompleted', eventTimestamp: at(20), decisionTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
    { eventId: 5, eventType: 'TimerStarted', eventTimestamp: at(20), timerStartedEventAttributes: { timerId: 'pause', startToFireTimeout: '1', decisionTaskCompletedEventId: 4 } },
    { eventId: 6, eventType: 'TimerFired', eventTimestamp: at(1020), timerFiredEventAttributes: { timerId: 'pause', startedEventId: 5 } },
    { eventId: 7, eventType: 'DecisionTaskScheduled', eventTimestamp: at(1020), decisionTaskScheduledEventAttributes: { taskList: { name: 'd' } } },
    { eventId: 8, eventType: 'DecisionTaskStarted', eventTimestamp: at(1030), decisionTaskStartedEventAttributes: { scheduledEventId: 7, identity: 'decider-2' } },
    { eventId: 9, eventType: 'DecisionTaskCompleted', eventTimestamp: at(1040), decisionTaskCompletedEventAttributes: { scheduledEventId: 7, startedEventId: 8 } },
    { eventId: 10, eventType: 'WorkflowExecutionCompleted', eventTimestamp: at(1040), workflowExecutionCompletedEventAttributes: { result: '"slept"', decisionTaskCompletedEventId: 9 } },
  ];
}

const ROW: RunRow = { id: 1, workflow_id: 'w', run_id: 'r1', type_name: 'ChaosFlow', status: 'CLOSED', close_status: 'COMPLETED', started_at: T0, closed_at: T0 + 1040 };

function cleanLedger(): Ledger {
  const ledger = new Ledger();
  ledger.started.set('w', 'r1');
  ledger.deliveries.push({ kind: 'decision', workflowId: 'w', runId: 'r1', startedEventId: 3, identity: 'decider-1' });
  ledger.deliveries.push({ kind: 'decision', workflowId: 'w', runId: 'r1', startedEventId: 8, identity: 'decider-2' });
  ledger.responds.push({ op: 'RespondDecisionTaskCompleted', workflowId: 'w', runId: 'r1', startedEventId: 3, decisions: 1 });
  return ledger;
}

function violations(events: HistoryEvent[], options: { row?: Partial<RunRow>; ledger?: Ledger; nextStep?: boolean } = {}): Record<string, string[]> {
  const facts: DatabaseFacts = { runs: [{ ...ROW, ...options.row }], withNextStep: new Set(options.nextStep ? [1] : []), activityTypes: new Set() };
  const results = checkInvariants(facts, new Map([['r1', events]]), options.ledger ?? cleanLedger(), []);
  return Object.fromEntries(results.filter((r) => r.violations.length > 0).map((r) => [r.name, r.violations]));
}

test('a clean history breaks nothing', () => {
  expect(violations(timerRun())).toEqual({});
});

test('a gap in event ids', () => {
  const events = timerRun();
  events[5] = { ...events[5]!, eventId: 7 };
  expect(Object.keys(violations(events))).toContain('event ids contiguous from 1, starting with WorkflowExecutionStarted');
});

test('a task delivered to two pollers, or to a poller the history does not name', () => {
  const twice = cleanLedger();
  twice.deliveries.push({ kind: 'decision', workflowId: 'w', runId: 'r1', startedEventId: 3, identity: 'decider-9' });
  const found = violations(timerRun(), { ledger: twice })['each task attempt delivered to one poller, the one its history names'] ?? [];
  expect(found.some((v) => /delivered to decider-1 and to decider-9/.test(v))).toBe(true);
  expect(found.some((v) => /the history says decider-1/.test(v))).toBe(true);
});

test('an acknowledged Respond* or signal missing from the history', () => {
  const ledger = cleanLedger();
  ledger.responds.push({ op: 'RespondActivityTaskCompleted', workflowId: 'w', runId: 'r1', startedEventId: 42, result: 'x' });
  ledger.signals.push({ workflowId: 'w', input: 'sig-1' });
  const found = violations(timerRun(), { ledger })['no acknowledged call lost (Respond*, signals, cancel requests, writes during a full disk)'] ?? [];
  expect(found).toHaveLength(2);
});

test('a timer fired before its deadline', () => {
  const events = timerRun();
  events[5] = { ...events[5]!, eventTimestamp: at(900) };
  expect(Object.keys(violations(events))).toContain('every timer fired at most once, at or after its deadline; none overdue in an open run');
});

test('a run closed twice, and an open run with nothing that could move it on', () => {
  const failed: HistoryEvent = { eventId: 11, eventType: 'WorkflowExecutionFailed', eventTimestamp: at(1050), workflowExecutionFailedEventAttributes: { reason: 'x', decisionTaskCompletedEventId: 9 } };
  const twice = [...timerRun(), failed];
  expect(violations(twice)['every run closed exactly once, or open with a valid next step']?.[0]).toMatch(/closed 2 times/);
  const open = timerRun().slice(0, 5);
  expect(violations(open, { row: { status: 'OPEN', close_status: null, closed_at: null } })['every run closed exactly once, or open with a valid next step']?.[0]).toMatch(/stuck/);
  expect(violations(open, { row: { status: 'OPEN', close_status: null, closed_at: null }, nextStep: true })['every run closed exactly once, or open with a valid next step']).toBeUndefined();
});

test('a history the workflow would not decide again (non-determinism)', () => {
  const events = timerRun();
  events[4] = { ...events[4]!, timerStartedEventAttributes: { timerId: 'other', startToFireTimeout: '1', decisionTaskCompletedEventId: 4 } };
  events[5] = { ...events[5]!, timerFiredEventAttributes: { timerId: 'other', startedEventId: 5 } };
  expect(violations(events)['every history replays through lib/decider without non-determinism']?.[0]).toMatch(/StartTimer:other/);
});
