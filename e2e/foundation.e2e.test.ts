import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_PAGE_PATH } from '../extension/shared/messages.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, eventCount, meterValue, selectView, waitForConnectionState, waitForEvent } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

type HostStats = { framesCaptured?: number };

describe('extension foundation (fake microphone granted)', () => {
  let h: ExtensionHarness;

  beforeAll(async () => {
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('loads: a service worker runs from the built extension', async () => {
    const sw = await h.serviceWorker();
    expect(sw.url()).toBe(`chrome-extension://${h.extensionId}/service-worker-loader.js`);
  });

  it('five concurrent ensure-offscreen requests create exactly one offscreen document', async () => {
    // The permission page does not touch the offscreen document, so none exists yet.
    const page = await h.context.newPage();
    await page.goto(h.url(PERMISSION_PAGE_PATH));
    expect(await h.offscreenDocumentCount()).toBe(0);
    const replies = await page.evaluate(() =>
      Promise.all(Array.from({ length: 5 }, () => chrome.runtime.sendMessage({ target: 'background', type: 'ensure-offscreen' }))),
    );
    expect(replies).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    await waitFor('the offscreen document target', async () => (await h.offscreenDocumentCount()) === 1);
    const contexts = await (await h.serviceWorker()).evaluate(() => chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT] }));
    expect(contexts).toHaveLength(1);
    expect(h.targets.find('Only a single offscreen document')).toEqual([]);
    await page.close();
  });

  it('the panel shows disconnected and passes the axe audit', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitForConnectionState(panel, 'disconnected');
    await selectView(panel, 'Settings');
    await expect(panel.getByRole('combobox', { name: /^adapter$/i }).inputValue()).resolves.toBe('loopback');
    expect(await h.offscreenDocumentCount()).toBe(1);
    const violations = await auditAccessibility(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await panel.setViewportSize({ width: 320, height: 800 });
    const overflow = await panel.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await panel.close();
  });

  it('Test microphone captures the fake microphone through the worklet and shows a non-zero level', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectView(panel, 'Settings');
    await button(panel, 'Test microphone').click();
    await waitFor('Stop microphone test to appear', () => button(panel, 'Stop microphone test').isVisible());
    await waitFor('a non-zero Microphone level', async () => (await meterValue(panel, 'Microphone level')) > 0.001);
    const stats = await h.evaluateInOffscreen<HostStats>('globalThis.__sessionHost.stats');
    expect(stats.framesCaptured).toBeGreaterThan(0);
    expect((await h.hostStatus())?.getUserMediaCalls).toBe(1);
    await panel.close();
  });

  it('closing and reopening the panel restores the state from the snapshot', async () => {
    const first = await h.openPanel({ adapter: 'loopback' });
    await waitForEvent(first, 'mic-test-started');
    const countBefore = await eventCount(first);
    expect(countBefore).toBeGreaterThan(0);
    await first.close();
    const again = await h.openPanel({ adapter: 'loopback' });
    await selectView(again, 'Settings');
    await waitFor('the restored mic test button', () => button(again, 'Stop microphone test').isVisible());
    await waitForEvent(again, 'mic-test-started');
    expect(await eventCount(again)).toBeGreaterThanOrEqual(countBefore);
    await again.close();
  });

  it('an API key typed into the panel stays out of logs, events, errors and storage.local', async () => {
    const key = 'sk-e2e-SECRET-7f3a9c1d2b';
    const panel = await h.openPanel();
    await selectView(panel, 'Settings');
    const adapter = panel.getByRole('combobox', { name: /^adapter$/i });
    const options = await adapter.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
    const keyed = options.find((o) => /Gemini Live|OpenAI Realtime/.test(o.text));
    if (!keyed) throw new Error(`no adapter that needs a key among ${JSON.stringify(options)}`);
    await adapter.selectOption(keyed.value);
    await panel.getByLabel(/^api key$/i).fill(key);
    await panel.getByText(/^advanced settings$/i).click();
    // Nothing listens on port 9: the connection fails fast, which is all this test needs.
    await panel.getByRole('textbox', { name: /^endpoint url$/i }).fill('ws://127.0.0.1:9/realtime');
    await button(panel, 'Connect').click();
    await waitFor('the failed connect to settle', async () => {
      const state = (await h.hostStatus())?.transportState;
      return (await panel.getByRole('alert').count()) > 0 && (state === 'error' || state === 'disconnected');
    }, { timeoutMs: 20_000 });
    const events = JSON.stringify(await h.evaluateInOffscreen('globalThis.__sessionHost.events()'));
    expect(events).toContain('connect-requested');
    expect(events).not.toContain(key);
    expect(h.targets.dump()).not.toContain(key);
    expect((await panel.getByRole('alert').allTextContents()).join(' ')).not.toContain(key);
    const sw = await h.serviceWorker();
    expect(JSON.stringify(await sw.evaluate(() => chrome.storage.local.get(null)))).not.toContain(key);
    expect(JSON.stringify(await sw.evaluate(() => chrome.storage.session.get(null)))).toContain(key);
    await panel.getByLabel(/^api key$/i).fill('');
    await adapter.selectOption('loopback');
    await panel.close();
  });

  it('stopping the service worker leaves the offscreen capture running', async () => {
    const starter = await h.openPanel({ adapter: 'loopback' });
    await selectView(starter, 'Settings');
    if (await button(starter, 'Test microphone').isVisible()) await button(starter, 'Test microphone').click();
    await waitFor('the mic test to run', async () => (await h.hostStatus())?.micTestActive);
    await starter.close();
    const framesBefore = (await h.evaluateInOffscreen<HostStats>('globalThis.__sessionHost.stats')).framesCaptured ?? 0;
    await h.stopServiceWorkers();
    expect(await h.offscreenDocumentCount()).toBe(1);
    await waitFor('captured frames to keep growing after the worker stopped', async () => ((await h.evaluateInOffscreen<HostStats>('globalThis.__sessionHost.stats')).framesCaptured ?? 0) > framesBefore + 4800);
    expect((await h.hostStatus())?.micTestActive).toBe(true);
    // A panel opened now wakes a fresh worker, which finds the existing document.
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitFor('a live Microphone level', async () => (await meterValue(panel, 'Microphone level')) > 0.001);
    expect(await h.offscreenDocumentCount()).toBe(1);
    await selectView(panel, 'Settings');
    await button(panel, 'Stop microphone test').click();
    await waitFor('Test microphone to return', () => button(panel, 'Test microphone').isVisible());
    await waitFor('the level to drop to zero', async () => (await meterValue(panel, 'Microphone level')) === 0);
    await panel.close();
  });
  it('an open panel reconnects by itself when the session host goes away', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    const sw = await h.serviceWorker();
    await sw.evaluate(() => chrome.offscreen.closeDocument());
    await waitFor('the offscreen document to close', async () => (await h.offscreenDocumentCount()) === 0);
    // The panel asks the worker for a new document and links to it without a reload.
    await waitFor('a new offscreen document', async () => (await h.offscreenDocumentCount()) === 1);
    await waitFor('the panel to relink', async () => !((await panel.getByRole('status', { name: /^connection status$/i }).textContent()) ?? '').includes('reaching'));
    await waitForConnectionState(panel, 'disconnected');
    expect((await h.hostStatus())?.getUserMediaCalls).toBe(0);
    await selectView(panel, 'Settings');
    await button(panel, 'Test microphone').click();
    await waitFor('a non-zero Microphone level from the new host', async () => (await meterValue(panel, 'Microphone level')) > 0.001);
    await button(panel, 'Stop microphone test').click();
    await panel.close();
  });
});

describe('extension foundation (microphone not yet granted)', () => {
  let h: ExtensionHarness;

  beforeAll(async () => {
    h = await launchExtension({ fakeMediaUi: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('offers Grant microphone access, never calls getUserMedia, and the button opens the permission page', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitFor('Grant microphone access', () => button(panel, 'Grant microphone access').isVisible());

    await button(panel, 'Connect').click();
    await waitFor('an alert about microphone access', async () => /Grant microphone access/.test((await panel.getByRole('alert').allTextContents()).join(' ')));
    await waitForConnectionState(panel, 'disconnected');

    await selectView(panel, 'Settings');
    await button(panel, 'Test microphone').click();
    await waitFor('the mic test to be refused', async () => (await panel.getByRole('alert').textContent())?.includes('not granted'));
    expect(await button(panel, 'Test microphone').isVisible()).toBe(true);

    const status = await h.hostStatus();
    expect(status?.getUserMediaCalls).toBe(0);
    expect(status?.transportState).toBe('disconnected');
    expect(h.targets.find(/getUserMedia call/)).toEqual([]);

    const opened = h.context.waitForEvent('page', { timeout: 10_000 });
    await button(panel, 'Grant microphone access').click();
    const tab = await opened;
    await tab.waitForLoadState();
    expect(tab.url()).toBe(h.url(PERMISSION_PAGE_PATH));
    await waitFor('the permission page heading', () => tab.getByRole('heading', { name: /^allow microphone access$/i }).isVisible());
    expect(await auditAccessibility(tab)).toEqual([]);
  });
});
