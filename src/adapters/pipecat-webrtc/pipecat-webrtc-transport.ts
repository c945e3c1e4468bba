import { RTVIMessage, RTVI_PROTOCOL_VERSION, TransportStartError } from '@pipecat-ai/client-js';
import type { MediaFormat, MediaManager, MediaStats } from '../../audio/media-manager.ts';
import { RemoteAudioTap } from '../../audio/remote-audio-tap.ts';
import { isLoopbackHost } from '../../transport/provider-socket.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';
import { summarizeRtcAudioStats, type RtcAudioStats } from '../../transport/rtc-audio-stats.ts';
import { errorMessage } from '../../transport/transport-errors.ts';
import { PipecatRtviRouter, RTVI_LABEL, declaredToolNames } from '../pipecat-common/pipecat-rtvi-router.ts';
import { toPipecatResult } from '../pipecat-common/pipecat-function-result.ts';
import { parseHeaders, parseJsonObject } from '../pipecat-websocket/pipecat-websocket-transport.ts';
import { PcmTrackSource } from './pcm-track-source.ts';
import { callBot, candidateForServer, iceServersFrom, isStartUrl, offerUrlForSession, redactSdp } from './pipecat-webrtc-signalling.ts';

/**
 * Settings (descriptor `pipecat-webrtc`). `endpoint` is the bot's offer URL
 * (`http://localhost:7860/api/offer`) or its start URL (`http://localhost:7860/start`).
 */
export interface PipecatWebrtcSettings {
  start_body?: string;
  start_headers?: string;
  token?: string;
  tools?: string;
}

/** What the transport needs from the platform; a page gets the browser's, tests pass a Node WebRTC peer. */
export interface PipecatWebrtcDeps {
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  /** The track our captured PCM plays into. */
  createTrackSource(sampleRate: number): Pick<PcmTrackSource, 'track' | 'push' | 'resume' | 'close'>;
  /** Cuts the bot's track into PCM16 chunks. */
  createTap(onChunk: (pcm: Int16Array) => void, sampleRate: number): Pick<RemoteAudioTap, 'start' | 'stop'>;
}

const browserDeps: PipecatWebrtcDeps = {
  createPeerConnection: (config) => new RTCPeerConnection(config),
  createTrackSource: (rate) => new PcmTrackSource(rate),
  createTap: (onChunk, rate) => new RemoteAudioTap(onChunk, rate),
};

export const PIPECAT_WEBRTC_DEFAULT_ENDPOINT = 'http://localhost:7860/api/offer';
/** The rate of our PCM on both sides of the peer connection (Opus itself runs at 48 kHz on the wire). */
export const PIPECAT_WEBRTC_RATE = 24_000;
/** Pipecat's client PATCHes gathered candidates every 200 ms (pipecat-server.md §2 "Trickle ICE"). */
const TRICKLE_MS = 200;
/** The client's keep-alive: the server's is_connected() wants a ping within 3 s (pipecat-server.md §2). */
const PING_MS = 1000;
const STATS_MS = 1000;
/** A tapped chunk quieter than this (int16 peak) is silence: SmallWebRTC sends silence while idle. */
const SILENCE_PEAK = 64;
/** Silence after which the bot's playback item ends. */
const ITEM_HANGOVER_MS = 400;

/**
 * A user's own Pipecat bot over Pipecat's SmallWebRTC transport: offer/answer over HTTP, trickle
 * ICE by PATCH, RTVI as JSON text on the "chat" data channel, audio on the peer connection. The
 * media path is ours: the capture path's PCM (microphone, injected audio) becomes the sent track,
 * and the bot's track is cut into PCM by the packaged capture worklet and queued into the media
 * manager's player, so playback events, the level meter and recordings work as for any adapter.
 * Pipecat's own client transport is not used (it loads remote code and blob: worklets).
 */
export class PipecatWebrtcTransport extends RealTimeWebsocketTransport {
  protected readonly providerName: string = 'Pipecat bot';
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private source: ReturnType<PipecatWebrtcDeps['createTrackSource']> | null = null;
  private tap: ReturnType<PipecatWebrtcDeps['createTap']> | null = null;
  private pcId: string | null = null;
  private offerUrl = '';
  private headers: Record<string, string> = {};
  private pendingCandidates: RTCIceCandidate[] = [];
  private trickleTimer: ReturnType<typeof setInterval> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private iceWatchdog: ReturnType<typeof setTimeout> | undefined;
  private rtcStats: RtcAudioStats | null = null;
  private messageSeq = 0;
  private audioItem = 0;
  private audioItemOpen = false;
  private quietMs = 0;
  private readonly rtvi = new PipecatRtviRouter({
    isSettingUp: () => this.isSettingUp,
    markReady: (ids, data) => this.markReady(ids, data),
    emit: (type, data, ids, messageId) => {
      // SmallWebRTC has no InterruptionFrame on the wire: bot-interrupted is the bot's word that it stopped.
      if (type === 'bot-interrupted') this.flushBotAudio();
      this.emitRtvi(type, data, { sourceFrameIds: ids, ...(messageId ? { messageId } : {}) });
    },
    emitError: (message, ids) => this.emitError(message, false, ids),
    beginFunctionCall: (call, ids) => this.beginFunctionCall(call, ids),
    declaredTools: () => declaredToolNames(this.settings.tools),
    onBotStartedSpeaking: () => undefined,
  });

  constructor(
    options: LLMServiceOptions = {},
    manager?: MediaManager,
    private readonly deps: PipecatWebrtcDeps = browserDeps,
  ) {
    super(options, manager);
  }

  initializeLLM(): void {}
  attachLLMListeners(): void {}

  private get settings(): PipecatWebrtcSettings {
    return (this._service_options.settings ?? {}) as PipecatWebrtcSettings;
  }

  private get endpointUrl(): string {
    return this._service_options.endpoint?.trim() || PIPECAT_WEBRTC_DEFAULT_ENDPOINT;
  }

  protected override getMediaFormat(): MediaFormat {
    return { inputSampleRate: PIPECAT_WEBRTC_RATE, outputSampleRate: PIPECAT_WEBRTC_RATE, chunkMs: 20, acceptsVideo: false };
  }

  /** The bot's own VAD/turn detection sends user-(started|stopped)-speaking over RTVI. */
  protected override usesLocalVoiceActivity(): boolean {
    return false;
  }

  /** The bot sends bot-(started|stopped)-speaking itself. */
  protected override reportsPlaybackAsSpeaking(): boolean {
    return false;
  }

  /** The media manager's stats, plus what the browser's WebRTC stats say about this peer connection. */
  override getStats(): MediaStats {
    return { ...super.getStats(), ...(this.rtcStats ?? {}) };
  }

  protected override validateBeforeConnect(): void {
    const url = this.endpointUrl;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TransportStartError(`The Pipecat bot URL "${url}" is not a valid URL. Use http(s)://host:port/api/offer for the bot's offer endpoint, or http(s)://host:port/start for a start endpoint.`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TransportStartError(`The Pipecat bot URL for WebRTC must start with http:// or https:// (the offer or start endpoint; got ${u.protocol}).`);
    if (this.deps === browserDeps && typeof RTCPeerConnection === 'undefined') throw new TransportStartError('WebRTC (RTCPeerConnection) is not available here.');
    const token = this.settings.token?.trim();
    if (token && u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      throw new TransportStartError(`Refusing to send the bot token over unencrypted http:// to ${u.hostname}; use https://, or a local bot.`);
    }
    parseJsonObject(this.settings.start_body, 'Start request body (JSON)');
    parseHeaders(this.settings.start_headers);
  }

  async connectLLM(): Promise<void> {
    this.messageSeq = 0;
    this.audioItemOpen = false;
    this.quietMs = 0;
    this.rtvi.reset();
    this.rtcStats = null;
    this.pcId = null;
    this.pendingCandidates = [];
    const token = this.settings.token?.trim() ?? '';
    this.scrubber.add(token);
    const headers = parseHeaders(this.settings.start_headers);
    for (const v of Object.values(headers)) this.scrubber.add(v);
    this.headers = token && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization') ? { ...headers, Authorization: `Bearer ${token}` } : headers;
    let offerUrl = this.endpointUrl;
    let iceServers: RTCIceServer[] = [];
    if (isStartUrl(offerUrl)) {
      const body = parseJsonObject(this.settings.start_body, 'Start request body (JSON)') ?? { transport: 'webrtc' };
      const answer = await this.http('start', 'POST', offerUrl, body);
      const sessionId = typeof answer.sessionId === 'string' ? answer.sessionId : typeof answer.session_id === 'string' ? answer.session_id : '';
      if (!sessionId) throw new TransportStartError(`The Pipecat bot's start endpoint answered without a "sessionId", so there is no session offer URL: ${JSON.stringify(this.scrubber.scrub(answer)).slice(0, 200)}`);
      offerUrl = offerUrlForSession(offerUrl, sessionId);
      iceServers = iceServersFrom(answer);
    }
    this.offerUrl = offerUrl;

    const pc = this.deps.createPeerConnection({ iceServers });
    this.pc = pc;
    const source = this.deps.createTrackSource(PIPECAT_WEBRTC_RATE);
    this.source = source;
    void source.resume();
    // Pipecat's client order (pipecat-server.md §2 "Media"): audio sendrecv (mid 0), video sendrecv
    // (mid 1; nothing sent on it here), then the "chat" data channel, ordered.
    pc.addTransceiver(source.track, { direction: 'sendrecv' });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    const channel = pc.createDataChannel('chat', { ordered: true });
    this.channel = channel;
    channel.onopen = () => this.onChannelOpen(channel);
    channel.onmessage = (ev) => this.onChannelMessage(ev.data);
    channel.onclose = () => {
      if (this.channel !== channel) return;
      const id = this.reportFrame('in', 'close', 0, { channel: 'chat', readyState: channel.readyState });
      this.peerGone("The Pipecat bot's data channel closed.", [id]);
    };
    pc.ontrack = (ev) => {
      if (ev.track.kind === 'audio' && this.pc === pc) void this.startTap(ev.track);
    };
    pc.onicecandidate = (ev) => {
      if (ev.candidate && ev.candidate.candidate) this.pendingCandidates.push(ev.candidate);
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      const state = pc.connectionState;
      const id = this.reportFrame('in', 'connection-state', 0, { connectionState: state, iceConnectionState: pc.iceConnectionState });
      if (state === 'failed') this.peerGone(`The WebRTC connection to the Pipecat bot failed (ICE ${pc.iceConnectionState}): no network path was found between this browser and the bot. Is the bot reachable from here (host candidates, or ICE servers in the start answer)?`, [id]);
      else if (state === 'closed') this.peerGone('The WebRTC connection to the Pipecat bot closed.', [id]);
    };

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const sdp = pc.localDescription?.sdp ?? offer.sdp ?? '';
    // request_handler.py: {sdp, type, pc_id, restart_pc}; pc_id null on a first connect.
    const answer = await this.http('offer', 'POST', offerUrl, { sdp, type: 'offer', pc_id: null, restart_pc: false });
    if (typeof answer.sdp !== 'string' || answer.type !== 'answer') {
      throw new TransportStartError(`The Pipecat bot's offer endpoint answered without an SDP answer (expected {sdp, type: "answer", pc_id}): ${JSON.stringify(this.scrubber.scrub({ ...answer, sdp: typeof answer.sdp === 'string' ? '[sdp]' : answer.sdp })).slice(0, 200)}`);
    }
    this.pcId = typeof answer.pc_id === 'string' ? answer.pc_id : null;
    if (this.pc !== pc) throw new TransportStartError('Disconnected before the bot answered.');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.trickleTimer = setInterval(() => void this.flushCandidates(), TRICKLE_MS);
    void this.flushCandidates();
    this.statsTimer = setInterval(() => void this.pollStats(), STATS_MS);
    // Chromium takes about 30 s to declare ICE failed, longer than the setup timeout: say what is
    // missing (a network path, not the bot's answer) just before the generic timeout would.
    const budget = (this._service_options.connect_timeout_ms ?? 10_000) - this.sinceConnect() - 250;
    this.iceWatchdog = setTimeout(() => {
      if (this.pc !== pc || !this.isSettingUp || channel.readyState === 'open') return;
      this.failSetup(new TransportStartError(`The Pipecat bot answered the offer, but no WebRTC connection to it opened (ICE ${pc.iceConnectionState}, connection ${pc.connectionState}). No network path between this browser and the bot worked: is the bot's host reachable from here, or does it need ICE servers (STUN/TURN) in its start answer?`));
    }, Math.max(500, budget));
  }

  async sendReadyMessage(): Promise<void> {
    await this.waitUntilReady();
  }

  async disconnectLLM(): Promise<void> {
    clearInterval(this.trickleTimer);
    clearInterval(this.pingTimer);
    clearInterval(this.statsTimer);
    clearTimeout(this.iceWatchdog);
    const { pc, channel, tap, source } = this;
    this.pc = null;
    this.channel = null;
    this.tap = null;
    this.source = null;
    this.pendingCandidates = [];
    if (channel) {
      channel.onclose = null;
      channel.onmessage = null;
      channel.onopen = null;
      if (channel.readyState === 'open') channel.close();
    }
    if (pc) {
      pc.onconnectionstatechange = null;
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.close();
    }
    await tap?.stop();
    await source?.close();
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    // Pipecat's client sends audio only once ready; before that the track carries silence.
    if (this.state !== 'ready' || !this.source) return;
    const n = data.byteLength >> 1;
    if (n === 0) return;
    this.source.push(new Int16Array(data, 0, n));
  }

  /** Client → bot: RTVI as JSON text on the data channel, as Pipecat's client does. */
  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    this.sendRtvi(message.type, message.data, message.id);
  }

  /** The bot sends its own llm-function-call-stopped for an answered call (as over WebSocket): one row, not two. */
  protected override reportsAnsweredCallStopped(): boolean {
    return false;
  }

  protected override deliverFunctionCallResult(call: FunctionCallContext, result: unknown): void {
    // client-js's shape for the answer (pipecat-server.md §3: llm-function-call-result → FunctionCallResultFrame);
    // Pipecat takes only an object or a string as the result (models.py:278-287).
    const sent = toPipecatResult(call.functionName, result);
    if (sent.note) this.emitError(sent.note, false);
    const id = this.sendRtvi('llm-function-call-result', { function_name: call.functionName, tool_call_id: call.toolCallId, arguments: call.arguments, result: sent.result });
    this.rtvi.resultSent(id, call);
  }

  /** Pipecat's client tells the bot when its microphone is muted: trackStatus for receiver 0 (pipecat-server.md §2). */
  protected override onMicEnabledChanged(enabled: boolean): void {
    this.sendSignalling({ type: 'trackStatus', receiver_index: 0, enabled });
  }

  protected override onInterruptStarted(): void {
    this.audioItemOpen = false;
  }

  private async http(what: 'start' | 'offer', method: 'POST', url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const shown = what === 'offer' ? { ...body, sdp: redactSdp(String(body.sdp)) } : body;
    this.reportFrame('out', `http.${what}`, 0, { method, url, body: shown, headers: Object.keys(this.headers) });
    try {
      const answer = await callBot(what, method, { url, body, headers: this.headers, signal: this.connectSignal });
      const shownAnswer = typeof answer.sdp === 'string' ? { ...answer, sdp: redactSdp(answer.sdp) } : answer;
      this.reportFrame('in', `http.${what}`, 0, { status: 'ok', answer: shownAnswer });
      return answer;
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      this.reportFrame('in', `http.${what}`, 0, { error: this.scrubber.scrubText(errorMessage(e)), ...(typeof status === 'number' ? { status } : {}) });
      throw e;
    }
  }

  /** Trickle ICE: the candidates gathered since the last PATCH, in one request (Pipecat's client batches every 200 ms). */
  private async flushCandidates(): Promise<void> {
    if (!this.pcId || this.pendingCandidates.length === 0 || !this.pc) return;
    const batch = this.pendingCandidates.splice(0).map(candidateForServer);
    const body = { pc_id: this.pcId, candidates: batch };
    this.reportFrame('out', 'http.ice', 0, { method: 'PATCH', url: this.offerUrl, body });
    try {
      await callBot('ICE candidate', 'PATCH', { url: this.offerUrl, body, headers: this.headers, signal: this.connectSignal });
      this.reportFrame('in', 'http.ice', 0, { status: 'ok' });
    } catch (e) {
      if (this.connectSignal.aborted) return;
      // Not fatal by itself: the bot's own candidates (in its answer) may still make a pair.
      const id = this.reportFrame('in', 'http.ice', 0, { error: this.scrubber.scrubText(errorMessage(e)) });
      this.emitError(`Could not send ICE candidates to the bot: ${errorMessage(e)}`, false, [id]);
    }
  }

  private onChannelOpen(channel: RTCDataChannel): void {
    if (this.channel !== channel) return;
    this.reportFrame('in', 'open', 0, { channel: 'chat' });
    // SmallWebRTC signalling on the channel: trackStatus per receiver on open (pipecat-server.md §2 "Data channel").
    this.sendSignalling({ type: 'trackStatus', receiver_index: 0, enabled: this.isMicEnabled });
    this.sendSignalling({ type: 'trackStatus', receiver_index: 1, enabled: false });
    this.pingTimer = setInterval(() => {
      if (channel.readyState === 'open') channel.send(`ping: ${Date.now()}`);
    }, PING_MS);
    // RTVI handshake: client-ready → the bot answers bot-ready with the same id (PipelineWorker, pipecat-server.md §3).
    this.sendRtvi('client-ready', {
      version: RTVI_PROTOCOL_VERSION,
      about: { library: 'realtime-voice-workbench', library_version: '0.1.0', platform: 'chrome-extension', platform_version: '', platform_details: {} },
    });
  }

  private onChannelMessage(data: unknown): void {
    const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data instanceof ArrayBuffer ? data.byteLength : text.length;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      /* shown as the text it is */
    }
    const p = parsed as { type?: unknown; label?: unknown; message?: { type?: unknown } } | null;
    if (p && typeof p === 'object' && p.type === 'signalling') {
      const id = this.reportFrame('in', 'signalling', bytes, parsed);
      const kind = p.message?.type;
      if (kind === 'peerLeft') this.peerGone('The Pipecat bot left the call (peerLeft).', [id]);
      else if (kind === 'renegotiate') this.emitError('The bot asked to renegotiate the WebRTC session; this client does not renegotiate (only video changes need it), so the session goes on as it is.', false, [id]);
      return;
    }
    if (typeof parsed === 'string' && /^p[io]ng\b/.test(text)) {
      // Keep-alive text (the client's is "ping: <ms>"); shown, never an error.
      this.reportFrame('in', 'ping', bytes, { channel: 'chat', text });
      return;
    }
    const id = this.reportFrame('in', 'message', bytes, { channel: 'chat', data: parsed });
    if (typeof parsed === 'string') {
      this.emitError('The bot sent data-channel text that is not JSON; it was ignored.', false, [id]);
      return;
    }
    this.rtvi.route(text, id);
  }

  private sendSignalling(message: Record<string, unknown>): void {
    const envelope = { type: 'signalling', message };
    const text = JSON.stringify(envelope);
    if (this.channel?.readyState !== 'open') return;
    this.channel.send(text);
    this.reportFrame('out', 'signalling', text.length, envelope);
  }

  private sendRtvi(type: string, data: unknown, id?: string): string {
    const msgId = id || `wb-${++this.messageSeq}`;
    const envelope = { label: RTVI_LABEL, type, id: msgId, ...(data === undefined ? {} : { data }) };
    const text = JSON.stringify(envelope);
    if (this.channel?.readyState !== 'open') {
      this.reportFrame('out', 'message', 0, { dropped: 'data channel not open', channel: 'chat', data: envelope });
      this.emitError(`The bot's data channel is not open; "${type}" was not sent.`, false);
      return msgId;
    }
    this.channel.send(text);
    this.reportFrame('out', 'message', new TextEncoder().encode(text).byteLength, { channel: 'chat', data: envelope });
    return msgId;
  }

  private async startTap(track: MediaStreamTrack): Promise<void> {
    const tap = this.deps.createTap((pcm) => this.onBotAudio(pcm), PIPECAT_WEBRTC_RATE);
    this.tap = tap;
    try {
      await tap.start(track);
    } catch (e) {
      this.emitError(`Could not play the bot's WebRTC audio: ${errorMessage(e)}`, false);
    }
    if (this.tap !== tap) await tap.stop();
  }

  /**
   * The bot's track carries silence while it is idle (audio_out_auto_silence, pipecat-server.md
   * §2 "Media"): only sound opens a playback item, which ends after a short silence, so playback
   * events and the level meter follow what the bot actually says.
   */
  private onBotAudio(pcm: Int16Array): void {
    if (this.state !== 'ready') return;
    let peak = 0;
    for (let i = 0; i < pcm.length; i++) {
      const a = Math.abs(pcm[i]);
      if (a > peak) peak = a;
    }
    const ms = (pcm.length / PIPECAT_WEBRTC_RATE) * 1000;
    if (peak > SILENCE_PEAK) this.quietMs = 0;
    else if (!this.audioItemOpen) return;
    else {
      this.quietMs += ms;
      if (this.quietMs >= ITEM_HANGOVER_MS) {
        this.audioItemOpen = false;
        return;
      }
    }
    if (!this.audioItemOpen) {
      this.audioItemOpen = true;
      this.audioItem += 1;
    }
    this.queueBotAudio(pcm, `pipecat-bot-${this.audioItem}`);
  }

  private flushBotAudio(): void {
    this.audioItemOpen = false;
    if (this.state === 'ready') void this.interruptBot();
  }

  private async pollStats(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    try {
      const report = await pc.getStats();
      if (this.pc === pc) this.rtcStats = summarizeRtcAudioStats(report as unknown as Map<string, Record<string, unknown> & { type: string; id: string }>);
    } catch {
      /* stats are best effort while the connection opens or closes */
    }
  }

  /** The bot (or the path to it) went away: before ready, connect() fails with this; after, a fatal error and teardown. */
  private peerGone(message: string, sourceFrameIds: number[]): void {
    if (this.isSettingUp) {
      this.failSetup(new TransportStartError(message));
      return;
    }
    if (this.state === 'disconnecting' || this.state === 'disconnected' || this.state === 'error') return;
    this.state = 'error';
    this.emitError(message, true, sourceFrameIds);
    queueMicrotask(() => {
      if (this.state === 'error') void this._disconnect();
    });
  }
}
