/**
 * The live self-interruption warning: the provider heard "the user" start speaking while the bot
 * was speaking, and it was probably the bot's own voice coming back through the microphone. Two
 * signs, either suffices: the microphone's level envelope follows the bot's (the echo after
 * cancellation is still there), or nothing cancels echo on the live path (stats or the user's own
 * echo check said so). A real barge-in over a cancelled echo shows neither.
 */
export type SelfHearingReason = 'mic follows the bot' | 'echo not cancelled';

const KEEP_MS = 3000;
const WINDOW_MS = 1500;
const MAX_LAG_MS = 300;
const LAG_STEP_MS = 20;
/** Pearson r of the envelopes at the best lag from which the microphone counts as hearing the bot. */
export const FOLLOW_R = 0.7;
/** Below this mean microphone level (RMS) there is nothing to hear: no correlation is judged. */
const MIN_MIC_LEVEL = 0.003;

type Series = Array<[number, number]>;

function valueAt(s: Series, t: number): number | null {
  let v: number | null = null;
  for (const [at, x] of s) {
    if (at > t) break;
    v = x;
  }
  return v;
}

/** Best Pearson r, over lags 0…300 ms (the bot first), of the microphone's envelope against the bot's. */
export function envelopeCorrelation(mic: Series, bot: Series, now: number): number {
  const m = mic.filter(([t]) => t >= now - WINDOW_MS && t <= now);
  if (m.length < 8) return 0;
  const mean = m.reduce((a, [, x]) => a + x, 0) / m.length;
  if (mean < MIN_MIC_LEVEL) return 0;
  let best = 0;
  for (let lag = 0; lag <= MAX_LAG_MS; lag += LAG_STEP_MS) {
    const pairs: Array<[number, number]> = [];
    for (const [t, x] of m) {
      const b = valueAt(bot, t - lag);
      if (b !== null) pairs.push([x, b]);
    }
    if (pairs.length < 8) continue;
    const mx = pairs.reduce((a, [x]) => a + x, 0) / pairs.length;
    const mb = pairs.reduce((a, [, b]) => a + b, 0) / pairs.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const [x, b] of pairs) {
      sxy += (x - mx) * (b - mb);
      sxx += (x - mx) ** 2;
      syy += (b - mb) ** 2;
    }
    if (sxx <= 1e-12 || syy <= 1e-12) continue;
    best = Math.max(best, sxy / Math.sqrt(sxx * syy));
  }
  return best;
}

export class SelfHearingDetector {
  private mic: Series = [];
  private bot: Series = [];

  micLevel(t: number, rms: number): void {
    this.push(this.mic, t, rms);
  }

  botLevel(t: number, rms: number): void {
    this.push(this.bot, t, rms);
  }

  reset(): void {
    this.mic = [];
    this.bot = [];
  }

  /** The provider's VAD fired at `t`: is it the bot hearing itself? */
  onUserSpeech(t: number, ctx: { botSpeaking: boolean; echoUncancelled: boolean }): SelfHearingReason | null {
    if (!ctx.botSpeaking) return null;
    if (envelopeCorrelation(this.mic, this.bot, t) >= FOLLOW_R) return 'mic follows the bot';
    return ctx.echoUncancelled ? 'echo not cancelled' : null;
  }

  private push(s: Series, t: number, v: number): void {
    s.push([t, v]);
    while (s.length && s[0][0] < t - KEEP_MS) s.shift();
  }
}
