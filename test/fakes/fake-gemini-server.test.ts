import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import {
  FAKE_GEMINI_KEY, GEMINI_CLOSE_REASONS, INPUT_TRANSCRIPT_PLACEMENTS, startFakeGeminiServer, truncateReason,
  type FakeGeminiServer, type FakeGeminiServerOptions, type InputTranscriptPlacement,
} from './fake-gemini-server.ts';

const PATH = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
const servers: FakeGeminiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Session {
  ws: WebSocket;
  messages: Array<{ binary: boolean; json: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(url: string): Promise<Session> {
  const ws = new WebSocket(url);
  const messages: Session['messages'] = [];
  ws.on('message', (d, binary) => messages.push({ binary, json: JSON.parse(d.toString()) }));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('error', reject);
  });
}

async function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
  const start = performance.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() - start > 3000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function server(options: FakeGeminiServerOptions = {}) {
  const s = await startFakeGeminiServer(options);
  servers.push(s);
  return s;
}

const setup = (extra: Record<string, unknown> = {}) => JSON.stringify({ setup: { model: 'models/gemini-3.8-live', ...extra } });

describe('fake Gemini server fidelity', () => {
  it('accepts a double-slash path and any version, answers setup with a binary setupComplete', async () => {
    const s = await server();
    const c = await open(`${s.url}//ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup());
    await until('setupComplete', () => c.messages.length > 0);
    expect(c.messages[0]).toEqual({ binary: true, json: { setupComplete: {} } });
    expect(s.current!.version).toBe('v1');
    c.ws.close();
  });

  it('closes 1007 on a message before setup and on legacy mediaChunks', async () => {
    const s = await server();
    const a = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    a.ws.send(JSON.stringify({ realtimeInput: { audio: { data: 'AAAA', mimeType: 'audio/pcm;rate=16000' } } }));
    expect(await a.closed).toEqual({ code: 1007, reason: GEMINI_CLOSE_REASONS.beforeSetup });
    const b = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    b.ws.send(setup());
    await until('setupComplete', () => b.messages.length > 0);
    b.ws.send(JSON.stringify({ realtimeInput: { mediaChunks: [{ data: 'AAAA', mimeType: 'audio/pcm' }] } }));
    expect((await b.closed).code).toBe(1007);
  });

  it('bad key closes 1007 only after setup, with no JSON error; no key closes 1008', async () => {
    const s = await server();
    const c = await open(`${s.url}${PATH}?key=AIzaBad`);
    c.ws.send(setup());
    expect(await c.closed).toEqual({ code: 1007, reason: GEMINI_CLOSE_REASONS.badKey });
    expect(c.messages).toEqual([]);
    const n = await open(`${s.url}${PATH}`);
    n.ws.send(setup());
    const closed = await n.closed;
    expect(closed.code).toBe(1008);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
  });

  it('tokens are minted with the header key, used once, and only on the v1alpha constrained path', async () => {
    const s = await server();
    const bad = await fetch(`${s.httpUrl}/v1alpha/auth_tokens`, { method: 'POST', headers: { 'x-goog-api-key': 'AIzaBad' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(GEMINI_CLOSE_REASONS.badKey);
    const res = await fetch(`${s.httpUrl}/v1alpha/auth_tokens`, { method: 'POST', headers: { 'x-goog-api-key': FAKE_GEMINI_KEY }, body: JSON.stringify({ uses: 1 }) });
    const { name } = (await res.json()) as { name: string };
    expect(name).toMatch(/^auth_tokens\//);
    const url = `${s.url}/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=${encodeURIComponent(name)}`;
    const first = await open(url);
    first.ws.send(setup());
    await until('setupComplete', () => first.messages.length > 0);
    const second = await open(url);
    second.ws.send(setup());
    expect((await second.closed).code).toBe(1007);
    first.ws.close();
  });

  it('unknown model closes 1008 with the real text cut to 123 bytes; a bogus handle closes 1008', async () => {
    const s = await server();
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(JSON.stringify({ setup: { model: 'models/gemini-nope-live' } }));
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1008, reason: 'models/gemini-nope-live is not found for API version v1beta, or is not supported for bidiGenerateContent. Call ModelService' });
    expect(truncateReason('x'.repeat(200))).toHaveLength(123);
    const r = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    r.ws.send(setup({ sessionResumption: { handle: 'nope' } }));
    expect(await r.closed).toEqual({ code: 1008, reason: GEMINI_CLOSE_REASONS.sessionNotFound });
  });

  it('manual activity with no audio closes 1007 Precondition check failed', async () => {
    const s = await server();
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup({ realtimeInputConfig: { automaticActivityDetection: { disabled: true } } }));
    await until('setupComplete', () => c.messages.length > 0);
    c.ws.send(JSON.stringify({ realtimeInput: { activityStart: {} } }));
    c.ws.send(JSON.stringify({ realtimeInput: { activityEnd: {} } }));
    expect(await c.closed).toEqual({ code: 1007, reason: GEMINI_CLOSE_REASONS.emptyActivity });
  });

  it('goAway is followed by close 1008 when the client stays', async () => {
    const s = await server();
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup());
    await until('setupComplete', () => c.messages.length > 0);
    s.current!.goAway(100);
    const closed = await c.closed;
    expect(c.messages.some((m) => JSON.stringify(m.json) === '{"goAway":{"timeLeft":"0.100s"}}')).toBe(true);
    expect(closed).toEqual({ code: 1008, reason: truncateReason(GEMINI_CLOSE_REASONS.goAway) });
    expect(closed.reason.endsWith('once the session durat')).toBe(true);
  });

  it('refuses TEXT on native-audio and 3.x models with 1007; a half-cascade model answers TEXT in text parts', async () => {
    const s = await server({ models: ['gemini-2.5-flash-native-audio-latest', 'gemini-3.8-live', 'gemini-live-2.5-flash-preview'], replies: [{ botText: 'Text only.' }] });
    for (const model of ['gemini-2.5-flash-native-audio-latest', 'gemini-3.8-live']) {
      const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
      c.ws.send(JSON.stringify({ setup: { model: `models/${model}`, generationConfig: { responseModalities: ['TEXT'] } } }));
      expect(await c.closed).toEqual({ code: 1007, reason: GEMINI_CLOSE_REASONS.textOnNativeAudio });
    }
    const t = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    t.ws.send(JSON.stringify({ setup: { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] } } }));
    await until('setupComplete', () => t.messages.length > 0);
    t.ws.send(JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: true } }));
    await until('turnComplete', () => t.messages.some((m) => (m.json.serverContent as { turnComplete?: boolean } | undefined)?.turnComplete));
    const parts = t.messages.flatMap((m) => ((m.json.serverContent as { modelTurn?: { parts: Array<Record<string, unknown>> } } | undefined)?.modelTurn?.parts ?? []));
    expect(parts.map((p) => p.text).join('')).toBe('Text only.');
    expect(parts.some((p) => p.inlineData)).toBe(false);
  });

  it('ends an uncompressed session at its limit (shorter once video was sent), across resumption; compression lifts it', async () => {
    const s = await server({ sessionLimitMs: { audio: 400, video: 150 } });
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    const started = performance.now();
    c.ws.send(setup({ sessionResumption: {} }));
    await until('a handle', () => c.messages.find((m) => (m.json.sessionResumptionUpdate as { newHandle?: string } | undefined)?.newHandle));
    const handle = (c.messages.find((m) => m.json.sessionResumptionUpdate)!.json.sessionResumptionUpdate as { newHandle: string }).newHandle;
    c.ws.close(1000);
    await c.closed;
    // The resumed connection keeps the session's clock: it ends 400 ms after the session began.
    const r = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    r.ws.send(setup({ sessionResumption: { handle } }));
    expect(await r.closed).toEqual({ code: 1011, reason: GEMINI_CLOSE_REASONS.sessionLimit });
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(performance.now() - started).toBeLessThan(1500);

    const v = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    const vStarted = performance.now();
    v.ws.send(setup());
    await until('setupComplete', () => v.messages.length > 0);
    v.ws.send(JSON.stringify({ realtimeInput: { video: { data: '/9j/', mimeType: 'image/jpeg' } } }));
    expect((await v.closed).code).toBe(1011);
    expect(performance.now() - vStarted).toBeLessThan(390);

    const z = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    z.ws.send(setup({ contextWindowCompression: { slidingWindow: {} } }));
    await new Promise((res) => setTimeout(res, 600));
    expect(z.ws.readyState).toBe(WebSocket.OPEN);
    z.ws.close();
  });

  it('rejects resuming a session whose old socket is still open with 1011', async () => {
    const s = await server();
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup({ sessionResumption: {} }));
    await until('a handle', () => c.messages.find((m) => (m.json.sessionResumptionUpdate as { newHandle?: string } | undefined)?.newHandle));
    const handle = (c.messages.find((m) => m.json.sessionResumptionUpdate)!.json.sessionResumptionUpdate as { newHandle: string }).newHandle;
    const r = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    r.ws.send(setup({ sessionResumption: { handle } }));
    expect(await r.closed).toEqual({ code: 1011, reason: GEMINI_CLOSE_REASONS.resumedWhileOpen });
    c.ws.close();
  });

  it('a declaration given only as parametersJsonSchema gets calls with empty arguments; parameters get the real ones', async () => {
    const s = await server({ replies: [{ toolCalls: [{ name: 'a', args: { city: 'Paris' } }, { name: 'b', args: { city: 'Rome' } }], nonBlocking: true, botText: 'ok' }] });
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    c.ws.send(setup({ tools: [{ functionDeclarations: [{ name: 'a', parametersJsonSchema: schema }, { name: 'b', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }] }));
    await until('setupComplete', () => c.messages.length > 0);
    c.ws.send(JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'go' }] }], turnComplete: true } }));
    const call = await until('toolCall', () => c.messages.find((m) => m.json.toolCall));
    expect((call.json.toolCall as { functionCalls: Array<{ name: string; args: unknown }> }).functionCalls.map((f) => [f.name, f.args])).toEqual([['a', {}], ['b', { city: 'Rome' }]]);
    c.ws.close();
  });

  it('clientContent mid-reply is answered by interrupted; with turnComplete false no new turn starts', async () => {
    const s = await server({ streamSpeed: 1, replies: [{ botText: 'A long reply that goes on.', audioMs: 3000 }] });
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup());
    await until('setupComplete', () => c.messages.length > 0);
    c.ws.send(JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'go' }] }], turnComplete: true } }));
    await until('audio', () => c.messages.some((m) => (m.json.serverContent as { modelTurn?: unknown } | undefined)?.modelTurn));
    c.ws.send(JSON.stringify({ clientContent: { turnComplete: false } }));
    await until('interrupted', () => c.messages.some((m) => (m.json.serverContent as { interrupted?: boolean } | undefined)?.interrupted));
    const at = c.messages.length;
    await new Promise((res) => setTimeout(res, 200));
    expect(c.messages.slice(at).some((m) => (m.json.serverContent as { modelTurn?: unknown } | undefined)?.modelTurn)).toBe(false);
    c.ws.close();
  });

  it('sends voiceActivity start and end from its VAD when asked', async () => {
    const s = await server({ voiceActivity: true, silenceMs: 100 });
    const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
    c.ws.send(setup());
    await until('setupComplete', () => c.messages.length > 0);
    const pcm = (amp: number) => {
      const b = Buffer.alloc(3200);
      for (let i = 0; i < 1600; i++) b.writeInt16LE(Math.round(amp * 32767 * Math.sin(i / 5)), i * 2);
      return JSON.stringify({ realtimeInput: { audio: { data: b.toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
    };
    c.ws.send(pcm(0.3));
    c.ws.send(pcm(0));
    const va = await until('start and end', () => {
      const v = c.messages.filter((m) => m.json.voiceActivity).map((m) => m.json.voiceActivity as { type: string; audioOffset: string });
      return v.length >= 2 && v;
    });
    expect(va.map((v) => v.type)).toEqual(['ACTIVITY_START', 'ACTIVITY_END']);
    expect(va[0].audioOffset).toMatch(/^\d+\.\d{3}s$/);
    c.ws.close();
  });

  it('produces every allowed ordering of input transcription against the model turn (property)', async () => {
    const s = await server({ turnCompleteDelay: 0 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...INPUT_TRANSCRIPT_PLACEMENTS), { minLength: 3, maxLength: 3 }).map((a) => [...a].sort((x, y) => INPUT_TRANSCRIPT_PLACEMENTS.indexOf(x) - INPUT_TRANSCRIPT_PLACEMENTS.indexOf(y)) as InputTranscriptPlacement[]),
        async (placement) => {
          const c = await open(`${s.url}${PATH}?key=${FAKE_GEMINI_KEY}`);
          c.ws.send(setup());
          await until('setupComplete', () => c.messages.length > 0);
          await s.current!.respond({ userTranscript: 'a b c d e f g h i', inputTranscriptPlacement: placement, botText: 'ok', audioMs: 200 });
          await until('all fragments', () => c.messages.filter((m) => (m.json.serverContent as { inputTranscription?: unknown } | undefined)?.inputTranscription).length >= 3 || undefined);
          // Classify where each fragment landed against the turn's milestones.
          const where: InputTranscriptPlacement[] = [];
          let phase: InputTranscriptPlacement = 'before';
          for (const m of c.messages) {
            const sc = m.json.serverContent as Record<string, unknown> | undefined;
            if (!sc) continue;
            if (sc.modelTurn && phase === 'before') phase = 'during';
            if (sc.inputTranscription) where.push(phase);
            if (sc.generationComplete) phase = 'after-generation';
            if (sc.turnComplete) phase = 'after-turn-complete';
          }
          expect(where).toEqual(placement);
          c.ws.close();
          await c.closed;
        },
      ),
      { numRuns: 15 },
    );
  });
});
