/**
 * The recording timeline in Chromium (issue 15, item 3): a synthetic two-minute recording opened
 * in the RecordingView (timeline above the read-only event log), on a plain page built from the
 * product's modules (bench/timeline), 320 px wide. Behaviour only; timings are `npm run bench`'s.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findBrowser } from './harness/find-browser.mjs';
import { BASE_CHROMIUM_FLAGS } from './harness/chromium-flags.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { waitFor } from './harness/wait-for.ts';
import { serveTimelinePage, type TimelinePage } from '../bench/timeline/build-timeline-page.ts';

let site: TimelinePage;
let browser: Browser;
let page: Page;

interface HarnessView {
  turns: Array<{ userStart: number; userStop: number; botStart: number; botStop: number; bargeIn: boolean }>;
  recording: { events: Array<{ seq: number; t: number; type: string }> };
}

beforeAll(async () => {
  site = await serveTimelinePage();
  const exe = findBrowser();
  if (!exe.path) throw new Error(exe.reason ?? 'no Chromium');
  browser = await chromium.launch({ executablePath: exe.path, headless: true, args: [...BASE_CHROMIUM_FLAGS, '--autoplay-policy=no-user-gesture-required'] });
  page = await browser.newPage({ viewport: { width: 320, height: 900 } });
  await page.goto(`${site.url}?minutes=2&view=recording`);
  await waitFor('the harness page to generate its recording', () => page.evaluate(() => document.documentElement.dataset.harness === 'ready'), { timeoutMs: 30_000 });
  await page.evaluate(() => (window as unknown as { __harness: { mount(): void } }).__harness.mount());
  await waitFor('the timeline to finish building', async () => (await page.getByRole('region', { name: /^timeline$/i }).getAttribute('data-complete')) === 'true', { timeoutMs: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const playhead = () => page.getByRole('slider', { name: /^playhead$/i });
const playheadMs = async () => Number(await playhead().getAttribute('data-playhead-ms'));
const status = () => page.getByRole('status', { name: /^playback$/i });

it('renders a labelled region with the recording summarised and drawn at 320 px', async () => {
  const region = page.getByRole('region', { name: /^timeline$/i });
  await expect(region.textContent()).resolves.toMatch(/turns? with latency; \d+ barge-ins?, \d+ tool calls?, \d+ errors?/);
  const box = await region.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(320);
  // Something was drawn: the canvas is not blank.
  const inked = await page.evaluate(() => {
    const c = document.querySelector('.timeline canvas') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n / (d.length / 4);
  });
  expect(inked).toBeGreaterThan(0.2);
  // A stored recording's log exports, but has nothing to clear and no import to take.
  await expect(page.getByRole('button', { name: /^export events$/i }).count()).resolves.toBe(1);
  await expect(page.getByRole('button', { name: /^(clear events|import events)$/i }).count()).resolves.toBe(0);
});

it('clicking a point plays from there and reveals the nearest event in the log', async () => {
  const h = await page.evaluate(() => (window as unknown as { __harness: HarnessView }).__harness.turns);
  const target = h[3].botStart + 500;
  const start = Number(await playhead().getAttribute('data-view-start-ms'));
  const span = Number(await playhead().getAttribute('data-view-span-ms'));
  const box = (await playhead().boundingBox())!;
  await page.mouse.click(box.x + ((target - start) / span) * box.width, box.y + box.height / 2);
  await waitFor('the Playback status to say it plays', async () => /^Playing from/.test((await status().textContent()) ?? ''), { timeoutMs: 10_000 });
  const from = Number(await playhead().getAttribute('data-played-from-ms'));
  // One pixel is span/width ms: the point clicked, within two pixels.
  expect(Math.abs(from - target)).toBeLessThanOrEqual((2 * span) / box.width);
  // The audio clock moves the playhead on from the clicked point.
  await waitFor('the playhead to advance with the audio', async () => (await playheadMs()) > from + 300, { timeoutMs: 15_000 });
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Playhead');
  // The log scrolled to and selected the event nearest the point (audio frames aside: the log hides them).
  const expected = await page.evaluate((t) => {
    const evs = (window as unknown as { __harness: { recording: { events: Array<{ seq: number; t: number; audio?: unknown }> } } }).__harness.recording.events.filter((e) => e.audio === undefined);
    let best = evs[0];
    for (const e of evs) if (Math.abs(e.t - t) < Math.abs(best.t - t)) best = e;
    return best.seq;
  }, from);
  await waitFor('the event log to select the nearest row', async () => (await page.locator(`li[data-seq="${expected}"] .insp-selected`).count()) > 0, { timeoutMs: 10_000 });
  await page.getByRole('button', { name: /^stop playing$/i }).click();
  await waitFor('playback to stop', async () => /^Stopped at/.test((await status().textContent()) ?? ''), { timeoutMs: 5_000 });
});

it('the keyboard moves the playhead, plays with Enter and reaches markers', async () => {
  await playhead().focus();
  await page.keyboard.press('Home');
  await waitFor('the playhead at 0', async () => (await playheadMs()) === 0, { timeoutMs: 5_000 });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await waitFor('the playhead at 11 s', async () => (await playheadMs()) === 11_000, { timeoutMs: 5_000 });
  await page.keyboard.press(']');
  const h = await page.evaluate(() => (window as unknown as { __harness: HarnessView }).__harness.turns);
  const firstMarker = await waitFor('the playhead on the next marker', async () => {
    const v = await playheadMs();
    return v > 11_000 ? v : null;
  }, { timeoutMs: 5_000 });
  // The synthetic session's first marker after 11 s: a barge-in or a tool call of some turn.
  expect(h.some((t) => Math.abs(t.botStop - 250 - firstMarker) < 2 || Math.abs(t.userStop + 200 - firstMarker) < 2)).toBe(true);
  await page.keyboard.press('Enter');
  await waitFor('Enter to start playback', async () => /^Playing from/.test((await status().textContent()) ?? ''), { timeoutMs: 10_000 });
  await page.getByRole('radio', { name: /^bot only$/i }).check();
  await waitFor('the status to name the solo voice', async () => /bot only/.test((await status().textContent()) ?? ''), { timeoutMs: 5_000 });
  await playhead().focus();
  await page.keyboard.press(' ');
  await waitFor('Space to stop playback', async () => /^Stopped at/.test((await status().textContent()) ?? ''), { timeoutMs: 5_000 });
  // The marker list jumps too.
  const combo = page.getByRole('combobox', { name: /^jump to marker$/i });
  const options = await combo.locator('option').allTextContents();
  expect(options.length).toBeGreaterThan(3);
  await combo.selectOption({ index: 2 });
  await waitFor('the playhead to follow the chosen marker', async () => (await playheadMs()) !== firstMarker, { timeoutMs: 5_000 });
});

it('selecting an event in the log marks it on the timeline', async () => {
  const before = await page.evaluate(() => (document.querySelector('.timeline canvas') as HTMLCanvasElement).toDataURL());
  await page.getByRole('searchbox', { name: /^filter events$/i }).fill('bot-stopped-speaking');
  const row = page.getByRole('button', { name: /^details for event \d+$/i }).first();
  await row.click();
  await waitFor('the timeline to redraw with the selection', async () => (await page.evaluate(() => (document.querySelector('.timeline canvas') as HTMLCanvasElement).toDataURL())) !== before, { timeoutMs: 5_000 });
});

it('axe finds no serious or critical violations', async () => {
  const v = await auditAccessibility(page);
  expect(v).toEqual([]);
});
