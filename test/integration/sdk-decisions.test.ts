import {
  UnknownResourceFault,
  type Decision,
  type DescribeWorkflowExecutionCommandOutput,
  type HistoryEvent,
  type SWF,
  type WorkflowExecution,
} from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import {
  d,
  eventsOf,
  eventTypes,
  expectFault,
  expectValidation,
  historyOf,
  lastEvent,
  onlyEvent,
  pollActivity,
  pollDecision,
  sleep,
  startRun,
  type DecisionTask,
  type RunRef,
} from '../helpers/swf-flow';

let main: TestEngine;
/** An engine with small limits and a required heartbeat timeout. */
let strict: TestEngine;

beforeAll(async () => {
  [main, strict] = await Promise.all([
    startTestEngine({ pollTimeoutMs: 2000 }),
    startTestEngine({ pollTimeoutMs: 2000, maxOpenActivities: 2, maxOpenTimers: 1, requireHeartbeatTimeout: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([main.close(), strict.close()]);
});

/** One run in a domain of its own, with its first decision task already polled. */
interface Scenario {
  swf: SWF;
  domain: string;
  run: RunRef;
  task: DecisionTask;
  /** Answers the decision task in hand and returns the history as it is afterwards. */
  respond(decisions: Decision[], executionContext?: string): Promise<HistoryEvent[]>;
  /** Polls the next decision task and makes it the one in hand. */
  next(): Promise<DecisionTask>;
  history(): Promise<HistoryEvent[]>;
  pendingDecisions(): Promise<number>;
  describe(): Promise<DescribeWorkflowExecutionCommandOutput>;
}

async function scenario(engine: TestEngine = main, setup?: (swf: SWF, domain: string) => Promise<void>): Promise<Scenario> {
  const swf = engine.swf;
  const domain = unique('dec');
  await registerBasics(swf, domain);
  // An activity type without heartbeat default, and one without any default.
  await swf.registerActivityType({
    domain,
    name: 'NoHeartbeat',
    version: '1',
    defaultTaskList: { name: 'default' },
    defaultTaskScheduleToStartTimeout: '30',
    defaultTaskScheduleToCloseTimeout: '60',
    defaultTaskStartToCloseTimeout: '30',
  });
  await swf.registerActivityType({ domain, name: 'Bare', version: '1' });
  await swf.registerActivityType({ domain, name: 'Old', version: '1', defaultTaskList: { name: 'default' } });
  await swf.deprecateActivityType({ domain, activityType: { name: 'Old', version: '1' } });
  if (setup) await setup(swf, domain);
  const run = await startRun(swf, domain);
  const s: Scenario = {
    swf,
    domain,
    run,
    task: await pollDecision(swf, domain),
    async respond(decisions, executionContext) {
      await swf.respondDecisionTaskCompleted({
        taskToken: s.task.taskToken,
        decisions,
        ...(executionContext !== undefined ? { executionContext } : {}),
      });
      return s.history();
    },
    async next() {
      s.task = await pollDecision(swf, domain);
      return s.task;
    },
    history: () => historyOf(swf, domain, run),
    pendingDecisions: async () => (await swf.countPendingDecisionTasks({ domain, taskList: { name: 'default' } })).count!,
    describe: () => swf.describeWorkflowExecution({ domain, execution: run }),
  };
  return s;
}

/** The events written by the last decision completion: DecisionTaskCompleted and what follows. */
function afterCompletion(events: HistoryEvent[]): HistoryEvent[] {
  const dtc = eventsOf(events, 'DecisionTaskCompleted');
  const last = dtc[dtc.length - 1]!;
  return events.filter((e) => e.eventId! >= last.eventId!);
}

const WORK = { name: 'Work', version: '1' };

// ------------------------------------------------------------------------------------------------
describe('ScheduleActivityTask', () => {
  test('ActivityTaskScheduled carries the values resolved from the type defaults; no decision is scheduled', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.schedule('a1', { input: 'in', control: 'ctl' })]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskScheduled']);
    expect(events[1]!.activityTaskScheduledEventAttributes).toEqual({
      activityType: WORK,
      activityId: 'a1',
      input: 'in',
      control: 'ctl',
      scheduleToStartTimeout: '300',
      scheduleToCloseTimeout: '600',
      startToCloseTimeout: '300',
      heartbeatTimeout: 'NONE',
      taskList: { name: 'default' },
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect(await s.pendingDecisions()).toBe(0);
    expect((await s.swf.countPendingActivityTasks({ domain: s.domain, taskList: { name: 'default' } })).count).toBe(1);
    const task = await pollActivity(s.swf, s.domain);
    expect(task.activityId).toBe('a1');
  });

  test('decision values override the type defaults', async () => {
    const s = await scenario();
    const events = afterCompletion(
      await s.respond([
        d.schedule('a1', {
          taskList: { name: 'special' },
          taskPriority: '9',
          scheduleToStartTimeout: '11',
          scheduleToCloseTimeout: '33',
          startToCloseTimeout: '22',
          heartbeatTimeout: '5',
        }),
      ]),
    );
    expect(events[1]!.activityTaskScheduledEventAttributes).toEqual({
      activityType: WORK,
      activityId: 'a1',
      scheduleToStartTimeout: '11',
      scheduleToCloseTimeout: '33',
      startToCloseTimeout: '22',
      heartbeatTimeout: '5',
      taskList: { name: 'special' },
      taskPriority: '9',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect((await s.swf.countPendingActivityTasks({ domain: s.domain, taskList: { name: 'special' } })).count).toBe(1);
    expect((await s.swf.countPendingActivityTasks({ domain: s.domain, taskList: { name: 'default' } })).count).toBe(0);
  });

  test('a type without a heartbeat default schedules with heartbeatTimeout NONE', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.schedule('a1', {}, { name: 'NoHeartbeat', version: '1' })]));
    expect(events[1]!.activityTaskScheduledEventAttributes).toMatchObject({
      scheduleToStartTimeout: '30',
      scheduleToCloseTimeout: '60',
      startToCloseTimeout: '30',
      heartbeatTimeout: 'NONE',
    });
  });

  const ALL_TIMEOUTS = { scheduleToCloseTimeout: '60', scheduleToStartTimeout: '30', startToCloseTimeout: '30' };
  const failures: [string, (s: Scenario) => Decision[], string][] = [
    ['an unknown type', () => [d.schedule('x', {}, { name: 'Nope', version: '1' })], 'ACTIVITY_TYPE_DOES_NOT_EXIST'],
    ['an unknown version', () => [d.schedule('x', {}, { name: 'Work', version: '2' })], 'ACTIVITY_TYPE_DOES_NOT_EXIST'],
    ['a deprecated type', () => [d.schedule('x', ALL_TIMEOUTS, { name: 'Old', version: '1' })], 'ACTIVITY_TYPE_DEPRECATED'],
    ['no task list', () => [d.schedule('x', ALL_TIMEOUTS, { name: 'Bare', version: '1' })], 'DEFAULT_TASK_LIST_UNDEFINED'],
    [
      'no schedule-to-close timeout',
      () => [d.schedule('x', { taskList: { name: 't' }, scheduleToStartTimeout: '1', startToCloseTimeout: '1' }, { name: 'Bare', version: '1' })],
      'DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED',
    ],
    [
      'no schedule-to-start timeout',
      () => [d.schedule('x', { taskList: { name: 't' }, scheduleToCloseTimeout: '1', startToCloseTimeout: '1' }, { name: 'Bare', version: '1' })],
      'DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED',
    ],
    [
      'no start-to-close timeout',
      () => [d.schedule('x', { taskList: { name: 't' }, scheduleToCloseTimeout: '1', scheduleToStartTimeout: '1' }, { name: 'Bare', version: '1' })],
      'DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED',
    ],
  ];

  test.each(failures)('%s gives ScheduleActivityTaskFailed and schedules a decision', async (_label, decisions, cause) => {
    const s = await scenario();
    const [decision] = decisions(s);
    const events = afterCompletion(await s.respond([decision!]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ScheduleActivityTaskFailed', 'DecisionTaskScheduled']);
    expect(events[1]!.scheduleActivityTaskFailedEventAttributes).toEqual({
      activityType: decision!.scheduleActivityTaskDecisionAttributes!.activityType,
      activityId: 'x',
      cause,
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect(await s.pendingDecisions()).toBe(1);
    expect((await s.describe()).openCounts?.openActivityTasks).toBe(0);
  });

  test('a type without defaults schedules when the decision gives every value', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.schedule('x', { taskList: { name: 't' }, ...ALL_TIMEOUTS }, { name: 'Bare', version: '1' })]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskScheduled']);
    expect(events[1]!.activityTaskScheduledEventAttributes).toMatchObject({ ...ALL_TIMEOUTS, heartbeatTimeout: 'NONE', taskList: { name: 't' } });
  });

  test('ACTIVITY_ID_ALREADY_IN_USE while an activity with the id is open; reuse after it closed is allowed', async () => {
    const s = await scenario();
    let events = afterCompletion(await s.respond([d.schedule('dup'), d.schedule('dup')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskScheduled', 'ScheduleActivityTaskFailed', 'DecisionTaskScheduled']);
    expect(events[2]!.scheduleActivityTaskFailedEventAttributes).toEqual({
      activityType: WORK,
      activityId: 'dup',
      cause: 'ACTIVITY_ID_ALREADY_IN_USE',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    // Still open (started) in the next decision: still in use.
    const a = await pollActivity(s.swf, s.domain);
    await s.next();
    events = afterCompletion(await s.respond([d.schedule('dup')]));
    expect(events[1]!.scheduleActivityTaskFailedEventAttributes?.cause).toBe('ACTIVITY_ID_ALREADY_IN_USE');
    await s.swf.respondActivityTaskCompleted({ taskToken: a.taskToken });
    await s.next();
    events = afterCompletion(await s.respond([d.schedule('dup')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskScheduled']);
  });

  test('OPEN_ACTIVITIES_LIMIT_EXCEEDED beyond maxOpenActivities', async () => {
    const s = await scenario(strict);
    const events = afterCompletion(await s.respond([d.schedule('a1'), d.schedule('a2'), d.schedule('a3')]));
    expect(eventTypes(events)).toEqual([
      'DecisionTaskCompleted',
      'ActivityTaskScheduled',
      'ActivityTaskScheduled',
      'ScheduleActivityTaskFailed',
      'DecisionTaskScheduled',
    ]);
    expect(events[3]!.scheduleActivityTaskFailedEventAttributes).toMatchObject({ activityId: 'a3', cause: 'OPEN_ACTIVITIES_LIMIT_EXCEEDED' });
    // Once one closes, there is room again.
    const a = await pollActivity(s.swf, s.domain);
    await s.swf.respondActivityTaskCompleted({ taskToken: a.taskToken });
    await s.next();
    const again = afterCompletion(await s.respond([d.schedule('a3')]));
    expect(eventTypes(again)).toEqual(['DecisionTaskCompleted', 'ActivityTaskScheduled']);
  });

  test('DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED when the engine requires a heartbeat timeout', async () => {
    const s = await scenario(strict);
    const NO_HB = { name: 'NoHeartbeat', version: '1' };
    const events = afterCompletion(
      await s.respond([d.schedule('h1', {}, NO_HB), d.schedule('h2', { heartbeatTimeout: '10' }, NO_HB), d.schedule('h3')]),
    );
    // The failure asks for a decision; the DecisionTaskScheduled follows the whole batch.
    expect(eventTypes(events)).toEqual([
      'DecisionTaskCompleted',
      'ScheduleActivityTaskFailed',
      'ActivityTaskScheduled',
      'ActivityTaskScheduled',
      'DecisionTaskScheduled',
    ]);
    expect(events[1]!.scheduleActivityTaskFailedEventAttributes).toEqual({
      activityType: NO_HB,
      activityId: 'h1',
      cause: 'DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect(events[2]!.activityTaskScheduledEventAttributes).toMatchObject({ activityId: 'h2', heartbeatTimeout: '10' });
    // Work has defaultTaskHeartbeatTimeout NONE: a default of NONE is a defined value.
    expect(events[3]!.activityTaskScheduledEventAttributes).toMatchObject({ activityId: 'h3', heartbeatTimeout: 'NONE' });
  });
});

// ------------------------------------------------------------------------------------------------
describe('RequestCancelActivityTask', () => {
  test('a SCHEDULED activity is canceled at once: CancelRequested, then Canceled with startedEventId 0', async () => {
    const s = await scenario();
    await s.respond([d.schedule('a1')]);
    const scheduled = onlyEvent(await s.history(), 'ActivityTaskScheduled');
    await s.swf.signalWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId, signalName: 'cancel' });
    await s.next();
    const events = afterCompletion(await s.respond([d.cancelActivity('a1')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskCancelRequested', 'ActivityTaskCanceled', 'DecisionTaskScheduled']);
    expect(events[1]!.activityTaskCancelRequestedEventAttributes).toEqual({ activityId: 'a1', decisionTaskCompletedEventId: events[0]!.eventId });
    expect(events[2]!.activityTaskCanceledEventAttributes).toEqual({
      scheduledEventId: scheduled.eventId,
      startedEventId: 0,
      latestCancelRequestedEventId: events[1]!.eventId,
    });
    expect((await s.swf.countPendingActivityTasks({ domain: s.domain, taskList: { name: 'default' } })).count).toBe(0);
    expect((await s.describe()).openCounts?.openActivityTasks).toBe(0);
    expect(await s.pendingDecisions()).toBe(1);
  });

  test('a STARTED activity only gets CancelRequested; the heartbeat reports it and RespondActivityTaskCanceled closes it', async () => {
    const s = await scenario();
    await s.respond([d.schedule('a1')]);
    const activity = await pollActivity(s.swf, s.domain);
    await s.swf.signalWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId, signalName: 'cancel' });
    await s.next();
    let events = afterCompletion(await s.respond([d.cancelActivity('a1')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'ActivityTaskCancelRequested']);
    const requested = events[1]!;
    expect(await s.pendingDecisions()).toBe(0);
    expect((await s.describe()).openCounts?.openActivityTasks).toBe(1);

    expect((await s.swf.recordActivityTaskHeartbeat({ taskToken: activity.taskToken })).cancelRequested).toBe(true);
    await s.swf.respondActivityTaskCanceled({ taskToken: activity.taskToken, details: 'stopped' });
    events = await s.history();
    expect(eventTypes(events).slice(-2)).toEqual(['ActivityTaskCanceled', 'DecisionTaskScheduled']);
    expect(events[events.length - 2]!.activityTaskCanceledEventAttributes).toEqual({
      scheduledEventId: onlyEvent(events, 'ActivityTaskScheduled').eventId,
      startedEventId: activity.startedEventId,
      details: 'stopped',
      latestCancelRequestedEventId: requested.eventId,
    });
  });

  test('a STARTED activity that was asked to cancel may still complete', async () => {
    const s = await scenario();
    await s.respond([d.schedule('a1')]);
    const activity = await pollActivity(s.swf, s.domain);
    await s.swf.signalWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId, signalName: 'cancel' });
    await s.next();
    await s.respond([d.cancelActivity('a1')]);
    await s.swf.respondActivityTaskCompleted({ taskToken: activity.taskToken, result: 'finished anyway' });
    expect(eventTypes(await s.history()).slice(-2)).toEqual(['ActivityTaskCompleted', 'DecisionTaskScheduled']);
  });

  test('an unknown activityId gives RequestCancelActivityTaskFailed ACTIVITY_ID_UNKNOWN', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.cancelActivity('ghost')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'RequestCancelActivityTaskFailed', 'DecisionTaskScheduled']);
    expect(events[1]!.requestCancelActivityTaskFailedEventAttributes).toEqual({
      activityId: 'ghost',
      cause: 'ACTIVITY_ID_UNKNOWN',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('closing decisions', () => {
  const cases: [string, Decision, string, string, Record<string, unknown>][] = [
    ['CompleteWorkflowExecution', d.complete('the result'), 'WorkflowExecutionCompleted', 'COMPLETED', { result: 'the result' }],
    ['FailWorkflowExecution', d.fail('why', 'how'), 'WorkflowExecutionFailed', 'FAILED', { reason: 'why', details: 'how' }],
    ['CancelWorkflowExecution', d.cancel('bye'), 'WorkflowExecutionCanceled', 'CANCELED', { details: 'bye' }],
  ];

  test.each(cases)('%s closes the run', async (_name, decision, eventType, closeStatus, attrs) => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.marker('before'), decision]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'MarkerRecorded', eventType]);
    const member = `${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}EventAttributes` as keyof HistoryEvent;
    expect(events[2]![member]).toEqual({ ...attrs, decisionTaskCompletedEventId: events[0]!.eventId });
    const out = await s.describe();
    expect(out.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus });
    expect(out.executionInfo?.closeTimestamp).toBeInstanceOf(Date);
    expect(out.openCounts).toMatchObject({ openActivityTasks: 0, openDecisionTasks: 0, openTimers: 0 });
    expect(await s.pendingDecisions()).toBe(0);
    const closed = await s.swf.listClosedWorkflowExecutions({
      domain: s.domain,
      closeTimeFilter: { oldestDate: new Date(0) },
      closeStatusFilter: { status: closeStatus as never },
    });
    expect(closed.executionInfos?.map((i) => i.execution)).toEqual([s.run]);
  });

  test.each(cases)('%s closes the run while activities and timers are open, dropping them', async (_name, decision, eventType) => {
    const s = await scenario();
    await s.respond([d.schedule('a1'), d.schedule('a2'), d.timer('t1', '600')]);
    const activity = await pollActivity(s.swf, s.domain);
    await s.swf.signalWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId, signalName: 'wrap up' });
    await s.next();
    const events = afterCompletion(await s.respond([decision]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', eventType]);
    // Dropped, though Describe keeps reporting what was open at the close, as the service does.
    expect((await s.describe()).openCounts).toMatchObject({ openActivityTasks: 2, openTimers: 1, openDecisionTasks: 0 });
    expect((await s.swf.countPendingActivityTasks({ domain: s.domain, taskList: { name: 'default' } })).count).toBe(0);
    await expectFault(s.swf.respondActivityTaskCompleted({ taskToken: activity.taskToken }), UnknownResourceFault);
  });

  test.each(cases)('%s fails with UNHANDLED_DECISION when a signal arrived while the decider worked', async (name, decision, eventType) => {
    const s = await scenario();
    await s.swf.signalWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId, signalName: 'late news' });
    const events = afterCompletion(await s.respond([decision]));
    const failedType = `${name}Failed`;
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', failedType]);
    const member = `${failedType.charAt(0).toLowerCase()}${failedType.slice(1)}EventAttributes` as keyof HistoryEvent;
    expect(events[1]![member]).toEqual({ cause: 'UNHANDLED_DECISION', decisionTaskCompletedEventId: events[0]!.eventId });
    expect((await s.describe()).executionInfo?.executionStatus).toBe('OPEN');
    expect(await s.pendingDecisions()).toBe(1);

    // The next decision task shows the signal and the failure, and the run can close now.
    const task = await s.next();
    expect(eventsOf(task.events, 'WorkflowExecutionSignaled')).toHaveLength(1);
    expect(eventsOf(task.events, failedType)).toHaveLength(1);
    // Exactly one DecisionTaskScheduled was added for the signal and the failure together.
    expect(eventsOf(task.events, 'DecisionTaskScheduled')).toHaveLength(2);
    const after = afterCompletion(await s.respond([decision]));
    expect(eventTypes(after)).toEqual(['DecisionTaskCompleted', eventType]);
  });

  test('a failure earlier in the same batch does not make a later close fail', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.cancelTimer('ghost'), d.complete('done')]));
    expect(eventsOf(events, 'CancelTimerFailed')).toHaveLength(1);
    expect(lastEvent(events).eventType).toBe('WorkflowExecutionCompleted');
    expect((await s.describe()).executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'COMPLETED' });
    expect(await s.pendingDecisions()).toBe(0);
  });

  test('CancelWorkflowExecution after a cancel request', async () => {
    const s = await scenario();
    await s.respond([]);
    await s.swf.requestCancelWorkflowExecution({ domain: s.domain, workflowId: s.run.workflowId });
    const task = await s.next();
    expect(lastEvent(task.events.slice(0, -2)).eventType).toBe('WorkflowExecutionCancelRequested');
    await s.respond([d.cancel()]);
    const out = await s.describe();
    // The service reports no cancel request on a closed run.
    expect(out.executionInfo).toMatchObject({ executionStatus: 'CLOSED', closeStatus: 'CANCELED', cancelRequested: false });
  });

  test('closing decisions without attributes close the run', async () => {
    const s = await scenario();
    await s.respond([{ decisionType: 'CompleteWorkflowExecution' }]);
    expect(lastEvent(await s.history()).workflowExecutionCompletedEventAttributes).toEqual({
      decisionTaskCompletedEventId: onlyEvent(await s.history(), 'DecisionTaskCompleted').eventId,
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('RecordMarker', () => {
  test('appends MarkerRecorded and schedules no decision', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.marker('m1', 'some details'), d.marker('m2')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'MarkerRecorded', 'MarkerRecorded']);
    expect(events[1]!.markerRecordedEventAttributes).toEqual({ markerName: 'm1', details: 'some details', decisionTaskCompletedEventId: events[0]!.eventId });
    expect(events[2]!.markerRecordedEventAttributes).toEqual({ markerName: 'm2', decisionTaskCompletedEventId: events[0]!.eventId });
    expect(await s.pendingDecisions()).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------
describe('timers', () => {
  test('StartTimer appends TimerStarted; TimerFired follows after about a second and schedules a decision', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.timer('t1', '1', 'ctl')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'TimerStarted']);
    const started = events[1]!;
    expect(started.timerStartedEventAttributes).toEqual({
      timerId: 't1',
      control: 'ctl',
      startToFireTimeout: '1',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect(await s.pendingDecisions()).toBe(0);
    expect((await s.describe()).openCounts?.openTimers).toBe(1);

    // The long poll is handed the decision task the moment the timer fires.
    const t0 = Date.now();
    const task = await s.next();
    expect(Date.now() - t0).toBeLessThan(1900);
    const fired = onlyEvent(task.events, 'TimerFired');
    expect(fired.timerFiredEventAttributes).toEqual({ timerId: 't1', startedEventId: started.eventId });
    expect(fired.eventTimestamp!.getTime() - started.eventTimestamp!.getTime()).toBeGreaterThanOrEqual(990);
    expect(eventTypes(task.events).slice(-3)).toEqual(['TimerFired', 'DecisionTaskScheduled', 'DecisionTaskStarted']);
    expect((await s.describe()).openCounts?.openTimers).toBe(0);

    // A fired timer's id is free again.
    const again = afterCompletion(await s.respond([d.timer('t1', '600')]));
    expect(eventTypes(again)).toEqual(['DecisionTaskCompleted', 'TimerStarted']);
  });

  test('startToFireTimeout 0 fires at once', async () => {
    const s = await scenario();
    await s.respond([d.timer('now', '0')]);
    const task = await s.next();
    expect(onlyEvent(task.events, 'TimerFired').timerFiredEventAttributes?.timerId).toBe('now');
  });

  test('TIMER_ID_ALREADY_IN_USE while a timer with the id is open', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.timer('t1', '600'), d.timer('t1', '600')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'TimerStarted', 'StartTimerFailed', 'DecisionTaskScheduled']);
    expect(events[2]!.startTimerFailedEventAttributes).toEqual({
      timerId: 't1',
      cause: 'TIMER_ID_ALREADY_IN_USE',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect((await s.describe()).openCounts?.openTimers).toBe(1);
  });

  test('OPEN_TIMERS_LIMIT_EXCEEDED beyond maxOpenTimers', async () => {
    const s = await scenario(strict);
    const events = afterCompletion(await s.respond([d.timer('t1', '600'), d.timer('t2', '600')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'TimerStarted', 'StartTimerFailed', 'DecisionTaskScheduled']);
    expect(events[2]!.startTimerFailedEventAttributes).toEqual({
      timerId: 't2',
      cause: 'OPEN_TIMERS_LIMIT_EXCEEDED',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    // Canceling the open timer makes room.
    await s.next();
    const again = afterCompletion(await s.respond([d.cancelTimer('t1'), d.timer('t2', '600')]));
    expect(eventTypes(again)).toEqual(['DecisionTaskCompleted', 'TimerCanceled', 'TimerStarted']);
  });

  test('CancelTimer appends TimerCanceled, schedules no decision, and the timer never fires', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.timer('t1', '1'), d.cancelTimer('t1')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'TimerStarted', 'TimerCanceled']);
    expect(events[2]!.timerCanceledEventAttributes).toEqual({
      timerId: 't1',
      startedEventId: events[1]!.eventId,
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
    expect((await s.describe()).openCounts?.openTimers).toBe(0);
    await sleep(1300);
    expect(eventsOf(await s.history(), 'TimerFired')).toHaveLength(0);
    expect(await s.pendingDecisions()).toBe(0);
  });

  test('CancelTimer of an unknown timer gives CancelTimerFailed TIMER_ID_UNKNOWN', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.cancelTimer('ghost')]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'CancelTimerFailed', 'DecisionTaskScheduled']);
    expect(events[1]!.cancelTimerFailedEventAttributes).toEqual({
      timerId: 'ghost',
      cause: 'TIMER_ID_UNKNOWN',
      decisionTaskCompletedEventId: events[0]!.eventId,
    });
  });

  test('CancelTimer of a timer that fired while the decider worked gives TIMER_ID_UNKNOWN', async () => {
    const s = await scenario();
    await s.respond([d.timer('t1', '0')]);
    const task = await s.next();
    expect(onlyEvent(task.events, 'TimerFired')).toBeDefined();
    const events = afterCompletion(await s.respond([d.cancelTimer('t1')]));
    expect(events[1]!.cancelTimerFailedEventAttributes?.cause).toBe('TIMER_ID_UNKNOWN');
  });
});

// ------------------------------------------------------------------------------------------------
describe('batches', () => {
  test('an empty decision list leaves the run open and idle with no decision scheduled', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted']);
    expect(events[0]!.decisionTaskCompletedEventAttributes).toEqual({ scheduledEventId: 2, startedEventId: 3 });
    const out = await s.describe();
    expect(out.executionInfo?.executionStatus).toBe('OPEN');
    expect(out.openCounts).toMatchObject({ openActivityTasks: 0, openDecisionTasks: 0, openTimers: 0 });
    expect(await s.pendingDecisions()).toBe(0);
  });

  test('DecisionTaskCompleted records the executionContext', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([], 'ctx'));
    expect(events[0]!.decisionTaskCompletedEventAttributes).toEqual({ scheduledEventId: 2, startedEventId: 3, executionContext: 'ctx' });
  });

  test('decisions apply in order with one DecisionTaskCompleted id', async () => {
    const s = await scenario();
    const events = afterCompletion(await s.respond([d.marker('m'), d.schedule('a'), d.timer('t', '600'), d.cancelTimer('nope')]));
    expect(eventTypes(events)).toEqual([
      'DecisionTaskCompleted',
      'MarkerRecorded',
      'ActivityTaskScheduled',
      'TimerStarted',
      'CancelTimerFailed',
      'DecisionTaskScheduled',
    ]);
    const dtc = events[0]!.eventId;
    for (const e of events.slice(1, 5)) {
      const attrs = Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))![1] as { decisionTaskCompletedEventId?: number };
      expect(attrs.decisionTaskCompletedEventId).toBe(dtc);
    }
  });

  test('a close decision that is not last rejects the whole batch; nothing is written and the token stays valid', async () => {
    const s = await scenario();
    const before = await s.history();
    await expectValidation(s.swf.respondDecisionTaskCompleted({ taskToken: s.task.taskToken, decisions: [d.complete(), d.marker('m')] }), 'Close must be last decision in list');
    await expectValidation(
      s.swf.respondDecisionTaskCompleted({ taskToken: s.task.taskToken, decisions: [d.schedule('a'), d.fail(), d.cancel()] }),
      'Close must be last decision in list',
    );
    expect(await s.history()).toEqual(before);
    expect((await s.describe()).openCounts).toMatchObject({ openDecisionTasks: 1, openActivityTasks: 0 });
    const events = afterCompletion(await s.respond([d.marker('m'), d.complete()]));
    expect(eventTypes(events)).toEqual(['DecisionTaskCompleted', 'MarkerRecorded', 'WorkflowExecutionCompleted']);
  });

  test('a decision without its attributes, or missing a required member, is a ValidationException for the batch', async () => {
    const s = await scenario();
    const before = await s.history();
    await expectValidation(
      s.swf.respondDecisionTaskCompleted({ taskToken: s.task.taskToken, decisions: [d.marker('ok'), { decisionType: 'StartTimer' }] }),
      /decisions\.2\.member\.startTimerDecisionAttributes/,
    );
    await expectValidation(
      s.swf.respondDecisionTaskCompleted({
        taskToken: s.task.taskToken,
        decisions: [{ decisionType: 'StartTimer', startTimerDecisionAttributes: { startToFireTimeout: '5' } as never }],
      }),
      /decisions\.1\.member\.startTimerDecisionAttributes\.timerId/,
    );
    await expectValidation(
      s.swf.respondDecisionTaskCompleted({ taskToken: s.task.taskToken, decisions: [{ decisionType: 'Dance' as never }] }),
      /decisions\.1\.member\.decisionType/,
    );
    expect(await s.history()).toEqual(before);
    await s.respond([d.marker('fine')]);
  });
});
