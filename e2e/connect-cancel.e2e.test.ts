/**
 * Issue 12 item 14 through the panel: Connect, then Disconnect while the OpenAI client-secret request
 * is still pending, then Connect to another (healthy) server. The abandoned attempt's request is
 * aborted (the server sees the request go away), it never opens a WebSocket, and the new session
 * stays the one that is live.
 */
import http from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const KEY = 'sk-e2e-cancel-4f1a9b2c7d3e';

/**
 * A slow network in front of a token endpoint: the client-secret request (POST
 * /v1/realtime/client_secrets, as the OpenAI adapter sends it) is held until the test releases it,
 * and any WebSocket handshake is counted (there must be none). Not a model of OpenAI: it only
 * delays; the answer it finally gives has the documented client-secret shape (`value`, `expires_at`).
 */
async function startSlowTokenServer() {
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type, OpenAI-Beta', 'Access-Control-Allow-Methods': 'POST, OPTIONS' };
  const state = { requests: 0, aborted: 0, answered: 0, handshakes: 0 };
  const held: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    state.requests++;
    req.resume();
    res.on('close', () => {
      if (!res.writableEnded) state.aborted++;
    });
    held.push(() => {
      if (res.destroyed) return;
      state.answered++;
      res.writeHead(200, { 'Content-Type': 'application/json', ...cors }).end(JSON.stringify({ value: 'ek_late_secret_0123456789', expires_at: Math.floor(Date.now() / 1000) + 600, session: { type: 'realtime' } }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', () => void state.handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    state,
    release: () => held.splice(0).forEach((f) => f()),
    close: () => new Promise<void>((resolve) => {
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('a cancelled connect opens nothing (OpenAI Realtime, through the panel)', () => {
  let h: ExtensionHarness;
  let panel: Page;
  let healthy: FakeOpenAIServer;
  let slow: Awaited<ReturnType<typeof startSlowTokenServer>>;

  beforeAll(async () => {
    healthy = await startFakeOpenAIServer({ apiKey: KEY, vadRmsThreshold: 2 });
    slow = await startSlowTokenServer();
    h = await launchExtension();
    panel = await h.openPanel();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([healthy?.close(), slow?.close()]);
  });

  it('Disconnect during the token request aborts it; the next Connect stays the live session', async () => {
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: slow.url });
    await waitFor('the client-secret request to reach the slow server', () => slow.state.requests === 1, { timeoutMs: 15_000 });
    await button(panel, 'Disconnect').click();
    await waitFor('the pending client-secret request to be aborted by the client', () => slow.state.aborted === 1, { timeoutMs: 10_000 });
    await waitForConnectionState(panel, 'disconnected', 10_000);

    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: healthy.url });
    await waitForConnectionState(panel, 'ready', 15_000);
    // The network "answers" the abandoned request now; it was aborted, so nobody reads it.
    slow.release();
    expect(slow.state.answered).toBe(0);
    // The new session is the one that is live: one open socket, at the healthy server.
    await waitFor('the healthy fake to hold exactly one open session', () => healthy.openConnections() === 1, { timeoutMs: 10_000 });
    expect(slow.state.handshakes, 'no WebSocket to the abandoned endpoint').toBe(0);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected', 10_000);
    await waitFor('the healthy fake to see the client close', () => healthy.openConnections() === 0, { timeoutMs: 10_000 });
    expect(slow.state.handshakes).toBe(0);
  });
});
