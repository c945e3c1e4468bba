import type { Recording } from '../recordings/recording-format.ts';
import { botSpeechSpans, typedMessages, userSpeechSpans, type Span } from './recording-events.ts';

/**
 * The user's side of a recording as a schedule for a replay. Pure: it reads events only; the
 * audio of each step is cut from the 'mic' track later (mic-track.ts).
 *
 * Each step is anchored on the new session, not on the old clock, so a faster or slower target
 * keeps the conversation's shape:
 * - `after-bot` (or `after-start` before any reply): the step waits for the bot's previous reply
 *   to finish playing, then `delayMs` (the user's pause in the source), then plays;
 * - `barge-in`: the user spoke over the bot in the source; the step waits for the new reply to
 *   start playing, then `delayMs` (the same offset into the reply), then plays over it.
 */
export type ReplayAnchor = 'after-start' | 'after-bot' | 'barge-in';

export interface ReplayAudioStep {
  kind: 'audio';
  /** 1-based user turn in the source. */
  turn: number;
  anchor: ReplayAnchor;
  delayMs: number;
  /** The slice of the source's mic track to inject (recording clock, ms). */
  cut: Span;
  /** The user's speech inside the cut (what the source's VAD heard). */
  speech: Span;
  /** Whether the source had a bot reply to this turn (the replay then waits for one). */
  expectsReply: boolean;
}

export interface ReplayTextStep {
  kind: 'text';
  turn: number;
  anchor: ReplayAnchor;
  delayMs: number;
  text: string;
  expectsReply: boolean;
}

export type ReplayStep = ReplayAudioStep | ReplayTextStep;

export interface ReplayPlanOptions {
  /** Mic audio kept before the detected speech onset (the VAD's onset lags the voice). Default 300 ms. */
  leadMs?: number;
  /**
   * Mic audio kept after the detected offset: the trailing silence the provider's own turn
   * detection needs to end the turn (server VAD waits ~500 ms of silence). Default 800 ms, cut
   * short by the user's next action or the end of the track.
   */
  tailMs?: number;
  /** Longest pause reproduced before a step (a long idle in the source is shortened). Default 5 s. */
  maxDelayMs?: number;
}

export interface ReplayPlan {
  steps: ReplayStep[];
  /** User speech in the source with no mic audio under it (nothing to inject), by turn. */
  warnings: string[];
}

interface Action {
  t: number;
  end: number;
  speech?: Span;
  text?: string;
}

export function planReplay(rec: Recording, options: ReplayPlanOptions = {}): ReplayPlan {
  const leadMs = options.leadMs ?? 300;
  const tailMs = options.tailMs ?? 800;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const bot = botSpeechSpans(rec);
  const mic = micExtent(rec);
  const warnings: string[] = [];

  const actions: Action[] = [
    ...userSpeechSpans(rec).map((s) => ({ t: s.start, end: s.end, speech: s })),
    ...typedMessages(rec).map((m) => ({ t: m.t, end: m.t, text: m.text })),
  ].sort((a, b) => a.t - b.t);

  const steps: ReplayStep[] = [];
  let turn = 0;
  let prevEnd = 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    const next = actions[i + 1];
    const nextStart = next ? next.t : Infinity;
    turn++;
    // Did the bot reply to this action before the user's next one? (A reply starts after the action began.)
    const expectsReply = bot.some((b) => b.start >= a.t && b.start < nextStart);
    let cut: Span | null = null;
    if (a.speech) {
      const start = Math.max(a.speech.start - leadMs, prevEnd, mic ? mic.start : 0);
      const end = Math.min(a.speech.end + tailMs, nextStart, mic ? mic.end : a.speech.end + tailMs);
      if (!mic || end <= start) {
        warnings.push(`User turn ${turn}: no microphone audio was recorded under the speech at ${Math.round(a.speech.start)} ms; skipped.`);
        turn--;
        continue;
      }
      cut = { start, end };
    }
    const at = cut ? cut.start : a.t;
    const speaking = bot.find((b) => b.start <= a.t && a.t < b.end);
    let anchor: ReplayAnchor;
    let delayMs: number;
    if (speaking) {
      anchor = 'barge-in';
      delayMs = Math.max(0, at - speaking.start);
    } else {
      const lastReply = [...bot].reverse().find((b) => b.end <= a.t);
      anchor = lastReply ? 'after-bot' : 'after-start';
      delayMs = Math.min(maxDelayMs, Math.max(0, at - (lastReply ? lastReply.end : (steps.length ? prevEnd : 0))));
    }
    if (cut && a.speech) steps.push({ kind: 'audio', turn, anchor, delayMs, cut, speech: a.speech, expectsReply });
    else steps.push({ kind: 'text', turn, anchor, delayMs, text: a.text ?? '', expectsReply });
    prevEnd = cut ? cut.end : a.end;
  }
  return { steps, warnings };
}

/** First and last ms covered by the mic track, or null when the recording has none. */
function micExtent(rec: Recording): Span | null {
  let start = Infinity;
  let end = -Infinity;
  for (const c of rec.audio) {
    if (c.track !== 'mic') continue;
    start = Math.min(start, c.t);
    end = Math.max(end, c.t + (c.samples / c.sampleRate) * 1000);
  }
  return start < end ? { start, end } : null;
}
