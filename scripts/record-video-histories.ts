/**
 * Records the replay fixtures (test/fixtures/histories/video-*.json) from real swf-local runs
 * decided by lib/video/workflow.ts, with a fake Lambda invoker and a fake activity worker that
 * follow a script per scenario:
 *
 *   npm run record:histories
 *
 * Each file holds the run's full history and the decisions sent for each decision task (by its
 * DecisionTaskStarted id); workflow-replay.test.ts replays them.
 */
import { SWF, type Decision, type HistoryEvent } from '@aws-sdk/client-swf';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine, type LambdaInvocation, type LambdaOutcome } from '../lib/engine';
import { keys, type EncodeChunkInput, type PackageInput, type ProbeResult, type PublishInput, type Rendition, type ThumbnailTilesInput, type TranscodeInput, type WorkflowInput } from '../lib/video/contracts';
import { CHILD_POLICY, DOMAIN, RENDITION_WORKFLOW_TYPE, RETENTION_DAYS, STEPS, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE, WORKFLOW_TYPES } from '../lib/video/definition';
import { tilesInRange, planSprite } from '../lib/video/sprite';
import { decideVideo } from '../lib/video/workflow';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { result: unknown } | { reason: string; details: string } | { delayMs: number; then: Outcome };
type Script = (step: string, input: any, attempt: number) => Outcome;

const probeResult: ProbeResult = {
  durationSeconds: 12.5, width: 1280, height: 720, rotation: 0, displayWidth: 1280, displayHeight: 720, frameRate: 30,
  videoCodec: 'h264', hasAudio: true, audioCodec: 'aac', bitRate: 2_400_000, sizeBytes: 3_750_000, formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};
const file = (key: string, size: number) => ({ key, sizeBytes: size, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });

function renditionResult(videoId: string, r: Rendition): Outcome {
  return {
    result: {
      rendition: r,
      mp4: { ...file(`${videoId}/renditions/${r.name}.mp4`, 1000), width: r.width, height: r.height, durationSeconds: 12.5, bitRate: r.videoBitrateKbps * 1000 },
      hls: { playlist: file(`${videoId}/hls/${r.name}/index.m3u8`, 200), segmentCount: 1, segmentBytes: 500, bandwidth: 3_000_000, averageBandwidth: 2_500_000, codecs: 'avc1.64001f,mp4a.40.2' },
      elapsedMs: 1234,
    },
  };
}

function success(step: string, input: any): Outcome {
  switch (step) {
    case 'probe':
      return { result: probeResult };
    case 'transcode': {
      const t = input as TranscodeInput;
      return renditionResult(t.videoId, t.rendition);
    }
    case 'encodeChunk': {
      const c = input as EncodeChunkInput;
      const frames = Math.round(((c.endSeconds ?? probeResult.durationSeconds) - c.startSeconds) * probeResult.frameRate);
      return { result: { index: c.index, chunk: file(keys.chunk(c.videoId, c.rendition.name, c.index), 400), frames, durationSeconds: frames / probeResult.frameRate, elapsedMs: 400 } };
    }
    case 'encodeAudio':
      return { result: { audio: file(keys.chunkAudio(input.videoId, input.rendition.name), 200), durationSeconds: 12.5, elapsedMs: 300 } };
    case 'packageRendition': {
      const p = input as PackageInput;
      return renditionResult(p.videoId, p.rendition);
    }
    case 'thumbnailTiles': {
      const t = input as ThumbnailTilesInput;
      const range = tilesInRange(planSprite(t.durationSeconds, t.displayWidth, t.displayHeight), t.startSeconds, t.endSeconds);
      return { result: { ...range, elapsedMs: 50 } };
    }
    case 'thumbnails':
    case 'thumbnailSheet':
      return {
        result: {
          poster: { ...file(`${input.videoId}/thumbnails/poster.jpg`, 100), width: 1280, height: 720 },
          sprite: { ...file(`${input.videoId}/thumbnails/sprite.jpg`, 100), width: 800, height: 450, columns: 5, rows: 5, tileWidth: 160, tileHeight: 90 },
          vtt: file(`${input.videoId}/thumbnails/thumbnails.vtt`, 50),
          intervalSeconds: 1, count: 13, elapsedMs: 321,
        },
      };
    case 'publish': {
      const p = input as PublishInput;
      return { result: { manifest: file(`${p.videoId}/manifest.json`, 900), masterPlaylist: file(`${p.videoId}/hls/master.m3u8`, 300) } };
    }
  }
  throw new Error(step);
}

const stepOf = (functionName: string) => (Object.entries(STEPS).find(([, s]) => s.functionName === functionName) ?? ['?'])[0];

async function resolve(o: Outcome): Promise<Exclude<Outcome, { delayMs: number }>> {
  if ('delayMs' in o) {
    await sleep(o.delayMs);
    return resolve(o.then);
  }
  return o;
}

interface Scenario {
  name: string;
  description: string;
  runner: 'lambda' | 'activity';
  /** More of the workflow input (the chunked scenarios ask for 4-second chunks). */
  input?: Partial<WorkflowInput>;
  script: Script;
  /** Called after each decision task with the history; may request cancellation. */
  cancelWhen?: (events: HistoryEvent[]) => boolean;
}

const scenarios: Scenario[] = [
  { name: 'video-success', description: 'Lambda runner: probe, ladder 720p/480p/360p, transcodes and thumbnails in parallel, publish, complete.', runner: 'lambda', script: (s, i) => success(s, i) },
  {
    name: 'video-retried-failure',
    description: 'Lambda runner: transcode-720p fails once with a transient TranscodeError, waits on backoff timer transcode-720p#2 (2 s), succeeds on attempt 2.',
    runner: 'lambda',
    script: (s, i, attempt) => (s === 'transcode' && i.rendition.name === '720p' && attempt === 1 ? { reason: 'TranscodeError', details: 'ffmpeg exited with code 1' } : success(s, i)),
  },
  {
    name: 'video-not-a-video',
    description: 'Lambda runner: probe fails with the non-retryable NotAVideoError; the run fails at once with reason NotAVideo.',
    runner: 'lambda',
    script: (s, i) => (s === 'probe' ? { reason: 'NotAVideoError', details: 'uploads/v-bad/source has no video stream' } : success(s, i)),
  },
  {
    name: 'video-step-failed',
    description: 'Lambda runner: thumbnails fails 3 times (backoff timers of 2 s and 4 s between); the run fails with StepFailed.',
    runner: 'lambda',
    script: (s, i) => (s === 'thumbnails' ? { reason: 'ThumbnailError', details: 'sprite sheet could not be written' } : success(s, i)),
  },
  {
    name: 'video-cancel-lambda',
    description: 'Lambda runner: cancel requested while the transcodes run; Lambda tasks cannot be canceled, so the run is canceled at once and they are abandoned.',
    runner: 'lambda',
    script: (s, i) => (s === 'transcode' || s === 'thumbnails' ? { delayMs: 1500, then: success(s, i) } : success(s, i)),
    cancelWhen: (events) => events.some((e) => e.eventType === 'LambdaFunctionStarted' && events.some((x) => x.eventType === 'LambdaFunctionScheduled' && x.eventId === e.lambdaFunctionStartedEventAttributes?.scheduledEventId && x.lambdaFunctionScheduledEventAttributes?.id?.startsWith('transcode'))),
  },
  { name: 'video-success-activity', description: 'Activity runner: the same steps as activities on the video-workers task list.', runner: 'activity', script: (s, i) => success(s, i) },
  {
    name: 'video-cancel-activity',
    description: 'Activity runner: cancel requested while transcodes run; the decider sends RequestCancelActivityTask for each open activity, waits for ActivityTaskCanceled, then CancelWorkflowExecution.',
    runner: 'activity',
    script: (s, i) => (s === 'transcode' ? { delayMs: 60_000, then: success(s, i) } : success(s, i)),
    cancelWhen: (events) => events.filter((e) => e.eventType === 'ActivityTaskStarted').length >= 3,
  },
  {
    name: 'video-chunked',
    description: 'Lambda runner, 4 s chunks of a 12.5 s video: chunk-plan marker, a ProcessRendition child per rendition (audio, chunks 2 at a time, package), tiles per chunk then the sheet, publish. Chunk 1 of 720p fails once and is retried alone. The children are recorded beside it (video-chunked--<rendition>.json).',
    runner: 'lambda',
    input: { chunkSeconds: 4, chunkConcurrency: 2 },
    script: (s, i, attempt) => (s === 'encodeChunk' && i.rendition.name === '720p' && i.index === 1 && attempt === 1 ? { reason: 'TranscodeError', details: 'ffmpeg exited with code 1' } : success(s, i)),
  },
  {
    name: 'video-cancel-chunked',
    description: 'Lambda runner, 4 s chunks: cancel requested while the rendition children run; the parent asks each open child to cancel and closes at once (Lambda tasks cannot be canceled); the children close canceled, abandoning their running chunks.',
    runner: 'lambda',
    input: { chunkSeconds: 4, chunkConcurrency: 2 },
    script: (s, i) => (s === 'encodeChunk' || s === 'encodeAudio' ? { delayMs: 1500, then: success(s, i) } : success(s, i)),
    cancelWhen: (events) => events.filter((e) => e.eventType === 'ChildWorkflowExecutionStarted').length >= 3,
  },
];

async function fullHistory(swf: SWF, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await swf.getWorkflowExecutionHistory({ domain: DOMAIN, execution: { workflowId, runId }, maximumPageSize: 1000, nextPageToken });
    out.push(...(page.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return out;
}

async function recordAll(outDir: string, log: (line: string) => void): Promise<void> {
  let current: Scenario = scenarios[0]!;
  const attempts = new Map<string, number>();
  const attemptOf = (step: string, input: any) => {
    const k = `${step}:${input?.rendition?.name ?? ''}:${input?.index ?? ''}`;
    const n = (attempts.get(k) ?? 0) + 1;
    attempts.set(k, n);
    return n;
  };
  const engine = await startEngine({
    port: 0,
    db: ':memory:',
    pollTimeoutMs: 1000,
    lambdaInvoker: {
      async invoke(inv: LambdaInvocation): Promise<LambdaOutcome> {
        const step = stepOf(inv.functionName);
        const input = inv.payload ? JSON.parse(inv.payload) : null;
        const o = await resolve(current.script(step, input, attemptOf(step, input)));
        return 'result' in o ? { result: JSON.stringify(o.result) } : { reason: o.reason, details: o.details };
      },
    },
  });
  const swf = new SWF({ endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  await swf.registerDomain({ name: DOMAIN, workflowExecutionRetentionPeriodInDays: RETENTION_DAYS });
  for (const type of WORKFLOW_TYPES) {
    await swf.registerWorkflowType({
      domain: DOMAIN, name: type.name, version: type.version, defaultTaskList: { name: TASK_LISTS.decisions },
      defaultExecutionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose, defaultTaskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose, defaultChildPolicy: CHILD_POLICY,
    });
  }
  for (const s of Object.values(STEPS)) {
    await swf.registerActivityType({ domain: DOMAIN, name: s.functionName, version: s.activityVersion, defaultTaskList: { name: TASK_LISTS.activities } });
  }

  for (const scenario of scenarios) {
    current = scenario;
    attempts.clear();
    const videoId = `v-${scenario.name.replace(/^video-/, '')}`;
    const input: WorkflowInput = { videoId, sourceKey: `uploads/${videoId}/source`, fileName: 'clip.mp4', ...(scenario.runner === 'activity' ? { runner: 'activity' as const } : {}), ...scenario.input };
    const workflowId = `video-${videoId}`;
    const { runId } = await swf.startWorkflowExecution({
      domain: DOMAIN, workflowId, workflowType: WORKFLOW_TYPE, input: JSON.stringify(input), lambdaRole: 'arn:aws:iam::123456789012:role/swf-lambda',
    });
    // Decisions per execution (the parent's and its children's), by DecisionTaskStarted id.
    const decisionsOf = new Map<string, Record<string, Decision[]>>();
    let closed = false;
    let cancelSent = false;
    let stopWorker = false;

    const worker = (async () => {
      if (scenario.runner !== 'activity') return;
      const inflight: Promise<void>[] = [];
      while (!stopWorker) {
        const t = await swf.pollForActivityTask({ domain: DOMAIN, taskList: { name: TASK_LISTS.activities }, identity: 'recorder-worker' });
        if (!t.taskToken) continue;
        const step = stepOf(t.activityType!.name!);
        const payload = t.input ? JSON.parse(t.input) : null;
        inflight.push((async () => {
          const o = scenario.script(step, payload, attemptOf(step, payload));
          if ('delayMs' in o) {
            const until = Date.now() + o.delayMs;
            while (Date.now() < until) {
              await sleep(200);
              try {
                const hb = await swf.recordActivityTaskHeartbeat({ taskToken: t.taskToken });
                if (hb.cancelRequested) {
                  await swf.respondActivityTaskCanceled({ taskToken: t.taskToken, details: 'stopped on cancel request' });
                  return;
                }
              } catch { return; }
            }
          }
          const r = await resolve(o);
          try {
            if ('result' in r) await swf.respondActivityTaskCompleted({ taskToken: t.taskToken, result: JSON.stringify(r.result) });
            else await swf.respondActivityTaskFailed({ taskToken: t.taskToken, reason: r.reason, details: r.details });
          } catch { /* closed */ }
        })());
      }
      await Promise.all(inflight);
    })();

    const deadline = Date.now() + 60_000;
    while (!closed && Date.now() < deadline) {
      const task = await swf.pollForDecisionTask({ domain: DOMAIN, taskList: { name: TASK_LISTS.decisions }, identity: 'recorder-decider', maximumPageSize: 1000 });
      if (!task.taskToken) {
        const d = await swf.describeWorkflowExecution({ domain: DOMAIN, execution: { workflowId, runId: runId! } });
        if (d.executionInfo?.executionStatus === 'CLOSED') closed = true;
        else if (scenario.cancelWhen && !cancelSent) {
          const h = await fullHistory(swf, workflowId, runId!);
          if (scenario.cancelWhen(h)) {
            await swf.requestCancelWorkflowExecution({ domain: DOMAIN, workflowId, runId: runId! });
            cancelSent = true;
          }
        }
        continue;
      }
      let events = task.events ?? [];
      let token = task.nextPageToken;
      while (token) {
        const page = await swf.pollForDecisionTask({ domain: DOMAIN, taskList: { name: TASK_LISTS.decisions }, nextPageToken: token, maximumPageSize: 1000 });
        events = events.concat(page.events ?? []);
        token = page.nextPageToken;
      }
      const d = decideVideo(events, { previousStartedEventId: task.previousStartedEventId });
      const of = task.workflowExecution?.workflowId ?? workflowId;
      decisionsOf.set(of, { ...decisionsOf.get(of), [String(task.startedEventId)]: d });
      await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: d });
      if (of === workflowId && d.some((x) => ['CompleteWorkflowExecution', 'FailWorkflowExecution', 'CancelWorkflowExecution'].includes(x.decisionType!))) {
        const desc = await swf.describeWorkflowExecution({ domain: DOMAIN, execution: { workflowId, runId: runId! } });
        if (desc.executionInfo?.executionStatus === 'CLOSED') closed = true;
      }
      if (scenario.cancelWhen && !cancelSent) {
        // Wait a little for tasks to start, then check.
        for (let i = 0; i < 20 && !cancelSent; i++) {
          const h = await fullHistory(swf, workflowId, runId!);
          if (scenario.cancelWhen(h)) {
            await swf.requestCancelWorkflowExecution({ domain: DOMAIN, workflowId, runId: runId! });
            cancelSent = true;
          } else await sleep(100);
        }
      }
    }
    stopWorker = true;
    await worker;
    const history = await fullHistory(swf, workflowId, runId!);
    const close = history[history.length - 1];
    log(`${scenario.name}: ${history.length} events, closed by ${close?.eventType}`);
    const recordedWith = 'swf-local (in-process engine, fake Lambda invoker / activity worker)';
    writeFileSync(
      join(outDir, `${scenario.name}.json`),
      JSON.stringify({ name: scenario.name, description: scenario.description, workflow: WORKFLOW_TYPE.name, recordedWith, input, decisions: decisionsOf.get(workflowId) ?? {}, history }, null, 2) + '\n',
    );
    // Each child's own history, once it has closed too (a canceled parent's children close on their own).
    for (const started of history.filter((e) => e.eventType === 'ChildWorkflowExecutionStarted')) {
      const child = started.childWorkflowExecutionStartedEventAttributes!.workflowExecution!;
      const childDeadline = Date.now() + 20_000;
      let childHistory = await fullHistory(swf, child.workflowId!, child.runId!);
      while (!/^WorkflowExecution(Completed|Failed|Canceled|Terminated|TimedOut)$/.test(childHistory[childHistory.length - 1]?.eventType ?? '') && Date.now() < childDeadline) {
        await sleep(200);
        childHistory = await fullHistory(swf, child.workflowId!, child.runId!);
      }
      const rendition = (JSON.parse(childHistory[0]!.workflowExecutionStartedEventAttributes!.input!) as { rendition: Rendition }).rendition.name;
      log(`${scenario.name}--${rendition}: ${childHistory.length} events, closed by ${childHistory[childHistory.length - 1]?.eventType}`);
      writeFileSync(
        join(outDir, `${scenario.name}--${rendition}.json`),
        JSON.stringify({ name: `${scenario.name}--${rendition}`, description: `The ${rendition} ProcessRendition child of ${scenario.name}.`, workflow: RENDITION_WORKFLOW_TYPE.name, recordedWith, input: JSON.parse(childHistory[0]!.workflowExecutionStartedEventAttributes!.input!), decisions: decisionsOf.get(child.workflowId!) ?? {}, history: childHistory }, null, 2) + '\n',
      );
    }
  }
  swf.destroy();
  await engine.close();
}

recordAll(join(__dirname, '..', 'test', 'fixtures', 'histories'), (line) => console.log(line)).catch((error: unknown) => {
  console.error('recording failed:', error);
  process.exit(1);
});
