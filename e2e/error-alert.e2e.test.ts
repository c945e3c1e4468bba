import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, listedRows } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * Issue 13 item 5: errors that lead somewhere. A failed attempt makes one alert listing its errors
 * with the provider's message and close code, the status reads `error`, `Show in log` lands on
 * the error's row (the failure's rows folded into one), configuration errors link to their field,
 * and the client-secret request is in the log without secrets.
 */
const KEY = 'sk-e2e-alert-5b1c9e0d7a2f';

describe('error alert through the panel (fake OpenAI server)', () => {
  let h: ExtensionHarness;
  let panel: Page;
  let healthy: FakeOpenAIServer;
  let silent: FakeOpenAIServer;
  const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
  const alert = () => panel.getByRole('alert');

  beforeAll(async () => {
    healthy = await startFakeOpenAIServer({ apiKey: KEY, vadRmsThreshold: 2 });
    // Accepts the WebSocket and never answers: the test closes it with the code it wants.
    silent = await startFakeOpenAIServer({ apiKey: KEY, vadRmsThreshold: 2, ignoreSessionUpdate: true, sessionCreatedDelayMs: 3_600_000 });
    h = await launchExtension();
    panel = await h.openPanel();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([healthy?.close(), silent?.close()]);
  });

  it('a 1008 during setup: one alert with code and reason, status error, Show in log lands on the folded failure row, the secret request is logged', async () => {
    await button(panel, 'Mute microphone').click();
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: silent.url });
    await waitFor('the silent fake to accept the WebSocket', () => silent.openConnections() > 0, { timeoutMs: 15_000 });
    silent.closeConnections(1008, 'Quota exceeded for this project.');
    // The alert's title follows the session state as it settles (a moment after the close): wait
    // for the failed session's alert, bounded, rather than reading the first render.
    const text = await waitFor('an alert "Session N failed" with code 1008 and its reason', async () => (await alertTexts(panel)).find((t) => /\b1008\b/.test(t) && t.includes('Quota exceeded for this project.') && /Session \d+ failed/.test(t)), { timeoutMs: 15_000 });
    expect(text).toMatch(/Session \d+ failed/);
    expect(await alertTexts(panel)).toHaveLength(1);
    await waitForConnectionState(panel, 'error', 15_000);
    expect((await h.hostStatus())?.transportState).toBe('error');

    const events = await hostEvents();
    const session = Math.max(...events.map((e) => e.session));
    const hostError = events.find((e) => e.session === session && e.type === 'host-error')!;
    await alert().getByRole('button', { name: exactly('Show in log') }).click();
    const focused = await waitFor(`the host-error row (event ${hostError.seq}) to take focus`, () =>
      panel.evaluate((want) => {
        const li = document.activeElement?.closest('[data-seq]');
        return li && Number(li.getAttribute('data-seq')) === want ? li.textContent ?? '' : null;
      }, hostError.seq),
    );
    expect(focused).toContain('host-error');
    // The failure's rows are one row: a group holding the error state, the host error and the teardown.
    await listedRows(panel, 'type:transport-state,host-error dir:local');
    const topLevel = await panel
      .getByRole('log', { name: exactly('Event log') })
      .evaluate((log) => [...log.querySelectorAll(':scope > ul > li[data-index]')].map((li) => ({ seq: Number(li.getAttribute('data-seq')), text: li.querySelector('.insp-row-head')?.textContent ?? '' })));
    const ofSession = topLevel.filter((r) => r.seq >= events.find((e) => e.session === session)!.seq);
    const failureRows = ofSession.filter((r) => /host-error|"error"/.test(r.text));
    expect(failureRows, ofSession.map((r) => r.text).join('\n')).toHaveLength(1);
    expect(failureRows[0].text).toMatch(/host-error×4.*code 1008/);

    // The client-secret request: URL, status and time, no key and no secret.
    const secretRequests = events.filter((e) => e.session === session && e.type === 'token-request');
    expect(secretRequests).toHaveLength(1);
    expect(secretRequests[0].data).toMatchObject({ method: 'POST', status: 200, ok: true });
    expect((secretRequests[0].data as { url: string }).url).toMatch(/\/v1\/realtime\/client_secrets$/);
    const listed = await listedRows(panel, 'token-request');
    expect(listed).toHaveLength(1);
    expect(listed[0].text).toContain('client_secrets');
    const secret = silent.handshakes.at(-1)?.credential ?? '';
    expect(JSON.stringify(secretRequests)).not.toContain(KEY);
    if (secret) expect(JSON.stringify(secretRequests)).not.toContain(secret);
  });

  it('a wrong key: the alert links to API key, which takes focus', async () => {
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: 'sk-e2e-alert-WRONG-000', endpoint: healthy.url });
    const go = alert().getByRole('button', { name: exactly('Go to API key') });
    await waitFor('Go to API key in the alert', () => go.isVisible(), { timeoutMs: 15_000 });
    await go.click();
    await waitFor('the API key field to take focus', () => panel.getByLabel(exactly('API key')).evaluate((el) => el === document.activeElement));
    const rows = await listedRows(panel, 'token-request');
    expect(rows.at(-1)?.text).toMatch(/401/);
  });

  it('an endpoint nobody listens on: the alert links to Endpoint URL, which takes focus', async () => {
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: 'ws://127.0.0.1:9/v1/realtime' });
    const go = alert().getByRole('button', { name: exactly('Go to Endpoint URL') });
    await waitFor('Go to Endpoint URL in the alert', () => go.isVisible(), { timeoutMs: 15_000 });
    await go.click();
    await waitFor('the Endpoint URL field to take focus', async () => (await panel.getByRole('textbox', { name: exactly('Endpoint URL') }).evaluate((el) => el === document.activeElement)));
    await waitForConnectionState(panel, 'error', 15_000);
  });
});
