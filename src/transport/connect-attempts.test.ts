import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import { deferred, type Deferred } from './deferred.ts';
import { RealTimeWebsocketTransport } from './realtime-websocket-transport.ts';

/** A stand-in for a provider socket: which attempt opened it and whether it was closed. */
class FakeLink {
  closed = false;
  constructor(readonly attempt: number) {}
}

/**
 * An adapter whose connectLLM waits on a token request (a gate the test releases) and then opens
 * its socket, the way the OpenAI and Gemini adapters mint a secret before the WebSocket. It keeps
 * one `link` field, as real adapters keep one `socket`. `honoursSignal` makes the "request" reject
 * on abort, as fetch does with a signal; a seed-style adapter ignores it.
 */
class GatedTransport extends RealTimeWebsocketTransport {
  link: FakeLink | null = null;
  readonly opened: FakeLink[] = [];
  readonly gates: Array<Deferred<void>> = [];
  readonly signals: AbortSignal[] = [];
  honoursSignal = true;
  private attempts = 0;

  initializeLLM(): void {}
  attachLLMListeners(): void {}
  async connectLLM(): Promise<void> {
    const n = ++this.attempts;
    const gate = deferred<void>();
    this.gates.push(gate);
    const signal = this.connectSignal;
    this.signals.push(signal);
    if (this.honoursSignal) signal.addEventListener('abort', () => gate.reject(new DOMException('The operation was aborted.', 'AbortError')), { once: true });
    await gate.promise;
    const link = new FakeLink(n);
    this.opened.push(link);
    this.link = link;
  }
  sendReadyMessage(): Promise<void> {
    queueMicrotask(() => this.markReady());
    return this.waitUntilReady();
  }
  async disconnectLLM(): Promise<void> {
    if (this.link) this.link.closed = true;
    this.link = null;
  }
  handleUserAudioStream(): void {}
  sendMessage(_m: RTVIMessage): void {}
}

function setup() {
  const transport = new GatedTransport({ connect_timeout_ms: 5000 }, new FakeMediaManager());
  const states: TransportState[] = [];
  const errors: unknown[] = [];
  const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data) } });
  client.setLogLevel(LogLevel.NONE);
  return { transport, client, states, errors };
}

async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('connect attempts (issue 12 item 14)', () => {
  it('each attempt gets its own signal, aborted by disconnect, and nothing opens after the cancel', async () => {
    const { transport, client } = setup();
    const first = client.connect().catch((e: unknown) => e);
    await until('the first token request', () => transport.gates.length === 1);
    await client.disconnect();
    expect(transport.signals[0].aborted).toBe(true);
    await first;
    // The "token request" answers late anyway: nothing may open.
    transport.gates[0].resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.opened).toEqual([]);
    expect(transport.state).toBe('disconnected');

    const second = client.connect();
    await until('the second token request', () => transport.gates.length === 2);
    expect(transport.signals[1]).not.toBe(transport.signals[0]);
    expect(transport.signals[1].aborted).toBe(false);
    transport.gates[1].resolve();
    await second;
    expect(transport.state).toBe('ready');
    await client.disconnect();
  });

  it('a timed-out attempt is aborted: its late socket never opens', async () => {
    const transport = new GatedTransport({ connect_timeout_ms: 40 }, new FakeMediaManager());
    const client = new PipecatClient({ transport, enableMic: true, callbacks: {} });
    client.setLogLevel(LogLevel.NONE);
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/did not become ready/);
    expect(transport.signals[0].aborted).toBe(true);
    expect(transport.opened).toEqual([]);
  });

  it('a stale attempt that ignores its signal (seed-style) cannot replace a newer session\'s socket', async () => {
    const { transport, client } = setup();
    transport.honoursSignal = false;
    const first = client.connect().catch((e: unknown) => e);
    await until('the first token request', () => transport.gates.length === 1);
    await client.disconnect();
    await first;
    const second = client.connect();
    // The new attempt's request answers first; the abandoned one answers after.
    await until('the second token request (or the wait for the first to settle)', () => transport.gates.length === 2 || transport.state === 'connecting');
    transport.gates[1]?.resolve();
    transport.gates[0].resolve();
    await until('the second token request', () => transport.gates.length === 2);
    transport.gates[1].resolve();
    await second;
    expect(transport.state).toBe('ready');
    const live = transport.link;
    expect(live?.attempt, 'the live socket belongs to the newer attempt').toBe(2);
    expect(live?.closed).toBe(false);
    for (const l of transport.opened.filter((x) => x.attempt === 1)) expect(l.closed, 'the stale attempt\'s socket is closed').toBe(true);
    await client.disconnect();
    expect(live?.closed).toBe(true);
  });
});

describe('the adapters pass the attempt signal to their token request and socket', () => {
  const cases = [
    ['OpenAI Realtime', async () => new (await import('../adapters/openai-realtime/openai-realtime-transport.ts')).OpenAIRealtimeWebsocketTransport({ api_key: 'sk-test-key-0123456789', endpoint: 'ws://127.0.0.1:9/v1/realtime' }, new FakeMediaManager())],
    ['Gemini Live', async () => new (await import('../adapters/gemini-live/gemini-live-transport.ts')).GeminiLiveWebsocketTransport({ api_key: 'AIza-test-key-0123456789', endpoint: 'ws://127.0.0.1:9/ws', settings: { auth: 'token' } }, new FakeMediaManager())],
  ] as const;
  for (const [name, make] of cases) {
    it(`${name}: a disconnect while the token request is pending aborts it, and no WebSocket is constructed`, async () => {
      const fetchSignals: Array<AbortSignal | undefined> = [];
      let sockets = 0;
      const g = globalThis as Record<string, unknown>;
      const saved = { fetch: g.fetch, WebSocket: g.WebSocket };
      g.fetch = (_url: unknown, init?: RequestInit) => {
        fetchSignals.push(init?.signal ?? undefined);
        // A slow network: answers only if nobody cancels first.
        return new Promise<Response>((resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')), { once: true });
          setTimeout(() => resolve(new Response(JSON.stringify({ value: 'ek_late', expires_at: 0, name: 'auth_tokens/late' }), { status: 200 })), 50);
        });
      };
      g.WebSocket = class {
        constructor() {
          sockets++;
        }
      };
      try {
        const transport = await make();
        const client = new PipecatClient({ transport, enableMic: true, callbacks: {} });
        client.setLogLevel(LogLevel.NONE);
        const connecting = client.connect().catch((e: unknown) => e);
        await until(`${name} to request a token`, () => fetchSignals.length === 1);
        await client.disconnect();
        await connecting;
        expect(fetchSignals[0], 'fetch got a signal').toBeDefined();
        expect(fetchSignals[0]!.aborted).toBe(true);
        await new Promise((r) => setTimeout(r, 80));
        expect(sockets, 'no WebSocket after the cancel').toBe(0);
      } finally {
        g.fetch = saved.fetch;
        g.WebSocket = saved.WebSocket;
      }
    });
  }
});

describe('a second connect() while the first is in flight (no client-js in between)', () => {
  it('the first settles (rejected) and the second owns the session', async () => {
    const transport = new GatedTransport({ connect_timeout_ms: 5000 }, new FakeMediaManager());
    const client = new PipecatClient({ transport, enableMic: true, callbacks: {} });
    client.setLogLevel(LogLevel.NONE);
    const first = transport.connect().then(() => 'resolved', (e: Error) => e.message);
    await until('the first token request', () => transport.gates.length === 1);
    const second = transport.connect();
    await expect(first).resolves.toMatch(/newer connect/);
    await until('the second token request', () => transport.gates.length === 2);
    transport.gates[1].resolve();
    await second;
    expect(transport.state).toBe('connected');
    expect(transport.link?.attempt).toBe(2);
    await transport.disconnect();
  });
});
