/**
 * The echo guard: while the browser's echo canceller is still learning the room, a microphone chunk
 * quieter than the bot's own voice is sent as silence.
 *
 * Why: Chromium's canceller starts every microphone stream unconverged. On the latency rig's
 * acoustic path (the speaker heard 40 ms later at −6 dB), the first second of a fresh stream's first
 * reply reached the provider up to 17 dB above the fake VAD's threshold, a false barge-in in 3 of 5
 * turns, and a plain page with the same constraints leaked the same way (BENCHMARKS.md, echo table);
 * once converged it removed 40–76 dB. So for the first `windowMs` of bot speech in a stream (the
 * canceller's learning time, which we cannot read from the browser), a chunk whose level is under
 * the bot's output level by more than `marginDb` is taken for echo. Echo reaches the microphone no
 * louder than the speaker plays it, while speech said over the bot at the same microphone is
 * normally louder than the bot's echo there. The cost, stated in README: during that window a
 * barge-in quieter than the bot's level − `marginDb` at the microphone is held until it is louder.
 */
export interface EchoGuardOptions {
  /** Bot speech (ms, summed over replies) after which the canceller is trusted (default 2500). */
  windowMs?: number;
  /** A chunk is echo when its RMS is below the bot's output RMS by more than this (default 6 dB). */
  marginDb?: number;
}

/** Bot output quieter than this (−50 dBFS) is silence: no guard. */
const BOT_AUDIBLE_RMS = 0.00316;
/**
 * The bot level reports cover the last `HOLD_MS`: playback out → speaker → room → microphone →
 * Chrome's capture processing → our chunk takes tens of ms, and the player reports every 50 ms.
 */
const HOLD_MS = 300;

export type EchoGuardState = 'off' | 'learning' | 'done';

export class EchoGuard {
  private readonly windowMs: number;
  private readonly ratio: number;
  private enabled = true;
  private botSpeechMs = 0;
  private readonly levels: Array<{ at: number; rms: number }> = [];
  /** Chunks sent as silence since the last reset. */
  silenced = 0;

  constructor(opts: EchoGuardOptions = {}) {
    this.windowMs = opts.windowMs ?? 2500;
    this.ratio = 10 ** (-(opts.marginDb ?? 6) / 20);
  }

  /** A new microphone stream (a new canceller): learning starts again; `enabled` false with no canceller (headphones). */
  reset(enabled: boolean): void {
    this.enabled = enabled && this.windowMs > 0;
    this.botSpeechMs = 0;
    this.levels.length = 0;
    this.silenced = 0;
  }

  get state(): EchoGuardState {
    if (!this.enabled) return 'off';
    return this.botSpeechMs < this.windowMs ? 'learning' : 'done';
  }

  /** The player's output level, as it reports it (rms of the last window it rendered). */
  noteBotLevel(rms: number, atMs: number): void {
    if (this.state !== 'learning') return;
    this.levels.push({ at: atMs, rms });
    while (this.levels.length && this.levels[0].at < atMs - HOLD_MS) this.levels.shift();
  }

  /**
   * Whether this microphone chunk (PCM16, `chunkMs` long, about to be sent at `atMs`) goes out as
   * silence. Counts bot speech toward the window as it passes.
   */
  silences(pcm: Int16Array, chunkMs: number, atMs: number): boolean {
    if (this.state !== 'learning') return false;
    let bot = 0;
    for (const l of this.levels) if (l.at >= atMs - HOLD_MS && l.rms > bot) bot = l.rms;
    if (bot < BOT_AUDIBLE_RMS) return false;
    this.botSpeechMs += chunkMs;
    if (rmsOf(pcm) >= bot * this.ratio) return false;
    this.silenced++;
    return true;
  }
}

function rmsOf(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += (pcm[i] / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}
