/**
 * What a fake Pipecat bot says over RTVI, whatever carries it (WebSocket MessageFrames in
 * fake-pipecat-ws-bot.ts, the SmallWebRTC data channel in fake-pipecat-webrtc-bot.ts). Sources, all
 * read from Pipecat's code (commits in /work/shared/reference/pipecat-server.md):
 * - RTVI 2.1.0 (src/pipecat/processors/frameworks/rtvi/{models,processor,observer}.py; RTVI docs
 *   https://docs.pipecat.ai/client/rtvi-standard): client-ready → bot-ready with the same id
 *   (PipelineWorker.on_client_ready → set_bot_ready()); envelopes dumped with exclude_none (no
 *   id/data when empty); unsupported client types → error-response "Unsupported type <type>".
 * - the turn order of pipecat-server.md §3 "Order of one STT → LLM → TTS turn"; metrics shapes of
 *   src/pipecat/metrics/metrics.py; function calls reported with function_call_report_level FULL,
 *   answered by llm-function-call-result (client-js's shape).
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
  /** What the bot says (one TTS sentence). */
  reply?: string;
  /** What the fake STT "hears". */
  transcript?: string;
  /** ms between audio chunks; 0 writes them at once. */
  audioPaceMs?: number;
}

/** What the transport under the script does. */
export interface BotScriptIo {
  rtvi(type: string, data?: unknown, id?: string): void;
  /** The transport's part of an interruption (WS: an InterruptionFrame; WebRTC: stop the audio). */
  interrupt(): void;
  /** Writes reply audio chunk `index` of `total` (the last is half silence, as base_output.py pads). */
  sendAudioChunk(index: number, total: number): void;
  /** disconnect-bot: the bot leaves. */
  leave(): void;
}

/** The RTVI half of a fake Pipecat bot; `received` is every RTVI message the client sent. */
export class PipecatBotScript {
  private turnRunning: Promise<void> | null = null;
  private pendingResult: ((r: unknown) => void) | null = null;
  private callSeq = 0;

  constructor(
    private readonly io: BotScriptIo,
    private readonly opts: BotScriptOptions = {},
    /** Every RTVI message the client sent, parsed (may be shared across connections). */
    readonly received: Array<{ type: string; id?: string; data?: unknown }> = [],
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
      case 'llm-function-call-result':
        this.pendingResult?.(msg.data);
        return;
      case 'send-text':
        // send-text with run_immediately interrupts first (pipecat-server.md §1).
        this.io.interrupt();
        this.io.rtvi('bot-interrupted');
        void this.startTurn(String(msg.data?.content ?? ''));
        return;
      case 'client-message':
        this.io.rtvi('server-response', { t: msg.data?.t, d: { ok: true } }, msg.id);
        return;
      case 'disconnect-bot':
        this.io.leave();
        return;
      default:
        // processor.py: anything else → error-response "Unsupported type <type>" (append-to-context included).
        this.io.rtvi('error-response', { error: `Unsupported type ${msg.type}` }, msg.id);
    }
  }

  /** The bot's VAD/turn analyser saw the user start: user-started-speaking, then the interruption. */
  userStarted(): void {
    this.io.rtvi('user-started-speaking');
    this.io.interrupt();
    this.io.rtvi('bot-interrupted');
  }

  /** The user's turn ended: run one bot turn (null = heard speech, a string = send-text). */
  startTurn(typed: string | null): Promise<void> {
    const run = (this.turnRunning ?? Promise.resolve()).then(() => this.turn(typed));
    this.turnRunning = run.finally(() => {
      if (this.turnRunning === run) this.turnRunning = null;
    });
    return run;
  }

  private async turn(typed: string | null): Promise<void> {
    const { io, opts } = this;
    const heard = typed ?? opts.transcript ?? 'What is the weather in Paris?';
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
    }
    io.rtvi('user-llm-text', { text: heard });
    if (typed === null) io.rtvi('user-stopped-speaking');
    io.rtvi('bot-llm-started');
    io.rtvi('metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.412 }] });
    // observer.py _handle_metrics: usage is `d.value.model_dump()`, so no processor or model (LLMTokenUsage fields).
    io.rtvi('metrics', { tokens: [{ prompt_tokens: 112, completion_tokens: 9, total_tokens: 121 }] });
    if (opts.clientFunction) {
      const callId = `call_${++this.callSeq}`;
      const { name, arguments: args } = opts.clientFunction;
      // observer.py with function_call_report_level FULL for this function: name and arguments present.
      io.rtvi('llm-function-call-started', { function_name: name });
      io.rtvi('llm-function-call-in-progress', { tool_call_id: callId, function_name: name, arguments: args });
      io.rtvi('metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.455 }] });
      io.rtvi('bot-llm-stopped');
      const result = await new Promise<unknown>((resolve) => {
        this.pendingResult = resolve;
        setTimeout(() => resolve({ error: 'no result from client' }), 10_000);
      });
      this.pendingResult = null;
      const r = (result ?? {}) as { result?: unknown };
      io.rtvi('llm-function-call-stopped', { tool_call_id: callId, cancelled: false, function_name: name, result: r.result ?? null });
      io.rtvi('bot-llm-started');
      io.rtvi('metrics', { ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.301 }] });
    }
    const reply = opts.reply ?? 'It is sunny in Paris today.';
    const words = reply.split(' ');
    for (const w of words) io.rtvi('bot-llm-text', { text: ` ${w}` });
    io.rtvi('bot-transcription', { text: reply });
    io.rtvi('metrics', { processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.633 }] });
    io.rtvi('bot-llm-stopped');
    io.rtvi('bot-tts-started');
    io.rtvi('metrics', { characters: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: reply.length }] });
    io.rtvi('metrics', { ttfb: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: 0.238 }] });
    await this.speak(words);
  }

  /** bot-started-speaking after the first audio, per-word bot-tts-text, bot-tts-stopped before the last chunk (base_output.py). */
  private async speak(words: string[]): Promise<void> {
    const total = Math.max(words.length * 3, 6);
    const pace = this.opts.audioPaceMs ?? 0;
    for (let i = 0; i < total; i++) {
      this.io.sendAudioChunk(i, total);
      if (i === 0) this.io.rtvi('bot-started-speaking');
      if (i % 3 === 0 && words[i / 3] !== undefined) this.io.rtvi('bot-tts-text', { text: words[i / 3] });
      if (i === total - 2) this.io.rtvi('bot-tts-stopped');
      if (pace > 0) await new Promise((r) => setTimeout(r, pace));
    }
    this.io.rtvi('bot-stopped-speaking');
  }
}
