import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { FakeMediaManager, type FakeMediaManagerOptions } from './fake-media-manager.ts';
import { installNodeBrowserGlobals } from './node-browser-globals.ts';
import type { FakeOpenAIServer } from './fake-openai-server.ts';
import type { FrameRecord, RtviRecord } from '../../src/transport/frame-observer.ts';
import { OpenAIRealtimeWebsocketTransport, type OpenAIRealtimeServiceOptions } from '../../src/adapters/openai-realtime/openai-realtime-transport.ts';

/** Test-only wiring: a real PipecatClient driving the OpenAI adapter against the fake server. */
export interface OpenAITestSession {
  transport: OpenAIRealtimeWebsocketTransport;
  client: PipecatClient;
  media: FakeMediaManager;
  frames: FrameRecord[];
  rtvi: RtviRecord[];
  states: TransportState[];
  errors: unknown[];
  disconnected: () => number;
  ofType(type: string): RtviRecord[];
  waitFor(what: string, cond: () => boolean, timeoutMs?: number): Promise<void>;
  waitForRtvi(type: string, count?: number, timeoutMs?: number): Promise<RtviRecord>;
}

export type OpenAICompatibleTransportClass = new (options: OpenAIRealtimeServiceOptions, manager: FakeMediaManager) => OpenAIRealtimeWebsocketTransport;

export function openAISession(
  server: FakeOpenAIServer,
  options: OpenAIRealtimeServiceOptions = {},
  mediaOptions: FakeMediaManagerOptions = {},
  Transport: OpenAICompatibleTransportClass = OpenAIRealtimeWebsocketTransport,
): OpenAITestSession {
  installNodeBrowserGlobals();
  const media = new FakeMediaManager(mediaOptions);
  const transport = new Transport({ api_key: server.apiKey, endpoint: server.url, connect_timeout_ms: 5000, ...options }, media);
  const frames: FrameRecord[] = [];
  const rtvi: RtviRecord[] = [];
  const states: TransportState[] = [];
  const errors: unknown[] = [];
  let disconnects = 0;
  transport.setObserver({ onFrame: (f) => frames.push(f), onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({
    transport,
    enableMic: true,
    enableCam: false,
    callbacks: {
      onTransportStateChanged: (s) => states.push(s),
      onError: (m: RTVIMessage) => errors.push(m.data),
      onDisconnected: () => disconnects++,
    },
  });
  // client-js logs every RTVI message at debug level; keep test output readable.
  client.setLogLevel(LogLevel.WARN);
  const waitFor = async (what: string, cond: () => boolean, timeoutMs = 10_000) => {
    const start = Date.now();
    while (!cond()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const ofType = (type: string) => rtvi.filter((r) => r.type === type);
  return {
    transport,
    client,
    media,
    frames,
    rtvi,
    states,
    errors,
    disconnected: () => disconnects,
    ofType,
    waitFor,
    async waitForRtvi(type, count = 1, timeoutMs = 10_000) {
      await waitFor(`RTVI ${type} #${count}`, () => ofType(type).length >= count, timeoutMs);
      return ofType(type)[count - 1];
    },
  };
}
