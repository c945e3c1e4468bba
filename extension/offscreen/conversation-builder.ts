import type { ConversationTurn, ToolCallStatus } from '../shared/messages.ts';

/**
 * Turns RTVI messages into the conversation the panel shows (`You: …` / `Bot: …` / `Tool: …`).
 * User partials carry the turn's text so far (RTVI 2.x), so they replace; bot text arrives per
 * sentence in `bot-output` (repeated with a new `spoken_status`), so new sentences append, while
 * `bot-tts-text` deltas stream the words as they arrive; the turn shows whichever is further along
 * and settles on the sentences when the bot stops. Tool calls become cards keyed by call id.
 */
export class ConversationBuilder {
  private turns: ConversationTurn[] = [];
  private openUser: ConversationTurn | null = null;
  private openBot: ConversationTurn | null = null;
  private lastBotSentence = '';
  private botSentences = '';
  private botStreamed = '';
  private nextId = 1;
  /** Adapters that echo typed text as a final transcription would otherwise show it twice. */
  private lastTyped: string | null = null;

  /** `awaitsPanel(name)`: whether a call to that tool waits for the panel's `Send result` ("Ask me"). */
  constructor(
    private readonly onTurn: (turn: ConversationTurn) => void,
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
    this.openUser = null;
    this.openBot = null;
    this.lastBotSentence = '';
    this.botSentences = '';
    this.botStreamed = '';
  }

  /** Text the user sent from the panel. */
  addUserText(text: string): void {
    this.closeBot();
    this.openUser = null;
    this.lastTyped = text;
    this.emit(this.add({ role: 'user', text, final: true }));
  }

  onRtvi(type: string, data: unknown): void {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    switch (type) {
      case 'user-started-speaking':
        this.closeBot();
        break;
      case 'user-transcription': {
        const text = typeof d.text === 'string' ? d.text : '';
        const final = d.final === true;
        if (!this.openUser && final && text === this.lastTyped) {
          this.lastTyped = null;
          break;
        }
        this.lastTyped = null;
        this.closeBot();
        if (!this.openUser) this.openUser = this.add({ role: 'user', text, final });
        else {
          this.openUser.text = text;
          this.openUser.final = final;
        }
        this.emit(this.openUser);
        if (final) this.openUser = null;
        break;
      }
      case 'bot-output': {
        const text = typeof d.text === 'string' ? d.text.trim() : '';
        if (!text) break;
        if (this.openBot && text === this.lastBotSentence) break;
        this.openUser = null;
        this.lastBotSentence = text;
        this.botSentences = this.botSentences ? `${this.botSentences} ${text}` : text;
        this.showBot();
        break;
      }
      case 'bot-tts-text': {
        const delta = typeof d.text === 'string' ? d.text : '';
        if (!delta) break;
        this.openUser = null;
        this.botStreamed += delta;
        this.showBot();
        break;
      }
      case 'bot-stopped-speaking':
      case 'bot-llm-stopped':
        if (type === 'bot-stopped-speaking') this.closeBot();
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
      default:
        break;
    }
  }

  private closeBot(): void {
    if (!this.openBot) return;
    this.openBot.final = true;
    if (this.botSentences) this.openBot.text = this.botSentences;
    this.emit(this.openBot);
    this.openBot = null;
    this.lastBotSentence = '';
    this.botSentences = '';
    this.botStreamed = '';
  }

  private showBot(): void {
    const text = this.botStreamed.trim().length > this.botSentences.length ? this.botStreamed.trim() : this.botSentences;
    if (!text) return;
    if (!this.openBot) this.openBot = this.add({ role: 'bot', text, final: false });
    else this.openBot.text = text;
    this.emit(this.openBot);
  }

  private add(t: Omit<ConversationTurn, 'id'>): ConversationTurn {
    const turn: ConversationTurn = { id: `turn-${this.nextId++}`, ...t };
    if (turn.toolCallId === undefined) delete turn.toolCallId;
    if (turn.tool === undefined) delete turn.tool;
    this.turns.push(turn);
    if (this.turns.length > this.maxTurns) this.turns.splice(0, this.turns.length - this.maxTurns);
    return turn;
  }

  private emit(turn: ConversationTurn): void {
    this.onTurn({ ...turn });
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
