import { LogLevel, PipecatClient, RTVI_PROTOCOL_VERSION, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import type { FrameRecord, RtviRecord } from './frame-observer.ts';
import { registerFunctionCallHandlerSafely } from './function-call-handlers.ts';
import { RealTimeWebsocketTransport, type LLMServiceOptions } from './realtime-websocket-transport.ts';
import { MicrophoneError, MissingKeyError } from './transport-errors.ts';

type Script = 'ready' | 'close-before-ready' | 'never' | 'throw-in-connect';

/** A scripted adapter: no socket, just the hooks the base class drives. */
class ScriptedTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Scripted';
  script: Script = 'ready';
  requireKey = false;
  sent: RTVIMessage[] = [];
  delivered: Array<{ id: string; result: unknown }> = [];
  disconnectLLMCalls = 0;

  initializeLLM(): void {}
  attachLLMListeners(): void {}
  protected override validateBeforeConnect(): void {
    if (this.requireKey && !this._service_options.api_key) throw new MissingKeyError(this.providerName);
  }
  async connectLLM(): Promise<void> {
    if (this.script === 'throw-in-connect') throw new Error('socket refused');
    this.reportFrame('out', 'setup', 10, { setup: { key: this._service_options.api_key } });
  }
  sendReadyMessage(): Promise<void> {
    setTimeout(() => {
      if (this.script === 'ready') this.markReady([this.reportFrame('in', 'setupComplete', 2, {})]);
      if (this.script === 'close-before-ready') this.handleSocketClosed(1008, `models/nope is not found; key ${this._service_options.api_key}`);
    }, 1);
    return this.waitUntilReady();
  }
  async disconnectLLM(): Promise<void> {
    this.disconnectLLMCalls++;
  }
  handleUserAudioStream(): void {}
  received = 0;
  sendMessage(message: RTVIMessage): void {
    this.received++;
    if (this.routeCommonMessage(message)) return;
    this.sent.push(message);
  }
  protected override deliverFunctionCallResult(call: { toolCallId: string }, result: unknown): void {
    this.delivered.push({ id: call.toolCallId, result });
  }
  // Test access to protected helpers.
  callTool(id: string, name: string, args: Record<string, unknown> = {}): void {
    this.beginFunctionCall({ toolCallId: id, functionName: name, arguments: args });
  }
  cancelTool(id: string): void {
    this.cancelFunctionCalls([id]);
  }
  order: string[] = [];
  protected override onInterruptStarted(): void {
    this.order.push('interrupt-started');
  }
  protected override onLocalInterrupt(): void {
    this.order.push('local-interrupt');
  }
  /** A token request that only ends when the attempt is cancelled (as fetch with the attempt's signal). */
  hangUntilCancelled(): Promise<void> {
    const signal = this.connectSignal;
    return new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }));
  }
  dropSocket(code: number, reason: string): void {
    this.handleSocketClosed(code, reason);
  }
}

function setup(options: LLMServiceOptions = {}, media = new FakeMediaManager()) {
  const transport = new ScriptedTransport(options, media);
  const states: TransportState[] = [];
  const errors: unknown[] = [];
  const frames: FrameRecord[] = [];
  const rtvi: RtviRecord[] = [];
  transport.setObserver({ onFrame: (f) => frames.push(f), onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({
    transport,
    enableMic: true,
    callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data) },
  });
  client.setLogLevel(LogLevel.WARN);
  return { transport, client, states, errors, frames, rtvi, media };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RealTimeWebsocketTransport state machine', () => {
  it('goes through the exact state sequence from construction to ready to disconnected', async () => {
    const { client, states, rtvi } = setup();
    const ready = await client.connect();
    expect(states).toEqual(['initializing', 'initialized', 'connecting', 'connected', 'ready']);
    expect((ready as { version: string }).version).toBe(RTVI_PROTOCOL_VERSION);
    expect(rtvi.find((r) => r.type === 'bot-ready')?.sourceFrameIds).toHaveLength(1);
    await client.disconnect();
    expect(states.slice(5)).toEqual(['disconnecting', 'disconnected']);
  });

  it('rejects connect() when the provider closes before ready, with code and reason, key scrubbed', async () => {
    const { client, transport, states } = setup({ api_key: 'SECRET-KEY-123456' });
    transport.script = 'close-before-ready';
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/code 1008/);
    expect(err?.message).toMatch(/models\/nope is not found/);
    expect(err?.message).not.toContain('SECRET-KEY-123456');
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    expect(states).toContain('error');
  });

  it('rejects connect() on setup timeout and names what it waited for', async () => {
    const { client, transport } = setup({ connect_timeout_ms: 60 });
    transport.script = 'never';
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/did not become ready within 0\.1 s|within 0\.06 s|within/);
    expect(err?.message).toMatch(/waiting for/);
    await waitFor('state disconnected', () => transport.state === 'disconnected');
  });

  it('rejects connect() with a clear message when the key is missing, opening nothing', async () => {
    const media = new FakeMediaManager();
    const { client, transport } = setup({}, media);
    transport.requireKey = true;
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(MissingKeyError);
    expect(err?.message).toMatch(/No API key for Scripted/);
    expect(media.connectCalls).toBe(0);
  });

  it('rejects connect() with the microphone reason when the mic is denied', async () => {
    const media = new FakeMediaManager();
    media.failConnectWith = new MicrophoneError('permissions', 'Microphone access is blocked for this extension.');
    const { client, transport } = setup({}, media);
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toBe('Microphone access is blocked for this extension.');
    await waitFor('state disconnected', () => transport.state === 'disconnected');
  });

  it('connects again after a failed connect and after a disconnect', async () => {
    const { client, transport } = setup();
    transport.script = 'throw-in-connect';
    await expect(client.connect()).rejects.toThrow(/socket refused/);
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    transport.script = 'ready';
    await client.connect();
    expect(transport.state).toBe('ready');
    await client.disconnect();
    await client.connect();
    expect(transport.state).toBe('ready');
    await client.disconnect();
  });

  it('disconnect() is idempotent', async () => {
    const { client, transport } = setup();
    await client.connect();
    await Promise.all([client.disconnect(), client.disconnect(), transport.disconnect()]);
    expect(transport.state).toBe('disconnected');
    expect(transport.disconnectLLMCalls).toBe(1);
  });

  it('turns a socket loss after ready into a fatal RTVI error and a clean disconnect', async () => {
    const { client, transport, errors } = setup();
    await client.connect();
    transport.dropSocket(1011, 'Internal error encountered.');
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ fatal: true, code: 1011 });
    expect((errors[0] as { error: string }).error).toMatch(/code 1011.*Internal error encountered/);
  });

  it('redacts the key in observer payloads', async () => {
    const { client, frames } = setup({ api_key: 'SECRET-KEY-123456' });
    await client.connect();
    expect(JSON.stringify(frames)).not.toContain('SECRET-KEY-123456');
    expect(JSON.stringify(frames)).toContain('[redacted]');
    await client.disconnect();
  });
});

describe('function calls', () => {
  it('runs the registered handler with the tool_call_id and delivers its result once', async () => {
    const { client, transport, rtvi } = setup();
    const seen: string[] = [];
    registerFunctionCallHandlerSafely(client, transport, 'get_weather', (call) => {
      seen.push(call.toolCallId);
      return { tempC: 18 };
    });
    await client.connect();
    transport.callTool('call_1', 'get_weather', { city: 'Paris' });
    await waitFor('result delivered', () => transport.delivered.length === 1);
    expect(seen).toEqual(['call_1']);
    expect(transport.delivered[0]).toEqual({ id: 'call_1', result: { tempC: 18 } });
    expect(rtvi.map((r) => r.type)).toEqual(expect.arrayContaining(['llm-function-call-started', 'llm-function-call-in-progress', 'llm-function-call-stopped']));
    await client.disconnect();
  });

  it('answers {error} when the handler throws', async () => {
    const { client, transport } = setup();
    registerFunctionCallHandlerSafely(client, transport, 'boom', () => {
      throw new Error('handler exploded');
    });
    await client.connect();
    transport.callTool('call_2', 'boom');
    await waitFor('error result delivered', () => transport.delivered.length === 1);
    expect(transport.delivered[0].result).toEqual({ error: 'handler exploded' });
    await client.disconnect();
  });

  it('answers {error: "timeout"} when no result comes in time', async () => {
    const { client, transport } = setup({ function_call_timeout_ms: 30 });
    await client.connect();
    transport.callTool('call_3', 'slow');
    await waitFor('timeout result', () => transport.delivered.length === 1);
    expect(transport.delivered[0]).toEqual({ id: 'call_3', result: { error: 'timeout' } });
    await client.disconnect();
  });

  it('suppresses a late result after cancellation', async () => {
    const { client, transport, rtvi } = setup();
    let release: (v: unknown) => void = () => undefined;
    registerFunctionCallHandlerSafely(client, transport, 'later', () => new Promise((r) => (release = r as (v: unknown) => void)));
    await client.connect();
    transport.callTool('call_4', 'later');
    transport.cancelTool('call_4');
    release({ ok: true });
    await waitFor('the late result to reach the transport', () => transport.received === 1);
    expect(transport.delivered).toEqual([]);
    const stopped = rtvi.filter((r) => r.type === 'llm-function-call-stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0].data).toMatchObject({ tool_call_id: 'call_4', cancelled: true });
    await client.disconnect();
  });
});

describe('issue 12 item 16: transport clauses', () => {
  it('a DOMException from the adapter keeps its own message (no TypeError from the read-only message)', async () => {
    const { client, transport } = setup({ api_key: 'SECRET-KEY-123456' });
    transport.connectLLM = async () => {
      throw new DOMException('The network said no to SECRET-KEY-123456.', 'NetworkError');
    };
    const err = await client.connect().then(() => null, (e: Error) => e);
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err?.message).toMatch(/^The network said no to/);
    expect(err?.message).not.toContain('SECRET-KEY-123456');
    expect(err?.name).toBe('NetworkError');
  });

  it('initDevices() during a session does not change the session state', async () => {
    const { client, transport, states } = setup();
    await client.connect();
    const before = states.length;
    await client.initDevices();
    expect(transport.state).toBe('ready');
    expect(states.slice(before)).toEqual([]);
    await client.disconnect();
  });

  it('function-call handlers registered through client-js get the real arguments; only the inspector copy is scrubbed', async () => {
    const { client, transport, rtvi } = setup({ api_key: 'SECRET-KEY-123456' });
    const seen: unknown[] = [];
    client.registerFunctionCallHandler('remember', async (params) => {
      seen.push(params.arguments);
      return { ok: true };
    });
    await client.connect();
    transport.callTool('call_9', 'remember', { note: 'the code is SECRET-KEY-123456', n: 3 });
    await waitFor('the handler to run', () => seen.length === 1);
    expect(seen[0]).toEqual({ note: 'the code is SECRET-KEY-123456', n: 3 });
    const shown = rtvi.find((r) => r.type === 'llm-function-call-in-progress');
    expect(JSON.stringify(shown?.data)).not.toContain('SECRET-KEY-123456');
    await client.disconnect();
  });

  it("a user's Disconnect during connect never reports error (no error state, no onError)", async () => {
    const { client, transport, states, errors } = setup();
    // Cancelled while the provider link is still opening (a token request, a slow handshake) ...
    transport.connectLLM = () => transport.hangUntilCancelled();
    const connecting = client.connect().then(() => null, (e: Error) => e);
    await waitFor('state connecting', () => transport.state === 'connecting');
    await client.disconnect();
    await connecting;
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    // ... and while waiting for the provider's confirmation.
    transport.connectLLM = ScriptedTransport.prototype.connectLLM;
    transport.script = 'never';
    const waiting = client.connect().then(() => null, (e: Error) => e);
    await waitFor('state connected', () => transport.state === 'connected');
    await client.disconnect();
    await waiting;
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    expect(states.join(','), 'states').not.toContain('error');
    expect(errors).toEqual([]);
  });

  it('the same without client-js in between: transport.disconnect() during connect() never passes through error', async () => {
    const { transport, states, errors } = setup();
    transport.connectLLM = () => transport.hangUntilCancelled();
    const connecting = transport.connect().then(() => null, (e: Error) => e);
    await waitFor('state connecting', () => transport.state === 'connecting');
    await transport.disconnect();
    const err = await connecting;
    expect(err?.message).toMatch(/Disconnected before the session was ready/);
    expect(transport.state).toBe('disconnected');
    expect(states.join(','), 'states').not.toContain('error');
    expect(errors).toEqual([]);
  });

  it('a setup failure also reaches onError, once, with the same message connect() rejects with', async () => {
    const { client, transport, errors } = setup({ api_key: 'SECRET-KEY-123456' });
    transport.script = 'close-before-ready';
    const err = await client.connect().then(() => null, (e: Error) => e);
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    expect(errors).toHaveLength(1);
    expect((errors[0] as { error: string }).error).toBe(err?.message);
    expect(errors[0]).toMatchObject({ fatal: true, phase: 'setup' });
    expect(JSON.stringify(errors)).not.toContain('SECRET-KEY-123456');
  });
});

describe('interruptBot (issue 12 item 15)', () => {
  it('tells the adapter synchronously, before the player answers, then again with the played counts', async () => {
    const media = new FakeMediaManager({ flushLatencyMs: 30 });
    const { client, transport } = setup({}, media);
    await client.connect();
    const done = transport.interruptBot();
    expect(transport.order).toEqual(['interrupt-started']);
    await done;
    expect(transport.order).toEqual(['interrupt-started', 'local-interrupt']);
    await client.disconnect();
  });
});
