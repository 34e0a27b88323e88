/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) over the whole
 * local pipeline (lib/local/stack.ts: swf-local, the decider, the step handlers with real
 * ffmpeg, the starter API): the task lists with the decider polling, a video run watched live
 * until its timeline completes (with the video plugin's progress, thumbnails and HLS player),
 * the history export, and a second run started and canceled from the page. Screenshots go to a
 * temporary folder; with CONSOLE_SCREENSHOT=<file.png> the completed run's view is also written
 * there (how docs/console.png is made), with CONSOLE_SCREENSHOTS_DIR=<dir> all of them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { VideoApiClient } from '../../lib/cli/api-client';
import { generateTestClip } from '../../lib/cli/test-clip';
import { startLocalStack, type LocalStack } from '../../lib/local/stack';
import { DOMAIN } from '../../lib/video/definition';
import { uploadVideo, waitForVideo } from '../helpers/pipeline';
import { collectErrors, expectPng, launchChromium } from './chromium';

jest.setTimeout(60_000);

// Functions passed to page.waitForFunction run in the page; tsconfig has no DOM library.
declare const document: any;

let dir: string;
let stack: LocalStack;
let context: BrowserContext;
let page: Page;
let profile: string;
let errors: string[];
let clip: string;
const shots: string[] = [];

async function shot(name: string, options: Parameters<Page['screenshot']>[0] = {}): Promise<string> {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  shots.push(file);
  const keep = process.env.CONSOLE_SCREENSHOTS_DIR;
  if (keep) {
    mkdirSync(resolve(keep), { recursive: true });
    copyFileSync(file, join(resolve(keep), basename(file)));
  }
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-browser-'));
  clip = join(dir, 'clip.mp4');
  const [s, browser] = await Promise.all([
    startLocalStack({ dataDir: dir, enginePort: 0, apiPort: 0, pollTimeoutMs: 5_000, transcodePreset: 'ultrafast', logLevel: 'ERROR' }),
    launchChromium(),
    generateTestClip(clip, { seconds: 4, width: 1280, height: 720 }),
  ]);
  stack = s;
  ({ context, page, profile } = browser);
  errors = collectErrors(page);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('opens on the pipeline domain: types, task lists with pending counts, the decider polling', async () => {
  await page.goto(stack.engine.consoleUrl!);
  await page.waitForSelector('body[data-ready=true]');
  // One domain: the console goes straight to it.
  await page.waitForSelector('body[data-view=domain]');
  const deciders = page.locator(`#task-list-table tr[data-task-list="video-deciders"][data-kind=decision]`);
  await deciders.locator('.identity', { hasText: 'local-decider-' }).first().waitFor();
  await expect(deciders.locator('td[data-pending]').textContent()).resolves.toBe('0');
  await page.locator('#task-list-table tr[data-task-list="video-workers"]').waitFor();
  // A start button per workflow type: ProcessVideo and its chunked-encoding child ProcessRendition.
  await expect(page.locator('button[data-action=start]').count()).resolves.toBe(2);
  await shot('domain', { fullPage: true });
});

let videoId: string;

it('starts a workflow and watches its timeline reach completion, live', async () => {
  const client = new VideoApiClient(stack.api.url);
  videoId = await uploadVideo(client, clip);
  await page.goto(`${stack.engine.consoleUrl}#/d/${DOMAIN}/executions`);
  const row = page.locator(`tr[data-workflow-id="${videoId}"] a`);
  await row.waitFor();
  await row.click();
  const canvas = page.locator('canvas.tl-canvas');
  await canvas.and(page.locator('[data-bars]')).waitFor();
  const seen = new Set<string>([(await canvas.getAttribute('data-status')) ?? '']);
  const bars: number[] = [Number(await canvas.getAttribute('data-bars'))];
  // Live updates: no reload, the timeline grows until the run completes.
  for (const started = Date.now(); Date.now() - started < 50_000; ) {
    const status = (await canvas.getAttribute('data-status')) ?? '';
    seen.add(status);
    bars.push(Number(await canvas.getAttribute('data-bars')));
    if (status !== 'OPEN') break;
    await page.waitForFunction((before) => document.querySelector('canvas.tl-canvas')?.getAttribute('data-bars') !== before || document.querySelector('canvas.tl-canvas')?.getAttribute('data-status') !== 'OPEN', String(bars[bars.length - 1]), { timeout: 50_000 });
  }
  expect([...seen]).toContain('OPEN');
  expect(await canvas.getAttribute('data-status')).toBe('COMPLETED');
  // The shared promise of every pipeline test: no COMPLETED video with an output cut short.
  expect((await waitForVideo(client, videoId)).status).toBe('COMPLETED');
  expect(Math.max(...bars)).toBeGreaterThan(Math.min(...bars));
  // probe, three transcodes, thumbnails, publish, and the decision tasks; nothing open or failed.
  expect(Number(await canvas.getAttribute('data-rows'))).toBeGreaterThanOrEqual(7);
  expect(await canvas.getAttribute('data-open')).toBe('0');
  expect(await canvas.getAttribute('data-failed')).toBe('0');
  await expect(page.locator('#execution-head').getAttribute('data-status')).resolves.toBe('COMPLETED');
  await expect(page.locator('#io pre.ok').textContent()).resolves.toContain('manifestKey');

  // The video plugin: every step and rendition done, the thumbnails and a working player.
  const plugin = page.locator('[data-plugin=ProcessVideo]');
  await plugin.locator('.vp-progress[data-done="6"][data-total="6"]').waitFor();
  await expect(plugin.locator('tr[data-step="transcode-720p"]').getAttribute('data-state')).resolves.toBe('COMPLETED');
  await expect(plugin.locator('tr[data-step^="transcode-"]').count()).resolves.toBe(3);
  await page.waitForFunction(() => {
    const img = document.querySelector('img[data-testid=poster]');
    return !!img && img.complete && img.naturalWidth > 0;
  });
  await page.waitForFunction(() => {
    const img = document.querySelector('img[data-testid=sprite]');
    return !!img && img.complete && img.naturalWidth > 0;
  });
  const video = page.locator('video[data-testid=video-player]');
  expect(['hls.js', 'native-hls', 'mp4']).toContain(await video.getAttribute('data-player'));
  await page.waitForFunction(() => (document.querySelector('video[data-testid=video-player]')?.readyState ?? 0) >= 1, undefined, { timeout: 20_000 });
  const { width, duration } = await video.evaluate((v: any) => ({ width: v.videoWidth, duration: v.duration }));
  expect(width).toBeGreaterThan(0);
  expect(duration).toBeGreaterThan(3);

  // The history table followed the live run to its end; filtering and selecting a row shows the whole event.
  await page.locator('.vt-row', { hasText: 'WorkflowExecutionCompleted' }).waitFor();
  await page.locator('#history input.filter').fill('completed');
  await page.waitForFunction(() => /^\d+ of \d+ events$/.test(document.querySelector('#history-count')?.textContent ?? ''));
  await page.locator('.vt-row', { hasText: 'WorkflowExecutionCompleted' }).click();
  await expect(page.locator('#event-detail pre').textContent()).resolves.toContain('"result"');
  await page.locator('#history input.filter').fill('');

  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.mouse.move(0, 0);
  const box = await page.locator('canvas.tl-canvas').boundingBox();
  const file = await shot('execution', { fullPage: true, clip: { x: 0, y: 0, width: 1400, height: Math.ceil(box!.y + box!.height + 24) } });
  if (process.env.CONSOLE_SCREENSHOT) copyFileSync(file, resolve(process.env.CONSOLE_SCREENSHOT));
});

it('exports the history as get-workflow-execution-history prints it', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-action=export]').click()]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  const fromApi = await new VideoApiClient(stack.api.url).history(videoId);
  expect(Object.keys(exported)).toEqual(['events']);
  expect(exported.events).toEqual(fromApi.events);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${videoId}-.*-history\\.json$`));
});

it('starts a run from the page and cancels it from the page', async () => {
  await page.goto(`${stack.engine.consoleUrl}#/d/${DOMAIN}`);
  await page.locator('tr', { hasText: /^\s*ProcessVideo/ }).locator('button[data-action=start]').click();
  const dialog = page.locator('dialog[open]');
  const workflowId = `console-cancel-${Date.now()}`;
  await dialog.locator('input[name=workflowId]').fill(workflowId);
  // Activities on a task list no worker polls: the run waits at its first step until canceled.
  await dialog.locator('textarea[name=input]').fill(JSON.stringify({ videoId: workflowId, sourceKey: `${workflowId}/source`, runner: 'activity' }));
  await dialog.locator('button[type=submit]').click();
  await page.waitForSelector('body[data-view=execution]');
  await page.locator('#execution-head .wid', { hasText: workflowId }).waitFor();
  const pending = page.locator('table[data-pending=activity] tr', { hasText: 'probe' });
  await pending.waitFor();
  await expect(pending.locator('.badge').getAttribute('data-status')).resolves.toBe('SCHEDULED');
  await shot('open', { fullPage: true });

  await page.locator('button[data-action=cancel]').click();
  await page.locator('dialog[open] button[type=submit]').click();
  await page.locator('#execution-head[data-status=CANCELED]').waitFor({ timeout: 30_000 });
  await expect(page.locator('canvas.tl-canvas').getAttribute('data-status')).resolves.toBe('CANCELED');
  await expect(page.locator('[data-plugin=ProcessVideo] tr[data-step=probe]').getAttribute('data-state')).resolves.toBe('CANCELED');
  await expect(page.locator('button[data-action=rerun]').count()).resolves.toBe(1);
  await shot('canceled', { fullPage: true });

  // Both runs in the closed list, newest first.
  await page.goto(`${stack.engine.consoleUrl}#/d/${DOMAIN}/executions?status=closed`);
  await page.locator(`tr[data-workflow-id="${workflowId}"]`).waitFor();
  const order = await page.locator('table.executions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workflow-id')));
  expect(order).toEqual([workflowId, videoId]);
  await shot('closed-list');
});

it('took its screenshots, and the page raised no errors', () => {
  expect(shots.map((f) => f.slice(dir.length + 1))).toEqual(['domain.png', 'execution.png', 'open.png', 'canceled.png', 'closed-list.png']);
  for (const f of shots) expectPng(f);
  expect(errors).toEqual([]);
});
