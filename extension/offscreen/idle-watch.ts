/**
 * Ends a session nobody is using: a realtime session bills for its open audio stream (and a
 * forgotten tab keeps one open for hours), so after `timeoutMs` with no speech or text from
 * either side the session is warned (`warnLeadMs` ahead, 30 s by default, or half the limit when
 * that is shorter) and then disconnected.
 */
export interface IdleWatchOptions {
  timeoutMs: number;
  warnLeadMs?: number;
  onWarn(remainingMs: number): void;
  onIdle(): void;
  setTimer?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  clearTimer?: (t: ReturnType<typeof setTimeout>) => void;
}

/** RTVI rows that mean someone spoke, typed or was answered. */
export const IDLE_ACTIVITY_TYPES: ReadonlySet<string> = new Set([
  'user-started-speaking',
  'user-stopped-speaking',
  'local-vad-started',
  'user-transcription',
  'bot-started-speaking',
  'bot-stopped-speaking',
  'bot-output',
  'bot-tts-text',
  'llm-function-call-in-progress',
  'llm-function-call-stopped',
]);

export class IdleWatch {
  private warnTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly set: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  private readonly clear: (t: ReturnType<typeof setTimeout>) => void;

  constructor(private readonly options: IdleWatchOptions) {
    this.set = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clear = options.clearTimer ?? ((t) => clearTimeout(t));
    this.activity();
  }

  get leadMs(): number {
    return Math.min(this.options.warnLeadMs ?? 30_000, this.options.timeoutMs / 2);
  }

  /** Someone spoke or typed: the countdown starts again. */
  activity(): void {
    if (this.stopped) return;
    this.clearTimers();
    const { timeoutMs } = this.options;
    const lead = this.leadMs;
    this.warnTimer = this.set(() => this.options.onWarn(lead), timeoutMs - lead);
    this.idleTimer = this.set(() => {
      this.stop();
      this.options.onIdle();
    }, timeoutMs);
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.warnTimer !== undefined) this.clear(this.warnTimer);
    if (this.idleTimer !== undefined) this.clear(this.idleTimer);
    this.warnTimer = this.idleTimer = undefined;
  }
}
