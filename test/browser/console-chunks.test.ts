/**
 * The video plugin's chunk progress in a real browser (Debian's Chromium): a chunked run on the
 * local stack (4-second chunks, one at a time per rendition), watched in the console. Each
 * rendition row shows its child's chunk counts from the starter API while the run is open, and
 * every chunk done once it completed; the page logs no error.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { generateTestClip } from '../../lib/cli/test-clip';
import { DOMAIN } from '../../lib/video/definition';
import { uploadVideo, useLocalPipeline, waitForVideo } from '../helpers/pipeline';
import { collectErrors, launchChromium } from './chromium';

jest.setTimeout(120_000);

const SECONDS = 24;
const CHUNKS = SECONDS / 4;
const pipeline = useLocalPipeline('console-chunks', { chunking: { seconds: 4, concurrency: 1 }, logLevel: 'ERROR' });

let browser: { context: BrowserContext; page: Page; profile: string } | undefined;
let errors: string[] = [];

afterAll(async () => {
  await browser?.context.close();
  if (browser) rmSync(browser.profile, { recursive: true, force: true });
});

it('shows each rendition\'s chunk counts while the run is open, and every chunk done at the end', async () => {
  const clip = join(pipeline.dir, 'clip.mp4');
  [browser] = await Promise.all([launchChromium(), generateTestClip(clip, { seconds: SECONDS, width: 640, height: 360, frameRate: 10 })]);
  const { page } = browser;
  errors = collectErrors(page);
  const client = pipeline.client;
  const videoId = await uploadVideo(client, clip);
  await page.goto(`${pipeline.stack.engine.consoleUrl}#/d/${DOMAIN}/executions`);
  const row = page.locator(`tr[data-workflow-id="${videoId}"] a`);
  await row.waitFor();
  await row.click();
  const plugin = page.locator('[data-plugin=ProcessVideo]');

  // While open: a chunk cell on a rendition row, with the plan's total.
  const cell = plugin.locator(`tr[data-step^="transcode-"] .vp-chunks[data-chunks-total="${CHUNKS}"]`).first();
  await cell.waitFor({ timeout: 60_000 });
  // Six chunks one at a time per rendition take seconds: the counts came before the run closed.
  expect(await page.locator('[data-video-state]').first().getAttribute('data-video-state')).toBe('OPEN');
  expect(await cell.textContent()).toMatch(new RegExp(`chunks \\d+/${CHUNKS}`));

  const status = await waitForVideo(client, videoId);
  expect(status.status).toBe('COMPLETED');
  const renditions = status.steps.filter((s) => s.name === 'transcode').length;
  // The loop's last read after the close: every rendition's chunks all done.
  await page.waitForFunction(
    ([n, total]) => {
      const cells = [...(globalThis as any).document.querySelectorAll('[data-plugin=ProcessVideo] .vp-chunks[data-chunks-completed]')];
      return cells.length === n && cells.every((c: any) => c.getAttribute('data-chunks-completed') === String(total));
    },
    [renditions, CHUNKS] as const,
    { timeout: 30_000 },
  );
  await expect(plugin.locator('.vp-chunks').first().textContent()).resolves.toContain(`chunks ${CHUNKS}/${CHUNKS}`);
  expect(errors).toEqual([]);
});
