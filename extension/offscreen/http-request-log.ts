/**
 * The adapters mint their short-lived credential over HTTPS before the WebSocket opens (Gemini's
 * auth token, OpenAI's client secret) with the document's `fetch`. Observing `fetch` at the
 * offscreen document's boundary puts those requests in the event log without the adapters knowing
 * about the log. Only the method, the URL (query values and credentials redacted), the status and
 * the timing are recorded: never headers (the API key travels in one) nor bodies (the minted
 * secret is in the response).
 */
export interface HttpRequestRecord {
  method: string;
  /** Redacted URL. */
  url: string;
  /** HTTP status, or null when the request never got an answer. */
  status: number | null;
  statusText?: string;
  ok: boolean;
  /** ms from the call to the response headers (or the failure). */
  durationMs: number;
  /** Wall-clock ms at the call. */
  startedWall: number;
  /** performance.now() at the call. */
  startedAt: number;
  /** Why there was no answer (network error, abort). */
  error?: string;
}

/** Wraps `fetchImpl` so every call is reported to `onRecord` once settled. */
export function observeFetch(fetchImpl: typeof fetch, onRecord: (r: HttpRequestRecord) => void, redact: (url: string) => string): typeof fetch {
  return async function observedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const startedAt = performance.now();
    const startedWall = Date.now();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
    const report = (r: Partial<HttpRequestRecord>) => {
      try {
        onRecord({ method, url: redact(url), status: null, ok: false, durationMs: performance.now() - startedAt, startedWall, startedAt, ...r });
      } catch {
        // the log must never break a request
      }
    };
    try {
      const res = await fetchImpl(input, init);
      report({ status: res.status, statusText: res.statusText || undefined, ok: res.ok });
      return res;
    } catch (e) {
      report({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      throw e;
    }
  };
}
