import { TransportStartError, type RTVIMessage } from '@pipecat-ai/client-js';
import type {
  ConversationItem,
  RealtimeClientEvent,
  RealtimeErrorEvent,
  RealtimeResponseUsage,
  RealtimeServerEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import type { MediaFormat, MediaManager, PlaybackEvent, PlayedSamples } from '../../audio/media-manager.ts';
import { base64ToInt16, bytesToBase64, int16ToBase64, pcm16DurationMs } from '../../audio/pcm.ts';
import { BotOutputAggregator } from '../../rtvi/bot-output-aggregator.ts';
import { UserTranscriptAccumulator } from '../../rtvi/user-transcript-accumulator.ts';
import { deferred, type Deferred } from '../../transport/deferred.ts';
import { ProviderSocket, assertSecureEndpoint, utf8Length } from '../../transport/provider-socket.ts';
import { isOpenAIUnknownModel, unknownModelMessage } from '../../transport/unknown-model.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext, type ImageInput, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';
import { MissingKeyError, ProviderClosedError, errorMessage } from '../../transport/transport-errors.ts';
import { normalizeKey } from './openai-client-secret.ts';
import { summariseFrame } from './openai-frame-summary.ts';
import { openAIProfile, type OpenAIVendorProfile, type VendorAuthRequest } from './openai-vendor-profile.ts';
import { McpApprovalTracker } from './openai-mcp-approvals.ts';
import {
  OPENAI_DEFAULT_MODEL,
  OPENAI_BETWEEN_TURNS_KEYS,
  OPENAI_LIVE_KEYS,
  OPENAI_SAMPLE_RATE,
  buildSession,
  buildToolChoice,
  parseTools,
  settingForParam,
  interruptsOnSpeech,
  isPushToTalk,
  type OpenAIRealtimeSettings,
} from './openai-session-config.ts';

export interface OpenAIRealtimeServiceOptions extends LLMServiceOptions {
  settings?: OpenAIRealtimeSettings & Record<string, unknown>;
}

/** The server refuses a manual commit of less than this much audio (`input_audio_buffer_commit_empty`). */
export const MIN_COMMIT_MS = 100;
const LIVE_UPDATE_TIMEOUT_MS = 5_000;
/**
 * How long a new turn waits for the cancelled response's `response.done` before it goes out anyway.
 * The service keeps a cancelled response active until then (provider-protocols.md §E) and refuses
 * a `response.create` meanwhile (`conversation_already_has_active_response`).
 */
export const CANCEL_WAIT_MS = 2_500;
/** Countdown notices before the 60-minute session cap (seconds before expiry). */
const EXPIRY_NOTICES_S = [300, 60];

type ClientEvent = RealtimeClientEvent & { event_id?: string };

/** What the server said to one `session.update`. */
type UpdateAnswer = { ok: true } | { ok: false; code: string; message: string; param: string | null };

/** The truth about the last live settings change, field by field (the panel's Apply report). */
export interface SettingsUpdateOutcome {
  /** Confirmed by `session.updated` (or stored for the next Connect while disconnected). */
  applied: string[];
  /** Refused by the server or by validation; nothing of a refused update took effect. */
  failed: Array<{ key: string; reason: string }>;
  /** Allowed only between turns: sent when the current reply ends. */
  deferred: string[];
  /** Take effect on the next Connect. */
  needReconnect: string[];
}

interface ResponseCalls {
  done: boolean;
  continued: boolean;
  pending: Set<string>;
  total: number;
}

/**
 * OpenAI Realtime (GA interface) over a browser WebSocket. The model's audio is played by the
 * media manager under the assistant item's id, so a barge-in can tell the server exactly how much
 * of that item was heard (`conversation.item.truncate`), which OpenAI needs over WebSocket because
 * it cannot know what the client played.
 */
export class OpenAIRealtimeWebsocketTransport extends RealTimeWebsocketTransport {
  protected readonly providerName: string = 'OpenAI Realtime';
  /** What differs per OpenAI-compatible service (endpoint, auth, token route, session fields). */
  protected readonly profile: OpenAIVendorProfile = openAIProfile;
  declare protected _service_options: OpenAIRealtimeServiceOptions;

  private socket: ProviderSocket | null = null;
  private eventSeq = 0;
  private setupEventId: string | null = null;
  /** session.update event ids awaiting session.updated, oldest first (the server answers in order). */
  private pendingUpdates: Array<{ eventId: string; done?: Deferred<UpdateAnswer> }> = [];
  private activeResponseId: string | null = null;
  /** A `response.create` is on its way and no `response.created` (or refusal) has come back yet. */
  private createInFlight: string | null = null;
  /** The response (or `'pending'` for one still being created) that a `response.cancel` was sent for. */
  private cancelSentFor: string | null = null;
  private responseEndWaiters = new Set<() => void>();
  /** New turns run in order, each after the interruption before it has settled. */
  private turnChain: Promise<void> = Promise.resolve();
  private turnsQueued = 0;
  private sessionGen = 0;
  /** Between-turns-only settings waiting for the current reply to end. */
  private deferredSettings: Record<string, unknown> | null = null;
  /** The last live settings change, field by field. */
  lastSettingsOutcome: SettingsUpdateOutcome | null = null;
  private responseCalls = new Map<string, ResponseCalls>();
  private callResponse = new Map<string, string>();
  /** A follow-up response that had to wait for another response to finish. */
  private continueAfterActive = false;
  private playingItemId: string | null = null;
  /** Items whose late audio and text are dropped: someone owns their truncation (or it was sent). */
  private truncatedItems = new Set<string>();
  /** Responses a `response.cancel` went out for: their late deltas are dropped, whatever the item. */
  private droppedResponses = new Set<string>();
  /**
   * `interruptBot()` calls between `onInterruptStarted` and `onLocalInterrupt`, oldest first (the
   * player answers flushes in order): the item each must truncate once the played count is known.
   */
  private interruptsInFlight: Array<{ itemId: string | null; truncated: Deferred<void> }> = [];
  /** Items whose audio stream ended (`response.output_audio.done`): once played out, nothing is left to truncate. */
  private audioCompleteItems = new Set<string>();
  private audioProduced = false;
  private transcripts = new Map<string, UserTranscriptAccumulator>();
  private botOutput = new BotOutputAggregator();
  private botOutputItem: string | null = null;
  private pttHeld = false;
  private appendedMsSinceClear = 0;
  private expiryTimers: Array<ReturnType<typeof setTimeout>> = [];
  private model: string = OPENAI_DEFAULT_MODEL;
  private mcpApprovals = new McpApprovalTracker();
  private mcpAnswerSeq = 0;

  constructor(options: OpenAIRealtimeServiceOptions = {}, manager?: MediaManager) {
    super(options, manager);
  }

  // ------------------------------------------------------------------ adapter hooks
  initializeLLM(): void {}
  attachLLMListeners(): void {}

  protected override getMediaFormat(): MediaFormat {
    return { inputSampleRate: OPENAI_SAMPLE_RATE, outputSampleRate: OPENAI_SAMPLE_RATE, chunkMs: 20, acceptsVideo: false };
  }

  protected override validateBeforeConnect(): void {
    const key = normalizeKey(this._service_options.api_key, this.providerName);
    if (!key) throw new MissingKeyError(this.providerName);
    if (!this.endpoint) throw new Error(`${this.providerName} needs an Endpoint URL (Settings → Advanced settings).`);
    assertSecureEndpoint(this.endpoint, this.providerName);
    this.profile.checkEndpoint?.(this.endpoint);
    buildSession(this.settings);
  }

  protected override usesLocalVoiceActivity(): boolean {
    return isPushToTalk(this.settings);
  }

  async connectLLM(): Promise<void> {
    this.resetSessionState();
    const settings = this.settings;
    const key = normalizeKey(this._service_options.api_key, this.providerName);
    this.scrubber.add(key);
    this.model = (typeof settings.model === 'string' && settings.model.trim()) || this._service_options.model?.trim() || this.profile.defaultModel;
    const session = buildSession(settings);
    const plan = await this.profile.authorize({
      endpoint: this.endpoint,
      key,
      model: this.model,
      session: this.profile.shapeSession(session, this.settings),
      settings: this.settings as VendorAuthRequest['settings'],
      signal: this.connectSignal,
    });
    for (const m of plan.minted) this.scrubber.add(m);
    const socket = new ProviderSocket({
      onMessage: (m) => this.onSocketMessage(m.text, m.bytes, m.binary),
      onClose: (code, reason) => this.onSocketClose(code, reason),
    });
    this.socket = socket;
    try {
      await socket.open(plan.url, plan.protocols, this.connectSignal);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number') throw new ProviderClosedError(this.providerName, code, String((e as { reason?: unknown }).reason ?? ''), 'setup');
      throw new TransportStartError(`Could not open the ${this.providerName} WebSocket: ${errorMessage(e)}`);
    }
    this.setupEventId = this.sendSessionUpdate(session);
    for (const m of this._service_options.initial_messages ?? []) this.send({ type: 'conversation.item.create', item: messageItem(m.role, m.content) });
  }

  async sendReadyMessage(): Promise<void> {
    await this.waitUntilReady();
  }

  async disconnectLLM(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'OK');
    for (const u of this.pendingUpdates) u.done?.resolve({ ok: false, code: 'disconnected', message: 'the session ended', param: null });
    this.resetSessionState();
  }

  handleUserAudioStream(data: ArrayBuffer): void {
    if (!this.socket?.isOpen) return;
    // With manual turns the buffer only holds what the user meant to say.
    if (isPushToTalk(this.settings) && !this.pttHeld) return;
    // PCM16 is whole samples: a stray odd byte (a producer's bug) is dropped rather than thrown on.
    const samples = new Int16Array(data, 0, data.byteLength >> 1);
    if (samples.length === 0) return;
    this.appendedMsSinceClear += pcm16DurationMs(samples.byteLength, OPENAI_SAMPLE_RATE);
    this.send({ type: 'input_audio_buffer.append', audio: int16ToBase64(samples) });
  }

  sendMessage(message: RTVIMessage): void {
    if (this.routeCommonMessage(message)) return;
    const data = (message.data ?? {}) as Record<string, unknown>;
    switch (message.type) {
      case 'send-text': {
        const content = typeof data.content === 'string' ? data.content : '';
        const options = (data.options ?? {}) as { run_immediately?: boolean; audio_response?: boolean };
        if (!content.trim()) {
          this.emitError('send-text needs non-empty content.', false);
          return;
        }
        if (this.botIsReplying) this.queueInterruption();
        this.runTurn(() => {
          this.send({ type: 'conversation.item.create', item: messageItem('user', content) });
          if (options.run_immediately !== false) this.requestResponse(options.audio_response === false ? { output_modalities: ['text'] } : undefined);
        });
        return;
      }
      case 'append-to-context': {
        const role = typeof data.role === 'string' ? data.role : 'user';
        const content = typeof data.content === 'string' ? data.content : JSON.stringify(data.content ?? '');
        this.send({ type: 'conversation.item.create', item: messageItem(role, content) });
        if (data.run_immediately) this.requestResponse();
        return;
      }
      case 'client-message': {
        const t = typeof data.t === 'string' ? data.t : '?';
        if (t === MCP_APPROVAL_MESSAGE) {
          this.answerMcpApproval((data.d ?? {}) as Record<string, unknown>);
          return;
        }
        this.emitError(`${this.providerName} has no channel for client messages; "${t}" was not sent.`, false, [], { unsupported: 'client-message' });
        return;
      }
      case 'disconnect-bot':
        return;
      default:
        this.emitError(`${this.providerName} does not support the RTVI message "${message.type}".`, false, [], { unsupported: message.type });
    }
  }

  /**
   * A user message item with one `input_image` part: base64 bytes as a data URI, PNG or JPEG
   * (RealtimeConversationItemUserMessage.Content.image_url in openai/resources/realtime). It adds the
   * image to the conversation without asking for a response: the user's next turn refers to it.
   */
  protected override deliverImage(image: ImageInput): boolean {
    if (!this.profile.acceptsImages) {
      this.emitError(`${this.providerName} takes no images over its realtime API (its documentation describes audio and text input only): the screenshot was not sent.`, false);
      return false;
    }
    if (!this.socket?.isOpen) {
      this.emitError('Connect first: there is no session to send the image to.', false);
      return false;
    }
    const imageUrl = `data:${image.mimeType};base64,${bytesToBase64(image.data)}`;
    this.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: imageUrl }] } });
    return true;
  }

  // ------------------------------------------------------------------ manual turns, interrupt, live settings
  override startUserTurn(): void {
    if (!this.socket?.isOpen) return;
    if (!isPushToTalk(this.settings)) {
      this.emitError('Push to talk needs "Turn detection" set to Push to talk.', false);
      return;
    }
    if (this.botIsReplying) this.queueInterruption();
    this.pttHeld = true;
    this.appendedMsSinceClear = 0;
    this.send({ type: 'input_audio_buffer.clear' });
  }

  override endUserTurn(): void {
    if (!this.pttHeld) return;
    this.pttHeld = false;
    if (!this.socket?.isOpen) return;
    const ms = Math.round(this.appendedMsSinceClear);
    if (ms < MIN_COMMIT_MS) {
      this.emitError(`Push-to-talk turn too short (${ms} ms of audio; at least ${MIN_COMMIT_MS} ms is needed). Nothing was sent.`, false, [], { notice: 'turn_too_short', audio_ms: ms });
      return;
    }
    this.runTurn(() => {
      this.send({ type: 'input_audio_buffer.commit' });
      this.requestResponse();
    });
  }

  private get botIsReplying(): boolean {
    return this.isBotSpeaking || this.responseActive || this._mediaManager.isBotAudioActive;
  }

  /** The server holds a response (or is about to: our `response.create` is in flight). */
  private get responseActive(): boolean {
    return this.activeResponseId !== null || this.createInFlight !== null;
  }

  /**
   * The user takes the turn while the bot replies. Order matters to the service: the cancel goes
   * out at once; the truncation (what the user really heard) follows as soon as the player says
   * what it played, and before anything of the new turn, so the new reply is not generated with
   * unheard text in context; the new turn's `response.create` waits for the cancelled
   * `response.done`, since the response stays active until then (bounded by CANCEL_WAIT_MS).
   */
  private queueInterruption(): void {
    const cancelling = this.cancelActiveResponse();
    const itemId = this.claimPlayingItem();
    const truncated = this._mediaManager.interrupt().then((played) => {
      if (itemId) this.truncatePlayingItem(played, itemId);
    });
    this.holdTurns(truncated, cancelling);
  }

  /**
   * The playing item, now marked so its late deltas are dropped, for the caller to truncate; null
   * when nothing plays or another interruption already owns its truncation (one truncate per item).
   */
  private claimPlayingItem(): string | null {
    const itemId = this.playingItemId;
    if (!itemId || this.truncatedItems.has(itemId)) return null;
    this.truncatedItems.add(itemId);
    // What the aggregator holds of the item is cut here; the pacer reports how much was heard.
    if (this.botOutputItem === itemId) this.flushBotOutput(itemId, 'in-progress');
    return itemId;
  }

  /** New turns wait for this interruption's truncate and for the cancelled response's end. */
  private holdTurns(truncated: Promise<void>, cancelling: boolean): void {
    const ended = cancelling ? this.waitForResponseEnd(CANCEL_WAIT_MS) : Promise.resolve();
    // A player that fails to report must not block every later turn: the turn goes out regardless.
    const gate = Promise.all([truncated, ended]).then(
      () => undefined,
      (e: unknown) => this.emitError(`Interrupting playback failed: ${errorMessage(e)}; the new turn goes out anyway.`, false),
    );
    this.turnsQueued++;
    this.turnChain = this.turnChain.then(() => gate).finally(() => this.turnsQueued--);
  }

  /** Runs a turn's sends now, or after the interruptions queued before it. */
  private runTurn(action: () => void): void {
    if (this.turnsQueued === 0) {
      action();
      return;
    }
    const gen = this.sessionGen;
    this.turnsQueued++;
    this.turnChain = this.turnChain
      .then(() => {
        if (gen === this.sessionGen && this.socket?.isOpen) action();
      })
      .catch((e: unknown) => this.emitError(`Could not start the new turn: ${errorMessage(e)}`, false))
      .finally(() => this.turnsQueued--);
  }

  /** One `response.cancel` per response: a second press while the first is pending sends nothing. */
  private cancelActiveResponse(): boolean {
    if (!this.socket?.isOpen || !this.responseActive) return false;
    const target = this.activeResponseId ?? 'pending';
    if (this.cancelSentFor === target) return true;
    this.cancelSentFor = target;
    if (this.activeResponseId) this.droppedResponses.add(this.activeResponseId);
    this.send({ type: 'response.cancel' });
    return true;
  }

  private waitForResponseEnd(timeoutMs: number): Promise<void> {
    if (!this.responseActive) return Promise.resolve();
    const gen = this.sessionGen;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.responseEndWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        if (gen === this.sessionGen) {
          this.emitInfo('cancel_wait_timeout', `No response.done came within ${timeoutMs} ms of response.cancel; the new turn was sent anyway (the server may refuse it while the old reply is active).`);
        }
        done();
      }, timeoutMs);
      this.responseEndWaiters.add(done);
    });
  }

  private settleResponseEndWaiters(): void {
    if (this.responseActive) return;
    for (const w of [...this.responseEndWaiters]) w();
  }

  /**
   * The Interrupt button, before the player has answered (it can take ~150 ms): the cancel goes out
   * now and the reply's late audio and text are dropped from here on. The truncate needs the played
   * position and follows in `onLocalInterrupt`; new turns wait for it.
   */
  protected override onInterruptStarted(): void {
    const cancelling = this.cancelActiveResponse();
    const itemId = this.claimPlayingItem();
    // A text reply being cancelled has no playing item: what it said so far is cut here too.
    if (cancelling && this.botOutputItem) this.flushBotOutput(this.botOutputItem, 'in-progress');
    const truncated = deferred<void>();
    this.interruptsInFlight.push({ itemId, truncated });
    // A slow player must not hold every later turn (its flush still settles: the media manager
    // bounds its wait for the worklet, and the entry is taken then).
    const timer = setTimeout(() => truncated.resolve(), CANCEL_WAIT_MS);
    void truncated.promise.then(() => clearTimeout(timer));
    this.holdTurns(truncated.promise, cancelling);
  }

  protected override onLocalInterrupt(played: PlayedSamples): void {
    const entry = this.interruptsInFlight.shift();
    if (!entry) {
      // Reached without onInterruptStarted (a subclass or an older caller): do it all now.
      this.cancelActiveResponse();
      const itemId = this.claimPlayingItem();
      if (itemId) this.truncatePlayingItem(played, itemId);
      return;
    }
    if (entry.itemId) this.truncatePlayingItem(played, entry.itemId);
    entry.truncated.resolve();
  }

  /**
   * A live settings change. The adapter's own view of the session (push-to-talk, voice, …) changes
   * only when the server confirms it with `session.updated`: a refused update leaves both sides as
   * they were, and the outcome says which field failed and why (`lastSettingsOutcome`). Fields the
   * API allows only between turns wait for the current reply to end. Returns the keys that need a
   * reconnect (the base class contract).
   */
  override async updateSettings(settings: Record<string, unknown>): Promise<string[]> {
    const before = { ...this.settings };
    const changed = Object.keys(settings).filter((k) => JSON.stringify(before[k as keyof OpenAIRealtimeSettings]) !== JSON.stringify(settings[k]));
    if (!this.socket?.isOpen || this.setupEventId === null) {
      this._service_options.settings = { ...before, ...settings };
      this.lastSettingsOutcome = { applied: changed, failed: [], deferred: [], needReconnect: [] };
      return [];
    }
    const reconnect = changed.filter((k) => !OPENAI_LIVE_KEYS.has(k) || (k === 'voice' && this.audioProduced));
    // Settings that only matter on the next Connect are kept for it at once.
    this._service_options.settings = { ...before, ...pick(settings, reconnect) };
    if (reconnect.includes('voice')) {
      this.emitError('The voice cannot change after the model has spoken in this session; it applies on the next Connect.', false, [], { notice: 'voice_locked' });
    }
    const live = changed.filter((k) => !reconnect.includes(k));
    const held = this.responseActive ? live.filter((k) => OPENAI_BETWEEN_TURNS_KEYS.has(k)) : [];
    const now = live.filter((k) => !held.includes(k));
    if (held.length) this.deferredSettings = { ...(this.deferredSettings ?? {}), ...pick(settings, held) };
    const outcome: SettingsUpdateOutcome = { applied: [], failed: [], deferred: held, needReconnect: reconnect };
    this.lastSettingsOutcome = outcome;
    if (now.length) {
      const result = await this.applyLive(pick(settings, now));
      outcome.applied = result.applied;
      outcome.failed = result.failed;
      outcome.needReconnect = [...reconnect, ...result.needReconnect];
    }
    return outcome.needReconnect;
  }

  /** Sends one session.update for these (changed, live) settings and commits them only on session.updated. */
  private async applyLive(values: Record<string, unknown>): Promise<{ applied: string[]; failed: SettingsUpdateOutcome['failed']; needReconnect: string[] }> {
    const keys = Object.keys(values);
    const candidate = { ...this.settings, ...values } as OpenAIRealtimeSettings;
    let session: RealtimeSessionCreateRequest;
    try {
      session = buildSession(candidate, { includeVoice: keys.includes('voice') && !this.audioProduced, includeTracing: false });
    } catch (e) {
      const reason = errorMessage(e);
      this.emitError(`Settings not applied: ${reason}`, false, [], { notice: 'settings_rejected' });
      return { applied: [], failed: keys.map((key) => ({ key, reason })), needReconnect: [] };
    }
    const done = deferred<UpdateAnswer>();
    const gen = this.sessionGen;
    this.sendSessionUpdate(session, done);
    const timer = setTimeout(() => done.resolve({ ok: false, code: 'timeout', message: `no answer within ${LIVE_UPDATE_TIMEOUT_MS / 1000} s`, param: null }), LIVE_UPDATE_TIMEOUT_MS);
    const answer = await done.promise;
    clearTimeout(timer);
    if (gen !== this.sessionGen) return { applied: [], failed: keys.map((key) => ({ key, reason: 'the session ended before the server answered' })), needReconnect: [] };
    if (answer.ok) {
      this._service_options.settings = { ...this.settings, ...values };
      return { applied: keys, failed: [], needReconnect: [] };
    }
    // The server refuses an update whole. The error names the culprit by `param`, or (the voice
    // lock, whose `param` is null in users' captures) only by its code.
    const culprit = answer.code === 'cannot_update_voice' ? 'voice' : settingForParam(answer.param);
    const needReconnect: string[] = [];
    if (answer.code === 'cannot_update_voice') {
      this.audioProduced = true;
      needReconnect.push('voice');
    }
    const failed = keys.map((key) => ({
      key,
      reason: key === culprit || (culprit === null && keys.length === 1) ? `${answer.message} (${answer.code})` : `refused with ${culprit ?? 'the rest of the update'}`,
    }));
    this.emitError(
      `Settings not applied: the server refused the update (${answer.code}${answer.param ? `, ${answer.param}` : ''}): ${this.scrubber.scrubText(answer.message)} Not applied: ${keys.join(', ')}.${needReconnect.length ? ' The voice applies on the next Connect.' : ''}`,
      false,
      [],
      { notice: 'settings_rejected', failed },
    );
    return { applied: [], failed, needReconnect };
  }

  /** Sends the between-turns settings held back during a reply, once no reply is active. */
  private flushDeferredSettings(): void {
    if (!this.deferredSettings || this.responseActive || !this.socket?.isOpen) return;
    const values = this.deferredSettings;
    this.deferredSettings = null;
    void this.applyLive(values).then((r) => {
      if (r.applied.length) this.emitInfo('settings_applied', `Applied after the reply ended: ${r.applied.join(', ')}.`);
    });
  }

  protected override onBotAudioFinished(ev: PlaybackEvent): void {
    if (ev.itemId === this.playingItemId && this.audioCompleteItems.has(ev.itemId) && !this._mediaManager.isBotAudioActive) this.playingItemId = null;
  }

  // ------------------------------------------------------------------ function calls
  protected override deliverFunctionCallResult(call: FunctionCallContext, result: unknown): void {
    this.sendFunctionOutput(call.toolCallId, result);
  }

  private sendFunctionOutput(callId: string, result: unknown): void {
    let output: string;
    try {
      output = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    } catch (e) {
      output = JSON.stringify({ error: `result could not be serialised: ${errorMessage(e)}` });
    }
    this.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
    const responseId = this.callResponse.get(callId);
    this.callResponse.delete(callId);
    if (!responseId) return;
    const entry = this.responseCalls.get(responseId);
    entry?.pending.delete(callId);
    this.maybeContinue(responseId);
  }

  /** One `response.create` per response with calls, once it is done and every call is answered. */
  private maybeContinue(responseId: string): void {
    const entry = this.responseCalls.get(responseId);
    if (!entry || !entry.done || entry.continued || entry.pending.size > 0 || entry.total === 0) return;
    entry.continued = true;
    this.responseCalls.delete(responseId);
    if (this.responseActive) {
      this.continueAfterActive = true;
      return;
    }
    this.requestResponse(this.followUpResponse());
  }

  /**
   * The response after tool results. A session whose tool_choice forces a call (`required` or a
   * named function) would force another call on every follow-up, an endless billed loop (users'
   * reports: livekit/agents#1145, davidmigloz/langchain_dart#696); the response-level
   * `tool_choice` (SDK `RealtimeResponseCreateParams.tool_choice`) lets this one answer.
   */
  private followUpResponse(): { tool_choice: 'auto' } | undefined {
    let choice: ReturnType<typeof buildToolChoice>;
    try {
      choice = buildToolChoice(this.settings.tool_choice, parseTools(this.settings.tools));
    } catch {
      return undefined;
    }
    return choice === 'auto' || choice === 'none' ? undefined : { tool_choice: 'auto' };
  }

  // ------------------------------------------------------------------ MCP tools
  private onMcpApprovalRequest(responseId: string, item: { id?: string; name?: string; server_label?: string; arguments?: string }, id: number): void {
    if (typeof item.id !== 'string' || !item.id) throw new Error('mcp_approval_request item has no "id"; it cannot be answered');
    this.mcpApprovals.onApprovalRequest(responseId, item.id);
    this.emitRtvi(
      'server-message',
      { type: 'mcp-approval-request', approval_request_id: item.id, server_label: item.server_label ?? '', name: item.name ?? '', arguments: item.arguments ?? '' },
      { sourceFrameIds: [id] },
    );
  }

  /** `{approval_request_id, approve, reason?}` from the app (RTVI client-message `mcp-approval-response`). */
  private answerMcpApproval(d: Record<string, unknown>): void {
    const requestId = d.approval_request_id;
    if (typeof requestId !== 'string' || typeof d.approve !== 'boolean') {
      this.emitError('An MCP approval needs {approval_request_id: string, approve: boolean}.', false);
      return;
    }
    if (!this.socket?.isOpen) {
      this.emitError('The MCP approval was not sent: no session is open.', false);
      return;
    }
    const responseId = this.mcpApprovals.onAnswer(requestId, d.approve);
    if (!responseId) {
      this.emitError(`No MCP approval request ${requestId} is waiting for an answer.`, false);
      return;
    }
    const item: ConversationItem = { type: 'mcp_approval_response', id: `mcpa_${++this.mcpAnswerSeq}_${Date.now().toString(36)}`, approval_request_id: requestId, approve: d.approve };
    if (typeof d.reason === 'string' && d.reason.trim()) item.reason = d.reason.trim();
    this.send({ type: 'conversation.item.create', item });
    this.emitRtvi('server-message', { type: 'mcp-approval-response', approval_request_id: requestId, approve: d.approve });
    this.continueAfterMcp(responseId);
  }

  /** The answer after approvals: once the response is done, every request answered and every approved call finished. */
  private continueAfterMcp(responseId: string): void {
    if (!this.mcpApprovals.takeReady(responseId)) return;
    if (this.responseActive) this.continueAfterActive = true;
    else this.requestResponse();
  }

  private onItemDone(item: ConversationItem | undefined, id: number): void {
    if (!item) return;
    if (item.type === 'mcp_call' && (item.output != null || item.error != null)) {
      this.emitRtvi(
        'server-message',
        { type: 'mcp-call', item_id: item.id, server_label: item.server_label, name: item.name, arguments: item.arguments, output: item.output ?? null, error: item.error ?? null, approval_request_id: item.approval_request_id ?? null },
        { sourceFrameIds: [id] },
      );
    } else if (item.type === 'mcp_list_tools') {
      this.emitRtvi('server-message', { type: 'mcp-list-tools', server_label: item.server_label, tools: (item.tools ?? []).map((t) => t.name) }, { sourceFrameIds: [id] });
    }
  }

  // ------------------------------------------------------------------ wire
  private get settings(): OpenAIRealtimeSettings {
    const s = (this._service_options.settings ?? {}) as OpenAIRealtimeSettings;
    // The model decides which tuning fields are sent (openai-model-capabilities.ts).
    return s.model || !this._service_options.model ? s : { ...s, model: this._service_options.model };
  }

  private get endpoint(): string {
    return this._service_options.endpoint?.trim() || this.profile.defaultEndpoint || '';
  }

  private nextEventId(): string {
    return `evt_client_${++this.eventSeq}`;
  }

  /** Sends a client event with its event_id and reports it; returns the event_id. */
  private send(event: ClientEvent): string {
    const eventId = event.event_id ?? this.nextEventId();
    const full = { ...event, event_id: eventId };
    const text = JSON.stringify(full);
    const { payload, audio } = summariseFrame(full as unknown as Record<string, unknown>);
    if (!this.socket?.send(text)) {
      this.reportFrame('out', full.type, 0, { dropped: 'socket not open', event: payload });
      return eventId;
    }
    this.reportFrame('out', full.type, utf8Length(text), payload, audio ? { audio } : {});
    return eventId;
  }

  private sendSessionUpdate(session: RealtimeSessionCreateRequest, done?: Deferred<UpdateAnswer>): string {
    const eventId = this.send({ type: 'session.update', session: this.profile.shapeSession(session, this.settings) as unknown as RealtimeSessionCreateRequest });
    this.pendingUpdates.push({ eventId, done });
    return eventId;
  }

  private requestResponse(response?: { output_modalities?: Array<'text' | 'audio'>; tool_choice?: 'auto' }): void {
    this.createInFlight = this.send(response ? { type: 'response.create', response } : { type: 'response.create' });
  }

  /** A harmless, informative server-message row (not an error alert). */
  private emitInfo(code: string, message: string, sourceFrameIds: number[] = []): void {
    this.emitRtvi('server-message', { type: 'info', code, message }, { sourceFrameIds });
  }

  private onSocketClose(code: number, reason: string): void {
    const id = this.reportFrame('in', 'close', 0, { code, reason });
    this.socket = null;
    this.clearExpiryTimers();
    this.endResponseTracking();
    this.handleSocketClosed(code, reason, [id]);
  }

  private onSocketMessage(text: string, bytes: number, binary: boolean): void {
    let event: RealtimeServerEvent | undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') event = parsed as RealtimeServerEvent;
    } catch {
      event = undefined;
    }
    if (!event) {
      const id = this.reportFrame('in', binary ? 'binary' : 'malformed', bytes, { excerpt: text.slice(0, 500) }, { malformed: true });
      this.emitError(`${this.providerName} sent a frame that is not a JSON event; it was ignored.`, false, [id]);
      return;
    }
    const { payload, audio } = summariseFrame(event as unknown as Record<string, unknown>);
    const id = this.reportFrame('in', event.type, bytes, payload, audio ? { audio } : {});
    try {
      this.handleServerEvent(event, id);
    } catch (e) {
      this.emitError(`Could not handle ${event.type}: ${errorMessage(e)}`, false, [id]);
    }
  }

  private handleServerEvent(ev: RealtimeServerEvent, id: number): void {
    const src = { sourceFrameIds: [id] };
    switch (ev.type) {
      case 'session.created':
        this.scheduleExpiry(ev.session as { expires_at?: number }, id);
        return;
      case 'session.updated': {
        const update = this.pendingUpdates.shift();
        update?.done?.resolve({ ok: true });
        if (update && update.eventId === this.setupEventId) this.markReady([id]);
        return;
      }
      case 'error':
        this.onServerError(ev, id);
        return;
      case 'input_audio_buffer.speech_started':
        this.emitRtvi('user-started-speaking', { source: 'server-vad', item_id: ev.item_id, audio_start_ms: ev.audio_start_ms }, src);
        if (interruptsOnSpeech(this.settings)) void this.bargeIn();
        return;
      case 'input_audio_buffer.speech_stopped':
        this.emitRtvi('user-stopped-speaking', { source: 'server-vad', item_id: ev.item_id, audio_end_ms: ev.audio_end_ms }, src);
        return;
      case 'conversation.item.input_audio_transcription.delta': {
        requireStrings(ev, 'item_id', 'delta');
        const update = this.transcriptFor(ev.item_id).append(ev.delta ?? '');
        if (update) this.emitTranscript(update.text, false, ev.item_id, id);
        return;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        requireStrings(ev, 'item_id');
        if (ev.transcript !== undefined && ev.transcript !== null) requireStrings(ev, 'transcript');
        const update = this.transcriptFor(ev.item_id).finish(ev.transcript);
        this.transcripts.delete(ev.item_id);
        if (update) this.emitTranscript(update.text, true, ev.item_id, id);
        return;
      }
      case 'conversation.item.input_audio_transcription.failed':
        this.transcripts.delete(ev.item_id);
        this.emitError(`Transcription of what you said failed: ${ev.error?.message ?? ev.error?.code ?? 'unknown reason'}`, false, [id], { code: ev.error?.code });
        return;
      case 'response.created':
        this.activeResponseId = ev.response.id ?? null;
        this.createInFlight = null;
        if (this.cancelSentFor === 'pending') {
          this.cancelSentFor = this.activeResponseId;
          // The cancel went out after our response.create: it stops this response.
          if (this.activeResponseId) this.droppedResponses.add(this.activeResponseId);
        }
        this.emitRtvi('bot-llm-started', { response_id: ev.response.id }, src);
        return;
      case 'response.output_audio.delta':
        requireStrings(ev, 'item_id', 'delta');
        this.onAudioDelta(ev.item_id, ev.delta, ev.response_id);
        return;
      case 'response.output_audio.done':
        this.audioCompleteItems.add(ev.item_id);
        return;
      case 'response.output_audio_transcript.delta':
        requireStrings(ev, 'item_id', 'delta');
        if (this.truncatedItems.has(ev.item_id) || this.droppedResponses.has(ev.response_id)) return;
        this.emitRtvi('bot-tts-text', { text: ev.delta }, { ...src, spokenItemId: ev.item_id });
        this.pushBotOutput(ev.item_id, ev.delta, id);
        return;
      case 'response.output_audio_transcript.done':
      case 'response.output_text.done':
        this.flushBotOutput(ev.item_id, this.truncatedItems.has(ev.item_id) ? 'in-progress' : 'completed', id);
        return;
      case 'response.output_text.delta':
        requireStrings(ev, 'item_id', 'delta');
        if (this.droppedResponses.has(ev.response_id)) return;
        this.emitRtvi('bot-llm-text', { text: ev.delta }, src);
        this.pushBotOutput(ev.item_id, ev.delta, id);
        return;
      case 'response.function_call_arguments.done':
        // Ids and the name go back to the server and to app handlers verbatim.
        requireStrings(ev, 'response_id', 'call_id', 'name');
        if (ev.arguments !== undefined && ev.arguments !== null) requireStrings(ev, 'arguments');
        this.onFunctionCall(ev.response_id, ev.call_id, ev.name, ev.arguments, id);
        return;
      case 'response.done':
        this.onResponseDone(ev.response, id);
        return;
      case 'response.output_item.done':
        if (ev.item?.type === 'mcp_approval_request') this.onMcpApprovalRequest(ev.response_id, ev.item, id);
        return;
      case 'response.mcp_call_arguments.done':
        requireStrings(ev, 'response_id', 'item_id');
        this.mcpApprovals.onCallArguments(ev.response_id, ev.item_id);
        return;
      case 'response.mcp_call.completed':
      case 'response.mcp_call.failed': {
        const responseId = this.mcpApprovals.onCallSettled(ev.item_id);
        if (responseId) this.continueAfterMcp(responseId);
        return;
      }
      case 'conversation.item.done':
        this.onItemDone(ev.item, id);
        return;
      case 'mcp_list_tools.failed':
        this.emitError(`${this.providerName} could not list the MCP server's tools (item ${ev.item_id}); its tools are unavailable.`, false, [id], { code: 'mcp_list_tools_failed' });
        return;
      case 'input_audio_buffer.timeout_triggered':
        // SDK `InputAudioBufferTimeoutTriggered`: the silence is committed and a response follows.
        this.emitRtvi('server-message', { type: 'idle-timeout', item_id: ev.item_id, audio_start_ms: ev.audio_start_ms, audio_end_ms: ev.audio_end_ms }, src);
        return;
      case 'rate_limits.updated':
        this.emitRtvi('server-message', { type: 'rate_limits', rate_limits: ev.rate_limits }, src);
        return;
      default:
        return;
    }
  }

  private onServerError(ev: RealtimeErrorEvent, id: number): void {
    const err = ev.error ?? ({} as RealtimeErrorEvent['error']);
    const code = err.code ?? err.type ?? 'error';
    const message = err.message ?? 'no message';
    const culprit = err.event_id ?? null;
    if (culprit) {
      const idx = this.pendingUpdates.findIndex((u) => u.eventId === culprit);
      if (idx >= 0) {
        const [update] = this.pendingUpdates.splice(idx, 1);
        if (culprit === this.setupEventId && this.isSettingUp) {
          update.done?.resolve({ ok: false, code, message, param: err.param ?? null });
          this.failSetup(new TransportStartError(`${this.providerName} rejected the session settings (${code}${err.param ? `, ${err.param}` : ''}): ${this.scrubber.scrubText(message)}`));
          return;
        }
        if (update.done) {
          // The Apply path reports it, field by field; the frame stays in the log.
          update.done.resolve({ ok: false, code, message, param: err.param ?? null });
          return;
        }
      }
      if (culprit === this.createInFlight) {
        this.createInFlight = null;
        if (this.cancelSentFor === 'pending') this.cancelSentFor = null;
        this.settleResponseEndWaiters();
      }
    }
    if (code === 'response_cancel_not_active') {
      // Harmless: the reply had already ended when the cancel arrived. The server says nothing is
      // active, so nothing is waited for any more.
      this.endResponseTracking();
      this.emitInfo(code, `Nothing to cancel: the reply had already ended (${message}).`, [id]);
      return;
    }
    this.emitError(`${this.providerName} error (${code}): ${message}`, false, [id], { code, type: err.type, param: err.param ?? null, event_id: culprit });
  }

  private onAudioDelta(itemId: string, delta: string, responseId: string | undefined): void {
    if (this.truncatedItems.has(itemId) || (responseId && this.droppedResponses.has(responseId)) || !delta) return;
    // Decode first: audio that is not base64 must not mark the item as playing (a barge-in would truncate it).
    const samples = base64ToInt16(delta);
    this.audioProduced = true;
    this.playingItemId = itemId;
    this.queueBotAudio(samples, itemId);
  }

  /** Server VAD heard the user while the bot may be talking: silence it and tell the server what was heard. */
  private async bargeIn(): Promise<void> {
    // Mark first: deltas still in flight for this item must not restart playback.
    const itemId = this.claimPlayingItem();
    if (!itemId) return;
    const played = await this._mediaManager.interrupt();
    this.truncatePlayingItem(played, itemId);
  }

  private truncatePlayingItem(played: PlayedSamples, itemId = this.playingItemId): void {
    if (!itemId) return;
    this.truncatedItems.add(itemId);
    if (this.playingItemId === itemId) this.playingItemId = null;
    const samples = played[itemId] ?? this._mediaManager.playedSamples(itemId);
    if (this.botOutputItem === itemId) this.flushBotOutput(itemId, 'in-progress');
    if (!this.socket?.isOpen) return;
    this.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.floor((samples * 1000) / OPENAI_SAMPLE_RATE) });
  }

  private onFunctionCall(responseId: string, callId: string, name: string, rawArgs: string, id: number): void {
    let entry = this.responseCalls.get(responseId);
    if (!entry) {
      entry = { done: false, continued: false, pending: new Set(), total: 0 };
      this.responseCalls.set(responseId, entry);
    }
    entry.total++;
    entry.pending.add(callId);
    this.callResponse.set(callId, responseId);
    let args: Record<string, unknown>;
    try {
      const parsed = rawArgs ? (JSON.parse(rawArgs) as unknown) : {};
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('arguments are not a JSON object');
      args = parsed as Record<string, unknown>;
    } catch (e) {
      this.emitError(`${this.providerName} called ${name} with arguments that are not a JSON object (${errorMessage(e)}); answered with an error.`, false, [id], { tool_call_id: callId });
      this.sendFunctionOutput(callId, { error: `invalid JSON arguments: ${errorMessage(e)}` });
      return;
    }
    this.beginFunctionCall({ toolCallId: callId, functionName: name, arguments: args }, [id]);
  }

  private onResponseDone(response: { id?: string; status?: string; status_details?: unknown; usage?: RealtimeResponseUsage }, id: number): void {
    const src = { sourceFrameIds: [id] };
    if (response.id && response.id === this.activeResponseId) this.activeResponseId = null;
    else if (!response.id) this.activeResponseId = null;
    if (!this.activeResponseId) this.cancelSentFor = null;
    this.emitRtvi('bot-llm-stopped', { response_id: response.id, status: response.status }, src);
    const usage = response.usage;
    if (usage) {
      const counts = [usage.input_tokens, usage.output_tokens, usage.total_tokens];
      if (counts.some((c) => c !== undefined && c !== null && !(typeof c === 'number' && Number.isFinite(c) && c >= 0))) {
        this.emitError(`${this.providerName} sent usage whose token counts are not numbers; no metrics for this response.`, false, [id]);
      } else {
        this.emitRtvi(
          'metrics',
          { tokens: [{ processor: 'openai-realtime', model: this.model, prompt_tokens: usage.input_tokens ?? 0, completion_tokens: usage.output_tokens ?? 0, total_tokens: usage.total_tokens ?? 0 }] },
          src,
        );
      }
    }
    if (response.status === 'failed') {
      const detail = (response.status_details as { error?: { code?: string; type?: string; message?: string } } | null)?.error;
      const why = detail?.code ?? detail?.type;
      this.emitError(`${this.providerName} reply failed${why ? ` (${why})` : ''}: ${detail?.message ? this.scrubber.scrubText(detail.message) : 'no details'}`, false, [id], { status: 'failed', reason: why ?? null });
    } else if (response.status === 'incomplete') {
      const reason = (response.status_details as { reason?: string } | null)?.reason ?? 'unknown';
      this.emitError(`${this.providerName} reply was cut short (incomplete: ${reason})${INCOMPLETE_HINTS[reason] ?? ''}.`, false, [id], { status: 'incomplete', reason });
    }
    if (response.id) {
      this.mcpApprovals.onResponseDone(response.id);
      this.continueAfterMcp(response.id);
      const entry = this.responseCalls.get(response.id);
      if (entry) {
        entry.done = true;
        this.maybeContinue(response.id);
      }
    }
    if (this.continueAfterActive && !this.responseActive) {
      this.continueAfterActive = false;
      this.requestResponse(this.followUpResponse());
    }
    this.settleResponseEndWaiters();
    this.flushDeferredSettings();
  }

  /** The socket is gone: nothing is active any more, and nobody waits for it. */
  private endResponseTracking(): void {
    this.activeResponseId = null;
    this.createInFlight = null;
    this.cancelSentFor = null;
    for (const w of [...this.responseEndWaiters]) w();
  }

  protected override unknownModelHint(code: number, reason: string): string | null {
    return isOpenAIUnknownModel(code, reason) ? unknownModelMessage(this.providerName, this.model, this.profile.defaultModel) : null;
  }

  // ------------------------------------------------------------------ RTVI text helpers
  private transcriptFor(itemId: string): UserTranscriptAccumulator {
    let acc = this.transcripts.get(itemId);
    if (!acc) {
      acc = new UserTranscriptAccumulator();
      this.transcripts.set(itemId, acc);
    }
    return acc;
  }

  private emitTranscript(text: string, final: boolean, itemId: string, id: number): void {
    this.emitRtvi('user-transcription', { text, final, timestamp: new Date().toISOString(), user_id: 'user', item_id: itemId }, { sourceFrameIds: [id] });
  }

  private pushBotOutput(itemId: string, delta: string, id: number): void {
    if (this.botOutputItem !== itemId) {
      if (this.botOutputItem) this.flushBotOutput(this.botOutputItem, 'completed', id);
      this.botOutputItem = itemId;
    }
    for (const seg of this.botOutput.push(delta)) this.emitBotOutput(seg, id, itemId);
  }

  private flushBotOutput(itemId: string, status: 'completed' | 'in-progress', id?: number): void {
    if (this.botOutputItem !== itemId) return;
    this.botOutputItem = null;
    const seg = this.botOutput.flush(status);
    if (seg) this.emitBotOutput(seg, id, itemId);
  }

  private emitBotOutput(seg: object, id: number | undefined, itemId: string): void {
    const spoken = this.settings.output_modality !== 'text';
    // Spoken sentences wait for their audio to play (the transport's pacer).
    this.emitRtvi('bot-output', spoken ? seg : { ...seg, spoken: false, will_be_spoken: false }, { sourceFrameIds: id === undefined ? [] : [id], spokenItemId: itemId });
  }

  // ------------------------------------------------------------------ session lifetime
  private scheduleExpiry(session: { expires_at?: number }, id: number): void {
    this.clearExpiryTimers();
    const expiresAt = session?.expires_at;
    if (typeof expiresAt !== 'number' || expiresAt <= 0) return;
    const notice = (src: number[]) => {
      const secondsLeft = Math.max(0, Math.round(expiresAt - Date.now() / 1000));
      this.emitRtvi('server-message', { type: 'session_expiry', expires_at: expiresAt, seconds_left: secondsLeft }, { sourceFrameIds: src });
    };
    notice([id]);
    for (const before of EXPIRY_NOTICES_S) {
      const delay = (expiresAt - before) * 1000 - Date.now();
      if (delay > 0 && delay < 2 ** 31 - 1) this.expiryTimers.push(setTimeout(() => notice([]), delay));
    }
  }

  private clearExpiryTimers(): void {
    for (const t of this.expiryTimers) clearTimeout(t);
    this.expiryTimers = [];
  }

  private resetSessionState(): void {
    this.clearExpiryTimers();
    this.sessionGen++;
    this.endResponseTracking();
    this.deferredSettings = null;
    this.setupEventId = null;
    this.pendingUpdates = [];
    this.activeResponseId = null;
    this.responseCalls.clear();
    this.callResponse.clear();
    this.mcpApprovals.reset();
    this.continueAfterActive = false;
    this.playingItemId = null;
    this.truncatedItems.clear();
    this.droppedResponses.clear();
    for (const e of this.interruptsInFlight.splice(0)) e.truncated.resolve();
    this.audioCompleteItems.clear();
    this.audioProduced = false;
    this.transcripts.clear();
    this.botOutput.reset();
    this.botOutputItem = null;
    this.pttHeld = false;
    this.appendedMsSinceClear = 0;
  }
}

/** The RTVI client-message (`t`) that answers an MCP approval request: `d` is `{approval_request_id, approve, reason?}`. */
export const MCP_APPROVAL_MESSAGE = 'mcp-approval-response';

/** What the user can do about an incomplete reply (SDK `RealtimeResponseStatus.reason`). */
const INCOMPLETE_HINTS: Record<string, string> = {
  max_output_tokens: ': it reached "Max output tokens"; raise it in Settings',
  content_filter: ': the content filter stopped it',
};

function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

function messageItem(role: string, text: string): ConversationItem {
  if (role === 'assistant') return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
  if (role === 'system') return { type: 'message', role: 'system', content: [{ type: 'input_text', text }] };
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

/** Throws (the frame is then reported as an RTVI error) when a field the adapter relies on is not a non-empty string. */
function requireStrings(ev: object, ...fields: string[]): void {
  const rec = ev as Record<string, unknown>;
  for (const f of fields) {
    const v = rec[f];
    if (typeof v !== 'string' || (f !== 'delta' && f !== 'transcript' && f !== 'arguments' && !v)) {
      throw new Error(`${String(rec.type)} has ${v === undefined ? 'no' : 'a malformed'} "${f}" (${v === undefined ? 'missing' : typeof v}); the event was ignored`);
    }
  }
}
