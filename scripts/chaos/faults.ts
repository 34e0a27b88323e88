/**
 * The fault injectors. Each one does its damage, checks what it can check on the spot (a second
 * engine refused, bad input answered 4xx, writes refused while the disk is full) and records what
 * it did in the ledger. The durable consequences are checked at the end, from the database.
 */
import { request, Agent } from 'node:http';
import type { SWF } from '@aws-sdk/client-swf';
import { runEngineToExit } from '../../test/helpers/engine-process';
import { BAD_REQUEST_KINDS, sendBadRequest } from './bad-http';
import type { SmallDisk } from './disk';
import type { EngineControl } from './engine-control';
import type { Ledger } from './ledger';
import { errorName, sleep } from './pollers';
import type { Random } from './random';
import { ACTIVITY_LIST, DECISION_LIST, DOMAIN } from './workflows';
import type { Workforce } from './workforce';

export type FaultKind = 'engine-kill' | 'poller-kill' | 'poll-storm' | 'disk-full' | 'second-engine' | 'bad-requests';

export interface FaultContext {
  engine: EngineControl;
  swf: SWF;
  ledger: Ledger;
  workforce: Workforce;
  random: Random;
  disk: SmallDisk;
  /** Writes acknowledged while the disk was full: they must be in the database at the end. */
  fullDiskAcks: string[];
  /** Seconds a full disk is held. */
  diskFullSeconds: number;
}

/** Waits until the engine answers a read, up to `ms`. */
async function reachable(swf: SWF, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await swf.listDomains({ registrationStatus: 'REGISTERED' });
      return true;
    } catch {
      await sleep(100);
    }
  }
  return false;
}

async function engineKill(c: FaultContext): Promise<void> {
  await c.engine.kill9();
  c.ledger.countFault('engine kill -9 + restart');
  await sleep(c.random.int(0, 1000));
  await c.engine.start();
}

async function pollerKill(c: FaultContext): Promise<void> {
  const n = c.random.int(1, 3);
  for (let i = 0; i < n; i++) {
    const { midTask } = c.workforce.killOne();
    c.ledger.countFault(midTask ? 'poller killed mid-task' : 'poller killed while polling');
  }
}

export const STORM_POLLS = 1000;
/** The longest a full disk is held while waiting for the engine to run out of the space it already has. */
const MAX_FULL_DISK_MS = 30_000;

/**
 * 1,000 long polls held open at once (most on the activity list, some on the decision list), then
 * the engine killed under them. Every poll must end (answered before the kill, or cut by it);
 * none may hang. A task a storm poll got is abandoned, so it must time out and be retried.
 */
async function pollStorm(c: FaultContext): Promise<void> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const outcomes = { task: 0, empty: 0, cut: 0 };
  const polls = Array.from({ length: STORM_POLLS }, (_, i) => {
    const decision = i % 10 === 0;
    const identity = `storm-${c.random.int(0, 1e9)}-${i}`;
    const body = JSON.stringify({ domain: DOMAIN, taskList: { name: decision ? DECISION_LIST : ACTIVITY_LIST }, identity });
    const target = decision ? 'PollForDecisionTask' : 'PollForActivityTask';
    return new Promise<void>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: c.engine.port, method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `SimpleWorkflowService.${target}`, 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (b: Buffer) => (text += b.toString()));
          res.on('end', () => {
            try {
              const answer = JSON.parse(text) as { taskToken?: string; startedEventId?: number; workflowExecution?: { workflowId: string; runId: string } };
              if (answer.taskToken) {
                outcomes.task++;
                c.ledger.abandoners.add(identity);
                c.ledger.deliveries.push({ kind: decision ? 'decision' : 'activity', workflowId: answer.workflowExecution!.workflowId, runId: answer.workflowExecution!.runId, startedEventId: answer.startedEventId!, identity });
              } else outcomes.empty++;
            } catch {
              outcomes.cut++;
            }
            resolve();
          });
          res.on('error', () => {
            outcomes.cut++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        outcomes.cut++;
        resolve();
      });
      req.end(body);
    });
  });
  // Let them all arrive and be held (the hold is longer than this), then pull the engine away.
  await sleep(1500);
  await c.engine.kill9();
  c.ledger.countFault('engine kill -9 under 1,000 held polls');
  const settled = await Promise.race([Promise.all(polls).then(() => true), sleep(15_000).then(() => false)]);
  if (!settled) c.ledger.problems.push(`poll storm: some of ${STORM_POLLS} held polls neither answered nor failed 15 s after the engine was killed`);
  c.ledger.notes.push(`poll storm: ${outcomes.task} polls got a task (abandoned), ${outcomes.empty} answered empty, ${outcomes.cut} cut by the kill`);
  agent.destroy();
  await c.engine.start();
}

/**
 * The disk fills up under load. While it is full, writes must be refused with a typed error (or,
 * if the engine still found room, acknowledged and then really kept); the engine must keep
 * running; once the space returns, writes must succeed again without a restart.
 */
async function diskFull(c: FaultContext): Promise<void> {
  if (!c.disk.mounted) return;
  const taken = c.disk.fill();
  c.ledger.countFault('disk full');
  const refusals = new Map<string, number>();
  let acknowledged = 0;
  // The engine may go on for a while in space SQLite already holds (a WAL it can reuse): keep the
  // disk full for the set time and until writes are refused, up to a limit.
  const began = Date.now();
  const refused = () => [...refusals.values()].reduce((a, b) => a + b, 0);
  let probe = 0;
  while (Date.now() - began < c.diskFullSeconds * 1000 || (refused() < 3 && Date.now() - began < MAX_FULL_DISK_MS)) {
    const name = `full-disk-probe-${c.random.int(0, 1e9)}-${++probe}`;
    try {
      await c.swf.registerActivityType({ domain: DOMAIN, name, version: '1' });
      c.fullDiskAcks.push(name);
      acknowledged++;
    } catch (error) {
      const n = errorName(error);
      refusals.set(n, (refusals.get(n) ?? 0) + 1);
    }
    await sleep(100);
  }
  c.disk.release();
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  const refusedBy = [...refusals].map(([n, k]) => `${n} x${k}`).join(', ') || 'none';
  c.ledger.notes.push(`disk full (${(taken / 1e6).toFixed(1)} MB of ballast) for ${seconds} s: probe writes refused with ${refusedBy}; ${acknowledged} acknowledged (checked at the end)`);
  if (refused() === 0) c.ledger.notes.push(`disk full: the engine found room for every write for ${seconds} s, so no refusal was seen this time`);
  for (const [n] of refusals) {
    if (n !== 'ServiceUnavailableException') c.ledger.problems.push(`disk full: a write was refused with ${n}, not the typed ServiceUnavailableException`);
  }
  if (!c.engine.running || !(await reachable(c.swf, 5000))) {
    c.ledger.problems.push('disk full: the engine stopped answering');
    await c.engine.kill9();
    await c.engine.ensureRunning();
  }
  // Space is back: a write must succeed again within a few seconds, with no restart.
  const name = `space-back-probe-${c.random.int(0, 1e9)}`;
  const recoverBy = Date.now() + 10_000;
  for (;;) {
    try {
      await c.swf.registerActivityType({ domain: DOMAIN, name, version: '1' });
      c.fullDiskAcks.push(name);
      break;
    } catch (error) {
      if (Date.now() > recoverBy) {
        c.ledger.problems.push(`disk full: writes still refused 10 s after the space came back (${errorName(error)})`);
        break;
      }
      await sleep(200);
    }
  }
}

async function secondEngine(c: FaultContext): Promise<void> {
  c.ledger.countFault('second engine on the same file');
  const args = c.engine.args();
  args[args.indexOf('--port') + 1] = '0';
  const second = await runEngineToExit(c.engine.settings.db, args, 60_000);
  if (second.listened || second.code === 0) c.ledger.problems.push(`a second engine on the same database started (exit ${second.code}):\n${second.output}`);
  else if (!/locked/.test(second.output)) c.ledger.problems.push(`a second engine was refused without saying the database is locked:\n${second.output}`);
  if (!(await reachable(c.swf, 5000))) c.ledger.problems.push('the first engine stopped answering after a second one tried the same file');
}

async function badRequests(c: FaultContext): Promise<void> {
  const n = c.random.int(3, 8);
  const outcomes = await Promise.all(
    Array.from({ length: n }, () => {
      const kind = c.random.pick(BAD_REQUEST_KINDS);
      return sendBadRequest(c.engine.port, kind).then((o) => {
        c.ledger.countFault(`bad request: ${kind}`);
        return o;
      });
    }),
  );
  for (const o of outcomes) {
    // An answer cut by an engine kill in between is no verdict on the engine.
    if (o.problem && c.engine.running) c.ledger.problems.push(`bad request ${o.kind}: ${o.problem}`);
  }
  if (!(await reachable(c.swf, 5000))) c.ledger.problems.push('the engine stopped answering after bad requests');
}

export const INJECTORS: Record<FaultKind, (c: FaultContext) => Promise<void>> = {
  'engine-kill': engineKill,
  'poller-kill': pollerKill,
  'poll-storm': pollStorm,
  'disk-full': diskFull,
  'second-engine': secondEngine,
  'bad-requests': badRequests,
};

/**
 * A seeded schedule: `counts` faults of each kind, shuffled and spread over `durationMs` with
 * jitter. Returns offsets from the start of the fault phase.
 */
export function schedule(random: Random, counts: Record<FaultKind, number>, durationMs: number): { at: number; kind: FaultKind }[] {
  const kinds: FaultKind[] = [];
  for (const [kind, n] of Object.entries(counts) as [FaultKind, number][]) for (let i = 0; i < n; i++) kinds.push(kind);
  random.shuffle(kinds);
  const slot = durationMs / Math.max(1, kinds.length);
  return kinds.map((kind, i) => ({ at: Math.round(i * slot + random.next() * slot * 0.8), kind }));
}
