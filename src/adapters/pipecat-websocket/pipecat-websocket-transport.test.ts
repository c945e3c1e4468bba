import { PipecatClient, type TransportState } from '@pipecat-ai/client-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { waitUntil } from '../../../test/fakes/gemini-test-session.ts';
import { installNodeBrowserGlobals } from '../../../test/fakes/node-browser-globals.ts';
import { pyDumps, startFakePipecatBot, type FakePipecatBot, type FakePipecatBotOptions } from '../../../test/fakes/fake-pipecat-ws-bot.ts';
import type { FrameRecord, RtviRecord } from '../../transport/frame-observer.ts';
import { registerFunctionCallHandlerSafely } from '../../transport/function-call-handlers.ts';
import { PipecatWebsocketTransport, resampleLinear } from './pipecat-websocket-transport.ts';
import { decodeFrame, encodeMessageFrame, readableFrame } from './pipecat-frames.ts';
import descriptor, { startHostPermission } from './pipecat-websocket-descriptor.ts';

beforeAll(() => installNodeBrowserGlobals());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Harness {
  bot: FakePipecatBot;
  media: FakeMediaManager;
  transport: PipecatWebsocketTransport;
  client: PipecatClient;
  frames: FrameRecord[];
  rtvi: RtviRecord[];
  states: TransportState[];
  errors: Array<Record<string, unknown>>;
}

async function harness(botOptions: FakePipecatBotOptions = {}, settings: Record<string, unknown> = {}, useStart = false): Promise<Harness> {
  const bot = await startFakePipecatBot(botOptions);
  cleanups.push(() => bot.close());
  const media = new FakeMediaManager({ playbackSpeed: 20 });
  const transport = new PipecatWebsocketTransport({ endpoint: useStart ? bot.startUrl : bot.url, connect_timeout_ms: 4000, settings }, media);
  const frames: FrameRecord[] = [];
  const rtvi: RtviRecord[] = [];
  const states: TransportState[] = [];
  const errors: Array<Record<string, unknown>> = [];
  transport.setObserver({ onFrame: (f) => frames.push(f), onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data as Record<string, unknown>) } });
  cleanups.push(() => client.disconnect());
  return { bot, media, transport, client, frames, rtvi, states, errors };
}

/** The RTVI message a raw `message` frame carried, as the raw view shows it. */
function carried(frames: FrameRecord[], id: number): { type?: string } | undefined {
  const f = frames.find((x) => x.id === id);
  return (f?.payload as { message?: { data?: { type?: string } } } | undefined)?.message?.data;
}

describe('PipecatWebsocketTransport against the fake Pipecat bot', () => {
  it('a function the bot runs itself (not in Tools (JSON)): its rows are shown as the bot sent them and the workbench sends no result', async () => {
    const h = await harness({ botFunction: { name: 'lookup_order', arguments: { id: 7 }, result: { status: 'shipped' } }, functionCallReportLevel: 'FULL', audioPaceMs: 0 }, { tools: '[{"name": "get_weather"}]' });
    await h.client.connect();
    await h.bot.runTurn();
    await waitUntil('bot-stopped-speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 5000);
    const rows = h.rtvi.filter((r) => r.type.startsWith('llm-function-call'));
    expect(rows.map((r) => r.type)).toEqual(['llm-function-call-started', 'llm-function-call-in-progress', 'llm-function-call-stopped']);
    expect(rows[2]!.data).toMatchObject({ function_name: 'lookup_order', result: { status: 'shipped' } });
    for (const r of rows) expect(carried(h.frames, r.sourceFrameIds[0])?.type).toBe(r.type);
    expect(h.bot.received.filter((m) => m.type === 'llm-function-call-result')).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it("the bot's own RTVI error: non-fatal is a row and the session stays ready; fatal (RTVIObserver's ErrorFrame with fatal true) ends the session", async () => {
    const h = await harness();
    await h.client.connect();
    // observer.py: an ErrorFrame becomes RTVI `error` {error, fatal} (RTVI docs "error"; pipecat-server.md §3).
    h.bot.sendRtvi('error', { error: 'TTS quota exceeded', fatal: false });
    await waitUntil('the non-fatal error row', () => h.rtvi.some((r) => r.type === 'error' && (r.data as { error?: string }).error === 'TTS quota exceeded'), 3000);
    expect(h.errors.map((e) => e.error)).toContain('TTS quota exceeded');
    expect(h.transport.state).toBe('ready');
    h.bot.sendRtvi('error', { error: 'Pipeline crashed', fatal: true });
    await waitUntil('the session to end after the fatal error', () => h.transport.state === 'disconnected', 5000);
    const row = h.rtvi.find((r) => r.type === 'error' && (r.data as { error?: string }).error === 'Pipeline crashed')!;
    expect(row.data).toMatchObject({ fatal: true });
    expect(carried(h.frames, row.sourceFrameIds[0])?.type).toBe('error');
  });

  it('handshakes client-ready → bot-ready (same id) and shows the bot\'s own bot-ready, linked to its frame', async () => {
    const h = await harness();
    const ready = (await h.client.connect()) as { version: string; about: { library: string } };
    expect(h.transport.state).toBe('ready');
    expect(ready.about.library).toBe('pipecat-ai');
    const clientReady = h.bot.received.find((m) => m.type === 'client-ready')!;
    expect((clientReady.data as { version: string }).version).toMatch(/^2\./);
    const row = h.rtvi.find((r) => r.type === 'bot-ready')!;
    expect(row.data).toEqual({ version: '2.1.0', about: { library: 'pipecat-ai', library_version: '1.7.0' } });
    expect(carried(h.frames, row.sourceFrameIds[0])).toMatchObject({ type: 'bot-ready', id: clientReady.id });
    // No plain-text WebSocket frames: the first outgoing frame is the protobuf message with client-ready.
    expect(h.frames.find((f) => f.direction === 'out')!.type).toBe('message');
  });

  it('runs a spoken turn: audio frames out at 16 kHz, the bot\'s RTVI in its order, its audio played, a client function answered by the registered handler', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' }, { tools: '[{"name": "get_weather"}]' });
    const calls: Array<Record<string, unknown>> = [];
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', (call) => {
      calls.push(call.arguments);
      return { temperature_c: 18 };
    });
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the bot to stop speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 5000);

    expect(h.bot.audioIn.length).toBeGreaterThan(10);
    expect(h.bot.audioIn.every((a) => a.name === 'audio' && a.sampleRate === 16_000 && a.numChannels === 1)).toBe(true);
    expect(calls).toEqual([{ city: 'Paris' }]);
    const result = h.bot.received.find((m) => m.type === 'llm-function-call-result')!;
    expect(result.data).toMatchObject({ function_name: 'get_weather', arguments: { city: 'Paris' }, result: { temperature_c: 18 } });

    const types = h.rtvi.map((r) => r.type).filter((t) => t !== 'metrics');
    const order = ['user-started-speaking', 'bot-interrupted', 'user-transcription', 'user-llm-text', 'user-stopped-speaking', 'bot-llm-started', 'llm-function-call-started', 'llm-function-call-in-progress', 'llm-function-call-stopped', 'bot-llm-text', 'bot-llm-stopped', 'bot-tts-started', 'bot-started-speaking', 'bot-tts-text', 'bot-tts-stopped', 'bot-stopped-speaking'];
    let at = -1;
    for (const t of order) {
      const i = types.indexOf(t, at + 1);
      expect(i, `${t} after index ${at} in ${types.join(',')}`).toBeGreaterThan(at);
      at = i;
    }
    // Each bot-sent row points at the message frame that carried it.
    for (const r of h.rtvi.filter((x) => ['user-transcription', 'bot-llm-text', 'metrics', 'bot-tts-text', 'bot-stopped-speaking'].includes(x.type))) {
      expect(carried(h.frames, r.sourceFrameIds[0])?.type).toBe(r.type);
    }
    // The held started + the in-progress are the sources of the workbench's started row.
    const started = h.rtvi.find((r) => r.type === 'llm-function-call-started')!;
    expect(started.sourceFrameIds.map((id) => carried(h.frames, id)?.type)).toEqual(['llm-function-call-started', 'llm-function-call-in-progress']);
    // Speaking rows appear once each (the bot's, not a local copy).
    expect(h.rtvi.filter((r) => r.type === 'bot-started-speaking')).toHaveLength(1);
    // Metrics per service, as the bot sent them.
    const metrics = h.rtvi.filter((r) => r.type === 'metrics').map((r) => r.data as Record<string, Array<{ processor?: string }>>);
    expect(metrics.some((m) => m.ttfb?.[0]?.processor === 'DeepgramSTTService#0')).toBe(true);
    expect(metrics.some((m) => m.processing?.[0]?.processor === 'OpenAILLMService#0')).toBe(true);
    expect(metrics.some((m) => Array.isArray(m.tokens))).toBe(true);
    // Bot audio went to the player; the raw view summarises it.
    expect(h.media.buffered.length).toBeGreaterThan(0);
    const audioFrame = h.frames.find((f) => f.direction === 'in' && f.type === 'audio')!;
    expect(audioFrame.audio).toEqual({ bytes: 1920, sampleRate: 24_000, durationMs: 40 });
    expect(JSON.stringify(audioFrame.payload)).toContain('OutputAudioRawFrame#');
  });

  it('a call the workbench answers has one llm-function-call-stopped row: the bot\'s, linked to its frame and carrying the result', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => ({ temperature_c: 18 }));
    const appStopped: unknown[] = [];
    h.client.on('llmFunctionCallStopped', (d) => appStopped.push(d));
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the bot to stop speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 5000);
    const stopped = h.rtvi.filter((r) => r.type === 'llm-function-call-stopped');
    expect(stopped.map((r) => r.data)).toEqual([{ tool_call_id: expect.stringMatching(/^call_/), cancelled: false, function_name: 'get_weather', result: { temperature_c: 18 } }]);
    expect(carried(h.frames, stopped[0].sourceFrameIds[0])?.type).toBe('llm-function-call-stopped');
    // An app using the transport hears of the call's end once, too.
    expect(appStopped).toHaveLength(1);
  });

  // (null from a client-js handler is "no result" there: client-js skips `result == undefined`.)
  it.each([[[1, 2], '[1,2]'], [42, '42'], [true, 'true']] as const)('a mock result %j (not an object or string: Pipecat rejects it) is sent as its JSON text, with a note naming the rule', async (value, sent) => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => value as never);
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the bot to stop speaking', () => h.rtvi.some((r) => r.type === 'bot-stopped-speaking'), 8000);
    expect(h.bot.received.find((m) => m.type === 'llm-function-call-result')!.data).toMatchObject({ result: sent });
    expect(h.rtvi.filter((r) => r.type === 'error-response')).toEqual([]);
    expect(h.rtvi.filter((r) => r.type === 'llm-function-call-stopped').map((r) => (r.data as { result: unknown }).result)).toEqual([sent]);
    const note = h.rtvi.find((r) => r.type === 'error' && /object or a string/.test((r.data as { message: string }).message));
    expect(note?.data).toMatchObject({ fatal: false });
  });

  it('a result the bot refuses (error-response to it) is an error naming the call, and the call is not reported answered', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL', functionResultException: 'boom' }, { tools: '[{"name": "get_weather"}]' });
    registerFunctionCallHandlerSafely(h.client, h.transport, 'get_weather', () => ({ temperature_c: 18 }));
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the refusal', () => h.rtvi.some((r) => r.type === 'error' && /refused the result/.test((r.data as { message: string }).message)), 8000);
    const err = h.rtvi.find((r) => r.type === 'error' && /refused the result/.test((r.data as { message: string }).message))!;
    expect((err.data as { message: string }).message).toContain('get_weather');
    expect((err.data as { message: string }).message).toContain('Exception processing message: boom');
    expect(h.rtvi.filter((r) => r.type === 'llm-function-call-stopped')).toEqual([]);
  });

  it('a stock bot (report level NONE: calls without a name) while mocks are declared gets one hint saying how to set function_call_report_level', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } } }, { tools: '[{"name": "get_weather"}]' });
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the nameless call', () => h.rtvi.some((r) => r.type === 'llm-function-call-in-progress'), 8000);
    // A second nameless call: still one hint.
    h.bot.sendRtvi('llm-function-call-in-progress', { tool_call_id: 'call_again' });
    await waitUntil('the second nameless call', () => h.rtvi.some((r) => r.type === 'llm-function-call-in-progress' && (r.data as { tool_call_id?: string }).tool_call_id === 'call_again'), 8000);
    const hints = h.rtvi.filter((r) => r.type === 'error' && /function_call_report_level/.test((r.data as { message: string }).message));
    expect(hints).toHaveLength(1);
    expect((hints[0]!.data as { message: string; fatal: boolean }).message).toMatch(/RTVIFunctionCallReportLevel\.(NAME|FULL)/);
    expect((hints[0]!.data as { fatal: boolean }).fatal).toBe(false);
    expect(h.bot.received.some((m) => m.type === 'llm-function-call-result')).toBe(false);
  });

  it('the microphone rate must equal the bot\'s pipeline input rate: Pipecat reads frames at its own rate, so another rate is garbled', async () => {
    // base_input.py:202-209 queues InputAudioRawFrames as they come; STT and VAD use the pipeline's
    // audio_in_sample_rate (stt_service.py:357; default 16000), not the frame's label.
    const help = descriptor.settings.find((s) => s.key === 'input_sample_rate')!;
    expect(help.default).toBe(16_000);
    expect(help.help).toMatch(/must equal the bot's pipeline input rate/);
    const h = await harness({ transcript: 'What is the weather in Paris?' }, { input_sample_rate: 48_000 });
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(1200);
    await waitUntil('a final transcription', () => h.rtvi.find((r) => r.type === 'user-transcription' && (r.data as { final: boolean }).final), 8000);
    const final = h.rtvi.find((r) => r.type === 'user-transcription' && (r.data as { final: boolean }).final)!;
    expect((final.data as { text: string }).text).not.toBe('What is the weather in Paris?');
    expect((final.data as { text: string }).text).toMatch(/garbled/);
  });

  it('send-text honours its options like Pipecat: audio_response false is text only; run_immediately false runs no turn', async () => {
    const h = await harness({ serverResponses: { ping: { pong: 1 } } });
    await h.client.connect();
    h.client.sendText('Just text please', { audio_response: false });
    await waitUntil('the text-only reply to end', () => h.rtvi.some((r) => r.type === 'bot-llm-stopped'), 8000);
    await h.client.sendClientRequest('ping', {});
    const types = h.rtvi.map((r) => r.type);
    expect(types).toContain('bot-llm-text');
    for (const t of ['bot-tts-started', 'bot-started-speaking', 'bot-tts-text']) expect(types).not.toContain(t);
    expect(h.frames.some((f) => f.direction === 'in' && f.type === 'audio')).toBe(false);
    const llmStarted = types.filter((t) => t === 'bot-llm-started').length;
    h.client.sendText('Remember this', { run_immediately: false });
    await h.client.sendClientRequest('ping', {});
    expect(h.bot.contextAppends).toEqual(['Remember this']);
    expect(h.rtvi.filter((r) => r.type === 'bot-llm-started')).toHaveLength(llmStarted);
  });

  it('a client-message is answered (server-response with its id) only when the bot\'s app answers that type', async () => {
    const h = await harness({ serverResponses: { ping: { pong: 1 } } });
    await h.client.connect();
    h.client.sendClientMessage('unscripted', { a: 1 });
    const answer = await h.client.sendClientRequest('ping', { b: 2 });
    expect(answer).toEqual({ pong: 1 });
    const responses = h.rtvi.filter((r) => r.type === 'server-response').map((r) => (r.data as { t: string }).t);
    expect(responses).toEqual(['ping']);
  });

  it('the fake validates a result like Pipecat\'s pydantic model (result: dict | str)', async () => {
    const { functionResultValidation } = await import('../../../test/fakes/fake-pipecat-ws-bot.ts');
    const base = { function_name: 'f', tool_call_id: 'c', arguments: {} };
    expect(functionResultValidation({ ...base, result: { a: 1 } })).toBeNull();
    expect(functionResultValidation({ ...base, result: 'ok' })).toBeNull();
    for (const bad of [[1], 42, true, null]) expect(functionResultValidation({ ...base, result: bad })).toMatch(/^2 validation errors for LLMFunctionCallResultData\nresult\.dict/);
  });

  it('passes client messages through as RTVI: send-text runs a turn; append-to-context gets the bot\'s error-response', async () => {
    const h = await harness();
    await h.client.connect();
    h.client.sendText('Hello there', { run_immediately: true });
    await waitUntil('the bot to answer the typed text', () => h.rtvi.some((r) => r.type === 'user-llm-text' && (r.data as { text: string }).text === 'Hello there'));
    expect(h.bot.received.find((m) => m.type === 'send-text')!.data).toMatchObject({ content: 'Hello there' });
    h.transport.sendMessage(new (await import('@pipecat-ai/client-js')).RTVIMessage('append-to-context', { role: 'user', content: 'x' }));
    await waitUntil('error-response', () => h.rtvi.find((r) => r.type === 'error-response'));
    expect(h.rtvi.find((r) => r.type === 'error-response')!.data).toEqual({ error: 'Unsupported type append-to-context' });
  });

  it('starts the bot through a start URL: POSTs the JSON body, takes wsUrl and the token, never shows the token', async () => {
    const token = 'tok-secret-5f3e1d2c';
    const h = await harness({ requireToken: token }, { start_body: '{"transport": "websocket", "body": {"room": "a"}}' }, true);
    await h.client.connect();
    expect(h.bot.startRequests[0].body).toEqual({ transport: 'websocket', body: { room: 'a' } });
    expect(h.bot.upgradeUrls[0]).toBe(`/ws-client?token=${token}`);
    expect(JSON.stringify(h.frames)).not.toContain(token);
    expect(JSON.stringify(h.frames)).toContain('[redacted]');
  });

  it('a runner that answers wss:// for its plain-HTTP host (any --host but localhost) is reached over ws:// at the start URL\'s host, and the raw view says why', async () => {
    const h = await harness({}, {}, true);
    await h.client.connect();
    expect(h.transport.state).toBe('ready');
    expect(h.bot.upgradeUrls).toEqual(['/ws-client']);
    const start = h.frames.find((f) => f.direction === 'in' && f.type === 'http.start')!;
    expect(JSON.stringify(start.payload)).toMatch(/wss:\/\/127\.0\.0\.1:\d+\/ws-client.*ws:\/\/127\.0\.0\.1:\d+\/ws-client/);
  });

  it('a runner restricting origins (--allowed-origins) refuses the handshake: the message says the extension\'s origin must be allowed', async () => {
    const h = await harness({ allowedOrigins: ['https://my-app.example'] });
    await expect(h.client.connect()).rejects.toThrow(/--allowed-origins.*origin/);
  });

  it('a refusing start endpoint: connect() rejects with the status and body, and the state is truthful', async () => {
    const h = await harness({ startRefusal: { status: 503, body: '{"detail": "No bots available"}' } }, {}, true);
    await expect(h.client.connect()).rejects.toThrow(/HTTP 503.*No bots available/);
    expect(h.states).toContain('error');
    expect(h.errors.some((e) => /HTTP 503/.test(String(e.message)))).toBe(true);
  });

  it('a bot that closes the socket before bot-ready: connect() rejects with the close code and reason', async () => {
    const h = await harness({ closeOnOpen: { code: 4003, reason: 'Invalid token' } });
    await expect(h.client.connect()).rejects.toThrow(/code 4003.*Invalid token/);
  });

  it('a refused handshake (the runner\'s token check): connect() settles with a message naming the URL', async () => {
    const h = await harness({ requireToken: 'right' }, { token: 'wrong' });
    await expect(h.client.connect()).rejects.toThrow(/Could not open the bot's WebSocket at ws:\/\/127\.0\.0\.1:\d+\/ws-client.*code 1006/);
    expect(h.bot.upgradeUrls[0]).toBe('/ws-client?token=wrong');
  });

  it('a bot that closes the socket mid-session: a fatal error row with the code and reason, the state ends truthful, earlier rows kept', async () => {
    const h = await harness();
    await h.client.connect();
    h.bot.sendRtvi('bot-llm-text', { text: ' before the close' });
    await waitUntil('the row before the close', () => h.rtvi.some((r) => r.type === 'bot-llm-text'));
    h.bot.closeClient(1011, 'Pipeline error: TTS failed');
    await waitUntil('the transport to end the session', () => h.states.at(-1) === 'disconnected', 3000);
    expect(h.states).toContain('error');
    const fatal = h.rtvi.find((r) => r.type === 'error')!.data as { fatal: boolean; code: number; reason: string; message: string };
    expect(fatal).toMatchObject({ fatal: true, code: 1011, reason: 'Pipeline error: TTS failed' });
    expect(fatal.message).toMatch(/1011.*Pipeline error: TTS failed/);
    // The close frame is in the raw view and the error row links to it; nothing before it was dropped.
    const close = h.frames.find((f) => f.type === 'close')!;
    expect(close.payload).toEqual({ code: 1011, reason: 'Pipeline error: TTS failed' });
    expect(h.rtvi.find((r) => r.type === 'error')!.sourceFrameIds).toEqual([close.id]);
    expect(h.rtvi.some((r) => r.type === 'bot-llm-text' && (r.data as { text: string }).text === ' before the close')).toBe(true);
    expect(h.errors.some((e) => /1011/.test(String(e.message)))).toBe(true);
  });

  it('a bot that closes mid-session while a client function call is pending: the session ends with the close code, no stopped row is invented', async () => {
    const h = await harness({ clientFunction: { name: 'get_weather', arguments: { city: 'Paris' } }, functionCallReportLevel: 'FULL' }, { tools: '[{"name": "get_weather"}]' });
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(400);
    await waitUntil('the call to be pending', () => h.rtvi.some((r) => r.type === 'llm-function-call-in-progress'), 5000);
    h.bot.closeClient(1001, 'Bot is shutting down');
    await waitUntil('the transport to end the session', () => h.states.at(-1) === 'disconnected', 3000);
    // The bot never reported the call's end and no answer went out: no stopped row is invented.
    expect(h.rtvi.filter((r) => r.type === 'llm-function-call-stopped')).toEqual([]);
    expect(h.bot.received.some((m) => m.type === 'llm-function-call-result')).toBe(false);
    expect((h.rtvi.find((r) => r.type === 'error')!.data as { code: number }).code).toBe(1001);
  });

  for (const [status, body] of [[401, '{"detail": "Not authenticated"}'], [404, '{"detail": "Not Found"}'], [422, '{"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]}'], [500, 'Internal Server Error']] as const) {
    it(`a start endpoint answering HTTP ${status}: connect() rejects with the status and the body, nothing is opened`, async () => {
      const h = await harness({ startRefusal: { status, body } }, {}, true);
      await expect(h.client.connect()).rejects.toThrow(new RegExp(`HTTP ${status}.*${body.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(h.bot.upgradeUrls).toEqual([]);
      expect(h.states.at(-1)).toMatch(/^(error|disconnected)$/);
      // The refused start request is in the raw view with its status.
      expect(h.frames.find((f) => f.type === 'http.start' && f.direction === 'in')?.payload).toMatchObject({ status });
    });
  }

  it('refuses a bad start body before opening anything', async () => {
    const h = await harness({}, { start_body: '{not json' }, true);
    await expect(h.client.connect()).rejects.toThrow(/Start request body \(JSON\) is not valid JSON/);
    expect(h.bot.startRequests).toHaveLength(0);
  });
});

describe('Pipecat frames', () => {
  it('round-trips a MessageFrame and summarises audio', () => {
    const f = decodeFrame(encodeMessageFrame({ label: 'rtvi-ai', type: 'client-ready' }));
    expect(readableFrame(f).payload).toEqual({ message: { data: { label: 'rtvi-ai', type: 'client-ready' } } });
  });

  it('pyDumps writes Python json.dumps text', () => {
    expect(pyDumps({ a: 1, b: ['x', 'é'] })).toBe('{"a": 1, "b": ["x", "\\u00e9"]}');
  });

  it('resamples linearly to the asked length', () => {
    expect(resampleLinear(new Int16Array([0, 100, 200, 300]), 16_000, 8000)).toEqual(new Int16Array([0, 200]));
  });

  it('asks a host permission only for an http(s) start URL', () => {
    expect(startHostPermission('http://localhost:7860/start')).toBe('http://localhost/*');
    expect(startHostPermission('https://bot.example.com/start')).toBe('https://bot.example.com/*');
    expect(startHostPermission('ws://localhost:8765')).toBeNull();
    expect(descriptor.label).toBe('Pipecat bot (WebSocket)');
  });
});

describe('the bot\'s order is kept, whatever order it sends', () => {
  // RTVI lets these interleave freely (pipecat-server.md §3: bot-tts-stopped comes during playback,
  // bot-output/bot-tts-text in time with audio, metrics whenever a MetricsFrame passes the observer).
  const MESSAGES: Array<{ type: string; data?: unknown }> = [
    { type: 'bot-llm-started' },
    { type: 'bot-llm-text', data: { text: ' Hi' } },
    { type: 'bot-llm-stopped' },
    { type: 'bot-tts-started' },
    { type: 'bot-tts-text', data: { text: 'Hi' } },
    { type: 'bot-tts-stopped' },
    { type: 'bot-started-speaking' },
    { type: 'bot-stopped-speaking' },
    { type: 'bot-output', data: { text: 'Hi.', aggregated_by: 'sentence', spoken_status: 'completed' } },
    { type: 'metrics', data: { ttfb: [{ processor: 'CartesiaTTSService#0', value: 0.2 }] } },
    { type: 'user-transcription', data: { text: 'hello', user_id: '', timestamp: '2026-12-07T16:00:00+00:00', final: true } },
    { type: 'server-message', data: { any: 'thing' } },
    { type: 'error', data: { error: 'tts failed', fatal: false } },
  ];

  it('every RTVI message appears once, in the order sent, linked to the frame that carried it (audio frames interleaved)', async () => {
    const fc = await import('fast-check');
    const h = await harness();
    await h.client.connect();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...MESSAGES), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 12 }), async (seq) => {
        const before = h.rtvi.length;
        for (const [m, audioChunks] of seq) {
          h.bot.sendRtvi(m.type, m.data);
          h.bot.sendAudio(audioChunks);
        }
        h.bot.sendRtvi('server-message', { end: before });
        await waitUntil('the end marker', () => h.rtvi.slice(before).some((r) => r.type === 'server-message' && (r.data as { end?: number }).end === before), 3000);
        const rows = h.rtvi.slice(before).filter((r) => !(r.type === 'server-message' && (r.data as { end?: number }).end === before));
        expect(rows.map((r) => r.type)).toEqual(seq.map(([m]) => m.type));
        for (const r of rows) expect(carried(h.frames, r.sourceFrameIds[0])?.type).toBe(r.type);
      }),
      { numRuns: 25 },
    );
  });
});
