import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { startFakePipecatBot, type FakePipecatBot } from '../test/fakes/fake-pipecat-ws-bot.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, connectionStatus, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { openAdvancedSettings, selectAdapter, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';
import { auditAccessibility } from './harness/axe-audit.ts';

/**
 * The user's own Pipecat bot through the panel, against the fake bot speaking Pipecat's protobuf
 * WebSocket protocol (test/fakes/fake-pipecat-ws-bot.ts): the fake microphone's speech makes a turn,
 * the bot's RTVI rows appear in its order, each linked to the protobuf frame that carried it, the
 * bot's call to a client function is answered by the panel's mock, and a refusing start endpoint
 * is reported with its status and body.
 */
const textbox = (page: Page, name: string) => page.getByRole('textbox', { name: exactly(name) });

describe('Pipecat bot (WebSocket) end to end through the panel', () => {
  let h: ExtensionHarness;
  let panel: Page;
  let bot: FakePipecatBot;
  let refusing: FakePipecatBot;

  beforeAll(async () => {
    bot = await startFakePipecatBot({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', audioPaceMs: 20 });
    refusing = await startFakePipecatBot({ startRefusal: { status: 500, body: '{"detail": "Bot process failed to start"}' } });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
    panel = await h.openPanel();
  });
  afterAll(async () => {
    await h?.close();
    await bot?.close();
    await refusing?.close();
  });

  it('connects, hears the fake microphone, lists the bot\'s RTVI in order with their frames linked, answers the function call with the mock, shows metrics', async () => {
    await selectAdapter(panel, 'Pipecat bot');
    await textbox(panel, 'Tools (JSON)').fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]));
    await panel.getByRole('combobox', { name: exactly('Mock reply for get_weather') }).selectOption({ label: 'Fixed result' });
    await textbox(panel, 'Fixed result for get_weather').fill('{"temperature": 21}');
    await openAdvancedSettings(panel);
    await textbox(panel, 'Endpoint URL').fill(bot.url);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);

    await waitForRow(panel, 'bot-stopped-speaking', 'the bot\'s bot-stopped-speaking', (t) => t.includes('bot-stopped-speaking'), 45_000);
    const result = await waitFor('the bot to receive llm-function-call-result', () => bot.received.find((m) => m.type === 'llm-function-call-result'), { timeoutMs: 5_000 });
    expect(result.data).toMatchObject({ function_name: 'get_weather', tool_call_id: expect.stringMatching(/^call_/), result: { temperature: 21 } });
    expect(bot.audioIn.length, 'microphone audio frames reached the bot').toBeGreaterThan(10);
    expect(bot.audioIn[0]).toMatchObject({ name: 'audio', sampleRate: 16_000, numChannels: 1 });

    const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    const session = events.filter((e) => e.source === 'rtvi' && e.type === 'bot-ready').at(-1)!.session;
    const rtvi = events.filter((e) => e.session === session && e.source === 'rtvi');
    const raw = events.filter((e) => e.session === session && e.source === 'raw');
    const types = rtvi.map((e) => e.type).filter((t) => t !== 'metrics' && t !== 'error');
    const order = ['bot-ready', 'user-started-speaking', 'bot-interrupted', 'user-transcription', 'user-llm-text', 'user-stopped-speaking', 'bot-llm-started', 'llm-function-call-started', 'llm-function-call-in-progress', 'llm-function-call-stopped', 'bot-llm-text', 'bot-llm-stopped', 'bot-tts-started', 'bot-started-speaking', 'bot-tts-text', 'bot-tts-stopped', 'bot-stopped-speaking'];
    let at = -1;
    for (const t of order) {
      const i = types.indexOf(t, at + 1);
      expect(i, `${t} after position ${at} in ${types.join(', ')}`).toBeGreaterThan(at);
      at = i;
    }
    // One stopped row per call: the bot's (the workbench's answer is not a second row).
    expect(rtvi.filter((e) => e.type === 'llm-function-call-stopped')).toHaveLength(rtvi.filter((e) => e.type === 'llm-function-call-in-progress').length);
    // Every row the bot sent links to the protobuf MessageFrame that carried it, decoded in the raw view.
    const fromBot = rtvi.filter((e) => ['bot-ready', 'user-transcription', 'bot-llm-text', 'bot-tts-text', 'metrics', 'bot-started-speaking', 'bot-stopped-speaking'].includes(e.type));
    expect(fromBot.length).toBeGreaterThan(10);
    for (const ev of fromBot) {
      const src = raw.find((r) => r.frameId === ev.sourceFrameIds?.[0]);
      expect(src?.type, `source of ${ev.type} #${ev.seq}`).toBe('message');
      expect((src!.data as { message: { data: { type: string } } }).message.data.type).toBe(ev.type);
    }
    // Bot audio appears summarised, never as bytes.
    const audio = raw.find((r) => r.direction === 'in' && r.type === 'audio')!;
    expect(audio.audio).toMatchObject({ sampleRate: 24_000, durationMs: 40 });
    expect(JSON.stringify(audio.data)).toMatch(/\[1920 bytes PCM16\]/);
    // Metrics per service as the bot sent them (STT, LLM, TTS processors).
    const processors = new Set(rtvi.filter((e) => e.type === 'metrics').flatMap((e) => Object.values(e.data as Record<string, Array<{ processor?: string }>>).flat().map((m) => m.processor)));
    expect([...processors]).toEqual(expect.arrayContaining(['DeepgramSTTService#0', 'OpenAILLMService#0', 'CartesiaTTSService#0']));

    // The reply, sent as real Pipecat does (bot-output per sentence with cumulative word progress),
    // reads once and is not marked cut off.
    await selectView(panel, 'Conversation');
    const conversation = panel.getByRole('region', { name: exactly('Conversation') });
    const replies = await waitFor('the bot\'s reply in the conversation', async () => {
      const items = await conversation.getByRole('listitem').allTextContents();
      const bots = items.filter((t) => t.includes('It is sunny'));
      return bots.length ? bots : null;
    }, { timeoutMs: 10_000 });
    for (const r of replies) {
      expect(r.match(/It is sunny in Paris today\./g), r).toHaveLength(1);
      expect(r).not.toContain('cut off');
    }

    // The bot's LLM usage reaches the Metrics view (121 tokens per LLM turn in the fake).
    await selectView(panel, 'Metrics');
    const region = panel.getByRole('region', { name: exactly('Metrics') });
    const total = await waitFor('the Metrics region to show a token total from the bot', async () => {
      const m = /Tokens total\s*(\d+)/.exec((await region.textContent()) ?? '');
      return m && Number(m[1]) > 0 ? Number(m[1]) : null;
    }, { timeoutMs: 10_000 });
    expect(total % 121).toBe(0);
    // Metrics per service: one row per processor with its model, TTFB and usage; the bot's usage (no processor) is its LLM's.
    const table = panel.getByRole('table', { name: exactly('Metrics per service') });
    const rowText = async (name: string) => (await table.getByRole('row').filter({ has: panel.getByRole('rowheader', { name: exactly(name) }) }).textContent()) ?? '';
    await waitFor('the Metrics per service table to list the STT, LLM and TTS processors', async () => ((await table.count()) > 0 && (await table.getByRole('rowheader').count()) >= 3 ? true : null), { timeoutMs: 10_000 });
    expect(await rowText('DeepgramSTTService#0')).toMatch(/nova-3-general.*187 ms/);
    expect(await rowText('OpenAILLMService#0')).toMatch(/gpt-4\.1.*\d+ ms.*\b\d+ \/ \d+ \/ (121|242|363)\b/);
    expect(await rowText('CartesiaTTSService#0')).toMatch(/sonic-2.*238 ms.*\b\d+\b/);
    // Pipecat's ttfa {ttfa, ttfb, leading_silence} and stt_usage {value: {audio_seconds}} shapes.
    const tts = await rowText('CartesiaTTSService#0');
    expect(tts, tts).toMatch(/ttfa 301 ms.*leading_silence 63 ms/);
    expect(await rowText('DeepgramSTTService#0')).toMatch(/STT audio \d+(\.\d+)? s/);
    const violations = await auditAccessibility(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });

  it('Send RTVI message: a client-message typed in the Conversation view reaches the bot as RTVI; bad JSON is refused in words and nothing is sent', async () => {
    await selectAdapter(panel, 'Pipecat bot');
    await openAdvancedSettings(panel);
    await textbox(panel, 'Endpoint URL').fill(bot.url);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    await selectView(panel, 'Conversation');
    await panel.getByText('Custom RTVI message', { exact: true }).click();
    // An input with suggestions (a datalist) is a combobox.
    await panel.getByRole('combobox', { name: exactly('RTVI message type') }).fill('client-message');
    const data = textbox(panel, 'RTVI message data (JSON)');
    await data.fill('{"t": "set-language", "d": {"language": "fr"}}');
    await button(panel, 'Send RTVI message').click();
    const got = await waitFor('the bot to receive the client-message', () => bot.received.find((m) => m.type === 'client-message'), { timeoutMs: 10_000 });
    expect(got.data).toEqual({ t: 'set-language', d: { language: 'fr' } });
    // The outgoing frame is in the raw view, linked like any other.
    const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    expect(events.some((e) => e.source === 'raw' && e.direction === 'out' && JSON.stringify(e.data).includes('set-language'))).toBe(true);

    const before = bot.received.length;
    await data.fill('{"t": "oops",');
    await button(panel, 'Send RTVI message').click();
    const problem = await waitFor('the form to say the data is not JSON', async () => (await alertTexts(panel)).find((t) => t.startsWith('The message data is not valid JSON')), { timeoutMs: 5_000 });
    expect(problem).toBeTruthy();
    expect(await data.getAttribute('aria-invalid')).toBe('true');
    expect(bot.received.length, 'nothing sent for a refused draft').toBe(before);
    expect(await auditAccessibility(panel)).toEqual([]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });

  it('a start endpoint that refuses: the panel shows the HTTP status and the body, and the session is not left connecting', async () => {
    // Independent of the earlier tests' outcome: end a session still up.
    if (await button(panel, 'Disconnect').isVisible()) {
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
    }
    await selectAdapter(panel, 'Pipecat bot');
    await openAdvancedSettings(panel);
    await textbox(panel, 'Endpoint URL').fill(refusing.startUrl);
    await button(panel, 'Connect').click();
    const alert = await waitFor('an alert naming HTTP 500 and the body', async () => (await alertTexts(panel)).find((t) => /HTTP 500/.test(t) && t.includes('Bot process failed to start')), { timeoutMs: 20_000 });
    expect(alert).toMatch(/start endpoint refused/);
    expect(refusing.startRequests[0].body).toEqual({ transport: 'websocket' });
    // Truthful state: the failed connect ends as an error or disconnected, never stuck connecting.
    await waitFor('Connection status to read error or disconnected', async () => /\b(error|disconnected)\b/i.test((await connectionStatus(panel).textContent()) ?? ''), { timeoutMs: 10_000 });
  });
});
