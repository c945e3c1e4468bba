import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { geminiSession, geminiSessionPool, waitUntil, type GeminiTestSession } from '../../../test/fakes/gemini-test-session.ts';
import { installNodeBrowserGlobals } from '../../../test/fakes/node-browser-globals.ts';
import { FAKE_GEMINI_KEY, GEMINI_CLOSE_REASONS, type FakeGeminiServer, type FakeGeminiServerOptions } from '../../../test/fakes/fake-gemini-server.ts';
import type { GeminiLiveServiceOptions } from './gemini-live-transport.ts';
import { DEFAULT_GEMINI_MODEL } from './gemini-models.ts';

beforeAll(() => installNodeBrowserGlobals());

const pool = geminiSessionPool();
afterEach(() => pool.cleanup());

const waitFor = waitUntil;
type Harness = GeminiTestSession;

function harness(
  serverOptions: FakeGeminiServerOptions = {},
  options: Partial<GeminiLiveServiceOptions> & { settings?: Record<string, unknown> } = {},
  media = new FakeMediaManager({ playbackSpeed: 10 }),
): Promise<Harness> {
  return geminiSession(pool, serverOptions, options, media);
}

function toolResponses(server: FakeGeminiServer) {
  return server.received.filter((f) => f.type === 'toolResponse').map((f) => (f.json!.toolResponse as { functionResponses: Array<Record<string, unknown>> }).functionResponses[0]);
}

describe('GeminiLiveWebsocketTransport against the fake Gemini server', () => {
  it('runs a voice turn with transcripts both ways, token auth, setup first, 20 ms chunks at 16 kHz', async () => {
    const h = await harness({ replies: [{ userTranscript: "What's the weather in Paris?", botText: "It's 18 degrees and cloudy in Paris. Anything else?", audioMs: 600 }] }, {}, new FakeMediaManager({ playbackSpeed: 2 }));
    const ready = await h.client.connect();
    expect((ready as { version: string }).version).toMatch(/^2\./);
    expect(h.transport.state).toBe('ready');

    // The long-lived key never went into a WebSocket URL; a one-use token did, on the constrained endpoint.
    const conn = h.server.current!;
    expect(conn.auth).toBe('token');
    expect(conn.url).toMatch(/\/ws\/google\.ai\.generativelanguage\.v1alpha\.GenerativeService\.BidiGenerateContentConstrained\?access_token=auth_tokens/);
    expect(h.server.urls.some((u) => u.includes(FAKE_GEMINI_KEY))).toBe(false);
    expect(h.server.httpRequests.find((r) => r.url === '/v1alpha/auth_tokens')?.hadKeyHeader).toBe(true);

    h.media.speak(400);
    h.media.silence(300);
    await waitFor('metrics at the end of the turn', () => h.of('metrics').length === 1);
    await waitFor('playback to end', () => !h.media.isBotAudioActive && h.of('bot-stopped-speaking').length >= 1);
    // The user's final waits briefly after the bot's turn for late input fragments.
    await waitFor('the user final', () => h.of('user-transcription').some((r) => (r.data as { final: boolean }).final));
    // Speaking events follow playback: they alternate and end stopped.
    const speaking = h.rtvi.filter((r) => r.type === 'bot-started-speaking' || r.type === 'bot-stopped-speaking').map((r) => r.type);
    expect(speaking[0]).toBe('bot-started-speaking');
    expect(speaking[speaking.length - 1]).toBe('bot-stopped-speaking');
    expect(speaking.every((t, i) => i === 0 || t !== speaking[i - 1])).toBe(true);

    // Setup was the first frame and nothing else preceded setupComplete.
    expect(conn.received[0].type).toBe('setup');
    const setup = conn.setup as Record<string, unknown>;
    expect(setup.model).toBe('models/gemini-3.8-live');
    expect(setup).toMatchObject({ inputAudioTranscription: {}, outputAudioTranscription: {}, sessionResumption: {} });
    const audio = conn.received.filter((f) => f.audio);
    expect(audio.length).toBe(35);
    expect(new Set(audio.map((f) => f.audio!.mimeType))).toEqual(new Set(['audio/pcm;rate=16000']));
    expect(new Set(audio.map((f) => f.audio!.bytes))).toEqual(new Set([640]));
    expect(conn.received.some((f) => f.json && 'realtimeInput' in f.json && (f.json.realtimeInput as object).hasOwnProperty('mediaChunks'))).toBe(false);

    const user = h.of('user-transcription').map((r) => r.data as { text: string; final: boolean });
    expect(user.filter((u) => !u.final).map((u) => u.text)).toEqual(["What's the weather", "What's the weather in Paris?"]);
    expect(user.filter((u) => u.final)).toEqual([expect.objectContaining({ text: "What's the weather in Paris?", final: true })]);
    expect(h.of('bot-tts-text').map((r) => (r.data as { text: string }).text).join('')).toBe(" It's 18 degrees and cloudy in Paris. Anything else?".trimStart());
    expect(h.of('bot-output').map((r) => r.data)).toEqual([
      expect.objectContaining({ text: "It's 18 degrees and cloudy in Paris.", aggregated_by: 'sentence', spoken_status: 'completed' }),
      expect.objectContaining({ text: 'Anything else?', aggregated_by: 'sentence' }),
    ]);
    expect(h.of('bot-llm-started')).toHaveLength(1);
    expect(h.of('bot-llm-stopped')).toHaveLength(1);
    expect(h.of('metrics')[0].data).toEqual({ tokens: [expect.objectContaining({ prompt_tokens: 1180, completion_tokens: 96, total_tokens: 1276 })] });
    expect(h.media.samplesFor('gemini-turn-1')).toBe(24000 * 0.6);

    // Each RTVI row links to the raw frame it came from; raw frames carry no base64 and no secrets.
    const byId = new Map(h.frames.map((f) => [f.id, f]));
    expect(byId.get(h.of('bot-ready')[0].sourceFrameIds[0])?.type).toBe('setupComplete');
    expect(byId.get(h.of('metrics')[0].sourceFrameIds[0])?.type).toBe('serverContent');
    const dump = JSON.stringify(h.frames) + JSON.stringify(h.rtvi);
    expect(dump).not.toContain(FAKE_GEMINI_KEY);
    expect(dump).not.toMatch(/[A-Za-z0-9+/]{200,}/);
    expect(h.frames.filter((f) => f.direction === 'in' && f.audio).every((f) => f.audio!.sampleRate === 24000)).toBe(true);
    expect(h.frames.find((f) => f.type === 'setup')?.payload).toBeTruthy();
  });

  it('plays every audio part of a message carrying two parts, in order', async () => {
    const h = await harness({ replies: [{ botText: 'Two parts each.', audioMs: 400, partMs: 40, partsPerMessage: 2 }] });
    await h.client.connect();
    h.client.sendText('hi');
    await waitFor('turn end', () => h.of('metrics').length === 1);
    const inbound = h.frames.filter((f) => f.direction === 'in' && f.audio);
    expect(inbound).toHaveLength(5);
    expect(h.media.buffered).toHaveLength(10);
    expect(h.media.samplesFor('gemini-turn-1')).toBe(9600);
    // The tone is continuous across parts, so order is checkable: each part starts where the last ended.
    const all = new Int16Array(9600);
    let off = 0;
    for (const b of h.media.buffered) {
      all.set(b.samples, off);
      off += b.samples.length;
    }
    for (const i of [959, 960, 1919, 1920, 4799, 4800]) {
      expect(Math.abs(all[i] - Math.round(8000 * Math.sin((2 * Math.PI * 330 * i) / 24000)))).toBeLessThanOrEqual(1);
    }
  });

  it('barge-in: interrupted mid-audio flushes playback and nothing stale is played after it', async () => {
    const h = await harness(
      {
        streamSpeed: 2,
        replies: [
          { userTranscript: 'Tell me a story.', botText: 'Once upon a time there was a very long story that went on.', audioMs: 3000 },
          { userTranscript: 'Actually, what about Rome?', botText: 'Rome is lovely.', audioMs: 300 },
        ],
      },
      {},
      new FakeMediaManager({ playbackSpeed: 1 }),
    );
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(300);
    await waitFor('bot audio playing', () => h.media.buffered.length >= 3 && h.of('bot-started-speaking').length >= 1);
    h.media.speak(200);
    await waitFor('playback flushed', () => h.media.interrupts.length === 1);
    const bufferedAtInterrupt = h.media.buffered.filter((b) => b.itemId === 'gemini-turn-1').length;
    expect(h.media.queuedSamples).toBe(0);
    await waitFor('bot-stopped-speaking', () => !h.media.isBotAudioActive && h.of('bot-stopped-speaking').length >= 1);
    h.media.silence(300);
    await waitFor('second turn answered', () => h.of('metrics').length === 2 && h.media.samplesFor('gemini-turn-2') > 0);
    expect(h.media.buffered.filter((b) => b.itemId === 'gemini-turn-1').length).toBe(bufferedAtInterrupt);
    expect(h.media.samplesFor('gemini-turn-1')).toBeLessThan(24000 * 3);
    expect(h.of('bot-llm-stopped')).toHaveLength(2);
    const cut = h.of('bot-output')[0].data as { spoken_status: string; text: string };
    expect(cut.spoken_status).toBe('in-progress');
    expect(h.frames.some((f) => f.type === 'serverContent' && JSON.stringify(f.payload).includes('"interrupted":true'))).toBe(true);
  });

  it('answers a blocking tool call with the same id and name, then speaks', async () => {
    const tools = JSON.stringify([{ name: 'get_weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]);
    const h = await harness(
      { replies: [{ userTranscript: 'Weather in Paris?', toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], botText: 'It is 18 degrees.' }] },
      { settings: { model: 'gemini-2.5-flash-native-audio-preview-12-2025', tools } },
    );
    const calls: unknown[] = [];
    h.client.registerFunctionCallHandler('get_weather', async (p) => {
      calls.push(p.arguments);
      return { tempC: 18, sky: 'cloudy' };
    });
    await h.client.connect();
    const decl = ((h.server.current!.setup!.tools as Array<{ functionDeclarations: Array<Record<string, unknown>> }>)[0]).functionDeclarations[0];
    expect(decl.parameters).toEqual({ type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] });
    h.client.sendText('Weather in Paris?');
    await waitFor('turn end', () => h.of('metrics').length === 1);
    expect(calls).toEqual([{ city: 'Paris' }]);
    const toolCallFrame = h.frames.find((f) => f.type === 'toolCall')!;
    const id = (toolCallFrame.payload as { toolCall: { functionCalls: Array<{ id: string }> } }).toolCall.functionCalls[0].id;
    expect(toolResponses(h.server)).toEqual([{ id, name: 'get_weather', response: { result: { tempC: 18, sky: 'cloudy' } } }]);
    expect(h.of('llm-function-call-started')).toHaveLength(1);
    expect(h.of('llm-function-call-stopped')[0].data).toMatchObject({ tool_call_id: id, cancelled: false });
    expect(h.media.samplesFor('gemini-turn-1')).toBeGreaterThan(0);
  });

  it('answers a non-blocking tool call (3.8 default) with scheduling', async () => {
    const tools = JSON.stringify([{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} } }]);
    const h = await harness({ replies: [{ toolCalls: [{ name: 'lookup', id: 'fc_12219819411343816471' }], nonBlocking: true, botText: 'Looking it up.' }] }, { settings: { tools } });
    h.client.registerFunctionCallHandler('lookup', async () => 'found it');
    await h.client.connect();
    h.client.sendText('look it up');
    await waitFor('tool response', () => toolResponses(h.server).length === 1);
    expect(toolResponses(h.server)[0]).toEqual({ id: 'fc_12219819411343816471', name: 'lookup', response: { result: 'found it' }, scheduling: 'WHEN_IDLE' });
  });

  it('a cancelled tool call stops with cancelled: true and its late result is not sent', async () => {
    const tools = JSON.stringify([{ name: 'slow', parameters: { type: 'object', properties: {} }, behavior: 'BLOCKING' }]);
    const h = await harness({ replies: [{ toolCalls: [{ name: 'slow' }], botText: 'Done.' }] }, { settings: { tools } });
    let release!: (v: unknown) => void;
    h.client.registerFunctionCallHandler('slow', () => new Promise((r) => (release = r as (v: unknown) => void)) as Promise<Record<string, unknown>>);
    await h.client.connect();
    expect(((h.server.current!.setup!.tools as Array<{ functionDeclarations: Array<Record<string, unknown>> }>)[0]).functionDeclarations[0].behavior).toBe('BLOCKING');
    h.client.sendText('go');
    await waitFor('call in progress', () => h.of('llm-function-call-in-progress').length === 1);
    h.server.current!.interrupt();
    await waitFor('call stopped', () => h.of('llm-function-call-stopped').length === 1);
    expect(h.of('llm-function-call-stopped')[0].data).toMatchObject({ function_name: 'slow', cancelled: true });
    const sent: string[] = [];
    const original = h.transport.sendMessage.bind(h.transport);
    h.transport.sendMessage = (m) => {
      sent.push(m.type);
      original(m);
    };
    release({ ok: true });
    await waitFor('the late result to reach the transport', () => sent.includes('llm-function-call-result'));
    // A marker sent after the late result: once the server has it, any toolResponse would have arrived too.
    h.client.sendText('marker');
    await h.server.waitFor(() => h.server.received.some((f) => JSON.stringify(f.json).includes('marker')), 'the marker message');
    expect(toolResponses(h.server)).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('send-text goes through clientContent on 3.8 and realtimeInput.text on 3.1', async () => {
    const a = await harness({ replies: [{ botText: 'Hi.' }] });
    await a.client.connect();
    a.client.sendText('Hello there');
    await waitFor('reply on 3.8', () => a.of('metrics').length === 1);
    expect(a.server.received.find((f) => f.type === 'clientContent')?.json).toEqual({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello there' }] }], turnComplete: true } });

    const b = await harness({ replies: [{ botText: 'Hi.' }] }, { settings: { model: 'gemini-3.1-flash-live-preview' } });
    await b.client.connect();
    b.client.sendText('Hello there');
    await waitFor('reply on 3.1', () => b.of('metrics').length === 1);
    expect(b.server.received.find((f) => f.type === 'realtimeInput' && !f.audio)?.json).toEqual({ realtimeInput: { text: 'Hello there' } });
    expect(b.server.received.some((f) => f.type === 'clientContent')).toBe(false);
  });

  it('bad key: the token request is refused with the provider message, key scrubbed, no socket opened', async () => {
    const bad = 'AIzaWrongKey_zzzzzzzzzzzzzzzzzzzzzzzzzzz';
    const h = await harness({}, { api_key: bad });
    const err = await h.client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/HTTP 400 INVALID_ARGUMENT\): API key not valid\. Please pass a valid API key\./);
    expect(err?.message).not.toContain(bad);
    expect(h.server.connections).toHaveLength(0);
    await waitFor('disconnected', () => h.transport.state === 'disconnected');
  });

  it('bad key on the plain-key path: close 1007 after setup rejects connect() with code and reason', async () => {
    const bad = 'AIzaWrongKey_yyyyyyyyyyyyyyyyyyyyyyyyyyy';
    const h = await harness({}, { api_key: bad, settings: { auth: 'key-in-url' } });
    const err = await h.client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toContain('code 1007');
    expect(err?.message).toContain(GEMINI_CLOSE_REASONS.badKey);
    expect(err?.message).not.toContain(bad);
    expect(h.server.current!.url).toMatch(/v1beta\.GenerativeService\.BidiGenerateContent\?key=/);
    expect(h.server.current!.received.map((f) => f.type)).toEqual(['setup']);
    expect(JSON.stringify(h.frames)).not.toContain(bad);
  });

  it('unknown model: 1008 with the real reason text', async () => {
    const h = await harness({}, { settings: { model: 'gemini-nope-live' } });
    const err = await h.client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toContain('code 1008');
    expect(err?.message).toContain('models/gemini-nope-live is not found for API version v1alpha, or is not supported for bidiGenerateContent. Call');
  });

  it('unknown or retired model: the message names the model and suggests the current default', async () => {
    const h = await harness({}, { settings: { model: 'gemini-live-2.5-flash-preview' } });
    const err = await h.client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/model "gemini-live-2\.5-flash-preview" is unknown to Gemini Live or retired/);
    expect(err?.message).toContain(`"${DEFAULT_GEMINI_MODEL}"`);
  });

  it('close before setupComplete and a silent server both settle connect()', async () => {
    const h = await harness({ neverCompleteSetup: true });
    const pending = h.client.connect().then(() => null, (e: Error) => e);
    await h.server.waitFor(() => h.server.current?.setup, 'setup');
    h.server.current!.close(1011, 'Internal error encountered.');
    const err = await pending;
    expect(err?.message).toMatch(/code 1011.*Internal error encountered\./);

    const slow = await harness({ neverCompleteSetup: true }, { connect_timeout_ms: 300 });
    const err2 = await slow.client.connect().then(() => null, (e: Error) => e);
    expect(err2?.message).toMatch(/did not become ready within 0\.3 s/);
  });

  it('goAway with resumption: reconnects with the handle and a fresh token, stays ready, loses nothing', async () => {
    const h = await harness({
      replies: [
        { userTranscript: 'First.', botText: 'One.' },
        { userTranscript: 'Second.', botText: 'Two.' },
      ],
    });
    await h.client.connect();
    h.client.sendText('first');
    await waitFor('first turn', () => h.of('metrics').length === 1);
    const handle = await waitFor('a resumption handle after the turn', () => lastHandle(h));
    // Speak into the reconnect gap: that audio must reach the new connection.
    h.transport.setObserver({
      onFrame: (f) => {
        h.frames.push(f);
        if (f.type === 'goAway') queueMicrotask(() => h.media.speak(200));
      },
      onRtvi: (r) => h.rtvi.push(r),
    });
    const statesBefore = h.states.length;
    h.server.current!.goAway(3000);
    await waitFor('session resumed', () => h.transport.resumptions === 1);
    expect(h.server.connections).toHaveLength(2);
    // The first connection's token, then a spare minted ahead (used by this resumption), then the next spare.
    expect(h.server.tokensMinted).toBeLessThanOrEqual(3);
    const second = h.server.connections[1];
    expect(second.setup!.sessionResumption).toEqual({ handle });
    expect(h.server.connections[0].closed).toMatchObject({ by: 'client', code: 1000 });
    expect(h.states.slice(statesBefore)).toEqual([]);
    const resumed = h.of('server-message').map((r) => r.data as Record<string, unknown>).find((d) => d.type === 'session-resumed')!;
    expect(resumed).toMatchObject({ buffered_audio_ms: 200, dropped_audio_ms: 0 });
    const gapBytes = () => second.received.filter((f) => f.audio).reduce((n, f) => n + f.audio!.bytes, 0);
    await h.server.waitFor(() => gapBytes() >= 6400, 'the gap audio on the new connection');
    expect(gapBytes()).toBe(6400);
    expect(second.received[0].type).toBe('setup');
    expect(h.of('server-message').map((r) => (r.data as { type: string }).type)).toContain('go-away');

    h.media.silence(300);
    await waitFor('second turn on the resumed session', () => h.of('metrics').length === 2);
    expect(h.of('bot-output').map((r) => (r.data as { text: string }).text)).toEqual(['One.', 'Two.']);
    expect(h.errors).toEqual([]);
    expect(h.transport.state).toBe('ready');
  });

  it('goAway without resumption: a clear warning before the socket closes, then a fatal error with the reason', async () => {
    const h = await harness({}, { settings: { session_resumption: false } });
    await h.client.connect();
    expect(h.server.current!.setup!.sessionResumption).toBeUndefined();
    h.server.current!.goAway(300);
    await waitFor('warning', () => h.errors.length >= 1);
    expect(h.errors[0]).toMatchObject({ fatal: false });
    expect(h.errors[0].error).toMatch(/close this session in 0 s \(goAway\).*session resumption is off/);
    await waitFor('fatal close', () => h.errors.some((e) => e.fatal));
    const fatal = h.errors.find((e) => e.fatal)!;
    expect(fatal.error).toContain('code 1008');
    expect(fatal.error).toContain('Connection aborted because the client failed to close the connection after receiving a GoAway signal once the session durat');
    await waitFor('disconnected', () => h.transport.state === 'disconnected');
  });

  it('push-to-talk: taps send nothing, a hold sends activityStart/audio/activityEnd, pressing during bot audio interrupts first', async () => {
    const h = await harness({ streamSpeed: 1, replies: [{ botText: 'A long answer that keeps going for a while.', audioMs: 3000 }, { botText: 'Short.' }] }, { settings: { turn_detection: 'push_to_talk' } }, new FakeMediaManager({ playbackSpeed: 1 }));
    await h.client.connect();
    expect(h.server.current!.setup!.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: true } });
    h.media.speak(200); // not pressed: nothing sent
    h.transport.startUserTurn();
    h.media.speak(60);
    h.transport.endUserTurn();
    expect(h.server.current!.received.filter((f) => f.type !== 'setup')).toEqual([]);

    h.transport.startUserTurn();
    h.media.speak(300);
    h.transport.endUserTurn();
    await waitFor('bot audio', () => h.media.buffered.length >= 2);
    const types = h.server.current!.received.map((f) => (f.audio ? 'audio' : JSON.stringify(f.json)));
    expect(types[1]).toBe('{"realtimeInput":{"activityStart":{}}}');
    expect(types.slice(2, 17)).toEqual(Array(15).fill('audio'));
    expect(types[17]).toBe('{"realtimeInput":{"activityEnd":{}}}');

    h.transport.startUserTurn();
    await waitFor('local flush on press', () => h.media.interrupts.length === 1);
    h.media.speak(200);
    h.transport.endUserTurn();
    await waitFor('second answer', () => h.media.samplesFor('gemini-turn-2') > 0);
    expect(h.of('server-message').filter((r) => (r.data as { type: string }).type === 'local-interrupt')).toEqual([]);
    expect(h.server.current!.closed).toBeNull();
  });

  it('muting the mic sends audioStreamEnd; camera frames go as realtimeInput.video only while the camera is on', async () => {
    const h = await harness();
    await h.client.connect();
    h.client.enableMic(false);
    await h.server.waitFor(() => h.server.current!.received.find((f) => f.type === 'realtimeInput'), 'audioStreamEnd');
    expect(h.server.current!.received[1].json).toEqual({ realtimeInput: { audioStreamEnd: true } });
    h.media.emitVideoFrame(new Uint8Array([0xff, 0xd8, 0xff]));
    h.client.enableCam(true);
    h.media.emitVideoFrame(new Uint8Array([0xff, 0xd8, 0xff]));
    const video = await h.server.waitFor(() => h.server.current!.received.find((f) => JSON.stringify(f.json).includes('video')), 'video frame');
    expect(video.json).toEqual({ realtimeInput: { video: { data: '/9j/', mimeType: 'image/jpeg' } } });
    expect(h.server.current!.received.filter((f) => JSON.stringify(f.json).includes('video'))).toHaveLength(1);
  });

  it('the Interrupt button drops the rest of the turn and says what it sent the server', async () => {
    const h = await harness({ streamSpeed: 1, replies: [{ botText: 'A long answer that keeps going.', audioMs: 2000 }] }, {}, new FakeMediaManager({ playbackSpeed: 1 }));
    await h.client.connect();
    h.client.sendText('talk');
    await waitFor('audio', () => h.media.buffered.length >= 2);
    await h.transport.interruptBot();
    const count = h.media.buffered.length;
    // The server was told: it answers interrupted and ends the turn long before the 2 s of audio.
    await waitFor('turn end', () => h.of('bot-llm-stopped').length === 1, 1500);
    await waitFor('the turnComplete after interrupted', () => h.frames.some((f) => f.direction === 'in' && JSON.stringify(f.payload).includes('"turnComplete":true')), 1500);
    expect(h.media.buffered.length).toBe(count);
    const note = h.of('server-message').find((r) => (r.data as { type: string }).type === 'local-interrupt')!.data as Record<string, unknown>;
    expect(note.server_notified).toBe(true);
  });

  it('reports the output transcription as spoken only as its audio plays; Interrupt reports the unheard rest as not spoken', async () => {
    const text = 'It is sunny today in Paris and warm too.';
    const h = await harness({ streamSpeed: 20, turnCompleteDelay: 0, replies: [{ botText: text, audioMs: 2000 }] }, {}, new FakeMediaManager({ playbackSpeed: 0 }));
    await h.client.connect();
    h.client.sendText('weather');
    await waitFor('the whole turn received', () => h.of('bot-llm-stopped').length === 1 && h.media.queuedSamples >= 48_000, 6000);
    expect(h.of('bot-tts-text')).toEqual([]);
    expect(h.of('bot-output')).toEqual([]);
    h.media.advancePlayback(700);
    await waitFor('the first words', () => h.of('bot-tts-text').length > 0);
    const heard = h.of('bot-tts-text').map((r) => (r.data as { text: string }).text).join('');
    expect(text.startsWith(heard.trim())).toBe(true);
    expect(heard.trim().length).toBeLessThan(text.length / 2);
    await h.transport.interruptBot();
    await waitFor('the cut-off report', () => h.of('bot-output').length > 0);
    const outputs = h.of('bot-output').map((r) => r.data as Record<string, unknown>);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ text, spoken_status: 'in-progress', spoken_progress: { accumulated_text: heard.trim() } });
  });

  it('server voiceActivity drives user speaking events and replaces the local detector', async () => {
    const h = await harness();
    await h.client.connect();
    h.media.emitLocalSpeech(true);
    await waitFor('local VAD event', () => h.of('user-started-speaking').length === 1);
    expect(h.of('user-started-speaking')[0].data).toEqual({ source: 'local-vad' });
    h.media.emitLocalSpeech(false);
    h.server.current!.send({ serverContent: {}, voiceActivity: { type: 'ACTIVITY_START', audioOffset: '6.680s' } });
    await waitFor('provider VAD event', () => h.of('user-started-speaking').length === 2);
    expect(h.of('user-started-speaking')[1].data).toEqual({ source: 'provider' });
    h.media.emitLocalSpeech(true);
    h.server.current!.send({ serverContent: {}, voiceActivity: { type: 'ACTIVITY_END', audioOffset: '7.100s' } });
    await waitFor('provider stop', () => h.of('user-stopped-speaking').some((r) => (r.data as { source: string }).source === 'provider'));
    expect(h.of('user-started-speaking')).toHaveLength(2);
  });

  it('a malformed frame is reported and skipped; an abrupt close is a fatal error with the code', async () => {
    const h = await harness();
    await h.client.connect();
    h.server.current!.send('not json' as unknown);
    h.server.current!.sendText('{broken');
    await waitFor('malformed reported', () => h.frames.filter((f) => f.malformed).length === 2);
    expect(h.errors.filter((e) => !e.fatal)).toHaveLength(2);
    expect(h.transport.state).toBe('ready');
    // 1011 would be resumed once (a handle exists); 1007 is not resumable.
    h.server.current!.close(1007, 'Request contains an invalid argument.');
    await waitFor('fatal error', () => h.errors.some((e) => e.fatal));
    expect(h.errors.find((e) => e.fatal)!.error).toMatch(/code 1007.*invalid argument/);
    await waitFor('disconnected', () => h.transport.state === 'disconnected');
  });
});

function lastHandle(h: Harness): string | undefined {
  for (let i = h.frames.length - 1; i >= 0; i--) {
    const f = h.frames[i];
    if (f.type !== 'sessionResumptionUpdate') continue;
    const u = (f.payload as { sessionResumptionUpdate: { newHandle?: string } }).sessionResumptionUpdate;
    if (u.newHandle) return u.newHandle;
  }
  return undefined;
}
