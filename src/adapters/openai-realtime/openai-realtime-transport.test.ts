import { OPENAI_DEFAULT_MODEL } from './openai-session-config.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../../test/fakes/fake-openai-server.ts';
import { openAISession, type OpenAITestSession } from '../../../test/fakes/openai-test-session.ts';
import type { OpenAIRealtimeServiceOptions } from './openai-realtime-transport.ts';

let server: FakeOpenAIServer;
const sessions: OpenAITestSession[] = [];

beforeEach(async () => {
  server = await startFakeOpenAIServer();
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.client.disconnect().catch(() => undefined);
  await server.close();
});

function open(options: OpenAIRealtimeServiceOptions = {}, media: { playbackSpeed?: number } = {}): OpenAITestSession {
  const s = openAISession(server, options, media);
  sessions.push(s);
  return s;
}

describe('OpenAI Realtime adapter: connect', () => {
  it('mints an ek_ secret, connects with it in the subprotocol, and is ready only after session.updated answers our session.update', async () => {
    const s = open({ settings: { instructions: 'Be brief.', voice: 'cedar' } });
    await s.client.connect();
    expect(s.states).toEqual(['initializing', 'initialized', 'connecting', 'connected', 'ready']);

    expect(server.secretRequests).toHaveLength(1);
    const mint = server.secretRequests[0];
    expect(mint.authorized).toBe(true);
    expect((mint.body as { session: { type: string; model: string } }).session).toMatchObject({ type: 'realtime', model: 'gpt-realtime-1.5' });

    const hs = server.handshakes[0];
    expect(hs.model).toBe('gpt-realtime-1.5');
    expect(hs.protocols[0]).toBe('realtime');
    expect(hs.credential).toBe(mint.value);
    expect(hs.credential).toMatch(/^ek_/);
    expect(hs.protocols.join(',')).not.toContain(server.apiKey);

    const update = server.receivedOfType('session.update')[0];
    expect(update.event.event_id).toEqual(expect.any(String));
    const session = server.sessions[0] as { instructions: string; audio: { input: { format: unknown; transcription: unknown; turn_detection: { type: string } }; output: { voice: string } } };
    expect(session.instructions).toBe('Be brief.');
    expect(session.audio.output.voice).toBe('cedar');
    expect(session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(session.audio.input.transcription).toEqual({ model: 'gpt-transcribe' });
    expect(session.audio.input.turn_detection.type).toBe('server_vad');
    expect(server.sentOfType('error')).toHaveLength(0);

    // bot-ready is linked to the session.updated frame, which came after session.created.
    const ready = s.ofType('bot-ready')[0];
    const readyFrame = s.frames.find((f) => f.id === ready.sourceFrameIds[0]);
    expect(readyFrame?.type).toBe('session.updated');
    const created = s.frames.find((f) => f.type === 'session.created');
    expect(created!.id).toBeLessThan(readyFrame!.id);

    // Every client event carries an event_id, on the wire and in the observer.
    for (const f of server.received) expect(f.event.event_id, f.type).toEqual(expect.any(String));
    for (const f of s.frames.filter((x) => x.direction === 'out')) expect((f.payload as { event_id?: string }).event_id).toEqual(expect.any(String));
    // The minted secret never shows in what the inspector gets.
    expect(JSON.stringify(s.frames)).not.toContain(mint.value!);
  });

  it('uses a pasted ek_ secret as is, and the long-lived key in the subprotocol only when asked to', async () => {
    const res = await fetch(`${server.httpUrl}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }),
    });
    const { value } = (await res.json()) as { value: string };
    const a = open({ api_key: `  ${value}\n` });
    await a.client.connect();
    expect(server.secretRequests).toHaveLength(1);
    expect(server.handshakes[0].credential).toBe(value);
    await a.client.disconnect();

    const b = open({ settings: { auth: 'api-key-in-subprotocol' } });
    await b.client.connect();
    expect(server.secretRequests).toHaveLength(1);
    expect(server.handshakes[1].credential).toBe(server.apiKey);
    expect(JSON.stringify(b.frames)).not.toContain(server.apiKey);
  });

  it('refuses a key with characters a subprotocol cannot carry, without quoting it', async () => {
    const key = 'sk-proj-abc def"ghi';
    const s = open({ api_key: key });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/characters that cannot be sent/);
    expect(err.message).not.toContain('abc def');
    expect(server.handshakes).toHaveLength(0);
  });

  it('rejects connect() at once with code and message when the server rejects our session.update', async () => {
    // Sent straight in the handshake: with a minted secret the same settings fail at the mint already.
    const s = open({ settings: { voice: 'robot-voice', auth: 'api-key-in-subprotocol' } });
    const started = Date.now();
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('invalid_value');
    expect(err.message).toContain("Invalid value: 'robot-voice'");
    expect(Date.now() - started).toBeLessThan(3000);
    const serverError = server.sentOfType('error')[0].event as { error: { event_id: string } };
    expect(serverError.error.event_id).toBe(server.receivedOfType('session.update')[0].event.event_id);
    await s.waitFor('state disconnected', () => s.transport.state === 'disconnected');
  });

  it('bad key: the server answers invalid_api_key then closes 3000; connect() rejects with code and reason and the key appears nowhere', async () => {
    const badKey = 'sk-proj-thisIsNotAValidKey0123456789';
    const s = open({ api_key: badKey, settings: { auth: 'api-key-in-subprotocol' } });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error & { code?: number; reason?: string };
    expect(err.message).toContain('3000');
    expect(err.message).toContain('invalid_request_error.invalid_api_key');
    expect(err.code).toBe(3000);
    // The fake echoes the key like the live service does; nothing the panel shows may carry it.
    expect(JSON.stringify(server.sentOfType('error')[0].event)).toContain(badKey);
    const shown = JSON.stringify({ message: err.message, frames: s.frames, rtvi: s.rtvi, errors: s.errors });
    expect(shown).not.toContain(badKey);
    expect(shown).toContain('[redacted]');
    expect(s.frames.some((f) => f.type === 'error')).toBe(true);
    expect(s.frames.find((f) => f.type === 'close')?.payload).toEqual({ code: 3000, reason: 'invalid_request_error.invalid_api_key' });
  });

  it('bad key while minting: connect() rejects with the HTTP status and the key scrubbed', async () => {
    const badKey = 'sk-proj-wrongwrongwrong0123456789';
    const s = open({ api_key: badKey });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('401');
    expect(err.message).toContain('invalid_api_key');
    expect(err.message).not.toContain(badKey);
    expect(server.handshakes).toHaveLength(0);
  });

  it('unknown model: the server closes 4004 model_not_found and connect() says so', async () => {
    const s = open({ settings: { model: 'gpt-4o-realtime-preview' } });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error & { code?: number };
    expect(err.code).toBe(4004);
    expect(err.message).toContain('invalid_request_error.model_not_found');
    expect(server.handshakes[0].model).toBe('gpt-4o-realtime-preview');
  });

  it('unknown or retired model: the message names the model and suggests the current default', async () => {
    const s = open({ settings: { model: 'gpt-4o-realtime-preview' } });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/model "gpt-4o-realtime-preview" is unknown to OpenAI Realtime or retired/);
    expect(err.message).toContain(`"${OPENAI_DEFAULT_MODEL}"`);
  });

  it('connect() settles with a timeout when the server never answers session.update', async () => {
    await server.close();
    server = await startFakeOpenAIServer({ ignoreSessionUpdate: true });
    const s = open({ connect_timeout_ms: 400 });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/did not become ready within 0.4 s/);
  });
});

describe('OpenAI Realtime adapter: a server-VAD voice turn', () => {
  it('maps speech, transcripts both ways, audio, usage and rate limits to RTVI, with 24 kHz audio in 20 ms chunks', async () => {
    const s = open({}, { playbackSpeed: 20 });
    await s.client.connect();
    s.media.speak(400);
    s.media.silence(700);

    await s.waitForRtvi('bot-llm-stopped');
    await s.waitForRtvi('bot-stopped-speaking');
    const types = s.rtvi.map((r) => r.type);
    expect(types.indexOf('user-started-speaking')).toBeLessThan(types.indexOf('user-stopped-speaking'));
    expect(types.indexOf('user-stopped-speaking')).toBeLessThan(types.indexOf('bot-llm-started'));

    // Transcription: partials carry the text so far, then the final.
    await s.waitFor('final user transcription', () => s.ofType('user-transcription').some((r) => (r.data as { final: boolean }).final));
    const transcripts = s.ofType('user-transcription').map((r) => r.data as { text: string; final: boolean });
    expect(transcripts.at(-1)).toMatchObject({ text: 'Hello there.', final: true });
    expect(transcripts.slice(0, -1).every((t) => !t.final && 'Hello there.'.startsWith(t.text))).toBe(true);
    expect(transcripts.length).toBeGreaterThan(1);

    // Bot text: released as its audio plays (word runs, not the provider's deltas; text that arrives
    // after its audio played goes out at once); bot-output per sentence.
    await s.waitFor('all bot text', () => s.ofType('bot-output').length === 2);
    const ttsText = s.ofType('bot-tts-text').map((r) => (r.data as { text: string }).text).join('');
    expect(ttsText).toBe('Hi! How can I help?');
    const typesNow = s.rtvi.map((r) => r.type);
    expect(typesNow.indexOf('bot-tts-text')).toBeGreaterThan(typesNow.indexOf('bot-started-speaking'));
    const outputs = s.ofType('bot-output').map((r) => r.data as { text: string; aggregated_by: string });
    expect(outputs.map((o) => o.text)).toEqual(['Hi!', 'How can I help?']);
    expect(outputs.every((o) => o.aggregated_by === 'sentence')).toBe(true);

    // Audio went to the player under the assistant item id, all of it.
    const itemId = (server.sentOfType('response.output_item.added')[0].event as { item: { id: string } }).item.id;
    const sentSamples = server.sentOfType('response.output_audio.delta').reduce((n, f) => n + Number(/<(\d+) bytes>/.exec(String(f.event.delta))![1]) / 2, 0);
    expect(s.media.samplesFor(itemId)).toBe(sentSamples);
    expect(s.ofType('bot-started-speaking')[0].data).toMatchObject({ item_id: itemId });

    // Usage → metrics in the Pipecat shape; rate limits → server-message.
    const metrics = s.ofType('metrics')[0].data as { tokens: Array<{ prompt_tokens: number; completion_tokens: number; total_tokens: number }> };
    const usage = (server.sentOfType('response.done')[0].event as { response: { usage: { input_tokens: number; output_tokens: number; total_tokens: number } } }).response.usage;
    expect(metrics.tokens[0]).toMatchObject({ prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens });
    await s.waitFor('rate limits', () => s.ofType('server-message').some((r) => (r.data as { type: string }).type === 'rate_limits'));

    // Capture: 24 kHz PCM16 in 20 ms chunks (960 bytes), summarised in the observer.
    const appends = server.receivedOfType('input_audio_buffer.append');
    expect(appends.length).toBeGreaterThan(40);
    expect(appends.every((f) => f.audioBytes === 960)).toBe(true);
    const appendFrames = s.frames.filter((f) => f.type === 'input_audio_buffer.append');
    expect(appendFrames[0].audio).toEqual({ bytes: 960, durationMs: 20, sampleRate: 24000 });
    const deltaFrame = s.frames.find((f) => f.type === 'response.output_audio.delta')!;
    expect(deltaFrame.audio?.sampleRate).toBe(24000);
    expect(JSON.stringify(deltaFrame.payload)).not.toMatch(/[A-Za-z0-9+/]{200}/);

    // RTVI messages link to the frames they came from.
    const started = s.ofType('user-started-speaking')[0];
    expect(s.frames.find((f) => f.id === started.sourceFrameIds[0])?.type).toBe('input_audio_buffer.speech_started');
    // Server VAD owns the speaking events: the local detector stays quiet.
    const before = s.ofType('user-started-speaking').length;
    s.media.emitLocalSpeech(true);
    expect(s.ofType('user-started-speaking').length).toBe(before);
    // The session's expiry countdown is announced.
    const expiry = s.ofType('server-message').find((r) => (r.data as { type: string }).type === 'session_expiry');
    expect((expiry?.data as { expires_at: number }).expires_at).toBe((server.sessions[0] as { expires_at: number }).expires_at);
  });
});
