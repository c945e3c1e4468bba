import { PipecatClient, type TransportState } from '@pipecat-ai/client-js';
import { FakeMediaManager } from './fake-media-manager.ts';
import { installNodeBrowserGlobals } from './node-browser-globals.ts';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer, type FakeGeminiServerOptions } from './fake-gemini-server.ts';
import type { FrameRecord, RtviRecord } from '../../src/transport/frame-observer.ts';
import { GeminiLiveWebsocketTransport, type GeminiLiveServiceOptions } from '../../src/adapters/gemini-live/gemini-live-transport.ts';

/** Test-only wiring: a real PipecatClient driving the Gemini adapter against the fake server. */
export interface GeminiTestSession {
  server: FakeGeminiServer;
  media: FakeMediaManager;
  transport: GeminiLiveWebsocketTransport;
  client: PipecatClient;
  frames: FrameRecord[];
  rtvi: RtviRecord[];
  states: TransportState[];
  errors: Array<{ error?: string; message?: string; fatal?: boolean; [k: string]: unknown }>;
  of(type: string): RtviRecord[];
  serverMessages(type: string): Array<Record<string, unknown>>;
}

export async function waitUntil<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface GeminiSessionPool {
  servers: FakeGeminiServer[];
  clients: PipecatClient[];
  cleanup(): Promise<void>;
}

export function geminiSessionPool(): GeminiSessionPool {
  const pool: GeminiSessionPool = {
    servers: [],
    clients: [],
    async cleanup() {
      for (const c of pool.clients.splice(0)) await c.disconnect().catch(() => undefined);
      for (const s of pool.servers.splice(0)) await s.close();
    },
  };
  return pool;
}

export async function geminiSession(
  pool: GeminiSessionPool,
  serverOptions: FakeGeminiServerOptions = {},
  options: Partial<GeminiLiveServiceOptions> & { settings?: Record<string, unknown> } = {},
  media = new FakeMediaManager({ playbackSpeed: 10 }),
): Promise<GeminiTestSession> {
  installNodeBrowserGlobals();
  const server = await startFakeGeminiServer(serverOptions);
  pool.servers.push(server);
  const transport = new GeminiLiveWebsocketTransport(
    { api_key: FAKE_GEMINI_KEY, endpoint: server.url, connect_timeout_ms: 5000, ...options, settings: { silence_duration_ms: 200, ...options.settings } },
    media,
  );
  const frames: FrameRecord[] = [];
  const rtvi: RtviRecord[] = [];
  const states: TransportState[] = [];
  const errors: GeminiTestSession['errors'] = [];
  transport.setObserver({ onFrame: (f) => frames.push(f), onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({
    transport,
    enableMic: true,
    callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data as GeminiTestSession['errors'][number]) },
  });
  pool.clients.push(client);
  const of = (type: string) => rtvi.filter((r) => r.type === type);
  return {
    server, media, transport, client, frames, rtvi, states, errors, of,
    serverMessages: (type) => of('server-message').map((r) => r.data as Record<string, unknown>).filter((d) => d.type === type),
  };
}
