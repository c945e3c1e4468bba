import { cutTrack, type TrackAudio } from './mic-track.ts';
import type { ReplayPlan, ReplayStep } from './replay-plan.ts';

/** What a replay needs of the running session (the session host provides it). */
export interface ReplayRunnerDeps {
  /** Plays PCM into the capture path in place of the microphone; resolves when all of it was sent. */
  injectAudio(pcm: Int16Array, sampleRate: number, signal: AbortSignal): Promise<unknown>;
  sendText(text: string): Promise<void>;
  /** Rows for the event log (and so the new recording): what the replay did and when. */
  log(type: string, data: Record<string, unknown>): void;
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ReplayRunnerOptions {
  /** Longest wait for a reply to start, or to finish, before the replay moves on. Default 20 s. */
  replyTimeoutMs?: number;
  /** Silence after bot-stopped-speaking that ends a reply (a reply may pause for a tool call). Default 700 ms. */
  settleMs?: number;
}

export interface ReplayStepReport {
  turn: number;
  kind: ReplayStep['kind'];
  anchor: ReplayStep['anchor'];
  /** What went wrong waiting for the bot, if anything (the replay went on). */
  timedOut?: 'reply-start' | 'reply-end';
  sentMs?: number;
}

export interface ReplayReport {
  steps: ReplayStepReport[];
  warnings: string[];
  aborted: boolean;
}

/**
 * Plays a replay plan into a live session, anchored on the new bot's speech: it follows the
 * session's `bot-started-speaking` / `bot-stopped-speaking` (fed in through onBotStarted /
 * onBotStopped) rather than the source's clock.
 */
export class ReplayRunner {
  private starts = 0;
  private speaking = false;
  private lastStopAt = 0;
  private waiters = new Set<() => void>();
  private readonly replyTimeoutMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly deps: ReplayRunnerDeps,
    options: ReplayRunnerOptions = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? 20_000;
    this.settleMs = options.settleMs ?? 700;
  }

  onBotStarted(): void {
    this.starts++;
    this.speaking = true;
    this.wake();
  }

  onBotStopped(): void {
    this.speaking = false;
    this.lastStopAt = this.now();
    this.wake();
  }

  async run(plan: ReplayPlan, mic: TrackAudio | null, signal: AbortSignal): Promise<ReplayReport> {
    const report: ReplayReport = { steps: [], warnings: [...plan.warnings], aborted: false };
    let repliesBefore = this.starts;
    let expectReply = false;
    try {
      for (const step of plan.steps) {
        const row: ReplayStepReport = { turn: step.turn, kind: step.kind, anchor: step.anchor };
        if (step.anchor === 'barge-in') {
          // The source's user spoke over the reply: wait for the new reply to start, then the same offset into it.
          if (!(await this.waitFor(() => this.starts > repliesBefore, signal))) row.timedOut = 'reply-start';
        } else if (expectReply) {
          if (!(await this.waitReplyEnd(repliesBefore, signal))) row.timedOut = this.starts > repliesBefore ? 'reply-end' : 'reply-start';
        }
        await this.sleep(step.delayMs, signal);
        repliesBefore = this.starts;
        this.deps.log('replay-step', { turn: step.turn, kind: step.kind, anchor: step.anchor, delayMs: Math.round(step.delayMs), ...(row.timedOut ? { timedOut: row.timedOut } : {}) });
        if (step.kind === 'audio') {
          if (!mic) throw new Error('The source recording has no microphone track to replay.');
          const pcm = cutTrack(mic, step.cut);
          const t0 = this.now();
          await this.deps.injectAudio(pcm, mic.sampleRate, signal);
          row.sentMs = Math.round(this.now() - t0);
        } else {
          await this.deps.sendText(step.text);
        }
        expectReply = step.expectsReply;
        report.steps.push(row);
      }
      if (expectReply && !(await this.waitReplyEnd(repliesBefore, signal))) report.warnings.push('The last reply did not finish in time.');
    } catch (e) {
      if (signal.aborted) report.aborted = true;
      else throw e;
    }
    return report;
  }

  /** A reply started after `before`, stopped, and stayed stopped for settleMs. */
  private async waitReplyEnd(before: number, signal: AbortSignal): Promise<boolean> {
    if (!(await this.waitFor(() => this.starts > before, signal))) return false;
    for (;;) {
      if (!(await this.waitFor(() => !this.speaking, signal))) return false;
      const quietFor = this.now() - this.lastStopAt;
      if (quietFor >= this.settleMs) return true;
      const startsNow = this.starts;
      // Wait out the rest of the settle time, unless the bot starts again.
      const resumed = await this.waitFor(() => this.starts > startsNow, signal, this.settleMs - quietFor);
      if (!resumed) return true;
    }
  }

  /** Resolves true once `cond` holds, false after the timeout; rejects when aborted. */
  private waitFor(cond: () => boolean, signal: AbortSignal, timeoutMs = this.replyTimeoutMs): Promise<boolean> {
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    if (cond()) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const done = (v: boolean | Error) => {
        this.waiters.delete(check);
        this.deps.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const check = () => {
        if (cond()) done(true);
      };
      const onAbort = () => done(new Error('aborted'));
      const timer = this.deps.setTimeout(() => done(false), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
    });
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.deps.clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = this.deps.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
