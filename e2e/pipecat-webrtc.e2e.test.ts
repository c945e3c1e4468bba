import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LogEvent } from '../extension/shared/log-event.ts';
import type { RecordingMeta } from '../extension/recordings/recording-format.ts';
import { fromWire, type WireRecording } from '../extension/recordings/wire.ts';
import { planReplay } from '../extension/replay/replay-plan.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { startFakePipecatWebrtcBot, type FakePipecatWebrtcBot } from '../test/fakes/fake-pipecat-webrtc-bot.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, REPO_ROOT, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { runVoiceTestCli } from './harness/voice-test-cli.ts';
import { alertTexts, button, connectionStatus, exactly, meterValue, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { fillSessionForm, openAdvancedSettings, selectAdapter, waitForReplayFinished, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * The user's own Pipecat bot over SmallWebRTC through the panel, against the werift fake bot
 * (test/fakes/fake-pipecat-webrtc-bot.ts): offer/answer over HTTP, trickle ICE, the fake
 * microphone's speech on the peer connection makes a turn, the bot's RTVI rows arrive on the data
 * channel in order and each links to the data-channel message that carried it, the bot's call to a
 * client function is answered by the panel's mock, its audio plays through our player (Bot level),
 * and the Metrics view shows the bot's metrics and the browser's WebRTC stats. No extra Chromium
 * flags: with microphone permission granted, Chromium gathers plain host candidates (no mDNS), and
 * the fake adds 127.0.0.1 and the machine's address to its own.
 */
const OPENAI_KEY = 'sk-fake-pipecat-webrtc-replay-0123456789';
const textbox = (page: Page, name: string) => page.getByRole('textbox', { name: exactly(name) });

describe('Pipecat bot (WebRTC) end to end through the panel', () => {
  let h: ExtensionHarness;
  let panel: Page;
  let bot: FakePipecatWebrtcBot;
  let refusing: FakePipecatWebrtcBot;
  let openai: FakeOpenAIServer;

  beforeAll(async () => {
    bot = await startFakePipecatWebrtcBot({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' });
    refusing = await startFakePipecatWebrtcBot({ offerRefusal: { status: 500, body: '{"detail": "Pipeline failed to start"}' } });
    openai = await startFakeOpenAIServer({ apiKey: OPENAI_KEY, userTranscripts: ['What is the weather in Paris'], replyText: 'Cloudy in Paris.' });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
    panel = await h.openPanel();
  });
  afterAll(async () => {
    await h?.close();
    await bot?.close();
    await refusing?.close();
    await openai?.close();
  });

  it("connects over WebRTC, the bot hears the fake microphone, its RTVI rows come in order with their data-channel messages linked, the mock answers its function call, its audio plays, metrics and WebRTC stats show", async () => {
    await selectAdapter(panel, 'Pipecat bot (WebRTC)');
    await textbox(panel, 'Tools (JSON)').fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]));
    await panel.getByRole('combobox', { name: exactly('Mock reply for get_weather') }).selectOption({ label: 'Fixed result' });
    await textbox(panel, 'Fixed result for get_weather').fill('{"temperature": 21}');
    await openAdvancedSettings(panel);
    await textbox(panel, 'Endpoint URL').fill(bot.offerUrl);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 30_000);
    expect(bot.offers[0].body).toMatchObject({ type: 'offer', pc_id: null, restart_pc: false });
    expect(String(bot.offers[0].body.sdp)).toMatch(/m=audio[\s\S]*m=video[\s\S]*m=application/);

    // The bot's audio plays through the workbench's player: the Bot level meter moves while it speaks.
    const level = await waitFor('the Bot level meter to move while the bot speaks', async () => {
      const v = await meterValue(panel, 'Bot level');
      return v > 0 ? v : null;
    }, { timeoutMs: 60_000, intervalMs: 50 });
    expect(level).toBeGreaterThan(0);
    await waitForRow(panel, 'bot-stopped-speaking', "the bot's bot-stopped-speaking", (t) => t.includes('bot-stopped-speaking'), 45_000);
    const result = await waitFor('the bot to receive llm-function-call-result', () => bot.received.find((m) => m.type === 'llm-function-call-result'), { timeoutMs: 5_000 });
    expect(result.data).toMatchObject({ function_name: 'get_weather', tool_call_id: expect.stringMatching(/^call_/), result: { temperature: 21 } });
    expect(bot.audioPacketsIn(), 'Opus packets from the microphone reached the bot').toBeGreaterThan(50);
    expect(bot.patches.length, 'trickled ICE candidates (PATCH)').toBeGreaterThan(0);
    expect(bot.patches[0].body.pc_id).toMatch(/^SmallWebRTCConnection#/);
    expect(bot.channelText.some((t) => t.startsWith('ping: '))).toBe(true);

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
    // Every row the bot sent links to the data-channel message that carried it.
    const fromBot = rtvi.filter((e) => ['bot-ready', 'user-transcription', 'bot-llm-text', 'bot-tts-text', 'metrics', 'bot-started-speaking', 'bot-stopped-speaking'].includes(e.type));
    expect(fromBot.length).toBeGreaterThan(10);
    for (const ev of fromBot) {
      const src = raw.find((r) => r.frameId === ev.sourceFrameIds?.[0]);
      expect(src?.type, `source of ${ev.type} #${ev.seq}`).toBe('message');
      expect((src!.data as { channel: string; data: { type: string } }).data.type).toBe(ev.type);
    }
    // The SDP exchange is in the raw view, without the ICE password.
    const offer = raw.find((r) => r.direction === 'out' && r.type === 'http.offer')!;
    expect(JSON.stringify(offer.data)).toMatch(/a=ice-pwd:\[redacted\]/);
    const answer = raw.find((r) => r.direction === 'in' && r.type === 'http.offer')!;
    expect(JSON.stringify(answer.data)).toMatch(/"type":"answer"/);
    expect(JSON.stringify(raw.map((r) => r.data))).not.toMatch(/a=ice-pwd:(?!\[redacted\])/);
    // Metrics per service as the bot sent them.
    const processors = new Set(rtvi.filter((e) => e.type === 'metrics').flatMap((e) => Object.values(e.data as Record<string, Array<{ processor?: string }>>).flat().map((m) => m.processor)));
    expect([...processors]).toEqual(expect.arrayContaining(['DeepgramSTTService#0', 'OpenAILLMService#0', 'CartesiaTTSService#0']));

    await selectView(panel, 'Metrics');
    const region = panel.getByRole('region', { name: exactly('Metrics') });
    const total = await waitFor('the Metrics region to show a token total from the bot', async () => {
      const m = /Tokens total\s*(\d+)/.exec((await region.textContent()) ?? '');
      return m && Number(m[1]) > 0 ? Number(m[1]) : null;
    }, { timeoutMs: 10_000 });
    expect(total % 121).toBe(0);
    // Metrics per service: one row per processor, as over WebSocket.
    const table = panel.getByRole('table', { name: exactly('Metrics per service') });
    await waitFor('the Metrics per service table to list the STT, LLM and TTS processors', async () => ((await table.count()) > 0 && (await table.getByRole('rowheader').count()) >= 3 ? true : null), { timeoutMs: 10_000 });
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(expect.arrayContaining(['DeepgramSTTService#0', 'OpenAILLMService#0', 'CartesiaTTSService#0']));
    // The browser's WebRTC stats in the audio diagnostics.
    const stats = panel.getByLabel('WebRTC audio statistics');
    const statsText = await waitFor('WebRTC stats with packets received and a round trip', async () => {
      const t = (await stats.textContent()) ?? '';
      const received = /Packets received(\d+)/.exec(t);
      return received && Number(received[1]) > 0 && /Round trip[\d.]+ ms/.test(t) && /Jitter \(bot audio\)[\d.]+ ms/.test(t) ? t : null;
    }, { timeoutMs: 15_000 });
    expect(statsText).toMatch(/opus/i);
    expect(await auditAccessibility(panel)).toEqual([]);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });

  it('the WebRTC session was recorded with both voices, and replays against the OpenAI fake as a linked recording', async () => {
    const list = () => h.evaluateInOffscreen<{ recordings: RecordingMeta[] }>('globalThis.__recordings.list()');
    const source = await waitFor('the Pipecat bot (WebRTC) recording to be complete', async () => (await list()).recordings.find((r) => r.adapterId === 'pipecat-webrtc' && r.complete) ?? null, { timeoutMs: 15_000 });
    type Track = { sampleRate: number; t0: number; pcm: string } | null;
    const mic = await h.evaluateInOffscreen<Track>(`globalThis.__recordings.assembledTrack(${JSON.stringify(source.id)}, 'mic')`);
    const botTrack = await h.evaluateInOffscreen<Track>(`globalThis.__recordings.assembledTrack(${JSON.stringify(source.id)}, 'bot')`);
    const seconds = (t: NonNullable<Track>) => Buffer.from(t.pcm, 'base64').byteLength / 2 / t.sampleRate;
    expect(mic, 'a mic track').not.toBeNull();
    expect(botTrack, "a bot track (the bot's WebRTC audio as played)").not.toBeNull();
    expect(seconds(mic!)).toBeGreaterThan(1);
    expect(seconds(botTrack!)).toBeGreaterThan(0.2);
    const rec = fromWire((await h.evaluateInOffscreen<WireRecording>(`globalThis.__recordings.get(${JSON.stringify(source.id)})`))!);
    const botStarted = rec.events.find((e) => e.source === 'rtvi' && e.type === 'bot-started-speaking')!;
    expect(Math.abs(botTrack!.t0 - botStarted.t), `bot track t0 ${botTrack!.t0} vs bot-started-speaking ${botStarted.t} (one clock)`).toBeLessThan(1000);
    expect(planReplay(rec).steps.some((st) => st.kind === 'audio'), 'a user turn to replay').toBe(true);

    await fillSessionForm(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: openai.url });
    await selectView(panel, 'Replay');
    await panel.getByRole('combobox', { name: exactly('Source recording') }).selectOption(source.id);
    await button(panel, 'Start replay').click();
    await waitForReplayFinished(panel);
    expect(openai.receivedOfType('input_audio_buffer.append').length, "the bot session's user audio reached the OpenAI fake").toBeGreaterThan(10);
    const replayRec = await waitFor('a complete replay recording linked to the WebRTC session', async () => (await list()).recordings.find((r) => r.origin === 'replay' && r.sourceId === source.id && r.complete) ?? null, { timeoutMs: 15_000 });
    expect(replayRec.adapterId).toMatch(/openai/);
    expect(h.targets.dump()).not.toContain(OPENAI_KEY);
  });

  it('a session offer endpoint that refuses (after /start): the panel shows the HTTP status and the body, and the session is not left connecting', async () => {
    // Independent of the first test's outcome: end its session if it is still up.
    if (await button(panel, 'Disconnect').isVisible()) {
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
    }
    await selectAdapter(panel, 'Pipecat bot (WebRTC)');
    await openAdvancedSettings(panel);
    await textbox(panel, 'Endpoint URL').fill(refusing.startUrl);
    await button(panel, 'Connect').click();
    const alert = await waitFor('an alert naming HTTP 500 and the body', async () => (await alertTexts(panel)).find((t) => /HTTP 500/.test(t) && t.includes('Pipeline failed to start')), { timeoutMs: 20_000 });
    expect(alert).toMatch(/offer endpoint refused/);
    expect(refusing.startRequests[0].body).toEqual({ transport: 'webrtc' });
    expect(refusing.offers[0].path).toMatch(/^\/sessions\/[0-9a-f-]{36}\/api\/offer$/);
    await waitFor('Connection status to read error or disconnected', async () => /\b(error|disconnected)\b/i.test((await connectionStatus(panel).textContent()) ?? ''), { timeoutMs: 10_000 });
  });
});

describe('Voice test against a Pipecat bot over WebRTC (CLI)', () => {
  let bot: FakePipecatWebrtcBot;
  beforeAll(async () => {
    bot = await startFakePipecatWebrtcBot({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('examples/voice-tests/pipecat-bot-webrtc.yaml passes against the werift fake: spoken and typed turns, the client function answered by the scenario mock', async () => {
    const r = await runVoiceTestCli([join(REPO_ROOT, 'examples', 'voice-tests', 'pipecat-bot-webrtc.yaml'), '--endpoint', bot.offerUrl], { timeoutMs: 180_000 });
    const why = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.code, why).toBe(0);
    expect(r.json!.status).toBe('passed');
    expect(r.json!.summaries.every((x) => x.assertions.length > 0 && x.assertions.every((a) => a.passed)), why).toBe(true);
    expect(bot.audioPacketsIn(), 'the spoken step reached the bot as Opus packets').toBeGreaterThan(50);
    expect(bot.received.find((m) => m.type === 'send-text')?.data).toMatchObject({ content: 'Thanks. And tomorrow?' });
    expect(bot.received.find((m) => m.type === 'llm-function-call-result')?.data).toMatchObject({ function_name: 'get_weather', result: { temperature_c: 21, sky: 'clear' } });
  });
});
