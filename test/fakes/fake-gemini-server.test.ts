import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FAKE_GEMINI_KEY, GEMINI_CLOSE_REASONS, startFakeGeminiServer, truncateReason, type FakeGeminiServer } from './fake-gemini-server.ts';

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

async function server() {
  const s = await startFakeGeminiServer();
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
});
