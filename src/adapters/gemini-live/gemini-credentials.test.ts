import { afterEach, describe, expect, it, vi } from 'vitest';
import { GeminiCredentials, SPARE_TOKEN_NEW_SESSION_MS } from './gemini-credentials.ts';

afterEach(() => vi.useRealTimers());

function harness(authMode: 'token' | 'key-in-url' = 'token') {
  const secrets: string[] = [];
  const bodies: Array<Record<string, unknown>> = [];
  let n = 0;
  const fetchImpl = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response(JSON.stringify({ name: `auth_tokens/t${++n}` }), { status: 200 });
  }) as unknown as typeof fetch;
  const creds = new GeminiCredentials(() => ({ apiKey: 'AIzaKey', endpoint: 'wss://example.test', authMode, addSecret: (s) => secrets.push(s) }), fetchImpl);
  return { creds, secrets, bodies, fetchImpl: fetchImpl as unknown as ReturnType<typeof vi.fn> };
}

describe('GeminiCredentials', () => {
  it('a resumption takes the spare minted ahead (long new-session window); a fresh connect mints its own', async () => {
    const h = harness();
    expect(await h.creds.urlForConnection(false)).toContain('access_token=auth_tokens%2Ft1');
    h.creds.mintSpare();
    h.creds.mintSpare(); // one spare at a time
    expect(await h.creds.urlForConnection(true)).toContain('auth_tokens%2Ft2');
    expect(h.fetchImpl).toHaveBeenCalledTimes(2);
    const window = Date.parse(String(h.bodies[1].newSessionExpireTime)) - Date.now();
    expect(window).toBeGreaterThan(SPARE_TOKEN_NEW_SESSION_MS - 5_000);
    expect(h.secrets).toEqual(expect.arrayContaining(['AIzaKey', 'auth_tokens/t1', 't1', 'auth_tokens/t2', 't2']));
    // No spare left: the next resumption mints.
    expect(await h.creds.urlForConnection(true)).toContain('auth_tokens%2Ft3');
  });

  it('a spare past its new-session window is not used', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const h = harness();
    h.creds.mintSpare();
    await vi.waitFor(() => expect(h.fetchImpl).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    vi.setSystemTime(Date.now() + SPARE_TOKEN_NEW_SESSION_MS);
    expect(await h.creds.urlForConnection(true)).toContain('auth_tokens%2Ft2');
  });

  it('key in URL: no token requests, no spare', async () => {
    const h = harness('key-in-url');
    h.creds.mintSpare();
    expect(await h.creds.urlForConnection(true)).toContain('key=AIzaKey');
    expect(h.fetchImpl).not.toHaveBeenCalled();
  });
});
