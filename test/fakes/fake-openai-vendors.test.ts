import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.ts';

/** The fake's vendor modes behave as each vendor documents (sources in fake-openai-server.ts). */
const KEY = 'fake-vendor-key-0123456789';
const servers: FakeOpenAIServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(vendor: 'xai' | 'elevenlabs' | 'azure'): Promise<FakeOpenAIServer> {
  const s = await startFakeOpenAIServer({ vendor, apiKey: KEY });
  servers.push(s);
  return s;
}

async function mint(server: FakeOpenAIServer, path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.httpUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Opens a socket and resolves with the negotiated subprotocol and the first server event, or the close. */
function open(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<{ protocol: string; first?: Record<string, unknown>; close?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('message', (d) => {
      resolve({ protocol: ws.protocol, first: JSON.parse(d.toString()) as Record<string, unknown> });
      ws.close();
    });
    ws.once('close', (code) => resolve({ protocol: ws.protocol, close: code }));
    ws.once('error', reject);
  });
}

describe('fake vendor: xAI', () => {
  it('mints only with expires_after.seconds; refuses session and anchor; Bearer auth', async () => {
    const s = await start('xai');
    expect((await mint(s, '/v1/realtime/client_secrets', { Authorization: `Bearer ${KEY}` }, { expires_after: { seconds: 300 } })).status).toBe(200);
    expect((await mint(s, '/v1/realtime/client_secrets', { Authorization: `Bearer ${KEY}` }, { expires_after: { seconds: 300 }, session: { type: 'realtime' } })).status).toBe(400);
    expect((await mint(s, '/v1/realtime/client_secrets', { Authorization: `Bearer ${KEY}` }, { expires_after: { anchor: 'created_at', seconds: 300 } })).status).toBe(400);
    expect((await mint(s, '/v1/realtime/client_secrets', { Authorization: 'Bearer wrong-key-000000' }, { expires_after: { seconds: 300 } })).status).toBe(401);
  });

  it('echoes the xai-client-secret subprotocol and greets with conversation.created', async () => {
    const s = await start('xai');
    const token = String((await mint(s, '/v1/realtime/client_secrets', { Authorization: `Bearer ${KEY}` }, { expires_after: { seconds: 300 } })).json.value);
    const r = await open(`${s.url}?model=grok-voice-think-fast-1.0`, [`xai-client-secret.${token}`]);
    expect(r.protocol).toBe(`xai-client-secret.${token}`);
    expect(r.first?.type).toBe('conversation.created');
  });
});

describe('fake vendor: ElevenLabs', () => {
  it('mints with xi-api-key only, on /v1/convai/realtime/client_secrets', async () => {
    const s = await start('elevenlabs');
    expect((await mint(s, '/v1/convai/realtime/client_secrets', { 'xi-api-key': KEY }, { session: { type: 'realtime' } })).status).toBe(200);
    expect((await mint(s, '/v1/convai/realtime/client_secrets', { Authorization: `Bearer ${KEY}` }, {})).status).toBe(401);
    expect((await mint(s, '/v1/realtime/client_secrets', { 'xi-api-key': KEY }, {})).status).toBe(404);
    expect(s.url).toMatch(/\/v1\/convai\/realtime$/);
  });
});

describe('fake vendor: Azure', () => {
  it('mints with the api-key header; the socket takes the secret in the api-key query or the subprotocol', async () => {
    const s = await start('azure');
    const { status, json } = await mint(s, '/openai/v1/realtime/client_secrets', { 'api-key': KEY }, { session: { type: 'realtime', model: 'my-deployment' } });
    expect(status).toBe(200);
    const ek = String(json.value);
    expect(ek).toMatch(/^ek_/);
    const viaQuery = await open(`${s.url}?model=my-deployment&api-key=${ek}`, ['realtime']);
    expect(viaQuery.first?.type).toBe('session.created');
    const viaProtocol = await open(`${s.url}?model=my-deployment`, ['realtime', `openai-insecure-api-key.${ek}`]);
    expect(viaProtocol).toMatchObject({ protocol: 'realtime', first: { type: 'session.created' } });
    expect(s.handshakes.map((h) => h.credential)).toEqual([ek, ek]);
  });
});
