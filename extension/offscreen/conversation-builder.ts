import type { ConversationTurn } from '../shared/messages.ts';

/**
 * Turns RTVI messages into the conversation the panel shows (`You: …` / `Bot: …` / `Tool: …`).
 * User partials carry the turn's text so far (RTVI 2.x), so they replace; bot text arrives per
 * sentence in `bot-output` (repeated with a new `spoken_status`), so new sentences append.
 */
export class ConversationBuilder {
  private turns: ConversationTurn[] = [];
  private openUser: ConversationTurn | null = null;
  private openBot: ConversationTurn | null = null;
  private lastBotSentence = '';
  private nextId = 1;

  constructor(private readonly onTurn: (turn: ConversationTurn) => void, private readonly maxTurns = 500) {}

  get all(): ConversationTurn[] {
    return this.turns.map((t) => ({ ...t }));
  }

  clear(): void {
    this.turns = [];
    this.openUser = null;
    this.openBot = null;
    this.lastBotSentence = '';
  }

  /** Text the user sent from the panel. */
  addUserText(text: string): void {
    this.closeBot();
    this.openUser = null;
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
        if (!this.openBot) this.openBot = this.add({ role: 'bot', text, final: false });
        else this.openBot.text = `${this.openBot.text} ${text}`;
        this.emit(this.openBot);
        break;
      }
      case 'bot-stopped-speaking':
      case 'bot-llm-stopped':
        if (type === 'bot-stopped-speaking') this.closeBot();
        break;
      case 'llm-function-call-in-progress': {
        const name = typeof d.function_name === 'string' ? d.function_name : 'function';
        const args = JSON.stringify(d.arguments ?? {});
        const turn = this.add({ role: 'tool', text: `${name}(${args})`, final: false, toolCallId: typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined });
        this.emit(turn);
        break;
      }
      case 'llm-function-call-stopped': {
        const id = typeof d.tool_call_id === 'string' ? d.tool_call_id : undefined;
        const turn = id ? this.turns.find((t) => t.role === 'tool' && t.toolCallId === id) : undefined;
        if (turn) {
          turn.final = true;
          if (d.cancelled === true) turn.text += ' — cancelled';
          else if ('result' in d) turn.text += ` → ${truncate(JSON.stringify(d.result) ?? 'undefined', 200)}`;
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
    this.emit(this.openBot);
    this.openBot = null;
    this.lastBotSentence = '';
  }

  private add(t: Omit<ConversationTurn, 'id'>): ConversationTurn {
    const turn: ConversationTurn = { id: `turn-${this.nextId++}`, ...t };
    if (turn.toolCallId === undefined) delete turn.toolCallId;
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
