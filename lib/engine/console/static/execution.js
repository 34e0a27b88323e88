// One execution: summary and actions, plugin sections, the timeline, what is open (activities,
// Lambda tasks, timers with time left, children), input and result, and the history as a
// virtualized table. While the run is open the view polls DescribeWorkflowExecution and the
// history's new events (newest-first pages until a known event) every 1.5 s.
import {
  deriveExecution,
  eventTone,
  formatDuration,
  formatTime,
  fullHistory,
  historyExport,
  historySince,
  mergeEvents,
  prettyData,
  rerunInput,
  summarizeEvent,
  timelineModel,
  timestampOf,
} from './model.js';
import { pluginsFor } from './plugins.js';
import { badge, download, formDialog, h, pre, replace, toast } from './ui.js';
import { Timeline } from './timeline.js';
import { VirtualTable } from './vtable.js';

const LIVE_INTERVAL_MS = 1500;

export async function executionView({ app, root }, domain, workflowId, runId) {
  const { link } = app;
  app.crumbs([
    { label: 'Domains', href: '#/' },
    { label: domain, href: link(['d', domain]) },
    { label: 'Executions', href: link(['d', domain, 'executions']) },
    { label: workflowId },
  ]);
  document.body.dataset.view = 'execution';
  const execution = { workflowId, runId };
  const swf = app.swf;

  let describe = await swf('DescribeWorkflowExecution', { domain, execution });
  let events = [];
  let derived;
  let stopped = false;
  let liveTimer;
  let selectedEventId;
  let filterText = '';
  let filtered = [];
  const summaries = new Map();

  // ---------------------------------------------------------------- layout
  const headCard = h('section', { class: 'card exec-head', id: 'execution-head' });
  const pluginBox = h('div', { id: 'plugins' });
  const timelineCard = h('section', { class: 'card' }, h('div', { class: 'head-row' }, h('h2', null, 'Timeline'), legend()));
  const pendingCard = h('section', { class: 'card', id: 'pending' });
  const ioCard = h('section', { class: 'card io', id: 'io' });
  const filterInput = h('input', { type: 'search', placeholder: 'filter events (type or text)', class: 'filter', 'aria-label': 'filter events' });
  const historyCount = h('span', { class: 'muted', id: 'history-count' });
  const detail = h('div', { class: 'event-detail muted', id: 'event-detail' }, 'Select an event to see all of its attributes.');
  const historyCard = h(
    'section',
    { class: 'card', id: 'history' },
    h('div', { class: 'head-row' }, h('h2', null, 'History ', historyCount), h('div', { class: 'row-gap' }, filterInput, h('button', { class: 'secondary small', 'data-action': 'export', onclick: exportHistory, title: 'as aws swf get-workflow-execution-history prints it' }, 'Export JSON'))),
  );
  root.append(headCard, pluginBox, timelineCard, pendingCard, ioCard, historyCard);

  const timeline = new Timeline(timelineCard, { onSelect: (hit) => hit.eventId && showEvent(hit.eventId) });
  const table = new VirtualTable(historyCard, {
    columns: [
      { key: 'id', label: '#', width: '64px' },
      { key: 'time', label: 'Time', width: '112px' },
      { key: 'type', label: 'Event', width: 'minmax(180px, 300px)' },
      { key: 'details', label: 'Details', width: '1fr' },
    ],
    rowHeight: 24,
    height: 420,
    empty: 'No events match.',
    cell: (e, key) => {
      if (key === 'id') return String(e.eventId);
      if (key === 'time') return `+${formatDuration(timestampOf(e) - (derived?.startedAt ?? timestampOf(e)))}`;
      if (key === 'type') return e.eventType;
      return summaryOf(e);
    },
    rowClass: (e) => `tone-${eventTone(e.eventType) || 'plain'}`,
    onSelect: (e) => {
      selectedEventId = e.eventId;
      replace(detail, h('div', { class: 'head-row' }, h('strong', null, `${e.eventId} ${e.eventType}`), h('span', { class: 'muted' }, formatTime(timestampOf(e)))), pre(JSON.stringify(e, null, 2)));
    },
  });
  table.follow = true;
  historyCard.append(detail);
  table.root.dataset.testid = 'history-table';

  let filterTimer;
  filterInput.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      filterText = filterInput.value.trim().toLowerCase();
      applyFilter();
    }, 120);
  });

  function summaryOf(e) {
    let s = summaries.get(e.eventId);
    if (s === undefined) {
      s = summarizeEvent(e);
      summaries.set(e.eventId, s);
    }
    return s;
  }

  let tableFilled = false;
  function applyFilter() {
    filtered = filterText ? events.filter((e) => e.eventType.toLowerCase().includes(filterText) || summaryOf(e).toLowerCase().includes(filterText)) : events;
    table.setRows(filtered);
    // A live run opens at its newest events (and the table follows them); a closed one at the start.
    if (!tableFilled && filtered.length > 0) {
      tableFilled = true;
      if (isOpen()) table.scrollToIndex(filtered.length - 1);
    }
    historyCount.textContent = filterText ? `${filtered.length.toLocaleString()} of ${events.length.toLocaleString()} events` : `${events.length.toLocaleString()} events`;
  }

  function showEvent(eventId) {
    let index = filtered.findIndex((e) => e.eventId === eventId);
    if (index < 0 && filterText) {
      filterInput.value = '';
      filterText = '';
      applyFilter();
      index = filtered.findIndex((e) => e.eventId === eventId);
    }
    if (index < 0) return;
    table.scrollToIndex(index, 'center');
    table.select(index);
    historyCard.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  function exportHistory() {
    download(`${workflowId}-${runId}-history.json`.replace(/[^\w.-]+/g, '_'), historyExport(events));
  }

  // ---------------------------------------------------------------- data
  const info = () => describe.executionInfo ?? {};
  const isOpen = () => info().executionStatus === 'OPEN';
  const statusOf = () => (isOpen() ? 'OPEN' : info().closeStatus);

  async function refresh() {
    describe = await swf('DescribeWorkflowExecution', { domain, execution });
    const before = events.length;
    const halted = () => stopped;
    events = events.length === 0 ? await fullHistory(swf, domain, execution, halted) : mergeEvents(events, await historySince(swf, domain, execution, events[events.length - 1].eventId, halted));
    const changed = events.length !== before;
    const now = app.now();
    derived = deriveExecution(events, now);
    renderHead();
    renderPending(now);
    renderIo();
    timeline.update(timelineModel(derived, now, info().closeTimestamp), statusOf());
    if (changed) applyFilter();
    if (changed || !isOpen() || !pluginsRendered) renderPlugins();
    document.body.dataset.executionStatus = statusOf();
  }

  async function loop() {
    if (stopped) return;
    try {
      await refresh();
    } catch (error) {
      if (!stopped) toast(`Refresh failed: ${error.message}`, 'error');
    }
    if (!stopped && isOpen()) liveTimer = setTimeout(loop, LIVE_INTERVAL_MS);
  }

  // ---------------------------------------------------------------- head and actions
  function renderHead() {
    const x = info();
    const c = describe.executionConfiguration ?? {};
    const open = isOpen();
    const end = x.closeTimestamp ?? app.now();
    const parent = x.parent;
    const row = (label, value) => (value === undefined || value === null || value === '' ? null : [h('dt', null, label), h('dd', null, value)]);
    replace(
      headCard,
      h(
        'div',
        { class: 'head-row' },
        h('h2', null, h('span', { class: 'wid' }, workflowId), ' ', badge(statusOf(), x.cancelRequested && open ? 'cancel requested' : ''), open ? h('span', { class: 'live-dot on', title: 'live: polling every 1.5 s' }) : null),
        h(
          'div',
          { class: 'actions row-gap' },
          open ? h('button', { class: 'secondary', 'data-action': 'signal', onclick: signal }, 'Signal…') : null,
          open ? h('button', { class: 'secondary', 'data-action': 'cancel', onclick: requestCancel }, 'Request cancel') : null,
          open ? h('button', { class: 'danger', 'data-action': 'terminate', onclick: terminate }, 'Terminate…') : null,
          !open ? h('button', { class: 'primary', 'data-action': 'rerun', onclick: rerun }, 'Re-run…') : null,
        ),
      ),
      h(
        'dl',
        { class: 'meta' },
        row('Run id', h('code', null, runId)),
        row('Type', `${x.workflowType?.name} ${x.workflowType?.version}`),
        row('Task list', c.taskList?.name),
        row('Started', formatTime(x.startTimestamp)),
        row('Closed', x.closeTimestamp ? formatTime(x.closeTimestamp) : undefined),
        row(open ? 'Running for' : 'Duration', formatDuration(end - x.startTimestamp)),
        row('Tags', x.tagList?.length ? x.tagList.map((t) => h('span', { class: 'tag' }, t)) : undefined),
        row('Parent', parent ? h('a', { href: link(['d', domain, 'x', parent.workflowId, parent.runId]) }, parent.workflowId) : undefined),
        row('Timeouts', `execution ${c.executionStartToCloseTimeout ?? '?'} s · decision task ${c.taskStartToCloseTimeout ?? '?'} s`),
        row('Child policy', c.childPolicy),
        row('Lambda role', c.lambdaRole),
        row('Open', describe.openCounts ? Object.entries(describe.openCounts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/^open/, '').replace(/([A-Z])/g, ' $1').trim().toLowerCase()}`).join(' · ') || 'nothing' : undefined),
        row('Continued as', derived?.close?.newRunId ? h('a', { href: link(['d', domain, 'x', workflowId, derived.close.newRunId]) }, derived.close.newRunId) : undefined),
      ),
    );
    headCard.dataset.status = statusOf();
  }

  async function signal() {
    await formDialog({
      title: `Signal ${workflowId}`,
      submitLabel: 'Send signal',
      fields: [
        { name: 'signalName', label: 'Signal name', required: true },
        { name: 'input', label: 'Input', type: 'textarea', placeholder: 'optional' },
      ],
      submit: async (v) => {
        await swf('SignalWorkflowExecution', { domain, workflowId, runId, signalName: v.signalName.trim(), ...(v.input !== '' ? { input: v.input } : {}) });
        toast(`Signal ${v.signalName} sent`, 'success');
      },
    });
    kick();
  }

  async function requestCancel() {
    const done = await formDialog({
      title: `Request cancel of ${workflowId}?`,
      description: 'Records WorkflowExecutionCancelRequested; the decider decides how the run ends.',
      submitLabel: 'Request cancel',
      danger: true,
      fields: [],
      submit: async () => {
        await swf('RequestCancelWorkflowExecution', { domain, workflowId, runId });
        toast('Cancel requested', 'success');
        return true;
      },
    });
    if (done) kick();
  }

  async function terminate() {
    const done = await formDialog({
      title: `Terminate ${workflowId}?`,
      description: 'Closes the run at once, without the decider.',
      submitLabel: 'Terminate',
      danger: true,
      fields: [
        { name: 'reason', label: 'Reason', placeholder: 'optional' },
        { name: 'details', label: 'Details', type: 'textarea', rows: 3, placeholder: 'optional' },
        { name: 'childPolicy', label: 'Child policy', type: 'select', value: '', options: [{ value: '', label: `the run's (${describe.executionConfiguration?.childPolicy ?? 'default'})` }, 'TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] },
      ],
      submit: async (v) => {
        await swf('TerminateWorkflowExecution', { domain, workflowId, runId, ...(v.reason ? { reason: v.reason } : {}), ...(v.details ? { details: v.details } : {}), ...(v.childPolicy ? { childPolicy: v.childPolicy } : {}) });
        toast('Terminated', 'success');
        return true;
      },
    });
    if (done) kick();
  }

  async function rerun() {
    await formDialog({
      title: `Re-run ${workflowId}`,
      description: 'Starts a new execution with the same type, input, task list, tags and timeouts.',
      submitLabel: 'Start',
      fields: [{ name: 'workflowId', label: 'Workflow id', value: workflowId, required: true, hint: 'The same id is allowed once its run is closed; change it to run both.' }],
      submit: async (v) => {
        const input = rerunInput(domain, describe, derived?.started, v.workflowId.trim());
        let started;
        try {
          started = await swf('StartWorkflowExecution', input);
        } catch (error) {
          if (error.type === 'WorkflowExecutionAlreadyStartedFault') throw new Error(`${input.workflowId} has an open run; use another id, e.g. ${input.workflowId}-rerun-${Math.floor(Date.now() / 1000)}`);
          throw error;
        }
        toast(`Started ${input.workflowId}`, 'success');
        location.hash = link(['d', domain, 'x', input.workflowId, started.runId]);
      },
    });
  }

  /** An action changed the run: poll now (and resume polling if it had stopped). */
  function kick() {
    clearTimeout(liveTimer);
    loop();
  }

  // ---------------------------------------------------------------- open work
  function renderPending(now) {
    const d = derived;
    const sections = [];
    const since = (t) => (t === undefined ? '' : `${formatDuration(now - t)} ago`);
    if (d.openDecision) {
      sections.push(h('h3', null, 'Decision task'), h('p', null, `${d.openDecision.state.toLowerCase()} on `, h('code', null, d.openDecision.taskList ?? '?'), d.openDecision.identity ? ` by ${d.openDecision.identity}` : '', ` · scheduled ${since(d.openDecision.scheduledAt)}`));
    }
    const taskTable = (title, tasks, kind) =>
      tasks.length === 0
        ? null
        : [
            h('h3', null, `${title} (${tasks.length})`),
            h(
              'table',
              { class: 'grid compact', 'data-pending': kind },
              h('thead', null, h('tr', null, h('th', null, 'Id'), h('th', null, kind === 'activity' ? 'Type' : 'Function'), h('th', null, 'State'), h('th', null, 'Scheduled'), h('th', null, 'Started'), h('th', null, kind === 'activity' ? 'Worker' : 'Timeout'))),
              h(
                'tbody',
                null,
                tasks.map((t) =>
                  h(
                    'tr',
                    null,
                    h('td', null, h('a', { href: '#', onclick: (e) => (e.preventDefault(), showEvent(t.scheduledEventId)) }, t.id)),
                    h('td', null, t.name),
                    h('td', null, badge(t.state, t.cancelRequested ? 'cancel requested' : '')),
                    h('td', { class: 'muted' }, since(t.scheduledAt)),
                    h('td', { class: 'muted' }, t.startedAt !== undefined ? `running ${formatDuration(now - t.startedAt)}` : `waiting ${formatDuration(now - t.scheduledAt)}${t.taskList ? ` on ${t.taskList}` : ''}`),
                    h('td', { class: 'muted' }, kind === 'activity' ? (t.identity ?? '—') : t.timeouts?.startToClose ? `${t.timeouts.startToClose} s` : ''),
                  ),
                ),
              ),
            ),
          ];
    sections.push(taskTable('Activities', d.pendingActivities, 'activity'));
    sections.push(taskTable('Lambda tasks', d.pendingLambdas, 'lambda'));
    if (d.openTimers.length > 0) {
      sections.push(
        h('h3', null, `Timers (${d.openTimers.length})`),
        h(
          'table',
          { class: 'grid compact', 'data-pending': 'timer' },
          h('thead', null, h('tr', null, h('th', null, 'Timer id'), h('th', null, 'Started'), h('th', null, 'Fires at (UTC)'), h('th', null, 'Time left'))),
          h(
            'tbody',
            null,
            d.openTimers.map((t) => h('tr', null, h('td', null, t.id), h('td', { class: 'muted' }, since(t.startedAt)), h('td', { class: 'muted' }, formatTime(t.fireAt)), h('td', null, h('span', { class: 'time-left', 'data-fire-at': String(t.fireAt) }, formatDuration(t.timeLeft))))),
          ),
        ),
      );
    }
    if (d.children.length > 0) {
      sections.push(
        h('h3', null, `Child executions (${d.children.length})`),
        h(
          'table',
          { class: 'grid compact', 'data-pending': 'child' },
          h('thead', null, h('tr', null, h('th', null, 'Workflow id'), h('th', null, 'Type'), h('th', null, 'State'), h('th', null, 'Initiated'), h('th', null, 'Duration'))),
          h(
            'tbody',
            null,
            d.children.map((c) =>
              h(
                'tr',
                null,
                h('td', null, c.runId ? h('a', { href: link(['d', domain, 'x', c.workflowId, c.runId]) }, c.workflowId) : c.workflowId),
                h('td', null, c.name),
                h('td', null, badge(c.state, c.reason ?? '')),
                h('td', { class: 'muted' }, formatTime(c.scheduledAt).slice(11, 19)),
                h('td', { class: 'muted' }, c.startedAt !== undefined ? formatDuration((c.closedAt ?? now) - c.startedAt) : ''),
              ),
            ),
          ),
        ),
      );
    }
    const body = sections.flat().filter(Boolean);
    replace(pendingCard, h('h2', null, isOpen() ? 'Open now' : 'Open work'), body.length > 0 ? body : h('p', { class: 'muted' }, isOpen() ? 'Nothing open: the run waits for a signal, a decision or a timeout.' : 'Nothing: the run is closed.'));
  }

  const timeLeftTicker = setInterval(() => {
    const now = app.now();
    for (const el of pendingCard.querySelectorAll('[data-fire-at]')) el.textContent = formatDuration(Math.max(0, Number(el.dataset.fireAt) - now));
  }, 500);

  // ---------------------------------------------------------------- input and result
  function renderIo() {
    const close = derived.close;
    const left = h('div', null, h('h3', null, 'Input'), derived.started?.input !== undefined ? pre(prettyData(derived.started.input)) : h('p', { class: 'muted' }, 'none'));
    let right;
    if (!close) right = h('div', null, h('h3', null, 'Result'), h('p', { class: 'muted' }, 'not yet: the run is open'));
    else if (close.status === 'COMPLETED') right = h('div', null, h('h3', null, 'Result'), close.result !== undefined ? pre(prettyData(close.result), 'ok') : h('p', { class: 'muted' }, 'none'));
    else
      right = h(
        'div',
        null,
        h('h3', null, close.status === 'CONTINUED_AS_NEW' ? 'Continued as new' : 'Why it closed'),
        close.reason !== undefined ? h('p', null, h('strong', null, close.reason)) : null,
        close.details !== undefined ? pre(prettyData(close.details), 'bad') : null,
        close.reason === undefined && close.details === undefined ? h('p', { class: 'muted' }, close.status) : null,
      );
    replace(ioCard, left, right);
  }

  // ---------------------------------------------------------------- plugins
  const plugins = pluginsFor(info().workflowType);
  const pluginState = plugins.map((p) => {
    const body = h('div', { class: 'plugin-body' });
    const section = h('section', { class: 'card plugin', 'data-plugin': p.workflowType.name }, h('h2', null, p.title), body);
    pluginBox.append(section);
    return { p, body, busy: false, again: false };
  });
  let pluginsRendered = false;

  function renderPlugins() {
    pluginsRendered = true;
    for (const s of pluginState) renderPlugin(s);
  }

  async function renderPlugin(s) {
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      await s.p.plugin.render(s.body, {
        execution: info(),
        describe,
        history: events,
        derived,
        domain,
        region: app.region,
        config: s.p.entry?.config ?? {},
        assetsBase: s.p.entry?.assetsBase,
        swf,
        now: () => app.now(),
        live: isOpen(),
      });
    } catch (error) {
      console.error(error);
      s.body.append(h('div', { class: 'error-box' }, `Plugin error: ${error.message ?? error}`));
    } finally {
      s.busy = false;
      if (s.again && !stopped) {
        s.again = false;
        renderPlugin(s);
      }
    }
  }

  await loop();

  return () => {
    stopped = true;
    clearTimeout(liveTimer);
    clearInterval(timeLeftTicker);
    clearTimeout(filterTimer);
    timeline.destroy();
    table.destroy();
    for (const s of pluginState) {
      try {
        s.p.plugin.dispose?.(s.body);
      } catch (error) {
        console.error(error);
      }
    }
  };
}

function legend() {
  const item = (cls, label) => h('span', { class: 'legend-item' }, h('i', { class: cls }), label);
  return h('div', { class: 'legend' }, item('lg-queued', 'queued'), item('lg-running', 'running'), item('lg-done', 'completed'), item('lg-failed', 'failed / timed out'), item('lg-canceled', 'canceled'), item('lg-timer', 'timer'));
}
