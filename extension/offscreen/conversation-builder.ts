import type { ConversationTurn, McpApprovalCard, ToolCallStatus } from '../shared/messages.ts';
import { SessionMetricsAccumulator } from '../inspector-core/session-metrics.ts';

/** Where an RTVI row sits in the event log: its seq, its `t` (ms since connect) and session. */
export interface RtviMeta {
  seq: number;
  t: number;
  session: number;
}

/** Rows the latency measure reads (the same rules as the Metrics view's voice-to-voice). */
const LATENCY_TYPES = new Set(['local-vad-started', 'local-vad-stopped', 'user-started-speaking', 'user-stopped-speaking', 'bot-started-speaking', 'bot-stopped-speaking']);
/** Rows that belong to a bot reply: the first one is where "Show events" takes the user. */
const BOT_TYPES = new Set(['bot-llm-started', 'bot-started-speaking', 'bot-tts-text', 'bot-output']);

/**
 * Turns RTVI messages into the conversation the panel shows (`You: …` / `Bot: …` / `Tool: …`).
 * User partials carry the turn's text so far (RTVI 2.x), so they replace; bot text arrives per
 * sentence in `bot-output` (repeated with a new `spoken_status`), so new sentences append, while
 * `bot-tts-text` deltas stream the words as they arrive; the turn shows whichever is further along
 * and settles on the sentences when the bot stops. Tool calls become cards keyed by call id.
 *
 * Spoken text arrives as its audio plays (the transport paces it), so a bot turn is finished when
 * the bot stops speaking; text released after that (the last words, or a cut-off report) joins the
 * reply it belongs to instead of opening a turn that never ends. A `bot-output` with
 * `spoken_progress` marks the reply as cut off: `text` keeps what was heard, `unspoken` the rest.
 * Bot turns carry their voice-to-voice latency and the seq of their first event.
 *
 * Input transcription has no ordering guarantee against the reply on Gemini Live [GEN-T
 * `LiveServerContent`], and OpenAI's completes asynchronously: one utterance's text may arrive
 * before, during or after the reply it caused. So the user turn stays open until its final, or
 * until the user starts a new utterance after it was answered (Gemini keeps one transcript across
 * a pause before the reply, so speech before any answer continues it); its updates land in place,
 * and the first text of an utterance that began before a reply is placed before that reply
 * (`onTurn`'s `before`), neither closing nor splitting the reply.
 */
export class ConversationBuilder {
  private turns: ConversationTurn[] = [];
  private openUser: ConversationTurn | null = null;
  /** Unfinished user turns by the provider's item (OpenAI names one; its transcripts complete out of order). */
  private userItems = new Map<string, ConversationTurn>();
  /** Turn number (`nextId`) current when the user's latest utterance began: its text goes before later replies. */
  private utteranceFrom: number | null = null;
  private openBot: ConversationTurn | null = null;
  private lastBotSentence = '';
  private botSentences = '';
  private botStreamed = '';
  /** The last `spoken_status` seen in this reply: a reply left `in-progress` was cut off. */
  private lastBotStatus: unknown = undefined;
  /**
   * Sentences of this reply reported with `spoken_progress`, by segment: real Pipecat repeats each
   * sentence with cumulative spoken-so-far text ("new" → "in-progress"… → "completed",
   * rtvi/observer.py:686-760), our adapters send one "in-progress" report when a reply is cut off.
   * A reply that ends with one of them not "completed" was cut off there.
   */
  private segments: Array<{ key: string; text: string; heard: string; remaining: string; status: unknown }> = [];
  /** This reply's words come as Pipecat word-timestamp progress: its bare-word `bot-tts-text` is not display text. */
  private wordProgress = false;
  /** The open bot turn is a typed reply (text only): it ends with the LLM, not with audio. */
  private botTextOnly = false;
  /** The last finished bot turn, while nothing else has been said since. */
  private lastBot: ConversationTurn | null = null;
  private botSpeaking = false;
  /** The reply the user spoke over (barge-in): its cut-off report, which comes next, belongs to it. */
  private interruptedBot: ConversationTurn | null = null;
  private metrics: SessionMetricsAccumulator | null = null;
  /** Latency and first event of the reply whose turn is not created yet. */
  private pendingLatency: number | undefined;
  private pendingFirstSeq: number | undefined;
  private nextId = 1;
  /** MCP approval requests seen this session (numbers their cards). */
  private approvalCount = 0;
  /** Adapters that echo typed text as a final transcription would otherwise show it twice. */
  private lastTyped: string | null = null;

  /** `awaitsPanel(name)`: whether a call to that tool waits for the panel's `Send result` ("Ask me"). */
  /** `onTurn`'s `before`: the id of the turn a new turn is shown in front of (a transcript that arrived after its reply). */
  constructor(
    private readonly onTurn: (turn: ConversationTurn, before?: string) => void,
    private readonly maxTurns = 500,
    private readonly awaitsPanel: (functionName: string) => boolean = () => false,
  ) {}

  /** An error shown inline in the conversation. */
  addError(message: string): void {
    this.emit(this.add({ role: 'error', text: message, final: true }));
  }

  get all(): ConversationTurn[] {
    return this.turns.map((t) => ({ ...t }));
  }

  clear(): void {
    this.turns = [];
    this.approvalCount = 0;
    this.openUser = null;
    this.userItems.clear();
    this.utteranceFrom = null;
    this.openBot = null;
    this.lastBot = null;
    this.resetBotText();
    this.pendingLatency = undefined;
    this.pendingFirstSeq = undefined;
  }

  /** Text the user sent from the panel. */
  addUserText(text: string): void {
    this.closeBot();
    this.openUser = null;
    this.utteranceFrom = null;
    this.lastTyped = text;
    this.emit(this.add({ role: 'user', text, final: true }));
  }

  /** An image the user sent (a screenshot): a finished user turn with its thumbnail. */
  addUserImage(text: string, image: string): void {
    this.closeBot();
    this.openUser = null;
    this.utteranceFrom = null;
    this.emit(this.add({ role: 'user', text, final: true, image }));
  }

  onRtvi(type: string, data: unknown, meta?: RtviMeta): void {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    if (meta) this.track(type, meta);
    switch (type) {
      case 'user-started-speaking':
        if (this.openBot) this.interruptedBot = this.openBot;
        this.closeBot();
        this.lastBot = null;
        // Speech before any answer continues the open utterance (Gemini's transcript spans the pause).
        if (this.openUser && this.answered(this.openUser)) this.openUser = null;
        this.utteranceFrom = this.nextId;
        // A reply that never showed text (no transcript) must not lend its figures to the next one.
        this.pendingFirstSeq = undefined;
        this.pendingLatency = undefined;
        break;
      case 'bot-llm-started':
        // A new reply began: a later cut-off report is about it, not the one spoken over.
        this.interruptedBot = null;
        break;
      case 'bot-started-speaking':
        this.botSpeaking = true;
        this.interruptedBot = null;
        break;
      case 'bot-interrupted': {
        // Pipecat sends this at every InterruptionFrame (observer.py:460-463), also when the bot is
        // silent; only a reply still being spoken was cut off (its unheard part may be unknown).
        const turn = this.openBot ?? this.interruptedBot;
        // With word timing, a reply whose every sentence was reported spoken ("completed") is whole:
        // only its audio's tail was left when the user spoke.
        const allSpoken = this.wordProgress && this.segments.length > 0 && this.segments.every((x) => x.status === 'completed');
        if (this.botSpeaking && turn && !turn.cut && !allSpoken) {
          turn.cut = true;
          this.emit(turn);
        }
        break;
      }
      case 'user-transcription': {
        const text = typeof d.text === 'string' ? d.text : '';
        const final = d.final === true;
        if (!this.openUser && final && text === this.lastTyped) {
          this.lastTyped = null;
          break;
        }
        this.lastTyped = null;
        const item = typeof d.item_id === 'string' ? d.item_id : undefined;
        let turn = item === undefined ? this.openUser : this.userItems.get(item);
        if (turn) {
          turn.text = text;
          turn.final = final;
        } else turn = this.startUserTurn(text, final);
        this.emit(turn);
        if (item !== undefined) {
          if (final) this.userItems.delete(item);
          else this.userItems.set(item, turn);
        }
        if (!final) this.openUser = turn;
        else {
          if (this.openUser === turn) this.openUser = null;
          if (this.utteranceFrom !== null && turnNumber(turn) >= this.utteranceFrom) this.utteranceFrom = null;
        }
        break;
      }
      case 'bot-output': {
        const text = typeof d.text === 'string' ? d.text.trim() : '';
        const progress = d.spoken_progress as { accumulated_text?: unknown; remaining_text?: unknown } | undefined;
        if (progress && typeof progress === 'object') {
          this.onProgress(meta?.seq, d, text, typeof progress.accumulated_text === 'string' ? progress.accumulated_text : '', typeof progress.remaining_text === 'string' ? progress.remaining_text : text);
          break;
        }
        if (!text) break;
        if ((this.openBot || this.lastBot) && text === this.lastBotSentence) {
          this.lastBotStatus = d.spoken_status;
          break;
        }
        this.startBotText();
        if (!this.openBot && d.will_be_spoken === false) this.botTextOnly = true;
        this.lastBotSentence = text;
        this.lastBotStatus = d.spoken_status;
        this.botSentences = this.botSentences ? `${this.botSentences} ${text}` : text;
        this.showBot();
        break;
      }
      case 'bot-tts-text': {
        const delta = typeof d.text === 'string' ? d.text : '';
        if (!delta) break;
        // Word-timestamp TTS: bare words without spaces (word_completion_tracker.py:271); the
        // progress reports carry the same words, spaced.
        if (this.wordProgress && this.openBot) break;
        this.startBotText();
        this.botStreamed += delta;
        this.showBot();
        break;
      }
      case 'bot-stopped-speaking':
        this.botSpeaking = false;
        this.closeBot();
        break;
      case 'bot-llm-stopped':
        if (this.botTextOnly && !this.botSpeaking) this.closeBot();
        break;
      case 'llm-function-call-in-progress': {
        const name = typeof d.function_name === 'string' ? d.function_name : 'function';
        const args = JSON.stringify(d.arguments ?? {});
        const turn = this.add({
          role: 'tool',
          text: `${name}(${args})`,
          final: false,
          toolCallId: typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined,
          tool: { name, args, status: this.awaitsPanel(name) ? 'awaiting' : 'running' },
        });
        this.emit(turn);
        break;
      }
      case 'llm-function-call-stopped': {
        const id = typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined;
        const turn = id ? this.turns.find((t) => t.role === 'tool' && t.toolCallId === id) : undefined;
        if (turn && !turn.final) {
          turn.final = true;
          const status: ToolCallStatus = d.cancelled === true ? 'cancelled' : d.timed_out === true ? 'timed-out' : 'answered';
          const result = 'result' in d ? truncate(JSON.stringify(d.result) ?? 'undefined', 200) : undefined;
          if (turn.tool) turn.tool = { ...turn.tool, status, ...(result !== undefined ? { result } : {}) };
          if (status === 'cancelled') turn.text += ' — cancelled';
          else if (status === 'timed-out') turn.text += ` — timed out → ${result}`;
          else if (result !== undefined) turn.text += ` → ${result}`;
          this.emit(turn);
        }
        break;
      }
      case 'server-message':
        this.onServerMessage(d);
        break;
      default:
        break;
    }
  }

  /**
   * Provider items the adapters report as RTVI server messages: MCP approval requests (with the
   * user's answer and the call's output) and search grounding.
   */
  private onServerMessage(d: Record<string, unknown>): void {
    const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));
    const byRequest = (id: unknown) => this.turns.find((t) => t.approval?.requestId === id);
    switch (d.type) {
      case 'mcp-approval-request': {
        if (typeof d.approval_request_id !== 'string' || byRequest(d.approval_request_id)) return;
        const approval: McpApprovalCard = { requestId: d.approval_request_id, server: str(d.server_label), name: str(d.name), args: str(d.arguments), status: 'pending', number: ++this.approvalCount };
        this.emit(this.add({ role: 'tool', text: `${approval.server}.${approval.name}(${approval.args}) — MCP call ${approval.number} waits for your approval`, final: false, approval }));
        return;
      }
      case 'mcp-approval-response': {
        const turn = byRequest(d.approval_request_id);
        if (!turn?.approval) return;
        turn.approval = { ...turn.approval, status: d.approve === true ? 'approved' : 'denied' };
        turn.text = `${turn.approval.server}.${turn.approval.name}(${turn.approval.args}) — MCP call ${turn.approval.number} ${turn.approval.status}`;
        turn.final = turn.approval.status === 'denied';
        this.emit(turn);
        return;
      }
      case 'mcp-call': {
        const turn = d.approval_request_id ? byRequest(d.approval_request_id) : undefined;
        const output = truncate(d.error ? `error: ${str((d.error as { message?: unknown }).message ?? d.error)}` : str(d.output), 200);
        if (turn?.approval) {
          turn.approval = { ...turn.approval, output };
          turn.text += ` → ${output}`;
          turn.final = true;
          this.emit(turn);
          return;
        }
        const name = `${str(d.server_label)}.${str(d.name)}`;
        const args = str(d.arguments);
        this.emit(this.add({ role: 'tool', text: `${name}(${args}) → ${output}`, final: true, tool: { name, args, status: 'answered', result: output } }));
        return;
      }
      case 'grounding': {
        const queries = Array.isArray(d.queries) ? d.queries.filter((q): q is string => typeof q === 'string') : [];
        const sources = Array.isArray(d.sources)
          ? d.sources.filter((x): x is { title?: unknown; uri?: unknown } => !!x && typeof x === 'object').map((x) => ({ title: str(x.title), uri: str(x.uri) }))
          : [];
        if (!queries.length && !sources.length) return;
        const text = `searched ${queries.map((q) => `“${q}”`).join(', ') || '(no query)'}${sources.length ? ` — sources: ${sources.map((x) => x.title || x.uri).join(', ')}` : ''}`;
        this.emit(this.add({ role: 'tool', text, final: true, grounding: { queries, sources } }));
        return;
      }
      default:
        return;
    }
  }

  /**
   * The first text of an utterance. One that began before turns added since (its reply, tool
   * calls) is shown in front of them; otherwise it follows the conversation and ends the reply
   * in progress, as a new utterance does.
   */
  private startUserTurn(text: string, final: boolean): ConversationTurn {
    const from = this.utteranceFrom;
    const at = from === null ? -1 : this.turns.findIndex((t) => turnNumber(t) >= from);
    if (at < 0 || this.turns.slice(at).some((t) => t.role === 'user')) {
      this.closeBot();
      return this.add({ role: 'user', text, final });
    }
    const turn: ConversationTurn = { id: `turn-${this.nextId++}`, role: 'user', text, final };
    this.turns.splice(at, 0, turn);
    if (this.turns.length > this.maxTurns) this.turns.splice(0, this.turns.length - this.maxTurns);
    return turn;
  }

  /** Whether a reply (or anything else) followed this user turn. */
  private answered(turn: ConversationTurn): boolean {
    return this.turns.at(-1) !== turn;
  }

  private closeBot(): void {
    if (!this.openBot) return;
    this.openBot.final = true;
    const cutAt = this.segments.findIndex((s) => s.status !== 'completed');
    if (cutAt >= 0) {
      const heard = this.heardText();
      const streamed = this.botStreamed.trim();
      this.openBot.text = !this.wordProgress && streamed.length > heard.length ? streamed : heard;
      const unheard = joinText([this.segments[cutAt]!.remaining.trim(), ...this.segments.slice(cutAt + 1).map((s) => s.text)]);
      if (unheard) this.openBot.unspoken = unheard;
      else delete this.openBot.unspoken;
      this.openBot.cut = true;
    } else if (this.segments.length) this.openBot.text = this.fullText();
    else if (this.botSentences && !this.openBot.cut) this.openBot.text = this.botSentences;
    // A sentence left in progress (never completed) when the reply ended was cut off.
    if (this.lastBotStatus === 'in-progress') this.openBot.cut = true;
    this.emit(this.openBot);
    this.lastBot = this.openBot;
    this.openBot = null;
  }

  /** Bot text while no reply is open and the bot is silent belongs to the reply that just ended. */
  private reopenBot(): void {
    if (this.openBot || this.botSpeaking || !this.lastBot || this.turns.at(-1) !== this.lastBot) {
      if (!this.openBot && this.lastBot && this.turns.at(-1) !== this.lastBot) this.lastBot = null;
      return;
    }
    this.openBot = this.lastBot;
  }

  /** Continues the open (or just finished) reply, or starts the text of a new one. */
  private startBotText(): void {
    this.reopenBot();
    if (!this.openBot) this.resetBotText();
  }

  private resetBotText(): void {
    this.interruptedBot = null;
    this.lastBotSentence = '';
    this.botSentences = '';
    this.botStreamed = '';
    this.lastBotStatus = undefined;
    this.botTextOnly = false;
    this.segments = [];
    this.wordProgress = false;
  }

  /** A `bot-output` with `spoken_progress`: live word progress (Pipecat) or a cut-off report (ours). */
  private onProgress(seq: number | undefined, d: Record<string, unknown>, text: string, heard: string, unheard: string): void {
    if (!this.openBot && this.interruptedBot) {
      // The report of a reply the user spoke over: it rejoins that reply, wherever it now sits.
      this.openBot = this.interruptedBot;
      if (seq !== undefined && this.pendingFirstSeq === seq) this.pendingFirstSeq = undefined;
    }
    this.startBotText();
    const key = typeof d.segment_id === 'number' || typeof d.segment_id === 'string' ? `#${d.segment_id}` : `t:${text}`;
    let seg = this.segments.find((s) => s.key === key);
    if (!seg) {
      seg = { key, text, heard: '', remaining: text, status: undefined };
      this.segments.push(seg);
    }
    seg.heard = heard;
    seg.remaining = unheard;
    seg.status = d.spoken_status;
    if (d.spoken_status === 'new') this.wordProgress = true;
    if (!this.openBot) this.openBot = this.newBotTurn(this.fullText());
    // Text for a reply the bot has stopped speaking (a late cut-off report) settles it at once.
    if (!this.botSpeaking) this.closeBot();
    else this.showBot();
  }

  /** Everything this reply says: plain sentences, then the sentences reported with progress. */
  private fullText(): string {
    return joinText([this.botSentences, ...this.segments.map((s) => s.text)]);
  }

  /** What was heard: every sentence up to the first one not completed, and that one's spoken part. */
  private heardText(): string {
    const parts = [this.botSentences];
    for (const s of this.segments) {
      if (s.status === 'completed') parts.push(s.text);
      else {
        parts.push(s.heard.trim());
        break;
      }
    }
    return joinText(parts);
  }

  private showBot(): void {
    const sentences = this.fullText();
    const text = !this.wordProgress && this.botStreamed.trim().length > sentences.length ? this.botStreamed.trim() : sentences;
    if (!text) return;
    if (!this.openBot) this.openBot = this.newBotTurn(text);
    else this.openBot.text = text;
    this.emit(this.openBot);
  }

  private newBotTurn(text: string): ConversationTurn {
    const turn = this.add({ role: 'bot', text, final: false });
    if (this.pendingLatency !== undefined) turn.voiceToVoiceMs = this.pendingLatency;
    if (this.pendingFirstSeq !== undefined) turn.firstSeq = this.pendingFirstSeq;
    this.pendingLatency = undefined;
    this.pendingFirstSeq = undefined;
    return turn;
  }

  /** Latency (the Metrics view's rules) and the reply's first event, from the rows' seq and t. */
  private track(type: string, meta: RtviMeta): void {
    if (!this.metrics || this.metrics.session !== meta.session) this.metrics = new SessionMetricsAccumulator(meta.session);
    if (LATENCY_TYPES.has(type)) {
      this.metrics.add({ seq: meta.seq, session: meta.session, t: meta.t, wall: 0, source: 'rtvi', direction: 'local', type, data: null });
      if (type === 'bot-started-speaking') {
        const m = this.metrics.turns.at(-1);
        const latency = m && m.botStartedAt === meta.t && m.voiceToVoiceMs !== null ? Math.round(m.voiceToVoiceMs) : undefined;
        if (latency !== undefined) {
          if (this.openBot && this.openBot.voiceToVoiceMs === undefined) {
            this.openBot.voiceToVoiceMs = latency;
            this.emit(this.openBot);
          } else if (!this.openBot) this.pendingLatency = latency;
        }
      }
    }
    if (BOT_TYPES.has(type) && !this.openBot && this.pendingFirstSeq === undefined && !(this.lastBot && this.turns.at(-1) === this.lastBot && !this.botSpeaking && type !== 'bot-llm-started' && type !== 'bot-started-speaking')) {
      this.pendingFirstSeq = meta.seq;
    }
  }

  private add(t: Omit<ConversationTurn, 'id'>): ConversationTurn {
    const turn: ConversationTurn = { id: `turn-${this.nextId++}`, ...t };
    if (t.role !== 'bot') this.lastBot = null;
    if (turn.toolCallId === undefined) delete turn.toolCallId;
    if (turn.tool === undefined) delete turn.tool;
    this.turns.push(turn);
    if (this.turns.length > this.maxTurns) this.turns.splice(0, this.turns.length - this.maxTurns);
    return turn;
  }

  private emit(turn: ConversationTurn): void {
    const i = this.turns.indexOf(turn);
    const next = i >= 0 ? this.turns[i + 1] : undefined;
    if (next) this.onTurn({ ...turn }, next.id);
    else this.onTurn({ ...turn });
  }
}

function turnNumber(t: ConversationTurn): number {
  return Number(t.id.slice('turn-'.length));
}

function joinText(parts: string[]): string {
  return parts.filter((p) => p).join(' ');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
