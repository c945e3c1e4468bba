import { LogLevel, PipecatClient } from '@pipecat-ai/client-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeMediaManager } from '../fakes/fake-media-manager.ts';
import { installNodeBrowserGlobals } from '../fakes/node-browser-globals.ts';
import { GeminiLiveWebsocketTransport } from '../../src/adapters/gemini-live/gemini-live-transport.ts';
import { OpenAIRealtimeWebsocketTransport } from '../../src/adapters/openai-realtime/openai-realtime-transport.ts';
import type { RealTimeWebsocketTransport } from '../../src/transport/realtime-websocket-transport.ts';

/**
 * A key must never travel in clear text to another machine: each adapter refuses a `ws://`
 * endpoint whose host is not loopback, with a clear message, BEFORE anything leaves (no token
 * request, no WebSocket opened). Loopback hosts stay allowed for local fakes and proxies.
 */
const KEY = 'sk-INSECURECANARY-0123456789abcdef';
const opened: string[] = [];
const fetched: string[] = [];

beforeEach(() => {
  installNodeBrowserGlobals();
  opened.length = 0;
  fetched.length = 0;
  // Record, and refuse, every attempt to reach the network.
  class RecordingWebSocket {
    constructor(url: string) {
      opened.push(String(url));
      throw new Error('network disabled in this test');
    }
  }
  vi.stubGlobal('WebSocket', RecordingWebSocket);
  vi.stubGlobal('fetch', async (url: unknown) => {
    fetched.push(String(url));
    throw new Error('network disabled in this test');
  });
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

type Make = (endpoint: string, settings?: Record<string, unknown>) => RealTimeWebsocketTransport;
const ADAPTERS: Array<[string, Make, Array<Record<string, unknown>>]> = [
  ['Gemini Live', (endpoint, settings) => new GeminiLiveWebsocketTransport({ api_key: KEY, endpoint, settings }, new FakeMediaManager()), [{}, { auth: 'key-in-url' }]],
  ['OpenAI Realtime', (endpoint, settings) => new OpenAIRealtimeWebsocketTransport({ api_key: KEY, endpoint, settings }, new FakeMediaManager()), [{}, { auth: 'api-key-in-subprotocol' }]],
];

async function connectError(transport: RealTimeWebsocketTransport): Promise<Error> {
  const client = new PipecatClient({ transport, enableMic: true, enableCam: false });
  client.setLogLevel(LogLevel.NONE);
  try {
    await client.connect();
  } catch (e) {
    return e as Error;
  } finally {
    await client.disconnect().catch(() => undefined);
  }
  throw new Error('connect() resolved against an unreachable endpoint');
}

describe.each(ADAPTERS)('%s refuses to send a key over ws:// to another machine', (name, make, authModes) => {
  for (const settings of authModes) {
    const mode = JSON.stringify(settings);
    it.each(['ws://api.example.com/v1/realtime', 'ws://10.0.0.5:8080', 'ws://192.168.1.20/ws/', 'ws://[2001:db8::1]:9000', 'ws://localhost.example.com'])(`%s (${mode})`, async (endpoint) => {
      const err = await connectError(make(endpoint, settings));
      expect(err.message).toMatch(new RegExp(`Refusing to send a key for ${name} over unencrypted ws:// to .+; use wss://, or ws:// only for localhost`));
      expect(err.message).not.toContain(KEY);
      expect(err.message).not.toContain('INSECURECANARY');
      // Refused before anything was sent: no token request, no socket.
      expect(fetched).toEqual([]);
      expect(opened).toEqual([]);
    });
  }

  it.each(['http://api.example.com/v1/realtime', 'ftp://x', 'not a url'])('a non-WebSocket endpoint (%s) is refused too, before anything is sent', async (endpoint) => {
    const err = await connectError(make(endpoint));
    expect(err.message).toMatch(/Endpoint URL for .+ (must start with wss:\/\/|is not a valid URL)|Invalid URL/);
    expect(fetched).toEqual([]);
    expect(opened).toEqual([]);
  });

  it.each(['ws://127.0.0.1:9', 'ws://localhost:9', 'ws://[::1]:9'])('a loopback ws:// endpoint (%s) is allowed through to the network layer', async (endpoint) => {
    const err = await connectError(make(endpoint, authModes[1]));
    expect(err.message).not.toMatch(/Refusing/);
    // It got as far as trying the (stubbed) network.
    expect(opened.length + fetched.length).toBeGreaterThan(0);
    expect(err.message).not.toContain('INSECURECANARY');
  });
});
