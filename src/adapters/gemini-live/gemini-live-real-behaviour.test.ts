import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import { DEFAULT_FAKE_MODELS, INPUT_TRANSCRIPT_PLACEMENTS, type InputTranscriptPlacement } from '../../../test/fakes/fake-gemini-server.ts';
import { geminiSession, geminiSessionPool, waitUntil, type GeminiTestSession } from '../../../test/fakes/gemini-test-session.ts';

/**
 * Issue 12, Gemini Live items 7–12: each test drives the adapter against the fake server behaving
 * as the service is documented (and reported) to behave.
 */
const pool = geminiSessionPool();
afterEach(() => pool.cleanup());

function lastHandle(h: GeminiTestSession): string | undefined {
  for (let i = h.frames.length - 1; i >= 0; i--) {
    const f = h.frames[i];
    if (f.type !== 'sessionResumptionUpdate') continue;
    const u = (f.payload as { sessionResumptionUpdate: { newHandle?: string } }).sessionResumptionUpdate;
    if (u.newHandle) return u.newHandle;
  }
  return undefined;
}

function withoutHandle(setup: Record<string, unknown> | null): Record<string, unknown> {
  const { sessionResumption: _ignored, ...rest } = setup ?? {};
  return rest;
}

describe('item 7: one frozen setup per connection and its resumptions', () => {
  it('Apply of push-to-talk mid-session keeps streaming the mic while the server still runs automatic VAD', async () => {
    const h = await geminiSession(pool, { replies: [{ userTranscript: 'Hello.', botText: 'Hi.' }] });
    await h.client.connect();
    const waiting = await h.transport.updateSettings({ turn_detection: 'push_to_talk' });
    expect(waiting).toEqual(['turn_detection']);
    // The session still has automatic detection: push-to-talk is refused until a reconnect.
    expect(() => h.transport.startUserTurn()).toThrow(/reconnect/i);
    h.media.speak(300);
    h.media.silence(300);
    await waitUntil('a turn answered through automatic VAD', () => h.of('metrics').length === 1);
    expect(h.server.current!.received.filter((f) => f.audio).length).toBeGreaterThan(0);
    expect(h.server.current!.received.some((f) => f.type === 'realtimeInput' && JSON.stringify(f.json).includes('activityStart'))).toBe(false);
  });

  it('a goAway resumption reuses the setup the connection started with, not values applied since', async () => {
    const h = await geminiSession(pool, {}, { settings: { voice: 'Kore' } });
    await h.client.connect();
    await waitUntil('a resumption handle', () => lastHandle(h));
    await h.transport.updateSettings({
      voice: 'Puck',
      instructions: 'Changed.',
      tools: JSON.stringify([{ name: 'late_tool', parameters: { type: 'object', properties: {} } }]),
      context_compression: false,
      turn_detection: 'push_to_talk',
    });
    h.server.current!.goAway(3000);
    await waitUntil('session resumed', () => h.transport.resumptions === 1);
    const [first, second] = h.server.connections;
    expect(withoutHandle(second.setup)).toEqual(withoutHandle(first.setup));
  });
});

describe('item 8: per-model capabilities', () => {
  it('a TEXT response modality is not sent to a native-audio model (the server would close 1007)', async () => {
    const h = await geminiSession(pool, {}, { settings: { model: 'gemini-2.5-flash-native-audio-preview-12-2025', response_modality: 'TEXT' } });
    await h.client.connect();
    expect((h.server.current!.setup!.generationConfig as Record<string, unknown>).responseModalities).toEqual(['AUDIO']);
    expect(h.transport.state).toBe('ready');
  });

  it('on a model that offers TEXT, text answers become bot-output', async () => {
    const model = 'gemini-live-2.5-flash-preview';
    const h = await geminiSession(pool, { models: [...DEFAULT_FAKE_MODELS, model], replies: [{ botText: 'Plain text answer. Second sentence.' }] }, { settings: { model, response_modality: 'TEXT' } });
    await h.client.connect();
    expect((h.server.current!.setup!.generationConfig as Record<string, unknown>).responseModalities).toEqual(['TEXT']);
    h.client.sendText('hi');
    await waitUntil('turn end', () => h.of('metrics').length === 1);
    expect(h.of('bot-output').map((r) => (r.data as { text: string }).text)).toEqual(['Plain text answer.', 'Second sentence.']);
  });
});

describe('item 9: context-window compression and session limits', () => {
  it('compression is on by default and the session reports no length limit', async () => {
    const h = await geminiSession(pool);
    await h.client.connect();
    expect(h.server.current!.setup!.contextWindowCompression).toEqual({ slidingWindow: {} });
    await waitUntil('session-limit message', () => h.serverMessages('session-limit').length === 1);
    expect(h.serverMessages('session-limit')[0]).toMatchObject({ compression: true, limit_ms: null });
  });

  it('without compression the limit is reported (15 min audio, 2 min once video is sent) and the server ends the session there', async () => {
    const h = await geminiSession(pool, { sessionLimitMs: { audio: 60_000, video: 600 } }, { settings: { context_compression: false } });
    await h.client.connect();
    await waitUntil('session-limit message', () => h.serverMessages('session-limit').length === 1);
    expect(h.serverMessages('session-limit')[0]).toMatchObject({ compression: false, limit_ms: 15 * 60_000, video: false });
    h.client.enableCam(true);
    h.media.emitVideoFrame(new Uint8Array([0xff, 0xd8, 0xff]));
    await waitUntil('video limit', () => h.serverMessages('session-limit').length === 2);
    expect(h.serverMessages('session-limit')[1]).toMatchObject({ compression: false, limit_ms: 2 * 60_000, video: true });
    await waitUntil('the fake ends the session at its (scaled) video limit', () => h.errors.find((e) => e.fatal), 4000);
    expect(h.server.current!.closed).toMatchObject({ code: 1011, by: 'server' });
  });
});

describe('item 10: one utterance, one user-transcription final; no phantom turns', () => {
  it('input fragments before, during, after generation and after turnComplete make one final (property)', async () => {
    const words = 'one two three four five six seven eight nine ten eleven twelve';
    const fragmentsCount = 4; // fragments() groups three words
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...INPUT_TRANSCRIPT_PLACEMENTS), { minLength: fragmentsCount, maxLength: fragmentsCount }).map((a) => [...a].sort((x, y) => INPUT_TRANSCRIPT_PLACEMENTS.indexOf(x) - INPUT_TRANSCRIPT_PLACEMENTS.indexOf(y)) as InputTranscriptPlacement[]),
        fc.boolean(),
        async (placement, lateOutput) => {
          const h = await geminiSession(
            pool,
            { turnCompleteDelay: 0, replies: [{ userTranscript: words, inputTranscriptPlacement: placement, botText: 'Fine.', audioMs: 200, lateOutputTranscript: lateOutput ? ' (late)' : undefined }] },
            { transcript_settle_ms: 150 } as never,
          );
          await h.client.connect();
          h.client.sendText('go');
          await waitUntil('turn end', () => h.of('metrics').length === 1);
          await waitUntil('the user final', () => h.of('user-transcription').some((r) => (r.data as { final: boolean }).final), 3000);
          // A goAway now must resume at once: no phantom bot turn holds it back. Held, it would
          // resume only 2 s before the 20 s run out; the 5 s bound leaves room for a loaded machine.
          h.server.current!.goAway(20_000);
          await waitUntil('resumption right after the turn', () => h.transport.resumptions === 1, 5000);
          const finals = h.of('user-transcription').filter((r) => (r.data as { final: boolean }).final);
          expect(finals.map((r) => (r.data as { text: string }).text)).toEqual([words]);
          expect(h.of('bot-llm-started')).toHaveLength(1);
          await pool.cleanup();
        },
      ),
      { numRuns: 10 },
    );
  }, 60_000);
});

describe('item 11: Interrupt tells the server', () => {
  it('on gemini-3.8-live the Interrupt button sends clientContent (turnComplete false), the server answers interrupted, and the log says so', async () => {
    const h = await geminiSession(pool, { streamSpeed: 1, replies: [{ botText: 'A long answer that keeps going.', audioMs: 3000 }] }, {}, new FakeMediaManager({ playbackSpeed: 1 }));
    await h.client.connect();
    h.client.sendText('talk');
    await waitUntil('audio', () => h.media.buffered.length >= 2);
    await h.transport.interruptBot();
    const sent = await waitUntil('interrupt sent', () => h.server.current!.received.find((f) => f.type === 'clientContent' && !(f.json!.clientContent as { turns?: unknown }).turns));
    expect(sent.json).toEqual({ clientContent: { turnComplete: false } });
    await waitUntil('interrupted from the server', () => h.frames.some((f) => f.direction === 'in' && JSON.stringify(f.payload).includes('"interrupted":true')));
    const note = h.serverMessages('local-interrupt')[0];
    expect(note).toMatchObject({ server_notified: true, sent: { clientContent: { turnComplete: false } } });
    // Generation stopped at the server: the turn ended long before its 3 s of audio.
    await waitUntil('turn end', () => h.of('bot-llm-stopped').length === 1, 1500);
  });

  it('on gemini-3.1 the captured form (clientContent turnComplete true) is sent and logged', async () => {
    const h = await geminiSession(pool, { streamSpeed: 1, replies: [{ botText: 'A long answer that keeps going.', audioMs: 3000 }, { botText: 'Again.' }] }, { settings: { model: 'gemini-3.1-flash-live-preview' } }, new FakeMediaManager({ playbackSpeed: 1 }));
    await h.client.connect();
    h.client.sendText('talk');
    await waitUntil('audio', () => h.media.buffered.length >= 2);
    await h.transport.interruptBot();
    await waitUntil('interrupt sent', () => h.server.current!.received.some((f) => f.type === 'clientContent'));
    expect(h.serverMessages('local-interrupt')[0]).toMatchObject({ server_notified: true, sent: { clientContent: { turnComplete: true } } });
  });
});

describe('item 12', () => {
  it('turnCompleteReason reaches the user', async () => {
    const h = await geminiSession(pool, { replies: [{ userTranscript: 'Something bad.', turnCompleteReason: 'PROHIBITED_INPUT_CONTENT' }] });
    await h.client.connect();
    h.client.sendText('x');
    const err = await waitUntil('an error naming the reason', () => h.errors.find((e) => /PROHIBITED_INPUT_CONTENT|prohibited/i.test(String(e.error))));
    expect(err).toMatchObject({ fatal: false, turn_complete_reason: 'PROHIBITED_INPUT_CONTENT' });
    expect(h.transport.state).toBe('ready');
  });

  it('output audio is played at the rate its mimeType names', async () => {
    const h = await geminiSession(pool, { replies: [{ botText: 'Slow rate.', audioMs: 400, outputRate: 16000 }] });
    await h.client.connect();
    h.client.sendText('x');
    await waitUntil('turn end', () => h.of('metrics').length === 1);
    // 400 ms of 16 kHz audio is 400 ms at the player's 24 kHz, not 267 ms.
    expect(Math.abs(h.media.samplesFor('gemini-turn-1') - 9600)).toBeLessThanOrEqual(24);
  });

  it('full JSON Schema tools are converted to the Schema subset Live honours, and what was dropped is said', async () => {
    const tools = [
      {
        name: 'get_weather',
        parametersJsonSchema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          additionalProperties: false,
          properties: { city: { type: 'string', description: 'City' }, unit: { type: ['string', 'null'], enum: ['c', 'f', null] }, when: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
          required: ['city'],
        },
      },
    ];
    const h = await geminiSession(pool, { replies: [{ toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], botText: 'Sunny.' }] }, { settings: { tools: JSON.stringify(tools) } });
    h.client.registerFunctionCallHandler('get_weather', async () => ({ tempC: 20 }));
    await h.client.connect();
    const decl = ((h.server.current!.setup!.tools as Array<{ functionDeclarations: Array<Record<string, unknown>> }>)[0].functionDeclarations)[0];
    expect(decl.parametersJsonSchema).toBeUndefined();
    expect(decl.parameters).toEqual({
      type: 'OBJECT',
      properties: {
        city: { type: 'STRING', description: 'City' },
        unit: { type: 'STRING', nullable: true, enum: ['c', 'f'] },
        when: { anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] },
      },
      required: ['city'],
    });
    const dropped = h.serverMessages('tool-schema-converted')[0];
    expect(dropped.dropped).toEqual(expect.arrayContaining([expect.stringMatching(/get_weather.*\$schema/), expect.stringMatching(/get_weather.*additionalProperties/)]));
    h.client.sendText('weather?');
    await waitUntil('function call', () => h.of('llm-function-call-in-progress').length === 1 || h.of('llm-function-call').length === 1);
    const call = (h.of('llm-function-call-in-progress')[0] ?? h.of('llm-function-call')[0]).data as { arguments: Record<string, unknown> };
    expect(call.arguments).toEqual({ city: 'Paris' });
  });

  it('an unexpected 1011 close resumes once with the handle, on a token minted ahead, after the old socket closed', async () => {
    const h = await geminiSession(pool, { replies: [{ userTranscript: 'Hi.', botText: 'Hello.' }] });
    await h.client.connect();
    await waitUntil('a resumption handle', () => lastHandle(h));
    await waitUntil('a spare token minted ahead', () => h.server.tokensMinted === 2);
    h.server.current!.close(1011, 'Internal error encountered.');
    await waitUntil('session resumed', () => h.transport.resumptions === 1);
    expect(h.server.tokensMinted).toBeLessThanOrEqual(3);
    expect(h.server.connections[1].setup!.sessionResumption).toMatchObject({ handle: expect.any(String) });
    expect(h.server.connections[1].openedAt).toBeGreaterThanOrEqual(h.server.connections[0].closedAt!);
    expect(h.errors.filter((e) => e.fatal)).toEqual([]);
    expect(h.transport.state).toBe('ready');
    expect(h.serverMessages('session-resumed')[0]).toMatchObject({ reason: expect.stringMatching(/1011/) });
    // Once: a second unexpected close on the resumed connection is fatal.
    await waitUntil('a handle on the new connection', () => h.server.connections[1].setupComplete);
    h.server.current!.close(1011, 'Internal error encountered.');
    await waitUntil('fatal error', () => h.errors.some((e) => e.fatal));
    expect(h.server.connections).toHaveLength(2);
  });

  it('a 1011 close whose reason says quota or deadline is not resumed', async () => {
    for (const reason of ['You exceeded your current quota, please check your plan and billing details.', 'Deadline expired before operation could complete.']) {
      const h = await geminiSession(pool);
      await h.client.connect();
      await waitUntil('a resumption handle', () => lastHandle(h));
      h.server.current!.close(1011, reason);
      await waitUntil('fatal error', () => h.errors.some((e) => e.fatal));
      expect(h.server.connections).toHaveLength(1);
      expect(h.errors.find((e) => e.fatal)!.error).toContain(reason.slice(0, 20));
    }
  });

  it('a dropped connection (1006) is resumed with the handle', async () => {
    const h = await geminiSession(pool, { replies: [{ userTranscript: 'Hi.', botText: 'Hello.' }] });
    await h.client.connect();
    await waitUntil('a resumption handle', () => lastHandle(h));
    h.server.current!.drop();
    await waitUntil('session resumed', () => h.transport.resumptions === 1);
    expect(h.serverMessages('unexpected-close')[0]).toMatchObject({ code: 1006, will_resume: true });
    h.client.sendText('still there?');
    await waitUntil('a turn on the resumed connection', () => h.of('metrics').length === 1);
    expect(h.errors).toEqual([]);
  });

  it('an unexpected close without a resumption handle is fatal (nothing to resume)', async () => {
    const h = await geminiSession(pool, {}, { settings: { session_resumption: false } });
    await h.client.connect();
    h.server.current!.close(1011, 'Internal error encountered.');
    await waitUntil('fatal error', () => h.errors.some((e) => e.fatal));
    expect(h.server.connections).toHaveLength(1);
  });

  it('a goAway resumption on the key-in-URL path opens the new socket only after the old one closed', async () => {
    const h = await geminiSession(pool, {}, { settings: { auth: 'key-in-url' } });
    await h.client.connect();
    await waitUntil('a resumption handle', () => lastHandle(h));
    h.server.current!.goAway(3000);
    await waitUntil('session resumed', () => h.transport.resumptions === 1);
    expect(h.server.connections[1].openedAt).toBeGreaterThanOrEqual(h.server.connections[0].closedAt!);
    expect(h.errors).toEqual([]);
  });

  it('server voiceActivity from the fake VAD drives user speaking events', async () => {
    const h = await geminiSession(pool, { voiceActivity: true });
    await h.client.connect();
    h.media.speak(300);
    h.media.silence(300);
    await waitUntil('provider speaking events', () => h.of('user-stopped-speaking').some((r) => (r.data as { source: string }).source === 'provider'));
    expect(h.of('user-started-speaking').map((r) => r.data)).toContainEqual({ source: 'provider' });
  });
});

