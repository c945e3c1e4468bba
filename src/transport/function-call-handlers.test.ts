import { LogLevel, PipecatClient, type RTVIMessage } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import { deferred, type Deferred } from './deferred.ts';
import type { RtviRecord } from './frame-observer.ts';
import { registerFunctionCallHandlerSafely } from './function-call-handlers.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext } from './realtime-websocket-transport.ts';

/** An adapter with no socket: ready at once; records what would go to the provider. */
class ToolTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Tools';
  delivered: Array<{ id: string; name: string; args: Record<string, unknown>; result: unknown }> = [];
  initializeLLM(): void {}
  attachLLMListeners(): void {}
  async connectLLM(): Promise<void> {}
  sendReadyMessage(): Promise<void> {
    queueMicrotask(() => this.markReady());
    return this.waitUntilReady();
  }
  async disconnectLLM(): Promise<void> {}
  handleUserAudioStream(): void {}
  sendMessage(message: RTVIMessage): void {
    this.routeCommonMessage(message);
  }
  protected override deliverFunctionCallResult(call: FunctionCallContext, result: unknown): void {
    this.delivered.push({ id: call.toolCallId, name: call.functionName, args: call.arguments, result });
  }
  call(id: string, name: string, args: Record<string, unknown>): void {
    this.beginFunctionCall({ toolCallId: id, functionName: name, arguments: args });
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function connected() {
  const transport = new ToolTransport({}, new FakeMediaManager());
  const rtvi: RtviRecord[] = [];
  transport.setObserver({ onRtvi: (r) => rtvi.push(r) });
  const client = new PipecatClient({ transport, enableMic: false });
  client.setLogLevel(LogLevel.WARN);
  return { transport, client, rtvi };
}

describe('function-call results with several calls pending', () => {
  // Providers may ask for several calls in one turn (OpenAI: several function_call items in one
  // response; Gemini: several functionCalls in one toolCall), and handlers finish in any order.
  // Each result must reach the provider under the id of the call that produced it.
  it('a result answered out of order reaches the call named by its id (safe handler and plain client-js handler)', async () => {
    const { transport, client, rtvi } = await connected();
    const gates = new Map<string, Deferred<Record<string, unknown>>>();
    const seenBySafeHandler: FunctionCallContext[] = [];
    registerFunctionCallHandlerSafely(client, transport, 'lookup', (call) => {
      seenBySafeHandler.push(call);
      const d = deferred<Record<string, unknown>>();
      gates.set(call.toolCallId, d);
      // The answer carries the arguments it was computed from, so a mix-up shows.
      return d.promise.then((r) => ({ ...r, for: call.arguments.q }));
    });
    const plain = new Map<string, Deferred<Record<string, unknown>>>();
    client.registerFunctionCallHandler('weather', async (params) => {
      const d = deferred<Record<string, unknown>>();
      plain.set(String(params.arguments.city), d);
      return d.promise;
    });
    await client.connect();

    transport.call('call_a', 'lookup', { q: 'alpha' });
    transport.call('call_b', 'weather', { city: 'Oslo' });
    transport.call('call_c', 'lookup', { q: 'gamma' });
    transport.call('call_d', 'lookup', { q: 'delta' });
    expect(transport.pendingFunctionCalls.map((c) => c.toolCallId)).toEqual(['call_a', 'call_b', 'call_c', 'call_d']);
    // The safe handler was told which call it serves, with that call's own arguments.
    expect(seenBySafeHandler.map((c) => [c.toolCallId, c.arguments.q])).toEqual([
      ['call_a', 'alpha'],
      ['call_c', 'gamma'],
      ['call_d', 'delta'],
    ]);

    // Answer in the order d, b, a, c.
    gates.get('call_d')!.resolve({ n: 4 });
    await waitFor('call_d answered', () => transport.delivered.length === 1);
    plain.get('Oslo')!.resolve({ tempC: -3 });
    await waitFor('call_b answered', () => transport.delivered.length === 2);
    gates.get('call_a')!.resolve({ n: 1 });
    await waitFor('call_a answered', () => transport.delivered.length === 3);
    expect(transport.pendingFunctionCalls.map((c) => c.toolCallId)).toEqual(['call_c']);
    gates.get('call_c')!.resolve({ n: 3 });
    await waitFor('call_c answered', () => transport.delivered.length === 4);

    expect(transport.delivered).toEqual([
      { id: 'call_d', name: 'lookup', args: { q: 'delta' }, result: { n: 4, for: 'delta' } },
      { id: 'call_b', name: 'weather', args: { city: 'Oslo' }, result: { tempC: -3 } },
      { id: 'call_a', name: 'lookup', args: { q: 'alpha' }, result: { n: 1, for: 'alpha' } },
      { id: 'call_c', name: 'lookup', args: { q: 'gamma' }, result: { n: 3, for: 'gamma' } },
    ]);
    const stopped = rtvi.filter((r) => r.type === 'llm-function-call-stopped').map((r) => r.data as { tool_call_id: string; result: unknown; cancelled: boolean });
    expect(stopped.map((s) => [s.tool_call_id, s.result, s.cancelled])).toEqual([
      ['call_d', { n: 4, for: 'delta' }, false],
      ['call_b', { tempC: -3 }, false],
      ['call_a', { n: 1, for: 'alpha' }, false],
      ['call_c', { n: 3, for: 'gamma' }, false],
    ]);
    expect(transport.pendingFunctionCalls).toEqual([]);
    await client.disconnect();
  });

  it('a timeout of one pending call answers only that call; the other keeps its own result', async () => {
    const transport = new ToolTransport({ function_call_timeout_ms: 150 }, new FakeMediaManager());
    const client = new PipecatClient({ transport, enableMic: false });
    client.setLogLevel(LogLevel.WARN);
    const gates = new Map<string, Deferred<Record<string, unknown>>>();
    registerFunctionCallHandlerSafely(client, transport, 'slow', (call) => {
      if (call.toolCallId === 'never') return undefined;
      const d = deferred<Record<string, unknown>>();
      gates.set(call.toolCallId, d);
      return d.promise;
    });
    await client.connect();
    transport.call('never', 'slow', { n: 1 });
    transport.call('answered', 'slow', { n: 2 });
    gates.get('answered')!.resolve({ ok: 2 });
    await waitFor('the unanswered call to time out', () => transport.delivered.length === 2, 2000);
    expect(transport.delivered).toEqual([
      { id: 'answered', name: 'slow', args: { n: 2 }, result: { ok: 2 } },
      { id: 'never', name: 'slow', args: { n: 1 }, result: { error: 'timeout' } },
    ]);
    await client.disconnect();
  });
});
