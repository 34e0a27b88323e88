/**
 * Conformance with the live service's answers: the flows that public recordings of Amazon SWF
 * show (a run canceled with an activity still started; timers, a signal, activities that
 * complete and fail, children that complete and fail; a failing run; a terminated one) are
 * replayed against swf-local the way those recordings were made (boto 2: long X-Amz-Target,
 * `application/json; charset=UTF-8`), and every answer and every history event is checked
 * against the shapes in test/fixtures/wire/live-shapes.json: the members that must be there,
 * those that may, nothing else, and the links that are 0.
 */
import shapes from '../fixtures/wire/live-shapes.json';
import { startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { rawCall } from '../helpers/raw-http';
import { sleep } from '../helpers/swf-flow';

interface MemberShape {
  required: string[];
  optional: string[];
  zeroUnless?: Record<string, string>;
  always?: Record<string, unknown>;
}
type Json = Record<string, any>;

const EVENT_SHAPES = shapes.events as Record<string, MemberShape>;
const RESPONSES = shapes.responses as Record<string, { keys: string[]; optional?: string[]; members?: Record<string, MemberShape> }>;

let t: TestEngine;
let domain: string;
/** Every answer, by operation, for the shape checks at the end. */
const answers: { op: string; json: Json }[] = [];

/** One call as boto 2 makes it; a non-200 answer fails the test. */
async function call(op: string, body: Json): Promise<Json> {
  const r = await rawCall(t.engine.endpoint, {
    target: shapes.request.targetPrefix + op,
    body,
    headers: { 'Content-Type': shapes.request.contentType },
  });
  if (r.status !== 200) throw new Error(`${op} answered ${r.status}: ${r.text}`);
  expect(r.headers.get('content-type')).toBe(shapes.request.answerContentType);
  const json = (r.json ?? {}) as Json;
  answers.push({ op, json });
  return json;
}

/** Members of `value` checked against `shape`; the message names `where` on failure. */
function expectShape(where: string, value: Json, shape: MemberShape): void {
  const keys = Object.keys(value);
  const missing = shape.required.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !shape.required.includes(k) && !shape.optional.includes(k));
  expect({ where, missing, extra }).toEqual({ where, missing: [], extra: [] });
  for (const [link, unless] of Object.entries(shape.zeroUnless ?? {})) {
    if (value[unless] === undefined) expect({ where, [link]: value[link] }).toEqual({ where, [link]: 0 });
  }
  for (const [k, v] of Object.entries(shape.always ?? {})) expect({ where, [k]: value[k] }).toEqual({ where, [k]: v });
}

/** Polls a decision task on `taskList` (or fails) and answers it with what `decide` returns. */
async function decideNext(taskList: string, decide: (events: Json[]) => Json[], executionContext?: string): Promise<Json> {
  for (let i = 0; i < 20; i++) {
    const task = await call('PollForDecisionTask', { domain, taskList: { name: taskList }, identity: 'shapes-decider' });
    if (!task.taskToken) continue;
    await call('RespondDecisionTaskCompleted', {
      taskToken: task.taskToken,
      decisions: decide(task.events as Json[]),
      ...(executionContext !== undefined ? { executionContext } : {}),
    });
    return task;
  }
  throw new Error(`no decision task on ${taskList}`);
}

async function workActivity(outcome: 'complete' | 'fail'): Promise<void> {
  const task = await call('PollForActivityTask', { domain, taskList: { name: 'work' }, identity: 'shapes-worker' });
  if (!task.taskToken) throw new Error('no activity task');
  if (outcome === 'complete') await call('RespondActivityTaskCompleted', { taskToken: task.taskToken, result: '"done"' });
  else await call('RespondActivityTaskFailed', { taskToken: task.taskToken, reason: 'Boom', details: 'stack' });
}

const has = (events: Json[], type: string) => events.some((e) => e.eventType === type);
const schedule = (activityId: string) => ({
  decisionType: 'ScheduleActivityTask',
  scheduleActivityTaskDecisionAttributes: {
    activityId,
    activityType: { name: 'Work', version: '1' },
    taskList: { name: 'work' },
    input: '{"args":[]}',
    scheduleToCloseTimeout: '300',
    scheduleToStartTimeout: '300',
    startToCloseTimeout: '300',
    heartbeatTimeout: '300',
  },
});
const startChild = (workflowId: string) => ({
  decisionType: 'StartChildWorkflowExecution',
  startChildWorkflowExecutionDecisionAttributes: { workflowId, workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'children' }, input: '{}' },
});

async function start(workflowId: string, taskList: string, extra: Json = {}): Promise<{ workflowId: string; runId: string }> {
  const { runId } = await call('StartWorkflowExecution', {
    domain,
    workflowId,
    workflowType: { name: 'Flow', version: '1' },
    taskList: { name: taskList },
    childPolicy: 'TERMINATE',
    input: '{"args":[true]}',
    ...extra,
  });
  return { workflowId, runId };
}

const describeRun = (execution: Json) => call('DescribeWorkflowExecution', { domain, execution });
const historyOf = async (execution: Json) => (await call('GetWorkflowExecutionHistory', { domain, execution })).events as Json[];

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 200 });
  domain = unique('live-shapes');
  await t.swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: '1' });
  await t.swf.registerWorkflowType({
    domain,
    name: 'Flow',
    version: '1',
    defaultTaskList: { name: 'flows' },
    defaultExecutionStartToCloseTimeout: '300',
    defaultTaskStartToCloseTimeout: '300',
    defaultChildPolicy: 'TERMINATE',
  });
  await t.swf.registerActivityType({ domain, name: 'Work', version: '1' });
});

afterAll(async () => {
  await t?.close();
});

test('the recorded flows answer in the live shapes, and every event has the live members', async () => {
  await call('DescribeWorkflowType', { domain, workflowType: { name: 'Flow', version: '1' } });
  const runs: { workflowId: string; runId: string }[] = [];

  // 1. Canceled while an activity is started: the closed run still counts it, with no cancel request.
  const canceled = await start('canceled', 'canceled');
  runs.push(canceled);
  await decideNext('canceled', () => [schedule('a1'), { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'm' } }]);
  await call('PollForActivityTask', { domain, taskList: { name: 'work' }, identity: 'shapes-worker' });
  const open = await describeRun(canceled);
  expect(open.openCounts.openActivityTasks).toBe(1);
  await call('RequestCancelWorkflowExecution', { domain, workflowId: canceled.workflowId });
  await decideNext('canceled', () => [{ decisionType: 'CancelWorkflowExecution', cancelWorkflowExecutionDecisionAttributes: {} }]);
  const closed = await describeRun(canceled);
  expect(closed.openCounts.openActivityTasks).toBe(1);
  const startedAt = (await historyOf(canceled)).find((e) => e.eventType === 'ActivityTaskStarted')!.eventTimestamp;
  expect(closed.latestActivityTaskTimestamp).toBe(startedAt);

  // 2. Timers, a signal, activities that complete and fail, children that complete and fail.
  const busy = await start('busy', 'busy', { tagList: ['shapes'] });
  runs.push(busy);
  await decideNext('busy', () => [
    { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'soon', startToFireTimeout: '1' } },
    { decisionType: 'StartTimer', startTimerDecisionAttributes: { timerId: 'later', startToFireTimeout: '600' } },
    schedule('ok'),
    { decisionType: 'RecordMarker', recordMarkerDecisionAttributes: { markerName: 'm', details: 'd' } },
  ]);
  await workActivity('complete');
  await call('SignalWorkflowExecution', { domain, workflowId: busy.workflowId, signalName: 'go', input: '{}' });
  await call('ListOpenWorkflowExecutions', { domain, startTimeFilter: { oldestDate: 0 } });
  await sleep(1100);
  let fired = has(await historyOf(busy), 'TimerFired');
  for (let i = 0; !fired && i < 20; i++) {
    await sleep(200);
    fired = has(await historyOf(busy), 'TimerFired');
  }
  expect(fired).toBe(true);
  await decideNext('busy', () => [{ decisionType: 'CancelTimer', cancelTimerDecisionAttributes: { timerId: 'later' } }, schedule('bad'), startChild('child-ok'), startChild('child-bad')], 'ctx');
  await workActivity('fail');
  await decideNext('children', () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: 'null' } }]);
  await decideNext('children', () => [{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'Child', details: 'why' } }]);
  for (let i = 0; i < 20; i++) {
    const events = await historyOf(busy);
    if (has(events, 'ChildWorkflowExecutionCompleted') && has(events, 'ChildWorkflowExecutionFailed') && has(events, 'ActivityTaskFailed')) break;
    await sleep(100);
  }
  const busyOpen = await describeRun(busy);
  expect(busyOpen.latestExecutionContext).toBe('ctx');
  await decideNext('busy', () => [{ decisionType: 'CompleteWorkflowExecution', completeWorkflowExecutionDecisionAttributes: { result: '[1]' } }]);
  for (const child of ['child-ok', 'child-bad']) {
    const { executionInfos } = await call('ListClosedWorkflowExecutions', { domain, startTimeFilter: { oldestDate: 0 }, executionFilter: { workflowId: child } });
    runs.push(executionInfos[0].execution);
  }

  // 3. A run that fails, and 4. one that is terminated.
  const failing = await start('failing', 'failing');
  runs.push(failing);
  await decideNext('failing', () => [{ decisionType: 'FailWorkflowExecution', failWorkflowExecutionDecisionAttributes: { reason: 'Bad', details: 'input' } }]);
  const terminated = await start('terminated', 'terminated');
  await call('TerminateWorkflowExecution', { domain, workflowId: terminated.workflowId });

  // Every event of every run.
  const seen = new Set<string>();
  for (const run of runs) {
    const events = await historyOf(run);
    for (const e of events) {
      const where = `${run.workflowId}#${e.eventId} ${e.eventType}`;
      const member = `${e.eventType.charAt(0).toLowerCase()}${e.eventType.slice(1)}EventAttributes`;
      expect({ where, keys: Object.keys(e).sort() }).toEqual({ where, keys: [...shapes.eventKeys, member].sort() });
      const shape = EVENT_SHAPES[e.eventType];
      if (!shape) throw new Error(`${where}: no recorded shape for this event type; the flows above should only make recorded ones`);
      expectShape(where, e[member], shape);
      seen.add(e.eventType);
    }
  }
  // The flows made every event type the recordings show.
  expect([...seen].sort()).toEqual(Object.keys(EVENT_SHAPES).sort());

  // Every answer of an operation the recordings show.
  for (const { op, json } of answers) {
    const shape = RESPONSES[op];
    if (!shape) continue;
    const keys = Object.keys(json).sort();
    const optional = shape.optional ?? [];
    expect({ op, missing: shape.keys.filter((k) => !keys.includes(k)), extra: keys.filter((k) => !shape.keys.includes(k) && !optional.includes(k)) }).toEqual({
      op,
      missing: [],
      extra: [],
    });
    for (const [member, memberShape] of Object.entries(shape.members ?? {})) expectShape(`${op}.${member}`, json[member], memberShape);
    if (op === 'DescribeWorkflowExecution') {
      const info = json.executionInfo as Json;
      expectShape(`${op}.executionInfo (${info.executionStatus})`, info, (shapes.executionInfo as Record<string, MemberShape>)[info.executionStatus]!);
    }
  }
});
