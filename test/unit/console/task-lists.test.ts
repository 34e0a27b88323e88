/** How the console merges what it knows about a domain's task lists (lib/engine/console/task-lists.ts). */
import { collectTaskLists, RECENT_POLLER_MS } from '../../../lib/engine/console';

const NOW = 1_700_000_000_000;

describe('collectTaskLists', () => {
  it('merges type defaults, queued tasks and pollers, one entry per kind and name', () => {
    const lists = collectTaskLists({
      typeDefaults: [
        { kind: 'decision', name: 'deciders' },
        { kind: 'activity', name: 'workers' },
        { kind: 'decision', name: 'deciders' },
      ],
      queued: [
        { kind: 'activity', name: 'workers' },
        { kind: 'activity', name: 'gpu' },
      ],
      polled: [{ kind: 'decision', name: 'deciders', pollers: [{ identity: 'd1', lastPollAt: NOW - 1500, polls: 3, waiting: 1 }] }],
      waiting: (kind, name) => (kind === 'decision' && name === 'deciders' ? 1 : 0),
      now: NOW,
    });
    expect(lists).toEqual([
      { kind: 'decision', name: 'deciders', sources: ['typeDefault', 'pollers'], waitingPolls: 1, pollers: [{ identity: 'd1', lastPollTimestamp: (NOW - 1500) / 1000, polls: 3, waiting: 1 }] },
      { kind: 'activity', name: 'gpu', sources: ['tasks'], waitingPolls: 0, pollers: [] },
      { kind: 'activity', name: 'workers', sources: ['typeDefault', 'tasks'], waitingPolls: 0, pollers: [] },
    ]);
  });

  it('keeps the same name apart for decision and activity lists', () => {
    const lists = collectTaskLists({ typeDefaults: [{ kind: 'activity', name: 'x' }, { kind: 'decision', name: 'x' }], queued: [], polled: [], waiting: () => 0, now: NOW });
    expect(lists.map((l) => `${l.kind}:${l.name}`)).toEqual(['decision:x', 'activity:x']);
  });

  it('leaves out pollers not seen within the window, unless they wait right now', () => {
    const lists = collectTaskLists({
      typeDefaults: [],
      queued: [],
      polled: [
        {
          kind: 'activity',
          name: 'w',
          pollers: [
            { identity: 'old', lastPollAt: NOW - RECENT_POLLER_MS - 1, polls: 1, waiting: 0 },
            { identity: 'old-but-waiting', lastPollAt: NOW - RECENT_POLLER_MS - 1, polls: 1, waiting: 1 },
            { identity: 'new', lastPollAt: NOW, polls: 9, waiting: 0 },
          ],
        },
        { kind: 'activity', name: 'gone', pollers: [{ identity: 'old', lastPollAt: 0, polls: 1, waiting: 0 }] },
      ],
      waiting: () => 0,
      now: NOW,
    });
    expect(lists).toHaveLength(1);
    expect(lists[0]!.pollers.map((p) => p.identity)).toEqual(['new', 'old-but-waiting']);
  });

  it('takes a shorter window when asked', () => {
    const lists = collectTaskLists({ typeDefaults: [], queued: [], polled: [{ kind: 'decision', name: 'd', pollers: [{ identity: 'a', lastPollAt: NOW - 5000, polls: 1, waiting: 0 }] }], waiting: () => 0, now: NOW, recentMs: 1000 });
    expect(lists).toEqual([]);
  });
});
