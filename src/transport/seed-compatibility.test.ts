import { LogLevel, PipecatClient, type RTVIMessage, type TransportState } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../test/fakes/fake-media-manager.ts';
import type { MediaManager } from '../audio/media-manager.ts';
import { RealTimeWebsocketTransport, type LLMServiceOptions } from './realtime-websocket-transport.ts';

interface MyLLMOptions extends LLMServiceOptions {
  api_key: string;
}

/**
 * The seed README's adapter, method for method (its typing slips fixed): no providerName, no
 * project helpers; sendReadyMessage reports readiness by calling this._onMessage() with bot-ready.
 */
class SeedShapedTransport extends RealTimeWebsocketTransport {
  sent: RTVIMessage[] = [];
  audioChunks = 0;
  constructor(service_options: MyLLMOptions, manager?: MediaManager) {
    super(service_options, manager);
  }
  initializeLLM(): void {}
  attachLLMListeners(): void {}
  async connectLLM(): Promise<void> {}
  async disconnectLLM(): Promise<void> {}
  handleUserAudioStream(_data: ArrayBuffer): void {
    this.audioChunks++;
  }
  async sendReadyMessage(): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this._onMessage({ type: 'bot-ready', data: { version: '1.0.0' } } as RTVIMessage);
  }
  sendMessage(message: RTVIMessage): void {
    this.sent.push(message);
  }
}

describe('seed compatibility (issue 12 item 17)', () => {
  it('a seed-style bot-ready through _onMessage makes the transport ready; the setup timer never fires', async () => {
    const media = new FakeMediaManager();
    const transport = new SeedShapedTransport({ api_key: 'k', connect_timeout_ms: 60 }, media);
    const states: TransportState[] = [];
    const errors: unknown[] = [];
    const client = new PipecatClient({ transport, enableMic: true, callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data) } });
    client.setLogLevel(LogLevel.NONE);
    await client.connect();
    expect(transport.state).toBe('ready');
    // client-js accepts messages only in `ready`.
    expect(() => client.sendClientMessage('hello', { n: 1 })).not.toThrow();
    expect(transport.sent.map((m) => m.type)).toContain('client-message');
    // Past the 60 ms setup timeout: still ready, no error, microphone audio still flows.
    await new Promise((r) => setTimeout(r, 150));
    expect(transport.state).toBe('ready');
    expect(states).not.toContain('error');
    expect(errors).toEqual([]);
    media.speak(100);
    expect(transport.audioChunks).toBeGreaterThan(0);
    await client.disconnect();
    expect(transport.state).toBe('disconnected');
  });
});
