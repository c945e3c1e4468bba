import { describe, expect, it } from 'vitest';
import { EchoGuard } from './echo-guard.ts';

/** A 20 ms chunk at 16 kHz of a sine at `rms`. */
const chunk = (rms: number) => Int16Array.from({ length: 320 }, (_, i) => Math.round(rms * Math.SQRT2 * 32767 * Math.sin((2 * Math.PI * 440 * i) / 16000)));

/** Runs `ms` of 20 ms chunks at `micRms` while the bot plays at `botRms`; returns how many went out as silence. */
function run(g: EchoGuard, ms: number, botRms: number, micRms: number, t0 = 0): { silenced: number; t: number } {
  let silenced = 0;
  let t = t0;
  for (; t < t0 + ms; t += 20) {
    if (t % 50 === 0) g.noteBotLevel(botRms, t);
    if (g.silences(chunk(micRms), 20, t)) silenced++;
  }
  return { silenced, t };
}

describe('EchoGuard', () => {
  it("silences echo under the bot's level while the canceller learns, then trusts it", () => {
    const g = new EchoGuard({ windowMs: 1000, marginDb: 6 });
    g.reset(true);
    expect(g.state).toBe('learning');
    // Echo left by an unconverged canceller: the bot at 0.1, the microphone at 0.03 (−10 dB).
    const first = run(g, 1000, 0.1, 0.03);
    expect(first.silenced).toBeGreaterThanOrEqual(45);
    expect(g.state).toBe('done');
    expect(run(g, 500, 0.1, 0.03, first.t).silenced).toBe(0);
    expect(g.silenced).toBe(first.silenced);
  });

  it('lets speech louder than the bot through at once, and counts no window while the bot is silent', () => {
    const g = new EchoGuard({ windowMs: 1000 });
    g.reset(true);
    expect(run(g, 400, 0.1, 0.2).silenced).toBe(0);
    // The bot silent: a quiet user is not touched and the window does not run down.
    const quiet = run(g, 5000, 0, 0.01, 1000);
    expect(quiet.silenced).toBe(0);
    expect(g.state).toBe('learning');
  });

  it('forgets a bot level older than its hold, so a reply that ended guards nothing', () => {
    const g = new EchoGuard();
    g.reset(true);
    g.noteBotLevel(0.2, 0);
    expect(g.silences(chunk(0.01), 20, 100)).toBe(true);
    expect(g.silences(chunk(0.01), 20, 400)).toBe(false);
  });

  it('is off without a canceller (headphones) and starts over on a new stream', () => {
    const g = new EchoGuard({ windowMs: 200 });
    g.reset(false);
    expect(g.state).toBe('off');
    expect(run(g, 400, 0.1, 0.01).silenced).toBe(0);
    g.reset(true);
    run(g, 400, 0.1, 0.01);
    expect(g.state).toBe('done');
    g.reset(true);
    expect(g.state).toBe('learning');
    expect(g.silenced).toBe(0);
  });
});
