/**
 * npm run bench:status — what one GET /videos/{id} costs on a long chunked video.
 *
 * A 3-hour video (180 chunks of 60 s, 10 at a time) with a 4-rung ladder: each rung's
 * ProcessRendition child history is made by the real decider (lib/video/workflow.ts) against a
 * simulated SWF that runs every Lambda task it schedules, so its events and their sizes are the
 * ones the workflow records. The API (lib/api createApi) then answers GET /videos/{id} against an
 * in-memory SWF serving those histories in pages (at most 1,000 events, either order), each
 * passed through JSON as the SDK would receive it. Printed: events and bytes per child history, SWF calls per
 * read, and the CPU time per read (process.cpuUsage, median of BENCH_RUNS reads, default 30),
 * half-way through the encode and at its last chunks (children open), and once the renditions are
 * done (children closed), each for a first read (a new API instance: every history read whole)
 * and for the next reads of a warm instance (an open child: only a newest-first page of what is
 * new, here nothing, since the histories stand still; a closed child: not read at all).
 */
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { createApi, type SwfApi } from '../lib/api';
import type { EncodeChunkResult, Rendition, RenditionWorkflowInput } from '../lib/video/contracts';
import { DOMAIN, RENDITION_WORKFLOW_TYPE, TASK_LISTS, WORKFLOW_TYPE } from '../lib/video/definition';
import { decideVideo, renditionWorkflowId } from '../lib/video/workflow';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const VIDEO_ID = 'v0benchstatus00000001';
const PAGE = 1000;
const HOURS = 3;
const PLAN = { seconds: 60, count: (HOURS * 3600) / 60, concurrency: 10, segmentSeconds: 4 };
const LADDER: Rendition[] = [
  { name: '1080p', width: 1920, height: 1080, videoBitrateKbps: 5000, maxBitrateKbps: 5350, bufferSizeKbits: 10000, audioBitrateKbps: 128 },
  { name: '720p', width: 1280, height: 720, videoBitrateKbps: 2800, maxBitrateKbps: 2996, bufferSizeKbits: 5600, audioBitrateKbps: 128 },
  { name: '480p', width: 854, height: 480, videoBitrateKbps: 1400, maxBitrateKbps: 1498, bufferSizeKbits: 2800, audioBitrateKbps: 96 },
  { name: '360p', width: 640, height: 360, videoBitrateKbps: 800, maxBitrateKbps: 856, bufferSizeKbits: 1600, audioBitrateKbps: 96 },
];

/** Appends events the way SWF numbers and stamps them. */
class Recorder {
  readonly events: HistoryEvent[] = [];
  private at = Date.parse('2030-01-01T00:00:00Z');

  add(eventType: string, attributes: Record<string, unknown>): number {
    const eventId = this.events.length + 1;
    this.events.push({ eventId, eventType, eventTimestamp: new Date((this.at += 500)), [`${eventType[0]!.toLowerCase()}${eventType.slice(1)}EventAttributes`]: attributes } as HistoryEvent);
    return eventId;
  }
}

/** A child's history from the real decider, every task completing in schedule order; stops once `stopAfter` chunks completed. */
function childHistory(rendition: Rendition, stopAfter = Infinity): HistoryEvent[] {
  const input: RenditionWorkflowInput = { videoId: VIDEO_ID, sourceKey: `${VIDEO_ID}/source`, rendition, frameRate: 30, hasAudio: true, durationSeconds: PLAN.count * PLAN.seconds, plan: PLAN };
  const r = new Recorder();
  r.add('WorkflowExecutionStarted', { input: JSON.stringify(input), workflowType: RENDITION_WORKFLOW_TYPE, taskList: { name: TASK_LISTS.decisions }, childPolicy: 'TERMINATE' });
  const open: { id: string; name: string; scheduled: number; started: number }[] = [];
  let chunksDone = 0;
  for (;;) {
    const scheduled = r.add('DecisionTaskScheduled', { taskList: { name: TASK_LISTS.decisions } });
    const started = r.add('DecisionTaskStarted', { scheduledEventId: scheduled });
    const decisions = decideVideo(r.events);
    const completed = r.add('DecisionTaskCompleted', { scheduledEventId: scheduled, startedEventId: started });
    for (const d of decisions) {
      if (d.decisionType === 'CompleteWorkflowExecution') {
        r.add('WorkflowExecutionCompleted', { result: d.completeWorkflowExecutionDecisionAttributes?.result, decisionTaskCompletedEventId: completed });
        return r.events;
      }
      const a = d.scheduleLambdaFunctionDecisionAttributes;
      if (!a) throw new Error(`the simulation does not carry out ${d.decisionType}`);
      const s = r.add('LambdaFunctionScheduled', { id: a.id, name: a.name, input: a.input, startToCloseTimeout: a.startToCloseTimeout, decisionTaskCompletedEventId: completed });
      open.push({ id: a.id!, name: a.name!, scheduled: s, started: r.add('LambdaFunctionStarted', { scheduledEventId: s }) });
    }
    const task = open.shift();
    if (!task) throw new Error('the decider scheduled nothing and did not complete');
    if (task.id.startsWith('chunk-') && ++chunksDone > stopAfter) return r.events;
    r.add('LambdaFunctionCompleted', { scheduledEventId: task.scheduled, startedEventId: task.started, result: JSON.stringify(resultOf(task.id, rendition)) });
  }
}

function resultOf(id: string, rendition: Rendition): unknown {
  const file = (key: string) => ({ key, sizeBytes: 12_345_678, sha256: 'ab'.repeat(32) });
  if (id.startsWith('chunk-')) {
    const index = Number(id.slice('chunk-'.length));
    const r: EncodeChunkResult = { index, chunk: file(`${VIDEO_ID}/chunks/${rendition.name}/${index}.mp4`), frames: PLAN.seconds * 30, durationSeconds: PLAN.seconds, elapsedMs: 95_000 };
    return r;
  }
  if (id === 'audio') return { audio: file(`${VIDEO_ID}/chunks/${rendition.name}/audio.m4a`), durationSeconds: PLAN.count * PLAN.seconds, elapsedMs: 60_000 };
  return { rendition, mp4: file(`${VIDEO_ID}/renditions/${rendition.name}.mp4`), hls: { playlist: file(`${VIDEO_ID}/hls/${rendition.name}/index.m3u8`), segmentCount: 2700 }, durationSeconds: PLAN.count * PLAN.seconds };
}

/** The parent up to its children started (or closed), as the API reads it. */
function parentHistory(childrenClosed: boolean): HistoryEvent[] {
  const r = new Recorder();
  r.add('WorkflowExecutionStarted', { input: JSON.stringify({ videoId: VIDEO_ID, sourceKey: `${VIDEO_ID}/source` }), workflowType: WORKFLOW_TYPE, taskList: { name: TASK_LISTS.decisions }, childPolicy: 'TERMINATE' });
  r.add('MarkerRecorded', { markerName: 'ladder', details: JSON.stringify(LADDER), decisionTaskCompletedEventId: 1 });
  r.add('MarkerRecorded', { markerName: 'chunk-plan', details: JSON.stringify(PLAN), decisionTaskCompletedEventId: 1 });
  for (const rendition of LADDER) {
    const workflowId = renditionWorkflowId(VIDEO_ID, rendition.name);
    const initiated = r.add('StartChildWorkflowExecutionInitiated', { workflowId, workflowType: RENDITION_WORKFLOW_TYPE, input: JSON.stringify({ rendition, hasAudio: true, plan: PLAN }), decisionTaskCompletedEventId: 1 });
    const execution = { workflowId, runId: `run-${rendition.name}` };
    const started = r.add('ChildWorkflowExecutionStarted', { workflowExecution: execution, workflowType: RENDITION_WORKFLOW_TYPE, initiatedEventId: initiated });
    if (childrenClosed) r.add('ChildWorkflowExecutionCompleted', { workflowExecution: execution, workflowType: RENDITION_WORKFLOW_TYPE, initiatedEventId: initiated, startedEventId: started, result: '{}' });
  }
  return r.events;
}

/** Serves the runs' histories in pages, each through JSON, counting the calls. */
function swfServing(histories: Map<string, HistoryEvent[]>): SwfApi & { calls: number; historyCalls: number } {
  const info = { execution: { workflowId: VIDEO_ID, runId: 'run-parent' }, workflowType: WORKFLOW_TYPE, startTimestamp: new Date(0), executionStatus: 'OPEN' as const, cancelRequested: false };
  const swf = {
    calls: 0,
    historyCalls: 0,
    async startWorkflowExecution() {
      throw new Error('not used');
    },
    async listOpenWorkflowExecutions() {
      swf.calls++;
      return { executionInfos: [info] };
    },
    async listClosedWorkflowExecutions() {
      swf.calls++;
      return { executionInfos: [] };
    },
    async describeWorkflowExecution() {
      swf.calls++;
      return { executionInfo: info };
    },
    async getWorkflowExecutionHistory(input: { execution?: { runId?: string }; nextPageToken?: string; maximumPageSize?: number; reverseOrder?: boolean }) {
      swf.calls++;
      swf.historyCalls++;
      const all = histories.get(input.execution?.runId ?? '') ?? [];
      const events = input.reverseOrder ? [...all].reverse() : all;
      const size = Math.min(input.maximumPageSize ?? PAGE, PAGE);
      const from = Number(input.nextPageToken ?? 0);
      const page = JSON.parse(JSON.stringify(events.slice(from, from + size)), (k, v) => (k === 'eventTimestamp' ? new Date(v) : v)) as HistoryEvent[];
      return { events: page, ...(from + size < events.length ? { nextPageToken: String(from + size) } : {}) };
    },
    async requestCancelWorkflowExecution() {
      throw new Error('not used');
    },
  };
  return swf;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `cold`: every read by a new API instance (nothing kept: a cold Lambda, or the first poll); else one warm instance. */
async function measure(label: string, childrenClosed: boolean, children: Map<string, HistoryEvent[]>, cold = false): Promise<void> {
  const histories = new Map([['run-parent', parentHistory(childrenClosed)], ...children]);
  const swf = swfServing(histories);
  const newApi = () => createApi({ swf, domain: DOMAIN, uploads: undefined as never, media: undefined as never });
  let api = newApi();
  const read = async () => {
    if (cold) api = newApi();
    const res = await api.handle({ method: 'GET', path: `/videos/${VIDEO_ID}`, query: {}, headers: {} });
    if (res.statusCode !== 200) throw new Error(`GET /videos/{id}: ${res.statusCode} ${String(res.body)}`);
    return res.body.length;
  };
  await read(); // warm-up (and, for closed children, the one read that fills the cache)
  const cpu: number[] = [];
  let calls = 0;
  let historyCalls = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    swf.calls = 0;
    swf.historyCalls = 0;
    const before = process.cpuUsage();
    bytes = await read();
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
    calls = swf.calls;
    historyCalls = swf.historyCalls;
  }
  console.log(`GET /videos/{id}, ${label.padEnd(50)} ${median(cpu).toFixed(1).padStart(6)} ms CPU  ${String(calls).padStart(3)} SWF calls (${historyCalls} history pages)  response ${(bytes / 1024).toFixed(1)} KiB`);
}

async function main(): Promise<void> {
  console.log(`A ${HOURS}-hour video: ${PLAN.count} chunks of ${PLAN.seconds} s per rendition, ${PLAN.concurrency} at a time, ${LADDER.length} renditions. Median of ${RUNS} reads.`);
  const half = new Map(LADDER.map((r) => [`run-${r.name}`, childHistory(r, PLAN.count / 2)]));
  const full = new Map(LADDER.map((r) => [`run-${r.name}`, childHistory(r)]));
  const one = full.get(`run-${LADDER[0]!.name}`)!;
  console.log(`child history, completed: ${one.length} events, ${(JSON.stringify(one).length / 1024).toFixed(0)} KiB as JSON (${Math.ceil(one.length / PAGE)} pages of ${PAGE})`);
  const nearEnd = new Map(LADDER.map((r) => [`run-${r.name}`, childHistory(r, PLAN.count - 1)]));
  await measure('half-way (children open), first read', false, half, true);
  await measure('half-way (children open), next reads', false, half);
  await measure('last chunks running (children open), first read', false, nearEnd, true);
  await measure('last chunks running (children open), next reads', false, nearEnd);
  await measure('renditions done (children closed), first read', true, full, true);
  await measure('renditions done (children closed), next reads', true, full);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
