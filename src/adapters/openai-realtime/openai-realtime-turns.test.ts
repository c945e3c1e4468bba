import { RTVIMessage } from '@pipecat-ai/client-js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeOpenAIServerOptions } from '../../../test/fakes/fake-openai-server.ts';
import { openAISession, type OpenAITestSession } from '../../../test/fakes/openai-test-session.ts';
import type { OpenAIRealtimeServiceOptions } from './openai-realtime-transport.ts';

/**
 * Turn orchestration against the fake's documented server rules (issue 12, items 1-5): tool_choice
 * semantics, asynchronous cancel, `conversation_already_has_active_response`, the voice lock, and
 * between-turns-only fields.
 */
let server: FakeOpenAIServer;
const sessions: OpenAITestSession[] = [];

async function start(options: FakeOpenAIServerOptions = {}): Promise<void> {
  server = await startFakeOpenAIServer(options);
}

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.client.disconnect().catch(() => undefined);
  await server?.close();
});

async function connected(options: OpenAIRealtimeServiceOptions = {}, media: { playbackSpeed?: number } = {}): Promise<OpenAITestSession> {
  const s = openAISession(server, options, media);
  sessions.push(s);
  await s.client.connect();
  return s;
}

const WEATHER_TOOL = JSON.stringify([
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', description: 'Local time for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
]);

const serverErrors = (code: string) => server.sentOfType('error').filter((e) => (e.event.error as { code?: string }).code === code);
const botText = (s: OpenAITestSession) => s.ofType('bot-output').map((r) => (r.data as { text: string }).text).join(' ');
const nonAudio = () => server.received.filter((f) => f.type !== 'input_audio_buffer.append' && f.type !== 'session.update');

describe('OpenAI Realtime: tool_choice required / named (item 1)', () => {
  for (const choice of ['required', 'get_weather']) {
    it(`tool_choice "${choice}": the follow-up after the tool result is not forced into another call`, async () => {
      await start();
      const s = await connected({ settings: { tools: WEATHER_TOOL, tool_choice: choice } });
      s.client.registerFunctionCallHandler('get_weather', async () => ({ tempC: 18 }));
      s.client.registerFunctionCallHandler('get_time', async () => ({ time: '09:00' }));
      s.client.sendText('Weather in Paris?');
      // With the session's choice forcing a call on every response, only a response-level override ends the loop.
      await s.waitFor('a spoken answer quoting the tool result', () => botText(s).includes('The tool said'), 5000);
      expect(server.sentOfType('response.function_call_arguments.done')).toHaveLength(1);
      const creates = server.receivedOfType('response.create');
      expect(creates).toHaveLength(2);
      expect((creates[0].event as { response?: unknown }).response).toBeUndefined();
      expect(creates[1].event).toMatchObject({ response: { tool_choice: 'auto' } });
      expect(server.sentOfType('error')).toHaveLength(0);
    });
  }

  it('tool_choice auto: the follow-up is a plain response.create', async () => {
    await start();
    server.queueResponse({ functionCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const s = await connected({ settings: { tools: WEATHER_TOOL } });
    s.client.registerFunctionCallHandler('get_weather', async () => ({ tempC: 18 }));
    s.client.sendText('Weather in Paris?');
    await s.waitFor('the answer', () => botText(s).includes('The tool said'));
    expect((server.receivedOfType('response.create')[1].event as { response?: unknown }).response).toBeUndefined();
  });
});

describe('OpenAI Realtime: tool follow-ups under forced tool choice (property)', () => {
  it('property: any number of calls answered in any order and pace, under required or a named choice: one follow-up, after response.done and every output, tool_choice auto, answered', async () => {
    await start();
    const CITIES = ['Oslo', 'Lima', 'Pune'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('required', 'get_weather'),
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: n, maxLength: n }))),
        fc.integer({ min: 0, max: 60 }),
        async (choice, [n, delays], doneDelayMs) => {
          server.received.length = 0;
          server.sent.length = 0;
          server.queueResponse({ functionCalls: CITIES.slice(0, n).map((city, i) => ({ name: 'get_weather', arguments: JSON.stringify({ city }), callId: `call_${i}` })), doneDelayMs });
          const s = await connected({ settings: { tools: WEATHER_TOOL, tool_choice: choice } });
          try {
            s.client.registerFunctionCallHandler('get_weather', async (p) => {
              const city = (p.arguments as { city?: string }).city ?? '?';
              await new Promise((r) => setTimeout(r, delays[CITIES.indexOf(city)] ?? 0));
              return { city };
            });
            s.client.sendText('Weather?');
            await s.waitFor('the answer quoting the tool results', () => botText(s).includes('The tool said'), 5000);
            const outputs = server.receivedOfType('conversation.item.create').filter((f) => (f.event as { item: { type: string } }).item.type === 'function_call_output');
            expect(outputs).toHaveLength(n);
            // Each output reaches the call named by its id, whatever order they were answered in.
            for (const o of outputs) {
              const item = (o.event as { item: { call_id: string; output: string } }).item;
              expect(JSON.parse(item.output)).toEqual({ city: CITIES[Number(item.call_id.slice(5))] });
            }
            const creates = server.receivedOfType('response.create');
            expect(creates).toHaveLength(2);
            expect(creates[1].event).toMatchObject({ response: { tool_choice: 'auto' } });
            expect(creates[1].seq).toBeGreaterThan(Math.max(server.sentOfType('response.done')[0].seq, ...outputs.map((o) => o.seq)));
            expect(server.sentOfType('error')).toHaveLength(0);
          } finally {
            sessions.splice(sessions.indexOf(s), 1);
            await s.client.disconnect();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 90_000);
});

describe('OpenAI Realtime: a new turn during an active reply (items 2 and 3)', () => {
  it('typed text during a reply: cancel, wait for the cancelled response.done, truncate first, then the new item and response.create; the message is answered', async () => {
    await start({ cancelLagMs: 150 });
    server.queueResponse({ text: 'A long and winding answer about many things.', audioMs: 3000, intervalMs: 5 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('first');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 12_000);
    s.media.advancePlayback(300);
    s.client.sendText('never mind, something else');
    await s.waitFor('the answer to the typed message', () => botText(s).includes('You said: never mind, something else.'));
    expect(serverErrors('conversation_already_has_active_response')).toHaveLength(0);
    const order = nonAudio().map((f) => f.type);
    expect(order).toEqual(['conversation.item.create', 'response.create', 'response.cancel', 'conversation.item.truncate', 'conversation.item.create', 'response.create']);
    const cancelledDone = server.sentOfType('response.done')[0];
    expect((cancelledDone.event as { response: { status: string } }).response.status).toBe('cancelled');
    expect(server.receivedOfType('response.create')[1].seq).toBeGreaterThan(cancelledDone.seq);
    expect(server.receivedOfType('conversation.item.truncate')[0].event).toMatchObject({ audio_end_ms: 300 });
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('push to talk pressed during a reply: the released turn is answered (no active-response refusal), truncate before the commit', async () => {
    await start({ cancelLagMs: 150 });
    server.queueResponse({ text: 'Let me tell you a long story about a lighthouse.', audioMs: 3000, intervalMs: 5 });
    const s = await connected({ settings: { turn_detection: 'push_to_talk' } }, { playbackSpeed: 0 });
    s.client.sendText('story please');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 12_000);
    s.media.advancePlayback(250);
    s.transport.startUserTurn();
    s.media.speak(200);
    s.transport.endUserTurn();
    await server.waitForSent('response.created', 2);
    await s.waitForRtvi('bot-llm-stopped', 2);
    expect(serverErrors('conversation_already_has_active_response')).toHaveLength(0);
    const order = nonAudio().map((f) => f.type).filter((t) => t !== 'input_audio_buffer.clear');
    expect(order.slice(2)).toEqual(['response.cancel', 'conversation.item.truncate', 'input_audio_buffer.commit', 'response.create']);
  });

  it('a cancelled response.done that never comes: the new turn goes out after the bound, and the wait is logged', async () => {
    // The fake is told to take longer than the adapter waits; the server then refuses, and the user sees why.
    await start({ cancelLagMs: 4000 });
    server.queueResponse({ text: 'A very long answer that keeps on going for quite some time.', audioMs: 8000, deltaMs: 100, intervalMs: 60 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('first');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 4800);
    s.client.sendText('second');
    await server.waitForReceived('response.create', 2, 5000);
    expect(s.ofType('server-message').some((r) => (r.data as { code?: string }).code === 'cancel_wait_timeout')).toBe(true);
  }, 10_000);

  it('property: whatever the cancel lag, the stream pace and when the user types, a typed message during or just after a reply is answered once, truncate first, never refused', async () => {
    let lag = 0;
    await start({ cancelLagMs: () => lag, transcriptionDelayMs: 1 });
    await fc.assert(
      // cancelLag: where the cancelled response.done lands among the remaining deltas (or after the
      // stream ran out: then it is `cancelled` with a completed item, as in one capture); pace and
      // deltasFirst: whether the reply is still active, done but still playing, or done at the server
      // while the adapter has not heard yet (then the cancel meets response_cancel_not_active).
      fc.asyncProperty(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 12 }), async (cancelLag, pace, deltasFirst, playedCs) => {
        lag = cancelLag;
        server.received.length = 0;
        server.sent.length = 0;
        server.queueResponse({ text: 'one two three four five six seven eight nine ten.', audioMs: 2000, deltaMs: 100, intervalMs: pace });
        const s = await connected({}, { playbackSpeed: 0 });
        try {
          s.client.sendText('first');
          await s.waitFor(`${deltasFirst} audio deltas queued`, () => s.media.queuedSamples >= deltasFirst * 2400);
          s.media.advancePlayback(playedCs * 10);
          const question = `question ${cancelLag} ${pace} ${deltasFirst}`;
          s.client.sendText(question);
          await s.waitFor('the answer', () => botText(s).includes(`You said: ${question}.`), 5000);
          expect(serverErrors('conversation_already_has_active_response')).toHaveLength(0);
          expect(server.receivedOfType('response.cancel').length).toBeLessThanOrEqual(1);
          const types = nonAudio().map((f) => f.type);
          const newItem = types.lastIndexOf('conversation.item.create');
          const truncate = types.indexOf('conversation.item.truncate');
          if (truncate >= 0) expect(truncate).toBeLessThan(newItem);
          expect(server.receivedOfType('response.create')).toHaveLength(2);
          // Nothing of this reaches the user as an error (a late cancel is an info row).
          expect(s.ofType('error')).toHaveLength(0);
        } finally {
          sessions.splice(sessions.indexOf(s), 1);
          await s.client.disconnect();
        }
      }),
      { numRuns: 12 },
    );
  }, 90_000);
});

describe('OpenAI Realtime: live session.update truth (item 4)', () => {
  it('speed changed during a reply waits for the reply to end, then applies', async () => {
    await start();
    server.queueResponse({ text: 'A reply that takes a while to say.', audioMs: 1500, intervalMs: 10 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('talk');
    await server.waitForSent('response.output_audio.delta');
    const needReconnect = await s.transport.updateSettings({ speed: 1.25 });
    expect(needReconnect).toEqual([]);
    expect(s.transport.lastSettingsOutcome).toMatchObject({ deferred: ['speed'], failed: [] });
    await server.waitFor(() => (server.sessions[0] as { audio: { output: { speed: number } } }).audio.output.speed === 1.25 || null, 'speed 1.25 in the session');
    const speedUpdate = server.receivedOfType('session.update').at(-1)!;
    expect(speedUpdate.seq).toBeGreaterThan(server.sentOfType('response.done')[0].seq);
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('a rejected live update (voice lock) is reported field by field, and push-to-talk does not take effect locally', async () => {
    await start();
    server.queueResponse({ text: 'Hello there, how are you?', audioMs: 1500, intervalMs: 10 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('hi');
    // The server has produced audio; the adapter has not seen it yet (same event loop: its frame is still in flight).
    await server.waitForSent('response.output_audio.delta');
    const needReconnect = await s.transport.updateSettings({ voice: 'ash', turn_detection: 'push_to_talk' });
    expect(serverErrors('cannot_update_voice')).toHaveLength(1);
    const outcome = s.transport.lastSettingsOutcome!;
    expect(outcome.failed.map((f) => f.key).sort()).toEqual(['turn_detection', 'voice']);
    expect(outcome.failed.find((f) => f.key === 'voice')!.reason).toMatch(/voice/i);
    expect(needReconnect).toContain('voice');
    // The server still runs VAD: the microphone keeps streaming.
    const appendsBefore = server.receivedOfType('input_audio_buffer.append').length;
    s.media.silence(100);
    await server.waitForReceived('input_audio_buffer.append', appendsBefore + 1);
    const err = s.ofType('error').at(-1)!.data as { fatal: boolean; message: string };
    expect(err.fatal).toBe(false);
    expect(err.message).toMatch(/not applied/i);

    // Applying push-to-talk again (without the voice) works and takes effect.
    await s.waitForRtvi('bot-llm-stopped');
    await s.transport.updateSettings({ turn_detection: 'push_to_talk' });
    expect(s.transport.lastSettingsOutcome!.failed).toEqual([]);
    expect((server.sessions[0] as { audio: { input: { turn_detection: unknown } } }).audio.input.turn_detection).toBeNull();
    const appendsAfter = server.receivedOfType('input_audio_buffer.append').length;
    s.media.speak(100);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.receivedOfType('input_audio_buffer.append')).toHaveLength(appendsAfter);
  });
});

describe('OpenAI Realtime: how replies end (item 5)', () => {
  it('an incomplete response (max_output_tokens) reaches the user with its reason', async () => {
    await start();
    const s = await connected({ settings: { max_output_tokens: 3 } });
    s.client.sendText('Tell me everything about the sea');
    await s.waitForRtvi('bot-llm-stopped');
    const done = server.sentOfType('response.done')[0].event as { response: { status: string; status_details: { reason: string } } };
    expect(done.response).toMatchObject({ status: 'incomplete', status_details: { reason: 'max_output_tokens' } });
    const err = s.ofType('error').find((r) => /max_output_tokens/.test((r.data as { message: string }).message));
    expect(err, 'an error naming max_output_tokens').toBeDefined();
    expect((err!.data as { fatal: boolean }).fatal).toBe(false);
  });

  it('a content-filtered response reaches the user with its reason', async () => {
    await start();
    server.queueResponse({ text: 'Something that will be filtered out soon.', endStatus: { status: 'incomplete', reason: 'content_filter' }, endAfterDeltas: 1 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('go');
    await s.waitFor('an error naming content_filter', () => s.ofType('error').some((r) => /content_filter/.test((r.data as { message: string }).message)));
  });

  it('a failed response reaches the user with the error code and message', async () => {
    await start();
    server.queueResponse({ text: 'This will fail part way.', endStatus: { status: 'failed', error: { type: 'server_error', code: 'internal_error', message: 'The server had an error while processing your request.' } } });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('go');
    await s.waitFor('an error naming the failure', () => s.ofType('error').some((r) => /reply failed \(internal_error\): The server had an error/.test((r.data as { message: string }).message)));
    expect((server.sentOfType('response.done')[0].event as { response: { status: string } }).response.status).toBe('failed');
  });

  it('Interrupt pressed twice during one reply sends one response.cancel', async () => {
    await start({ cancelLagMs: 200 });
    server.queueResponse({ text: 'A long answer that keeps going for a while.', audioMs: 3000, intervalMs: 5 });
    const s = await connected({}, { playbackSpeed: 0 });
    s.client.sendText('Talk');
    await s.waitFor('bot audio queued', () => s.media.queuedSamples >= 24_000);
    await s.transport.interruptBot();
    await s.transport.interruptBot();
    await s.waitForRtvi('bot-llm-stopped');
    expect(server.receivedOfType('response.cancel')).toHaveLength(1);
    expect(server.sentOfType('error')).toHaveLength(0);
  });

  it('response_cancel_not_active is an info row, not an error', async () => {
    await start();
    const s = await connected();
    s.transport.sendMessage(new RTVIMessage('append-to-context', { role: 'user', content: 'x', run_immediately: false }));
    server.sendRaw(JSON.stringify({ type: 'error', event_id: 'event_x', error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found', param: null, event_id: 'evt_client_9' } }));
    await s.waitFor('an info row', () => s.ofType('server-message').some((r) => (r.data as { code?: string }).code === 'response_cancel_not_active'));
    expect(s.ofType('error')).toHaveLength(0);
    expect(s.errors).toHaveLength(0);
  });
});
