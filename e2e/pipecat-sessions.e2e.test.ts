import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import type { RecordingMeta } from '../extension/recordings/recording-format.ts';
import { fromWire, type WireRecording } from '../extension/recordings/wire.ts';
import { planReplay } from '../extension/replay/replay-plan.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { startFakePipecatBot, type FakePipecatBot } from '../test/fakes/fake-pipecat-ws-bot.ts';
import { FIXTURES_DIR, REPO_ROOT, launchExtension, type ExtensionHarness } from './harness/index.ts';
import { runVoiceTestCli } from './harness/voice-test-cli.ts';
import { alertTexts, button, connectionStatus, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, fillSessionForm, selectAdapter, waitForReplayFinished } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * A session with the user's own Pipecat bot (the WebSocket fake, test/fakes/fake-pipecat-ws-bot.ts)
 * is a session like any other: recorded with both voices, listed in Recordings, replayable against a
 * model adapter (the OpenAI fake) with a linked recording; and a voice test targets the bot.
 */
const OPENAI_KEY = 'sk-fake-pipecat-replay-0123456789';

describe('Pipecat bot session: recorded, listed, replayed against OpenAI Realtime', () => {
  let h: ExtensionHarness;
  let bot: FakePipecatBot;
  let openai: FakeOpenAIServer;

  beforeAll(async () => {
    bot = await startFakePipecatBot({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', audioPaceMs: 20 });
    openai = await startFakeOpenAIServer({ apiKey: OPENAI_KEY, userTranscripts: ['What is the weather in Paris'], replyText: 'Cloudy in Paris.' });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await bot?.close();
    await openai?.close();
  });

  it('records both voices on one clock, lists the recording, and replays its user turns to the OpenAI fake as a linked recording', async () => {
    const panel = await h.openPanel();
    // 1. The source: a spoken turn with the bot (its function call answered by the mock), recorded.
    await selectAdapter(panel, 'Pipecat bot');
    await panel.getByRole('textbox', { name: exactly('Tools (JSON)') }).fill(JSON.stringify([{ name: 'get_weather' }]));
    await panel.getByRole('combobox', { name: exactly('Mock reply for get_weather') }).selectOption({ label: 'Fixed result' });
    await panel.getByRole('textbox', { name: exactly('Fixed result for get_weather') }).fill('{"temperature": 21}');
    await connectThroughPanel(panel, { adapter: 'Pipecat bot', endpoint: bot.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    await waitFor("the bot's first reply to finish playing (bot-stopped-speaking after user-stopped-speaking)", async () => {
      const events = await hostEvents();
      const session = Math.max(...events.map((e) => e.session));
      const rows = events.filter((e) => e.session === session && e.source === 'rtvi');
      const stop = rows.find((e) => e.type === 'user-stopped-speaking');
      return stop && rows.some((e) => e.type === 'bot-stopped-speaking' && e.t > stop.t) ? true : null;
    }, { timeoutMs: 45_000 });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');

    const list = () => h.evaluateInOffscreen<{ recordings: RecordingMeta[] }>('globalThis.__recordings.list()');
    const source = await waitFor('the Pipecat bot recording to be complete', async () => (await list()).recordings.find((r) => r.adapterId === 'pipecat-websocket' && r.complete) ?? null, { timeoutMs: 15_000 });
    // Both voices, on the recording's one clock (ms since connect): the bot's audio starts after the user's speech began.
    type Track = { sampleRate: number; t0: number; pcm: string } | null;
    const mic = await h.evaluateInOffscreen<Track>(`globalThis.__recordings.assembledTrack(${JSON.stringify(source.id)}, 'mic')`);
    const botTrack = await h.evaluateInOffscreen<Track>(`globalThis.__recordings.assembledTrack(${JSON.stringify(source.id)}, 'bot')`);
    expect(mic, 'a mic track').not.toBeNull();
    expect(botTrack, "a bot track (the bot's audio frames as played)").not.toBeNull();
    const seconds = (t: NonNullable<Track>) => Buffer.from(t.pcm, 'base64').byteLength / 2 / t.sampleRate;
    expect(seconds(mic!)).toBeGreaterThan(1);
    expect(seconds(botTrack!)).toBeGreaterThan(0.2);
    const sourceRec = fromWire((await h.evaluateInOffscreen<WireRecording>(`globalThis.__recordings.get(${JSON.stringify(source.id)})`))!);
    const firstBotSpeech = sourceRec.events.find((e) => e.source === 'rtvi' && e.type === 'bot-started-speaking')!;
    const firstUserSpeech = sourceRec.events.find((e) => e.source === 'rtvi' && e.type === 'user-started-speaking')!;
    expect(firstBotSpeech.t).toBeGreaterThan(firstUserSpeech.t);
    expect(botTrack!.t0, 'bot audio placed on the recording clock near its bot-started-speaking').toBeGreaterThan(firstUserSpeech.t);
    expect(Math.abs(botTrack!.t0 - firstBotSpeech.t), `bot track t0 ${botTrack!.t0} vs bot-started-speaking ${firstBotSpeech.t}`).toBeLessThan(1000);
    // One stopped row per call in the recording too.
    expect(sourceRec.events.filter((e) => e.source === 'rtvi' && e.type === 'llm-function-call-stopped')).toHaveLength(sourceRec.events.filter((e) => e.source === 'rtvi' && e.type === 'llm-function-call-in-progress').length);
    const plan = planReplay(sourceRec);
    expect(plan.steps.filter((s) => s.kind === 'audio').length, `user turns planned from the bot session: ${JSON.stringify(plan)}`).toBeGreaterThanOrEqual(1);

    // 2. It appears in Recordings.
    await selectView(panel, 'Recordings');
    const open = panel.getByRole('button', { name: /^open recording: .*pipecat-websocket/i });
    await waitFor('the Pipecat bot recording in the Recordings list', async () => ((await open.count()) >= 1 ? true : null), { timeoutMs: 10_000 });

    // 3. Replayed against OpenAI Realtime (its fake), chosen in Settings.
    await fillSessionForm(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: openai.url });
    await selectView(panel, 'Replay');
    await panel.getByRole('combobox', { name: exactly('Source recording') }).selectOption(source.id);
    await button(panel, 'Start replay').click();
    await waitForReplayFinished(panel);
    const appends = openai.receivedOfType('input_audio_buffer.append');
    expect(appends.length, "the bot session's user audio reached the OpenAI fake").toBeGreaterThan(10);
    const replayRec = await waitFor('a complete replay recording linked to the bot session', async () => (await list()).recordings.find((r) => r.origin === 'replay' && r.sourceId === source.id && r.complete) ?? null, { timeoutMs: 15_000 });
    expect(replayRec.adapterId).toMatch(/openai/);
    expect(h.targets.dump()).not.toContain(OPENAI_KEY);
    await panel.close();
  });

  it('a bot that closes the socket mid-session: the alert names the code and reason, the state is truthful, and the recording keeps every row up to the close', async () => {
    const panel = await h.openPanel();
    await connectThroughPanel(panel, { adapter: 'Pipecat bot', endpoint: bot.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    const session = Math.max(...(await hostEvents()).map((e) => e.session));
    bot.sendRtvi('server-message', { before: 'close' });
    await waitFor('the server-message row before the close', async () => ((await hostEvents()).some((e) => e.session === session && e.type === 'server-message') ? true : null), { timeoutMs: 10_000 });
    bot.closeClient(1011, 'Pipeline error: TTS failed');
    const alert = await waitFor('an alert naming code 1011 and the reason', async () => (await alertTexts(panel)).find((t) => /1011/.test(t) && t.includes('Pipeline error: TTS failed')) ?? null, { timeoutMs: 15_000 });
    expect(alert).toBeTruthy();
    await waitFor('Connection status to read error or disconnected', async () => (/\b(error|disconnected)\b/i.test((await connectionStatus(panel).textContent()) ?? '') ? true : null), { timeoutMs: 10_000 });
    const list = () => h.evaluateInOffscreen<{ recordings: RecordingMeta[] }>('globalThis.__recordings.list()');
    const rec = await waitFor('the closed session\'s recording to be complete', async () => {
      const all = (await list()).recordings.filter((r) => r.adapterId === 'pipecat-websocket' && r.complete && r.origin === 'session');
      return all.length >= 2 ? all.sort((a, b) => b.createdAt - a.createdAt)[0] : null;
    }, { timeoutMs: 15_000 });
    const stored = fromWire((await h.evaluateInOffscreen<WireRecording>(`globalThis.__recordings.get(${JSON.stringify(rec.id)})`))!);
    const types = stored.events.filter((e) => e.source === 'rtvi').map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['bot-ready', 'server-message', 'error']));
    expect(stored.events.find((e) => e.source === 'raw' && e.type === 'close')?.data).toEqual({ code: 1011, reason: 'Pipeline error: TTS failed' });
    await panel.close();
  });
});

describe('Voice test against a Pipecat bot (CLI)', () => {
  let bot: FakePipecatBot;
  beforeAll(async () => {
    bot = await startFakePipecatBot({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', audioPaceMs: 20 });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('examples/voice-tests/pipecat-bot.yaml passes against the fake bot: spoken and typed turns, the client function answered by the scenario mock', async () => {
    const r = await runVoiceTestCli([join(REPO_ROOT, 'examples', 'voice-tests', 'pipecat-bot.yaml'), '--endpoint', bot.url], { timeoutMs: 180_000 });
    const why = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.code, why).toBe(0);
    expect(r.json!.status).toBe('passed');
    expect(r.json!.summaries.every((s) => s.assertions.length > 0 && s.assertions.every((a) => a.passed)), why).toBe(true);
    // It talked to the bot: microphone audio frames, a typed send-text, the scripted mock's result.
    expect(bot.audioIn.length).toBeGreaterThan(10);
    expect(bot.received.find((m) => m.type === 'send-text')?.data).toMatchObject({ content: 'Thanks. And tomorrow?' });
    expect(bot.received.find((m) => m.type === 'llm-function-call-result')?.data).toMatchObject({ function_name: 'get_weather', result: { temperature_c: 21, sky: 'clear' } });
  });
});
