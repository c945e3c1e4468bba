import { RTVIMessage, RTVI_PROTOCOL_VERSION, TransportStartError } from '@pipecat-ai/client-js';
import type { MediaFormat, MediaManager } from '../../audio/media-manager.ts';
import { ProviderSocket, isLoopbackHost } from '../../transport/provider-socket.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';
import { ProviderClosedError, errorMessage } from '../../transport/transport-errors.ts';
import { toPipecatResult } from '../pipecat-common/pipecat-function-result.ts';
import { PipecatRtviRouter, RTVI_LABEL, declaredToolNames } from '../pipecat-common/pipecat-rtvi-router.ts';
import { decodeFrame, encodeAudioFrame, encodeMessageFrame, frameKind, readableFrame, type PipecatFrame } from './pipecat-frames.ts';
import { reachableSocketUrl, startBot, withToken } from './pipecat-start.ts';

/**
 * Settings (descriptor `pipecat-websocket`). `endpoint` is the bot's WebSocket URL
 * (`ws://localhost:8765`, `ws://localhost:7860/ws-client`) or its start URL (`http://localhost:7860/start`).
 */
export interface PipecatWebsocketSettings {
  start_body?: string;
  start_headers?: string;
  token?: string;
  input_sample_rate?: number;
  output_sample_rate?: number;
  tools?: string;
}

export const PIPECAT_DEFAULT_ENDPOINT = 'ws://localhost:8765';
/** Pipecat's input default (the web client's recorderSampleRate) and output default (audio_out_sample_rate): pipecat-server.md §1. */
export const PIPECAT_INPUT_RATE = 16_000;
export const PIPECAT_OUTPUT_RATE = 24_000;

/**
 * A user's own Pipecat bot over Pipecat's WebSocket transport with ProtobufFrameSerializer.
 * The bot speaks RTVI itself, so its messages are passed through as they are (one RTVI row per
 * MessageFrame); only audio, function calls the workbench answers, and readiness are handled here.
 * The RTVI routing lives in ../pipecat-common/pipecat-rtvi-router.ts, for the SmallWebRTC adapter
 * (a sibling folder, pipecat-webrtc/) to reuse with its data channel.
 */
export class PipecatWebsocketTransport extends RealTimeWebsocketTransport {
  protected readonly providerName: string = 'Pipecat bot';
  private socket: ProviderSocket | null = null;
  private messageSeq = 0;
  private clientReadyId = '';
  private audioItem = 0;
  private audioItemOpen = false;
  private readonly rtvi = new PipecatRtviRouter({
    isSettingUp: () => this.isSettingUp,
    markReady: (ids, data) => this.markReady(ids, data),
    emit: (type, data, ids, messageId) => this.emitRtvi(type, data, { sourceFrameIds: ids, ...(messageId ? { messageId } : {}) }),
    emitError: (message, ids) => this.emitError(message, false, ids),
    beginFunctionCall: (call, ids) => this.beginFunctionCall(call, ids),
    declaredTools: () => declaredToolNames(this.settings.tools),
    onBotStartedSpeaking: () => {
      this.audioItemOpen = false;
    },
  });
  private warnedRate = false;
  /** The start URL this session's socket came from, when its answer was used as given. */
  private startedFrom = '';
  /** Set when the socket closed during its handshake: the browser then reports only 1006. */
  private neverOpenedUrl = '';

  constructor(options: LLMServiceOptions = {}, manager?: MediaManager) {
    super(options, manager);
  }

  initializeLLM(): void {}
  attachLLMListeners(): void {}

  private get settings(): PipecatWebsocketSettings {
    return (this._service_options.settings ?? {}) as PipecatWebsocketSettings;
  }

  private get inputRate(): number {
    return positiveRate(this.settings.input_sample_rate, PIPECAT_INPUT_RATE);
  }

  private get outputRate(): number {
    return positiveRate(this.settings.output_sample_rate, PIPECAT_OUTPUT_RATE);
  }

  private get endpointUrl(): string {
    return this._service_options.endpoint?.trim() || PIPECAT_DEFAULT_ENDPOINT;
  }

  protected override getMediaFormat(): MediaFormat {
    return { inputSampleRate: this.inputRate, outputSampleRate: this.outputRate, chunkMs: 20, acceptsVideo: false };
  }

  /** The bot's own VAD/turn detection sends user-(started|stopped)-speaking over RTVI. */
  protected override usesLocalVoiceActivity(): boolean {
    return false;
  }

  /** The bot sends bot-(started|stopped)-speaking itself. */
  protected override reportsPlaybackAsSpeaking(): boolean {
    return false;
  }

  /** Pipecat's RTVIObserver sends llm-function-call-stopped once the bot has our result (pipecat-server.md §3). */
  protected override reportsAnsweredCallStopped(): boolean {
    return false;
  }

  protected override validateBeforeConnect(): void {
    const url = this.endpointUrl;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TransportStartError(`The Pipecat bot URL "${url}" is not a valid URL. Use ws://host:port/path for the bot's WebSocket, or http(s)://host:port/start for a start endpoint.`);
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(u.protocol)) throw new TransportStartError(`The Pipecat bot URL must start with ws://, wss://, http:// or https:// (got ${u.protocol}).`);
    const token = this.settings.token?.trim();
    if (token && (u.protocol === 'ws:' || u.protocol === 'http:') && !isLoopbackHost(u.hostname)) {
      throw new TransportStartError(`Refusing to send the bot token over unencrypted ${u.protocol}// to ${u.hostname}; use wss:// or https://, or a local bot.`);
    }
    parseJsonObject(this.settings.start_body, 'Start request body (JSON)');
    parseHeaders(this.settings.start_headers);
  }

  async connectLLM(): Promise<void> {
    this.messageSeq = 0;
    this.audioItemOpen = false;
    this.rtvi.reset();
    this.warnedRate = false;
    const token = this.settings.token?.trim() ?? '';
    this.scrubber.add(token);
    const headers = parseHeaders(this.settings.start_headers);
    for (const v of Object.values(headers)) this.scrubber.add(v);
    let wsUrl = this.endpointUrl;
    this.startedFrom = '';
    if (/^https?:/i.test(wsUrl)) {
      const body = parseJsonObject(this.settings.start_body, 'Start request body (JSON)') ?? { transport: 'websocket' };
      const withAuth = token && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization') ? { ...headers, Authorization: `Bearer ${token}` } : headers;
      this.reportFrame('out', 'http.start', 0, { method: 'POST', url: wsUrl, body, headers: Object.keys(withAuth) });
      try {
        const plan = await startBot({ startUrl: wsUrl, body, headers: withAuth, signal: this.connectSignal });
        for (const s of plan.secrets) this.scrubber.add(s);
        const reachable = reachableSocketUrl(wsUrl, plan.wsUrl);
        this.reportFrame('in', 'http.start', 0, { status: 'ok', answer: plan.startAnswer, ...(reachable.note ? { note: reachable.note } : {}) });
        this.startedFrom = reachable.note ? '' : wsUrl;
        wsUrl = reachable.url;
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        this.reportFrame('in', 'http.start', 0, { error: this.scrubber.scrubText(errorMessage(e)), ...(typeof status === 'number' ? { status } : {}) });
        throw e;
      }
    } else if (token) {
      wsUrl = withToken(wsUrl, token);
    }
    const socket = new ProviderSocket({
      onMessage: (m) => this.onSocketMessage(m.data, m.text, m.bytes),
      onClose: (code, reason, wasOpen) => {
        if (!wasOpen) this.neverOpenedUrl = this.scrubber.scrubText(stripQuery(wsUrl));
        this.onSocketClose(code, reason);
      },
    });
    this.neverOpenedUrl = '';
    this.socket = socket;
    try {
      // No subprotocol: Pipecat's web client opens a plain WebSocket(wsUrl) (pipecat-server.md §1).
      await socket.open(wsUrl, undefined, this.connectSignal);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number') throw new ProviderClosedError(this.providerName, code, String((e as { reason?: unknown }).reason ?? ''), 'setup', code === 1006 ? `Could not open the bot's WebSocket at ${this.scrubber.scrubText(stripQuery(wsUrl))}; is the bot running there?` : undefined);
      throw new TransportStartError(`Could not open the Pipecat bot's WebSocket: ${this.scrubber.scrubText(errorMessage(e))}`);
    }
    // RTVI handshake: client-ready → the bot answers bot-ready with the same id (PipelineWorker, pipecat-server.md §3).
    this.clientReadyId = this.sendRtvi('client-ready', {
      version: RTVI_PROTOCOL_VERSION,
      about: { library: 'realtime-voice-workbench', library_version: '0.1.0', platform: 'chrome-extension', platform_version: '', platform_details: {} },
    });
  }

  async sendReadyMessage(): Promise<void> {
    await this.waitUntilReady();
  }

  async disconnectLLM(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'OK');
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    // Pipecat's client sends audio only once ready (after client-ready / bot-ready).
    if (this.state !== 'ready' || !this.socket?.isOpen) return;
    const bytes = new Uint8Array(data, 0, data.byteLength & ~1);
    if (bytes.byteLength === 0) return;
    const frame = encodeAudioFrame(bytes, this.inputRate);
    this.socket.sendBytes(frame);
    this.reportFrame('out', 'audio', frame.byteLength, { audio: { name: 'audio', audio: `[${bytes.byteLength} bytes PCM16]`, sample_rate: this.inputRate, num_channels: 1 } }, { audio: { bytes: bytes.byteLength, sampleRate: this.inputRate, durationMs: Math.round((bytes.byteLength / 2 / this.inputRate) * 10000) / 10 } });
  }

  /** Client → bot: RTVI as a MessageFrame, as Pipecat's client does; the bot answers what it does not know with an error-response. */
  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    this.sendRtvi(message.type, message.data, message.id);
  }

  /** A handshake the bot refused (wrong path, token check: HTTP 403) reaches the browser only as 1006. */
  protected override unknownModelHint(code: number): string | null {
    if (code !== 1006 || !this.neverOpenedUrl) return null;
    const origin = typeof location !== 'undefined' && location.origin && location.origin !== 'null' ? location.origin : "this extension's origin";
    // A start URL that answered wss:// for a plain-HTTP runner (run.py:864-870) that we did not rewrite.
    const wss = this.startedFrom.startsWith('http:') && this.neverOpenedUrl.startsWith('wss:') ? ` The start endpoint answered wss:// while it is served over http://: Pipecat's runner does that for any --host other than "localhost"; start it with --host localhost, or serve it over TLS.` : '';
    return `Could not open the bot's WebSocket at ${this.neverOpenedUrl}: is the bot running there with Pipecat's WebSocket transport, and does it accept this path and token? If the runner was started with --allowed-origins (or PIPECAT_ALLOWED_ORIGINS), that list must include ${origin}, or it refuses the socket (close 4003 before accept, which the browser reports only as 1006).${wss}`;
  }

  protected override deliverFunctionCallResult(call: FunctionCallContext, result: unknown): void {
    // client-js's shape for the answer (pipecat-server.md §3: llm-function-call-result → FunctionCallResultFrame).
    const sent = toPipecatResult(call.functionName, result);
    if (sent.note) this.emitError(sent.note, false);
    const id = this.sendRtvi('llm-function-call-result', { function_name: call.functionName, tool_call_id: call.toolCallId, arguments: call.arguments, result: sent.result });
    this.rtvi.resultSent(id, call);
  }

  /** The bot's InterruptionFrame flushes our playback already; nothing to tell the bot when the user interrupts locally. */
  protected override onInterruptStarted(): void {
    this.audioItemOpen = false;
  }

  private sendRtvi(type: string, data: unknown, id?: string): string {
    const msgId = id || `wb-${++this.messageSeq}`;
    const envelope = { label: RTVI_LABEL, type, id: msgId, ...(data === undefined ? {} : { data }) };
    const bytes = encodeMessageFrame(envelope);
    if (!this.socket?.sendBytes(bytes)) {
      this.reportFrame('out', 'message', 0, { dropped: 'socket not open', message: { data: envelope } });
      this.emitError(`The bot's socket is not open; "${type}" was not sent.`, false);
      return msgId;
    }
    this.reportFrame('out', 'message', bytes.byteLength, { message: { data: envelope } });
    return msgId;
  }

  private onSocketClose(code: number, reason: string): void {
    const id = this.reportFrame('in', 'close', 0, { code, reason });
    this.socket = null;
    this.handleSocketClosed(code, reason, [id]);
  }

  private onSocketMessage(data: Uint8Array | undefined, text: string, bytes: number): void {
    let frame: PipecatFrame;
    try {
      if (!data) throw new Error('a text message, not a binary protobuf frame');
      frame = decodeFrame(data);
    } catch (e) {
      const id = this.reportFrame('in', data ? 'binary' : 'text', bytes, { excerpt: text.slice(0, 500), error: errorMessage(e) }, { malformed: true });
      this.emitError(`The Pipecat bot sent a message that is not a protobuf Frame (${errorMessage(e)}); it was ignored. Is the bot using ProtobufFrameSerializer?`, false, [id]);
      return;
    }
    const { payload, audio } = readableFrame(frame);
    const id = this.reportFrame('in', frameKind(frame), bytes, payload, audio ? { audio } : {});
    try {
      this.handleFrame(frame, id);
    } catch (e) {
      this.emitError(`Could not handle the bot's ${frameKind(frame)} frame: ${errorMessage(e)}`, false, [id]);
    }
  }

  private handleFrame(frame: PipecatFrame, id: number): void {
    const f = frame.frame;
    switch (f.case) {
      case 'audio':
        this.onBotAudio(f.value.audio, f.value.sampleRate, f.value.numChannels, id);
        return;
      case 'message':
        this.rtvi.route(f.value.data, id);
        return;
      case 'interruption':
        // The bot's InterruptionFrame (user turn start, send-text run_immediately): stop what is playing.
        this.audioItemOpen = false;
        if (this.state === 'ready') void this.interruptBot();
        return;
      case 'transcription':
        // A TranscriptionFrame is one final STT result (frames.py); shown as the RTVI message a bot would send for it.
        this.emitRtvi('user-transcription', { text: f.value.text, user_id: f.value.userId, timestamp: f.value.timestamp, final: true }, { sourceFrameIds: [id] });
        return;
      case 'text':
        this.emitRtvi('server-message', { frame: 'TextFrame', text: f.value.text }, { sourceFrameIds: [id] });
        return;
      default:
        return;
    }
  }

  private onBotAudio(pcm: Uint8Array, sampleRate: number, channels: number, id: number): void {
    if (this.state !== 'ready' || pcm.byteLength < 2) return;
    let samples: Int16Array = new Int16Array(pcm.slice(0, pcm.byteLength & ~1).buffer);
    if (channels > 1) samples = firstChannel(samples, channels);
    const rate = sampleRate || this.outputRate;
    if (rate !== this.outputRate) {
      if (!this.warnedRate) {
        this.warnedRate = true;
        this.emitError(`The bot sends audio at ${rate} Hz but "Bot audio rate (Hz)" is ${this.outputRate}; it is resampled. Set the rate to ${rate} to play it as sent.`, false, [id]);
      }
      samples = resampleLinear(samples, rate, this.outputRate);
    }
    if (!this.audioItemOpen) {
      this.audioItemOpen = true;
      this.audioItem += 1;
    }
    this.queueBotAudio(samples, `pipecat-bot-${this.audioItem}`);
  }

}

function positiveRate(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n >= 8000 && n <= 96_000 ? Math.round(n) : fallback;
}

export function parseJsonObject(text: string | undefined, label: string): Record<string, unknown> | undefined {
  if (!text || !text.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (e) {
    throw new TransportStartError(`${label} is not valid JSON: ${errorMessage(e)}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TransportStartError(`${label} must be a JSON object.`);
  return v as Record<string, unknown>;
}

export function parseHeaders(text: string | undefined): Record<string, string> {
  const obj = parseJsonObject(text, 'Start request headers (JSON)') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw new TransportStartError(`Start request headers (JSON): the value of "${k}" must be a string.`);
    out[k] = v;
  }
  return out;
}

function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    u.search = '';
    return u.toString();
  } catch {
    return url;
  }
}

function firstChannel(samples: Int16Array, channels: number): Int16Array<ArrayBuffer> {
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels];
  return out;
}

export function resampleLinear(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to || input.length === 0) return input;
  const n = Math.max(1, Math.round((input.length * to) / from));
  const out = new Int16Array(n);
  const step = from / to;
  for (let i = 0; i < n; i++) {
    const x = i * step;
    const i0 = Math.floor(x);
    const i1 = Math.min(i0 + 1, input.length - 1);
    const frac = x - i0;
    out[i] = Math.round(input[Math.min(i0, input.length - 1)] * (1 - frac) + input[i1] * frac);
  }
  return out;
}
