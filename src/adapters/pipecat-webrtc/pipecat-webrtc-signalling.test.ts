import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHttpError, callBot, iceServersFrom } from './pipecat-webrtc-signalling.ts';

/** Any refusal a bot's HTTP endpoint can give (FastAPI's 4xx/5xx, a proxy's HTML page, an empty body). */
describe('callBot: HTTP refusals from the start/offer endpoints', () => {
  let server: Server;
  let url = '';
  let next = { status: 500, body: '' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(next.status, { 'content-type': 'text/plain' }).end(next.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/offer`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('every 4xx/5xx rejects with a BotHttpError naming the endpoint, the status and the body (first 500 characters)', async () => {
    await fc.assert(
      fc.asyncProperty(// 407 is excluded: fetch treats Proxy Authentication Required as a network error (undici and Chromium alike).
      fc.integer({ min: 400, max: 599 }).filter((s) => s !== 407), fc.string({ maxLength: 700 }), fc.constantFrom('start' as const, 'offer' as const), async (status, body, what) => {
        next = { status, body };
        const err = await callBot(what, 'POST', { url, body: { sdp: 'x' }, headers: {}, signal: new AbortController().signal }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(BotHttpError);
        const e = err as BotHttpError;
        expect(e.status).toBe(status);
        expect(e.message).toContain(`${what} endpoint refused: HTTP ${status}`);
        expect(e.body).toBe(body.slice(0, 500));
        if (body === '') expect(e.message).toContain('(empty body)');
      }),
      { numRuns: 40 },
    );
  });

  it('a 200 that is not a JSON object is refused with what came back', async () => {
    next = { status: 200, body: '<html>proxy</html>' };
    await expect(callBot('offer', 'POST', { url, body: {}, headers: {}, signal: new AbortController().signal })).rejects.toThrow(/not JSON: <html>proxy<\/html>/);
    next = { status: 200, body: '[1, 2]' };
    await expect(callBot('offer', 'POST', { url, body: {}, headers: {}, signal: new AbortController().signal })).rejects.toThrow(/not an object/);
  });

  it('reads iceConfig.iceServers from a start answer, ignoring entries without urls', () => {
    expect(iceServersFrom({ sessionId: 'a', iceConfig: { iceServers: [{ urls: 'stun:stun.l.google.com:19302' }, { nope: 1 }] } })).toEqual([{ urls: 'stun:stun.l.google.com:19302' }]);
    expect(iceServersFrom({ sessionId: 'a' })).toEqual([]);
  });
});
