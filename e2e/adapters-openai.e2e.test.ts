import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import type { Page } from 'playwright-core';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, medianOf, openAdvancedSettings, selectAdapter, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const KEY = 'sk-e2e-openai-LONGLIVED-5c1e0f9a7b3d';
const SPOKEN = 'What is the weather in Paris?';
const REPLY = 'It is sunny in Paris today.';
/** Fields of the beta interface that a GA session must not carry (provider-protocols.md A.5). */
const BETA_FIELDS = ['modalities', 'temperature', 'voice', 'input_audio_format', 'output_audio_format', 'input_audio_transcription', 'turn_detection'];

describe('OpenAI Realtime end to end through the panel, against the fake server', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    // The fake does no speech recognition: its server VAD commits the fake microphone's phrase
    // and "hears" the scripted transcript.
    fake = await startFakeOpenAIServer({ apiKey: KEY, userTranscripts: [SPOKEN], replyText: REPLY });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('a spoken turn shows user-transcription and bot-output rows; 24 kHz audio in 20 ms chunks, a valid GA session, only an ek_ secret in the handshake', async () => {
    const panel = await h.openPanel();
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);

    const userRow = await waitForRow(panel, 'user-transcription', `a user-transcription row with "${SPOKEN}"`, (t) => t.includes('user-transcription') && t.includes(SPOKEN), 30_000);
    expect(userRow).toContain(SPOKEN);
    const botRow = await waitForRow(panel, 'bot-output', `a bot-output row with "${REPLY}"`, (t) => t.includes('bot-output') && t.includes(REPLY), 30_000);
    expect(botRow).toContain(REPLY);

    // 24 kHz PCM in 20 ms (960-byte) appends.
    const appends = fake.receivedOfType('input_audio_buffer.append');
    expect(appends.length).toBeGreaterThan(25);
    const sizes = appends.map((f) => f.audioBytes ?? 0);
    expect(medianOf(sizes)).toBe(960);
    const offSize = sizes.filter((b) => Math.abs(b - 960) > 2);
    expect(offSize.length, `append sizes off 960 bytes: ${offSize.join(', ')}`).toBeLessThanOrEqual(1);

    // A valid GA session: the fake accepted our session.update (session.updated, no error for it).
    const update = fake.receivedOfType('session.update')[0];
    expect(update, 'a session.update').toBeDefined();
    const session = update.event.session as Record<string, unknown>;
    expect(session.type).toBe('realtime');
    const input = (session.audio as { input?: { format?: { type?: string; rate?: number } } } | undefined)?.input;
    expect(input?.format).toMatchObject({ type: 'audio/pcm', rate: 24000 });
    for (const beta of BETA_FIELDS) expect(session, `beta field ${beta}`).not.toHaveProperty(beta);
    await fake.waitForSent('session.updated', 1, 5_000);
    const updateErrors = fake.sentOfType('error').filter((e) => (e.event.error as { event_id?: string } | undefined)?.event_id === update.event.event_id);
    expect(updateErrors).toEqual([]);

    // The long-lived key only minted a client secret (Authorization header); the handshake carried the ek_ secret.
    expect(fake.secretRequests.some((r) => r.authorized && r.status === 200)).toBe(true);
    expect(fake.handshakes.length).toBeGreaterThanOrEqual(1);
    for (const hs of fake.handshakes) {
      expect(hs.protocols).toContain('realtime');
      const secrets = hs.protocols.filter((p) => p !== 'realtime');
      expect(secrets).toHaveLength(1);
      expect(secrets[0]).toMatch(/^openai-insecure-api-key\.ek_/);
      expect(hs.credential).toMatch(/^ek_/);
      expect(hs.protocols.join(',')).not.toContain(KEY);
      expect(hs.url).not.toContain(KEY);
    }

    const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect(h.targets.dump()).not.toContain(KEY);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await waitFor('the fake to see the client close', () => fake.openConnections() === 0, { timeoutMs: 10_000 });
    await panel.close();
  });

  /**
   * Turn orchestration against the fake's asynchronous cancel and tool_choice rules (issue 12,
   * items 1-3). Push to talk keeps the looping fake microphone from starting server-VAD turns.
   */
  describe('against the service rules that hid the turn bugs', () => {
    let rules: FakeOpenAIServer;
    const textbox = (page: Page, name: string) => page.getByRole('textbox', { name: exactly(name) });
    const conversationItems = (page: Page) => page.getByRole('region', { name: exactly('Conversation') }).getByRole('listitem');
    const botTurns = async (page: Page) => (await conversationItems(page).allTextContents()).filter((t) => t.startsWith('Bot:'));
    const errorCodes = () => rules.sentOfType('error').map((e) => (e.event.error as { code?: string }).code);

    beforeAll(async () => {
      // The live service keeps a cancelled response active for a while (provider-protocols.md §E).
      rules = await startFakeOpenAIServer({ apiKey: KEY, cancelLagMs: 250 });
    });
    afterAll(async () => {
      await rules?.close();
    });

    async function connectPushToTalk(page: Page, setup: (page: Page) => Promise<void> = async () => undefined): Promise<void> {
      await selectAdapter(page, 'OpenAI Realtime');
      await page.getByLabel(exactly('API key')).fill(KEY);
      await openAdvancedSettings(page);
      await textbox(page, 'Endpoint URL').fill(rules.url);
      await page.getByRole('combobox', { name: exactly('Turn detection') }).selectOption({ label: 'Push to talk (manual turns)' });
      await setup(page);
      await button(page, 'Connect').click();
      await waitForConnectionState(page, 'ready', 20_000);
      await selectView(page, 'Conversation');
    }

    it('a message typed while the bot is replying gets its answer (cancel, cancelled response.done, truncate, then the new turn)', async () => {
      const panel = await h.openPanel();
      await connectPushToTalk(panel);
      const before = rules.received.length;
      rules.queueResponse({ text: 'Here is a long story about a lighthouse keeper and the sea.', audioMs: 6000, deltaMs: 100, intervalMs: 60 });
      await textbox(panel, 'Message').fill('Tell me a story.');
      await button(panel, 'Send message').click();
      const deltas = rules.sentOfType('response.output_audio.delta').length;
      await rules.waitForSent('response.output_audio.delta', deltas + 5, 15_000);
      await textbox(panel, 'Message').fill('Actually, what time is it');
      await button(panel, 'Send message').click();
      await waitFor('a Bot turn answering the typed message', async () => (await botTurns(panel)).some((t) => t.includes('You said: Actually, what time is it.')), { timeoutMs: 20_000 });

      expect(errorCodes()).not.toContain('conversation_already_has_active_response');
      const turn = rules.received.slice(before).filter((f) => f.type !== 'input_audio_buffer.append' && f.type !== 'session.update');
      const types = turn.map((f) => f.type);
      expect(types).toEqual(['conversation.item.create', 'response.create', 'response.cancel', 'conversation.item.truncate', 'conversation.item.create', 'response.create']);
      const cancelledDone = rules.sentOfType('response.done').find((d) => (d.event.response as { status: string }).status === 'cancelled');
      expect(cancelledDone, 'a cancelled response.done').toBeDefined();
      expect(turn[5].seq).toBeGreaterThan(cancelledDone!.seq);
      expect(await alertTexts(panel)).toEqual([]);
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
      await panel.close();
    });

    it('tool choice "required" with a fixed mock ends after one follow-up (no endless tool loop)', async () => {
      const panel = await h.openPanel();
      await connectPushToTalk(panel, async (page) => {
        await textbox(page, 'Tools (JSON)').fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]));
        await page.getByRole('combobox', { name: exactly('Mock reply for get_weather') }).selectOption({ label: 'Fixed result' });
        await textbox(page, 'Fixed result for get_weather').fill('{"temperature": 21}');
        await page.getByLabel(exactly('Tool choice')).fill('required');
      });
      expect((rules.sessions.at(-1) as { tool_choice: unknown }).tool_choice).toBe('required');
      const creates = rules.receivedOfType('response.create').length;
      const calls = rules.sentOfType('response.function_call_arguments.done').length;
      await textbox(panel, 'Message').fill('How warm is it in Paris?');
      await button(panel, 'Send message').click();
      // The fake forces a call on every response the session's "required" governs: the answer comes
      // only if the follow-up after the tool result says tool_choice "auto".
      await waitFor('a Bot turn quoting the fixed result', async () => (await botTurns(panel)).some((t) => t.includes('The tool said') && t.includes('21')), { timeoutMs: 20_000 });
      expect(rules.sentOfType('response.function_call_arguments.done').length - calls).toBe(1);
      const newCreates = rules.receivedOfType('response.create').slice(creates);
      expect(newCreates).toHaveLength(2);
      expect(newCreates[1].event).toMatchObject({ response: { tool_choice: 'auto' } });
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
      // Leave the form as the other tests expect it.
      await resetForm(panel);
      await panel.close();
    });

    it('Speech speed applied during a reply is reported as waiting for the reply, and reaches the server after its response.done', async () => {
      const panel = await h.openPanel();
      await connectPushToTalk(panel);
      const updates = rules.receivedOfType('session.update').length;
      const dones = rules.sentOfType('response.done').length;
      rules.queueResponse({ text: 'A slow and steady answer that takes its time.', audioMs: 6000, deltaMs: 100, intervalMs: 60 });
      await textbox(panel, 'Message').fill('Take your time.');
      await button(panel, 'Send message').click();
      await rules.waitForSent('response.output_audio.delta', rules.sentOfType('response.output_audio.delta').length + 3, 15_000);
      await selectView(panel, 'Settings');
      const speed = panel.getByRole('spinbutton', { name: exactly('Speech speed') });
      await speed.fill('1.25');
      await button(panel, 'Apply').click();
      const result = panel.getByRole('status', { name: exactly('Apply result') });
      await waitFor('the Apply result to say speed waits for the reply', async () => /applies when the current reply ends: speed/i.test((await result.textContent()) ?? ''), { timeoutMs: 10_000 });
      expect(rules.receivedOfType('session.update').length).toBe(updates);
      const update = await rules.waitForReceived('session.update', updates + 1, 20_000);
      expect(update.seq).toBeGreaterThan(rules.sentOfType('response.done')[dones].seq);
      await rules.waitFor(() => (rules.sessions.at(-1) as { audio: { output: { speed: number } } }).audio.output.speed === 1.25 || null, 'speed 1.25 in the session', 10_000);
      expect(rules.sentOfType('error').filter((e) => (e.event.error as { event_id?: string }).event_id === update.event.event_id)).toEqual([]);
      expect(await alertTexts(panel)).toEqual([]);
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
      await speed.fill('1');
      await panel.close();
    });

    it('a reply that ends incomplete or failed puts its reason in the alert (response.done status, issue 12 item 5)', async () => {
      const panel = await h.openPanel();
      const maxTokens = textbox(panel, 'Max output tokens');
      try {
        await connectPushToTalk(panel, async () => {
          await maxTokens.fill('4');
        });
        expect((rules.sessions.at(-1) as { max_output_tokens: unknown }).max_output_tokens).toBe(4);
        const dones = rules.sentOfType('response.done').length;
        rules.queueResponse({ text: 'This answer has many more words than four tokens allow.' });
        await textbox(panel, 'Message').fill('Say something long.');
        await button(panel, 'Send message').click();
        const alert = panel.getByRole('alert');
        const cut = await waitFor('an alert naming the incomplete reply and its reason', async () => {
          const t = (await alertTexts(panel)).join(' ');
          return /incomplete: max_output_tokens/.test(t) ? t : null;
        }, { timeoutMs: 20_000 });
        expect(cut).toMatch(/cut short/);
        expect(cut).toContain('Max output tokens');
        const done = rules.sentOfType('response.done')[dones];
        expect(done.event.response).toMatchObject({ status: 'incomplete', status_details: { type: 'incomplete', reason: 'max_output_tokens' } });
        await button(panel, 'Dismiss error').click();
        await waitFor('the alert to be dismissed', async () => (await alert.count()) === 0, { timeoutMs: 5_000 });

        // A failed reply: the provider's code and message reach the alert.
        rules.queueResponse({ text: 'Hi', endStatus: { status: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request.' } } });
        await textbox(panel, 'Message').fill('Hello?');
        await button(panel, 'Send message').click();
        const failed = await waitFor('an alert naming the failed reply and its reason', async () => {
          const t = (await alertTexts(panel)).join(' ');
          return /reply failed/.test(t) ? t : null;
        }, { timeoutMs: 20_000 });
        expect(failed).toContain('(server_error)');
        expect(failed).toContain('The server had an error while processing your request.');
        expect(failed).not.toContain('incomplete');
        await button(panel, 'Disconnect').click();
        await waitForConnectionState(panel, 'disconnected');
      } finally {
        await selectView(panel, 'Settings');
        await maxTokens.fill('inf');
        await panel.close();
      }
    });

    async function resetForm(page: Page): Promise<void> {
      await selectView(page, 'Settings');
      await page.getByLabel(exactly('Tool choice')).fill('auto');
      await textbox(page, 'Tools (JSON)').fill('[]');
      await page.getByRole('combobox', { name: exactly('Turn detection') }).selectOption({ label: 'Server VAD (silence based)' });
    }
  });
});
