/**
 * An adapter in the seed README's shape: extend RealTimeWebsocketTransport and implement its seven
 * methods, nothing else (no project helpers). The README's typing slips are fixed: the constructor
 * takes this adapter's own options, and the hooks that return nothing are not `async … : void`.
 *
 * The "service" is a toy echo protocol defined by this example (JSON text frames):
 *   client → service  {type: 'setup', model}            once the socket is open
 *   service → client  {type: 'ready'}                   the session can take audio
 *   client → service  {type: 'audio', audio: base64}    16 kHz PCM16 microphone chunks
 *   service → client  {type: 'audio', audio: base64}    24 kHz PCM16 bot audio
 *   client → service  {type: 'text', text}              from client.sendText()
 *
 * README's "Writing an adapter" shows this file; `npm run typecheck` compiles it, and
 * e2e/library-build.e2e.test.ts runs it in a browser page against the library build.
 */
import type { RTVIMessage } from '@pipecat-ai/client-js';
import { RealTimeWebsocketTransport, type LLMServiceOptions, type MediaManager } from '../src/index.ts';

export interface MyLLMOptions extends LLMServiceOptions {
  /** ws:// (local) or wss:// URL of the service. */
  endpoint: string;
}

export class MyLLMServiceTransport extends RealTimeWebsocketTransport {
  private ws: WebSocket | null = null;
  private ready: ((ok: boolean) => void) | null = null;
  private readyAnswer: Promise<boolean> = Promise.resolve(false);
  private turn = 0;

  constructor(service_options: MyLLMOptions, manager?: MediaManager) {
    super(service_options, manager);
  }

  initializeLLM(): void {
    // Nothing to build ahead of time: the socket opens in connectLLM().
  }

  attachLLMListeners(): void {
    // Listeners are attached to each socket as it opens (connectLLM()).
  }

  async connectLLM(): Promise<void> {
    const ws = new WebSocket(this._service_options.endpoint ?? '');
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onclose = (ev) => reject(new Error(`The service closed the connection (code ${ev.code}).`));
    });
    // The service may answer before client-js calls sendReadyMessage(): keep the answer.
    this.readyAnswer = new Promise<boolean>((resolve) => (this.ready = resolve));
    ws.onmessage = (ev: MessageEvent<string>) => this.onServiceMessage(JSON.parse(ev.data) as { type: string; audio?: string });
    ws.onclose = () => {
      this.ready?.(false);
      this.ws = null;
    };
    ws.send(JSON.stringify({ type: 'setup', model: this._service_options.model ?? 'echo-1' }));
  }

  async disconnectLLM(): Promise<void> {
    this.ws?.close();
    this.ws = null;
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'audio', audio: toBase64(new Uint8Array(data)) }));
  }

  async sendReadyMessage(): Promise<void> {
    const ok = await this.readyAnswer;
    if (!ok) throw new Error('The service closed the connection before it was ready.');
    // The seed's way of saying "ready": a bot-ready message through the client's handler.
    this._onMessage({ type: 'bot-ready', data: { version: '1.0.0' } } as RTVIMessage);
  }

  sendMessage(message: RTVIMessage): void {
    if (message.type === 'send-text') {
      const { content } = message.data as { content: string };
      this.ws?.send(JSON.stringify({ type: 'text', text: content }));
    }
  }

  private onServiceMessage(msg: { type: string; audio?: string }): void {
    if (msg.type === 'ready') this.ready?.(true);
    else if (msg.type === 'audio' && msg.audio) this._mediaManager.bufferBotAudio(fromBase64(msg.audio).buffer as ArrayBuffer, `turn-${this.turn}`);
    else if (msg.type === 'turn-complete') this.turn++;
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
