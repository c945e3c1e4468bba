import type { RTVIMessage } from '@pipecat-ai/client-js';
import type { LiveServerContent, LiveServerToolCall, UsageMetadata } from '@google/genai';
import type { MediaFormat, MediaManager, PlayedSamples } from '../../audio/media-manager.ts';
import { base64ToInt16, bytesToBase64, pcm16DurationMs } from '../../audio/pcm.ts';
import { BotOutputAggregator, type BotOutputSegment } from '../../rtvi/bot-output-aggregator.ts';
import { ProviderSocket, assertSecureEndpoint, utf8Length } from '../../transport/provider-socket.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext, type ImageInput, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';
import { MissingKeyError, errorMessage } from '../../transport/transport-errors.ts';
import { planGeminiEndpoint, type GeminiAuthMode } from './gemini-endpoint.ts';
import { Resampler } from '../../audio/resampler.ts';
import { clientFrameType, parseDurationMs, sampleRateOf, serverFrameType, summariseClientFrame, summariseServerFrame } from './gemini-frames.ts';
import { isGeminiUnknownModel, unknownModelMessage } from '../../transport/unknown-model.ts';
import { DEFAULT_GEMINI_MODEL, bareModelId, geminiModelCapabilities, type GeminiModelCapabilities } from './gemini-models.ts';
import { buildGeminiSetup, parseGeminiTools, type GeminiSettings, type ParsedGeminiTools } from './gemini-setup.ts';
import { GeminiUserUtterance } from './gemini-user-utterance.ts';
import { reportServerContentExtras } from './gemini-server-extras.ts';
import { GeminiCredentials } from './gemini-credentials.ts';

export interface GeminiLiveSettings extends GeminiSettings {
  model?: string;
  auth?: GeminiAuthMode;
}

export interface GeminiLiveServiceOptions extends LLMServiceOptions {
  settings?: GeminiLiveSettings & Record<string, unknown>;
  /**
   * How long after the bot's turn ends the user's transcript stays open for late fragments before
   * its final is emitted (input transcription has no ordering guarantee against the model's turn).
   */
  transcript_settle_ms?: number;
}

/**
 * The setup one connection was made with, frozen at connect: its resumptions reuse it, and
 * settings applied meanwhile wait for the next Connect (a Live setup cannot change mid-session).
 */
interface FrozenSetup {
  settings: GeminiLiveSettings & Record<string, unknown>;
  model: string;
  caps: GeminiModelCapabilities;
  tools: ParsedGeminiTools;
  authMode: GeminiAuthMode;
  modality: 'AUDIO' | 'TEXT';
}

type Json = Record<string, unknown>;

interface TurnState {
  itemId: string;
  /** After `interrupted` or a local interrupt: the rest of this turn's audio is stale. */
  dropping: boolean;
  llmStopped: boolean;
  output: BotOutputAggregator;
  droppedParts: number;
  /** Streaming resamplers for parts whose mimeType names a rate other than the player's. */
  resamplers: Map<number, Resampler>;
  /** Audio of this turn went to the player: its text is paced to that audio. */
  hasAudio?: boolean;
}

/** What the start of one local interrupt did, for its log row once the player has answered. */
interface InterruptStart {
  /** Push to talk started it: activityStart tells the server, and no row is written. */
  suppressed: boolean;
  sent: boolean;
  message: GeminiModelCapabilities['interrupt'];
}

interface PushToTalkState {
  started: boolean;
  pending: ArrayBuffer[];
  pendingBytes: number;
}

interface ResumeState {
  startedAt: number;
  reason: string;
  audio: ArrayBuffer[];
  audioBytes: number;
  droppedBytes: number;
  queued: Array<{ message: Json }>;
}

const INPUT_RATE = 16_000;
const OUTPUT_RATE = 24_000;
const INPUT_MIME = `audio/pcm;rate=${INPUT_RATE}`;
/** Push-to-talk taps shorter than this send nothing: an empty activity closes the socket with 1007. */
const MIN_PTT_BYTES = (INPUT_RATE * 2 * 100) / 1000;
/** Microphone audio kept across a resumption gap. */
const MAX_GAP_BYTES = INPUT_RATE * 2 * 2;
/** Resume this long before a goAway deadline at the latest. */
const RESUME_MARGIN_MS = 2_000;
/** Waiting for the old socket's close handshake before a resumption opens the new one. */
const OLD_SOCKET_CLOSE_WAIT_MS = 3_000;
const DEFAULT_TRANSCRIPT_SETTLE_MS = 700;
/** An utterance nobody answered is closed this long after its last fragment. */
const UNANSWERED_TRANSCRIPT_MS = 3_000;
/**
 * Session length without context-window compression: about 15 minutes for audio, about 2 for
 * audio with video; resumption does not extend it (ai.google.dev/gemini-api/docs/live-session).
 */
const SESSION_LIMIT_AUDIO_MS = 15 * 60_000;
const SESSION_LIMIT_VIDEO_MS = 2 * 60_000;
/** Unexpected closes worth one resumption: abnormal closure and internal error, unless quota or deadline. */
const RESUMABLE_CLOSE_CODES = new Set([1006, 1011]);
const NOT_RESUMABLE_REASON = /quota|deadline|exceeded|billing|resource.?exhausted/i;

/** `turnCompleteReason` values worth telling the user [GEN-T `TurnCompleteReason`]. */
const TURN_COMPLETE_REASONS: Record<string, string> = {
  MALFORMED_FUNCTION_CALL: 'the function call the model generated was malformed',
  RESPONSE_REJECTED: 'the response was rejected',
  PROHIBITED_INPUT_CONTENT: 'the input contains prohibited content',
  IMAGE_PROHIBITED_INPUT_CONTENT: 'the input image contains prohibited content',
  INPUT_TEXT_CONTAIN_PROMINENT_PERSON_PROHIBITED: 'the input text refers to a prominent person',
};

/**
 * Gemini Live (BidiGenerateContent) over WebSocket: short-lived tokens, setup first, binary frames
 * decoded in order, every audio part played, transcripts both ways, tools, usage, goAway and
 * session resumption. Wire facts: reference/provider-protocols.md part B.
 */
export class GeminiLiveWebsocketTransport extends RealTimeWebsocketTransport {
  protected readonly providerName = 'Gemini Live';
  declare protected _service_options: GeminiLiveServiceOptions;

  private socket: ProviderSocket | null = null;
  private setupDone = false;
  private frozen: FrozenSetup | null = null;
  private pendingInitialHistory: Json | null = null;
  private resumptionHandle: string | null = null;
  private resumable = false;
  private sawVoiceActivity = false;
  private turn: TurnState | null = null;
  private turnSeq = 0;
  private segmentSeq = 1;
  private turnUsage: UsageMetadata | null = null;
  private readonly utterance: GeminiUserUtterance;
  private ptt: PushToTalkState | null = null;
  private suppressInterruptNote = false;
  /** `interruptBot()` calls whose player has not answered yet, oldest first. */
  private interruptsInFlight: InterruptStart[] = [];
  private resuming: ResumeState | null = null;
  private goAwayTimer: ReturnType<typeof setTimeout> | undefined;
  private goAwayPending = false;
  private resumeCount = 0;
  private unexpectedResumeUsed = false;
  private readonly credentials = new GeminiCredentials(() => ({
    apiKey: this._service_options.api_key?.trim() ?? '',
    endpoint: this._service_options.endpoint,
    authMode: this.authMode,
    addSecret: (secret) => this.scrubber.add(secret),
    signal: this.connectSignal,
  }));
  private sessionStartedAt = 0;
  private sentVideo = false;

  constructor(serviceOptions: GeminiLiveServiceOptions, manager?: MediaManager) {
    super(serviceOptions, manager);
    this.utterance = new GeminiUserUtterance(
      { emit: (text, final, src) => this.emitUserTranscript(text, final, src), botTurnActive: () => !!this.turn },
      serviceOptions.transcript_settle_ms ?? DEFAULT_TRANSCRIPT_SETTLE_MS,
      UNANSWERED_TRANSCRIPT_MS,
    );
  }

  // ---------------------------------------------------------------- settings
  private get settings(): GeminiLiveSettings & Record<string, unknown> {
    return (this._service_options.settings ?? {}) as GeminiLiveSettings & Record<string, unknown>;
  }

  get model(): string {
    const fromSettings = this.settings.model;
    return (typeof fromSettings === 'string' && fromSettings.trim()) || this._service_options.model?.trim() || DEFAULT_GEMINI_MODEL;
  }

  protected override unknownModelHint(code: number, reason: string): string | null {
    return isGeminiUnknownModel(code, reason) ? unknownModelMessage(this.providerLabel, bareModelId(this.model), DEFAULT_GEMINI_MODEL) : null;
  }

  /** The setup this session runs on; before the first connect, what the settings say now. */
  private get live(): FrozenSetup {
    return this.frozen ?? this.freeze();
  }

  private get caps(): GeminiModelCapabilities {
    return this.live.caps;
  }

  private get tools(): ParsedGeminiTools {
    return this.live.tools;
  }

  private freeze(): FrozenSetup {
    const settings = structuredClone(this.settings) as GeminiLiveSettings & Record<string, unknown>;
    const caps = geminiModelCapabilities(this.model);
    const wanted = settings.response_modality === 'TEXT' ? 'TEXT' : 'AUDIO';
    return {
      settings,
      model: this.model,
      caps,
      tools: parseGeminiTools(settings.tools, caps),
      authMode: settings.auth === 'key-in-url' ? 'key-in-url' : 'token',
      modality: caps.responseModalities.includes(wanted) ? wanted : caps.responseModalities[0],
    };
  }

  private get authMode(): GeminiAuthMode {
    return this.live.authMode;
  }

  private get isPushToTalk(): boolean {
    return this.live.settings.turn_detection === 'push_to_talk';
  }

  /** Resumptions completed in this session (for the panel and tests). */
  get resumptions(): number {
    return this.resumeCount;
  }

  // ---------------------------------------------------------------- base hooks
  initializeLLM(): void {}
  attachLLMListeners(): void {}

  protected override getMediaFormat(): MediaFormat {
    return { inputSampleRate: INPUT_RATE, outputSampleRate: OUTPUT_RATE, chunkMs: 20, acceptsVideo: true };
  }

  protected override validateBeforeConnect(): void {
    if (!this._service_options.api_key?.trim()) throw new MissingKeyError(this.providerName);
    const plan = planGeminiEndpoint(this._service_options.endpoint, this.authMode);
    assertSecureEndpoint(plan.socketUrl, this.providerName);
    // One frozen setup per connection: later Apply calls change the settings, not this session.
    this.frozen = null;
    this.frozen = this.freeze();
  }

  protected override usesLocalVoiceActivity(): boolean {
    return !this.sawVoiceActivity && !this.isPushToTalk;
  }

  async connectLLM(): Promise<void> {
    this.resetSession();
    const url = await this.credentials.urlForConnection(false);
    await this.openSocket(url, undefined);
  }

  async disconnectLLM(): Promise<void> {
    clearTimeout(this.goAwayTimer);
    this.utterance.finish();
    this.credentials.clear();
    this.goAwayPending = false;
    this.resuming = null;
    this.socket?.close(1000, '');
    this.socket = null;
    this.setupDone = false;
    this.turn = null;
    this.ptt = null;
  }

  sendReadyMessage(): Promise<void> {
    return this.waitUntilReady();
  }

  // ---------------------------------------------------------------- connecting
  private resetSession(): void {
    this.setupDone = false;
    this.resumptionHandle = null;
    this.resumable = false;
    this.sawVoiceActivity = false;
    this.turn = null;
    this.turnUsage = null;
    this.utterance.reset();
    this.ptt = null;
    this.interruptsInFlight = [];
    this.resuming = null;
    this.goAwayPending = false;
    this.resumeCount = 0;
    this.unexpectedResumeUsed = false;
    this.credentials.clear();
    this.sessionStartedAt = 0;
    this.sentVideo = false;
    clearTimeout(this.goAwayTimer);
  }

  private async openSocket(url: string, resumptionHandle: string | undefined): Promise<void> {
    const socket: ProviderSocket = new ProviderSocket({
      onMessage: (m) => {
        if (socket === this.socket) this.onSocketMessage(m.text, m.bytes, m.binary);
      },
      onClose: (code, reason) => {
        if (socket !== this.socket) return;
        this.socket = null;
        this.setupDone = false;
        clearTimeout(this.goAwayTimer);
        const wasResuming = !!this.resuming;
        this.resuming = null;
        const fid = this.reportFrame('in', 'close', 0, { code, reason: this.scrubber.scrubText(reason) });
        if (!wasResuming && this.canResumeAfterClose(code, reason)) {
          this.unexpectedResumeUsed = true;
          this.emitRtvi('server-message', { type: 'unexpected-close', code, reason: this.scrubber.scrubText(reason), will_resume: true }, { sourceFrameIds: [fid] });
          void this.resume(`unexpected close ${code}`);
          return;
        }
        this.handleSocketClosed(code, reason, [fid]);
      },
    });
    this.socket = socket;
    this.setupDone = false;
    try {
      await socket.open(url, undefined, this.connectSignal);
    } catch (e) {
      if (this.socket === socket) this.socket = null;
      throw new Error(this.scrubber.scrubText(errorMessage(e)));
    }
    const live = this.live;
    const plan = buildGeminiSetup({
      model: live.model,
      caps: live.caps,
      settings: { ...live.settings, response_modality: live.modality },
      tools: live.tools,
      initialMessages: this._service_options.initial_messages,
      resumptionHandle,
    });
    this.pendingInitialHistory = plan.initialHistory;
    this.sendJson(plan.setup);
  }

  // ---------------------------------------------------------------- sending
  /** Sends one client message; nothing but `setup` goes out before setupComplete. */
  private sendJson(message: Json): boolean {
    const type = clientFrameType(message);
    if (this.resuming && type !== 'setup') {
      this.resuming.queued.push({ message });
      return true;
    }
    if (!this.socket?.isOpen || (!this.setupDone && type !== 'setup')) return false;
    const text = JSON.stringify(message);
    if (!this.socket.send(text)) return false;
    const { payload, audio } = summariseClientFrame(message, INPUT_RATE);
    this.reportFrame('out', type, utf8Length(text), payload, audio ? { audio } : {});
    return true;
  }

  private sendAudio(data: ArrayBuffer): void {
    const b64 = bytesToBase64(new Uint8Array(data));
    this.sendJson({ realtimeInput: { audio: { data: b64, mimeType: INPUT_MIME } } });
  }

  handleUserAudioStream(raw: ArrayBuffer): void {
    // PCM16 is whole samples: a stray odd byte would shift every later sample of the server's stream.
    const data = raw.byteLength & 1 ? raw.slice(0, raw.byteLength - 1) : raw;
    if (data.byteLength === 0) return;
    if (this.resuming) {
      this.bufferAcrossGap(data);
      return;
    }
    if (!this.setupDone) return;
    if (this.isPushToTalk) {
      const p = this.ptt;
      if (!p) return;
      if (!p.started) {
        p.pending.push(data);
        p.pendingBytes += data.byteLength;
        if (p.pendingBytes < MIN_PTT_BYTES) return;
        p.started = true;
        this.sendJson({ realtimeInput: { activityStart: {} } });
        this.emitRtvi('user-started-speaking', { source: 'push-to-talk' });
        for (const chunk of p.pending) this.sendAudio(chunk);
        p.pending = [];
        p.pendingBytes = 0;
        return;
      }
    }
    this.sendAudio(data);
  }

  private bufferAcrossGap(data: ArrayBuffer): void {
    const r = this.resuming!;
    if (this.isPushToTalk && !this.ptt) return;
    r.audio.push(data);
    r.audioBytes += data.byteLength;
    // Keep the newest 2 s: what the user says last is what the model must hear.
    while (r.audioBytes > MAX_GAP_BYTES && r.audio.length) {
      const dropped = r.audio.shift()!;
      r.audioBytes -= dropped.byteLength;
      r.droppedBytes += dropped.byteLength;
    }
  }

  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    const data = (message.data ?? {}) as Json;
    switch (message.type) {
      case 'send-text': {
        const content = typeof data.content === 'string' ? data.content : '';
        if (!content.trim()) return;
        this.sendUserText(content);
        return;
      }
      case 'append-to-context': {
        const content = typeof data.content === 'string' ? data.content : '';
        if (!this.caps.midSessionClientContent) {
          this.emitError(`${this.caps.id} takes history only at the start of a session; append-to-context was not sent.`, false);
          return;
        }
        const role = data.role === 'assistant' || data.role === 'model' ? 'model' : 'user';
        this.sendJson({ clientContent: { turns: [{ role, parts: [{ text: content }] }], turnComplete: data.run_immediately === true } });
        return;
      }
      case 'client-ready':
      case 'disconnect-bot':
        return;
      default:
        this.emitError(`Gemini Live cannot send the RTVI message "${message.type}".`, false);
    }
  }

  private sendUserText(content: string): void {
    if (this.caps.textInput === 'realtimeInput') this.sendJson({ realtimeInput: { text: content } });
    // On 3.8 and 2.5, turnComplete asks for an answer now (and interrupts any generation).
    else this.sendJson({ clientContent: { turns: [{ role: 'user', parts: [{ text: content }] }], turnComplete: true } });
  }

  protected override deliverFunctionCallResult(call: FunctionCallContext, result: unknown): void {
    const response: Json = { id: call.toolCallId, name: call.functionName, response: toFunctionResponse(result) };
    if (this.tools.nonBlocking.has(call.functionName)) response.scheduling = this.tools.scheduling.get(call.functionName) ?? 'WHEN_IDLE';
    this.sendJson({ toolResponse: { functionResponses: [response] } });
  }

  protected override handleVideoFrame(jpeg: Uint8Array): void {
    // Video frames are billed and 3.x models take all of them: only while the camera is on.
    if (!this.setupDone || this.resuming || !this.isCamEnabled) return;
    const sent = this.sendJson({ realtimeInput: { video: { data: bytesToBase64(jpeg), mimeType: 'image/jpeg' } } });
    if (sent && !this.sentVideo) {
      this.sentVideo = true;
      // Video shortens an uncompressed session to about 2 minutes.
      this.reportSessionLimit([]);
    }
  }

  /**
   * Gemini Live takes images as realtime video frames (LiveSendRealtimeInputParameters.video in
   * @google/genai: a Blob with JPEG or PNG bytes); a screenshot is one frame.
   */
  protected override deliverImage(image: ImageInput): boolean {
    if (!this.setupDone && !this.resuming) {
      this.emitError('Connect first: there is no session to send the image to.', false);
      return false;
    }
    const sent = this.sendJson({ realtimeInput: { video: { data: bytesToBase64(image.data), mimeType: image.mimeType } } });
    if (sent && !this.sentVideo) {
      this.sentVideo = true;
      this.reportSessionLimit([]);
    }
    return sent;
  }

  protected override onMicEnabledChanged(enabled: boolean): void {
    if (enabled || !this.setupDone) return;
    if (this.ptt) {
      this.endUserTurn();
      return;
    }
    // Flushes the server's cached audio so a half-spoken turn is answered (B.4).
    if (!this.isPushToTalk) this.sendJson({ realtimeInput: { audioStreamEnd: true } });
  }

  override startUserTurn(): void {
    if (!this.isPushToTalk) throw new Error('Push to talk needs "Turn detection" set to Push to talk (and a reconnect).');
    if (this.state !== 'ready' || this.ptt) return;
    this.utterance.userSpeechStarted([]);
    this.ptt = { started: false, pending: [], pendingBytes: 0 };
    if (this.turn || this.isBotSpeaking || this._mediaManager.isBotAudioActive) {
      // activityStart will tell the server; the note about an untold server does not apply.
      this.suppressInterruptNote = true;
      void this.interruptBot().finally(() => {
        this.suppressInterruptNote = false;
      });
    }
  }

  override endUserTurn(): void {
    const p = this.ptt;
    if (!p) return;
    this.ptt = null;
    if (!p.started) return;
    this.sendJson({ realtimeInput: { activityEnd: {} } });
    this.emitRtvi('user-stopped-speaking', { source: 'push-to-talk' });
  }

  override async updateSettings(settings: Record<string, unknown>): Promise<string[]> {
    await super.updateSettings(settings);
    // A Live session's setup cannot change: every setting waits for the next Connect, and this
    // session (and its resumptions) keeps the setup it was frozen with.
    return Object.keys(settings);
  }

  /**
   * The Interrupt button, before the player has answered (it can take ~150 ms): the turn is dropped
   * (its late audio and text go nowhere) and the server is told now. The log row, which carries the
   * played counts, follows in `onLocalInterrupt`.
   */
  protected override onInterruptStarted(): void {
    this.interruptsInFlight.push(this.stopTurnNow());
  }

  private stopTurnNow(): InterruptStart {
    const turn = this.turn;
    const active = !!turn && !turn.dropping;
    if (turn && !turn.dropping) {
      turn.dropping = true;
      this.flushOutput(turn, 'in-progress', []);
    }
    const message = this.caps.interrupt;
    if (this.suppressInterruptNote) return { suppressed: true, sent: false, message };
    // Tell the server only while it is generating or waiting on playback: otherwise the message
    // would just add an empty turn to the context.
    const sent = active && !this.resuming && this.sendJson(structuredClone(message));
    return { suppressed: false, sent, message };
  }

  protected override onLocalInterrupt(played: PlayedSamples): void {
    // Flushes answer in order; without a matching start (a subclass's own call) it all happens now.
    const { suppressed, sent, message } = this.interruptsInFlight.shift() ?? this.stopTurnNow();
    if (suppressed) return;
    this.emitRtvi('server-message', {
      type: 'local-interrupt',
      provider: this.providerName,
      server_notified: sent,
      sent: sent ? message : null,
      played_samples: played,
      note: sent
        ? `Playback was stopped here and ${JSON.stringify(message)} was sent: a clientContent interrupts the model's generation; the server answers "interrupted".${message.clientContent.turnComplete ? ' On this model only the captured form with turnComplete: true is known to work, so the model may start a new reply.' : ''}`
        : 'Playback was stopped here and the rest of this reply is dropped; nothing was sent (no reply was being generated, or the connection was between sockets).',
    });
  }

  // ---------------------------------------------------------------- receiving
  private onSocketMessage(text: string, bytes: number, _binary: boolean): void {
    let message: Json;
    try {
      const v = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      message = v as Json;
    } catch {
      const fid = this.reportFrame('in', 'malformed', bytes, this.scrubber.scrubText(text.slice(0, 200)), { malformed: true });
      this.emitError(`Gemini Live sent a frame that is not a JSON object (${bytes} bytes); it was ignored.`, false, [fid]);
      return;
    }
    const { payload, audio } = summariseServerFrame(message);
    const fid = this.reportFrame('in', serverFrameType(message), bytes, payload, audio ? { audio } : {});
    try {
      this.handleServerMessage(message, fid);
    } catch (e) {
      this.emitError(`Gemini Live frame could not be handled: ${errorMessage(e)}`, false, [fid]);
    }
  }

  private handleServerMessage(m: Json, fid: number): void {
    const src = [fid];
    if (m.usageMetadata && hasTokens(m.usageMetadata as UsageMetadata)) this.turnUsage = m.usageMetadata as UsageMetadata;
    if ('setupComplete' in m) this.onSetupComplete(src);
    const sru = m.sessionResumptionUpdate as { newHandle?: string; resumable?: boolean } | undefined;
    if (sru) this.onResumptionUpdate(sru);
    const va = m.voiceActivity as { type?: string; voiceActivityType?: string } | undefined;
    if (va) this.onVoiceActivity(va.type ?? va.voiceActivityType ?? '', src);
    const tc = m.toolCall as LiveServerToolCall | undefined;
    if (tc && !Array.isArray(tc.functionCalls)) {
      this.emitError('Gemini Live sent a toolCall without a functionCalls list; it was ignored.', false, src);
    } else if (tc?.functionCalls?.length) {
      this.ensureTurn(src);
      for (const c of tc.functionCalls) {
        // Ids and names go back to the server verbatim and arguments to app handlers: only well-typed calls run.
        if (typeof c?.id !== 'string' || !c.id || typeof c.name !== 'string' || !c.name) {
          this.emitError('Gemini Live sent a function call without id or name; it was ignored.', false, src);
          continue;
        }
        if (c.args !== undefined && c.args !== null && !isJsonObject(c.args)) {
          this.emitError(`Gemini Live called ${c.name} with arguments that are not a JSON object; answered with an error.`, false, src, { tool_call_id: c.id });
          this.sendJson({ toolResponse: { functionResponses: [{ id: c.id, name: c.name, response: { error: 'arguments are not a JSON object' } }] } });
          continue;
        }
        this.beginFunctionCall({ toolCallId: c.id, functionName: c.name, arguments: (c.args ?? {}) as Record<string, unknown> }, src);
      }
    }
    const tcc = m.toolCallCancellation as { ids?: string[] } | undefined;
    if (tcc?.ids?.length) this.cancelFunctionCalls(tcc.ids, src);
    if (m.serverContent && typeof m.serverContent === 'object') this.onServerContent(m.serverContent as LiveServerContent, src);
    const ga = m.goAway as { timeLeft?: string } | undefined;
    if (ga) this.onGoAway(ga.timeLeft, src);
  }

  private onSetupComplete(src: number[]): void {
    this.setupDone = true;
    if (this.live.settings.session_resumption !== false) this.credentials.mintSpare();
    if (this.resuming) {
      this.finishResume(src);
      return;
    }
    if (this.pendingInitialHistory) this.sendJson(this.pendingInitialHistory);
    this.pendingInitialHistory = null;
    this.markReady(src);
    this.sessionStartedAt = Date.now();
    this.reportSessionLimit(src);
    if (this.tools.dropped.length) {
      this.emitRtvi('server-message', {
        type: 'tool-schema-converted',
        dropped: this.tools.dropped,
        note: 'Tool schemas were sent as Live\'s Schema subset (parameters); these JSON Schema parts were dropped or changed.',
      }, { sourceFrameIds: src });
    }
  }

  /** Tells the panel how long this session may last (the server ends it there without compression). */
  private reportSessionLimit(src: number[]): void {
    const compression = this.live.settings.context_compression !== false;
    const limit = compression ? null : this.sentVideo ? SESSION_LIMIT_VIDEO_MS : SESSION_LIMIT_AUDIO_MS;
    this.emitRtvi('server-message', {
      type: 'session-limit',
      compression,
      video: this.sentVideo,
      limit_ms: limit,
      started_at: this.sessionStartedAt,
      ends_at: limit === null ? null : this.sessionStartedAt + limit,
      note: compression
        ? 'Context window compression is on: no session length limit (connections still end about every 10 minutes and are resumed).'
        : `Without context window compression Gemini ends this session about ${limit! / 60_000} minutes after it started${this.sentVideo ? ' (audio with video)' : ' (2 minutes once video is sent)'}; resumption does not extend it.`,
    }, { sourceFrameIds: src });
  }

  private canResumeAfterClose(code: number, reason: string): boolean {
    return (
      RESUMABLE_CLOSE_CODES.has(code) &&
      !NOT_RESUMABLE_REASON.test(reason) &&
      !this.unexpectedResumeUsed &&
      !!this.resumptionHandle &&
      this.state === 'ready' &&
      this.live.settings.session_resumption !== false
    );
  }

  protected override onLocalSpeechChanged(started: boolean): void {
    if (started) this.utterance.userSpeechStarted([]);
  }

  private onVoiceActivity(kind: string, src: number[]): void {
    this.sawVoiceActivity = true;
    if (kind === 'ACTIVITY_START') {
      this.utterance.userSpeechStarted(src);
      this.emitRtvi('user-started-speaking', { source: 'provider' }, { sourceFrameIds: src });
    } else if (kind === 'ACTIVITY_END') this.emitRtvi('user-stopped-speaking', { source: 'provider' }, { sourceFrameIds: src });
  }

  private onServerContent(sc: LiveServerContent, src: number[]): void {
    const input = sc.inputTranscription;
    if (input?.text !== undefined && typeof input.text !== 'string') {
      this.emitError('Gemini Live sent an input transcription whose text is not a string; it was ignored.', false, src);
    } else if (input) {
      // Fragments before, during and after the model's turn (even after turnComplete) are one utterance.
      this.utterance.fragment(input.text ?? '', input.finished === true, src);
    }

    const parts = sc.modelTurn?.parts ?? [];
    if (parts.length) {
      const turn = this.ensureTurn(src);
      for (const part of parts) {
        const inline = part.inlineData;
        if (inline?.data && (inline.mimeType ?? '').startsWith('audio/')) this.playAudioPart(turn, inline.data, inline.mimeType, src);
        else if (typeof part.text === 'string' && part.text && !part.thought && !turn.dropping) {
          this.emitRtvi('bot-llm-text', { text: part.text }, { sourceFrameIds: src });
          // TEXT modality: the model's text is its answer (there is no audio to transcribe).
          if (this.live.modality === 'TEXT') for (const seg of turn.output.push(part.text)) this.emitBotOutput(seg, src);
        }
      }
    }
    const out = sc.outputTranscription?.text;
    if (out !== undefined && typeof out !== 'string') {
      this.emitError('Gemini Live sent an output transcription whose text is not a string; it was ignored.', false, src);
    } else if (out) {
      // A fragment after turnComplete is late text of the turn that ended: it opens no new turn
      // (a phantom turn would never complete and would hold back resumption), and is not paced.
      const turn = this.turn;
      // A dropped turn's late text will never be heard: the frame stays in the log, nothing else.
      if (!turn?.dropping) {
        this.emitRtvi('bot-tts-text', { text: out }, { sourceFrameIds: src, spokenItemId: turn ? spokenItem(turn) : undefined });
        if (turn) for (const seg of turn.output.push(out)) this.emitBotOutput(seg, src, spokenItem(turn));
      }
    }
    reportServerContentExtras(sc, (data) => this.emitRtvi('server-message', data, { sourceFrameIds: src }));
    if (sc.generationComplete) this.stopLlm(src);
    if (sc.interrupted) this.onInterrupted(src);
    const reason = (sc as { turnCompleteReason?: unknown }).turnCompleteReason;
    if (typeof reason === 'string' && reason) this.onTurnCompleteReason(reason, src);
    if (sc.turnComplete) this.endTurn(src);
  }

  private onTurnCompleteReason(reason: string, src: number[]): void {
    const why = TURN_COMPLETE_REASONS[reason];
    if (why) {
      this.emitError(`Gemini Live ended the turn without a full answer: ${why} (${reason}).`, false, src, { turn_complete_reason: reason });
    } else if (reason !== 'TURN_COMPLETE_REASON_UNSPECIFIED') {
      this.emitRtvi('server-message', { type: 'turn-complete-reason', turn_complete_reason: reason }, { sourceFrameIds: src });
    }
  }

  private ensureTurn(src: number[]): TurnState {
    if (this.turn) return this.turn;
    this.utterance.botTurnStarted();
    this.turnSeq++;
    this.turn = {
      itemId: `gemini-turn-${this.turnSeq}`,
      dropping: false,
      llmStopped: false,
      output: new BotOutputAggregator(this.segmentSeq),
      droppedParts: 0,
      resamplers: new Map(),
    };
    this.emitRtvi('bot-llm-started', {}, { sourceFrameIds: src });
    return this.turn;
  }

  private playAudioPart(turn: TurnState, b64: string, mimeType: string | undefined, src: number[]): void {
    if (turn.dropping) {
      turn.droppedParts++;
      return;
    }
    let samples: Int16Array;
    try {
      samples = base64ToInt16(b64);
    } catch (e) {
      this.emitError(`Gemini Live sent audio that is not valid base64 (${errorMessage(e)}); that part was skipped.`, false, src);
      return;
    }
    // The part's mimeType names its rate (`audio/pcm;rate=24000`, B.5); the player runs at 24 kHz.
    const rate = sampleRateOf(mimeType, OUTPUT_RATE);
    if (rate !== OUTPUT_RATE && rate >= 8000 && rate <= 96_000) samples = this.resampleOutput(turn, samples, rate);
    turn.hasAudio = true;
    this.queueBotAudio(samples, turn.itemId);
  }

  private resampleOutput(turn: TurnState, samples: Int16Array, rate: number): Int16Array {
    let r = turn.resamplers.get(rate);
    if (!r) {
      r = new Resampler(rate, OUTPUT_RATE);
      turn.resamplers.set(rate, r);
    }
    const input = new Float32Array(samples.length);
    for (let i = 0; i < samples.length; i++) input[i] = samples[i] / 32768;
    const output = r.process(input);
    const out = new Int16Array(output.length);
    for (let i = 0; i < output.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(output[i] * 32768)));
    return out;
  }

  private onInterrupted(src: number[]): void {
    const turn = this.turn;
    if (turn && !turn.dropping) {
      turn.dropping = true;
      this.flushOutput(turn, 'in-progress', src);
    }
    this.stopLlm(src);
    // Flush at once; parts already dropped synchronously above cannot sneak in meanwhile.
    void this._mediaManager.interrupt();
  }

  private stopLlm(src: number[]): void {
    const turn = this.turn;
    if (!turn || turn.llmStopped) return;
    turn.llmStopped = true;
    this.emitRtvi('bot-llm-stopped', {}, { sourceFrameIds: src });
  }

  private endTurn(src: number[]): void {
    const turn = this.turn;
    if (turn) {
      if (!turn.dropping) this.flushOutput(turn, 'completed', src);
      this.stopLlm(src);
      this.turn = null;
    }
    // Late input fragments can still come: the user's final waits a moment.
    this.utterance.botTurnEnded();
    const usage = this.turnUsage;
    this.turnUsage = null;
    if (usage) {
      const prompt = tokenCount(usage.promptTokenCount);
      const completion = tokenCount(usage.responseTokenCount);
      const total = tokenCount(usage.totalTokenCount);
      if (prompt === null || completion === null || total === null) {
        this.emitError('Gemini Live sent usage metadata whose token counts are not numbers; no metrics for this turn.', false, src);
      } else {
        this.emitRtvi(
          'metrics',
          { tokens: [{ processor: 'gemini-live', model: this.caps.id, prompt_tokens: prompt ?? 0, completion_tokens: completion ?? 0, total_tokens: total ?? (prompt ?? 0) + (completion ?? 0) }] },
          { sourceFrameIds: src },
        );
      }
    }
    if (this.goAwayPending) this.tryResume('go-away');
  }

  private flushOutput(turn: TurnState, status: 'completed' | 'in-progress', src: number[]): void {
    const seg = turn.output.flush(status);
    if (seg) this.emitBotOutput(seg, src, spokenItem(turn));
  }

  private emitBotOutput(seg: BotOutputSegment, src: number[], spokenItemId?: string): void {
    this.segmentSeq = seg.segment_id + 1;
    this.emitRtvi('bot-output', seg, { sourceFrameIds: src, spokenItemId });
  }

  private emitUserTranscript(text: string, final: boolean, src: number[]): void {
    this.emitRtvi('user-transcription', { text, final, timestamp: new Date().toISOString(), user_id: 'user' }, { sourceFrameIds: src });
  }

  // ---------------------------------------------------------------- goAway and resumption
  private onResumptionUpdate(u: { newHandle?: string; resumable?: boolean }): void {
    if (u.resumable && u.newHandle) {
      this.resumptionHandle = u.newHandle;
      this.resumable = true;
      if (this.goAwayPending) this.tryResume('go-away');
    } else {
      this.resumable = false;
    }
  }

  private onGoAway(timeLeft: string | undefined, src: number[]): void {
    const ms = parseDurationMs(timeLeft) ?? 0;
    const enabled = this.live.settings.session_resumption !== false;
    const canResume = enabled && !!this.resumptionHandle;
    this.emitRtvi('server-message', { type: 'go-away', time_left: timeLeft ?? null, time_left_ms: ms, deadline: Date.now() + ms, will_resume: canResume }, { sourceFrameIds: src });
    if (!canResume) {
      const why = enabled ? 'no resumable session handle has arrived yet' : 'session resumption is off';
      this.emitError(`Gemini Live will close this session in ${Math.round(ms / 1000)} s (goAway) and it cannot be resumed: ${why}.`, false, src, { go_away: true });
      if (!enabled) return;
    }
    this.goAwayPending = true;
    clearTimeout(this.goAwayTimer);
    // Resume at a quiet moment (turn over, handle resumable), or just before the deadline regardless.
    this.goAwayTimer = setTimeout(() => this.tryResume('go-away deadline', true), Math.max(0, ms - RESUME_MARGIN_MS));
    this.tryResume('go-away');
  }

  private tryResume(reason: string, force = false): void {
    if (this.resuming || !this.resumptionHandle || this.state !== 'ready') return;
    if (!force && (this.turn || !this.resumable || this.pendingFunctionCalls.length)) return;
    void this.resume(reason);
  }

  private async resume(reason: string): Promise<void> {
    clearTimeout(this.goAwayTimer);
    this.goAwayPending = false;
    const handle = this.resumptionHandle!;
    const state: ResumeState = { startedAt: performance.now(), reason, audio: [], audioBytes: 0, droppedBytes: 0, queued: [] };
    // A turn cut by a forced resume cannot complete on the new connection.
    if (this.turn) {
      this.flushOutput(this.turn, 'in-progress', []);
      this.stopLlm([]);
      this.turn = null;
    }
    const old = this.socket;
    this.socket = null;
    this.setupDone = false;
    old?.close(1000, '');
    this.resuming = state;
    try {
      // The spare token (minted ahead) while the old socket's close handshake runs.
      const [url] = await Promise.all([this.credentials.urlForConnection(true), old?.whenClosed(OLD_SOCKET_CLOSE_WAIT_MS)]);
      if (this.resuming !== state) return;
      // Never while the old socket is still open: the server rejects that resumption with 1011 (E).
      await this.openSocket(url, handle);
    } catch (e) {
      if (this.resuming !== state) return;
      this.resuming = null;
      this.socket = null;
      this.handleSocketClosed(1006, `Session resumption failed: ${errorMessage(e)}`);
    }
  }

  private finishResume(src: number[]): void {
    const r = this.resuming!;
    this.resuming = null;
    this.resumeCount++;
    for (const chunk of r.audio) this.sendAudio(chunk);
    for (const q of r.queued) this.sendJson(q.message);
    this.emitRtvi(
      'server-message',
      {
        type: 'session-resumed',
        reason: r.reason,
        gap_ms: Math.round(performance.now() - r.startedAt),
        buffered_audio_ms: Math.round(pcm16DurationMs(r.audioBytes, INPUT_RATE)),
        dropped_audio_ms: Math.round(pcm16DurationMs(r.droppedBytes, INPUT_RATE)),
      },
      { sourceFrameIds: src },
    );
  }
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function hasTokens(u: UsageMetadata): boolean {
  return u.totalTokenCount !== undefined || u.promptTokenCount !== undefined || u.responseTokenCount !== undefined;
}

/** A token count: absent (undefined), a count (proto3-JSON may send integers as strings), or malformed (null). */
function tokenCount(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/** FunctionResponse.response is a JSON object: `{result}` or `{error}` (B.4). */
function toFunctionResponse(result: unknown): Json {
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const keys = Object.keys(result);
    if (keys.length > 0 && keys.every((k) => k === 'result' || k === 'error')) return result as Json;
  }
  if (typeof result === 'string') {
    try {
      const parsed = JSON.parse(result);
      return { result: parsed };
    } catch {
      return { result };
    }
  }
  return { result: result ?? null };
}

/**
 * Text is held for its audio only once the turn has audio: a transcription that opens a turn of its
 * own (Gemini can send it after `turnComplete`) has no audio of its own to wait for.
 */
function spokenItem(turn: TurnState): string | undefined {
  return turn.hasAudio ? turn.itemId : undefined;
}
