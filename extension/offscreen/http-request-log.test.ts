import { describe, expect, it } from 'vitest';
import { observeFetch, type HttpRequestRecord } from './http-request-log.ts';
import { redactUrlQuery } from './session-host.ts';

describe('observeFetch', () => {
  it('records method, redacted URL, status and timing, never headers or bodies', async () => {
    const seen: HttpRequestRecord[] = [];
    const inner = (async () => new Response('{"value":"ek_SECRET"}', { status: 200 })) as typeof fetch;
    const f = observeFetch(inner, (r) => seen.push(r), redactUrlQuery);
    const res = await f('https://api.example.test/v1/realtime/client_secrets?key=sk-LEAK', { method: 'post', headers: { Authorization: 'Bearer sk-LEAK' }, body: '{"a":1}' });
    expect(await res.text()).toContain('ek_SECRET');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: 'https://api.example.test/v1/realtime/client_secrets?key=[redacted]', status: 200, ok: true });
    expect(seen[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(seen)).not.toMatch(/sk-LEAK|ek_SECRET|Bearer/);
  });

  it('records a request that got no answer and rethrows', async () => {
    const seen: HttpRequestRecord[] = [];
    const inner = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const f = observeFetch(inner, (r) => seen.push(r), redactUrlQuery);
    await expect(f(new URL('https://x.test/token'))).rejects.toThrow('Failed to fetch');
    expect(seen[0]).toMatchObject({ method: 'GET', url: 'https://x.test/token', status: null, ok: false, error: 'TypeError: Failed to fetch' });
  });
});
