/**
 * The end-of-run checks, from the database and the histories (never from logs):
 *  - every run closed exactly once, or is open with a valid next step (a queued task, an armed
 *    deadline other than the run's own timeout, or an open child);
 *  - no task went to two pollers for the same attempt, and each delivery is the poller the
 *    history names;
 *  - nothing acknowledged is missing: starts, Respond* calls, signals, cancel requests, and the
 *    writes acknowledged while the disk was full;
 *  - event ids run 1..n without a gap;
 *  - every timer fired at most once, at or after its deadline, and none is overdue in an open run;
 *  - every task a dead poller held ended (timed out) so that its workflow could retry it;
 *  - every history replays through lib/decider with the decisions it records.
 */
import Database from 'better-sqlite3';
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { replay } from '../../lib/decider';
import type { Ledger } from './ledger';
import { DOMAIN, workflowFor } from './workflows';
import { queuedTasksOf } from '../../lib/engine/store/execution-store';
import type { ExecutionState } from '../../lib/engine/execution/state';
import { parseDeadlineKey } from '../../lib/engine/timers/deadline-index';

export interface RunRow {
  id: number;
  workflow_id: string;
  run_id: string;
  type_name: string;
  status: 'OPEN' | 'CLOSED';
  close_status: string | null;
  started_at: number;
  closed_at: number | null;
}

export interface DatabaseFacts {
  runs: RunRow[];
  /** execution ids with a queued task, a deadline other than the run's own timeout, or an open child. */
  withNextStep: Set<number>;
  /** Activity type names registered in the chaos domain. */
  activityTypes: Set<string>;
}

export interface InvariantResult {
  name: string;
  checked: number;
  violations: string[];
}

const CLOSE_EVENTS = new Set([
  'WorkflowExecutionCompleted',
  'WorkflowExecutionFailed',
  'WorkflowExecutionCanceled',
  'WorkflowExecutionTerminated',
  'WorkflowExecutionTimedOut',
  'WorkflowExecutionContinuedAsNew',
]);

/** How late past its deadline a timer of an open run may still be unfired (the scheduler's tick, a restart). */
const OVERDUE_GRACE_MS = 5000;

export function readDatabase(file: string): DatabaseFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const domain = db.prepare('SELECT id FROM domains WHERE name = ?').get(DOMAIN) as { id: number } | undefined;
    if (!domain) throw new Error(`the database has no domain ${DOMAIN}`);
    const runs = db
      .prepare('SELECT id, workflow_id, run_id, type_name, status, close_status, started_at, closed_at FROM executions WHERE domain_id = ? ORDER BY id')
      .all(domain.id) as RunRow[];
    // A run waits on a task list when its state document has a SCHEDULED decision or activity
    // (the engine keeps that queue in memory and rebuilds it from the same documents), or when it
    // lists an armed deadline other than the run's own timeout (the deadlines live there too).
    const next: { id: number }[] = [];
    for (const row of db.prepare(`SELECT id, state FROM executions WHERE domain_id = ? AND status = 'OPEN'`).iterate(domain.id) as Iterable<{ id: number; state: string }>) {
      const state = JSON.parse(row.state) as ExecutionState;
      const onDeadline = Object.keys(state.deadlines ?? {}).some((key) => parseDeadlineKey(key).kind !== 'EXECUTION');
      if (onDeadline || queuedTasksOf(state).length > 0) next.push({ id: row.id });
    }
    // A parent waiting on an open child moves on when the child closes (the child is checked itself).
    const parents = db.prepare(`SELECT parent FROM executions WHERE domain_id = ? AND status = 'OPEN' AND parent IS NOT NULL`).all(domain.id) as { parent: string }[];
    const parentRunIds = new Set(parents.map((p) => (JSON.parse(p.parent) as { runId: string }).runId));
    for (const r of runs) if (parentRunIds.has(r.run_id)) next.push({ id: r.id });
    const types = db.prepare(`SELECT name FROM types WHERE domain_id = ? AND kind = 'activity'`).all(domain.id) as { name: string }[];
    return { runs, withNextStep: new Set(next.map((r) => r.id)), activityTypes: new Set(types.map((t) => t.name)) };
  } finally {
    db.close();
  }
}

const ms = (d: Date | undefined) => (d ? d.getTime() : NaN);

/** Runs every check; `histories` is keyed by runId. */
export function checkInvariants(facts: DatabaseFacts, histories: Map<string, HistoryEvent[]>, ledger: Ledger, fullDiskAcks: readonly string[]): InvariantResult[] {
  const results: InvariantResult[] = [];
  const check = (name: string, fn: (violate: (v: string) => void) => number) => {
    const violations: string[] = [];
    const checked = fn((v) => violations.push(v));
    results.push({ name, checked, violations });
  };
  const runsByWorkflow = new Map<string, RunRow[]>();
  for (const r of facts.runs) runsByWorkflow.set(r.workflow_id, [...(runsByWorkflow.get(r.workflow_id) ?? []), r]);
  const eventsOf = (r: RunRow) => histories.get(r.run_id) ?? [];

  check('event ids contiguous from 1, starting with WorkflowExecutionStarted', (violate) => {
    for (const r of facts.runs) {
      const events = eventsOf(r);
      if (events[0]?.eventType !== 'WorkflowExecutionStarted') violate(`${r.workflow_id}/${r.run_id}: first event is ${events[0]?.eventType ?? 'missing'}`);
      events.forEach((e, i) => {
        if (e.eventId !== i + 1) violate(`${r.workflow_id}/${r.run_id}: event #${i + 1} has id ${e.eventId}`);
      });
    }
    return facts.runs.length;
  });

  check('every run closed exactly once, or open with a valid next step', (violate) => {
    for (const r of facts.runs) {
      const events = eventsOf(r);
      const closes = events.filter((e) => CLOSE_EVENTS.has(e.eventType!));
      const where = `${r.workflow_id}/${r.run_id}`;
      if (closes.length > 1) violate(`${where}: closed ${closes.length} times`);
      if (closes.length === 1 && events[events.length - 1] !== closes[0]) violate(`${where}: events after its close`);
      if (r.status === 'CLOSED' && closes.length !== 1) violate(`${where}: CLOSED in the database but ${closes.length} close events`);
      if (r.status === 'OPEN' && closes.length !== 0) violate(`${where}: OPEN in the database but closed in its history`);
      if (r.status === 'OPEN' && !facts.withNextStep.has(r.id)) violate(`${where}: open with no queued task and no armed deadline: stuck`);
    }
    const started = [...ledger.started];
    for (const [workflowId, runId] of started) {
      if (!facts.runs.some((r) => r.run_id === runId)) violate(`acknowledged start ${workflowId}/${runId} is not in the database`);
    }
    return facts.runs.length + started.length;
  });

  check('each task attempt delivered to one poller, the one its history names', (violate) => {
    const seen = new Map<string, string>();
    for (const d of ledger.deliveries) {
      const key = `${d.kind}:${d.runId}:${d.startedEventId}`;
      const before = seen.get(key);
      if (before) violate(`${key} delivered to ${before} and to ${d.identity}`);
      seen.set(key, d.identity);
      const run = facts.runs.find((r) => r.run_id === d.runId);
      const started = run ? eventsOf(run)[d.startedEventId - 1] : undefined;
      const expected = d.kind === 'decision' ? 'DecisionTaskStarted' : 'ActivityTaskStarted';
      if (started?.eventType !== expected) {
        violate(`${key}: delivered to ${d.identity} but event ${d.startedEventId} is ${started?.eventType ?? 'missing'}`);
        continue;
      }
      const identity = d.kind === 'decision' ? started.decisionTaskStartedEventAttributes?.identity : started.activityTaskStartedEventAttributes?.identity;
      if (identity !== d.identity) violate(`${key}: delivered to ${d.identity} but the history says ${identity}`);
    }
    // And from the histories alone: one Started per scheduled task.
    for (const r of facts.runs) {
      const startedFor = new Map<string, number>();
      for (const e of eventsOf(r)) {
        const scheduled =
          e.eventType === 'ActivityTaskStarted'
            ? `activity:${e.activityTaskStartedEventAttributes?.scheduledEventId}`
            : e.eventType === 'DecisionTaskStarted'
              ? `decision:${e.decisionTaskStartedEventAttributes?.scheduledEventId}`
              : e.eventType === 'LambdaFunctionStarted'
                ? `lambda:${e.lambdaFunctionStartedEventAttributes?.scheduledEventId}`
                : undefined;
        if (!scheduled) continue;
        startedFor.set(scheduled, (startedFor.get(scheduled) ?? 0) + 1);
      }
      for (const [task, n] of startedFor) if (n > 1) violate(`${r.workflow_id}/${r.run_id}: ${task} started ${n} times`);
    }
    return ledger.deliveries.length;
  });

  check('no acknowledged call lost (Respond*, signals, cancel requests, writes during a full disk)', (violate) => {
    for (const a of ledger.responds) {
      const run = facts.runs.find((r) => r.run_id === a.runId);
      const events = run ? eventsOf(run) : [];
      const found = events.some((e) => {
        switch (a.op) {
          case 'RespondDecisionTaskCompleted':
            return e.eventType === 'DecisionTaskCompleted' && e.decisionTaskCompletedEventAttributes?.startedEventId === a.startedEventId;
          case 'RespondActivityTaskCompleted':
            return e.eventType === 'ActivityTaskCompleted' && e.activityTaskCompletedEventAttributes?.startedEventId === a.startedEventId && e.activityTaskCompletedEventAttributes?.result === a.result;
          case 'RespondActivityTaskFailed':
            return e.eventType === 'ActivityTaskFailed' && e.activityTaskFailedEventAttributes?.startedEventId === a.startedEventId && e.activityTaskFailedEventAttributes?.reason === a.reason;
          default: {
            const unknown: never = a;
            return Boolean(unknown);
          }
        }
      });
      if (!found) violate(`${a.op} for ${a.workflowId}/${a.runId} (started event ${a.startedEventId}) was acknowledged but is not in the history`);
    }
    const allEventsOf = (workflowId: string) => (runsByWorkflow.get(workflowId) ?? []).flatMap(eventsOf);
    for (const s of ledger.signals) {
      if (!allEventsOf(s.workflowId).some((e) => e.eventType === 'WorkflowExecutionSignaled' && e.workflowExecutionSignaledEventAttributes?.input === s.input)) {
        violate(`signal ${s.input} to ${s.workflowId} was acknowledged but no run recorded it`);
      }
    }
    for (const c of ledger.cancels) {
      if (!allEventsOf(c.workflowId).some((e) => e.eventType === 'WorkflowExecutionCancelRequested')) violate(`cancel request to ${c.workflowId} was acknowledged but no run recorded it`);
    }
    for (const name of fullDiskAcks) if (!facts.activityTypes.has(name)) violate(`RegisterActivityType ${name} was acknowledged around a full disk but is not in the database`);
    return ledger.responds.length + ledger.signals.length + ledger.cancels.length + fullDiskAcks.length;
  });

  check('every timer fired at most once, at or after its deadline; none overdue in an open run', (violate) => {
    let timers = 0;
    const now = Date.now();
    for (const r of facts.runs) {
      const events = eventsOf(r);
      for (const started of events.filter((e) => e.eventType === 'TimerStarted')) {
        timers++;
        const a = started.timerStartedEventAttributes!;
        const deadline = ms(started.eventTimestamp) + Number(a.startToFireTimeout) * 1000;
        const where = `${r.workflow_id}/${r.run_id} timer ${a.timerId} (event ${started.eventId})`;
        const ends = events.filter(
          (e) =>
            (e.eventType === 'TimerFired' && e.timerFiredEventAttributes?.startedEventId === started.eventId) ||
            (e.eventType === 'TimerCanceled' && e.timerCanceledEventAttributes?.startedEventId === started.eventId),
        );
        if (ends.length > 1) violate(`${where}: ended ${ends.length} times`);
        const fired = ends.find((e) => e.eventType === 'TimerFired');
        // Timestamps travel as epoch seconds with millisecond fractions: allow 1 ms of rounding.
        if (fired && ms(fired.eventTimestamp) < deadline - 1) violate(`${where}: fired ${deadline - ms(fired.eventTimestamp)} ms before its deadline`);
        if (ends.length === 0 && r.status === 'OPEN' && now > deadline + OVERDUE_GRACE_MS) violate(`${where}: ${now - deadline} ms overdue and not fired`);
      }
    }
    return timers;
  });

  check('every task a dead poller held was closed (timed out) for its workflow to retry', (violate) => {
    const held = ledger.deliveries.filter((d) => ledger.abandoners.has(d.identity));
    for (const d of held) {
      const run = facts.runs.find((r) => r.run_id === d.runId);
      // A run that was canceled, terminated or timed out may close with the task still open; an open
      // run may still be waiting for the timeout. A run that completed or failed must have seen it end.
      if (!run || run.status === 'OPEN' || !['COMPLETED', 'FAILED', 'CONTINUED_AS_NEW'].includes(run.close_status ?? '')) continue;
      const closedBy = eventsOf(run).find((e) => {
        const a = e.activityTaskTimedOutEventAttributes ?? e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskCanceledEventAttributes ?? e.decisionTaskTimedOutEventAttributes ?? e.decisionTaskCompletedEventAttributes;
        return a?.startedEventId === d.startedEventId;
      });
      if (!closedBy) violate(`${d.kind} task ${d.runId}:${d.startedEventId} held by ${d.identity} when it died never ended, yet its run closed ${run.close_status}`);
    }
    return held.length;
  });

  check('every history replays through lib/decider without non-determinism', (violate) => {
    let tasks = 0;
    for (const r of facts.runs) {
      const report = replay(workflowFor(r.type_name), eventsOf(r));
      tasks += report.decisionTasks;
      for (const m of report.mismatches) {
        violate(`${r.workflow_id}/${r.run_id}: decision task ${m.decisionTaskCompletedEventId} recorded [${m.recorded.join(', ')}], replay decides [${m.decided.join(', ')}]${m.error ? ` (${m.error})` : ''}`);
      }
    }
    return tasks;
  });

  return results;
}
