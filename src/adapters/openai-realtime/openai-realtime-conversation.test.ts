import { RTVIMessage } from '@pipecat-ai/client-js';
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

async function connected(options: OpenAIRealtimeServiceOptions = {}, media: { playbackSpeed?: number } = {}): Promise<OpenAITestSession> {
  const s = openAISession(server, options, media);
  sessions.push(s);
  await s.client.connect();
  return s;
}

const WEATHER_TOOL = JSON.stringify([
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  { name: 'get_time', description: 'Local time for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
]);

function assistantItemId(index = 0): string {
  const added = server.sentOfType('response.output_item.added').filter((f) => (f.event as { item: { type: string } }).item.type === 'message');
  return (added[index].event as { item: { id: string } }).item.id;
}

describe('OpenAI Realtime adapter: barge-in and interrupt', () => {
  it('flushes playback on speech_started and truncates the item being played at the ms actually played', async () => {
    server.queueResponse({ text: 'Sure, the capital of France is Paris, a city on the Seine.', audioMs: 4000, deltaMs: 100, intervalMs: 5 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('Tell me about France');
    await s.waitFor('1.5 s of bot audio queued', () => server.sentOfType('response.output_audio.delta').length >= 15 && s.media.queuedSamples >= 36_000);
    const itemId = assistantItemId();
    s.media.advancePlayback(1230);
    expect(s.media.playedSamples(itemId)).toBe(1230 * 24);

    s.media.speak(200);
    const truncate = await server.waitForReceived('conversation.item.truncate');
    expect(truncate.event).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 1230 });
    await server.waitForSent('conversation.item.truncated');
    expect(server.sentOfType('error')).toHaveLength(0);
    // Playback is silent at once, and audio still in flight for the cut item is not queued again.
    expect(s.media.queuedSamples).toBe(0);
    expect(s.media.interrupts).toHaveLength(1);
    await s.waitForRtvi('bot-stopped-speaking');
    const queuedAfterCut = s.media.samplesFor(itemId);
    await server.waitFor(() => server.sentOfType('response.done')[0], 'the cancelled response.done');
    expect((server.sentOfType('response.done')[0].event as { response: { status: string } }).response.status).toBe('cancelled');
    expect(s.media.samplesFor(itemId)).toBe(queuedAfterCut);
    // The cut sentence is reported as not fully spoken.
    const outputs = s.ofType('bot-output').map((r) => r.data as { spoken_status: string });
    expect(outputs.at(-1)?.spoken_status).toBe('in-progress');
    // The adapter did not cancel: server VAD with interrupt_response does that itself.
    expect(server.receivedOfType('response.cancel')).toHaveLength(0);
  });

  it('Interrupt button: response.cancel only while a response is active, truncation at the played position', async () => {
    server.queueResponse({ text: 'A long answer that keeps going for a while.', audioMs: 3000, deltaMs: 100, intervalMs: 5 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('Talk');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 24_000);
    const itemId = assistantItemId();
    s.media.advancePlayback(400);
    await s.transport.interruptBot();
    const cancel = await server.waitForReceived('response.cancel');
    expect(cancel.event.event_id).toEqual(expect.any(String));
    const truncate = await server.waitForReceived('conversation.item.truncate');
    expect(truncate.event).toMatchObject({ item_id: itemId, audio_end_ms: 400 });
    await s.waitForRtvi('bot-llm-stopped');
    expect(server.sentOfType('error')).toHaveLength(0);

    // Nothing active any more: a second press sends no cancel (which would earn response_cancel_not_active).
    await s.transport.interruptBot();
    expect(server.receivedOfType('response.cancel')).toHaveLength(1);
    expect(server.sentOfType('error')).toHaveLength(0);
  });
});

describe('OpenAI Realtime adapter: push to talk', () => {
  it('clears on press, commits and asks for a response on release, and sends nothing for a too-short tap', async () => {
    const s = await connected({ settings: { turn_detection: 'push_to_talk' } }, { playbackSpeed: 20 });
    expect((server.sessions[0] as { audio: { input: { turn_detection: unknown } } }).audio.input.turn_detection).toBeNull();
    // Not holding the button: the microphone's audio stays local.
    s.media.speak(200);
    expect(server.receivedOfType('input_audio_buffer.append')).toHaveLength(0);
    // The local detector drives the speaking events when the server has no VAD.
    s.media.emitLocalSpeech(true);
    expect(s.ofType('user-started-speaking')).toHaveLength(1);
    s.media.emitLocalSpeech(false);

    // A tap: 40 ms of audio, under the 100 ms the server needs.
    s.transport.startUserTurn();
    s.media.speak(40);
    s.transport.endUserTurn();
    const notice = s.ofType('error').at(-1)!.data as { fatal: boolean; notice: string; message: string };
    expect(notice).toMatchObject({ fatal: false, notice: 'turn_too_short' });
    expect(notice.message).toMatch(/too short/);
    await server.waitForSent('input_audio_buffer.cleared');
    expect(server.receivedOfType('input_audio_buffer.commit')).toHaveLength(0);
    expect(server.receivedOfType('response.create')).toHaveLength(0);

    // A real turn.
    s.transport.startUserTurn();
    s.media.speak(300);
    s.transport.endUserTurn();
    await server.waitForReceived('response.create');
    const types = server.received.map((f) => f.type).filter((t) => t !== 'input_audio_buffer.append');
    expect(types.slice(-3)).toEqual(['input_audio_buffer.clear', 'input_audio_buffer.commit', 'response.create']);
    await s.waitForRtvi('bot-llm-stopped');
    await s.waitFor('final transcript', () => s.ofType('user-transcription').some((r) => (r.data as { final: boolean }).final));
    expect(server.sentOfType('error')).toHaveLength(0);
    expect(server.sentOfType('input_audio_buffer.committed')).toHaveLength(1);
  });

  it('pressing while the bot speaks interrupts it first', async () => {
    server.queueResponse({ text: 'Let me tell you a long story about a lighthouse.', audioMs: 3000, intervalMs: 5 });
    const s = await connected({ settings: { turn_detection: 'push_to_talk' } }, { playbackSpeed: 0 });
    s.client.sendText('story please');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 12_000);
    s.media.advancePlayback(250);
    s.transport.startUserTurn();
    const truncate = await server.waitForReceived('conversation.item.truncate');
    expect(truncate.event).toMatchObject({ item_id: assistantItemId(), audio_end_ms: 250 });
    expect(server.receivedOfType('response.cancel')).toHaveLength(1);
    s.media.speak(200);
    s.transport.endUserTurn();
    await server.waitForSent('response.created', 2);
    expect(server.sentOfType('error')).toHaveLength(0);
  });
});

describe('OpenAI Realtime adapter: text', () => {
  it('send-text creates an input_text item and a response; text output arrives as bot-llm-text and bot-output', async () => {
    const s = await connected({ settings: { output_modality: 'text' } });
    s.client.sendText('What is the capital of France?');
    await s.waitForRtvi('bot-llm-stopped');
    const create = server.receivedOfType('conversation.item.create')[0].event as { item: unknown };
    expect(create.item).toEqual({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is the capital of France?' }] });
    expect(server.receivedOfType('response.create')).toHaveLength(1);
    const llmText = s.ofType('bot-llm-text').map((r) => (r.data as { text: string }).text).join('');
    expect(llmText).toBe('You said: What is the capital of France?.');
    const outputs = s.ofType('bot-output').map((r) => r.data as { text: string; spoken: boolean });
    expect(outputs.map((o) => o.text).join(' ')).toBe(llmText);
    expect(outputs.every((o) => o.spoken === false)).toBe(true);
    expect(s.media.buffered).toHaveLength(0);
    expect(s.ofType('bot-tts-text')).toHaveLength(0);
  });

  it('send-text while the bot speaks cancels first, so the new response is accepted', async () => {
    server.queueResponse({ text: 'A long and winding answer.', audioMs: 3000, intervalMs: 5 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('first');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 12_000);
    s.media.advancePlayback(300);
    s.client.sendText('never mind, something else');
    await server.waitForSent('response.created', 2);
    const order = server.received.map((f) => f.type).filter((t) => t !== 'input_audio_buffer.append' && t !== 'session.update');
    // Truncate before the new turn (issue 12 item 3); the new response only after the cancelled one is done.
    expect(order).toEqual(['conversation.item.create', 'response.create', 'response.cancel', 'conversation.item.truncate', 'conversation.item.create', 'response.create']);
    expect((await server.waitForReceived('conversation.item.truncate')).event).toMatchObject({ item_id: assistantItemId(0), audio_end_ms: 300 });
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('initial_messages become conversation items before the first response, and client-message is refused plainly', async () => {
    const s = await connected({
      initial_messages: [
        { role: 'system', content: 'Speak like a pirate.' },
        { role: 'user', content: 'Ahoy?' },
        { role: 'assistant', content: 'Arr.' },
      ],
    });
    await server.waitForSent('conversation.item.done', 3);
    const items = server.receivedOfType('conversation.item.create').map((f) => (f.event as { item: { role: string; content: Array<{ type: string }> } }).item);
    expect(items.map((i) => [i.role, i.content[0].type])).toEqual([
      ['system', 'input_text'],
      ['user', 'input_text'],
      ['assistant', 'output_text'],
    ]);
    expect(server.receivedOfType('response.create')).toHaveLength(0);
    s.client.sendClientMessage('custom', { a: 1 });
    const err = s.ofType('error').at(-1)!.data as { fatal: boolean; message: string };
    expect(err.fatal).toBe(false);
    expect(err.message).toMatch(/no channel for client messages/);
  });
});

describe('OpenAI Realtime adapter: tools', () => {
  it('function call round trip with an instant mock reply: output item, then exactly one response.create after response.done', async () => {
    server.queueResponse({ functionCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const s = await connected({ settings: { tools: WEATHER_TOOL } });
    expect((server.sessions[0] as { tools: Array<{ type: string; name: string }> }).tools.map((t) => [t.type, t.name])).toEqual([
      ['function', 'get_weather'],
      ['function', 'get_time'],
    ]);
    const calls: unknown[] = [];
    s.client.registerFunctionCallHandler('get_weather', async (p) => {
      calls.push(p.arguments);
      return { tempC: 18, sky: 'cloudy' };
    });
    s.client.sendText('Weather in Paris?');
    await s.waitForRtvi('bot-llm-stopped', 2);
    expect(calls).toEqual([{ city: 'Paris' }]);

    const callId = (server.sentOfType('response.function_call_arguments.done')[0].event as { call_id: string }).call_id;
    const output = server.receivedOfType('conversation.item.create').map((f) => f.event as { item: { type: string; call_id?: string; output?: string } }).find((e) => e.item.type === 'function_call_output')!;
    expect(output.item).toEqual({ type: 'function_call_output', call_id: callId, output: '{"tempC":18,"sky":"cloudy"}' });
    const creates = server.receivedOfType('response.create');
    expect(creates).toHaveLength(2);
    const firstDone = server.sentOfType('response.done')[0];
    expect(creates[1].seq).toBeGreaterThan(firstDone.seq);
    expect(server.sentOfType('error')).toHaveLength(0);
    expect(s.ofType('llm-function-call-in-progress')[0].data).toMatchObject({ function_name: 'get_weather', tool_call_id: callId, arguments: { city: 'Paris' } });
    expect(s.ofType('llm-function-call-stopped')[0].data).toMatchObject({ tool_call_id: callId, cancelled: false });
    const said = s.ofType('bot-output').map((r) => (r.data as { text: string }).text).join(' ');
    expect(said).toContain('tempC');
  });

  it('two calls in one response: one response.create, only after both are answered', async () => {
    server.queueResponse({
      functionCalls: [
        { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { name: 'get_time', arguments: '{"city":"Oslo"}' },
      ],
    });
    const s = await connected({ settings: { tools: WEATHER_TOOL } });
    let releaseTime!: () => void;
    s.client.registerFunctionCallHandler('get_weather', async () => ({ tempC: 3 }));
    s.client.registerFunctionCallHandler('get_time', () =>
      new Promise((r) => {
        releaseTime = () => r({ time: '09:00' });
      }),
    );
    s.client.sendText('Weather and time in Oslo?');
    await server.waitForSent('response.done');
    await server.waitFor(() => server.receivedOfType('conversation.item.create').filter((f) => (f.event as { item: { type: string } }).item.type === 'function_call_output').length === 1 || null, 'the first function output');
    // One call answered, one pending, response done: no response.create yet.
    expect(server.receivedOfType('response.create')).toHaveLength(1);
    releaseTime();
    await server.waitForReceived('response.create', 2);
    await s.waitForRtvi('bot-llm-stopped', 2);
    expect(server.receivedOfType('response.create')).toHaveLength(2);
    const outputs = server.receivedOfType('conversation.item.create').filter((f) => (f.event as { item: { type: string } }).item.type === 'function_call_output');
    expect(outputs).toHaveLength(2);
    expect(server.receivedOfType('response.create')[1].seq).toBeGreaterThan(outputs[1].seq);
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('arguments that are not JSON: an error message, an {error} answer, and the conversation continues', async () => {
    server.queueResponse({ functionCalls: [{ name: 'get_weather', arguments: '{"city": Paris' }] });
    const s = await connected({ settings: { tools: WEATHER_TOOL } });
    let handlerRan = false;
    s.client.registerFunctionCallHandler('get_weather', async () => {
      handlerRan = true;
      return {};
    });
    s.client.sendText('Weather?');
    await s.waitForRtvi('bot-llm-stopped', 2);
    expect(handlerRan).toBe(false);
    const output = server.receivedOfType('conversation.item.create').map((f) => f.event as { item: { type: string; output?: string } }).find((e) => e.item.type === 'function_call_output')!;
    expect(JSON.parse(output.item.output!).error).toMatch(/invalid JSON arguments/);
    expect(s.ofType('error').some((r) => /not a JSON object/.test((r.data as { message: string }).message))).toBe(true);
    expect(server.sentOfType('error')).toHaveLength(0);
  });
});

describe('OpenAI Realtime adapter: live settings, errors and closes', () => {
  it('applies live settings with another session.update and reports what needs a reconnect', async () => {
    const s = await connected({ settings: { instructions: 'One.' } });
    const needReconnect = await s.transport.updateSettings({ instructions: 'Two.', turn_detection: 'semantic_vad', eagerness: 'high', model: 'gpt-realtime-2' });
    expect(needReconnect).toEqual(['model']);
    const session = server.sessions[0] as { instructions: string; audio: { input: { turn_detection: { type: string; eagerness: string } } } };
    expect(session.instructions).toBe('Two.');
    expect(session.audio.input.turn_detection).toMatchObject({ type: 'semantic_vad', eagerness: 'high' });
    expect(server.receivedOfType('session.update')).toHaveLength(2);

    // After the model has spoken, the voice is locked for the session.
    s.client.sendText('hi');
    await s.waitForRtvi('bot-llm-stopped');
    const again = await s.transport.updateSettings({ voice: 'ash', instructions: 'Three.' });
    expect(again).toEqual(['voice']);
    const last = server.receivedOfType('session.update').at(-1)!.event as { session: { audio: { output: Record<string, unknown> } } };
    expect(last.session.audio.output.voice).toBeUndefined();
    expect((server.sessions[0] as { instructions: string }).instructions).toBe('Three.');
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('server error events become non-fatal RTVI errors; a malformed frame is reported and skipped', async () => {
    const s = await connected();
    // append-to-context does not interrupt, so a second run while the first is active meets the server's refusal.
    s.transport.sendMessage(new RTVIMessage('append-to-context', { role: 'user', content: 'first', run_immediately: true }));
    s.transport.sendMessage(new RTVIMessage('append-to-context', { role: 'user', content: 'second', run_immediately: true }));
    await s.waitFor('conversation_already_has_active_response', () => s.ofType('error').some((r) => (r.data as { code?: string }).code === 'conversation_already_has_active_response'));
    const err = s.ofType('error').find((r) => (r.data as { code?: string }).code === 'conversation_already_has_active_response')!;
    expect((err.data as { fatal: boolean }).fatal).toBe(false);
    expect(s.frames.find((f) => f.id === err.sourceFrameIds[0])?.type).toBe('error');

    server.sendRaw('this is not json');
    await s.waitFor('malformed frame', () => s.frames.some((f) => f.malformed));
    expect(s.transport.state).toBe('ready');
  });

  it('an abrupt close mid-response ends the session with a fatal error carrying code 1006', async () => {
    server.queueResponse({ text: 'This will be cut off.', audioMs: 2000, intervalMs: 5, abortAfterDeltas: 3 });
    const s = await connected();
    s.client.sendText('go');
    await s.waitFor('disconnected after the drop', () => s.transport.state === 'disconnected');
    const fatal = s.ofType('error').find((r) => (r.data as { fatal: boolean }).fatal)!;
    expect(fatal.data).toMatchObject({ fatal: true, code: 1006 });
    expect((fatal.data as { message: string }).message).toMatch(/lost during the session/);
    expect(s.disconnected()).toBe(1);
    expect(s.media.connected).toBe(false);
  });

  it('a provider close after ready (1011) ends the session with code and reason shown', async () => {
    const s = await connected();
    server.closeConnections(1011, 'server_error.internal');
    await s.waitFor('disconnected', () => s.transport.state === 'disconnected');
    const fatal = s.errors.find((e) => (e as { fatal?: boolean }).fatal) as { code: number; message: string };
    expect(fatal.code).toBe(1011);
    expect(fatal.message).toContain('code 1011');
    expect(fatal.message).toContain('server_error.internal');
  });
});
