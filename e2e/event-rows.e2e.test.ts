import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, waitForConnectionState } from './harness/panel-page.ts';
import { applyFilter, chooseView, listedRows } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * Issue 13 items 2–4 through the panel with Loopback: the time column (one clock per Connect,
 * never running backwards in the order shown, a separator at each Connect), the detail pane,
 * pins, Diff, chips, Hide audio frames and the keyboard model of the list.
 */

interface ShownRow {
  index: number;
  seq: number;
  ms: number;
  timeText: string;
  deltaText: string;
  separator: string | null;
}

/** Selects a view's tab when the panel has one (ui-contract.md: a missing tab is not an error). */
async function showView(panel: Page, name: string): Promise<void> {
  const tab = panel.getByRole('tablist', { name: exactly('Views') }).getByRole('tab', { name: exactly(name) });
  if ((await tab.count()) > 0) await tab.click();
}

/**
 * Every top-level row of the (virtualised) list, read by scrolling it from top to bottom and
 * waiting for each scroll position to render.
 */
async function readAllRows(panel: Page): Promise<ShownRow[]> {
  return panel.evaluate(async () => {
    const log = document.querySelector<HTMLElement>('[role="log"][aria-label="Event log"]');
    if (!log) throw new Error('no Event log');
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const rows = new Map<number, ShownRow>();
    const collect = () => {
      for (const li of log.querySelectorAll<HTMLElement>(':scope > ul > li[data-index]')) {
        const index = Number(li.dataset.index);
        if (rows.has(index)) continue;
        const head = li.querySelector(':scope > .insp-row > .insp-row-head');
        rows.set(index, {
          index,
          seq: Number(li.dataset.seq),
          ms: Number(li.dataset.ms),
          timeText: head?.querySelector('.insp-time')?.textContent ?? '',
          deltaText: head?.querySelector('.insp-delta')?.textContent ?? '',
          separator: li.querySelector(':scope > .insp-sep')?.textContent ?? null,
        });
      }
    };
    log.scrollTop = 0;
    await frame();
    for (let guard = 0; guard < 20_000; guard++) {
      collect();
      if (log.scrollTop + log.clientHeight >= log.scrollHeight - 1) break;
      log.scrollTop += Math.max(20, log.clientHeight / 2);
      await frame();
    }
    collect();
    return [...rows.values()].sort((a, b) => a.index - b.index);
  });
}

describe('event rows through the panel (Loopback)', () => {
  let h: ExtensionHarness;
  let panel: Page;
  const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');

  beforeAll(async () => {
    // The phrase then 4.4 s of silence, looped: each Loopback echo is a full voice turn.
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** One Connect … voice turn … Disconnect. */
  async function session(n: number): Promise<void> {
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    await waitFor(`a full voice turn in session ${n} (bot-stopped-speaking)`, async () => (await hostEvents()).some((e) => e.session === n && e.type === 'bot-stopped-speaking'), { timeoutMs: 40_000 });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected', 15_000);
  }

  it('timestamps never run backwards in display order over full sessions; a separator opens each Connect', async () => {
    panel = await h.openPanel({ adapter: 'loopback' });
    await session(1);
    await session(2);
    const host = await hostEvents();
    const sessions = [...new Set(host.map((e) => e.session))];
    expect(sessions).toEqual([1, 2]);

    await showView(panel, 'Events');
    await chooseView(panel, 'Both');
    await applyFilter(panel, '');
    // Every row, audio frames included (Hide audio frames is on by default).
    const hide = panel.getByRole('checkbox', { name: exactly('Hide audio frames') });
    expect(await hide.isChecked()).toBe(true);
    await hide.uncheck();
    await waitFor('the Event log to settle on every held row', async () => (await panel.getByRole('log', { name: exactly('Event log') }).getAttribute('aria-busy')) !== 'true');
    await button(panel, 'Pause').click();

    const rows = await readAllRows(panel);
    expect(rows.length).toBeGreaterThan(20);
    // Contiguous: every item of the list was read.
    expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
    // Arrival order: the history's order.
    const order = new Map(host.map((e, i) => [e.seq, i]));
    for (let i = 1; i < rows.length; i++) expect(order.get(rows[i].seq)!, `row ${i}`).toBeGreaterThan(order.get(rows[i - 1].seq)!);

    const separators = rows.filter((r) => r.separator !== null);
    expect(separators.map((r) => r.separator!.match(/^Connect (\d+)/)?.[1])).toEqual(['1', '2']);
    let backwards = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      expect(r.timeText, `row ${i} shows rounded ms since Connect`).toBe(`${r.ms} ms`);
      if (r.separator !== null) {
        expect(r.deltaText).toBe('');
        continue;
      }
      const prev = rows[i - 1];
      expect(r.ms, `row ${i} (seq ${r.seq}) after row ${i - 1} (seq ${prev.seq})`).toBeGreaterThanOrEqual(prev.ms);
      expect(r.deltaText).toBe(`+${r.ms - prev.ms}`);
      // How often the rows' own stamps would have run backwards (audio-clock stamps and the like).
      const own = (seq: number) => Math.round(host.find((e) => e.seq === seq)!.t);
      if (own(r.seq) < own(prev.seq)) backwards++;
    }
    console.log(`event rows: ${rows.length} rows over 2 sessions; ${backwards} rows stamped before the row above them (shown at the row above's time)`);
    // The zero is the Connect press: the session's first row (connect-requested) is at about 0.
    const firstOf2 = host.find((e) => e.session === 2)!;
    expect(firstOf2.type).toBe('connect-requested');
    expect(firstOf2.t).toBeLessThan(50);
    await button(panel, 'Resume').click();
  }, 150_000);

  it('keyboard, detail pane, pins, Diff, chips and Hide audio frames', async () => {
    await showView(panel, 'Events');
    const log = panel.getByRole('log', { name: exactly('Event log') });
    await panel.getByRole('checkbox', { name: exactly('Hide audio frames') }).check();

    // Hidden by default, shown when typed.
    await applyFilter(panel, '');
    expect((await listedRows(panel, '')).some((r) => r.text.includes('loopback.audio'))).toBe(false);
    const audio = await listedRows(panel, 'loopback.audio');
    expect(audio.length).toBeGreaterThan(0);
    for (const r of audio) expect(r.text).toContain('loopback.audio');

    // Exact type: the two Connects, nothing else.
    const connects = await listedRows(panel, 'connect-requested');
    expect(connects).toHaveLength(2);

    // Keyboard: into the list, Home, → opens the detail with the payload opened.
    await log.focus();
    await panel.keyboard.press('Home');
    await waitFor('the first row to take focus', () => panel.evaluate((seq) => document.activeElement?.getAttribute('data-seq') === String(seq), connects[0].seq));
    await panel.keyboard.press('ArrowRight');
    const detail = panel.getByRole('region', { name: exactly('Event detail') });
    await waitFor('the Event detail pane', () => detail.isVisible());
    expect(await detail.getByRole('tab', { name: exactly('Payload') }).getAttribute('aria-selected')).toBe('true');
    expect(await detail.textContent()).toMatch(/adapter: "loopback"/);

    // Tab leaves the list through the focused row's own buttons only.
    await panel.keyboard.press('Shift+Tab');
    await log.focus();
    await panel.keyboard.press('Home');
    for (let i = 0; i < 8; i++) {
      await panel.keyboard.press('Tab');
      const where = await panel.evaluate((first) => {
        const el = document.activeElement;
        const li = el?.closest('[role="log"] li[data-seq]');
        return li ? Number(li.getAttribute('data-seq')) === first ? 'same row' : 'other row' : 'outside';
      }, connects[0].seq);
      expect(where).not.toBe('other row');
      if (where === 'outside') break;
    }

    // p pins; the pin survives a filter that hides the row.
    await log.focus();
    await panel.keyboard.press('Home');
    await panel.keyboard.press('p');
    const pins = panel.getByRole('region', { name: exactly('Pinned events') });
    await waitFor('the Pinned events strip', () => pins.isVisible());
    await applyFilter(panel, 'bot-ready');
    expect(await pins.textContent()).toContain(`connect-requested #${connects[0].seq}`);

    // Diff: mark the first Connect, select the second.
    await applyFilter(panel, 'connect-requested');
    await detail.getByRole('button', { name: exactly('Mark for diff') }).click();
    await log.focus();
    await panel.keyboard.press('End');
    await panel.keyboard.press('ArrowRight');
    const diffTab = detail.getByRole('tab', { name: exactly('Diff') });
    await waitFor('the Diff tab', () => diffTab.isVisible());
    await diffTab.click();
    expect(await detail.getByRole('tabpanel').textContent()).toMatch(new RegExp(`connect-requested #${connects[0].seq} against connect-requested #${connects[1].seq}: no differences`));
    await detail.getByRole('tab', { name: exactly('Raw') }).click();
    expect(await detail.getByRole('tabpanel').textContent()).toMatch(/not a wire frame/);
    // The detail pane, the pin strip and the chips pass the audit, at 360 px too.
    expect(await auditAccessibility(panel)).toEqual([]);
    const size = panel.viewportSize();
    await panel.setViewportSize({ width: 360, height: 640 });
    expect(await auditAccessibility(panel)).toEqual([]);
    const sideways = await panel.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways, 'the panel scrolls sideways at 360 px').toBeLessThanOrEqual(0);
    if (size) await panel.setViewportSize(size);

    // Chips: Speaking lists speaking rows only.
    await applyFilter(panel, '');
    await panel.getByRole('group', { name: exactly('Quick filters') }).getByRole('button', { name: exactly('Speaking') }).click();
    const speaking = await listedRows(panel, '');
    expect(speaking.length).toBeGreaterThan(0);
    for (const r of speaking) expect(r.text).toMatch(/speaking|local-vad/);
    await panel.getByRole('group', { name: exactly('Quick filters') }).getByRole('button', { name: exactly('Speaking') }).click();

    // Jump to latest, once scrolled up.
    await panel.getByRole('checkbox', { name: exactly('Hide audio frames') }).uncheck();
    await applyFilter(panel, '');
    const atEnd = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 48);
    // Start from the end. The steps above (detail pane, pins, a viewport change) may have left the
    // list scrolled up, with Jump to latest showing: then that is the way back to the end.
    const jumpFirst = button(panel, 'Jump to latest');
    if (!(await atEnd()) && (await jumpFirst.isVisible())) await jumpFirst.click();
    await waitFor('the list to follow its end', atEnd);
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    const jump = button(panel, 'Jump to latest');
    await waitFor('Jump to latest after scrolling up', () => jump.isVisible());
    await jump.click();
    await waitFor('the list back at its end', atEnd);
    await waitFor('Jump to latest to go away', async () => (await jump.count()) === 0);
  }, 60_000);
});
