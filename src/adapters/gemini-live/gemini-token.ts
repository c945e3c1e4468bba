/**
 * Mints a short-lived, one-use Live token with the user's long-lived key, sent in a header so the
 * key never appears in a URL (Chrome prints the URL of a failed WebSocket to the console).
 */
export interface GeminiTokenOptions {
  tokenUrl: string;
  apiKey: string;
  /** How long the token lives once a session has started on it. */
  expireMs?: number;
  /** How long it can be used to start a session. */
  newSessionExpireMs?: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  now?: () => number;
}

export class GeminiTokenError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'GeminiTokenError';
    this.status = status;
  }
}

export async function mintGeminiToken(opts: GeminiTokenOptions): Promise<string> {
  const now = (opts.now ?? Date.now)();
  const body = {
    uses: 1,
    expireTime: new Date(now + (opts.expireMs ?? 30 * 60_000)).toISOString(),
    newSessionExpireTime: new Date(now + (opts.newSessionExpireMs ?? 60_000)).toISOString(),
  };
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;
  let res: Response;
  try {
    res = await fetchImpl(opts.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': opts.apiKey },
      body: JSON.stringify(body),
      signal: opts.signal,
      credentials: 'omit',
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new GeminiTokenError(`Could not reach ${new URL(opts.tokenUrl).origin} to get a Gemini Live session token: ${why}`, null);
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; status?: string } } | null)?.error;
    const detail = err?.message ?? (text.slice(0, 200) || res.statusText);
    const status = err?.status ? ` ${err.status}` : '';
    throw new GeminiTokenError(`Gemini refused the session token request (HTTP ${res.status}${status}): ${detail}`, res.status);
  }
  const name = (json as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !name.startsWith('auth_tokens/')) {
    throw new GeminiTokenError('Gemini answered the session token request without a token name.', res.status);
  }
  return name;
}
