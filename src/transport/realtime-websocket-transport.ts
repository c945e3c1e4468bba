import {
  RTVIMessage,
  RTVI_PROTOCOL_VERSION,
  Transport,
  TransportStartError,
  UnsupportedFeatureError,
  DeviceError,
  type PipecatClientOptions,
  type RTVIEventCallbacks,
  type Tracks,
  type TransportState,
} from '@pipecat-ai/client-js';
import type { MediaFormat, MediaManager, MediaStats, PlayedSamples, PlaybackEvent, SpeechEvent } from '../audio/media-manager.ts';
import { AudioWorkletMediaManager } from '../audio/audio-worklet-media-manager.ts';
import { deferred, type Deferred } from './deferred.ts';
import type { AudioSummary, FrameDirection, FrameRecord, TransportObserver } from './frame-observer.ts';
import { SecretScrubber } from './secret-scrubber.ts';
import { SpokenTextPacer } from '../rtvi/spoken-text-pacer.ts';
import { ProviderClosedError, SetupTimeoutError, errorMessage } from './transport-errors.ts';

/** One still image for the model: JPEG or PNG bytes. `kind` says where it came from (a screenshot, or a shared tab's video frame). */
export interface ImageInput {
  data: Uint8Array;
  mimeType: 'image/jpeg' | 'image/png';
  kind: 'screenshot' | 'frame';
}

/** What every adapter accepts. Adapters extend it with their own settings. */
export interface LLMServiceOptions {
  /** Read at connect() time, never at construction, so a key typed later is used. */
  api_key?: string;
  model?: string;
  settings?: Record<string, unknown>;
  /** Seed history: `{role: 'user' | 'assistant' | 'system', content}`. */
  initial_messages?: Array<{ role: string; content: string }>;
  /** WebSocket endpoint override (proxies, Azure-style hosts, local fakes). */
  endpoint?: string;
  /** connect() rejects if the provider is not ready this long after the call (token requests included). */
  connect_timeout_ms?: number;
  /** A function call with no result after this long is answered with `{error: 'timeout'}`. */
  function_call_timeout_ms?: number;
}

export interface FunctionCallContext {
  toolCallId: string;
  functionName: string;
  arguments: Record<string, unknown>;
}

interface PendingFunctionCall extends FunctionCallContext {
  timer: ReturnType<typeof setTimeout> | undefined;
  sourceFrameIds: number[];
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_FUNCTION_CALL_TIMEOUT_MS = 30_000;

type Observed = {
  sourceFrameIds?: number[];
  at?: number;
  unscrubbedForApp?: boolean;
  /**
   * `bot-tts-text` / `bot-output` of spoken audio: the playback item whose audio carries the text.
   * The message is then held until that audio plays (see SpokenTextPacer); without it the text is
   * emitted at once, as a seed-style adapter's would be.
   */
  spokenItemId?: string;
  /** The id the peer gave the message (RTVI server-response / error-response answer a request by it). */
  messageId?: string;
};

/** One connect() call, from its start until the session it opened is torn down. */
interface ConnectAttempt {
  controller: AbortController;
  /** Set by disconnect(): the failure that follows is the user's cancel, not an error. */
  cancelledByUser: boolean;
  /** failSetup() already told onError. */
  errorReported: boolean;
  /**
   * Settles when this attempt's connectLLM (and whatever earlier attempt it waited for) has
   * finished and, if the attempt was abandoned meanwhile, its provider link has been closed.
   * Never rejects.
   */
  settled: Promise<void>;
}

/**
 * How often held text is checked against the player's played samples, for media managers that send
 * no progress events (the worklet's own reports drive the pacer; a hidden document's timers are
 * throttled to about 1 Hz anyway).
 */
const PACER_POLL_MS = 50;

/**
 * Abstract Pipecat client transport for voice-to-voice LLMs spoken to directly over WebSocket.
 * Subclasses (adapters) map provider frames to RTVI messages and back; this class owns the state
 * machine, the settle-always connect, the media manager, function-call bookkeeping and the frame
 * observer.
 */
export abstract class RealTimeWebsocketTransport extends Transport {
  protected _service_options: LLMServiceOptions;
  protected _mediaManager: MediaManager;
  protected readonly scrubber = new SecretScrubber();

  private _observer: TransportObserver | undefined;
  private _frameSeq = 0;
  private _connectStartedAt = 0;
  private _setupFailure: Deferred<never> | null = null;
  private _ready: Deferred<void> | null = null;
  private _setupTimer: ReturnType<typeof setTimeout> | undefined;
  private _disconnecting: Promise<void> | null = null;
  private _pendingCalls = new Map<string, PendingFunctionCall>();
  private _finishedCalls = new Set<string>();
  private _currentCall: FunctionCallContext | null = null;
  private _botSpeaking = false;
  private _userSpeakingLocal = false;
  private _attempt: ConnectAttempt | null = null;
  /** True while emitRtvi() is handing our own message to client-js. */
  private _emittingOwn = false;
  private readonly _pacer = new SpokenTextPacer((m) => this.emitNow(m.type, m.data, { sourceFrameIds: m.sourceFrameIds }));
  private _pacerTimer: ReturnType<typeof setInterval> | undefined;

  constructor(serviceOptions: LLMServiceOptions, manager?: MediaManager) {
    super();
    this._service_options = { ...serviceOptions };
    this._mediaManager = manager ?? new AudioWorkletMediaManager();
    // Tool results (documents, search hits) routinely exceed client-js's 64 KiB default.
    this._maxMessageSize = 4 * 1024 * 1024;
    this._callbacks = {};
    this._onMessage = () => undefined;
  }

  // ---------------------------------------------------------------- seed API: adapter hooks
  abstract initializeLLM(): void;
  abstract attachLLMListeners(): void;
  /** Open the provider socket and send the setup; resolve once the request is on the wire. */
  abstract connectLLM(): Promise<void>;
  abstract disconnectLLM(): Promise<void>;
  abstract handleUserAudioStream(data: ArrayBuffer): void;
  /** Resolve when the provider is ready (use `waitUntilReady()`); reject on setup failure. */
  abstract override sendReadyMessage(): void | Promise<void>;
  abstract override sendMessage(message: RTVIMessage): void;

  /**
   * Human name used in messages ("Gemini Live", "OpenAI Realtime", …): a subclass's own
   * `providerName` field when it declares one (optional, so a seed-style adapter compiles without
   * it), else its class name.
   */
  protected get providerLabel(): string {
    const declared = (this as { providerName?: unknown }).providerName;
    return typeof declared === 'string' && declared ? declared : this.constructor.name || 'the provider';
  }

  /** Audio formats the adapter needs. */
  protected getMediaFormat(): MediaFormat {
    return { inputSampleRate: 16_000, outputSampleRate: 24_000, chunkMs: 20 };
  }

  /** Throw here (e.g. MissingKeyError) to refuse connecting before anything is opened. */
  protected validateBeforeConnect(): void {}

  /**
   * Whether playback start/stop is reported as bot-(started|stopped)-speaking. A bot that sends
   * those messages itself over RTVI (Pipecat) turns this off, so each appears once.
   */
  protected reportsPlaybackAsSpeaking(): boolean {
    return true;
  }

  /**
   * Whether answering a call emits llm-function-call-stopped here. A bot that reports the call's
   * end itself over RTVI once it has the result (Pipecat's observer) turns this off, so the call
   * has one stopped row: the bot's. Cancellations are still reported here.
   */
  protected reportsAnsweredCallStopped(): boolean {
    return true;
  }

  /** Whether the local voice-activity detector should emit user-(started|stopped)-speaking. */
  protected usesLocalVoiceActivity(): boolean {
    return true;
  }

  /**
   * Synchronous, at the interrupt itself (the player has not answered yet): mark the current turn
   * dropped here so its late audio and text are discarded rather than queued after the flush.
   */
  protected onInterruptStarted(): void {}

  /** Provider-specific reaction to a local interrupt (cancel, truncate). Playback is already flushed. */
  protected onLocalInterrupt(_played: PlayedSamples): void {}

  /** Deliver a function result to the provider. */
  protected deliverFunctionCallResult(call: FunctionCallContext, _result: unknown): void {
    this.emitError(`${this.providerLabel} adapter cannot send the result of ${call.functionName}.`, false);
  }

  /** Called after the player has played all audio of an item, or the item was flushed. */
  protected onBotAudioFinished(_ev: PlaybackEvent): void {}

  /** Camera frames for adapters that take video. */
  protected handleVideoFrame(_jpeg: Uint8Array): void {}

  /**
   * Sends one still image (a screenshot, a shared tab's frame) to the model. Returns whether it
   * went out; adapters whose provider takes no images report an error and return false.
   */
  sendImage(image: ImageInput): boolean {
    return this.deliverImage(image);
  }

  /** Whether the adapter takes a stream of video frames (camera, shared tab). */
  get acceptsVideo(): boolean {
    return this.getMediaFormat().acceptsVideo === true;
  }

  /** Provider-specific image input; the default has none. */
  protected deliverImage(_image: ImageInput): boolean {
    this.emitError(`${this.providerLabel} does not take images.`, false, [], { unsupported: 'image' });
    return false;
  }

  // ---------------------------------------------------------------- public extras
  setObserver(observer: TransportObserver | undefined): void {
    this._observer = observer;
  }

  get serviceOptions(): Readonly<LLMServiceOptions> {
    return this._service_options;
  }

  /** performance.now() of the current connect() call: the zero of every frame and RTVI stamp. */
  get connectStartedAt(): number {
    return this._connectStartedAt;
  }

  get mediaManager(): MediaManager {
    return this._mediaManager;
  }

  /**
   * The current connect attempt's signal: pass it to every token/secret request (`fetch`) and to
   * `ProviderSocket.open()`. It aborts when the user disconnects, when setup times out or fails,
   * and when a newer connect() starts, so an abandoned attempt opens nothing. Between sessions it
   * is an already-aborted signal.
   */
  protected get connectSignal(): AbortSignal {
    return this._attempt?.controller.signal ?? ABORTED;
  }

  getStats(): MediaStats {
    return this._mediaManager.getStats();
  }

  /** The call whose handler is running right now (handlers run synchronously inside the in-progress event). */
  get currentFunctionCall(): FunctionCallContext | null {
    return this._currentCall;
  }

  get pendingFunctionCalls(): FunctionCallContext[] {
    return [...this._pendingCalls.values()].map(({ toolCallId, functionName, arguments: a }) => ({ toolCallId, functionName, arguments: a }));
  }

  /** Stop the bot's audio now; the adapter tells the provider where it can. */
  async interruptBot(): Promise<PlayedSamples> {
    // Before anything else: the manager drops the playing items inside interrupt(), and the adapter
    // marks its turn dropped, so nothing arriving while the player flushes is queued or shown.
    const flushing = this._mediaManager.interrupt();
    this.onInterruptStarted();
    const played = await flushing;
    this._pacer.flushed(played);
    this.onLocalInterrupt(played);
    return played;
  }

  /** Push-to-talk: press. Adapters that support manual turns override. */
  startUserTurn(): void {
    throw new UnsupportedFeatureError('push-to-talk', this.providerLabel);
  }

  /** Push-to-talk: release. */
  endUserTurn(): void {
    throw new UnsupportedFeatureError('push-to-talk', this.providerLabel);
  }

  /** Apply settings mid-session where the provider allows; returns the keys that need a reconnect. */
  async updateSettings(settings: Record<string, unknown>): Promise<string[]> {
    this._service_options.settings = { ...(this._service_options.settings ?? {}), ...settings };
    return Object.keys(settings);
  }

  // ---------------------------------------------------------------- client-js Transport members
  initialize(options: PipecatClientOptions, messageHandler: (ev: RTVIMessage) => void): void {
    this._options = options;
    this._callbacks = options.callbacks ?? {};
    // A seed-style adapter reports readiness itself: sendReadyMessage() calls this._onMessage() with
    // a bot-ready. That makes the transport ready too (state, setup timer), exactly as markReady() does.
    this._onMessage = (message: RTVIMessage) => {
      if (message?.type === 'bot-ready' && !this._emittingOwn) this.adoptReady(message.data);
      messageHandler(message);
    };
    this._mediaManager.setClientOptions(options, true);
    this._mediaManager.setUserAudioCallback((data) => this.onCapturedAudio(data));
    this._mediaManager.setEventsListener({
      onBotAudioStarted: (ev) => this.onPlaybackStarted(ev),
      onBotAudioStopped: (ev) => this.onPlaybackStopped(ev),
      onBotAudioFlushed: (played) => this._pacer.flushed(played),
      onBotAudioProgress: (played) => {
        for (const [id, n] of Object.entries(played)) this._pacer.played(id, n);
      },
      onLocalSpeechStarted: (ev) => this.onLocalSpeech(true, ev),
      onLocalSpeechStopped: (ev) => this.onLocalSpeech(false, ev),
      onMicrophoneLost: (reason) => this.emitError(`Microphone lost: ${reason}`, false),
      onVideoFrame: (jpeg) => this.handleVideoFrame(jpeg),
    });
    this.initializeLLM();
    this.attachLLMListeners();
    this.state = 'disconnected';
  }

  /** Never rejects: client-js awaits it outside its error handling, so a rejection would hang connect(). */
  async initDevices(): Promise<void> {
    // During a session (or a connect) this only refreshes the device lists: the state is the session's.
    const idle = this.state === 'disconnected' || this.state === 'initialized' || this.state === 'initializing' || this.state === 'error';
    if (idle) this.state = 'initializing';
    try {
      await this._mediaManager.initialize();
    } catch (e) {
      this._callbacks.onDeviceError?.(new DeviceError(['mic'], 'unknown', errorMessage(e)));
    }
    if (idle && this.state === 'initializing') this.state = 'initialized';
  }

  _validateConnectionParams(connectParams?: unknown): LLMServiceOptions | undefined {
    if (connectParams === undefined || connectParams === null) return undefined;
    if (typeof connectParams !== 'object' || Array.isArray(connectParams)) {
      throw new Error('connect() takes an object of LLMServiceOptions');
    }
    return connectParams as LLMServiceOptions;
  }

  async _connect(connectParams?: unknown): Promise<void> {
    const params = connectParams as LLMServiceOptions | undefined;
    if (this._disconnecting) await this._disconnecting;
    if (params) this._service_options = { ...this._service_options, ...params, settings: { ...this._service_options.settings, ...params.settings } };
    // A connect() still in flight (called without client-js in between) is superseded: it settles,
    // and neither tears down nor reports anything about the session that replaces it.
    const previous = this._attempt;
    if (previous) {
      previous.cancelledByUser = true;
      previous.controller.abort();
    }
    if (this._setupFailure && !this._setupFailure.settled) this._setupFailure.reject(new TransportStartError('A newer connect() replaced this one.'));
    clearTimeout(this._setupTimer);
    this._connectStartedAt = nowMs();
    this._finishedCalls.clear();
    this._pacer.reset();
    this._setupFailure = deferred<never>();
    this._ready = deferred<void>();
    const timeoutMs = this._service_options.connect_timeout_ms ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this._setupTimer = setTimeout(() => {
      this.failSetup(new SetupTimeoutError(this.providerLabel, timeoutMs, this.state === 'connected' ? 'the provider to confirm the session' : 'the connection to open'));
    }, timeoutMs);
    this.scrubber.add(this._service_options.api_key);
    const attempt: ConnectAttempt = { controller: new AbortController(), cancelledByUser: false, errorReported: false, settled: previous?.settled ?? Promise.resolve() };
    this._attempt = attempt;
    // client-js aborts its own controller in disconnect(): follow it as well.
    this._abortController?.signal.addEventListener('abort', () => attempt.controller.abort(), { once: true });
    this.state = 'connecting';
    // Raced against this attempt's own failure, which stays rejected after disconnect() clears the field.
    const failure = this._setupFailure;
    const race = <T,>(p: Promise<T>): Promise<T> => {
      if (attempt.controller.signal.aborted) return failure.promise;
      return Promise.race([p, failure.promise]);
    };
    try {
      this.validateBeforeConnect();
      this._mediaManager.configure(this.getMediaFormat());
      await race(this._mediaManager.connect());
      // An abandoned attempt whose adapter ignored the signal may still be opening its socket: let it
      // finish and be closed before this one opens, so it can never replace this session's socket.
      await race(attempt.settled);
      if (attempt.controller.signal.aborted) await failure.promise;
      const llm = this.connectLLM();
      const closeIfAbandoned = async (): Promise<void> => {
        if (!attempt.controller.signal.aborted) return;
        try {
          await this.disconnectLLM();
        } catch {
          /* reported by teardown already */
        }
      };
      attempt.settled = llm.then(closeIfAbandoned, closeIfAbandoned);
      await race(llm);
      this.state = 'connected';
      this._callbacks.onConnected?.();
    } catch (e) {
      const err = this.toStartError(e);
      // The user's own Disconnect: _disconnect() tears down and reports `disconnected`; not an error.
      if (attempt.cancelledByUser) throw err;
      this.clearSetup(err);
      this.state = 'error';
      await this.teardown();
      // connect() rejects with it, and onError hears it too (client-js only rejects its promise).
      if (!attempt.errorReported) this.emitError(err.message, true, [], { phase: 'setup' });
      throw err;
    }
  }

  async _disconnect(): Promise<void> {
    if (this._disconnecting) return this._disconnecting;
    if (this.state === 'disconnected' && !this._setupFailure) return;
    if (this._attempt) {
      this._attempt.cancelledByUser = true;
      this._attempt.controller.abort();
    }
    this._disconnecting = (async () => {
      this.state = 'disconnecting';
      this.clearSetup(new TransportStartError('Disconnected before the session was ready.'));
      await this.teardown();
      this.state = 'disconnected';
      this._callbacks.onDisconnected?.();
    })().finally(() => {
      this._disconnecting = null;
    });
    return this._disconnecting;
  }

  get state(): TransportState {
    return this._state;
  }

  set state(state: TransportState) {
    if (this._state === state) return;
    this._state = state;
    this._callbacks.onTransportStateChanged?.(state);
  }

  getAllMics(): Promise<MediaDeviceInfo[]> {
    return this._mediaManager.getAllMics();
  }
  getAllCams(): Promise<MediaDeviceInfo[]> {
    return this._mediaManager.getAllCams();
  }
  getAllSpeakers(): Promise<MediaDeviceInfo[]> {
    return this._mediaManager.getAllSpeakers();
  }
  async updateMic(micId: string): Promise<void> {
    await this._mediaManager.updateMic(micId);
  }
  updateCam(camId: string): void {
    this._mediaManager.updateCam(camId);
  }
  updateSpeaker(speakerId: string): void {
    this._mediaManager.updateSpeaker(speakerId);
  }
  get selectedMic(): MediaDeviceInfo | Record<string, never> {
    return this._mediaManager.selectedMic;
  }
  get selectedCam(): MediaDeviceInfo | Record<string, never> {
    return this._mediaManager.selectedCam;
  }
  get selectedSpeaker(): MediaDeviceInfo | Record<string, never> {
    return this._mediaManager.selectedSpeaker;
  }
  enableMic(enable: boolean): void {
    const was = this._mediaManager.isMicEnabled;
    this._mediaManager.enableMic(enable);
    if (was !== enable) this.onMicEnabledChanged(enable);
  }
  enableCam(enable: boolean): void {
    this._mediaManager.enableCam(enable);
  }
  enableScreenShare(_enable: boolean): void {
    throw new UnsupportedFeatureError('screenShare', this.providerLabel, 'Screen sharing is not supported by this transport.');
  }
  get isCamEnabled(): boolean {
    return this._mediaManager.isCamEnabled;
  }
  get isMicEnabled(): boolean {
    return this._mediaManager.isMicEnabled;
  }
  get isSharingScreen(): boolean {
    return false;
  }
  tracks(): Tracks {
    return this._mediaManager.tracks();
  }

  /** Hook: the microphone was muted or unmuted (Gemini sends audioStreamEnd). */
  protected onMicEnabledChanged(_enabled: boolean): void {}

  // ---------------------------------------------------------------- helpers for adapters
  /** Resolves when markReady() is called; rejects with the setup failure. Use in sendReadyMessage(). */
  protected waitUntilReady(): Promise<void> {
    if (!this._ready) return Promise.reject(new TransportStartError('connect() was not called.'));
    return this.raceSetup(this._ready.promise);
  }

  protected get isSettingUp(): boolean {
    return !!this._setupFailure && !this._setupFailure.settled;
  }

  /** The provider confirmed the session: state `ready` and a bot-ready carrying RTVI_PROTOCOL_VERSION. */
  protected markReady(sourceFrameIds: number[] = [], botReadyData?: unknown): void {
    if (!this._ready || this._ready.settled) return;
    clearTimeout(this._setupTimer);
    this._setupFailure?.resolve(undefined as never);
    this.state = 'ready';
    // A bot that speaks RTVI itself (Pipecat) sends its own bot-ready: that one is shown, not ours.
    this.emitRtvi('bot-ready', botReadyData ?? { version: RTVI_PROTOCOL_VERSION, about: { library: 'realtime-websocket-transport', provider: this.providerLabel } }, { sourceFrameIds });
    this._ready.resolve();
  }

  /** A bot-ready the adapter sent through _onMessage itself (the seed's way): the session is ready. */
  private adoptReady(data: unknown): void {
    if (!this._ready || this._ready.settled || !this.isSettingUp) return;
    clearTimeout(this._setupTimer);
    this._setupFailure?.resolve(undefined as never);
    this.state = 'ready';
    this._observer?.onRtvi?.({ t: nowMs() - this._connectStartedAt, wall: Date.now(), type: 'bot-ready', data: this.scrubber.scrub(data ?? {}), sourceFrameIds: [] });
    this._ready.resolve();
  }

  /** Setup failed: connect() rejects with this error (if still pending). */
  protected failSetup(error: Error): void {
    if (!this._setupFailure || this._setupFailure.settled) return;
    clearTimeout(this._setupTimer);
    this._attempt?.controller.abort();
    // Truthful state: the session failed; client-js (or the caller) then disconnects.
    if (this.state === 'connecting' || this.state === 'connected') this.state = 'error';
    this._setupFailure.reject(error);
    this._ready?.reject(error);
    // connect() rejects with it; onError hears it too (fatal: client-js then disconnects).
    if (this._attempt) this._attempt.errorReported = true;
    this.emitError(error.message, true, [], { phase: 'setup' });
  }

  /**
   * The provider socket closed. Before ready: connect() rejects with code and reason. After ready:
   * a fatal RTVI error (client-js then disconnects) and the transport tears itself down.
   */
  /** A sentence for a close that says the requested model is unknown or retired (adapters override). */
  protected unknownModelHint(_code: number, _reason: string): string | null {
    return null;
  }

  protected handleSocketClosed(code: number, reason: string, sourceFrameIds: number[] = []): void {
    const cleanReason = this.scrubber.scrubText(reason);
    if (this.isSettingUp) {
      this.failSetup(new ProviderClosedError(this.providerLabel, code, cleanReason, 'setup', this.unknownModelHint(code, cleanReason) ?? undefined));
      return;
    }
    if (this.state === 'disconnecting' || this.state === 'disconnected') return;
    const err = new ProviderClosedError(this.providerLabel, code, cleanReason, 'session');
    this.state = 'error';
    this.emitRtvi('error', { error: err.message, message: err.message, fatal: true, code, reason: cleanReason }, { sourceFrameIds });
    queueMicrotask(() => {
      if (this.state === 'error') void this._disconnect();
    });
  }

  /** A non-fatal (or fatal) problem reported as an RTVI `error` message. */
  protected emitError(message: string, fatal: boolean, sourceFrameIds: number[] = [], extra: Record<string, unknown> = {}): void {
    const text = this.scrubber.scrubText(message);
    this.emitRtvi('error', { error: text, message: text, fatal, ...extra }, { sourceFrameIds });
  }

  /**
   * Queues bot audio for playback under an item id, and tells the text pacer how much audio the
   * item has, so text emitted with `spokenItemId` is released as this audio plays.
   */
  protected queueBotAudio(samples: ArrayBuffer | Int16Array, itemId: string): void {
    // Counted before queueing: the worklet manager transfers the buffer, detaching the samples.
    const count = samples instanceof Int16Array ? samples.length : samples.byteLength >> 1;
    if (this._mediaManager.bufferBotAudio(samples, itemId)) this._pacer.audioQueued(itemId, count);
    this.pollPacer();
  }

  /**
   * For adapters that stream an item's audio through the media manager themselves but know its
   * full length up front (Loopback): the pacer measures played against this total, so the item's
   * text is not released ahead of the audio while the rest is still arriving.
   */
  protected declareBotAudio(itemId: string, samples: number): void {
    this._pacer.audioQueued(itemId, samples);
    this.pollPacer();
  }

  /**
   * Emits an RTVI message through client-js (so callbacks and handlers run) and to the observer.
   * Spoken text tagged with `spokenItemId` waits for its audio to play.
   */
  protected emitRtvi(type: string, data: unknown, opts: Observed = {}): void {
    if (opts.spokenItemId !== undefined && (type === 'bot-tts-text' || type === 'bot-output') && data && typeof data === 'object') {
      // Scrubbed whole, as the provider sent it: the pacer releases word runs, and a secret split
      // across two releases would no longer match the scrubber.
      const d = this.scrubber.scrub(data) as Record<string, unknown>;
      if (type === 'bot-tts-text') {
        this._pacer.ttsText(opts.spokenItemId, typeof d.text === 'string' ? d.text : '', opts.sourceFrameIds);
        this.pollPacer();
        return;
      }
      if (d.will_be_spoken !== false) {
        this._pacer.output(opts.spokenItemId, d, opts.sourceFrameIds);
        this.pollPacer();
        return;
      }
    }
    this.emitNow(type, data, opts);
  }

  private emitNow(type: string, data: unknown, opts: Observed): void {
    const clean = this.scrubber.scrub(data);
    const at = opts.at ?? nowMs();
    this._observer?.onRtvi?.({ t: at - this._connectStartedAt, wall: Date.now() - (nowMs() - at), type, data: clean, sourceFrameIds: opts.sourceFrameIds ?? [] });
    this._emittingOwn = true;
    try {
      this._onMessage(new RTVIMessage(type, opts.unscrubbedForApp ? appCopy(data, clean) : clean, opts.messageId));
    } catch (e) {
      // A throwing app callback must not break the transport's own bookkeeping.
      console.warn('[RealTimeWebsocketTransport] message handler threw', errorMessage(e));
    } finally {
      this._emittingOwn = false;
    }
  }

  /** Reports one provider frame to the observer; returns its id for source linking. */
  protected reportFrame(direction: FrameDirection, type: string, bytes: number, payload: unknown, extra: { audio?: AudioSummary; malformed?: boolean } = {}): number {
    const id = ++this._frameSeq;
    if (!this._observer?.onFrame) return id;
    const t = nowMs() - this._connectStartedAt;
    const frame: FrameRecord = { id, t, wall: Date.now(), direction, type, bytes, payload: this.scrubber.scrub(payload), ...extra };
    this._observer.onFrame(frame);
    return id;
  }

  /** ms since the current connect() call, on the same clock as frame and RTVI stamps. */
  protected sinceConnect(at = nowMs()): number {
    return at - this._connectStartedAt;
  }

  // ---- function calls
  /** The provider asked for a function call: started + in-progress; the registered handler runs now. */
  protected beginFunctionCall(call: FunctionCallContext, sourceFrameIds: number[] = []): void {
    const timeoutMs = this._service_options.function_call_timeout_ms ?? DEFAULT_FUNCTION_CALL_TIMEOUT_MS;
    const pending: PendingFunctionCall = { ...call, sourceFrameIds, timer: undefined };
    pending.timer = setTimeout(() => this.finishFunctionCall(call.toolCallId, { error: 'timeout' }, 'timeout'), timeoutMs);
    this._pendingCalls.set(call.toolCallId, pending);
    this.emitRtvi('llm-function-call-started', { function_name: call.functionName }, { sourceFrameIds });
    this._currentCall = call;
    try {
      // The app's handler gets the real arguments; only the observer's (inspector's) copy is scrubbed.
      this.emitRtvi('llm-function-call-in-progress', { function_name: call.functionName, tool_call_id: call.toolCallId, arguments: call.arguments }, { sourceFrameIds, unscrubbedForApp: true });
    } finally {
      this._currentCall = null;
    }
  }

  /** The provider cancelled calls: stopped with `cancelled: true`, and any late result is dropped. */
  protected cancelFunctionCalls(ids: string[], sourceFrameIds: number[] = []): void {
    for (const id of ids) {
      const pending = this._pendingCalls.get(id);
      if (!pending) continue;
      clearTimeout(pending.timer);
      this._pendingCalls.delete(id);
      this._finishedCalls.add(id);
      this.emitRtvi('llm-function-call-stopped', { function_name: pending.functionName, tool_call_id: id, cancelled: true }, { sourceFrameIds });
    }
  }

  /** Handles messages every adapter treats alike. Returns true when the message was consumed. */
  protected routeCommonMessage(message: RTVIMessage): boolean {
    if (message.type !== 'llm-function-call-result') return false;
    const data = (message.data ?? {}) as { tool_call_id?: string; result?: unknown };
    if (typeof data.tool_call_id !== 'string') {
      this.emitError('Function call result without tool_call_id was ignored.', false);
      return true;
    }
    this.finishFunctionCall(data.tool_call_id, data.result, 'result');
    return true;
  }

  /** Answers a pending call exactly once; late answers after cancel or timeout are dropped. */
  protected finishFunctionCall(toolCallId: string, result: unknown, why: 'result' | 'timeout'): boolean {
    const pending = this._pendingCalls.get(toolCallId);
    if (!pending) {
      if (!this._finishedCalls.has(toolCallId)) this.emitError(`Result for unknown function call ${toolCallId} was ignored.`, false);
      return false;
    }
    clearTimeout(pending.timer);
    this._pendingCalls.delete(toolCallId);
    this._finishedCalls.add(toolCallId);
    if (this.state === 'ready') this.deliverFunctionCallResult(pending, result);
    if (this.state === 'ready' && !this.reportsAnsweredCallStopped()) return true;
    this.emitRtvi('llm-function-call-stopped', { function_name: pending.functionName, tool_call_id: toolCallId, cancelled: false, result, ...(why === 'timeout' ? { timed_out: true } : {}) });
    return true;
  }

  // ---------------------------------------------------------------- internals
  private onCapturedAudio(data: ArrayBuffer): void {
    if (this.state !== 'ready' && this.state !== 'connected') return;
    this.handleUserAudioStream(data);
  }

  private onPlaybackStarted(ev: PlaybackEvent): void {
    if (this._botSpeaking) return;
    this._botSpeaking = true;
    if (!this.reportsPlaybackAsSpeaking()) return;
    this.emitRtvi('bot-started-speaking', { item_id: ev.itemId, ...audioClock(ev) }, { at: ev.at });
  }

  /** Polls the player's per-item played samples while text waits for them; stops when none waits. */
  private pollPacer(): void {
    const tick = () => {
      const waiting = this._pacer.waitingItems;
      for (const id of waiting) this._pacer.played(id, this._mediaManager.playedSamples(id));
      if (this._pacer.waitingItems.length === 0 && this._pacerTimer !== undefined) {
        clearInterval(this._pacerTimer);
        this._pacerTimer = undefined;
      }
    };
    if (this._pacerTimer === undefined && this._pacer.waitingItems.length > 0) this._pacerTimer = setInterval(tick, PACER_POLL_MS);
  }

  private onPlaybackStopped(ev: PlaybackEvent): void {
    this.onBotAudioFinished(ev);
    // The item's remaining text goes out before bot-stopped-speaking when all its audio played.
    this._pacer.playbackStopped(ev.itemId, ev.playedSamples);
    if (!this._botSpeaking) return;
    this._botSpeaking = false;
    if (!this.reportsPlaybackAsSpeaking()) return;
    this.emitRtvi('bot-stopped-speaking', { item_id: ev.itemId, played_samples: ev.playedSamples, ...audioClock(ev) }, { at: ev.at });
  }

  protected get isBotSpeaking(): boolean {
    return this._botSpeaking;
  }

  private onLocalSpeech(started: boolean, ev: SpeechEvent): void {
    this._observer?.onRtvi?.({ t: ev.at - this._connectStartedAt, wall: Date.now() - (nowMs() - ev.at), type: started ? 'local-vad-started' : 'local-vad-stopped', data: {}, sourceFrameIds: [] });
    if (this.state !== 'ready' || !this.usesLocalVoiceActivity()) return;
    if (started === this._userSpeakingLocal) return;
    this._userSpeakingLocal = started;
    this.onLocalSpeechChanged(started, ev);
    this.emitRtvi(started ? 'user-started-speaking' : 'user-stopped-speaking', { source: 'local-vad' }, { at: ev.at });
  }

  /** Hook for adapters that react to the local detector (Loopback echoes the utterance). */
  protected onLocalSpeechChanged(_started: boolean, _ev: SpeechEvent): void {}

  private raceSetup<T>(p: Promise<T>): Promise<T> {
    const failure = this._setupFailure;
    if (!failure) return p;
    return Promise.race([p, failure.promise]);
  }

  private clearSetup(error: Error): void {
    clearTimeout(this._setupTimer);
    if (this._setupFailure && !this._setupFailure.settled) this._setupFailure.reject(error);
    this._ready?.reject(error);
    this._setupFailure = null;
  }

  private async teardown(): Promise<void> {
    for (const p of this._pendingCalls.values()) clearTimeout(p.timer);
    this._pendingCalls.clear();
    this._userSpeakingLocal = false;
    const wasSpeaking = this._botSpeaking;
    this._botSpeaking = false;
    try {
      await this.disconnectLLM();
    } catch (e) {
      console.warn('[RealTimeWebsocketTransport] disconnectLLM failed', this.scrubber.scrubText(errorMessage(e)));
    }
    try {
      // dispose(), not just disconnect(): device listeners and timers must not outlive the session.
      await this._mediaManager.dispose();
    } catch (e) {
      console.warn('[RealTimeWebsocketTransport] media disconnect failed', errorMessage(e));
    }
    clearInterval(this._pacerTimer);
    this._pacerTimer = undefined;
    // Text never heard because the session ended is reported as cut off, not as spoken.
    this._pacer.endAll();
    if (wasSpeaking && this.reportsPlaybackAsSpeaking()) this.emitRtvi('bot-stopped-speaking', { reason: 'disconnected' });
  }

  private toStartError(e: unknown): Error {
    if (e instanceof Error || isDomException(e)) {
      const err = e as Error;
      const clean = this.scrubber.scrubText(err.message);
      if (clean === err.message) return err;
      // DOMException's message is a read-only accessor: assigning it throws a TypeError in strict code.
      try {
        err.message = clean;
        if (err.message === clean) return err;
      } catch {
        /* read-only: rebuild below */
      }
      const copy = new TransportStartError(clean);
      copy.name = err.name;
      return copy;
    }
    return new TransportStartError(this.scrubber.scrubText(errorMessage(e)));
  }
}

function audioClock(ev: PlaybackEvent): { audio_clock_ms?: number } {
  return ev.audioClockMs === undefined ? {} : { audio_clock_ms: Math.round(ev.audioClockMs * 10) / 10 };
}

function nowMs(): number {
  return performance.now();
}

const ABORTED: AbortSignal = AbortSignal.abort();

/**
 * The app's handler reads the real values; anything that serialises the message (client-js logs
 * every RTVI message as JSON at debug level) gets the scrubbed copy through a hidden toJSON.
 */
function appCopy(data: unknown, clean: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return clean;
  return Object.defineProperty({ ...(data as Record<string, unknown>) }, 'toJSON', { value: () => clean, enumerable: false });
}

function isDomException(e: unknown): e is DOMException {
  return typeof DOMException === 'function' && e instanceof DOMException;
}

export type { RTVIEventCallbacks };
