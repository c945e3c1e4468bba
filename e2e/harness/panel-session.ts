import { readFileSync } from 'node:fs';
import type { Locator, Page, Worker } from 'playwright-core';
import { SESSION_PORT_NAME, type PanelCommand } from '../../extension/shared/messages.ts';
import { applyFilter, button, exactly, listedEventTypes, selectView } from './panel-page.ts';
import { waitFor } from './wait-for.ts';

/**
 * Panel steps shared by the adapter and inspector end-to-end tests, all by ui-contract.md names:
 * choosing an adapter, typing a key and an endpoint, the event log's rows, export and import.
 */

export interface PanelConnectOptions {
  /** Text contained in the `Adapter` option (`Gemini Live`, `OpenAI Realtime`, `Loopback`). */
  adapter: string;
  apiKey?: string;
  /** `Endpoint URL` under `Advanced settings`. */
  endpoint?: string;
  model?: string;
}

/** Selects the `Adapter` option whose text contains `label` (the contract promises no more). */
export async function selectAdapter(page: Page, label: string): Promise<void> {
  await selectView(page, 'Settings');
  const picker = page.getByRole('combobox', { name: exactly('Adapter') });
  const options = await picker.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const match = options.find((o) => o.text.includes(label));
  if (!match) throw new Error(`No Adapter option contains "${label}" (options: ${options.map((o) => o.text).join(', ')})`);
  await picker.selectOption(match.value);
}

/** `Advanced settings` is a button or a <summary>; opens it unless `Endpoint URL` already shows. */
export async function openAdvancedSettings(page: Page): Promise<void> {
  await selectView(page, 'Settings');
  const endpoint = page.getByRole('textbox', { name: exactly('Endpoint URL') });
  if (await endpoint.isVisible()) return;
  const asButton = page.getByRole('button', { name: exactly('Advanced settings') });
  const toggle: Locator = (await asButton.count()) > 0 ? asButton.first() : page.locator('summary').filter({ hasText: exactly('Advanced settings') }).first();
  await toggle.click();
  await waitFor('Endpoint URL to show after opening Advanced settings', () => endpoint.isVisible(), { timeoutMs: 5_000 });
}

/** Fills the session form through the panel and presses `Connect`. */
export async function connectThroughPanel(page: Page, opts: PanelConnectOptions): Promise<void> {
  await fillSessionForm(page, opts);
  await button(page, 'Connect').click();
}

/** Fills the session form (adapter, key, endpoint, model) without connecting: a replay or voice-test target. */
export async function fillSessionForm(page: Page, opts: PanelConnectOptions): Promise<void> {
  await selectAdapter(page, opts.adapter);
  if (opts.apiKey !== undefined) {
    // A password input has no ARIA role: it is found by its label, as a screen reader user would.
    await selectView(page, 'Settings');
    const key = page.getByLabel(exactly('API key'));
    await key.fill(opts.apiKey);
  }
  if (opts.endpoint !== undefined || opts.model !== undefined) {
    await openAdvancedSettings(page);
    if (opts.endpoint !== undefined) await page.getByRole('textbox', { name: exactly('Endpoint URL') }).fill(opts.endpoint);
    if (opts.model !== undefined) {
      const asBox = page.getByRole('textbox', { name: exactly('Model') });
      await ((await asBox.count()) > 0 ? asBox : page.getByRole('combobox', { name: exactly('Model') })).fill(opts.model);
    }
  }
}

/** Waits for `Replay status` to read "Replay finished"; a failed or stopped replay is what the timeout then reports. */
export async function waitForReplayFinished(page: Page, timeoutMs = 90_000): Promise<string> {
  const status = page.getByRole('status', { name: exactly('Replay status') });
  return waitFor('the replay to finish', async () => {
    const t = (await status.textContent()) ?? '';
    if (/failed|stopped/i.test(t)) throw new Error(`replay ended badly: ${t}`);
    return /Replay finished/.test(t) ? t : null;
  }, { timeoutMs });
}

export { applyFilter };

/** The rows the log lists after typing `filter` into `Filter events` (the list is virtualised). */
export async function rowsMatching(page: Page, filter: string): Promise<string[]> {
  await applyFilter(page, filter);
  return listedEventTypes(page, filter);
}

/** The listed rows after `filter`, with the history seq of each (a group's first event). */
export async function listedRows(page: Page, filter: string): Promise<Array<{ seq: number; text: string }>> {
  await rowsMatching(page, filter);
  return page
    .getByRole('log', { name: exactly('Event log') })
    .getByRole('listitem')
    .evaluateAll((els) => els.filter((el) => el.hasAttribute('data-seq')).map((el) => ({ seq: Number(el.getAttribute('data-seq')), text: el.textContent ?? '' })));
}

/** Waits until a listed row (after `filter`) satisfies `test`; returns its text. */
export async function waitForRow(page: Page, filter: string, what: string, test: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  return waitFor(`the Event log (filtered by "${filter}") to list ${what}`, async () => (await rowsMatching(page, filter)).find(test), { timeoutMs });
}

/** `N events` of the `Event count` status (all held, before filtering). */
export async function heldEventCount(page: Page): Promise<number> {
  await selectView(page, 'Events');
  const text = (await page.getByRole('status', { name: exactly('Event count') }).textContent()) ?? '';
  const m = /(\d+)\s+events?/.exec(text);
  if (!m) throw new Error(`Event count reads "${text}"`);
  return Number(m[1]);
}

/** How many rows the current view and filters show (`Shown events` status). */
export async function shownEventCount(page: Page): Promise<number> {
  await selectView(page, 'Events');
  const text = (await page.getByRole('status', { name: exactly('Shown events') }).textContent()) ?? '';
  const m = /(\d+)/.exec(text);
  if (!m) throw new Error(`Shown events reads "${text}"`);
  return Number(m[1]);
}

export async function chooseView(page: Page, view: 'RTVI' | 'Raw' | 'Both'): Promise<void> {
  await selectView(page, 'Events');
  await page.getByRole('radiogroup', { name: exactly('View') }).getByRole('radio', { name: exactly(view) }).check();
}

export interface ExportedFile {
  name: string;
  text: string;
  path: string;
  /** The parsed lines: the session header first. */
  lines: Array<Record<string, unknown>>;
}

/** Presses `Export events` and returns the downloaded file (Playwright's download event). */
export async function exportEvents(page: Page): Promise<ExportedFile> {
  await selectView(page, 'Events');
  const download = page.waitForEvent('download', { timeout: 15_000 });
  await button(page, 'Export events').click();
  const d = await download;
  const path = await d.path();
  const text = readFileSync(path, 'utf8');
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { name: d.suggestedFilename(), text, path, lines };
}

/** Presses `Import events` and feeds `path` to the file chooser it opens. */
export async function importEvents(page: Page, path: string): Promise<void> {
  await selectView(page, 'Events');
  const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
  await button(page, 'Import events').click();
  await (await chooser).setFiles(path);
}

/**
 * Sends one command to the session host over a Port of its own, as the panel does. Used only for
 * host settings the panel has no contract name for (the Loopback's response delay).
 */
export async function sendHostCommand(context: Page | Worker, command: PanelCommand): Promise<void> {
  // Any extension context can open the Port: a panel page, or the service worker while no panel is open.
  await (context as Page).evaluate(
    ({ name, command }) =>
      new Promise<void>((resolve, reject) => {
        const port = chrome.runtime.connect({ name });
        // The host replays its snapshot first; a command sent at once is queued behind it.
        port.onMessage.addListener((m: { type?: string }) => {
          if (m?.type !== 'snapshot-end') return;
          port.postMessage(command);
          // Messages on a Port are delivered in order, before its disconnect.
          port.disconnect();
          resolve();
        });
        port.onDisconnect.addListener(() => reject(new Error('the session host closed the Port')));
      }),
    { name: SESSION_PORT_NAME, command },
  );
}

/** Median of a list of numbers (NaN when empty). */
export function medianOf(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
