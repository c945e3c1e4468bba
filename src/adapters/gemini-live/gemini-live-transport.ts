import type { RTVIMessage } from '@pipecat-ai/client-js';
import type { LiveServerContent, LiveServerToolCall, UsageMetadata } from '@google/genai';
import type { MediaFormat, MediaManager, PlayedSamples } from '../../audio/media-manager.ts';
import { base64ToInt16, bytesToBase64, pcm16DurationMs } from '../../audio/pcm.ts';
import { BotOutputAggregator, type BotOutputSegment } from '../../rtvi/bot-output-aggregator.ts';
import { UserTranscriptAccumulator } from '../../rtvi/user-transcript-accumulator.ts';
import { ProviderSocket, assertSecureEndpoint, utf8Length } from '../../transport/provider-socket.ts';
import { RealTimeWebsocketTransport, type FunctionCallContext, type LLMServiceOptions } from '../../transport/realtime-websocket-transport.ts';
import { MissingKeyError, errorMessage } from '../../transport/transport-errors.ts';
import { planGeminiEndpoint, withCredential, type GeminiAuthMode } from './gemini-endpoint.ts';
import { clientFrameType, parseDurationMs, serverFrameType, summariseClientFrame, summariseServerFrame } from './gemini-frames.ts';
import { DEFAULT_GEMINI_MODEL, geminiModelCapabilities, type GeminiModelCapabilities } from './gemini-models.ts';
import { buildGeminiSetup, parseGeminiTools, type GeminiSettings, type ParsedGeminiTools } from './gemini-setup.ts';
import { mintGeminiToken } from './gemini-token.ts';

export interface GeminiLiveSettings extends GeminiSettings {
  model?: string;
  auth?: GeminiAuthMode;
}

export interface GeminiLiveServiceOptions extends LLMServiceOptions {
  settings?: GeminiLiveSettings & Record<string, unknown>;
}

type Json = Record<string, unknown>;

interface TurnState {
  itemId: string;
  /** After `interrupted` or a local interrupt: the rest of this turn's audio is stale. */
  dropping: boolean;
  llmStopped: boolean;
  output: BotOutputAggregator;
  droppedParts: number;
  /** Audio of this turn went to the player: its text is paced to that audio. */
  hasAudio?: boolean;
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
  private caps: GeminiModelCapabilities = geminiModelCapabilities(DEFAULT_GEMINI_MODEL);
  private tools: ParsedGeminiTools = { declarations: [], nonBlocking: new Set() };
  private pendingInitialHistory: Json | null = null;
  private resumptionHandle: string | null = null;
  private resumable = false;
  private sawVoiceActivity = false;
  private turn: TurnState | null = null;
  private turnSeq = 0;
  private segmentSeq = 1;
  private turnUsage: UsageMetadata | null = null;
  private readonly userTranscript = new UserTranscriptAccumulator();
  private ptt: PushToTalkState | null = null;
  private suppressInterruptNote = false;
  private resuming: ResumeState | null = null;
  private goAwayTimer: ReturnType<typeof setTimeout> | undefined;
  private goAwayPending = false;
  private resumeCount = 0;

  constructor(serviceOptions: GeminiLiveServiceOptions, manager?: MediaManager) {
    super(serviceOptions, manager);
  }

  // ---------------------------------------------------------------- settings
  private get settings(): GeminiLiveSettings & Record<string, unknown> {
    return (this._service_options.settings ?? {}) as GeminiLiveSettings & Record<string, unknown>;
  }

  get model(): string {
    const fromSettings = this.settings.model;
    return (typeof fromSettings === 'string' && fromSettings.trim()) || this._service_options.model?.trim() || DEFAULT_GEMINI_MODEL;
  }

  private get authMode(): GeminiAuthMode {
    return this.settings.auth === 'key-in-url' ? 'key-in-url' : 'token';
  }

  private get isPushToTalk(): boolean {
    return this.settings.turn_detection === 'push_to_talk';
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
    this.caps = geminiModelCapabilities(this.model);
    this.tools = parseGeminiTools(this.settings.tools, this.caps);
  }

  protected override usesLocalVoiceActivity(): boolean {
    return !this.sawVoiceActivity && !this.isPushToTalk;
  }

  async connectLLM(): Promise<void> {
    this.resetSession();
    const url = await this.credentialedUrl();
    await this.openSocket(url, undefined);
  }

  async disconnectLLM(): Promise<void> {
    clearTimeout(this.goAwayTimer);
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
    this.userTranscript.reset();
    this.ptt = null;
    this.resuming = null;
    this.goAwayPending = false;
    this.resumeCount = 0;
    clearTimeout(this.goAwayTimer);
  }

  /** A new credential for every connection: tokens are one-use (resumption included). */
  private async credentialedUrl(): Promise<string> {
    const apiKey = this._service_options.api_key?.trim() ?? '';
    this.scrubber.add(apiKey);
    const plan = planGeminiEndpoint(this._service_options.endpoint, this.authMode);
    if (this.authMode === 'key-in-url') return withCredential(plan.socketUrl, 'key', apiKey);
    const token = await mintGeminiToken({ tokenUrl: plan.tokenUrl, apiKey });
    this.scrubber.add(token);
    this.scrubber.add(token.slice('auth_tokens/'.length));
    return withCredential(plan.socketUrl, 'access_token', token);
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
        this.resuming = null;
        const fid = this.reportFrame('in', 'close', 0, { code, reason: this.scrubber.scrubText(reason) });
        this.handleSocketClosed(code, reason, [fid]);
      },
    });
    this.socket = socket;
    this.setupDone = false;
    try {
      await socket.open(url);
    } catch (e) {
      if (this.socket === socket) this.socket = null;
      throw new Error(this.scrubber.scrubText(errorMessage(e)));
    }
    const plan = buildGeminiSetup({
      model: this.model,
      caps: this.caps,
      settings: this.settings,
      tools: this.tools,
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
    if (this.tools.nonBlocking.has(call.functionName)) response.scheduling = 'WHEN_IDLE';
    this.sendJson({ toolResponse: { functionResponses: [response] } });
  }

  protected override handleVideoFrame(jpeg: Uint8Array): void {
    // Video frames are billed and 3.x models take all of them: only while the camera is on.
    if (!this.setupDone || this.resuming || !this.isCamEnabled) return;
    this.sendJson({ realtimeInput: { video: { data: bytesToBase64(jpeg), mimeType: 'image/jpeg' } } });
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
    // A Live session's setup cannot change: every setting takes effect on the next connect.
    return Object.keys(settings);
  }

  protected override onLocalInterrupt(played: PlayedSamples): void {
    const turn = this.turn;
    if (turn && !turn.dropping) {
      turn.dropping = true;
      this.flushOutput(turn, 'in-progress', []);
    }
    if (this.suppressInterruptNote) return;
    this.emitRtvi('server-message', {
      type: 'local-interrupt',
      provider: this.providerName,
      server_notified: false,
      played_samples: played,
      note: 'Gemini Live has no cancel message: playback was stopped here and the rest of this reply is dropped, but the model was not told and still counts the whole reply as said.',
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
    if (this.resuming) {
      this.finishResume(src);
      return;
    }
    if (this.pendingInitialHistory) this.sendJson(this.pendingInitialHistory);
    this.pendingInitialHistory = null;
    this.markReady(src);
  }

  private onVoiceActivity(kind: string, src: number[]): void {
    this.sawVoiceActivity = true;
    if (kind === 'ACTIVITY_START') this.emitRtvi('user-started-speaking', { source: 'provider' }, { sourceFrameIds: src });
    else if (kind === 'ACTIVITY_END') this.emitRtvi('user-stopped-speaking', { source: 'provider' }, { sourceFrameIds: src });
  }

  private onServerContent(sc: LiveServerContent, src: number[]): void {
    const input = sc.inputTranscription;
    if (input?.text !== undefined && typeof input.text !== 'string') {
      this.emitError('Gemini Live sent an input transcription whose text is not a string; it was ignored.', false, src);
    } else if (input?.text) {
      const update = this.userTranscript.append(input.text);
      if (update) this.emitUserTranscript(update.text, false, src);
    }
    if (input?.finished) this.finishUserTranscript(src);

    const parts = sc.modelTurn?.parts ?? [];
    if (parts.length) {
      const turn = this.ensureTurn(src);
      for (const part of parts) {
        const inline = part.inlineData;
        if (inline?.data && (inline.mimeType ?? '').startsWith('audio/')) this.playAudioPart(turn, inline.data, src);
        else if (typeof part.text === 'string' && part.text && !part.thought) this.emitRtvi('bot-llm-text', { text: part.text }, { sourceFrameIds: src });
      }
    }
    const out = sc.outputTranscription?.text;
    if (out !== undefined && typeof out !== 'string') {
      this.emitError('Gemini Live sent an output transcription whose text is not a string; it was ignored.', false, src);
    } else if (out) {
      const turn = this.ensureTurn(src);
      this.emitRtvi('bot-tts-text', { text: out }, { sourceFrameIds: src, spokenItemId: spokenItem(turn) });
      if (!turn.dropping) for (const seg of turn.output.push(out)) this.emitBotOutput(seg, src, spokenItem(turn));
    }
    if (sc.generationComplete) this.stopLlm(src);
    if (sc.interrupted) this.onInterrupted(src);
    if (sc.turnComplete) this.endTurn(src);
  }

  private ensureTurn(src: number[]): TurnState {
    if (this.turn) return this.turn;
    // The bot started answering: the user's turn is over.
    this.finishUserTranscript(src);
    this.turnSeq++;
    this.turn = { itemId: `gemini-turn-${this.turnSeq}`, dropping: false, llmStopped: false, output: new BotOutputAggregator(this.segmentSeq), droppedParts: 0 };
    this.emitRtvi('bot-llm-started', {}, { sourceFrameIds: src });
    return this.turn;
  }

  private playAudioPart(turn: TurnState, b64: string, src: number[]): void {
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
    turn.hasAudio = true;
    this.queueBotAudio(samples, turn.itemId);
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
    this.finishUserTranscript(src);
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

  private finishUserTranscript(src: number[]): void {
    const fin = this.userTranscript.finish();
    if (fin) this.emitUserTranscript(fin.text, true, src);
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
    const enabled = this.settings.session_resumption !== false;
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
      const url = await this.credentialedUrl();
      if (this.resuming !== state) return;
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
