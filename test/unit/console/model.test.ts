/**
 * The console page's pure logic (lib/engine/console/static/model.js), run here as it is in the
 * browser: deriving what is open from a history, the timeline, the SWF filter rules of the
 * executions list, re-run input and the history export.
 */
import { loadBrowserModule } from './browser-module';
import { eventById, MODEL_JS, recordedHistory, upTo, type WireEvent } from './fixtures';

const m = loadBrowserModule(MODEL_JS);

describe('timestamps and attributes', () => {
  it('reads epoch seconds, numeric strings and ISO strings', () => {
    expect(m.timestampOf({ eventTimestamp: 1700000000.25 })).toBe(1700000000.25);
    expect(m.timestampOf({ eventTimestamp: '1700000000.5' })).toBe(1700000000.5);
    expect(m.timestampOf({ eventTimestamp: '2026-11-24T10:39:11.169Z' })).toBeCloseTo(Date.parse('2026-11-24T10:39:11.169Z') / 1000, 6);
  });

  it('finds the ...EventAttributes member', () => {
    expect(m.attributesOf({ eventId: 1, eventType: 'TimerFired', timerFiredEventAttributes: { timerId: 't' } })).toEqual({ timerId: 't' });
    expect(m.attributesOf({ eventId: 1, eventType: 'X' })).toEqual({});
  });

  it('splits retry ids', () => {
    expect(m.attemptOf('transcode-720p#2')).toEqual({ key: 'transcode-720p', attempt: 2 });
    expect(m.attemptOf('probe')).toEqual({ key: 'probe', attempt: 1 });
    expect(m.attemptOf('#3')).toEqual({ key: '#3', attempt: 1 });
  });
});

describe('deriveExecution', () => {
  it('replays a completed run with a retried Lambda task', () => {
    const events = recordedHistory('video-retried-failure');
    const d = m.deriveExecution(events, 0);
    expect(d.close).toMatchObject({ status: 'COMPLETED', eventId: 45 });
    expect(JSON.parse(d.close.result)).toMatchObject({ manifestKey: 'v-retried-failure/manifest.json' });
    expect(d.started.input).toContain('v-retried-failure');
    const lambdas = d.tasks.filter((t: any) => t.kind === 'lambda');
    expect(lambdas.map((t: any) => `${t.id}:${t.state}`)).toEqual([
      'probe:COMPLETED',
      'transcode-720p:FAILED',
      'transcode-480p:COMPLETED',
      'transcode-360p:COMPLETED',
      'thumbnails:COMPLETED',
      'transcode-720p#2:COMPLETED',
      'publish:COMPLETED',
    ]);
    expect(lambdas[1]).toMatchObject({ reason: 'TranscodeError', details: 'ffmpeg exited with code 1', scheduledEventId: 13 });
    const timer = d.tasks.find((t: any) => t.kind === 'timer');
    expect(timer).toMatchObject({ id: 'transcode-720p#2', state: 'FIRED', timeouts: { startToFire: 2 } });
    expect(timer.fireAt).toBeCloseTo(eventById(events, 28).eventTimestamp + 2, 6);
    expect(d.markers).toEqual([expect.objectContaining({ name: 'ladder', eventId: 11 }), expect.objectContaining({ name: 'chunk-plan', eventId: 12 })]);
    expect(d.decisions.every((x: any) => x.state === 'COMPLETED')).toBe(true);
    expect(d.pendingActivities).toEqual([]);
    expect(d.pendingLambdas).toEqual([]);
    expect(d.openTimers).toEqual([]);
    expect(d.openDecision).toBeUndefined();
    expect(d.lastEventId).toBe(45);
  });

  it('shows open Lambda tasks, a running decision and a timer with its time left', () => {
    const events = recordedHistory('video-step-failed');
    const timerStarted = eventById(events, 28); // thumbnails#2, 2 s
    const open = upTo(events, 28);
    const now = timerStarted.eventTimestamp + 0.75;
    const d = m.deriveExecution(open, now);
    expect(d.close).toBeUndefined();
    expect(d.openTimers).toHaveLength(1);
    expect(d.openTimers[0]).toMatchObject({ id: 'thumbnails#2', state: 'STARTED' });
    expect(d.openTimers[0].timeLeft).toBeCloseTo(1.25, 6);
    // Later than the deadline: never negative.
    expect(m.deriveExecution(open, timerStarted.eventTimestamp + 60).openTimers[0].timeLeft).toBe(0);

    const running = upTo(events, 20);
    const r = m.deriveExecution(running, eventById(events, 20).eventTimestamp);
    expect(r.pendingLambdas.map((t: any) => `${t.id}:${t.state}`)).toEqual(expect.arrayContaining(['thumbnails:STARTED']));
    expect(r.openDecision).toBeUndefined();
  });

  it('replays an activity run canceled on request', () => {
    const events = recordedHistory('video-cancel-activity');
    const d = m.deriveExecution(events, 0);
    expect(d.close.status).toBe('CANCELED');
    expect(d.cancelRequests).toHaveLength(1);
    const activities = d.tasks.filter((t: any) => t.kind === 'activity');
    expect(activities.filter((t: any) => t.state === 'CANCELED')).toHaveLength(3);
    expect(activities.filter((t: any) => t.cancelRequested)).toHaveLength(3);
    expect(activities.every((t: any) => t.identity !== undefined || t.state === 'SCHEDULED')).toBe(true);

    const beforeCancel = upTo(events, 22);
    const open = m.deriveExecution(beforeCancel, 0);
    expect(open.pendingActivities).toHaveLength(3);
    expect(open.openDecision).toMatchObject({ state: 'SCHEDULED' });
  });

  it('follows children, signals and a failed start', () => {
    const T = 1_700_000_000;
    const events = [
      { eventId: 1, eventType: 'WorkflowExecutionStarted', eventTimestamp: T, workflowExecutionStartedEventAttributes: { input: 'x', taskList: { name: 'd' } } },
      { eventId: 2, eventType: 'StartChildWorkflowExecutionInitiated', eventTimestamp: T + 1, startChildWorkflowExecutionInitiatedEventAttributes: { workflowId: 'kid', workflowType: { name: 'Kid', version: '1' } } },
      { eventId: 3, eventType: 'ChildWorkflowExecutionStarted', eventTimestamp: T + 2, childWorkflowExecutionStartedEventAttributes: { initiatedEventId: 2, workflowExecution: { workflowId: 'kid', runId: 'r1' } } },
      { eventId: 4, eventType: 'WorkflowExecutionSignaled', eventTimestamp: T + 3, workflowExecutionSignaledEventAttributes: { signalName: 'go', input: '1' } },
      { eventId: 5, eventType: 'StartTimerFailed', eventTimestamp: T + 3, startTimerFailedEventAttributes: { timerId: 't', cause: 'TIMER_ID_ALREADY_IN_USE' } },
      { eventId: 6, eventType: 'ChildWorkflowExecutionFailed', eventTimestamp: T + 5, childWorkflowExecutionFailedEventAttributes: { initiatedEventId: 2, workflowExecution: { workflowId: 'kid', runId: 'r1' }, reason: 'boom' } },
    ];
    const d = m.deriveExecution(events, T + 6);
    expect(d.children).toEqual([expect.objectContaining({ workflowId: 'kid', runId: 'r1', state: 'FAILED', reason: 'boom', startedAt: T + 2, closedAt: T + 5 })]);
    expect(d.signals).toEqual([{ eventId: 4, at: T + 3, name: 'go', input: '1' }]);
    expect(d.tasks.find((t: any) => t.kind === 'timer')).toMatchObject({ state: 'START_FAILED', reason: 'TIMER_ID_ALREADY_IN_USE' });
    expect(d.points.map((p: any) => p.kind)).toEqual(['signal']);
  });
});

describe('timelineModel', () => {
  it('puts attempts of a task and its backoff timer on one row', () => {
    const events = recordedHistory('video-retried-failure');
    const d = m.deriveExecution(events, 0);
    const t = m.timelineModel(d, 0);
    expect(t.rows.map((r: any) => r.label)).toEqual(['decision tasks', 'probe', 'transcode-720p (2 attempts)', 'transcode-480p', 'transcode-360p', 'thumbnails', 'publish']);
    const row = t.rows[2];
    expect(row.bars.map((b: any) => `${b.kind}#${b.attempt}:${b.state}`)).toEqual(['lambda#1:FAILED', 'timer#2:FIRED', 'lambda#2:COMPLETED']);
    expect(t.counts).toEqual({ bars: 8 + d.decisions.length, open: 0, failed: 1, completed: 7 + d.decisions.length });
    expect(t.start).toBe(events[0]!.eventTimestamp);
    expect(t.end).toBe(events[events.length - 1]!.eventTimestamp);
    expect(t.points.map((p: any) => p.kind)).toEqual(['marker', 'marker', 'close']);
  });

  it('draws open tasks up to now and counts them', () => {
    const events = recordedHistory('video-success');
    const open = upTo(events, 19);
    const now = eventById(events, 19).eventTimestamp + 5;
    const t = m.timelineModel(m.deriveExecution(open, now), now);
    expect(t.end).toBe(now);
    expect(t.counts.open).toBeGreaterThanOrEqual(1);
    const openBars = t.rows.flatMap((r: any) => r.bars).filter((b: any) => b.open);
    expect(openBars.every((b: any) => b.to === now)).toBe(true);
  });
});

describe('listInput (the SWF filter rules)', () => {
  it('lists open runs by start time, newest first by default', () => {
    expect(m.listInput('d', { status: 'open' }, { pageSize: 50 })).toEqual({ domain: 'd', startTimeFilter: { oldestDate: 0 }, maximumPageSize: 50 });
    expect(m.listInput('d', { status: 'open', from: '100', to: '200', by: 'workflowId', value: ' w1 ' }, { nextPageToken: 'tok' })).toEqual({
      domain: 'd',
      startTimeFilter: { oldestDate: 100, latestDate: 200 },
      executionFilter: { workflowId: 'w1' },
      nextPageToken: 'tok',
    });
  });

  it('lists closed runs by close time and close status', () => {
    expect(m.listInput('d', { status: 'closed', timeField: 'close', by: 'closeStatus', value: 'FAILED' })).toEqual({ domain: 'd', closeTimeFilter: { oldestDate: 0 }, closeStatusFilter: { status: 'FAILED' } });
    expect(m.listInput('d', { status: 'open', timeField: 'close' })).toEqual({ domain: 'd', startTimeFilter: { oldestDate: 0 } });
  });

  it('parses type filters with and without a version, and tags', () => {
    expect(m.listInput('d', { by: 'type', value: 'ProcessVideo:1' }).typeFilter).toEqual({ name: 'ProcessVideo', version: '1' });
    expect(m.listInput('d', { by: 'type', value: 'ProcessVideo' }).typeFilter).toEqual({ name: 'ProcessVideo' });
    expect(m.listInput('d', { by: 'tag', value: 'video' }).tagFilter).toEqual({ tag: 'video' });
  });

  it('refuses what SWF would refuse', () => {
    expect(() => m.listInput('d', { status: 'open', by: 'closeStatus', value: 'FAILED' })).toThrow('Open executions have no close status');
    expect(() => m.listInput('d', { status: 'closed', by: 'closeStatus', value: 'DONE' })).toThrow('Unknown close status DONE');
    expect(() => m.listInput('d', { by: 'workflowId', value: '' })).toThrow('Enter a workflow id');
    expect(() => m.listInput('d', { from: '200', to: '100' })).toThrow('ends before it starts');
    expect(() => m.listInput('d', { by: 'colour', value: 'x' })).toThrow('Unknown filter');
  });

  it('makes the Count input without paging members', () => {
    expect(m.countInput({ domain: 'd', startTimeFilter: { oldestDate: 0 }, maximumPageSize: 5, nextPageToken: 't', reverseOrder: true })).toEqual({ domain: 'd', startTimeFilter: { oldestDate: 0 } });
  });
});

describe('rerunInput', () => {
  it('starts the same type with the same input, task list, tags, timeouts and role', () => {
    const describe = {
      executionInfo: { execution: { workflowId: 'w', runId: 'r' }, workflowType: { name: 'Flow', version: '1' }, tagList: ['a', 'b'] },
      executionConfiguration: { taskList: { name: 'deciders' }, executionStartToCloseTimeout: '3600', taskStartToCloseTimeout: '60', childPolicy: 'TERMINATE', lambdaRole: 'arn:role', taskPriority: '5' },
    };
    expect(m.rerunInput('d', describe, { input: '{"x":1}' }, 'w')).toEqual({
      domain: 'd',
      workflowId: 'w',
      workflowType: { name: 'Flow', version: '1' },
      taskList: { name: 'deciders' },
      executionStartToCloseTimeout: '3600',
      taskStartToCloseTimeout: '60',
      childPolicy: 'TERMINATE',
      input: '{"x":1}',
      tagList: ['a', 'b'],
      taskPriority: '5',
      lambdaRole: 'arn:role',
    });
  });

  it('leaves out what the run did not have', () => {
    const describe = { executionInfo: { workflowType: { name: 'Flow', version: '1' } }, executionConfiguration: { taskList: { name: 't' }, childPolicy: 'ABANDON' } };
    expect(m.rerunInput('d', describe, {}, 'w2')).toEqual({ domain: 'd', workflowId: 'w2', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 't' }, childPolicy: 'ABANDON' });
  });
});

describe('historyExport', () => {
  it('prints {"events": [...]} with epoch-second timestamps, as the AWS CLI does', () => {
    const iso = [{ eventId: 1, eventType: 'WorkflowExecutionStarted', eventTimestamp: '2026-11-24T10:39:11.169Z', workflowExecutionStartedEventAttributes: { input: 'x' } }];
    const text: string = m.historyExport(iso);
    expect(text.startsWith('{\n    "events": [\n')).toBe(true);
    const parsed = JSON.parse(text);
    expect(parsed).toEqual({ events: [{ eventId: 1, eventType: 'WorkflowExecutionStarted', eventTimestamp: Date.parse('2026-11-24T10:39:11.169Z') / 1000, workflowExecutionStartedEventAttributes: { input: 'x' } }] });
  });

  it('keeps every event of a long history', () => {
    const events: WireEvent[] = Array.from({ length: 5000 }, (_, i) => ({ eventId: i + 1, eventType: 'WorkflowExecutionSignaled', eventTimestamp: 1_700_000_000 + i / 10, workflowExecutionSignaledEventAttributes: { signalName: 's' } }));
    expect(JSON.parse(m.historyExport(events)).events).toHaveLength(5000);
  });
});

describe('mergeEvents', () => {
  it('appends only events after the last one, in order', () => {
    const e = (id: number) => ({ eventId: id, eventType: 'X', eventTimestamp: id });
    const base = [e(1), e(2), e(3)];
    expect(m.mergeEvents(base, [e(5), e(3), e(4)]).map((x: any) => x.eventId)).toEqual([1, 2, 3, 4, 5]);
    expect(m.mergeEvents(base, [])).toBe(base);
    expect(m.mergeEvents(base, [e(2)])).toBe(base);
  });
});

describe('text', () => {
  it('summarizes events on one line', () => {
    const events = recordedHistory('video-retried-failure');
    expect(m.summarizeEvent(eventById(events, 28))).toBe('transcode-720p#2 fires after 2 s');
    expect(m.summarizeEvent(eventById(events, 21))).toBe('scheduled 13 reason TranscodeError details ffmpeg exited with code 1');
    expect(m.summarizeEvent(eventById(events, 13))).toMatch(/^transcode-720p video-transcode input \{/);
    expect(m.summarizeEvent({ eventType: 'WorkflowExecutionSignaled', workflowExecutionSignaledEventAttributes: { signalName: 's', input: 'a\nb' } })).toBe('s input a b');
    expect(m.summarizeEvent({ eventType: 'MarkerRecorded', markerRecordedEventAttributes: { markerName: 'm', details: 'x'.repeat(500) } }, 20)).toHaveLength(20);
  });

  it('colours events', () => {
    expect(m.eventTone('LambdaFunctionFailed')).toBe('failure');
    expect(m.eventTone('ActivityTaskTimedOut')).toBe('failure');
    expect(m.eventTone('WorkflowExecutionCompleted')).toBe('success');
    expect(m.eventTone('DecisionTaskCompleted')).toBe('');
    expect(m.eventTone('ActivityTaskCanceled')).toBe('cancel');
  });

  it('formats durations, times, data and axis steps', () => {
    expect(m.formatDuration(0.45)).toBe('450 ms');
    expect(m.formatDuration(2.5)).toBe('2.5 s');
    expect(m.formatDuration(184)).toBe('3 min 04 s');
    expect(m.formatDuration(7500)).toBe('2 h 05 min');
    expect(m.formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
    expect(m.formatDuration(undefined)).toBe('');
    expect(m.formatTime(1_700_000_000.123)).toBe('2023-11-14 22:13:20.123');
    expect(m.prettyData('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(m.prettyData('plain')).toBe('plain');
    expect(m.tickStep(10, 8)).toBe(2);
    expect(m.tickStep(0.004, 8)).toBe(0.001);
    expect(m.tickStep(3600, 6)).toBe(600);
  });
});
