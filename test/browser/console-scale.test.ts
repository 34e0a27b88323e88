/**
 * The console stays responsive at scale, in a real browser: 10,000 executions in a domain
 * (paged, never all rendered) and a 5,000-event history (virtualized table, timeline on a
 * canvas, live refresh fetching only the new events). Long tasks on the page's main thread are
 * measured with the browser's own PerformanceObserver.
 */
import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { startEngine, type RunningEngine } from '../../lib/engine';
import { OPERATION_HANDLERS } from '../../lib/engine/operations';
import { swfClient } from '../helpers/engine';
import { collectErrors, launchChromium } from './chromium';

jest.setTimeout(60_000);

// Functions passed to page.evaluate run in the page; tsconfig has no DOM library.
declare const document: any;
declare const window: any;
declare const PerformanceObserver: any;

const D = 'scale';
const EXECUTIONS = 10_000;
const MARKERS = 5_000;

let engine: RunningEngine;
let context: BrowserContext;
let page: Page;
let profile: string;
let errors: string[];
let longRunId: string;

beforeAll(async () => {
  const [e, browser] = await Promise.all([startEngine({ port: 0, pollTimeoutMs: 2000 }), launchChromium()]);
  engine = e;
  ({ context, page, profile } = browser);
  errors = collectErrors(page);
  // Seeding goes straight to the operation handlers: the data, not the HTTP layer, is what counts here.
  const ctx = { region: 'us-east-1', requestId: 'seed', signal: new AbortController().signal };
  const op = (name: string, input: object) => OPERATION_HANDLERS[name]!(engine.core, ctx, input);
  await op('RegisterDomain', { name: D, workflowExecutionRetentionPeriodInDays: '1' });
  await op('RegisterWorkflowType', { domain: D, name: 'Flow', version: '1', defaultTaskList: { name: 'nobody' }, defaultExecutionStartToCloseTimeout: '3600', defaultTaskStartToCloseTimeout: '300', defaultChildPolicy: 'TERMINATE' });
  for (let i = 0; i < EXECUTIONS; i++) await op('StartWorkflowExecution', { domain: D, workflowId: `w${String(i).padStart(5, '0')}`, workflowType: { name: 'Flow', version: '1' }, tagList: [`t${i % 10}`] });
  // One run with a long history: 1,000 markers per decision, a signal asks for the next decision.
  const swf = swfClient(engine.endpoint);
  try {
    longRunId = (await swf.startWorkflowExecution({ domain: D, workflowId: 'long', workflowType: { name: 'Flow', version: '1' }, taskList: { name: 'long-list' } })).runId!;
    for (let round = 0; round < MARKERS / 1000; round++) {
      if (round > 0) await swf.signalWorkflowExecution({ domain: D, workflowId: 'long', signalName: `round-${round}` });
      const task = await swf.pollForDecisionTask({ domain: D, taskList: { name: 'long-list' } });
      await swf.respondDecisionTaskCompleted({
        taskToken: task.taskToken!,
        decisions: Array.from({ length: 1000 }, (_, i) => ({ decisionType: 'RecordMarker' as const, recordMarkerDecisionAttributes: { markerName: `m-${round}-${i}`, details: `{"i":${i}}` } })),
      });
    }
  } finally {
    swf.destroy();
  }
}, 60_000);

afterAll(async () => {
  await context?.close();
  await engine?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Starts recording main-thread tasks over 50 ms in the page. */
async function watchLongTasks(): Promise<void> {
  await page.evaluate(() => {
    window.__longTasks = [];
    const po = new PerformanceObserver((list: any) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    });
    po.observe({ type: 'longtask' });
  });
}

const longestTask = (): Promise<number> => page.evaluate(() => Math.max(0, ...window.__longTasks));

it('lists 10,000 open executions a page at a time', async () => {
  const started = Date.now();
  await page.goto(`${engine.consoleUrl}#/d/${D}/executions`);
  await page.locator('#execution-count', { hasText: 'open executions match' }).waitFor();
  const firstPage = Date.now() - started;
  await expect(page.locator('#execution-count').textContent()).resolves.toContain(`${(EXECUTIONS + 1).toLocaleString('en-US')} open executions match`);
  await expect(page.locator('table.executions tbody tr').count()).resolves.toBe(50);
  // Newest first: the long-history run, then the last seeded ones.
  const ids = () => page.locator('table.executions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workflow-id')));
  expect((await ids()).slice(0, 3)).toEqual(['long', 'w09999', 'w09998']);
  await watchLongTasks();
  await page.locator('button[data-action=next-page]').click();
  await page.locator('#execution-count', { hasText: 'showing 51–100' }).waitFor();
  expect((await ids())[0]).toBe('w09950');
  // A filter (tag) with the count SWF gives.
  await page.goto(`${engine.consoleUrl}#/d/${D}/executions?by=tag&value=t3&size=100`);
  await page.locator('#execution-count', { hasText: '1,000 open executions match' }).waitFor();
  await expect(page.locator('table.executions tbody tr').count()).resolves.toBe(100);
  expect(firstPage).toBeLessThan(5_000);
  expect(await longestTask()).toBeLessThan(500);
  expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(3_000);
});

it('shows a 5,000-event history with a bounded DOM, and follows it live', async () => {
  const started = Date.now();
  await page.goto(`${engine.consoleUrl}#/d/${D}/x/long/${encodeURIComponent(longRunId)}`);
  await page.waitForFunction(() => Number((document.querySelector('#history-count')?.textContent ?? '').replace(/[^\d]/g, '')) >= 5000, undefined, { timeout: 20_000 });
  const loaded = Date.now() - started;
  const count = () => page.locator('#history-count').textContent().then((t) => Number((t ?? '').replace(/[^\d]/g, '')));
  const total = await count();
  expect(total).toBeGreaterThanOrEqual(MARKERS + 10);
  // Virtualized: a few dozen rows exist, not thousands; the timeline is one canvas.
  expect(await page.locator('.vt-body .vt-row').count()).toBeLessThan(80);
  expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(2_500);
  await expect(page.locator('canvas.tl-canvas').getAttribute('data-status')).resolves.toBe('OPEN');
  expect(loaded).toBeLessThan(10_000);

  await watchLongTasks();
  // Scroll the table to the end: the last event is rendered.
  await page.locator('.vt-viewport').evaluate((vp: any) => (vp.scrollTop = vp.scrollHeight));
  await page.locator(`.vt-row[data-index="${total - 1}"]`).waitFor();
  // And the timeline canvas.
  await page.locator('.tl-scroll').evaluate((el: any) => (el.scrollTop = el.scrollHeight));
  // Filter: 5,000 markers of the whole history.
  await page.locator('#history input.filter').fill('MarkerRecorded');
  await page.locator('#history-count', { hasText: `${MARKERS.toLocaleString('en-US')} of ` }).waitFor();
  await page.locator('#history input.filter').fill('');
  await page.locator('#history-count', { hasText: /^\d[\d,]* events$/ }).waitFor();

  // Live: a signal from outside shows up without a reload.
  const swf = swfClient(engine.endpoint);
  try {
    await swf.signalWorkflowExecution({ domain: D, workflowId: 'long', signalName: 'from-the-test' });
  } finally {
    swf.destroy();
  }
  await page.waitForFunction((before) => Number((document.querySelector('#history-count')?.textContent ?? '').replace(/[^\d]/g, '')) > before, total, { timeout: 10_000 });
  // The table followed the end (it was scrolled there): the new signal is on screen.
  await page.locator('.vt-row', { hasText: 'from-the-test' }).waitFor();
  expect(await longestTask()).toBeLessThan(500);
  expect(errors).toEqual([]);
});
