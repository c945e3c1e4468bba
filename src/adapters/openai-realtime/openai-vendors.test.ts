import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeVendor } from '../../../test/fakes/fake-openai-server.ts';
import { openAISession, type OpenAICompatibleTransportClass, type OpenAITestSession } from '../../../test/fakes/openai-test-session.ts';
import { AzureRealtimeWebsocketTransport } from '../azure-realtime/azure-realtime-transport.ts';
import { ElevenLabsRealtimeWebsocketTransport } from '../elevenlabs-realtime/elevenlabs-realtime-transport.ts';
import { GrokVoiceWebsocketTransport } from '../grok-voice/grok-voice-transport.ts';
import { adapters } from '../adapter-registry.ts';
import type { OpenAIRealtimeServiceOptions } from './openai-realtime-transport.ts';
import { ELEVENLABS_DEFAULT_MODEL, XAI_DEFAULT_MODEL } from './openai-vendor-profile.ts';
import { TOKEN_HOST_PATTERNS, tokenHostPermission } from './token-host.ts';
import manifest from '../../../manifest.json';

const servers: FakeOpenAIServer[] = [];
const sessions: OpenAITestSession[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.client.disconnect().catch(() => undefined);
  for (const s of servers.splice(0)) await s.close();
});

const KEY = 'vendor-long-lived-key-0123456789';

async function start(vendor: FakeVendor, Transport: OpenAICompatibleTransportClass, options: OpenAIRealtimeServiceOptions = {}) {
  const server = await startFakeOpenAIServer({ vendor, apiKey: KEY });
  servers.push(server);
  const s = openAISession(server, options, { playbackSpeed: 20 }, Transport);
  sessions.push(s);
  return { server, s };
}

/** One server-VAD voice turn: speech in, transcript and spoken reply out. */
async function voiceTurn(s: OpenAITestSession): Promise<void> {
  s.media.speak(400);
  s.media.silence(700);
  await s.waitForRtvi('bot-llm-stopped');
  await s.waitForRtvi('bot-stopped-speaking');
  await s.waitFor('bot output', () => s.ofType('bot-output').length > 0);
}

function keyNowhere(server: FakeOpenAIServer, s: OpenAITestSession): void {
  const handshake = server.handshakes.map((h) => `${h.url} ${h.protocols.join(',')}`).join('\n');
  expect(handshake).not.toContain(KEY);
  expect(JSON.stringify({ frames: s.frames, rtvi: s.rtvi, errors: s.errors })).not.toContain(KEY);
}

describe('Grok Voice (xAI)', () => {
  it('mints a token with only expires_after.seconds, offers it as the one xai-client-secret subprotocol, sends flat session fields, and runs a voice turn', async () => {
    const { server, s } = await start('xai', GrokVoiceWebsocketTransport, { settings: { voice: 'Eve', instructions: 'Be brief.' } });
    await s.client.connect();
    expect(server.secretRequests).toHaveLength(1);
    expect(server.secretRequests[0]).toMatchObject({ authorized: true, status: 200, body: { expires_after: { seconds: 300 } } });
    expect(server.secretRequests[0].body).not.toHaveProperty('session');
    const hs = server.handshakes[0];
    expect(hs.model).toBe(XAI_DEFAULT_MODEL);
    expect(hs.protocols).toEqual([`xai-client-secret.${server.secretRequests[0].value}`]);
    const update = server.receivedOfType('session.update')[0].event.session as Record<string, unknown>;
    expect(update).toMatchObject({ voice: 'Eve', instructions: 'Be brief.', turn_detection: { type: 'server_vad' } });
    expect(Object.keys(update).sort()).toEqual(['audio', 'instructions', 'tools', 'turn_detection', 'voice']);
    expect(server.sentOfType('conversation.created')).toHaveLength(1);
    await voiceTurn(s);
    keyNowhere(server, s);
  });

  it('push to talk sends turn_detection null', async () => {
    const { server, s } = await start('xai', GrokVoiceWebsocketTransport, { settings: { turn_detection: 'push_to_talk' } });
    await s.client.connect();
    expect((server.receivedOfType('session.update')[0].event.session as Record<string, unknown>).turn_detection).toBeNull();
  });
});

describe('ElevenLabs Realtime', () => {
  it('mints with xi-api-key and the GA body, connects on /v1/convai/realtime with the OpenAI subprotocol pair, leaves out OpenAI-only defaults, and runs a voice turn', async () => {
    const { server, s } = await start('elevenlabs', ElevenLabsRealtimeWebsocketTransport);
    await s.client.connect();
    expect(server.secretRequests[0]).toMatchObject({ authorized: true, status: 200 });
    const body = server.secretRequests[0].body as { session: { model: string; audio: { input: Record<string, unknown>; output: Record<string, unknown> } } };
    expect(body.session.model).toBe(ELEVENLABS_DEFAULT_MODEL);
    expect(body.session.audio.output).not.toHaveProperty('voice');
    expect(body.session.audio.input).not.toHaveProperty('transcription');
    expect(server.handshakes[0].url).toMatch(/^\/v1\/convai\/realtime\?model=/);
    expect(server.handshakes[0].protocols).toEqual(['realtime', `openai-insecure-api-key.${server.secretRequests[0].value}`]);
    await voiceTurn(s);
    keyNowhere(server, s);
  });

  it('a bad key: the token request is refused and the message names ElevenLabs, not the key', async () => {
    const { server, s } = await start('elevenlabs', ElevenLabsRealtimeWebsocketTransport, { api_key: 'wrong-eleven-key-987654321' });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/ElevenLabs refused to create a short-lived token \(HTTP 401/);
    expect(err.message).not.toContain('wrong-eleven-key-987654321');
    expect(server.handshakes).toHaveLength(0);
  });
});

describe('Azure Realtime', () => {
  it('refuses to connect without the resource endpoint, saying what is missing', async () => {
    const { s } = await start('azure', AzureRealtimeWebsocketTransport, { endpoint: '' });
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Azure Realtime needs an Endpoint URL/);
  });

  it('mints with the api-key header, connects with the ek_ in the subprotocol by default, and runs a voice turn', async () => {
    const { server, s } = await start('azure', AzureRealtimeWebsocketTransport, { settings: { model: 'my-realtime-deployment' } });
    await s.client.connect();
    expect(server.secretRequests[0]).toMatchObject({ authorized: true, status: 200 });
    expect((server.secretRequests[0].body as { session: { model: string } }).session.model).toBe('my-realtime-deployment');
    expect(server.handshakes[0].url).toMatch(/^\/openai\/v1\/realtime\?model=my-realtime-deployment$/);
    expect(server.handshakes[0].credential).toMatch(/^ek_/);
    await voiceTurn(s);
    keyNowhere(server, s);
  });

  it('the query route puts only the short-lived secret in the URL', async () => {
    const { server, s } = await start('azure', AzureRealtimeWebsocketTransport, { settings: { azure_auth: 'client-secret-query' } });
    await s.client.connect();
    const url = new URL(server.handshakes[0].url, 'http://x');
    expect(url.searchParams.get('api-key')).toBe(server.secretRequests[0].value);
    expect(server.handshakes[0].protocols).toEqual(['realtime']);
    keyNowhere(server, s);
  });

  it('an endpoint that is not the GA route is refused before any request', async () => {
    const { server, s } = await start('azure', AzureRealtimeWebsocketTransport);
    const wrong = server.url.replace('/openai/v1/realtime', '/openai/realtime');
    const s2 = openAISession(server, { endpoint: wrong }, {}, AzureRealtimeWebsocketTransport);
    sessions.push(s2);
    const err = (await s2.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/ending in \/openai\/v1\/realtime/);
    expect(server.secretRequests).toHaveLength(0);
    void s;
  });
});

describe('vendor unknown model', () => {
  it('xAI: a model the service does not know gets the named-model message with xAI\'s default', async () => {
    const server = await startFakeOpenAIServer({ vendor: 'xai', apiKey: KEY, isUnknownModel: (m) => m === 'grok-voice-fast-1.0' });
    servers.push(server);
    const s = openAISession(server, { settings: { model: 'grok-voice-fast-1.0' } }, {}, GrokVoiceWebsocketTransport);
    sessions.push(s);
    const err = (await s.client.connect().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`The model "grok-voice-fast-1.0" is unknown to Grok Voice (xAI) or retired. Use the current default, "${XAI_DEFAULT_MODEL}"`);
  });
});

describe('registry and host permissions', () => {
  it('each vendor is its own adapter, and no option text contains another adapter\'s label', () => {
    const labels = adapters.map((a) => a.label);
    expect(labels).toEqual(expect.arrayContaining(['Grok Voice (xAI)', 'ElevenLabs Realtime', 'Azure Realtime']));
    for (const a of labels) for (const b of labels) if (a !== b) expect(a.includes(b)).toBe(false);
  });

  it('token hosts are asked for only where the manifest offers them, per host', () => {
    // The manifest also offers `<all_urls>` (screenshots of a tab never invoked); every token host is listed on its own.
    const offered = (manifest as { optional_host_permissions?: string[] }).optional_host_permissions ?? [];
    expect(offered.filter((h) => h !== '<all_urls>')).toEqual(TOKEN_HOST_PATTERNS);
    expect(tokenHostPermission(undefined, 'wss://api.x.ai/v1/realtime', TOKEN_HOST_PATTERNS)).toBe('https://api.x.ai/*');
    expect(tokenHostPermission('wss://my-res.openai.azure.com/openai/v1/realtime', null, TOKEN_HOST_PATTERNS)).toBe('https://my-res.openai.azure.com/*');
    expect(tokenHostPermission('ws://127.0.0.1:9000/v1/realtime', null, TOKEN_HOST_PATTERNS)).toBeNull();
    expect(tokenHostPermission('wss://evil.example/openai.azure.com', null, TOKEN_HOST_PATTERNS)).toBeNull();
    expect(tokenHostPermission('', null, TOKEN_HOST_PATTERNS)).toBeNull();
  });

  it('screenshots: xAI and ElevenLabs, whose realtime docs name no image input, refuse with a message and send nothing; Azure sends input_image as OpenAI does', async () => {
    const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    for (const [vendor, Transport, name] of [['xai', GrokVoiceWebsocketTransport, 'Grok Voice (xAI)'], ['elevenlabs', ElevenLabsRealtimeWebsocketTransport, 'ElevenLabs Realtime']] as const) {
      const { server, s } = await start(vendor, Transport);
      await s.client.connect();
      expect(s.transport.sendImage({ data: JPEG, mimeType: 'image/jpeg', kind: 'screenshot' })).toBe(false);
      await s.waitFor(`the ${vendor} refusal`, () => s.ofType('error').some((m) => String((m.data as { message?: unknown }).message).startsWith(`${name} takes no images`)));
      expect(server.receivedOfType('conversation.item.create')).toEqual([]);
    }
    const { server, s } = await start('azure', AzureRealtimeWebsocketTransport);
    await s.client.connect();
    expect(s.transport.sendImage({ data: JPEG, mimeType: 'image/jpeg', kind: 'screenshot' })).toBe(true);
    const create = await server.waitForReceived('conversation.item.create');
    expect(((create.event.item as { content: Array<{ type: string }> }).content)[0]!.type).toBe('input_image');
  });
});
