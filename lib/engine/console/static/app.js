// swf-local console: the page's entry point, router and the list views. Everything it shows
// comes from the engine's SWF API (plus /console/api/task-lists for what SWF has no API for).
import { countInput, formatDuration, formatTime, listInput } from './model.js';
import { loadPlugins } from './plugins.js';
import { allPages, consoleApi, createSwf, SwfError } from './swf.js';
import { ago, badge, formDialog, h, replace, toast } from './ui.js';
import { executionView } from './execution.js';

const app = {
  config: undefined,
  region: undefined,
  swf: undefined,
  /** Engine clock minus this page's clock, seconds. */
  skew: 0,
  pluginFailures: [],
  now() {
    return Date.now() / 1000 + this.skew;
  },
  syncClock(engineNow) {
    if (Number.isFinite(engineNow)) this.skew = engineNow - Date.now() / 1000;
  },
};
window.swfConsoleApp = app;

const main = () => document.getElementById('main');
let cleanup;

// ------------------------------------------------------------------ routing

/** `#/d/<domain>/x/<workflowId>/<runId>?a=b` -> { parts, query } */
export function parseHash(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = Object.fromEntries(new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''));
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  return { parts, query };
}

export function link(parts, query) {
  const path = parts.map(encodeURIComponent).join('/');
  const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')).toString() : '';
  return `#/${path}${qs ? `?${qs}` : ''}`;
}
app.link = link;

function crumbs(items) {
  const nav = document.getElementById('crumbs');
  replace(
    nav,
    items.map((item, i) => [i > 0 ? h('span', { class: 'sep' }, '/') : null, item.href && i < items.length - 1 ? h('a', { href: item.href }, item.label) : h('span', { class: 'here' }, item.label)]),
  );
}
app.crumbs = crumbs;

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch (error) {
      console.error(error);
    }
    cleanup = undefined;
  }
  const { parts, query } = parseHash(location.hash);
  const root = replace(main());
  const ctx = { app, root, query };
  document.body.dataset.view = '';
  try {
    if (parts.length === 0) cleanup = await domainsView(ctx);
    else if (parts[0] === 'd' && parts.length === 2) cleanup = await domainView(ctx, parts[1]);
    else if (parts[0] === 'd' && parts[2] === 'executions') cleanup = await executionsView(ctx, parts[1]);
    else if (parts[0] === 'd' && parts[2] === 'x' && parts.length === 5) cleanup = await executionView(ctx, parts[1], parts[3], parts[4]);
    else root.append(h('p', null, 'Nothing here. ', h('a', { href: '#/' }, 'Domains')));
  } catch (error) {
    root.append(errorBox(error));
  }
}

export function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', null, error instanceof SwfError ? error.type : 'Error'), ' ', error.message ?? String(error));
}
app.errorBox = errorBox;

/** Runs `fn` every `ms` while the tab is visible, starting now; returns a stop function. */
export function every(ms, fn) {
  let stopped = false;
  let timer;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') {
      try {
        await fn();
      } catch (error) {
        console.warn(error);
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
app.every = every;

// ------------------------------------------------------------------ domains

async function domainsView({ root }) {
  crumbs([{ label: 'Domains' }]);
  document.body.dataset.view = 'domains';
  const [registered, deprecated] = await Promise.all([
    allPages(app.swf, 'ListDomains', { registrationStatus: 'REGISTERED', maximumPageSize: 1000 }, 'domainInfos'),
    allPages(app.swf, 'ListDomains', { registrationStatus: 'DEPRECATED', maximumPageSize: 1000 }, 'domainInfos'),
  ]);
  const domains = [...registered, ...deprecated];
  const tbody = h('tbody');
  root.append(
    h('section', { class: 'card' }, h('h2', null, 'Domains'), domains.length === 0 ? h('p', { class: 'muted' }, `No domains in ${app.region} yet. Register one with RegisterDomain.`) : h('table', { class: 'grid', id: 'domains' }, h('thead', null, h('tr', null, h('th', null, 'Domain'), h('th', null, 'Status'), h('th', null, 'Open executions'), h('th', null, 'Description'))), tbody)),
  );
  for (const d of domains) {
    const open = h('td', { class: 'num' }, '…');
    tbody.append(h('tr', null, h('td', null, h('a', { href: link(['d', d.name]) }, d.name)), h('td', null, badge(d.status)), open, h('td', { class: 'muted' }, d.description ?? '')));
    app
      .swf('CountOpenWorkflowExecutions', { domain: d.name, startTimeFilter: { oldestDate: 0 } })
      .then((c) => (open.textContent = `${c.count.toLocaleString()}${c.truncated ? '+' : ''}`))
      .catch(() => (open.textContent = '?'));
  }
  if (domains.length === 1 && !sessionStorage.getItem('swfConsole.visited')) {
    sessionStorage.setItem('swfConsole.visited', '1');
    location.hash = link(['d', domains[0].name]);
  }
}

// ------------------------------------------------------------------ one domain

async function domainView({ root }, domain) {
  crumbs([{ label: 'Domains', href: '#/' }, { label: domain }]);
  document.body.dataset.view = 'domain';
  const described = await app.swf('DescribeDomain', { name: domain });
  const cfg = described.configuration ?? {};
  const counts = h('span', { class: 'counts' });
  const taskListBox = h('div', { id: 'task-lists' }, h('p', { class: 'muted' }, 'Loading task lists…'));
  const wfTypes = h('div');
  const actTypes = h('div');
  root.append(
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'head-row' }, h('h2', null, domain, ' ', badge(described.domainInfo?.status)), h('a', { class: 'button primary', href: link(['d', domain, 'executions']) }, 'Executions →')),
      h('dl', { class: 'meta' }, h('dt', null, 'Retention'), h('dd', null, `${cfg.workflowExecutionRetentionPeriodInDays ?? '?'} days`), h('dt', null, 'Description'), h('dd', null, described.domainInfo?.description ?? '—'), h('dt', null, 'Executions'), h('dd', null, counts)),
    ),
    h('section', { class: 'card' }, h('h2', null, 'Task lists'), h('p', { class: 'muted small' }, 'Pending counts from CountPendingDecisionTasks / CountPendingActivityTasks; pollers seen by this engine in the last hour.'), taskListBox),
    h('section', { class: 'card' }, h('h2', null, 'Workflow types'), wfTypes),
    h('section', { class: 'card' }, h('h2', null, 'Activity types'), actTypes),
  );

  const all = { startTimeFilter: { oldestDate: 0 } };
  Promise.all([app.swf('CountOpenWorkflowExecutions', { domain, ...all }), app.swf('CountClosedWorkflowExecutions', { domain, ...all })])
    .then(([o, c]) => replace(counts, h('a', { href: link(['d', domain, 'executions'], { status: 'open' }) }, `${o.count.toLocaleString()} open`), ' · ', h('a', { href: link(['d', domain, 'executions'], { status: 'closed' }) }, `${c.count.toLocaleString()} closed`)))
    .catch(() => undefined);

  const typeTable = async (box, op, key, kind) => {
    const [reg, dep] = await Promise.all([
      allPages(app.swf, op, { domain, registrationStatus: 'REGISTERED', maximumPageSize: 1000 }, 'typeInfos', 10),
      allPages(app.swf, op, { domain, registrationStatus: 'DEPRECATED', maximumPageSize: 1000 }, 'typeInfos', 10),
    ]);
    const types = [...reg, ...dep];
    if (types.length === 0) return replace(box, h('p', { class: 'muted' }, 'None registered.'));
    replace(
      box,
      h(
        'table',
        { class: 'grid' },
        h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Version'), h('th', null, 'Status'), h('th', null, 'Registered'), h('th', null, 'Description'), kind === 'workflow' ? h('th', null, '') : null)),
        h(
          'tbody',
          null,
          types.map((t) => {
            const type = t[key];
            return h(
              'tr',
              null,
              h('td', null, kind === 'workflow' ? h('a', { href: link(['d', domain, 'executions'], { by: 'type', value: `${type.name}:${type.version}` }) }, type.name) : type.name),
              h('td', null, type.version),
              h('td', null, badge(t.status)),
              h('td', { class: 'muted' }, formatTime(t.creationDate)),
              h('td', { class: 'muted' }, t.description ?? ''),
              kind === 'workflow' ? h('td', null, t.status === 'REGISTERED' ? h('button', { class: 'small', 'data-action': 'start', onclick: () => startDialog(domain, type) }, 'Start…') : null) : null,
            );
          }),
        ),
      ),
    );
  };
  typeTable(wfTypes, 'ListWorkflowTypes', 'workflowType', 'workflow').catch((e) => replace(wfTypes, errorBox(e)));
  typeTable(actTypes, 'ListActivityTypes', 'activityType', 'activity').catch((e) => replace(actTypes, errorBox(e)));

  return every(2000, async () => {
    const answer = await consoleApi(`api/task-lists?${new URLSearchParams({ domain, region: app.region })}`);
    app.syncClock(answer.now);
    const lists = answer.taskLists;
    const pending = await Promise.all(
      lists.map((l) =>
        app
          .swf(l.kind === 'decision' ? 'CountPendingDecisionTasks' : 'CountPendingActivityTasks', { domain, taskList: { name: l.name } })
          .then((c) => c.count)
          .catch(() => undefined),
      ),
    );
    if (lists.length === 0) return replace(taskListBox, h('p', { class: 'muted' }, 'No task lists known yet: none is a type default, holds tasks, or was polled.'));
    replace(
      taskListBox,
      h(
        'table',
        { class: 'grid', id: 'task-list-table' },
        h('thead', null, h('tr', null, h('th', null, 'Kind'), h('th', null, 'Task list'), h('th', { class: 'num' }, 'Pending'), h('th', { class: 'num' }, 'Polling now'), h('th', null, 'Pollers seen (identity, last poll, polls)'))),
        h(
          'tbody',
          null,
          lists.map((l, i) =>
            h(
              'tr',
              { 'data-task-list': l.name, 'data-kind': l.kind },
              h('td', null, l.kind),
              h('td', null, h('code', null, l.name)),
              h('td', { class: `num ${pending[i] > 0 ? 'hot' : ''}`, 'data-pending': pending[i] ?? '' }, pending[i] === undefined ? '?' : pending[i].toLocaleString()),
              h('td', { class: 'num' }, String(l.waitingPolls)),
              h(
                'td',
                null,
                l.pollers.length === 0
                  ? h('span', { class: 'muted' }, '—')
                  : h(
                      'ul',
                      { class: 'pollers' },
                      l.pollers.map((p) =>
                        h(
                          'li',
                          { class: p.waiting > 0 ? 'live' : '' },
                          h('code', { class: 'identity' }, p.identity || '(no identity)'),
                          ' ',
                          h('span', { class: 'muted', title: formatTime(p.lastPollTimestamp) }, p.waiting > 0 ? 'polling now' : ago(answer.now - p.lastPollTimestamp)),
                          h('span', { class: 'muted' }, ` · ${p.polls.toLocaleString()} poll${p.polls === 1 ? '' : 's'}`),
                        ),
                      ),
                    ),
              ),
            ),
          ),
        ),
      ),
    );
  });
}

/** StartWorkflowExecution from the page, with the type's defaults shown. */
async function startDialog(domain, workflowType) {
  let defaults = {};
  try {
    defaults = (await app.swf('DescribeWorkflowType', { domain, workflowType })).configuration ?? {};
  } catch {
    // the dialog still works without the defaults
  }
  await formDialog({
    title: `Start ${workflowType.name} ${workflowType.version}`,
    submitLabel: 'Start',
    fields: [
      { name: 'workflowId', label: 'Workflow id', value: `${workflowType.name}-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}`, required: true },
      { name: 'input', label: 'Input', type: 'textarea', placeholder: 'optional, usually JSON' },
      { name: 'taskList', label: 'Task list', placeholder: defaults.defaultTaskList?.name ? `default: ${defaults.defaultTaskList.name}` : 'required: the type has no default' },
      { name: 'tags', label: 'Tags', placeholder: 'comma-separated, up to 5' },
      { name: 'lambdaRole', label: 'Lambda role', value: defaults.defaultLambdaRole ?? '', placeholder: 'needed to schedule Lambda tasks' },
    ],
    submit: async (v) => {
      const input = { domain, workflowId: v.workflowId.trim(), workflowType };
      if (v.input !== '') input.input = v.input;
      if (v.taskList.trim()) input.taskList = { name: v.taskList.trim() };
      const tags = v.tags.split(',').map((t) => t.trim()).filter(Boolean);
      if (tags.length > 0) input.tagList = tags;
      if (v.lambdaRole.trim()) input.lambdaRole = v.lambdaRole.trim();
      const { runId } = await app.swf('StartWorkflowExecution', input);
      toast(`Started ${input.workflowId}`, 'success');
      location.hash = link(['d', domain, 'x', input.workflowId, runId]);
    },
  });
}
app.startDialog = startDialog;

// ------------------------------------------------------------------ executions

const PAGE_SIZES = [25, 50, 100, 200];

function toLocalInput(seconds) {
  if (!seconds) return '';
  const d = new Date(Number(seconds) * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function fromLocalInput(value) {
  if (!value) return '';
  return String(Math.floor(new Date(value).getTime() / 1000));
}

async function executionsView({ root, query }, domain) {
  crumbs([{ label: 'Domains', href: '#/' }, { label: domain, href: link(['d', domain]) }, { label: 'Executions' }]);
  document.body.dataset.view = 'executions';
  const filter = { status: query.status === 'closed' ? 'closed' : 'open', timeField: query.time === 'close' ? 'close' : 'start', from: query.from ?? '', to: query.to ?? '', by: query.by ?? '', value: query.value ?? '' };
  const pageSize = PAGE_SIZES.includes(Number(query.size)) ? Number(query.size) : 50;

  const form = h(
    'form',
    { class: 'filters', id: 'execution-filters' },
    h('label', null, h('span', null, 'Status'), h('select', { name: 'status' }, ['open', 'closed'].map((s) => h('option', { value: s, selected: filter.status === s }, s)))),
    h('label', null, h('span', null, 'Time'), h('select', { name: 'time' }, h('option', { value: 'start', selected: filter.timeField === 'start' }, 'started'), h('option', { value: 'close', selected: filter.timeField === 'close', disabled: filter.status === 'open' }, 'closed'))),
    h('label', null, h('span', null, 'From (local time)'), h('input', { type: 'datetime-local', name: 'from', value: toLocalInput(filter.from) })),
    h('label', null, h('span', null, 'To (local time)'), h('input', { type: 'datetime-local', name: 'to', value: toLocalInput(filter.to) })),
    h(
      'label',
      null,
      h('span', null, 'Filter'),
      h(
        'select',
        { name: 'by' },
        [
          ['', 'none'],
          ['workflowId', 'workflow id'],
          ['type', 'type (name[:version])'],
          ['tag', 'tag'],
          ['closeStatus', 'close status'],
        ].map(([v, l]) => h('option', { value: v, selected: filter.by === v, disabled: v === 'closeStatus' && filter.status === 'open' }, l)),
      ),
    ),
    h('label', { class: 'grow' }, h('span', null, 'Value'), h('input', { name: 'value', value: filter.value, list: 'close-statuses', placeholder: 'one filter at a time, as SWF allows', autocomplete: 'off' })),
    h('datalist', { id: 'close-statuses' }, ['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'].map((s) => h('option', { value: s }))),
    h('label', null, h('span', null, 'Per page'), h('select', { name: 'size' }, PAGE_SIZES.map((s) => h('option', { value: s, selected: s === pageSize }, String(s))))),
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
  );
  form.status.addEventListener('change', () => form.requestSubmit());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    location.hash = link(['d', domain, 'executions'], {
      status: f.status,
      time: f.status === 'closed' && f.time === 'close' ? 'close' : undefined,
      from: fromLocalInput(f.from),
      to: fromLocalInput(f.to),
      by: f.by || undefined,
      value: f.by ? f.value : undefined,
      size: Number(f.size) === 50 ? undefined : f.size,
    });
  });

  const summary = h('p', { class: 'summary', id: 'execution-count' });
  const tableBox = h('div', { id: 'executions' });
  const pager = h('div', { class: 'pager' });
  root.append(h('section', { class: 'card' }, h('div', { class: 'head-row' }, h('h2', null, 'Executions'), h('div', null, h('span', { class: 'live-dot', title: 'refreshing' }), h('button', { class: 'secondary small', onclick: () => load(true) }, 'Refresh'))), form, summary, tableBox, pager));

  let base;
  try {
    base = listInput(domain, filter, { pageSize });
  } catch (error) {
    tableBox.append(errorBox(error));
    return undefined;
  }
  const op = filter.status === 'closed' ? 'ListClosedWorkflowExecutions' : 'ListOpenWorkflowExecutions';
  const countOp = filter.status === 'closed' ? 'CountClosedWorkflowExecutions' : 'CountOpenWorkflowExecutions';
  /** Tokens of the pages before the current one; the current page's token. */
  const tokens = [];
  let token;
  let loading = false;

  async function load(explicit = false) {
    if (loading) return;
    loading = true;
    try {
      const [page, count] = await Promise.all([app.swf(op, token ? { ...base, nextPageToken: token } : base), app.swf(countOp, countInput(base))]);
      const infos = page.executionInfos ?? [];
      const first = tokens.length * pageSize;
      summary.textContent =
        count.count === 0
          ? `No ${filter.status} executions match.`
          : `${count.count.toLocaleString()}${count.truncated ? '+' : ''} ${filter.status} execution${count.count === 1 ? '' : 's'} match · showing ${(first + 1).toLocaleString()}–${(first + infos.length).toLocaleString()}, newest first`;
      replace(tableBox, executionTable(domain, infos));
      replace(
        pager,
        h('button', { class: 'secondary small', disabled: tokens.length === 0, onclick: () => ((token = undefined), (tokens.length = 0), load()) }, '« First'),
        h('button', { class: 'secondary small', disabled: tokens.length === 0, onclick: () => ((token = tokens.pop()), load()) }, '‹ Previous'),
        h('span', { class: 'muted' }, `page ${tokens.length + 1}`),
        h('button', { class: 'secondary small', 'data-action': 'next-page', disabled: !page.nextPageToken, onclick: () => (tokens.push(token), (token = page.nextPageToken), load()) }, 'Next ›'),
      );
    } catch (error) {
      replace(tableBox, errorBox(error));
    } finally {
      loading = false;
      if (explicit) toast('Refreshed');
    }
  }
  // The first page follows new executions; later pages stay put until asked.
  return every(3000, () => (tokens.length === 0 ? load() : undefined));
}

function executionTable(domain, infos) {
  if (infos.length === 0) return h('p', { class: 'muted' }, 'Nothing on this page.');
  return h(
    'table',
    { class: 'grid executions' },
    h('thead', null, h('tr', null, h('th', null, 'Workflow id'), h('th', null, 'Run'), h('th', null, 'Type'), h('th', null, 'Status'), h('th', null, 'Started (UTC)'), h('th', null, 'Duration'), h('th', null, 'Tags'))),
    h(
      'tbody',
      null,
      infos.map((x) => {
        const status = x.executionStatus === 'OPEN' ? 'OPEN' : x.closeStatus;
        const end = x.closeTimestamp ?? app.now();
        return h(
          'tr',
          { 'data-workflow-id': x.execution.workflowId },
          h('td', null, h('a', { href: link(['d', domain, 'x', x.execution.workflowId, x.execution.runId]) }, x.execution.workflowId)),
          h('td', { class: 'mono muted', title: x.execution.runId }, x.execution.runId.slice(0, 10)),
          h('td', null, `${x.workflowType.name} ${x.workflowType.version}`),
          h('td', null, badge(status, x.cancelRequested && x.executionStatus === 'OPEN' ? 'cancel requested' : '')),
          h('td', { class: 'muted' }, formatTime(x.startTimestamp).slice(0, 19)),
          h('td', null, formatDuration(end - x.startTimestamp)),
          h('td', null, (x.tagList ?? []).map((t) => h('span', { class: 'tag' }, t))),
        );
      }),
    ),
  );
}

// ------------------------------------------------------------------ start

async function start() {
  try {
    app.config = await consoleApi('api/config');
  } catch (error) {
    replace(main(), errorBox(error));
    return;
  }
  app.syncClock(app.config.now);
  const stored = sessionStorage.getItem('swfConsole.region');
  app.region = stored && app.config.regions.includes(stored) ? stored : app.config.region;
  app.swf = createSwf({ region: () => app.region, defaultRegion: app.config.region });
  const regionSelect = document.getElementById('region');
  replace(regionSelect, app.config.regions.map((r) => h('option', { value: r, selected: r === app.region }, r)));
  regionSelect.hidden = app.config.regions.length < 2;
  regionSelect.addEventListener('change', () => {
    app.region = regionSelect.value;
    sessionStorage.setItem('swfConsole.region', app.region);
    location.hash = '#/';
    route();
  });
  document.getElementById('engine-info').textContent = `${location.host} · ${app.config.region}${app.config.auth === 'sigv4' ? ' · SigV4' : ''}`;
  if (app.config.auth === 'sigv4') {
    main().before(h('div', { class: 'error-box banner' }, 'This engine verifies SigV4 signatures (--auth sigv4). The console cannot sign requests; start the engine with --auth none to use it.'));
  }
  app.pluginFailures = await loadPlugins(app.config.plugins);
  for (const f of app.pluginFailures) toast(`Plugin failed: ${f}`, 'error');
  window.addEventListener('hashchange', route);
  await route();
  document.body.dataset.ready = 'true';
}

start();
