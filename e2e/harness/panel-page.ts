import type { Locator, Page } from 'playwright-core';
import { waitFor } from './wait-for.ts';

/** Anchored, case-insensitive name patterns (ui-contract.md matching rules). */
export const exactly = (name: string) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');

export function button(page: Page, name: string): Locator {
  return page.getByRole('button', { name: exactly(name) });
}

export type ViewName = 'Conversation' | 'Events' | 'Metrics' | 'Settings' | 'Recordings' | 'Replay' | 'Tests';

/**
 * Selects a view's tab in the `Views` tablist (ui-contract.md "Views") unless it is selected
 * already. A tab that does not exist is not an error: at two-pane widths the Events view has its
 * own pane and no tab.
 */
export async function selectView(page: Page, name: ViewName): Promise<void> {
  const tab = page.getByRole('tablist', { name: exactly('Views') }).getByRole('tab', { name: exactly(name) });
  // Right after a viewport change the panel re-renders for the new width: a tab seen a moment ago
  // may be gone (Events at two-pane widths), so read it with a short bound and look again.
  let selected: string | null = null;
  for (let attempt = 0; ; attempt++) {
    if ((await tab.count()) === 0) return;
    selected = await tab.getAttribute('aria-selected', { timeout: 2_000 }).catch(() => null);
    if (selected !== null) break;
    if (attempt >= 2) throw new Error(`the ${name} tab kept appearing and disappearing (the panel's layout did not settle)`);
  }
  if (selected === 'true') return;
  await tab.click({ timeout: 5_000 });
  await waitFor(`the ${name} tab to be selected`, async () => (await tab.getAttribute('aria-selected')) === 'true', { timeoutMs: 5_000 });
}

export function connectionStatus(page: Page): Locator {
  return page.getByRole('status', { name: exactly('Connection status') });
}

/** Waits until `Connection status` holds `state` as a whole word. */
export async function waitForConnectionState(page: Page, state: string, timeoutMs = 15_000): Promise<void> {
  const word = new RegExp(`\\b${state}\\b`, 'i');
  await waitFor(`Connection status to read "${state}"`, async () => word.test((await connectionStatus(page).textContent()) ?? ''), { timeoutMs });
}

export async function meterValue(page: Page, name: 'Microphone level' | 'Bot level'): Promise<number> {
  const v = await page.getByRole('meter', { name: exactly(name) }).getAttribute('aria-valuenow');
  return Number(v ?? 'NaN');
}

export async function eventCount(page: Page): Promise<number> {
  await selectView(page, 'Events');
  const text = (await page.getByRole('status', { name: exactly('Event count') }).textContent()) ?? '';
  const m = /(\d+)\s+events?/.exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * Types `filter` into `Filter events` and waits until the log shows its result: the list renders a
 * typed query in a deferred pass (useDeferredValue) and is `aria-busy` until then; read before that
 * and the rows are still the previous query's.
 */
export async function applyFilter(page: Page, filter: string): Promise<void> {
  await selectView(page, 'Events');
  const box = page.getByRole('searchbox', { name: exactly('Filter events') });
  if ((await box.inputValue()) !== filter) await box.fill(filter);
  const log = page.getByRole('log', { name: exactly('Event log') });
  await waitFor(`the Event log to apply the filter "${filter}"`, async () => (await box.inputValue()) === filter && (await log.getAttribute('aria-busy')) !== 'true', { timeoutMs: 10_000 });
}

/** Types of the events the log lists now (after `Filter events`, when given). */
export async function listedEventTypes(page: Page, filter = ''): Promise<string[]> {
  await applyFilter(page, filter);
  return page.getByRole('log', { name: exactly('Event log') }).getByRole('listitem').allTextContents();
}

/**
 * Waits until the log (filtered by `filter`, default the type itself) lists an event whose text
 * contains `type` (ui-contract.md: a row's text contains its type exactly as on the wire).
 */
export async function waitForEvent(page: Page, type: string, opts: { filter?: string; timeoutMs?: number } = {}): Promise<void> {
  await waitFor(`the event log to list ${type}`, async () => (await listedEventTypes(page, opts.filter ?? type)).some((t) => t.includes(type)), { timeoutMs: opts.timeoutMs ?? 15_000 });
}

export async function alertTexts(page: Page): Promise<string[]> {
  return page.getByRole('alert').allTextContents();
}
