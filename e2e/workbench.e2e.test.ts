import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { auditAccessibility as auditPanel } from './harness/axe-audit.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * The side panel workbench (issue 6), driven only by ui-contract.md names against Loopback and
 * the fake OpenAI Realtime server.
 */

const combobox = (page: Page, name: string) => page.getByRole('combobox', { name: exactly(name) });
const textbox = (page: Page, name: string) => page.getByRole('textbox', { name: exactly(name) });
const conversationItems = (page: Page) => page.getByRole('region', { name: exactly('Conversation') }).getByRole('listitem');

async function selectAdapter(page: Page, label: RegExp): Promise<void> {
  await selectView(page, 'Settings');
  const adapter = combobox(page, 'Adapter');
  const options = await adapter.locator('option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const option = options.find((o) => label.test(o.text));
  if (!option) throw new Error(`no adapter option matching ${label} among ${JSON.stringify(options)}`);
  await adapter.selectOption(option.value);
}

async function openAdvanced(page: Page): Promise<void> {
  await selectView(page, 'Settings');
  if (await textbox(page, 'Endpoint URL').isVisible()) return;
  await page.getByText(exactly('Advanced settings')).click();
  await waitFor('Endpoint URL to show', () => textbox(page, 'Endpoint URL').isVisible());
}

/** OpenAI Realtime against the fake, push-to-talk (so the looping fake microphone triggers no server VAD turns). */
async function useOpenAI(page: Page, fake: FakeOpenAIServer): Promise<void> {
  await selectAdapter(page, /OpenAI Realtime/);
  await waitFor('the API key field', () => textbox(page, 'API key').isVisible());
  await textbox(page, 'API key').fill(fake.apiKey);
  await openAdvanced(page);
  await textbox(page, 'Endpoint URL').fill(fake.url);
  await combobox(page, 'Turn detection').selectOption({ label: 'Push to talk (manual turns)' });
}

async function storage(h: ExtensionHarness, area: 'local' | 'session'): Promise<Record<string, unknown>> {
  const sw = await h.serviceWorker();
  return sw.evaluate((a) => chrome.storage[a].get(null), area) as Promise<Record<string, unknown>>;
}

async function connectAndWaitReady(page: Page): Promise<void> {
  await button(page, 'Connect').click();
  await waitForConnectionState(page, 'ready', 20_000);
}

async function disconnect(page: Page): Promise<void> {
  if (await button(page, 'Disconnect').isVisible()) await button(page, 'Disconnect').click();
  await waitForConnectionState(page, 'disconnected');
}

describe('side panel workbench', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ replyText: 'Fine.' });
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('keeps a key in storage.session, in storage.local only when remembered, and forgets it everywhere', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectAdapter(panel, /OpenAI Realtime/);
    const secret = 'sk-workbench-key-0123456789';
    await textbox(panel, 'API key').fill(`  ${secret}\n`);
    await waitFor('the trimmed key in storage.session', async () => Object.values(await storage(h, 'session')).includes(secret));
    expect(JSON.stringify(await storage(h, 'local'))).not.toContain(secret);

    await panel.getByRole('checkbox', { name: exactly('Remember key on this device') }).check();
    await waitFor('the key in storage.local', async () => Object.values(await storage(h, 'local')).includes(secret));
    expect(JSON.stringify(await storage(h, 'session'))).not.toContain(secret);

    await panel.getByRole('checkbox', { name: exactly('Show key') }).check();
    await expect(textbox(panel, 'API key').getAttribute('type')).resolves.toBe('text');

    await button(panel, 'Forget key').click();
    await waitFor('the key gone from both storage areas', async () => !JSON.stringify(await storage(h, 'local')).includes(secret) && !JSON.stringify(await storage(h, 'session')).includes(secret));
    expect(await textbox(panel, 'API key').inputValue()).toBe('');

    // Connecting without a key says what is missing instead of trying.
    const handshakes = fake.handshakes.length;
    await button(panel, 'Connect').click();
    await waitFor('an alert naming the missing key', async () => /needs an API key/i.test((await alertTexts(panel)).join(' ')));
    expect((await h.hostStatus())?.transportState).toBe('disconnected');
    expect(fake.handshakes.length).toBe(handshakes);
    await panel.close();
  });

  it('switches adapters back and forth while connected', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await connectAndWaitReady(panel);
    expect((await h.hostStatus()) as { adapterId?: string }).toMatchObject({ adapterId: 'loopback' });

    await useOpenAI(panel, fake);
    await waitForConnectionState(panel, 'disconnected');
    const handshakes = fake.handshakes.length;
    await connectAndWaitReady(panel);
    expect(fake.handshakes.length).toBe(handshakes + 1);
    expect((await h.hostStatus()) as { adapterId?: string }).toMatchObject({ adapterId: 'openai-realtime' });

    const connection = fake.handshakes.length;
    await selectAdapter(panel, /Loopback/);
    await waitForConnectionState(panel, 'disconnected');
    await fake.waitFor(() => fake.closes.find((c) => c.connection === connection && c.by === 'client'), 'the client to close the OpenAI socket');
    expect(fake.closes.find((c) => c.connection === connection)?.code).toBe(1000);
    await connectAndWaitReady(panel);
    expect((await h.hostStatus()) as { adapterId?: string }).toMatchObject({ adapterId: 'loopback' });

    // Each adapter kept its own settings.
    await selectAdapter(panel, /OpenAI Realtime/);
    await waitForConnectionState(panel, 'disconnected');
    await openAdvanced(panel);
    await waitFor('the OpenAI endpoint to come back', async () => (await textbox(panel, 'Endpoint URL').inputValue()) === fake.url);
    await expect(combobox(panel, 'Turn detection').inputValue()).resolves.toBe('push_to_talk');
    await panel.close();
  });

  it('applies a live setting without reconnecting; malformed tools JSON shows its line and changes nothing', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await useOpenAI(panel, fake);
    await connectAndWaitReady(panel);
    const connections = fake.handshakes.length;
    await selectView(panel, 'Settings');
    const updates = fake.receivedOfType('session.update').length;
    // The form matches the session just started: nothing pending.
    const pending = panel.getByRole('status', { name: exactly('Pending changes') });
    expect(await pending.count()).toBe(0);

    await textbox(panel, 'System instructions').fill('Answer like a pirate.');
    await waitFor('the pending bar to name the unapplied live change', async () => /1 live change not applied yet \(System instructions\)/.test((await pending.textContent()) ?? ''));
    await button(panel, 'Apply').click();
    const update = await fake.waitForReceived('session.update', updates + 1);
    expect(JSON.stringify(update.event)).toContain('Answer like a pirate.');
    await waitFor('the Apply result to name the applied field', async () => /applied live: .*instructions/i.test((await panel.getByRole('status', { name: exactly('Apply result') }).textContent()) ?? ''));
    expect(fake.handshakes.length).toBe(connections);
    await waitForConnectionState(panel, 'ready');
    await waitFor('nothing pending once applied', async () => (await pending.count()) === 0);

    const tools = textbox(panel, 'Tools (JSON)');
    await tools.fill('[\n  {"name": "get_weather"},\n  {"name": "lookup" "parameters": {}}\n]');
    await waitFor('an error pointing at line 3', async () => (await tools.getAttribute('aria-invalid')) === 'true' && /Line 3/.test((await panel.getByText(/^Line 3/).textContent()) ?? ''));
    const before = fake.receivedOfType('session.update').length;
    await button(panel, 'Apply').click();
    await waitFor('an alert about Tools (JSON)', async () => /Tools \(JSON\) is not valid/.test((await alertTexts(panel)).join(' ')));
    expect(fake.receivedOfType('session.update').length).toBe(before);

    await disconnect(panel);
    const handshakes = fake.handshakes.length;
    await button(panel, 'Connect').click();
    await waitFor('an alert blocking Connect', async () => /Tools \(JSON\) is not valid.*Line 3/.test((await alertTexts(panel)).join(' ')));
    expect(fake.handshakes.length).toBe(handshakes);
    expect((await h.hostStatus())?.transportState).toBe('disconnected');
    await tools.fill('[]');
    await panel.close();
  });

  it('answers a tool call with a fixed mock and two concurrent "ask me" calls separately', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await useOpenAI(panel, fake);
    await textbox(panel, 'Tools (JSON)').fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'lookup' }], null, 2));
    await combobox(panel, 'Mock reply for get_weather').selectOption({ label: 'Fixed result' });
    await textbox(panel, 'Fixed result for get_weather').fill('{"temperature": 21}');
    await combobox(panel, 'Mock reply for lookup').selectOption({ label: 'Ask me' });
    await connectAndWaitReady(panel);
    await selectView(panel, 'Conversation');

    fake.queueResponse({ functionCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}', callId: 'call_fixed' }] });
    await textbox(panel, 'Message').fill('Weather in Paris?');
    await button(panel, 'Send message').click();
    const fixed = await fake.waitFor(() => fake.receivedOfType('conversation.item.create').find((f) => (f.event.item as { call_id?: string }).call_id === 'call_fixed'), 'the fixed mock result');
    expect(JSON.parse((fixed.event.item as { output: string }).output)).toEqual({ temperature: 21 });
    await waitFor('the fixed call card to show its result', async () => (await conversationItems(panel).allTextContents()).some((t) => t.startsWith('Tool:') && t.includes('call_fixed') && t.includes('temperature')));

    fake.queueResponse({
      functionCalls: [
        { name: 'lookup', arguments: '{"q":"first"}', callId: 'call_a' },
        { name: 'lookup', arguments: '{"q":"second"}', callId: 'call_b' },
      ],
    });
    await textbox(panel, 'Message').fill('Look up two things.');
    await button(panel, 'Send message').click();
    const card = (id: string) => conversationItems(panel).filter({ hasText: `call id ${id}` });
    await waitFor('two ask-me cards', async () => (await card('call_a').getByRole('textbox', { name: exactly('Tool result') }).count()) === 1 && (await card('call_b').getByRole('textbox', { name: exactly('Tool result') }).count()) === 1);
    expect(await card('call_a').textContent()).toMatch(/^Tool: lookup\(\{"q":"first"\}\)/);

    await card('call_b').getByRole('textbox', { name: exactly('Tool result') }).fill('{"answer": "B"}');
    await card('call_b').getByRole('button', { name: exactly('Send result') }).click();
    const outputOf = (id: string) => fake.receivedOfType('conversation.item.create').find((f) => (f.event.item as { call_id?: string }).call_id === id);
    const b = await fake.waitFor(() => outputOf('call_b'), 'the result of call_b');
    expect(JSON.parse((b.event.item as { output: string }).output)).toEqual({ answer: 'B' });
    expect(outputOf('call_a')).toBeUndefined();
    await waitFor('call_b card to close', async () => (await card('call_b').getByRole('textbox', { name: exactly('Tool result') }).count()) === 0);
    expect(await card('call_a').getByRole('textbox', { name: exactly('Tool result') }).count()).toBe(1);

    await card('call_a').getByRole('textbox', { name: exactly('Tool result') }).fill('{"answer": "A"}');
    await card('call_a').getByRole('button', { name: exactly('Send result') }).click();
    const a = await fake.waitFor(() => outputOf('call_a'), 'the result of call_a');
    expect(JSON.parse((a.event.item as { output: string }).output)).toEqual({ answer: 'A' });
    await disconnect(panel);
    await selectView(panel, 'Settings');
    await textbox(panel, 'Tools (JSON)').fill('[]');
    await panel.close();
  });

  it('streams a partial bot transcript, then the final; Hold to talk sends a manual turn; a reopened panel shows the same conversation', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await useOpenAI(panel, fake);
    await connectAndWaitReady(panel);
    await selectView(panel, 'Conversation');
    await button(panel, 'Clear conversation').click();
    await waitFor('an empty conversation', async () => (await conversationItems(panel).count()) === 0);

    const sentence = 'One two three four five six seven eight nine ten.';
    fake.queueResponse({ text: sentence, audioMs: 2000, deltaMs: 100, intervalMs: 90 });
    await textbox(panel, 'Message').fill('Count to ten.');
    await button(panel, 'Send message').click();
    const seen: string[] = [];
    await waitFor('the final bot transcript', async () => {
      const bot = (await conversationItems(panel).allTextContents()).filter((t) => t.startsWith('Bot:')).at(-1);
      if (bot && seen.at(-1) !== bot) seen.push(bot);
      return bot !== undefined && bot.startsWith(`Bot: ${sentence}`) && !bot.includes('still speaking');
    }, { intervalMs: 15, timeoutMs: 20_000 });
    const partials = seen.filter((t) => t.includes('still speaking'));
    expect(partials.length, seen.join('\n')).toBeGreaterThan(0);
    expect(partials.some((t) => t.replace(' (still speaking)', '').length < `Bot: ${sentence}`.length), seen.join('\n')).toBe(true);

    // Push to talk: press, hold while audio flows, release.
    const hold = button(panel, 'Hold to talk');
    await waitFor('Hold to talk enabled', () => hold.isEnabled());
    const clears = fake.receivedOfType('input_audio_buffer.clear').length;
    const commits = fake.receivedOfType('input_audio_buffer.commit').length;
    const creates = fake.receivedOfType('response.create').length;
    await hold.hover();
    await panel.mouse.down();
    const clear = await fake.waitForReceived('input_audio_buffer.clear', clears + 1);
    await fake.waitFor(() => fake.receivedOfType('input_audio_buffer.append').filter((f) => f.seq > clear.seq).length >= 15, '300 ms of audio while held');
    await panel.mouse.up();
    const commit = await fake.waitForReceived('input_audio_buffer.commit', commits + 1);
    const create = await fake.waitForReceived('response.create', creates + 1);
    expect(clear.seq).toBeLessThan(commit.seq);
    expect(commit.seq).toBeLessThan(create.seq);
    await waitFor('a You: turn from the manual turn', async () => (await conversationItems(panel).allTextContents()).some((t) => t.startsWith('You:')), { timeoutMs: 10_000 });

    // Space talks too while the panel (not a text field) has focus.
    await hold.focus();
    await panel.locator('body').click({ position: { x: 2, y: 2 } });
    const clears2 = fake.receivedOfType('input_audio_buffer.clear').length;
    await panel.keyboard.down('Space');
    const clear2 = await fake.waitForReceived('input_audio_buffer.clear', clears2 + 1);
    await fake.waitFor(() => fake.receivedOfType('input_audio_buffer.append').filter((f) => f.seq > clear2.seq).length >= 15, '300 ms of audio while Space is held');
    await panel.keyboard.up('Space');
    await fake.waitForReceived('input_audio_buffer.commit', commits + 2);

    const before = await conversationItems(panel).allTextContents();
    expect(before.length).toBeGreaterThan(1);
    await selectView(panel, 'Settings');
    const instructions = await textbox(panel, 'System instructions').inputValue();
    await panel.close();
    const again = await h.openPanel();
    await waitForConnectionState(again, 'ready');
    await selectView(again, 'Conversation');
    await waitFor('the same conversation in the reopened panel', async () => {
      const now = await conversationItems(again).allTextContents();
      return before.every((t, i) => now[i] === t);
    });
    await selectView(again, 'Settings');
    await expect(combobox(again, 'Adapter').inputValue()).resolves.toBe('openai-realtime');
    await waitFor('the same settings', async () => (await textbox(again, 'System instructions').inputValue()) === instructions);
    // A second window at the same time shows the same session.
    const second = await h.openPanel();
    await waitForConnectionState(second, 'ready');
    await selectView(second, 'Conversation');
    await waitFor('the same conversation in a second panel', async () => (await conversationItems(second).allTextContents()).length >= before.length);
    await second.close();
    await disconnect(again);
    await again.close();
  });

  it('exports, deletes and imports back a preset identically; a malformed preset file changes nothing', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await useOpenAI(panel, fake);
    await textbox(panel, 'System instructions').fill('Preset instructions.');
    await textbox(panel, 'Preset name').fill('Pirate');
    await button(panel, 'Save preset').click();
    const preset = combobox(panel, 'Preset');
    await waitFor('the saved preset listed', async () => (await preset.locator('option').allTextContents()).some((t) => t.startsWith('Pirate')));
    expect(JSON.stringify(await storage(h, 'local'))).toContain('Preset instructions.');

    const download = panel.waitForEvent('download');
    await button(panel, 'Export presets').click();
    const exportedPath = await (await download).path();
    const exported = readFileSync(exportedPath, 'utf8');
    expect(exported).toContain('Preset instructions.');
    expect(exported).not.toContain(fake.apiKey);

    await preset.selectOption({ label: 'Pirate (OpenAI Realtime)' });
    await button(panel, 'Delete preset').click();
    await waitFor('the preset gone', async () => !(await preset.locator('option').allTextContents()).some((t) => t.startsWith('Pirate')));

    // A malformed file: a clear error, nothing changed.
    const presetsBefore = JSON.stringify((await storage(h, 'local')).presets);
    let chooser = panel.waitForEvent('filechooser');
    await button(panel, 'Import presets').click();
    await (await chooser).setFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "voice-workbench-presets", "version": 1, "presets": [{"name": 1}]}') });
    await waitFor('an alert about the bad preset file', async () => /Could not import presets from broken\.json.*Nothing was changed/.test((await alertTexts(panel)).join(' ')));
    expect(JSON.stringify((await storage(h, 'local')).presets)).toBe(presetsBefore);

    chooser = panel.waitForEvent('filechooser');
    await button(panel, 'Import presets').click();
    await (await chooser).setFiles(exportedPath);
    await waitFor('the preset back', async () => (await preset.locator('option').allTextContents()).some((t) => t.startsWith('Pirate')));
    await textbox(panel, 'System instructions').fill('Something else.');
    await preset.selectOption({ label: 'Pirate (OpenAI Realtime)' });
    await button(panel, 'Load preset').click();
    await waitFor('the preset loaded', async () => (await textbox(panel, 'System instructions').inputValue()) === 'Preset instructions.');
    // The loaded preset is marked, and marked changed once the form differs from it.
    const loaded = panel.getByRole('status', { name: exactly('Loaded preset') });
    await waitFor('the loaded preset marked', async () => /^Loaded: Pirate$/.test((await loaded.textContent()) ?? ''));
    await textbox(panel, 'System instructions').fill('Changed after loading.');
    await waitFor('the loaded preset marked changed', async () => /Pirate · changed since loading/.test((await loaded.textContent()) ?? ''));
    await textbox(panel, 'System instructions').fill('Preset instructions.');
    await waitFor('the mark back to unchanged', async () => /^Loaded: Pirate$/.test((await loaded.textContent()) ?? ''));
    const again = panel.waitForEvent('download');
    await button(panel, 'Export presets').click();
    expect(readFileSync(await (await again).path(), 'utf8')).toBe(exported);
    await panel.close();
  });

  it('passes the axe audit at 320 px, disconnected and connected', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await panel.setViewportSize({ width: 320, height: 900 });
    await selectAdapter(panel, /Loopback/);
    await disconnect(panel);
    let violations = await auditPanel(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    // Everything fits 320 px: no page-level horizontal scroll, and nothing sticks out except inside
    // a container that scrolls on its own (the event log, the metrics table).
    const overflow = () =>
      panel.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const scrollsItself = (e: Element) => {
          for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            // A view scrolls down, not sideways: what sticks out of it counts.
            if (p.matches('.view')) continue;
            const o = getComputedStyle(p).overflowX;
            if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
          }
          return false;
        };
        const outside = [...document.querySelectorAll('body *')].filter((e) => !e.closest('.sr-only, .insp-sr') && !scrollsItself(e) && e.getClientRects().length > 0);
        const pagePx = document.documentElement.scrollWidth - width;
        const worst = { px: pagePx, what: pagePx > 0 ? 'the page itself scrolls sideways' : '' };
        for (const e of outside) {
          const px = Math.ceil(e.getBoundingClientRect().right - width);
          if (px > 0 && px >= worst.px) (worst.px = px), (worst.what = `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${(e.textContent ?? '').slice(0, 40)}" sticks out`);
        }
        return worst;
      });
    {
      const o = await overflow();
      expect(o.px, `wider than 320 px: ${o.what}`).toBeLessThanOrEqual(0);
    }

    await useOpenAI(panel, fake);
    violations = await auditPanel(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await connectAndWaitReady(panel);
    violations = await auditPanel(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    {
      const o = await overflow();
      expect(o.px, `wider than 320 px: ${o.what}`).toBeLessThanOrEqual(0);
    }
    await disconnect(panel);

    await selectAdapter(panel, /Loopback/);
    await connectAndWaitReady(panel);
    violations = await auditPanel(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await disconnect(panel);
    await panel.close();
  });
});
