// The console's pure logic: SWF history events (as the JSON API returns them) in, plain data out.
// No DOM, no fetch, no clock (callers pass `now`), so the unit tests run it under Node as is.

/** Epoch seconds of an event's timestamp (a number from the API; an ISO string from other tools). */
export function timestampOf(event) {
  const t = event.eventTimestamp;
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime() / 1000;
  if (typeof t === 'string') {
    const n = Number(t);
    return Number.isFinite(n) ? n : Date.parse(t) / 1000;
  }
  return 0;
}

/** The event's `...EventAttributes` member, or `{}`. */
export function attributesOf(event) {
  for (const key in event) {
    if (key.endsWith('EventAttributes') && event[key] && typeof event[key] === 'object') return event[key];
  }
  return {};
}

const CLOSE_EVENTS = {
  WorkflowExecutionCompleted: 'COMPLETED',
  WorkflowExecutionFailed: 'FAILED',
  WorkflowExecutionTimedOut: 'TIMED_OUT',
  WorkflowExecutionCanceled: 'CANCELED',
  WorkflowExecutionTerminated: 'TERMINATED',
  WorkflowExecutionContinuedAsNew: 'CONTINUED_AS_NEW',
};

/** States of a task (activity, Lambda function, timer, child, decision) as the console shows them. */
export const OPEN_STATES = new Set(['SCHEDULED', 'STARTED', 'INITIATED']);
export const FAILED_STATES = new Set(['FAILED', 'TIMED_OUT', 'SCHEDULE_FAILED', 'START_FAILED']);

/** `key#2` -> { key, attempt: 2 }: ids differing only by a `#<n>` suffix are attempts of one task. */
export function attemptOf(id) {
  const m = /^(.*)#(\d+)$/.exec(String(id ?? ''));
  return m && m[1] ? { key: m[1], attempt: Number(m[2]) } : { key: String(id ?? ''), attempt: 1 };
}

function seconds(value) {
  if (value === undefined || value === null || value === 'NONE') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Replays a history into what the console shows: the run's start and close, every task with its
 * times and state (activities, Lambda functions, timers, children, decision tasks), what is still
 * open (with the time left of timers, against `now` in epoch seconds), signals, markers and
 * cancel requests.
 */
export function deriveExecution(events, now) {
  const out = {
    started: undefined,
    startedAt: undefined,
    close: undefined,
    tasks: [],
    decisions: [],
    children: [],
    signals: [],
    markers: [],
    cancelRequests: [],
    points: [],
    lastEventId: 0,
  };
  const byScheduled = new Map(); // `${kind}:${eventId}` -> task
  const openActivityById = new Map();
  const openTimerById = new Map();
  const decisionBySchedule = new Map();
  const add = (task) => {
    out.tasks.push(task);
    return task;
  };

  for (const e of events) {
    const a = attributesOf(e);
    const at = timestampOf(e);
    const id = e.eventId;
    if (id > out.lastEventId) out.lastEventId = id;
    switch (e.eventType) {
      case 'WorkflowExecutionStarted':
        out.started = a;
        out.startedAt = at;
        break;
      case 'DecisionTaskScheduled': {
        const d = { kind: 'decision', id: `decision ${id}`, scheduledEventId: id, scheduledAt: at, state: 'SCHEDULED', taskList: a.taskList?.name };
        out.decisions.push(d);
        decisionBySchedule.set(id, d);
        break;
      }
      case 'DecisionTaskStarted': {
        const d = decisionBySchedule.get(a.scheduledEventId);
        if (d) Object.assign(d, { startedAt: at, state: 'STARTED', identity: a.identity });
        break;
      }
      case 'DecisionTaskCompleted':
      case 'DecisionTaskTimedOut': {
        const d = decisionBySchedule.get(a.scheduledEventId);
        if (d) Object.assign(d, { closedAt: at, state: e.eventType === 'DecisionTaskCompleted' ? 'COMPLETED' : 'TIMED_OUT', reason: a.timeoutType });
        break;
      }
      case 'ActivityTaskScheduled': {
        const t = add({
          kind: 'activity',
          id: a.activityId,
          name: a.activityType ? `${a.activityType.name}/${a.activityType.version}` : '',
          scheduledEventId: id,
          scheduledAt: at,
          state: 'SCHEDULED',
          input: a.input,
          taskList: a.taskList?.name,
          timeouts: {
            scheduleToStart: seconds(a.scheduleToStartTimeout),
            scheduleToClose: seconds(a.scheduleToCloseTimeout),
            startToClose: seconds(a.startToCloseTimeout),
            heartbeat: seconds(a.heartbeatTimeout),
          },
        });
        byScheduled.set(`activity:${id}`, t);
        openActivityById.set(a.activityId, t);
        break;
      }
      case 'ScheduleActivityTaskFailed':
        add({ kind: 'activity', id: a.activityId, name: a.activityType ? `${a.activityType.name}/${a.activityType.version}` : '', scheduledEventId: id, scheduledAt: at, closedAt: at, state: 'SCHEDULE_FAILED', reason: a.cause });
        break;
      case 'ActivityTaskStarted': {
        const t = byScheduled.get(`activity:${a.scheduledEventId}`);
        if (t) Object.assign(t, { startedAt: at, state: 'STARTED', identity: a.identity });
        break;
      }
      case 'ActivityTaskCancelRequested': {
        const t = openActivityById.get(a.activityId);
        if (t) t.cancelRequested = true;
        break;
      }
      case 'ActivityTaskCompleted':
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
      case 'ActivityTaskCanceled': {
        const t = byScheduled.get(`activity:${a.scheduledEventId}`);
        if (!t) break;
        const state = { ActivityTaskCompleted: 'COMPLETED', ActivityTaskFailed: 'FAILED', ActivityTaskTimedOut: 'TIMED_OUT', ActivityTaskCanceled: 'CANCELED' }[e.eventType];
        Object.assign(t, { closedAt: at, state, result: a.result, reason: a.reason ?? a.timeoutType, details: a.details });
        if (openActivityById.get(t.id) === t) openActivityById.delete(t.id);
        break;
      }
      case 'LambdaFunctionScheduled': {
        const t = add({
          kind: 'lambda',
          id: a.id,
          name: a.name,
          scheduledEventId: id,
          scheduledAt: at,
          state: 'SCHEDULED',
          input: a.input,
          timeouts: { startToClose: seconds(a.startToCloseTimeout) },
        });
        byScheduled.set(`lambda:${id}`, t);
        break;
      }
      case 'ScheduleLambdaFunctionFailed':
        add({ kind: 'lambda', id: a.id, name: a.name, scheduledEventId: id, scheduledAt: at, closedAt: at, state: 'SCHEDULE_FAILED', reason: a.cause });
        break;
      case 'LambdaFunctionStarted': {
        const t = byScheduled.get(`lambda:${a.scheduledEventId}`);
        if (t) Object.assign(t, { startedAt: at, state: 'STARTED' });
        break;
      }
      case 'StartLambdaFunctionFailed': {
        const t = byScheduled.get(`lambda:${a.scheduledEventId}`);
        if (t) Object.assign(t, { closedAt: at, state: 'START_FAILED', reason: a.cause, details: a.message });
        break;
      }
      case 'LambdaFunctionCompleted':
      case 'LambdaFunctionFailed':
      case 'LambdaFunctionTimedOut': {
        const t = byScheduled.get(`lambda:${a.scheduledEventId}`);
        if (!t) break;
        const state = { LambdaFunctionCompleted: 'COMPLETED', LambdaFunctionFailed: 'FAILED', LambdaFunctionTimedOut: 'TIMED_OUT' }[e.eventType];
        Object.assign(t, { closedAt: at, state, result: a.result, reason: a.reason ?? a.timeoutType, details: a.details });
        break;
      }
      case 'TimerStarted': {
        const timeout = seconds(a.startToFireTimeout) ?? 0;
        const t = add({ kind: 'timer', id: a.timerId, name: 'timer', scheduledEventId: id, scheduledAt: at, startedAt: at, fireAt: at + timeout, timeouts: { startToFire: timeout }, state: 'STARTED', control: a.control });
        byScheduled.set(`timer:${id}`, t);
        openTimerById.set(a.timerId, t);
        break;
      }
      case 'TimerFired':
      case 'TimerCanceled': {
        const t = byScheduled.get(`timer:${a.startedEventId}`) ?? openTimerById.get(a.timerId);
        if (!t) break;
        Object.assign(t, { closedAt: at, state: e.eventType === 'TimerFired' ? 'FIRED' : 'CANCELED' });
        if (openTimerById.get(t.id) === t) openTimerById.delete(t.id);
        break;
      }
      case 'StartTimerFailed':
        add({ kind: 'timer', id: a.timerId, name: 'timer', scheduledEventId: id, scheduledAt: at, closedAt: at, state: 'START_FAILED', reason: a.cause });
        break;
      case 'StartChildWorkflowExecutionInitiated': {
        const t = add({
          kind: 'child',
          id: a.workflowId,
          name: a.workflowType ? `${a.workflowType.name}/${a.workflowType.version}` : '',
          workflowId: a.workflowId,
          workflowType: a.workflowType,
          scheduledEventId: id,
          scheduledAt: at,
          state: 'INITIATED',
          input: a.input,
        });
        byScheduled.set(`child:${id}`, t);
        out.children.push(t);
        break;
      }
      case 'StartChildWorkflowExecutionFailed': {
        const t = byScheduled.get(`child:${a.initiatedEventId}`);
        if (t) Object.assign(t, { closedAt: at, state: 'START_FAILED', reason: a.cause });
        break;
      }
      case 'ChildWorkflowExecutionStarted': {
        const t = byScheduled.get(`child:${a.initiatedEventId}`);
        if (t) Object.assign(t, { startedAt: at, state: 'STARTED', runId: a.workflowExecution?.runId });
        break;
      }
      case 'ChildWorkflowExecutionCompleted':
      case 'ChildWorkflowExecutionFailed':
      case 'ChildWorkflowExecutionTimedOut':
      case 'ChildWorkflowExecutionCanceled':
      case 'ChildWorkflowExecutionTerminated': {
        const t = byScheduled.get(`child:${a.initiatedEventId}`);
        if (!t) break;
        const state = {
          ChildWorkflowExecutionCompleted: 'COMPLETED',
          ChildWorkflowExecutionFailed: 'FAILED',
          ChildWorkflowExecutionTimedOut: 'TIMED_OUT',
          ChildWorkflowExecutionCanceled: 'CANCELED',
          ChildWorkflowExecutionTerminated: 'TERMINATED',
        }[e.eventType];
        Object.assign(t, { closedAt: at, state, result: a.result, reason: a.reason ?? a.timeoutType, details: a.details, runId: a.workflowExecution?.runId ?? t.runId });
        break;
      }
      case 'WorkflowExecutionSignaled':
        out.signals.push({ eventId: id, at, name: a.signalName, input: a.input });
        out.points.push({ eventId: id, at, kind: 'signal', label: `signal ${a.signalName}` });
        break;
      case 'MarkerRecorded':
        out.markers.push({ eventId: id, at, name: a.markerName, details: a.details });
        out.points.push({ eventId: id, at, kind: 'marker', label: `marker ${a.markerName}` });
        break;
      case 'WorkflowExecutionCancelRequested':
        out.cancelRequests.push({ eventId: id, at, cause: a.cause });
        out.points.push({ eventId: id, at, kind: 'cancel', label: 'cancel requested' });
        break;
      default:
        if (CLOSE_EVENTS[e.eventType]) {
          out.close = { eventId: id, at, status: CLOSE_EVENTS[e.eventType], result: a.result, reason: a.reason ?? a.timeoutType ?? a.cause, details: a.details, newRunId: a.newExecutionRunId };
          out.points.push({ eventId: id, at, kind: 'close', label: CLOSE_EVENTS[e.eventType] });
        } else if (/Failed$/.test(e.eventType)) {
          out.points.push({ eventId: id, at, kind: 'failure', label: e.eventType });
        }
    }
  }

  const isOpen = (t) => OPEN_STATES.has(t.state);
  out.pendingActivities = out.tasks.filter((t) => t.kind === 'activity' && isOpen(t));
  out.pendingLambdas = out.tasks.filter((t) => t.kind === 'lambda' && isOpen(t));
  out.openTimers = out.tasks
    .filter((t) => t.kind === 'timer' && isOpen(t))
    .map((t) => ({ ...t, timeLeft: Math.max(0, t.fireAt - now) }));
  out.openChildren = out.children.filter(isOpen);
  out.openDecision = out.decisions.find(isOpen);
  return out;
}

/**
 * The timeline: one row per task (attempts of one task, `key` and `key#2`..., share a row, and a
 * retry's backoff timer, whose id is the attempt's, is drawn on that row too), decision tasks on
 * one row, and point events (signals, markers, cancel requests, the close).
 */
export function timelineModel(derived, now, closedAt) {
  const start = derived.startedAt ?? 0;
  const rows = [];
  const rowByKey = new Map();
  const counts = { bars: 0, open: 0, failed: 0, completed: 0 };
  const end = closedAt ?? derived.close?.at ?? now;
  const barOf = (t) => {
    const open = OPEN_STATES.has(t.state);
    counts.bars++;
    if (open) counts.open++;
    else if (FAILED_STATES.has(t.state)) counts.failed++;
    else if (t.state === 'COMPLETED' || t.state === 'FIRED') counts.completed++;
    return {
      from: t.scheduledAt,
      started: t.startedAt,
      to: open ? Math.max(end, t.scheduledAt) : (t.closedAt ?? t.scheduledAt),
      open,
      state: t.state,
      kind: t.kind,
      attempt: attemptOf(t.id).attempt,
      task: t,
    };
  };
  if (derived.decisions.length > 0) {
    const row = { key: 'decisions', label: 'decision tasks', kind: 'decision', bars: derived.decisions.map(barOf) };
    rows.push(row);
  }
  for (const t of derived.tasks) {
    const { key, attempt } = attemptOf(t.id);
    if (t.kind === 'timer') {
      // A retry's backoff timer carries the id of the attempt it precedes.
      const owner = attempt > 1 ? (rowByKey.get(`task:${key}`) ?? undefined) : undefined;
      if (owner) {
        owner.bars.push(barOf(t));
        continue;
      }
    }
    const rowKey = t.kind === 'timer' ? `timer:${t.id}` : `task:${key}`;
    let row = rowByKey.get(rowKey);
    if (!row) {
      row = { key: rowKey, label: t.kind === 'timer' ? t.id : key, kind: t.kind, name: t.name, bars: [], attempts: 0 };
      rowByKey.set(rowKey, row);
      rows.push(row);
    }
    if (t.kind !== 'timer' || row.kind === 'timer') row.attempts = (row.attempts ?? 0) + 1;
    row.bars.push(barOf(t));
  }
  for (const row of rows) {
    if (row.attempts > 1) row.label = `${row.label} (${row.attempts} attempts)`;
  }
  return { start, end: Math.max(end, start + 0.001), rows, points: derived.points, counts };
}

/** A short, one-line description of an event for the history table. */
export function summarizeEvent(event, maxLength = 240) {
  const a = attributesOf(event);
  const q = (s) => (s === undefined ? '' : String(s));
  let text;
  switch (event.eventType) {
    case 'WorkflowExecutionStarted':
      text = `${a.workflowType?.name}/${a.workflowType?.version} on ${a.taskList?.name}${a.input !== undefined ? ` input ${a.input}` : ''}`;
      break;
    case 'ActivityTaskScheduled':
      text = `${a.activityId} ${a.activityType?.name}/${a.activityType?.version} on ${a.taskList?.name}${a.input !== undefined ? ` input ${a.input}` : ''}`;
      break;
    case 'LambdaFunctionScheduled':
      text = `${a.id} ${a.name}${a.input !== undefined ? ` input ${a.input}` : ''}`;
      break;
    case 'DecisionTaskScheduled':
      text = `on ${a.taskList?.name}`;
      break;
    case 'DecisionTaskStarted':
    case 'ActivityTaskStarted':
      text = `scheduled ${a.scheduledEventId}${a.identity ? ` by ${a.identity}` : ''}`;
      break;
    case 'TimerStarted':
      text = `${a.timerId} fires after ${a.startToFireTimeout} s`;
      break;
    case 'TimerFired':
    case 'TimerCanceled':
      text = `${a.timerId}`;
      break;
    case 'WorkflowExecutionSignaled':
      text = `${a.signalName}${a.input !== undefined ? ` input ${a.input}` : ''}`;
      break;
    case 'MarkerRecorded':
      text = `${a.markerName}${a.details !== undefined ? ` ${a.details}` : ''}`;
      break;
    case 'StartChildWorkflowExecutionInitiated':
      text = `${a.workflowId} ${a.workflowType?.name}/${a.workflowType?.version}`;
      break;
    default: {
      const parts = [];
      if (a.scheduledEventId !== undefined) parts.push(`scheduled ${a.scheduledEventId}`);
      if (a.reason !== undefined) parts.push(`reason ${a.reason}`);
      if (a.timeoutType !== undefined) parts.push(`timeout ${a.timeoutType}`);
      if (a.cause !== undefined) parts.push(`cause ${a.cause}`);
      if (a.result !== undefined) parts.push(`result ${a.result}`);
      if (a.details !== undefined) parts.push(`details ${a.details}`);
      if (a.message !== undefined) parts.push(q(a.message));
      text = parts.length > 0 ? parts.join(' ') : JSON.stringify(a);
    }
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** `failure`, `success` or '' for an event type, for the table's colours. */
export function eventTone(eventType) {
  if (/(Failed|TimedOut|Terminated)$/.test(eventType)) return 'failure';
  if (/(Completed|Fired)$/.test(eventType) && eventType !== 'DecisionTaskCompleted') return 'success';
  if (/Cancel/.test(eventType)) return 'cancel';
  return '';
}

/**
 * The history as `aws swf get-workflow-execution-history` prints it: `{"events": [...]}` with
 * epoch-second timestamps, indented like the CLI's JSON output.
 */
export function historyExport(events) {
  return `${JSON.stringify({ events: events.map((e) => ({ ...e, eventTimestamp: timestampOf(e) })) }, null, 4)}\n`;
}

/** Merges newly fetched events into a history sorted by eventId, without duplicates. */
export function mergeEvents(events, fresh) {
  if (fresh.length === 0) return events;
  const last = events.length > 0 ? events[events.length - 1].eventId : 0;
  const add = fresh.filter((e) => e.eventId > last).sort((a, b) => a.eventId - b.eventId);
  return add.length > 0 ? events.concat(add) : events;
}

/**
 * ListOpen/ListClosedWorkflowExecutions input from the console's filter form, with SWF's rules:
 * a time range (start time; close time for closed runs only) and at most one of workflowId,
 * type (`name` or `name:version`), tag or close status (closed runs only).
 */
export function listInput(domain, filter, paging = {}) {
  const open = filter.status !== 'closed';
  const oldest = filter.from !== undefined && filter.from !== '' ? Number(filter.from) : 0;
  const latest = filter.to !== undefined && filter.to !== '' ? Number(filter.to) : undefined;
  if (!Number.isFinite(oldest) || (latest !== undefined && !Number.isFinite(latest))) throw new Error('The time range is not a number of seconds');
  if (latest !== undefined && latest < oldest) throw new Error('The time range ends before it starts');
  const time = { oldestDate: oldest, ...(latest !== undefined ? { latestDate: latest } : {}) };
  const input = { domain };
  if (!open && filter.timeField === 'close') input.closeTimeFilter = time;
  else input.startTimeFilter = time;
  const value = (filter.value ?? '').trim();
  switch (filter.by ?? '') {
    case '':
      break;
    case 'workflowId':
      if (!value) throw new Error('Enter a workflow id');
      input.executionFilter = { workflowId: value };
      break;
    case 'type': {
      if (!value) throw new Error('Enter a workflow type name (name or name:version)');
      const colon = value.lastIndexOf(':');
      input.typeFilter = colon > 0 ? { name: value.slice(0, colon), version: value.slice(colon + 1) } : { name: value };
      break;
    }
    case 'tag':
      if (!value) throw new Error('Enter a tag');
      input.tagFilter = { tag: value };
      break;
    case 'closeStatus':
      if (open) throw new Error('Open executions have no close status');
      if (!['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'].includes(value)) throw new Error(`Unknown close status ${value}`);
      input.closeStatusFilter = { status: value };
      break;
    default:
      throw new Error(`Unknown filter ${filter.by}`);
  }
  if (paging.pageSize) input.maximumPageSize = paging.pageSize;
  if (paging.nextPageToken) input.nextPageToken = paging.nextPageToken;
  return input;
}

/** The Count... input matching a List... input (no paging members). */
export function countInput(list) {
  const { maximumPageSize, nextPageToken, reverseOrder, ...rest } = list;
  return rest;
}

/**
 * StartWorkflowExecution input that runs a closed execution again: same type, input, task list,
 * tags, timeouts, child policy and Lambda role, under `workflowId` (the same id is allowed once
 * the run is closed).
 */
export function rerunInput(domain, describe, started, workflowId) {
  const info = describe.executionInfo ?? {};
  const c = describe.executionConfiguration ?? {};
  const input = {
    domain,
    workflowId,
    workflowType: info.workflowType,
    taskList: c.taskList ?? started?.taskList,
    executionStartToCloseTimeout: c.executionStartToCloseTimeout ?? started?.executionStartToCloseTimeout,
    taskStartToCloseTimeout: c.taskStartToCloseTimeout ?? started?.taskStartToCloseTimeout,
    childPolicy: c.childPolicy ?? started?.childPolicy,
  };
  if (started?.input !== undefined) input.input = started.input;
  const tags = info.tagList ?? started?.tagList;
  if (tags && tags.length > 0) input.tagList = tags;
  const priority = c.taskPriority ?? started?.taskPriority;
  if (priority !== undefined) input.taskPriority = priority;
  const role = c.lambdaRole ?? started?.lambdaRole;
  if (role !== undefined) input.lambdaRole = role;
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  return input;
}

/** `450 ms`, `2.5 s`, `3 min 04 s`, `2 h 05 min`, `3 d 4 h`. */
export function formatDuration(secondsValue) {
  if (secondsValue === undefined || secondsValue === null || !Number.isFinite(secondsValue)) return '';
  const s = Math.max(0, secondsValue);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Epoch seconds as `YYYY-MM-DD HH:MM:SS.mmm` in UTC (the engine's timestamps are UTC). */
export function formatTime(secondsValue) {
  if (secondsValue === undefined || secondsValue === null || !Number.isFinite(secondsValue)) return '';
  return new Date(secondsValue * 1000).toISOString().replace('T', ' ').replace('Z', '');
}

/** Pretty JSON when `text` is JSON, else the text itself. */
export function prettyData(text) {
  if (text === undefined || text === null) return '';
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
  } catch {
    // not JSON
  }
  return String(text);
}

/** A "nice" tick step for an axis spanning `span` seconds with about `ticks` ticks. */
export function tickStep(span, ticks = 8) {
  const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
  const raw = span / Math.max(1, ticks);
  return steps.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/**
 * A run's whole history through GetWorkflowExecutionHistory, oldest first, 1,000 events a page.
 * `call(operation, input)` is the SWF API (the page's fetch, or an SDK in tests).
 */
export async function fullHistory(call, domain, execution, shouldStop = () => false) {
  const events = [];
  let token;
  do {
    const page = await call('GetWorkflowExecutionHistory', { domain, execution, maximumPageSize: 1000, ...(token ? { nextPageToken: token } : {}) });
    for (const e of page.events ?? []) events.push(e);
    token = page.nextPageToken;
  } while (token && !shouldStop());
  return events;
}

/**
 * The events after `lastEventId`, oldest first: newest-first pages (100 events each) until one
 * reaches a known event, so a live view of a long history costs one small call per refresh.
 */
export async function historySince(call, domain, execution, lastEventId, shouldStop = () => false) {
  const fresh = [];
  let token;
  for (;;) {
    const page = await call('GetWorkflowExecutionHistory', { domain, execution, reverseOrder: true, maximumPageSize: 100, ...(token ? { nextPageToken: token } : {}) });
    let reached = false;
    for (const e of page.events ?? []) {
      if (e.eventId <= lastEventId) {
        reached = true;
        break;
      }
      fresh.push(e);
    }
    if (reached || !page.nextPageToken || shouldStop()) break;
    token = page.nextPageToken;
  }
  return fresh.reverse();
}
