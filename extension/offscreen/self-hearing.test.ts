import { describe, expect, it } from 'vitest';
import { envelopeCorrelation, FOLLOW_R, SelfHearingDetector } from './self-hearing.ts';

/** A syllable-like bot envelope sampled every 50 ms. */
const botEnvelope = (t: number) => 0.1 * Math.max(0, Math.sin((2 * Math.PI * 4 * t) / 1000));

function feed(d: SelfHearingDetector, from: number, to: number, mic: (t: number) => number) {
  for (let t = from; t <= to; t += 50) {
    d.botLevel(t, botEnvelope(t));
    d.micLevel(t + 5, mic(t + 5));
  }
}

describe('self-interruption detector', () => {
  it('the microphone following the bot 80 ms late at −6 dB is the bot hearing itself', () => {
    const d = new SelfHearingDetector();
    feed(d, 0, 2000, (t) => 0.5 * botEnvelope(t - 80));
    expect(envelopeCorrelation((d as unknown as { mic: Array<[number, number]> }).mic, (d as unknown as { bot: Array<[number, number]> }).bot, 2005)).toBeGreaterThan(FOLLOW_R);
    expect(d.onUserSpeech(2005, { botSpeaking: true, echoUncancelled: false })).toBe('mic follows the bot');
  });

  it('a user talking over a cancelled echo (own rhythm) is a real barge-in', () => {
    const d = new SelfHearingDetector();
    feed(d, 0, 2000, (t) => (t > 1200 ? 0.08 + 0.04 * Math.sin((2 * Math.PI * 2.7 * t) / 1000 + 1) : 0.0005));
    expect(d.onUserSpeech(2005, { botSpeaking: true, echoUncancelled: false })).toBeNull();
  });

  it('with no echo cancellation on the live path, the VAD firing during the bot is suspect', () => {
    const d = new SelfHearingDetector();
    feed(d, 0, 2000, () => 0);
    expect(d.onUserSpeech(2005, { botSpeaking: true, echoUncancelled: true })).toBe('echo not cancelled');
  });

  it('speech while the bot is silent is never self-interruption', () => {
    const d = new SelfHearingDetector();
    feed(d, 0, 2000, (t) => 0.5 * botEnvelope(t - 80));
    expect(d.onUserSpeech(2005, { botSpeaking: false, echoUncancelled: true })).toBeNull();
  });
});
