import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView, waitForConnectionState, waitForEvent, type ViewName } from './harness/panel-page.ts';
import { selectAdapter } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * The panel laid out for watching a live session (issue 13): a session bar that never scrolls
 * away, the `Views` tablist, two panes from about 700 px, and the must-show figures measured in
 * Chromium at 360×640, 1000 px and 320 px.
 */

const VIEWS: ViewName[] = ['Conversation', 'Events', 'Metrics', 'Settings', 'Recordings', 'Replay', 'Tests'];
const log = (page: Page) => page.getByRole('log', { name: exactly('Event log') });
const bar = (page: Page) => page.locator('header.session-bar');

/** Rows of the event log lying wholly inside both the viewport and the log's own visible box. */
function rowsOnScreen(page: Page): Promise<number> {
  return log(page).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const top = Math.max(0, box.top);
    const bottom = Math.min(window.innerHeight, box.bottom);
    return [...el.querySelectorAll('li')].filter((li) => {
      if (li.parentElement?.closest('li')) return false; // a group's member rows count once, as the group
      const r = li.getBoundingClientRect();
      return r.height > 0 && r.top >= top - 0.5 && r.bottom <= bottom + 0.5;
    }).length;
  });
}

/** True when the whole element is inside the viewport. */
function wholeOnScreen(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
  }, selector);
}

/** How far (px) anything sticks out past the right edge, outside containers that scroll sideways on their own. */
function horizontalOverflow(page: Page): Promise<{ px: number; what: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsItself = (e: Element) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (p.matches('.view')) continue;
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const pagePx = document.documentElement.scrollWidth - width;
    const worst = { px: pagePx, what: pagePx > 0 ? 'the page itself scrolls sideways' : '' };
    for (const e of document.querySelectorAll('body *')) {
      if (e.closest('.sr-only, .insp-sr, .skip-link') || e.getClientRects().length === 0 || scrollsItself(e)) continue;
      const px = Math.ceil(e.getBoundingClientRect().right - width);
      if (px > 0 && px >= worst.px) (worst.px = px), (worst.what = `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${(e.textContent ?? '').slice(0, 40)}" sticks out`);
    }
    return worst;
  });
}

/** Connects with the panel's Loopback unless a session from an earlier test is still open. */
async function ensureReady(page: Page): Promise<void> {
  await waitFor('the panel to know the session state', async () => (await button(page, 'Connect').isVisible()) || (await button(page, 'Disconnect').isVisible()));
  if (await button(page, 'Connect').isVisible()) await button(page, 'Connect').click();
  await waitForConnectionState(page, 'ready', 20_000);
}

describe('panel layout', () => {
  let h: ExtensionHarness;

  beforeAll(async () => {
    // The phrase then 4.4 s of silence, looped: the Loopback echoes it, so the session "talks".
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the Views tablist follows the WAI-ARIA tabs pattern: one click or one arrow key switches the view', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await panel.setViewportSize({ width: 360, height: 640 });
    const tabs = panel.getByRole('tablist', { name: exactly('Views') }).getByRole('tab');
    await waitFor(`the view tabs at 360 px (${VIEWS.join(', ')})`, async () => (await tabs.allTextContents()).join(',') === VIEWS.join(','));
    for (const v of VIEWS) {
      await panel.getByRole('tab', { name: exactly(v) }).click();
      await expect(panel.getByRole('tab', { name: exactly(v) }).getAttribute('aria-selected')).resolves.toBe('true');
      await expect(panel.getByRole('tabpanel', { name: exactly(v) }).isVisible()).resolves.toBe(true);
      // The session bar's controls stay reachable from every view.
      await expect(button(panel, 'Connect').isVisible()).resolves.toBe(true);
      await expect(panel.getByRole('meter', { name: exactly('Microphone level') }).isVisible()).resolves.toBe(true);
    }
    await panel.getByRole('tab', { name: exactly('Conversation') }).focus();
    await panel.keyboard.press('ArrowRight');
    await expect(panel.getByRole('tab', { name: exactly('Events') }).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(log(panel).isVisible()).resolves.toBe(true);
    await panel.keyboard.press('End');
    const last = VIEWS.at(-1)!;
    await expect(panel.getByRole('tab', { name: exactly(last) }).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(panel.evaluate(() => document.activeElement?.textContent)).resolves.toBe(last);
    await panel.close();
  });

  it('at 360×640, connected to Loopback and talking: the session bar and at least 12 event rows are on screen at once in the Events view', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await panel.setViewportSize({ width: 360, height: 640 });
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    await waitForEvent(panel, 'bot-started-speaking', { timeoutMs: 30_000 });
    await selectView(panel, 'Events');
    await panel.getByRole('searchbox', { name: exactly('Filter events') }).fill('');
    // Reading the log: its top brought into view, as a user scrolls the view to it.
    await log(panel).evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
    const seen = await waitFor('12 event rows on screen with the session bar', async () => {
      const rows = await rowsOnScreen(panel);
      const barShown = await wholeOnScreen(panel, 'header.session-bar');
      if (rows >= 12 && barShown) return rows;
      throw new Error(`${rows} rows on screen, session bar ${barShown ? 'whole' : 'not whole'} on screen`);
    }, { timeoutMs: 20_000 });
    expect(seen).toBeGreaterThanOrEqual(12);
    // The bar's controls are the real ones, usable from here.
    await expect(button(panel, 'Disconnect').isVisible()).resolves.toBe(true);
    await expect(button(panel, 'Mute microphone').isVisible()).resolves.toBe(true);
    await expect(button(panel, 'Interrupt').isVisible()).resolves.toBe(true);
    // The bar never scrolls away: scrolling the view to its end leaves it where it was.
    const before = await bar(panel).boundingBox();
    await panel.getByRole('tabpanel', { name: exactly('Events') }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await panel.mouse.wheel(0, 2000);
    expect(await bar(panel).boundingBox()).toEqual(before);
    await panel.close();
  });

  it('at 1000 px the Conversation and the Event log are both visible without scrolling; the pane split is remembered', async () => {
    const panel = await h.openPanel();
    await panel.setViewportSize({ width: 1000, height: 700 });
    await ensureReady(panel);
    await selectView(panel, 'Conversation');
    await waitFor('the Conversation region and the Event log side by side', async () => (await panel.getByRole('region', { name: exactly('Conversation') }).isVisible()) && (await log(panel).isVisible()));
    const conv = (await panel.getByRole('region', { name: exactly('Conversation') }).boundingBox())!;
    const lg = (await log(panel).boundingBox())!;
    expect(conv.y + 40, 'Conversation starts inside the viewport').toBeLessThan(700);
    expect(lg.y + 100, 'Event log shows at least 100 px inside the viewport').toBeLessThan(700);
    expect(conv.x + conv.width, 'side by side').toBeLessThanOrEqual(lg.x);
    await expect(panel.evaluate(() => [window.scrollY, document.documentElement.scrollHeight - document.documentElement.clientHeight])).resolves.toEqual([0, 0]);

    const splitter = panel.getByRole('separator', { name: exactly('Resize panes') });
    const start = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    await panel.keyboard.press('ArrowLeft');
    await panel.keyboard.press('ArrowLeft');
    const moved = Number(await splitter.getAttribute('aria-valuenow'));
    expect(moved).toBe(Math.max(25, start - 10));
    await panel.close();
    const again = await h.openPanel();
    await again.setViewportSize({ width: 1000, height: 700 });
    await waitFor(`the remembered split (${moved} %)`, async () => Number(await again.getByRole('separator', { name: exactly('Resize panes') }).getAttribute('aria-valuenow')) === moved);
    await again.close();
  });

  it('keyboard only: from page load to an expanded event payload in at most 6 key presses', async () => {
    const panel = await h.openPanel();
    await panel.setViewportSize({ width: 360, height: 640 });
    await ensureReady(panel);
    await waitForEvent(panel, 'bot-ready');
    await selectView(panel, 'Conversation');
    // Page load: a fresh document, focus on nothing.
    await panel.reload();
    await waitFor('the panel to link to the session host', async () => !((await panel.getByRole('status', { name: exactly('Connection status') }).textContent()) ?? '').includes('reaching'));
    await waitFor('focus on the document body', () => panel.evaluate(() => document.activeElement === document.body));
    let presses = 0;
    const press = async (key: string) => {
      presses++;
      await panel.keyboard.press(key);
    };
    await press('Tab');
    await expect(panel.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to events');
    await press('Enter');
    const inLog = () => panel.evaluate(() => !!document.activeElement?.closest('[role="log"]'));
    await waitFor('focus in the event log', inLog, { timeoutMs: 5_000 });
    const rowText = () => panel.evaluate(() => document.activeElement?.closest('[role="log"] li')?.textContent?.length ?? 0);
    const where = await panel.evaluate(() => {
      const a = document.activeElement;
      if (a?.getAttribute('role') === 'log') return 'log';
      return a?.tagName === 'BUTTON' && a.hasAttribute('aria-expanded') ? 'button' : 'row';
    });
    // The log itself: ↓ takes the newest row. A row: → opens it (tree pattern). An expand button: Enter.
    if (where === 'log') await press('ArrowDown');
    const before = await rowText();
    await press(where === 'button' ? 'Enter' : 'ArrowRight');
    await waitFor('the focused event to show its payload (in its row or in the Event detail pane)', async () => {
      const detail = panel.getByRole('region', { name: exactly('Event detail') });
      if ((await detail.count()) > 0 && (await detail.isVisible()) && ((await detail.textContent()) ?? '').length > 20) return true;
      const expanded = await panel.evaluate(() => {
        const li = document.activeElement?.closest('[role="log"] li');
        return !!li && (li.getAttribute('aria-expanded') === 'true' || !!li.querySelector('[aria-expanded="true"]'));
      });
      return expanded && (await rowText()) > before + 20;
    }, { timeoutMs: 5_000 });
    expect(presses).toBeLessThanOrEqual(6);
    await panel.close();
  });

  it('a row focused by keyboard keeps focus while new rows stream in (the log stops following)', async () => {
    const panel = await h.openPanel();
    await panel.setViewportSize({ width: 360, height: 640 });
    await ensureReady(panel);
    await selectView(panel, 'Events');
    await panel.getByRole('searchbox', { name: exactly('Filter events') }).fill('');
    const shown = async () => Number(/\d+/.exec((await panel.getByRole('status', { name: exactly('Shown events') }).textContent()) ?? '')?.[0] ?? NaN);
    await log(panel).focus();
    await panel.keyboard.press('End');
    const focusedKey = () => panel.evaluate(() => document.activeElement?.closest('[role="log"] li')?.getAttribute('data-row-key') ?? null);
    const key = await waitFor('the newest row to take focus after End', focusedKey, { timeoutMs: 5_000 });
    const start = await shown();
    // Far more new rows than the viewport and the virtualiser's overscan hold.
    await waitFor(`40 more rows than the ${start} shown when the row took focus`, async () => (await shown()) >= start + 40, { timeoutMs: 60_000 });
    expect(await focusedKey(), 'focus stayed on the row the keyboard chose').toBe(key);
    await expect(button(panel, 'Jump to latest').isVisible()).resolves.toBe(true);
    await panel.close();
  });

  it('stays usable at 320 px: no view sticks out sideways, and the bar connects', async () => {
    const panel = await h.openPanel();
    await panel.setViewportSize({ width: 320, height: 640 });
    await ensureReady(panel);
    for (const v of VIEWS) {
      await selectView(panel, v);
      const o = await horizontalOverflow(panel);
      expect(o.px, `${v} view wider than 320 px: ${o.what}`).toBeLessThanOrEqual(0);
    }
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    for (const v of VIEWS) {
      await selectView(panel, v);
      const o = await horizontalOverflow(panel);
      expect(o.px, `${v} view wider than 320 px (disconnected): ${o.what}`).toBeLessThanOrEqual(0);
    }
    expect(await wholeOnScreen(panel, 'header.session-bar')).toBe(true);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    await panel.close();
  });

  it('axe-core finds no serious or critical violation in any view, light and dark, at 360 and 1000 px', async () => {
    const panel = await h.openPanel();
    await ensureReady(panel);
    await waitForEvent(panel, 'bot-stopped-speaking', { timeoutMs: 30_000 });
    const found: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme: theme });
      for (const width of [360, 1000]) {
        await panel.setViewportSize({ width, height: 700 });
        for (const v of VIEWS) {
          await selectView(panel, v);
          for (const x of await auditAccessibility(panel)) found.push(`${v} ${width}px ${theme}: ${x.id} (${x.impact}) ${x.help} ${x.nodes.slice(0, 3).join(' ')}`);
        }
      }
    }
    expect(found, found.join('\n')).toEqual([]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });

  it('Settings read quietly: one note per section, Reset for a changed value, a pending-changes bar, Voice takes custom values, Tools has an example, Format and line numbers', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await ensureReady(panel);
    await selectView(panel, 'Settings');
    const delay = panel.getByRole('spinbutton', { name: exactly('Response delay (ms)') });
    await delay.fill('250');
    const reset = button(panel, 'Reset Response delay (ms)');
    await waitFor('Reset beside the changed field', () => reset.isVisible());
    const pending = panel.getByRole('status', { name: exactly('Pending changes') });
    await waitFor('the pending-changes bar to name the unapplied live change', async () => /1 live change not applied yet \(Response delay \(ms\)\)/.test((await pending.textContent()) ?? ''));
    await button(panel, 'Apply').click();
    await waitFor('the bar to go once applied', async () => (await pending.count()) === 0, { timeoutMs: 10_000 });
    await reset.click();
    await waitFor('the default back and Reset gone', async () => (await delay.inputValue()) === '0' && (await reset.count()) === 0);
    // A number field is not stretched across the pane.
    expect((await delay.boundingBox())!.width).toBeLessThan(200);
    await button(panel, 'Apply').click();
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');

    await selectAdapter(panel, 'OpenAI Realtime');
    // One note for the section; tags only on the exceptions, far fewer than the fields.
    const settingsCard = panel.getByRole('region', { name: /^Session settings/ });
    const fields = await settingsCard.locator('.field').count();
    const tags = await settingsCard.locator('.apply-tag').count();
    expect(tags, `${tags} tags for ${fields} fields`).toBeLessThan(fields / 2);
    const voice = panel.getByRole('combobox', { name: exactly('Voice') });
    await voice.selectOption({ label: 'Custom…' });
    const custom = panel.getByRole('textbox', { name: exactly('Custom Voice') });
    await custom.fill('my-new-voice');
    await waitFor('the custom voice kept', async () => (await custom.inputValue()) === 'my-new-voice');
    await button(panel, 'Reset Voice').click();
    await waitFor('the custom box gone after Reset', async () => (await custom.count()) === 0);

    const tools = panel.getByRole('textbox', { name: exactly('Tools (JSON)') });
    await tools.fill('');
    await button(panel, 'Insert example tool').click();
    await waitFor('the example tool with its mock controls', () => panel.getByRole('combobox', { name: exactly('Mock reply for get_weather') }).isVisible());
    await tools.fill('[{"name":"a"},\n{"name": }]');
    await waitFor('line 2 marked in the gutter', async () => (await panel.locator('.code-line-error').textContent()) === '2');
    await expect(button(panel, 'Format tools').isDisabled()).resolves.toBe(true);
    await tools.fill('[{"name":"a"}]');
    await button(panel, 'Format tools').click();
    await waitFor('formatted tools', async () => (await tools.inputValue()) === '[\n  {\n    "name": "a"\n  }\n]');
    await tools.fill('[]');
    await selectAdapter(panel, 'Loopback');
    await panel.close();
  });
});

describe('first run (microphone not yet granted)', () => {
  let h: ExtensionHarness;
  beforeAll(async () => {
    h = await launchExtension({ fakeMediaUi: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('Grant microphone access is the primary action, the Conversation view says how to start, empty views say what will appear', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await panel.setViewportSize({ width: 360, height: 640 });
    const grant = button(panel, 'Grant microphone access');
    await waitFor('Grant microphone access in the session bar', () => grant.isVisible());
    expect(await grant.evaluate((el) => !!el.closest('header.session-bar') && el.classList.contains('primary'))).toBe(true);
    expect(await button(panel, 'Connect').evaluate((el) => el.classList.contains('primary'))).toBe(false);
    // Grant comes before Connect in the Tab order.
    const order = await panel.evaluate(() => [...document.querySelectorAll('header.session-bar button')].map((b) => b.textContent));
    expect(order.indexOf('Grant microphone access')).toBeLessThan(order.indexOf('Connect'));
    await selectView(panel, 'Conversation');
    await waitFor('the one-line start hint', async () => /Loopback → Connect → speak/.test((await panel.getByRole('tabpanel', { name: exactly('Conversation') }).textContent()) ?? ''));
    await selectView(panel, 'Metrics');
    await expect(panel.getByRole('region', { name: exactly('Metrics') }).textContent()).resolves.toMatch(/Latency per turn appears here after the bot answers/);
    await panel.close();
  });
});
