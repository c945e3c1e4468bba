import type { LogEvent } from '../shared/log-event.ts';

/**
 * Per-turn latency and usage, from the event stream alone. All times are the rows' `t` (ms since
 * connect on the host's monotonic clock); speaking rows are stamped by the media manager on the
 * audio clock (capture for the local VAD, actual playback for bot speech), so voice-to-voice here
 * is "user stopped talking → bot audio audible", not network arrival.
 */
export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface TurnMetrics {
  /** 1-based within the session. */
  turn: number;
  /** When the user stopped speaking, or null for a turn not started by speech (text, greeting). */
  userStoppedAt: number | null;
  /** Which clock gave userStoppedAt: the local VAD (preferred) or the adapter's RTVI event. */
  stopSource: 'local-vad' | 'rtvi' | null;
  /** First inbound provider audio frame after the user stopped. */
  firstProviderAudioAt: number | null;
  /** First bot-started-speaking (audio actually played). */
  botStartedAt: number | null;
  voiceToVoiceMs: number | null;
  timeToFirstAudioMs: number | null;
  /** Barge-in while the bot was speaking. */
  interruptedAt: number | null;
  /** Barge-in → bot-stopped-speaking. */
  interruptionMs: number | null;
  tokens: TokenUsage | null;
}

export interface SessionMetrics {
  session: number | null;
  /** t of bot-ready. */
  connectToReadyMs: number | null;
  turns: TurnMetrics[];
  totals: TokenUsage;
}

const BARGE_IN_RAW = new Set(['input_audio_buffer.speech_started']);

/** Reads token usage from an RTVI `metrics` row: `data.tokens[i]` (plain, or under `value`). */
export function tokensOf(data: unknown): TokenUsage | null {
  const list = (data as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list) || list.length === 0) return null;
  const sum: TokenUsage = { prompt: 0, completion: 0, total: 0 };
  let any = false;
  for (const entry of list) {
    const e = entry && typeof entry === 'object' ? ((entry as { value?: unknown }).value && typeof (entry as { value?: unknown }).value === 'object' ? (entry as { value: Record<string, unknown> }).value : (entry as Record<string, unknown>)) : null;
    if (!e) continue;
    const p = num(e.prompt_tokens);
    const c = num(e.completion_tokens);
    const t = num(e.total_tokens);
    if (p === null && c === null && t === null) continue;
    any = true;
    sum.prompt += p ?? 0;
    sum.completion += c ?? 0;
    sum.total += t ?? (p ?? 0) + (c ?? 0);
  }
  return any ? sum : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isGeminiInterrupted(ev: LogEvent): boolean {
  if (ev.type !== 'serverContent' || !ev.data || typeof ev.data !== 'object') return false;
  const d = ev.data as Record<string, unknown>;
  const sc = (d.serverContent && typeof d.serverContent === 'object' ? d.serverContent : d) as Record<string, unknown>;
  return sc.interrupted === true;
}

/** Folds events of one session into per-turn metrics; feed rows in arrival order. */
export class SessionMetricsAccumulator {
  readonly turns: TurnMetrics[] = [];
  readonly totals: TokenUsage = { prompt: 0, completion: 0, total: 0 };
  connectToReadyMs: number | null = null;
  private localStop: number | null = null;
  private rtviStop: number | null = null;
  /** Turn waiting for its bot-started-speaking (created by the first provider audio). */
  private pending: TurnMetrics | null = null;
  /** Turn whose bot audio is playing. */
  private speaking: TurnMetrics | null = null;
  /** Last turn; metrics rows attach to it until a new turn begins. */
  private last: TurnMetrics | null = null;
  /** First provider audio that arrived before any stop was known (the stop may be logged late). */
  private unclaimedAudioAt: number | null = null;

  constructor(readonly session: number | null = null) {}

  add(ev: LogEvent): void {
    if (this.session !== null && ev.session !== this.session) return;
    if (ev.source === 'raw') {
      this.onRaw(ev);
      return;
    }
    switch (ev.type) {
      case 'bot-ready':
        if (this.connectToReadyMs === null) this.connectToReadyMs = ev.t;
        break;
      case 'local-vad-started':
        this.localStop = null;
        this.bargeIn(ev.t);
        break;
      case 'local-vad-stopped':
        if (!this.lateStop(ev.t, 'local-vad')) this.localStop = ev.t;
        break;
      case 'user-started-speaking':
        this.rtviStop = null;
        this.bargeIn(ev.t);
        break;
      case 'user-stopped-speaking':
        if (!this.lateStop(ev.t, 'rtvi')) this.rtviStop = ev.t;
        break;
      case 'bot-started-speaking':
        this.onBotStarted(ev.t);
        break;
      case 'bot-stopped-speaking':
        if (this.speaking) {
          const turn = this.speaking;
          if (turn.interruptedAt !== null && turn.interruptionMs === null) turn.interruptionMs = ev.t - turn.interruptedAt;
          this.speaking = null;
        }
        break;
      case 'metrics': {
        const tok = tokensOf(ev.data);
        if (!tok) break;
        this.totals.prompt += tok.prompt;
        this.totals.completion += tok.completion;
        this.totals.total += tok.total;
        const turn = this.pending ?? this.last ?? this.newTurn(null);
        // A tool call's follow-up response belongs to the same user turn: its usage adds up.
        turn.tokens = turn.tokens ? { prompt: turn.tokens.prompt + tok.prompt, completion: turn.tokens.completion + tok.completion, total: turn.tokens.total + tok.total } : tok;
        break;
      }
    }
  }

  private userStop(): { at: number; source: 'local-vad' | 'rtvi' } | null {
    if (this.localStop !== null) return { at: this.localStop, source: 'local-vad' };
    if (this.rtviStop !== null) return { at: this.rtviStop, source: 'rtvi' };
    return null;
  }

  private newTurn(stop: { at: number; source: 'local-vad' | 'rtvi' } | null): TurnMetrics {
    const turn: TurnMetrics = { turn: this.turns.length + 1, userStoppedAt: stop?.at ?? null, stopSource: stop?.source ?? null, firstProviderAudioAt: null, botStartedAt: null, voiceToVoiceMs: null, timeToFirstAudioMs: null, interruptedAt: null, interruptionMs: null, tokens: null };
    this.turns.push(turn);
    this.last = turn;
    return turn;
  }

  private onRaw(ev: LogEvent): void {
    if (ev.direction === 'in' && (BARGE_IN_RAW.has(ev.type) || isGeminiInterrupted(ev))) {
      this.bargeIn(ev.t);
      return;
    }
    if (ev.direction !== 'in' || !ev.audio || this.pending || this.speaking) return;
    const stop = this.userStop();
    if (!stop) {
      this.unclaimedAudioAt ??= ev.t;
      return;
    }
    const turn = this.newTurn(stop);
    turn.firstProviderAudioAt = ev.t;
    turn.timeToFirstAudioMs = ev.t - stop.at;
    this.pending = turn;
  }

  private onBotStarted(t: number): void {
    if (this.speaking) return;
    const turn = this.pending ?? this.newTurn(this.userStop());
    if (turn.firstProviderAudioAt === null && this.unclaimedAudioAt !== null) turn.firstProviderAudioAt = this.unclaimedAudioAt;
    this.unclaimedAudioAt = null;
    this.pending = null;
    turn.botStartedAt = t;
    if (turn.userStoppedAt !== null) turn.voiceToVoiceMs = t - turn.userStoppedAt;
    this.localStop = null;
    this.rtviStop = null;
    this.speaking = turn;
  }

  /**
   * A stop stamped before the last turn's bot-started-speaking but logged after it (rows arrive in
   * logging order; the capture worklet's message can wait behind a busy renderer) belongs to that
   * turn. Returns true when it was claimed, so it does not linger as the next turn's stop.
   */
  private lateStop(t: number, source: 'local-vad' | 'rtvi'): boolean {
    const turn = this.last;
    if (!turn || turn.botStartedAt === null || t > turn.botStartedAt) return false;
    const previous = this.turns.length > 1 ? this.turns[this.turns.length - 2] : null;
    if (previous?.botStartedAt != null && t <= previous.botStartedAt) return false;
    if (turn.stopSource === 'local-vad' || (source === 'rtvi' && turn.stopSource !== null)) return false;
    turn.userStoppedAt = t;
    turn.stopSource = source;
    turn.voiceToVoiceMs = turn.botStartedAt - t;
    turn.timeToFirstAudioMs = turn.firstProviderAudioAt !== null ? turn.firstProviderAudioAt - t : null;
    return true;
  }

  private bargeIn(t: number): void {
    const turn = this.speaking;
    if (turn && turn.interruptedAt === null) turn.interruptedAt = t;
  }

  snapshot(): SessionMetrics {
    return { session: this.session, connectToReadyMs: this.connectToReadyMs, turns: this.turns.map((t) => ({ ...t, tokens: t.tokens ? { ...t.tokens } : null })), totals: { ...this.totals } };
  }
}

/** Metrics for one session of `events` (default: the last session present). */
export function computeSessionMetrics(events: Iterable<LogEvent>, session?: number): SessionMetrics {
  const list = Array.isArray(events) ? (events as LogEvent[]) : [...events];
  const target = session ?? (list.length > 0 ? list[list.length - 1].session : null);
  const acc = new SessionMetricsAccumulator(target);
  for (const ev of list) acc.add(ev);
  return acc.snapshot();
}

/** Median of the non-null values, or null. */
export function median(values: ReadonlyArray<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
