import type { RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import { httpOriginFor } from '../../transport/provider-socket.ts';
import { errorMessage } from '../../transport/transport-errors.ts';
import { isClientSecret, mintClientSecret } from './openai-client-secret.ts';
import { OPENAI_DEFAULT_ENDPOINT, OPENAI_DEFAULT_MODEL, type OpenAIRealtimeSettings } from './openai-session-config.ts';

/**
 * What differs between services that speak the OpenAI Realtime protocol over WebSocket: where the
 * socket is, how a browser authenticates (no headers on a browser WebSocket), how a short-lived
 * token is minted, and which session fields the service takes. The event mapping is shared
 * (openai-realtime-transport.ts). Sources for each vendor: docs/protocols-openai-compatible.md.
 */
export interface VendorAuthRequest {
  endpoint: string;
  /** The trimmed key (or a pasted short-lived token) from the panel. */
  key: string;
  model: string;
  /** The session as the vendor takes it (after `shapeSession`). */
  session: Record<string, unknown>;
  settings: OpenAIRealtimeSettings & Record<string, unknown>;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

export interface VendorSocketPlan {
  url: string;
  protocols: string[];
  /** Short-lived credentials minted on the way: scrubbed from every text like the key. */
  minted: string[];
}

export interface OpenAIVendorProfile {
  id: string;
  /** Used in every message: the adapter's option text. */
  providerName: string;
  /** null: the user must give an endpoint (a per-resource host). */
  defaultEndpoint: string | null;
  defaultModel: string;
  authorize(req: VendorAuthRequest): Promise<VendorSocketPlan>;
  /** The GA session reduced to what the vendor takes. */
  shapeSession(session: RealtimeSessionCreateRequest, settings: OpenAIRealtimeSettings): Record<string, unknown>;
  /** Throws a plain-language error when the endpoint cannot be this vendor's. */
  checkEndpoint?(endpoint: string): void;
  /**
   * Whether the realtime socket takes `input_image` content. OpenAI's GA interface does (SDK
   * `RealtimeConversationItemUserMessage.Content`, type `input_image`); a vendor whose realtime
   * documentation names only audio and text input is not sent images (docs/protocols-openai-compatible.md).
   */
  acceptsImages: boolean;
}

export const CLIENT_SECRET_SECONDS = 600;

function withModel(endpoint: string, model: string, extra: Record<string, string> = {}): string {
  const url = new URL(endpoint);
  url.searchParams.set('model', model);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url.toString();
}

/** `wss://host/a/b` → `https://host/a/b/client_secrets` (ws:// → http:// for a local fake). */
export function clientSecretsUrlBeside(endpoint: string): string {
  const u = new URL(endpoint);
  const path = u.pathname.replace(/\/+$/, '');
  return `${httpOriginFor(endpoint)}${path}/client_secrets`;
}

/**
 * POSTs a token request and returns `value` (every vendor here answers `{value, expires_at}`).
 * The key travels only in a header; the error text names the vendor and status, never the key.
 */
export async function mintVendorSecret(opts: {
  vendor: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}): Promise<string> {
  const doFetch = opts.fetchImpl ?? globalThis.fetch;
  const host = new URL(opts.url).host;
  let res: Response;
  try {
    res = await doFetch(opts.url, { method: 'POST', headers: { ...opts.headers, 'Content-Type': 'application/json' }, body: JSON.stringify(opts.body), signal: opts.signal });
  } catch (e) {
    throw new Error(
      `Could not reach ${host} to create a short-lived ${opts.vendor} token: ${errorMessage(e)}. If the extension was refused access to ${host}, allow it when the panel asks (or in chrome://extensions → Details → Site access).`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; code?: string | null; type?: string } | string; detail?: unknown; message?: string } | undefined) ?? {};
    const e = typeof err.error === 'object' ? err.error : undefined;
    const code = e?.code ?? e?.type ?? '';
    const detail = e?.message ?? (typeof err.error === 'string' ? err.error : undefined) ?? err.message ?? (err.detail ? JSON.stringify(err.detail) : text.slice(0, 200));
    throw new Error(`${opts.vendor} refused to create a short-lived token (HTTP ${res.status}${code ? ` ${code}` : ''}): ${detail}`);
  }
  const value = (json as { value?: unknown } | undefined)?.value;
  if (typeof value !== 'string' || !value) throw new Error(`${opts.vendor} answered the token request without a token value.`);
  return value;
}

// ------------------------------------------------------------------ OpenAI

export const openAIProfile: OpenAIVendorProfile = {
  id: 'openai',
  providerName: 'OpenAI Realtime',
  acceptsImages: true,
  defaultEndpoint: OPENAI_DEFAULT_ENDPOINT,
  defaultModel: OPENAI_DEFAULT_MODEL,
  async authorize({ endpoint, key, model, session, settings, signal, fetchImpl }) {
    let secret = key;
    const minted: string[] = [];
    if (!isClientSecret(key) && settings.auth !== 'api-key-in-subprotocol') {
      const m = await mintClientSecret(endpoint, key, { ...(session as unknown as RealtimeSessionCreateRequest), model }, { signal, fetchImpl });
      secret = m.value;
      minted.push(m.value);
    }
    return { url: withModel(endpoint, model), protocols: ['realtime', `openai-insecure-api-key.${secret}`], minted };
  },
  shapeSession: (session) => session as unknown as Record<string, unknown>,
};

// ------------------------------------------------------------------ shared reductions

/** Drops `null` members the OpenAI shape uses to switch a feature off: other services may refuse them. */
function withoutNulls(session: Record<string, unknown>): Record<string, unknown> {
  const input = (session.audio as { input?: Record<string, unknown> } | undefined)?.input;
  if (input) for (const k of ['transcription', 'noise_reduction']) if (input[k] === null) delete input[k];
  return session;
}

function cloneSession(session: RealtimeSessionCreateRequest): Record<string, unknown> {
  return JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
}

/** The voice only when the user named one: the OpenAI default voice means nothing elsewhere. */
function keepVoiceOnlyIfSet(session: Record<string, unknown>, settings: OpenAIRealtimeSettings): void {
  const output = (session.audio as { output?: Record<string, unknown> } | undefined)?.output;
  if (output && !settings.voice?.trim()) delete output.voice;
}

/** Transcription only with a model the user named: OpenAI's default model id means nothing elsewhere. */
function dropDefaultTranscription(session: Record<string, unknown>, settings: OpenAIRealtimeSettings): void {
  const input = (session.audio as { input?: Record<string, unknown> } | undefined)?.input;
  if (input && !settings.transcription_model?.trim()) delete input.transcription;
}

// ------------------------------------------------------------------ xAI (Grok Voice)

export const XAI_DEFAULT_ENDPOINT = 'wss://api.x.ai/v1/realtime';
export const XAI_DEFAULT_MODEL = 'grok-voice-think-fast-1.0';
export const XAI_MODEL_SUGGESTIONS = ['grok-voice-think-fast-1.0', 'grok-voice-latest'];
export const XAI_VOICES = ['Ara', 'Eve', 'Leo', 'Rex', 'Sal'];
export const XAI_SUBPROTOCOL_PREFIX = 'xai-client-secret.';
export const XAI_TOKEN_SECONDS = 300;

export const xaiProfile: OpenAIVendorProfile = {
  id: 'xai',
  providerName: 'Grok Voice (xAI)',
  acceptsImages: false,
  defaultEndpoint: XAI_DEFAULT_ENDPOINT,
  defaultModel: XAI_DEFAULT_MODEL,
  async authorize({ endpoint, key, model, signal, fetchImpl }) {
    // xAI's token request takes only `expires_after.seconds` ("Does not support session or
    // expires_after.anchor"); the session goes in `session.update` after the socket opens.
    let token = key;
    const minted: string[] = [];
    if (!key.startsWith(XAI_SUBPROTOCOL_PREFIX)) {
      token = await mintVendorSecret({
        vendor: 'xAI',
        url: clientSecretsUrlBeside(endpoint),
        headers: { Authorization: `Bearer ${key}` },
        body: { expires_after: { seconds: XAI_TOKEN_SECONDS } },
        signal,
        fetchImpl,
      });
      minted.push(token);
    }
    const protocol = token.startsWith(XAI_SUBPROTOCOL_PREFIX) ? token : `${XAI_SUBPROTOCOL_PREFIX}${token}`;
    return { url: withModel(endpoint, model), protocols: [protocol], minted };
  },
  shapeSession(session, settings) {
    // xAI's session.update documents a flat `voice`, `instructions`, `turn_detection`
    // ({type:'server_vad'} or null), `audio.{input,output}.format` and `tools`; nothing else is sent.
    const out: Record<string, unknown> = {};
    if (session.instructions !== undefined) out.instructions = session.instructions;
    const voice = session.audio?.output?.voice;
    if (settings.voice?.trim() && voice) out.voice = voice;
    const td = session.audio?.input?.turn_detection;
    out.turn_detection = td ? { type: 'server_vad' } : null;
    out.audio = { input: { format: session.audio?.input?.format }, output: { format: session.audio?.output?.format } };
    out.tools = session.tools ?? [];
    return out;
  },
};

// ------------------------------------------------------------------ ElevenLabs

export const ELEVENLABS_DEFAULT_ENDPOINT = 'wss://api.elevenlabs.io/v1/convai/realtime';
export const ELEVENLABS_DEFAULT_MODEL = 'eleven-realtime-v1-max';
export const ELEVENLABS_MODEL_SUGGESTIONS = ['eleven-realtime-v1-max'];

export const elevenLabsProfile: OpenAIVendorProfile = {
  id: 'elevenlabs',
  providerName: 'ElevenLabs Realtime',
  acceptsImages: false,
  defaultEndpoint: ELEVENLABS_DEFAULT_ENDPOINT,
  defaultModel: ELEVENLABS_DEFAULT_MODEL,
  async authorize({ endpoint, key, model, session, signal, fetchImpl }) {
    // The mint takes the GA body (`expires_after` + `session`) with ElevenLabs' own `xi-api-key`
    // header; the socket takes the OpenAI subprotocol pair with the minted secret.
    const value = await mintVendorSecret({
      vendor: 'ElevenLabs',
      url: clientSecretsUrlBeside(endpoint),
      headers: { 'xi-api-key': key },
      body: { expires_after: { anchor: 'created_at', seconds: CLIENT_SECRET_SECONDS }, session: { ...session, model } },
      signal,
      fetchImpl,
    });
    return { url: withModel(endpoint, model), protocols: ['realtime', `openai-insecure-api-key.${value}`], minted: [value] };
  },
  shapeSession(session, settings) {
    const out = withoutNulls(cloneSession(session));
    keepVoiceOnlyIfSet(out, settings);
    dropDefaultTranscription(out, settings);
    return out;
  },
};

// ------------------------------------------------------------------ Azure

export const AZURE_ENDPOINT_PLACEHOLDER = 'wss://<resource>.openai.azure.com/openai/v1/realtime';
export const AZURE_DEFAULT_DEPLOYMENT = 'gpt-realtime-1.5';
export type AzureAuthRoute = 'client-secret-subprotocol' | 'client-secret-query';

export const azureProfile: OpenAIVendorProfile = {
  id: 'azure',
  providerName: 'Azure Realtime',
  acceptsImages: true,
  defaultEndpoint: null,
  defaultModel: AZURE_DEFAULT_DEPLOYMENT,
  checkEndpoint(endpoint) {
    const u = new URL(endpoint);
    if (!/\/openai\/v1\/realtime\/?$/.test(u.pathname)) {
      throw new Error(`Azure Realtime needs the GA route of your resource, ending in /openai/v1/realtime (e.g. ${AZURE_ENDPOINT_PLACEHOLDER}); got a path of ${u.pathname}.`);
    }
  },
  async authorize({ endpoint, key, model, session, settings, signal, fetchImpl }) {
    // The long-lived key goes only in the `api-key` header of the token request; a pasted ek_ is used as is.
    let secret = key;
    const minted: string[] = [];
    if (!isClientSecret(key)) {
      secret = await mintVendorSecret({
        vendor: 'Azure',
        url: clientSecretsUrlBeside(endpoint),
        headers: { 'api-key': key },
        body: { expires_after: { anchor: 'created_at', seconds: CLIENT_SECRET_SECONDS }, session: { ...session, model } },
        signal,
        fetchImpl,
      });
      minted.push(secret);
    }
    const route = (settings.azure_auth as AzureAuthRoute | undefined) ?? 'client-secret-subprotocol';
    if (route === 'client-secret-query') return { url: withModel(endpoint, model, { 'api-key': secret }), protocols: ['realtime'], minted };
    return { url: withModel(endpoint, model), protocols: ['realtime', `openai-insecure-api-key.${secret}`], minted };
  },
  shapeSession(session, settings) {
    const out = withoutNulls(cloneSession(session));
    // The transcription model is a deployment name on Azure (no OpenAI default applies).
    dropDefaultTranscription(out, settings);
    return out;
  },
};
