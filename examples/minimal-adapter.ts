/**
 * The smallest useful adapter: an echo "model" behind a WebSocket that speaks JSON
 * `{type: 'ready' | 'audio' | 'transcript', ...}`. README's "Writing an adapter" shows this file;
 * `npm run typecheck` compiles it, so the example cannot drift from the library's API.
 */
import type { RTVIMessage } from '@pipecat-ai/client-js';
import { MissingKeyError, ProviderSocket, RealTimeWebsocketTransport, assertSecureEndpoint, pcm, type LLMServiceOptions, type MediaManager } from '../src/index.ts';

export interface EchoServiceOptions extends LLMServiceOptions {
  endpoint: string;
}

export class EchoWebsocketTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Echo';
  private socket: ProviderSocket | null = null;
  private turn = 0;

  constructor(options: EchoServiceOptions, manager?: MediaManager) {
    super(options, manager);
  }

  initializeLLM(): void {}

  attachLLMListeners(): void {}

  protected override validateBeforeConnect(): void {
    if (!this._service_options.api_key) throw new MissingKeyError(this.providerName);
    assertSecureEndpoint(this._service_options.endpoint ?? '', this.providerName);
  }

  async connectLLM(): Promise<void> {
    this.socket = new ProviderSocket({
      onMessage: ({ text, bytes }) => this.onProviderMessage(text, bytes),
      onClose: (code, reason) => this.handleSocketClosed(code, reason),
    });
    await this.socket.open(this._service_options.endpoint ?? '');
    this.send({ type: 'setup', model: this._service_options.model ?? 'echo-1' });
  }

  sendReadyMessage(): Promise<void> {
    return this.waitUntilReady();
  }

  async disconnectLLM(): Promise<void> {
    this.socket?.close();
    this.socket = null;
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    this.send({ type: 'audio', audio: pcm.bytesToBase64(new Uint8Array(data)) }, { bytes: data.byteLength, durationMs: (data.byteLength / 2 / 16_000) * 1000, sampleRate: 16_000 });
  }

  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    if (message.type === 'send-text') this.send({ type: 'text', text: (message.data as { content: string }).content });
  }

  private send(frame: { type: string } & Record<string, unknown>, audio?: { bytes: number; durationMs: number; sampleRate: number }): void {
    const text = JSON.stringify(frame);
    // The observer gets a summary for audio frames, never base64.
    this.reportFrame('out', frame.type, text.length, audio ? { type: frame.type } : frame, audio ? { audio } : {});
    this.socket?.send(text);
  }

  private onProviderMessage(text: string, bytes: number): void {
    let msg: { type?: string; audio?: string; text?: string };
    try {
      msg = JSON.parse(text);
    } catch {
      const id = this.reportFrame('in', 'malformed', bytes, text.slice(0, 200), { malformed: true });
      this.emitError('Echo sent a frame that is not JSON.', false, [id]);
      return;
    }
    const id = this.reportFrame('in', msg.type ?? 'unknown', bytes, msg.type === 'audio' ? { type: 'audio' } : msg);
    if (msg.type === 'ready') this.markReady([id]);
    else if (msg.type === 'audio' && msg.audio) this._mediaManager.bufferBotAudio(pcm.base64ToInt16(msg.audio), `turn-${this.turn}`);
    else if (msg.type === 'transcript') this.emitRtvi('bot-tts-text', { text: msg.text ?? '' }, { sourceFrameIds: [id] });
    else if (msg.type === 'turn-complete') this.turn++;
  }
}
