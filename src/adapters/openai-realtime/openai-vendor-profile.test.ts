import { describe, expect, it } from 'vitest';
import type { RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import { buildSession } from './openai-session-config.ts';
import { azureProfile, clientSecretsUrlBeside, elevenLabsProfile, mintVendorSecret, openAIProfile, xaiProfile } from './openai-vendor-profile.ts';

const respond = (status: number, body: unknown): typeof fetch => (async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })) as typeof fetch;

describe('mintVendorSecret', () => {
  it('a network refusal (e.g. the host permission was denied) says where to allow the host, without the key', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const err = (await mintVendorSecret({ vendor: 'xAI', url: 'https://api.x.ai/v1/realtime/client_secrets', headers: { Authorization: 'Bearer xai-secret-key' }, body: {}, fetchImpl: failing }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Could not reach api\.x\.ai to create a short-lived xAI token: Failed to fetch/);
    expect(err.message).toMatch(/Site access/);
    expect(err.message).not.toContain('xai-secret-key');
  });

  it('reads the refusal in the OpenAI shape, a plain error string, or a detail object', async () => {
    const base = { vendor: 'V', url: 'https://h/x', headers: {}, body: {} };
    await expect(mintVendorSecret({ ...base, fetchImpl: respond(400, { error: { message: 'bad', code: 'invalid_value' } }) })).rejects.toThrow('V refused to create a short-lived token (HTTP 400 invalid_value): bad');
    await expect(mintVendorSecret({ ...base, fetchImpl: respond(401, { detail: { status: 'invalid_api_key' } }) })).rejects.toThrow('(HTTP 401): {"status":"invalid_api_key"}');
    await expect(mintVendorSecret({ ...base, fetchImpl: respond(500, 'upstream down') })).rejects.toThrow('(HTTP 500): upstream down');
    await expect(mintVendorSecret({ ...base, fetchImpl: respond(200, { nothing: true }) })).rejects.toThrow('without a token value');
  });
});

describe('vendor session shapes', () => {
  const settings = { instructions: 'Hi.', voice: '', tools: '[]' };
  const session: RealtimeSessionCreateRequest = buildSession(settings);

  it('OpenAI keeps the GA session as is', () => {
    expect(openAIProfile.shapeSession(session, settings)).toBe(session);
  });

  it('ElevenLabs and Azure drop OpenAI-only defaults and nulls, and keep the GA nesting', () => {
    for (const p of [elevenLabsProfile, azureProfile]) {
      const out = p.shapeSession(session, settings) as { type: string; audio: { input: Record<string, unknown>; output: Record<string, unknown> } };
      expect(out.type).toBe('realtime');
      expect(out.audio.input).not.toHaveProperty('transcription');
      expect(out.audio.input).not.toHaveProperty('noise_reduction');
    }
    expect((elevenLabsProfile.shapeSession(session, settings) as { audio: { output: Record<string, unknown> } }).audio.output).not.toHaveProperty('voice');
    const named = buildSession({ ...settings, transcription_model: 'my-transcribe-deployment' });
    expect((azureProfile.shapeSession(named, { ...settings, transcription_model: 'my-transcribe-deployment' }) as { audio: { input: { transcription: unknown } } }).audio.input.transcription).toEqual({ model: 'my-transcribe-deployment' });
  });

  it('xAI gets only its documented flat fields', () => {
    const out = xaiProfile.shapeSession(buildSession({ ...settings, voice: 'Rex' }), { ...settings, voice: 'Rex' });
    expect(Object.keys(out).sort()).toEqual(['audio', 'instructions', 'tools', 'turn_detection', 'voice']);
    expect(out.voice).toBe('Rex');
  });
});

describe('token routes', () => {
  it('sit beside the socket path, http for a local ws endpoint', () => {
    expect(clientSecretsUrlBeside('wss://api.x.ai/v1/realtime')).toBe('https://api.x.ai/v1/realtime/client_secrets');
    expect(clientSecretsUrlBeside('wss://api.elevenlabs.io/v1/convai/realtime/')).toBe('https://api.elevenlabs.io/v1/convai/realtime/client_secrets');
    expect(clientSecretsUrlBeside('ws://127.0.0.1:9/openai/v1/realtime?model=x')).toBe('http://127.0.0.1:9/openai/v1/realtime/client_secrets');
  });

  it('Azure refuses the preview route with a pointer to the GA one', () => {
    expect(() => azureProfile.checkEndpoint!('wss://r.openai.azure.com/openai/realtime')).toThrow(/ending in \/openai\/v1\/realtime/);
    expect(() => azureProfile.checkEndpoint!('wss://r.openai.azure.com/openai/v1/realtime')).not.toThrow();
  });
});
