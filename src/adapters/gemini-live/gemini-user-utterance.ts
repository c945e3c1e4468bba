import { UserTranscriptAccumulator } from '../../rtvi/user-transcript-accumulator.ts';

/**
 * One user utterance's transcript on Gemini Live. Input transcription "is sent independently of
 * other server messages and there is no guaranteed ordering" [GEN-T `LiveServerContent`], so its
 * fragments come before the model's turn, between its parts, after `generationComplete` and even
 * after `turnComplete`. All of them belong to one utterance, which gets exactly one final:
 * - when the server marks a fragment `finished`;
 * - `settleMs` after the bot's turn ended with no further fragment (late ones restart the wait);
 * - when the user starts speaking again after the bot answered;
 * - `unansweredMs` after the last fragment when no bot turn answered it;
 * - when the session ends.
 */
export interface UtteranceSink {
  emit(text: string, final: boolean, sourceFrameIds: number[]): void;
  /** Whether the bot's turn is in progress (the utterance then stays open). */
  botTurnActive(): boolean;
}

export class GeminiUserUtterance {
  private readonly text = new UserTranscriptAccumulator();
  private answered = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSource: number[] = [];

  constructor(
    private readonly sink: UtteranceSink,
    private readonly settleMs: number,
    private readonly unansweredMs: number,
  ) {}

  fragment(text: string, finished: boolean, src: number[]): void {
    if (text) {
      const update = this.text.append(text);
      if (update) this.sink.emit(update.text, false, src);
      this.lastSource = src;
      if (!this.sink.botTurnActive()) this.schedule();
    }
    if (finished) this.finish(src);
  }

  /** The bot's turn began: the open utterance has been answered. */
  botTurnStarted(): void {
    clearTimeout(this.timer);
    if (this.text.hasText) this.answered = true;
  }

  /** The bot's turn ended: late fragments may still come, so the final waits a moment. */
  botTurnEnded(): void {
    if (this.text.hasText) this.schedule();
  }

  /** New speech (voice activity, local detector, push-to-talk): a new utterance once this one was answered. */
  userSpeechStarted(src: number[]): void {
    if (this.answered && !this.sink.botTurnActive()) this.finish(src);
  }

  finish(src: number[] = this.lastSource): void {
    clearTimeout(this.timer);
    this.answered = false;
    const fin = this.text.finish();
    if (fin) this.sink.emit(fin.text, true, src);
  }

  reset(): void {
    clearTimeout(this.timer);
    this.answered = false;
    this.lastSource = [];
    this.text.reset();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const wait = this.answered ? this.settleMs : Math.max(this.settleMs, this.unansweredMs);
    this.timer = setTimeout(() => {
      if (!this.sink.botTurnActive()) this.finish();
    }, wait);
  }
}
