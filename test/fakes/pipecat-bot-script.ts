/**
 * What a fake Pipecat bot says over RTVI, whatever carries it (WebSocket MessageFrames in
 * fake-pipecat-ws-bot.ts, the SmallWebRTC data channel in fake-pipecat-webrtc-bot.ts). Sources, all
 * read from Pipecat's code (commits in /work/shared/reference/pipecat-server.md):
 * - RTVI 2.1.0 (src/pipecat/processors/frameworks/rtvi/{models,processor,observer}.py; RTVI docs
 *   https://docs.pipecat.ai/client/rtvi-standard): client-ready → bot-ready with the same id
 *   (PipelineWorker.on_client_ready → set_bot_ready()); envelopes dumped with exclude_none (no
 *   id/data when empty); unsupported client types → error-response "Unsupported type <type>".
 * - the turn order of pipecat-server.md §3 "Order of one STT → LLM → TTS turn"; metrics shapes of
 *   src/pipecat/metrics/metrics.py; function calls reported at function_call_report_level NONE
 *   (Pipecat's default, observer.py:192-193) unless `functionCallReportLevel` says otherwise,
 *   answered by llm-function-call-result, validated as models.py:278-287 does.
 * - bot-output with cumulative spoken_progress per sentence and word (observer.py:631-767), audio
 *   paced in real time (base_output.py:129-136), a reply cut at an interruption.
 * - bot-interrupted at every user turn start (enable_interruptions default) and at send-text.
 */

/** Python's json.dumps defaults: ", " and ": " separators, non-ASCII escaped. */
export function pyDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${pyDumps(k)}: ${pyDumps(x)}`)
    .join(', ')}}`;
}

/** One RTVI envelope as Pipecat's models dump it (exclude_none: no id/data key when absent). */
export function rtviText(type: string, data?: unknown, id?: string): string {
  const msg: Record<string, unknown> = { label: 'rtvi-ai', type };
  if (id !== undefined) msg.id = id;
  if (data !== undefined) msg.data = data;
  return pyDumps(msg);
}

export interface BotScriptOptions {
  /** A client function the bot's LLM calls in each turn (answered by llm-function-call-result). */
  clientFunction?: { name: string; arguments: Record<string, unknown> };
  /**
   * A function the bot runs itself in each turn (a handler registered on its LLM service): the
   * observer reports it as for a client call (observer.py:497-553, by report level) and the bot
   * does not wait for the client; the result is its own.
   */
  botFunction?: { name: string; arguments: Record<string, unknown>; result: Record<string, unknown> | string };
  /**
   * RTVIObserverParams.function_call_report_level for the call. Default 'NONE', Pipecat's default
   * ({"*": NONE}, observer.py:192-193): started {}, in-progress {tool_call_id}, stopped
   * {tool_call_id, cancelled}; NAME adds function_name; FULL adds arguments and result
   * (observer.py:497-553). A client can answer only a call it can name: tests of mocks use 'FULL'.
   */
  functionCallReportLevel?: 'NONE' | 'NAME' | 'FULL';
  /** What the bot says (its TTS sentences). */
  reply?: string;
  /** What the fake STT "hears". */
  transcript?: string;
  /**
   * ms between audio chunks. Default: the chunk's own duration, real time, as Pipecat's output
   * transport sends one chunk per chunk duration (base_output.py:129-136; the websocket transports'
   * send interval, fastapi.py:456). 0 writes the whole reply at once (no interruption lands mid-reply).
   */
  audioPaceMs?: number;
  /**
   * How the bot's TTS reports text (observer.py:631-760 with a 2.x client). 'word' (default, a
   * word-timestamp TTS such as Cartesia): per sentence a bot-output "new" once the bot speaks, then
   * per word a bare-word bot-tts-text and a bot-output "in-progress"/"completed" with cumulative
   * spoken_progress. 'sentence' (a TTS without word timing): one bot-output "completed" and the
   * sentence as bot-tts-text.
   */
  ttsTextMode?: 'word' | 'sentence';
  /**
   * The bot's app raises while handling a valid llm-function-call-result: RTVIProcessor answers
   * error-response "Exception processing message: <this>" (processor.py:379-381).
   */
  functionResultException?: string;
  /**
   * What the bot's app answers to a client-message, by its `t`: RTVIProcessor only pushes an
   * RTVIClientMessageFrame and calls on_client_message (processor.py:496-509); a server-response
   * {t, d} with the message's id goes out only if the app calls send_server_response
   * (observer.py _send_server_response). Unlisted types get no answer. Default: none answered.
   */
  serverResponses?: Record<string, unknown>;
}

/**
 * pydantic's complaint about an llm-function-call-result's data, or null when it validates
 * (models.py:278-287). The text follows pydantic v2's layout ("N validation errors for <Model>",
 * one `loc` + message per failure; a `dict | str` union reports both members); approximated.
 */
export function functionResultValidation(data: unknown): string | null {
  const d = (data && typeof data === 'object' && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const pyType = (v: unknown) => (v === null || v === undefined ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'str' : 'dict');
  const isDict = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  const errors: string[] = [];
  const err = (loc: string, msg: string, type: string, v: unknown) => errors.push(`${loc}\n  ${msg} [type=${type}, input_value=${pyDumps(v)}, input_type=${pyType(v)}]`);
  for (const k of ['function_name', 'tool_call_id'] as const) {
    if (!(k in d)) err(k, 'Field required', 'missing', d);
    else if (typeof d[k] !== 'string') err(k, 'Input should be a valid string', 'string_type', d[k]);
  }
  if (!('arguments' in d)) err('arguments', 'Field required', 'missing', d);
  else if (!isDict(d.arguments)) err('arguments', 'Input should be a valid dictionary', 'dict_type', d.arguments);
  if (!('result' in d)) err('result', 'Field required', 'missing', d);
  else if (!isDict(d.result) && typeof d.result !== 'string') {
    err('result.dict[any,any]', 'Input should be a valid dictionary', 'dict_type', d.result);
    err('result.str', 'Input should be a valid string', 'string_type', d.result);
  }
  if (!errors.length) return null;
  return `${errors.length} validation error${errors.length > 1 ? 's' : ''} for LLMFunctionCallResultData\n${errors.join('\n')}`;
}

/** Sentences as a sentence aggregator cuts them. */
function sentencesOf(reply: string): string[] {
  return (reply.match(/[^.!?]+[.!?]*/g) ?? [reply]).map((x) => x.trim()).filter(Boolean);
}

/** What the transport under the script does. */
export interface BotScriptIo {
  rtvi(type: string, data?: unknown, id?: string): void;
  /** The transport's part of an interruption (WS: an InterruptionFrame; WebRTC: stop the audio). */
  interrupt(): void;
  /** Writes reply audio chunk `index` of `total` (the last is half silence, as base_output.py pads). */
  sendAudioChunk(index: number, total: number): void;
  /** One reply audio chunk's duration in ms (the default pace). */
  chunkMs: number;
  /** disconnect-bot: the bot leaves. */
  leave(): void;
}

/** The RTVI half of a fake Pipecat bot; `received` is every RTVI message the client sent. */
export class PipecatBotScript {
  private turnRunning: Promise<void> | null = null;
  private pendingResult: ((r: unknown) => void) | null = null;
  private callSeq = 0;
  private segmentSeq = 0;
  /** Bumped by every interruption: the reply being spoken stops (base_output.py drops queued audio). */
  private speechGen = 0;
  /**
   * Not-spoken bot-output (audio_response false) waits in the observer until the bot next starts
   * speaking (observer.py:631-655 queues AggregatedTextFrames while the bot is silent).
   */
  private readonly queuedOutputs: Array<Record<string, unknown>> = [];
  /** What the STT makes of the next heard turn instead of the transcript (audio at the wrong rate). */
  garbledHearing: string | null = null;

  constructor(
    private readonly io: BotScriptIo,
    private readonly opts: BotScriptOptions = {},
    /** Every RTVI message the client sent, parsed (may be shared across connections). */
    readonly received: Array<{ type: string; id?: string; data?: unknown }> = [],
    /** Texts of send-text with run_immediately false (appended to the bot's context, no turn). */
    readonly contextAppends: string[] = [],
  ) {}

  /** A client message (JSON text); non-RTVI text is ignored as Pipecat's RTVI processor does. */
  onClientText(text: string): void {
    let msg: { label?: string; type?: string; id?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!msg || msg.label !== 'rtvi-ai' || typeof msg.type !== 'string') return;
    this.received.push({ type: msg.type, id: msg.id, data: msg.data });
    switch (msg.type) {
      case 'client-ready':
        // PipelineWorker.on_client_ready → set_bot_ready(): the client-ready id, library pipecat-ai.
        this.io.rtvi('bot-ready', { version: '2.1.0', about: { library: 'pipecat-ai', library_version: '1.7.0' } }, msg.id);
        return;
      case 'llm-function-call-result': {
        // processor.py:361-362 validates LLMFunctionCallResultData (models.py:278-287: function_name
        // str, tool_call_id str, arguments dict, result dict | str); a ValidationError answers
        // error-response "Invalid message: <pydantic text>" (processor.py:376-378) and the call
        // never reaches the LLM.
        const invalid = functionResultValidation(msg.data);
        if (invalid) {
          this.io.rtvi('error-response', { error: `Invalid message: ${invalid}` }, msg.id);
          return;
        }
        if (this.opts.functionResultException) {
          this.io.rtvi('error-response', { error: `Exception processing message: ${this.opts.functionResultException}` }, msg.id);
          return;
        }
        this.pendingResult?.(msg.data);
        return;
      }
      case 'send-text': {
        // processor.py:468-494 with SendTextOptions (models.py:224-231, both default true):
        // run_immediately interrupts, then runs the LLM; false only appends to the context (no
        // turn). audio_response false sets skip_tts for this message: text, no TTS or audio.
        const o = (msg.data?.options ?? {}) as { run_immediately?: unknown; audio_response?: unknown };
        const content = String(msg.data?.content ?? '');
        if (o.run_immediately === false) {
          this.contextAppends.push(content);
          return;
        }
        this.interrupt();
        void this.startTurn(content, o.audio_response !== false);
        return;
      }
      case 'client-message': {
        const t = String(msg.data?.t ?? '');
        if (this.opts.serverResponses && t in this.opts.serverResponses) this.io.rtvi('server-response', { t, d: this.opts.serverResponses[t] }, msg.id);
        return;
      }
      case 'disconnect-bot':
        this.io.leave();
        return;
      default:
        // processor.py: anything else → error-response "Unsupported type <type>" (append-to-context included).
        this.io.rtvi('error-response', { error: `Unsupported type ${msg.type}` }, msg.id);
    }
  }

  private interrupt(): void {
    this.speechGen++;
    this.io.interrupt();
    this.io.rtvi('bot-interrupted');
  }

  /** The bot's VAD/turn analyser saw the user start: user-started-speaking, then the interruption. */
  userStarted(): void {
    this.io.rtvi('user-started-speaking');
    this.interrupt();
  }

  /** The user's turn ended: run one bot turn (null = heard speech, a string = send-text). */
  startTurn(typed: string | null, audioResponse = true): Promise<void> {
    const run = (this.turnRunning ?? Promise.resolve()).then(() => this.turn(typed, audioResponse));
    this.turnRunning = run.finally(() => {
      if (this.turnRunning === run) this.turnRunning = null;
    });
    return run;
  }

  private async turn(typed: string | null, audioResponse: boolean): Promise<void> {
    const { io, opts } = this;
    const heard = typed ?? this.garbledHearing ?? opts.transcript ?? 'What is the weather in Paris?';
    const ts = new Date().toISOString().replace('Z', '+00:00');
    if (typed === null) {
      io.rtvi('user-transcription', { text: heard.split(' ').slice(0, 2).join(' '), user_id: '', timestamp: ts, final: false });
      io.rtvi('user-transcription', { text: heard, user_id: '', timestamp: ts, final: true });
      // Metrics: each MetricsFrame (src/pipecat/frames/frames.py) becomes one RTVI `metrics` message
      // (RTVIObserver._handle_metrics, observer.py; RTVI docs https://docs.pipecat.ai/client/rtvi-standard
      // "metrics"), keyed by kind with the MetricsData models of src/pipecat/metrics/metrics.py:
      // TTFBMetricsData / ProcessingMetricsData {processor: "<Class>#<n>", model?, value: seconds},
      // TTSUsageMetricsData {processor, model?, value: characters}. Sent with enable_metrics /
      // enable_usage_metrics in PipelineParams (https://docs.pipecat.ai/guides/fundamentals/metrics).
      io.rtvi('metrics', { ttfb: [{ processor: 'DeepgramSTTService#0', model: 'nova-3-general', value: 0.187 }] });
      // STTUsageMetricsData {processor, model?, value: STTUsage{audio_seconds}} (metrics.py:165-180).
      io.rtvi('metrics', { stt_usage: [{ processor: 'DeepgramSTTService#0', model: 'nova-3-general', value: { audio_seconds: 1.6 } }] });
    }
    io.rtvi('user-llm-text', { text: heard });
    if (typed === null) io.rtvi('user-stopped-speaking');
    io.rtvi('bot-llm-started');
    io.rtvi('metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.412 }] });
    // observer.py _handle_metrics: usage is `d.value.model_dump()`, so no processor or model (LLMTokenUsage fields).
    io.rtvi('metrics', { tokens: [{ prompt_tokens: 112, completion_tokens: 9, total_tokens: 121 }] });
    if (opts.botFunction) {
      const callId = `call_${++this.callSeq}`;
      const { name, arguments: args, result } = opts.botFunction;
      const level = opts.functionCallReportLevel ?? 'NONE';
      const named = level !== 'NONE' ? { function_name: name } : {};
      io.rtvi('llm-function-call-started', { ...named });
      io.rtvi('llm-function-call-in-progress', { tool_call_id: callId, ...named, ...(level === 'FULL' ? { arguments: args } : {}) });
      io.rtvi('bot-llm-stopped');
      io.rtvi('llm-function-call-stopped', { tool_call_id: callId, cancelled: false, ...named, ...(level === 'FULL' ? { result } : {}) });
      io.rtvi('bot-llm-started');
    }
    if (opts.clientFunction) {
      const callId = `call_${++this.callSeq}`;
      const { name, arguments: args } = opts.clientFunction;
      const level = opts.functionCallReportLevel ?? 'NONE';
      const named = level !== 'NONE' ? { function_name: name } : {};
      // observer.py:497-525: fields by report level (exclude_none drops the unset ones).
      io.rtvi('llm-function-call-started', { ...named });
      io.rtvi('llm-function-call-in-progress', { tool_call_id: callId, ...named, ...(level === 'FULL' ? { arguments: args } : {}) });
      io.rtvi('metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.455 }] });
      io.rtvi('bot-llm-stopped');
      const result = await new Promise<unknown>((resolve) => {
        this.pendingResult = resolve;
        setTimeout(() => resolve({ error: 'no result from client' }), 10_000);
      });
      this.pendingResult = null;
      const r = (result ?? {}) as { result?: unknown };
      io.rtvi('llm-function-call-stopped', { tool_call_id: callId, cancelled: false, ...named, ...(level === 'FULL' ? { result: r.result ?? null } : {}) });
      io.rtvi('bot-llm-started');
      io.rtvi('metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.301 }] });
    }
    const reply = opts.reply ?? 'It is sunny in Paris today.';
    for (const w of reply.split(' ')) io.rtvi('bot-llm-text', { text: ` ${w}` });
    io.rtvi('bot-transcription', { text: reply });
    io.rtvi('metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.633 }] });
    io.rtvi('bot-llm-stopped');
    if (!audioResponse) {
      // skip_tts: the sentences are not spoken (observer.py:736-760: will_be_spoken false, no status).
      for (const text of sentencesOf(reply)) this.queuedOutputs.push({ text, spoken: false, will_be_spoken: false, aggregated_by: 'sentence', segment_id: ++this.segmentSeq });
      return;
    }
    io.rtvi('bot-tts-started');
    io.rtvi('metrics', { characters: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: reply.length }] });
    io.rtvi('metrics', { ttfb: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: 0.238 }] });
    // TTFAMetricsData {ttfa, ttfb, leading_silence}: no flat value (metrics.py:41-64).
    io.rtvi('metrics', { ttfa: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', ttfa: 0.301, ttfb: 0.238, leading_silence: 0.063 }] });
    await this.speak(reply);
  }

  /**
   * bot-started-speaking after the first audio, bot-output and bot-tts-text as the TTS reports them,
   * bot-tts-stopped before the last chunk (base_output.py); an interruption cuts the reply.
   */
  private async speak(reply: string): Promise<void> {
    const { io } = this;
    const gen = this.speechGen;
    const segments = sentencesOf(reply).map((text) => ({ id: ++this.segmentSeq, text }));
    // One step per word: which sentence, the bare word, and the sentence's spoken/unspoken split
    // (word_completion_tracker.py:297-314: accumulated + remaining reproduce the text exactly).
    const steps = segments.flatMap((seg) => {
      let at = 0;
      return seg.text.split(' ').map((word, i) => {
        at = seg.text.indexOf(word, at) + word.length;
        return { seg, word, first: i === 0, accumulated: seg.text.slice(0, at), remaining: seg.text.slice(at) };
      });
    });
    const total = Math.max(steps.length * 3, 6);
    const pace = this.opts.audioPaceMs ?? io.chunkMs;
    const mode = this.opts.ttsTextMode ?? 'word';
    const output = (seg: { id: number; text: string }, status: string, accumulated: string, remaining: string, spoken?: boolean) =>
      io.rtvi('bot-output', { text: seg.text, spoken, will_be_spoken: true, aggregated_by: 'sentence', segment_id: seg.id, spoken_status: status, spoken_progress: { accumulated_text: accumulated, remaining_text: remaining } });
    for (let i = 0; i < total; i++) {
      if (gen !== this.speechGen) break;
      io.sendAudioChunk(i, total);
      if (i === 0) {
        io.rtvi('bot-started-speaking');
        for (const q of this.queuedOutputs.splice(0)) io.rtvi('bot-output', q);
        // Aggregated sentences are queued until the bot speaks, then flushed (observer.py:631-648):
        // word-timestamp path, "new" with nothing spoken (observer.py:746-748), `spoken: false`.
        if (mode === 'word') for (const seg of segments) output(seg, 'new', '', seg.text, false);
      }
      const step = i % 3 === 0 ? steps[i / 3] : undefined;
      if (step && mode === 'word') {
        // The TTSTextFrame (bare word, stripped: word_completion_tracker.py:271) comes before its
        // progress frame (aggregated_frame_sequencer.py:536-550); progress is cumulative.
        io.rtvi('bot-tts-text', { text: step.word });
        output(step.seg, step.remaining === '' ? 'completed' : 'in-progress', step.accumulated, step.remaining);
      } else if (step?.first) {
        // push_text_frames path: "completed" with the whole sentence, then bot-tts-text (observer.py:740-767).
        output(step.seg, 'completed', step.seg.text, '', true);
        io.rtvi('bot-tts-text', { text: step.seg.text });
      }
      if (i === total - 2) io.rtvi('bot-tts-stopped');
      if (pace > 0) await new Promise((r) => setTimeout(r, pace));
    }
    // After an interruption the output transport still reports BotStoppedSpeakingFrame; nothing
    // more about the cut sentence is sent (the sequencer is cleared).
    io.rtvi('bot-stopped-speaking');
  }
}
