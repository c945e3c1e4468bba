import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import { RealTimeWebsocketTransport } from './realtime-websocket-transport.ts';

type Phase = 'media' | 'socket' | 'ready';

/** Media whose connect() never finishes: a getUserMedia whose permission prompt is still open. */
class PromptOpenMedia extends FakeMediaManager {
  override async connect(): Promise<void> {
    this.calls.push('connect');
    this.connectCalls++;
    await new Promise<never>(() => undefined);
  }
}

/** An adapter that hangs in the given phase of connect; `answerLate()` plays the provider's late reply. */
class HangingTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Hanging';
  disconnectLLMCalls = 0;
  constructor(
    private readonly phase: Phase,
    media: FakeMediaManager,
  ) {
    // The setup timeout is far beyond the test's bound: only disconnect() can settle connect().
    super({ connect_timeout_ms: 60_000 }, media);
  }
  initializeLLM(): void {}
  attachLLMListeners(): void {}
  connectLLM(): Promise<void> {
    return this.phase === 'socket' ? new Promise<void>(() => undefined) : Promise.resolve();
  }
  sendReadyMessage(): Promise<void> {
    return this.waitUntilReady();
  }
  async disconnectLLM(): Promise<void> {
    this.disconnectLLMCalls++;
  }
  handleUserAudioStream(): void {}
  sendMessage(_message: RTVIMessage): void {}
  answerLate(): void {
    this.markReady();
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves to how the promise settled, or rejects after `ms` naming what did not settle. */
function settledWithin<T>(what: string, p: Promise<T>, ms: number): Promise<'resolved' | 'rejected'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    p.then(
      () => (clearTimeout(timer), resolve('resolved')),
      () => (clearTimeout(timer), resolve('rejected')),
    );
  });
}

describe('disconnect() while connect() is pending', () => {
  const phases: Array<[Phase, string, TransportState]> = [
    ['media', 'the microphone is still being opened (permission prompt open)', 'connecting'],
    ['socket', 'the provider socket is still opening', 'connecting'],
    ['ready', 'the provider has not confirmed the session yet', 'connected'],
  ];
  it.each(phases)('settles connect() and ends disconnected when %s: %s', async (phase, _why, hangState) => {
    const media = phase === 'media' ? new PromptOpenMedia() : new FakeMediaManager();
    const transport = new HangingTransport(phase, media);
    const states: TransportState[] = [];
    const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s) } });
    client.setLogLevel(LogLevel.NONE);

    const connecting = client.connect();
    await waitFor(`state ${hangState}`, () => transport.state === hangState);
    const disconnecting = client.disconnect();

    // Both settle long before the 60 s setup timeout; connect() does not report success.
    expect(await settledWithin('connect()', connecting, 2000)).toBe('rejected');
    expect(await settledWithin('disconnect()', disconnecting, 2000)).toBe('resolved');
    await waitFor('state disconnected', () => transport.state === 'disconnected');
    expect(states).not.toContain('ready');
    // Nothing is left open: the adapter was told to close its socket and the media manager released.
    expect(transport.disconnectLLMCalls).toBeGreaterThanOrEqual(1);
    expect(media.calls).toContain('disconnect');
    expect(media.connected).toBe(false);

    // A provider reply that arrives after the cancel does not revive the session.
    transport.answerLate();
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.state).toBe('disconnected');
  });
});
