import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-swf';
import { catchUp, childProgressReader, chunkProgressOf, MAX_LISTED_FAILING_CHUNKS, TAIL_PAGE_SIZE } from '../../../lib/api';
import { buildView, type ChildView } from '../../../lib/decider';
import type { ChunkPlan } from '../../../lib/video/contracts';
import { FakeSwf } from './fake-swf';
import { CHUNK_PLAN, LADDER, RenditionHistory, renditionInput } from './histories';

/** The parent's view of a started child (what ChildWorkflowExecutionStarted leaves). */
/** `runId` null: initiated, not started. */
const childOf = (plan: ChunkPlan = CHUNK_PLAN, hasAudio = true, runId: string | null = 'child-720p'): ChildView => ({
  workflowId: 'v0abc123xyz-rendition-720p',
  ...(runId !== null ? { runId } : {}),
  workflowType: { name: 'ProcessRendition', version: '1' },
  input: JSON.stringify(renditionInput(LADDER[0]!, plan, hasAudio)),
  state: runId !== null ? 'started' : 'initiated',
  open: true,
});

const progressOf = (h: RenditionHistory, child: ChildView = childOf()) => chunkProgressOf(child, buildView(h.events));
const counts = (p: ReturnType<typeof chunkProgressOf>) => ({ total: p.total, completed: p.completed, running: p.running, retrying: p.retrying, failed: p.failed, canceled: p.canceled, pending: p.pending, failedAttempts: p.failedAttempts });

describe('chunkProgressOf: a rendition child read from its own history', () => {
  it('running: chunks done, running, waiting to retry and not asked for yet, with the audio done and the package pending', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio', 'chunk-0', 'chunk-1').complete('audio', 'chunk-0').fail('chunk-1').decision().run('chunk-2');
    const timer = h.retryTimer('chunk-1#2', 4);
    const p = progressOf(h);
    expect(counts(p)).toEqual({ total: 5, completed: 1, running: 1, retrying: 1, failed: 0, canceled: 0, pending: 2, failedAttempts: 1 });
    expect(p.failing).toEqual([
      { index: 1, state: 'RETRY_WAIT', attempts: 1, nextAttemptAt: new Date(Date.parse(h.b.time(timer)) + 4000).toISOString(), failure: { type: 'error', reason: 'FfmpegError', details: 'chunk-1 failed' } },
    ]);
    expect(p.failingNotListed).toBe(0);
    expect(p.audio).toEqual({ state: 'COMPLETED', attempts: 1 });
    expect(p.package).toEqual({ state: 'PENDING', attempts: 0 });
    // 1 chunk + the audio of 5 chunks + audio + package.
    expect(p.fractionDone).toBe(Math.floor((2 / 7) * 1000) / 1000);
    expect(p.historyEvents).toBe(h.events.length);
  });

  it('a scheduled chunk counts as running; a retried one that came back counts once, with every failed attempt', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio', 'chunk-0', 'chunk-1').fail('chunk-1').decision();
    const timer = h.retryTimer('chunk-1#2');
    h.b.timerFired('chunk-1#2', timer);
    h.decision().run('chunk-1#2').timeOut('chunk-1#2').decision();
    h.b.timerFired('chunk-1#3', h.retryTimer('chunk-1#3'));
    h.decision().run('chunk-1#3').complete('chunk-1#3').schedule('chunk-2');
    const p = progressOf(h);
    expect(counts(p)).toEqual({ total: 5, completed: 1, running: 2, retrying: 0, failed: 0, canceled: 0, pending: 2, failedAttempts: 2 });
    expect(p.failing).toEqual([]);
  });

  it('completed: every chunk, the audio and the package done, fraction 1', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!));
    h.run('audio', 'chunk-0', 'chunk-1').complete('audio', 'chunk-0', 'chunk-1').decision().run('chunk-2', 'chunk-3').complete('chunk-2', 'chunk-3').decision().run('chunk-4').complete('chunk-4');
    h.decision().run('package').complete('package').close('WorkflowExecutionCompleted', { result: '{}' });
    const p = progressOf(h);
    expect(counts(p)).toEqual({ total: 5, completed: 5, running: 0, retrying: 0, failed: 0, canceled: 0, pending: 0, failedAttempts: 0 });
    expect(p.audio?.state).toBe('COMPLETED');
    expect(p.package.state).toBe('COMPLETED');
    expect(p.fractionDone).toBe(1);
  });

  it('failed: the chunk that used up its attempts, the one still running canceled, the rest never asked for', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio', 'chunk-0', 'chunk-1').complete('audio').fail('chunk-1', 'OutputInvalidError');
    h.close('WorkflowExecutionFailed', { reason: 'OutputInvalid', details: '{}' });
    const p = progressOf(h);
    expect(counts(p)).toEqual({ total: 5, completed: 0, running: 0, retrying: 0, failed: 1, canceled: 1, pending: 3, failedAttempts: 1 });
    expect(p.failing).toEqual([{ index: 1, state: 'FAILED', attempts: 1, failure: { type: 'error', reason: 'OutputInvalidError', details: 'chunk-1 failed' } }]);
    expect(p.package).toEqual({ state: 'NOT_RUN', attempts: 0 });
  });

  it('canceled: open chunks and a pending retry are canceled, not running', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio', 'chunk-0', 'chunk-1').fail('chunk-1').decision();
    h.retryTimer('chunk-1#2');
    h.close('WorkflowExecutionCanceled', { details: '{}' });
    const p = progressOf(h);
    // chunk-1's retry never came: its last attempt failed and nothing waits any more.
    expect(counts(p)).toEqual({ total: 5, completed: 0, running: 0, retrying: 0, failed: 1, canceled: 1, pending: 3, failedAttempts: 1 });
    expect(p.audio?.state).toBe('CANCELED');
    expect(p.fractionDone).toBe(0);
  });

  it('a source without audio has no audio sub-step, and the fraction counts chunks and the package only', () => {
    const h = new RenditionHistory(renditionInput(LADDER[0]!, CHUNK_PLAN, false)).run('chunk-0', 'chunk-1').complete('chunk-0', 'chunk-1');
    const p = progressOf(h, childOf(CHUNK_PLAN, false));
    expect(p.audio).toBeUndefined();
    expect(p.fractionDone).toBe(Math.floor((2 / 6) * 1000) / 1000);
  });

  it('lists at most a few failing chunks and counts the rest', () => {
    const plan: ChunkPlan = { ...CHUNK_PLAN, count: 40, concurrency: 40 };
    const ids = Array.from({ length: 25 }, (_, i) => `chunk-${i}`);
    const h = new RenditionHistory(renditionInput(LADDER[0]!, plan)).run(...ids);
    for (const id of ids) h.fail(id);
    h.decision();
    for (const id of ids) h.retryTimer(`${id}#2`);
    const p = progressOf(h, childOf(plan));
    expect(counts(p)).toMatchObject({ total: 40, retrying: 25, pending: 15, failedAttempts: 25 });
    expect(p.failing.map((c) => c.index)).toEqual(Array.from({ length: MAX_LISTED_FAILING_CHUNKS }, (_, i) => i));
    expect(p.failingNotListed).toBe(25 - MAX_LISTED_FAILING_CHUNKS);
    expect(JSON.stringify(p).length).toBeLessThan(4000);
  });

  it('a child not started yet: every chunk pending, the total from its input', () => {
    const p = chunkProgressOf(childOf(CHUNK_PLAN, true, null), undefined);
    expect(counts(p)).toEqual({ total: 5, completed: 0, running: 0, retrying: 0, failed: 0, canceled: 0, pending: 5, failedAttempts: 0 });
    expect(p.historyEvents).toBe(0);
  });

  it('the plan comes from the parent\'s chunk-plan marker when the child input lacks one', () => {
    const child = { ...childOf(), input: '{}' };
    expect(chunkProgressOf(child, undefined, { ...CHUNK_PLAN, count: 9 }).total).toBe(9);
    expect(chunkProgressOf(child, undefined).total).toBe(0);
    expect(chunkProgressOf(child, undefined, { count: 'many' } as unknown as ChunkPlan).total).toBe(0);
  });
});

/** A recorded child history (test/fixtures/histories) and the parent's view of that child. */
function recorded(name: string): { events: HistoryEvent[]; child: ChildView } {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'histories', `${name}.json`), 'utf8')) as { input: unknown; history: HistoryEvent[] };
  const events = fixture.history.map((e) => ({ ...e, eventTimestamp: new Date(e.eventTimestamp as unknown as string) }));
  return { events, child: { workflowId: 'v-chunked-rendition-720p', runId: 'r', input: JSON.stringify(fixture.input), state: 'started', open: true } };
}

describe('chunkProgressOf over recorded child histories', () => {
  const { events, child } = recorded('video-chunked--720p');
  const at = (eventId: number) => chunkProgressOf(child, buildView(events.filter((e) => e.eventId! <= eventId)));

  it('follows a 4-chunk rendition from start to end: a chunk fails, waits for its retry, then completes', () => {
    expect(counts(at(10))).toEqual({ total: 4, completed: 0, running: 2, retrying: 0, failed: 0, canceled: 0, pending: 2, failedAttempts: 0 });
    // chunk-1 failed; before the decider answers it is failed, then its backoff timer runs.
    expect(counts(at(14))).toMatchObject({ completed: 1, running: 0, failed: 1, failedAttempts: 1 });
    expect(counts(at(19))).toEqual({ total: 4, completed: 1, running: 1, retrying: 1, failed: 0, canceled: 0, pending: 1, failedAttempts: 1 });
    expect(at(19).failing).toEqual([expect.objectContaining({ index: 1, state: 'RETRY_WAIT', failure: expect.objectContaining({ reason: 'TranscodeError' }) })]);
    expect(counts(at(35))).toMatchObject({ completed: 3, running: 1, retrying: 0, failedAttempts: 1 });
    expect(at(41)).toMatchObject({ completed: 4, package: { state: 'RUNNING' }, fractionDone: 0.833 });
    const end = at(46);
    expect(counts(end)).toEqual({ total: 4, completed: 4, running: 0, retrying: 0, failed: 0, canceled: 0, pending: 0, failedAttempts: 1 });
    expect(end).toMatchObject({ audio: { state: 'COMPLETED' }, package: { state: 'COMPLETED' }, fractionDone: 1, failing: [], historyEvents: 46 });
  });

  it('reads a canceled child: what ran is canceled, the rest never ran', () => {
    const c = recorded('video-cancel-chunked--720p');
    const p = chunkProgressOf(c.child, buildView(c.events));
    expect(counts(p)).toEqual({ total: p.total, completed: 0, running: 0, retrying: 0, failed: 0, canceled: 2, pending: p.total - 2, failedAttempts: 0 });
    expect(p.audio?.state).toBe('CANCELED');
    expect(p.fractionDone).toBe(0);
  });
});

describe('childProgressReader', () => {
  const runIdOf = (c: Record<string, unknown>) => (c.execution as { runId: string }).runId;

  function twoChildren() {
    const swf = new FakeSwf();
    const open = new RenditionHistory(renditionInput(LADDER[0]!)).run('audio');
    const closed = new RenditionHistory(renditionInput(LADDER[1]!)).run('audio', 'chunk-0').complete('audio', 'chunk-0').close('WorkflowExecutionFailed', { reason: 'X' });
    const openRun = swf.addRun({ workflowId: 'v0abc123xyz-rendition-720p', runId: 'child-720p', typeName: 'ProcessRendition', history: open.events });
    swf.addRun({ workflowId: 'v0abc123xyz-rendition-360p', runId: 'child-360p', typeName: 'ProcessRendition', history: closed.events, closeStatus: 'FAILED' });
    const closedChild: ChildView = { ...childOf(), workflowId: 'v0abc123xyz-rendition-360p', runId: 'child-360p', input: JSON.stringify(renditionInput(LADDER[1]!)) };
    return { swf, open, openRun, closedChild };
  }

  it('reads an open child whole once, then only what is new; a closed one once; never a child that has not started', async () => {
    const { swf, open, openRun, closedChild } = twoChildren();
    swf.historyPageSize = 4;
    const read = childProgressReader(swf, 'd');
    for (let i = 0; i < 3; i++) {
      expect((await read(childOf(), undefined)).audio?.state).toBe('RUNNING');
      expect((await read(closedChild, undefined)).completed).toBe(1);
    }
    const calls = swf.callsOf('getWorkflowExecutionHistory');
    // 720p: every page forward, then one newest-first page per read; 360p: every page, once.
    const forward = calls.filter((c) => !c.reverseOrder);
    const tail = calls.filter((c) => c.reverseOrder);
    expect(forward.filter((c) => runIdOf(c) === 'child-720p')).toHaveLength(Math.ceil(open.events.length / 4));
    expect(tail.map(runIdOf)).toEqual(['child-720p', 'child-720p']);
    expect(tail.every((c) => c.maximumPageSize === TAIL_PAGE_SIZE)).toBe(true);

    // The child moves on: the next read sees the new events, from the tail only.
    open.complete('audio').decision().run('chunk-0', 'chunk-1').complete('chunk-0');
    openRun.history = open.events;
    swf.calls.length = 0;
    const later = await read(childOf(), undefined);
    expect(later).toMatchObject({ completed: 1, running: 1, audio: { state: 'COMPLETED' }, historyEvents: open.events.length });
    expect(swf.callsOf('getWorkflowExecutionHistory').every((c) => c.reverseOrder)).toBe(true);
    // Same as a reader with nothing kept.
    expect(later).toEqual(await childProgressReader(swf, 'd')(childOf(), undefined));

    swf.calls.length = 0;
    expect((await read(childOf(CHUNK_PLAN, true, null), undefined)).pending).toBe(5);
    expect(swf.calls).toHaveLength(0);
  });

  it('catchUp reads the whole history again when the tail does not continue what it holds', async () => {
    const { swf, open } = twoChildren();
    const execution = { workflowId: 'v0abc123xyz-rendition-720p', runId: 'child-720p' };
    const ids = (events: HistoryEvent[]) => events.map((e) => e.eventId);
    // Held events beyond what SWF has, or with a hole: not this history's start.
    expect(ids(await catchUp(swf, 'd', execution, [...open.events.slice(0, 2), { ...open.events[2]!, eventId: 99 }]))).toEqual(ids(open.events));
    expect(ids(await catchUp(swf, 'd', execution, [open.events[0]!, open.events[2]!]))).toEqual(ids(open.events));
    // A proper start: only the rest is added.
    expect(ids(await catchUp(swf, 'd', execution, open.events.slice(0, 3)))).toEqual(ids(open.events));
    expect(swf.callsOf('getWorkflowExecutionHistory').filter((c) => !c.reverseOrder)).toHaveLength(2);
  });

  it('keeps at most the configured number of events: past it, the least recently read child is read whole again', async () => {
    const { swf, open } = twoChildren();
    const other = new RenditionHistory(renditionInput(LADDER[1]!)).run('audio');
    swf.runs.splice(1, 1);
    swf.addRun({ workflowId: 'v0abc123xyz-rendition-360p', runId: 'child-360p', typeName: 'ProcessRendition', history: other.events });
    const second: ChildView = { ...childOf(), workflowId: 'v0abc123xyz-rendition-360p', runId: 'child-360p' };
    const read = childProgressReader(swf, 'd', { keptEvents: open.events.length + 1 });
    await read(childOf(), undefined);
    await read(second, undefined); // drops 720p's events
    swf.calls.length = 0;
    await read(childOf(), undefined);
    expect(swf.callsOf('getWorkflowExecutionHistory').map((c) => Boolean(c.reverseOrder))).toEqual([false]);
  });

  it('a history that cannot be read rejects (the status degrades that step only)', async () => {
    const swf = new FakeSwf();
    swf.failNext('getWorkflowExecutionHistory', new Error('throttled'));
    await expect(childProgressReader(swf, 'd')(childOf(), undefined)).rejects.toThrow('throttled');
  });
});
