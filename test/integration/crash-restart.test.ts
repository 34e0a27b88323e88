/**
 * Durability across `kill -9` (spec §7.5, §8): the engine runs as a child process on a SQLite
 * file, is killed with work in every state, and restarted on the same file. Every workflow still
 * completes, histories stay contiguous, armed timers fire on their own at their deadline, and task
 * tokens handed out before the crash keep working (or time out normally).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision, HistoryEvent, PollForActivityTaskCommandOutput, PollForDecisionTaskCommandOutput, SWF } from '@aws-sdk/client-swf';
import { registerBasics, swfClient } from '../helpers/engine';
import { killAllSpawned, runEngineToExit, spawnEngine, type EngineProcess } from '../helpers/engine-process';
import { errorName, eventTypes, expectContiguous, fullHistory, only, sleep, ts } from '../helpers/history';

const TIMER_SECONDS = 4;
/** Start-to-close of the activities that are abandoned before the crash. */
const SHORT_ACTIVITY_SECONDS = 2;
/** How late a deadline event may be stamped after its deadline. */
const LATE_MS = 250;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swf-crash-'));
});
afterAll(async () => {
  await killAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The groups, by what they have in flight when the engine is killed:
 *  A: activity done, timer armed          B: activity STARTED, its worker holds the token
 *  C: activity SCHEDULED, never polled    D: decision task STARTED, its decider holds the token
 *  E: activity STARTED with a 2 s start-to-close; its worker gives up, so it must time out
 */
const GROUPS = ['A', 'B', 'C', 'D', 'E'] as const;
type Group = (typeof GROUPS)[number];
const PER_GROUP = 3;
const decisionList = (g: Group) => `d-${g}`;
const activityList = (g: Group) => `a-${g}`;

interface Run {
  group: Group;
  workflowId: string;
  runId: string;
}

/** The workflow: one activity (retried after a timeout), then a timer, then complete. */
function decide(group: Group, events: HistoryEvent[]): Decision[] {
  const count = (type: string) => events.filter((e) => e.eventType === type).length;
  if (count('TimerFired') > 0) return [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'done' } }];
  if (count('TimerStarted') > 0) return [];
  if (count('ActivityTaskCompleted') > 0) {
    return [{ decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'pause', startToFireTimeout: String(TIMER_SECONDS) } }];
  }
  const attempts = count('ActivityTaskScheduled');
  if (attempts > count('ActivityTaskTimedOut') + count('ActivityTaskFailed')) return []; // still open
  return [
    {
      decisionType: 'ScheduleActivityTask',
      scheduleActivityTaskDecisionAttributes: {
        activityType: { name: 'Work', version: '1' },
        activityId: `work-${attempts + 1}`,
        taskList: { name: activityList(group) },
        ...(group === 'E' && attempts === 0 ? { startToCloseTimeout: String(SHORT_ACTIVITY_SECONDS) } : {}),
      },
    },
  ];
}

async function pollDecision(swf: SWF, domain: string, group: Group): Promise<PollForDecisionTaskCommandOutput> {
  const task = await swf.pollForDecisionTask({ domain, taskList: { name: decisionList(group) }, identity: `decider-${group}` });
  if (!task.taskToken) throw new Error(`no decision task for group ${group}`);
  return task;
}

async function pollActivity(swf: SWF, domain: string, group: Group): Promise<PollForActivityTaskCommandOutput> {
  const task = await swf.pollForActivityTask({ domain, taskList: { name: activityList(group) }, identity: `worker-${group}` });
  if (!task.taskToken) throw new Error(`no activity task for group ${group}`);
  return task;
}

async function decideNext(swf: SWF, domain: string, group: Group): Promise<void> {
  const task = await pollDecision(swf, domain, group);
  await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: decide(group, task.events!) });
}

/** Events of the runs as stored in the database file, read with the engine down. */
function historyInFile(file: string, runIds: string[]): Map<string, { type: string; timestamp: number }[]> {
  const db = new Database(file, { readonly: false });
  try {
    const rows = db
      .prepare(
        `SELECT e.run_id AS runId, h.event_type AS type, h.event_timestamp AS timestamp
         FROM history h JOIN executions e ON e.id = h.execution_id ORDER BY h.execution_id, h.event_id`,
      )
      .all() as { runId: string; type: string; timestamp: number }[];
    const byRun = new Map<string, { type: string; timestamp: number }[]>(runIds.map((id) => [id, []]));
    for (const r of rows) byRun.get(r.runId)?.push({ type: r.type, timestamp: r.timestamp });
    return byRun;
  } finally {
    db.close();
  }
}

test('kill -9 with work in every state, restart on the same file: every workflow completes', async () => {
  const db = join(dir, 'crash.sqlite');
  const domain = 'crash';
  let engine: EngineProcess = await spawnEngine(db);
  let swf = swfClient(engine.endpoint);
  await registerBasics(swf, domain, { taskList: 'unused' });

  const runs: Run[] = [];
  for (const group of GROUPS) {
    for (let i = 0; i < PER_GROUP; i++) {
      const workflowId = `wf-${group}-${i}`;
      const { runId } = await swf.startWorkflowExecution({
        domain,
        workflowId,
        workflowType: { name: 'Flow', version: '1' },
        taskList: { name: decisionList(group) },
      });
      runs.push({ group, workflowId, runId: runId! });
    }
  }
  const inGroup = (g: Group) => runs.filter((r) => r.group === g);

  // ---- Bring each group to its state.
  for (const g of ['A', 'B', 'C', 'E'] as const) for (let i = 0; i < PER_GROUP; i++) await decideNext(swf, domain, g);
  const heldDecisions = await Promise.all(inGroup('D').map(() => pollDecision(swf, domain, 'D')));
  for (let i = 0; i < PER_GROUP; i++) {
    const task = await pollActivity(swf, domain, 'A');
    await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: 'a' });
  }
  for (let i = 0; i < PER_GROUP; i++) await decideNext(swf, domain, 'A'); // arms the timers
  const heldB = await Promise.all(inGroup('B').map(() => pollActivity(swf, domain, 'B')));
  const heldE = await Promise.all(inGroup('E').map(() => pollActivity(swf, domain, 'E')));
  const armedAt = Date.now();
  const timerDeadlineBound = armedAt + TIMER_SECONDS * 1000;
  expect((await swf.countPendingActivityTasks({ domain, taskList: { name: activityList('C') } })).count).toBe(PER_GROUP);
  // A long poll is in flight too when the engine dies.
  const cutPoll = swf.pollForActivityTask({ domain, taskList: { name: 'idle' } }).then(
    () => 'answered',
    () => 'cut',
  );

  // ---- Crash.
  await engine.kill9();
  swf.destroy();
  expect(await cutPoll).toBe('cut');

  // ---- Restart and make no API call at all: the armed timers must fire by themselves.
  engine = await spawnEngine(db);
  await sleep(Math.max(0, timerDeadlineBound + 600 - Date.now()));
  await engine.kill9();
  const stored = historyInFile(db, runs.map((r) => r.runId));
  for (const r of inGroup('A')) expect(stored.get(r.runId)!.map((e) => e.type)).toContain('TimerFired');
  for (const r of inGroup('E')) expect(stored.get(r.runId)!.map((e) => e.type)).toContain('ActivityTaskTimedOut');
  for (const r of inGroup('C')) expect(stored.get(r.runId)!.map((e) => e.type)).not.toContain('ActivityTaskStarted');

  // ---- Restart again, on yet another port, and carry on.
  engine = await spawnEngine(db);
  swf = swfClient(engine.endpoint);
  try {
    // Tokens survive restarts: the STARTED activities and decision tasks are still live.
    for (const task of heldB) {
      expect((await swf.recordActivityTaskHeartbeat({ taskToken: task.taskToken, details: 'still here' })).cancelRequested).toBe(false);
      await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: 'b' });
    }
    for (const task of heldDecisions) {
      await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: decide('D', task.events!) });
    }
    // ...except those whose clock ran out: they timed out normally.
    for (const task of heldE) {
      expect(await errorName(swf.respondActivityTaskCompleted({ taskToken: task.taskToken }))).toBe('UnknownResourceFault');
    }

    // ---- Drive everything to the end: one decider and one worker per group.
    const closed = new Set<string>();
    const failures: unknown[] = [];
    const done = () => closed.size >= runs.length;
    const loops = GROUPS.flatMap((g) => [
      (async () => {
        while (!done()) {
          const task = await swf.pollForDecisionTask({ domain, taskList: { name: decisionList(g) }, identity: `decider-${g}` });
          if (!task.taskToken) continue;
          const decisions = decide(g, task.events!);
          await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions }).catch((e: unknown) => failures.push(e));
          if (decisions[0]?.decisionType === 'CompleteWorkflowExecution') closed.add(task.workflowExecution!.runId!);
        }
      })(),
      (async () => {
        while (!done()) {
          const task = await swf.pollForActivityTask({ domain, taskList: { name: activityList(g) }, identity: `worker-${g}` });
          if (!task.taskToken) continue;
          await swf.respondActivityTaskCompleted({ taskToken: task.taskToken, result: g.toLowerCase() }).catch((e: unknown) => failures.push(e));
        }
      })(),
    ]);
    const deadline = Date.now() + 30_000;
    while (!done() && Date.now() < deadline) await sleep(100);
    expect(closed.size).toBe(runs.length);
    await Promise.all(loops);
    expect(failures).toEqual([]);

    for (const r of runs) {
      const info = await swf.describeWorkflowExecution({ domain, execution: r });
      expect([r.workflowId, info.executionInfo!.closeStatus]).toEqual([r.workflowId, 'COMPLETED']);
      const events = await fullHistory(swf, domain, r);
      expectContiguous(events);
      expect(events[events.length - 1]!.eventType).toBe('WorkflowExecutionCompleted');
      const timerStarted = only(events, 'TimerStarted');
      const fired = only(events, 'TimerFired');
      expect(fired.timerFiredEventAttributes!.startedEventId).toBe(timerStarted.eventId);
      const due = ts(timerStarted) + TIMER_SECONDS * 1000;
      expect(ts(fired)).toBeGreaterThanOrEqual(due - 1);
      // Stamped at its deadline; only the timers of group A were due while the engine was down.
      if (r.group !== 'A') expect(ts(fired)).toBeLessThanOrEqual(due + LATE_MS);
      else expect(ts(fired)).toBeLessThanOrEqual(due + 5000);

      const types = eventTypes(events);
      if (r.group === 'B') {
        const held = heldB.find((t) => t.workflowExecution!.runId === r.runId)!;
        expect(only(events, 'ActivityTaskCompleted').activityTaskCompletedEventAttributes).toMatchObject({ startedEventId: held.startedEventId, result: 'b' });
      }
      if (r.group === 'D') {
        const held = heldDecisions.find((t) => t.workflowExecution!.runId === r.runId)!;
        expect(events.find((e) => e.eventType === 'DecisionTaskCompleted')!.decisionTaskCompletedEventAttributes!.startedEventId).toBe(held.startedEventId);
      }
      if (r.group === 'E') {
        const timedOut = only(events, 'ActivityTaskTimedOut');
        const started = events.find((e) => e.eventType === 'ActivityTaskStarted')!;
        expect(timedOut.activityTaskTimedOutEventAttributes).toMatchObject({ timeoutType: 'START_TO_CLOSE', startedEventId: started.eventId });
        expect(ts(timedOut)).toBeGreaterThanOrEqual(ts(started) + SHORT_ACTIVITY_SECONDS * 1000 - 1);
        expect(types.filter((t) => t === 'ActivityTaskScheduled')).toHaveLength(2);
      } else {
        expect(types).not.toContain('ActivityTaskTimedOut');
        expect(types).not.toContain('DecisionTaskTimedOut');
      }
    }
  } finally {
    swf.destroy();
    await engine.kill9();
  }
});

test('a second engine on the same database file refuses to start', async () => {
  const db = join(dir, 'locked.sqlite');
  const first = await spawnEngine(db);
  const swf = swfClient(first.endpoint);
  try {
    await registerBasics(swf, 'locked');
    const second = await runEngineToExit(db, [], 20_000);
    expect(second.listened).toBe(false);
    expect(second.code).toBe(1);
    expect(second.output).toContain('cannot start');
    expect(second.output).toMatch(/locked/);
    expect(second.output).toContain(db);
    // The first engine is unharmed.
    const domains = await swf.listDomains({ registrationStatus: 'REGISTERED' });
    expect(domains.domainInfos!.map((d) => d.name)).toContain('locked');
  } finally {
    swf.destroy();
    await first.kill9();
  }
});
