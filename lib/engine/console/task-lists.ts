import type { EngineCore } from '../core';
import { unknownResource } from '../faults';
import { queueKey, type PollerSeen } from '../matching/task-matcher';
import type { Statement } from 'better-sqlite3';

/**
 * The console's view of a domain's task lists: SWF has no API that lists task lists or the
 * pollers on them, so this is the one thing the console reads from the engine directly. Pending
 * counts are not here: the page asks CountPendingDecisionTasks / CountPendingActivityTasks.
 */

export type TaskListKind = 'decision' | 'activity';

/** Why a task list is listed. */
export type TaskListSource =
  /** A registered workflow type's (decision) or activity type's (activity) default task list. */
  | 'typeDefault'
  /** Tasks are queued on it now. */
  | 'tasks'
  /** Someone polled it lately. */
  | 'pollers';

export interface ConsolePoller {
  identity: string;
  /** Epoch seconds of the latest poll, like every SWF timestamp. */
  lastPollTimestamp: number;
  polls: number;
  /** Polls of this identity waiting on the list right now. */
  waiting: number;
}

export interface ConsoleTaskList {
  kind: TaskListKind;
  name: string;
  sources: TaskListSource[];
  /** Polls waiting on the list right now, whoever they are. */
  waitingPolls: number;
  /** Pollers seen within the recent window, most recent first. */
  pollers: ConsolePoller[];
}

export interface TaskListsAnswer {
  domain: string;
  region: string;
  /** The engine's clock, epoch seconds (the page measures ages against it, not its own clock). */
  now: number;
  /** Pollers older than this many seconds are left out. */
  recentSeconds: number;
  taskLists: ConsoleTaskList[];
}

/** How long a poller counts as "seen recently". */
export const RECENT_POLLER_MS = 60 * 60 * 1000;

export interface TaskListFacts {
  /** Default task lists of registered types. */
  typeDefaults: { kind: TaskListKind; name: string }[];
  /** Task lists with queued tasks. */
  queued: { kind: TaskListKind; name: string }[];
  /** Task lists with pollers in the log, with their pollers. */
  polled: { kind: TaskListKind; name: string; pollers: PollerSeen[] }[];
  /** Polls waiting now, by `${kind}|${name}`. */
  waiting: (kind: TaskListKind, name: string) => number;
  now: number;
  recentMs?: number;
}

/** Merges what is known about a domain's task lists; sorted decision lists first, then by name. */
export function collectTaskLists(facts: TaskListFacts): ConsoleTaskList[] {
  const recentMs = facts.recentMs ?? RECENT_POLLER_MS;
  const byKey = new Map<string, ConsoleTaskList>();
  const entry = (kind: TaskListKind, name: string, source: TaskListSource): ConsoleTaskList => {
    const key = `${kind}|${name}`;
    let list = byKey.get(key);
    if (!list) {
      list = { kind, name, sources: [], waitingPolls: 0, pollers: [] };
      byKey.set(key, list);
    }
    if (!list.sources.includes(source)) list.sources.push(source);
    return list;
  };
  for (const t of facts.typeDefaults) entry(t.kind, t.name, 'typeDefault');
  for (const t of facts.queued) entry(t.kind, t.name, 'tasks');
  for (const t of facts.polled) {
    const recent = t.pollers.filter((p) => facts.now - p.lastPollAt <= recentMs || p.waiting > 0);
    if (recent.length === 0) continue;
    const list = entry(t.kind, t.name, 'pollers');
    list.pollers = recent
      .sort((a, b) => b.lastPollAt - a.lastPollAt || a.identity.localeCompare(b.identity))
      .map((p) => ({ identity: p.identity, lastPollTimestamp: p.lastPollAt / 1000, polls: p.polls, waiting: Math.max(0, p.waiting) }));
  }
  const lists = [...byKey.values()];
  for (const l of lists) l.waitingPolls = facts.waiting(l.kind, l.name);
  return lists.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'decision' ? -1 : 1));
}

/** Reads a domain's task-list facts from the engine: one indexed query, the in-memory queue and poller log. */
export class TaskListReader {
  private statements?: { types: Statement };

  constructor(private readonly core: EngineCore) {}

  read(region: string, domainName: string, recentMs = RECENT_POLLER_MS): TaskListsAnswer {
    const core = this.core;
    const domain = core.registry.domain(region, domainName);
    if (!domain) throw unknownResource(`Unknown domain: ${domainName}`);
    const q = (this.statements ??= {
      types: core.db.prepare('SELECT kind, config FROM types WHERE domain_id = ?'),
    });
    const typeDefaults: TaskListFacts['typeDefaults'] = [];
    for (const row of q.types.all(domain.id) as { kind: 'workflow' | 'activity'; config: string }[]) {
      const name = defaultTaskListOf(row.config);
      if (name !== undefined) typeDefaults.push({ kind: row.kind === 'workflow' ? 'decision' : 'activity', name });
    }
    const queued = core.executions.ready.listsOf(domain.id).map((l) => ({ kind: l.kind as TaskListKind, name: l.taskList }));
    const prefix = `${domain.id}|`;
    const polled: TaskListFacts['polled'] = [];
    for (const key of core.matcher.pollers.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const bar = rest.indexOf('|');
      const kind = rest.slice(0, bar);
      if (kind !== 'decision' && kind !== 'activity') continue;
      polled.push({ kind, name: rest.slice(bar + 1), pollers: core.matcher.pollers.of(key) });
    }
    const now = core.clock.now();
    const taskLists = collectTaskLists({
      typeDefaults,
      queued,
      polled,
      waiting: (kind, name) => core.matcher.waiting(queueKey(domain.id, kind, name)),
      now,
      recentMs,
    });
    return { domain: domain.name, region, now: now / 1000, recentSeconds: recentMs / 1000, taskLists };
  }
}

function defaultTaskListOf(config: string): string | undefined {
  try {
    const name = (JSON.parse(config) as { defaultTaskList?: { name?: unknown } }).defaultTaskList?.name;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}
