import type { ClientSecretCreateParams, ClientSecretCreateResponse } from 'openai/resources/realtime/client-secrets';
import type { RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';
import { httpOriginFor } from '../../transport/provider-socket.ts';
import { errorMessage } from '../../transport/transport-errors.ts';

/**
 * Credentials for the browser handshake. A browser WebSocket cannot send headers, so the secret
 * rides in `Sec-WebSocket-Protocol`; a long-lived key is exchanged for a short-lived `ek_` secret
 * first, so only that one ever appears in the handshake.
 */
export const CLIENT_SECRET_TTL_SECONDS = 600;

// RFC 7230 `token` characters: anything else makes `new WebSocket()` throw a SyntaxError that
// quotes the offending protocol string (and with it the key).
const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class OpenAIKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenAIKeyError';
  }
}

/** Trims the key and refuses characters a subprotocol cannot carry, without quoting the key. */
export function normalizeKey(raw: string | undefined, provider = 'OpenAI'): string {
  const key = (raw ?? '').trim();
  if (!key) return '';
  if (!SUBPROTOCOL_TOKEN.test(key)) {
    const vendor = provider === 'OpenAI Realtime' ? 'OpenAI' : provider;
    throw new OpenAIKeyError(
      `The ${vendor} API key contains characters that cannot be sent in a WebSocket handshake or header (spaces, quotes, line breaks or non-ASCII letters). Copy the key again from the ${vendor} dashboard.`,
    );
  }
  return key;
}

export function isClientSecret(key: string): boolean {
  return key.startsWith('ek_');
}

export function clientSecretUrl(endpoint: string): string {
  return `${httpOriginFor(endpoint)}/v1/realtime/client_secrets`;
}

export interface MintedSecret {
  value: string;
  expiresAt: number;
}

/** POSTs the GA session to `/v1/realtime/client_secrets` and returns the `ek_` secret. */
export async function mintClientSecret(
  endpoint: string,
  apiKey: string,
  session: RealtimeSessionCreateRequest,
  opts: { signal?: AbortSignal; fetchImpl?: typeof fetch } = {},
): Promise<MintedSecret> {
  const url = clientSecretUrl(endpoint);
  const body: ClientSecretCreateParams = { expires_after: { anchor: 'created_at', seconds: CLIENT_SECRET_TTL_SECONDS }, session };
  const doFetch = opts.fetchImpl ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (e) {
    throw new Error(`Could not reach ${new URL(url).host} to create an OpenAI client secret: ${errorMessage(e)}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; code?: string | null; type?: string } } | undefined)?.error;
    const code = err?.code ?? err?.type ?? '';
    const detail = err?.message ?? text.slice(0, 200);
    throw new Error(`OpenAI refused to create a client secret (HTTP ${res.status}${code ? ` ${code}` : ''}): ${detail}`);
  }
  const secret = json as Partial<ClientSecretCreateResponse> | undefined;
  if (!secret || typeof secret.value !== 'string' || !secret.value) {
    throw new Error('OpenAI answered the client-secret request without a secret value.');
  }
  return { value: secret.value, expiresAt: typeof secret.expires_at === 'number' ? secret.expires_at : 0 };
}
