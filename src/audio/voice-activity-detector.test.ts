import { describe, expect, it } from 'vitest';
import { VoiceActivityDetector, type VoiceActivityEvent } from './voice-activity-detector.ts';

const RATE = 16000;

/** Deterministic Gaussian-ish noise (sum of uniforms) at a given RMS. */
function noise(samples: number, rmsLevel: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3) * rmsLevel;
  return out;
}

/** Voiced speech stand-in: a 140 Hz harmonic series with a 4 Hz syllable envelope. */
function speechLike(samples: number, peak: number, offset = 0): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = (i + offset) / RATE;
    const syllable = 0.35 + 0.65 * Math.abs(Math.sin(Math.PI * 4 * t));
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
    out[i] = (peak * syllable * v) / 2;
  }
  return out;
}

function run(vad: VoiceActivityDetector, signal: Float32Array): VoiceActivityEvent[] {
  const events: VoiceActivityEvent[] = [];
  for (let i = 0; i < signal.length; i += 320) vad.push(signal.subarray(i, i + 320), (e) => events.push(e));
  return events;
}

const dbfs = (db: number): number => 10 ** (db / 20);

describe('VoiceActivityDetector', () => {
  it('stays silent through steady background noise, loud or quiet', () => {
    for (const level of [-60, -45, -30, -20]) {
      const vad = new VoiceActivityDetector(RATE);
      expect(run(vad, noise(RATE * 10, dbfs(level), 42)), `noise at ${level} dBFS`).toEqual([]);
    }
  });

  it('finds each speech-like burst over steady noise, with onset and offset near the truth', () => {
    const bursts = [
      { start: 1.5, end: 3.0 },
      { start: 4.2, end: 4.9 },
      { start: 6.0, end: 8.5 },
    ];
    const total = RATE * 10;
    const signal = noise(total, dbfs(-45), 7);
    for (const b of bursts) {
      const from = Math.round(b.start * RATE);
      const speech = speechLike(Math.round((b.end - b.start) * RATE), 0.3, from);
      for (let i = 0; i < speech.length; i++) signal[from + i] += speech[i];
    }
    const vad = new VoiceActivityDetector(RATE, { hangoverMs: 400 });
    const events = run(vad, signal);
    expect(events.map((e) => e.type)).toEqual(bursts.flatMap(() => ['speech-started', 'speech-stopped']));
    bursts.forEach((b, k) => {
      const on = events[2 * k].sample / RATE;
      const off = events[2 * k + 1].sample / RATE;
      expect(Math.abs(on - b.start), `onset of burst ${k}: ${on}`).toBeLessThan(0.03);
      expect(Math.abs(off - b.end), `offset of burst ${k}: ${off}`).toBeLessThan(0.06);
    });
  });

  it('adapts when the background noise gets louder instead of calling it speech', () => {
    const quiet = noise(RATE * 3, dbfs(-55), 1);
    const loud = noise(RATE * 12, dbfs(-35), 2);
    const vad = new VoiceActivityDetector(RATE);
    const events = run(vad, Float32Array.from([...quiet, ...loud]));
    // A step up may look like an onset for a moment, but it must end and never recur.
    expect(events.length).toBeLessThanOrEqual(2);
    if (events.length) expect(events[events.length - 1].type).toBe('speech-stopped');
    expect(vad.speaking).toBe(false);
    expect(vad.noiseFloorDb).toBeGreaterThan(-40);
    // And speech on top of the new floor is still found.
    const speech = speechLike(RATE, 0.4);
    const more = noise(RATE * 2, dbfs(-35), 3);
    for (let i = 0; i < speech.length; i++) more[i + 8000] += speech[i];
    expect(run(vad, more).map((e) => e.type)).toEqual(['speech-started', 'speech-stopped']);
  });

  it('ignores clicks shorter than the minimum speech duration', () => {
    const signal = noise(RATE * 4, dbfs(-50), 9);
    for (let k = 0; k < 5; k++) {
      const at = RATE + k * 4000;
      for (let i = 0; i < 320; i++) signal[at + i] += 0.5 * Math.sin(i);
    }
    expect(run(new VoiceActivityDetector(RATE), signal)).toEqual([]);
  });
});

describe('digital silence (issue 12 item 16)', () => {
  it('a muted microphone (exact zeros) does not drag the noise floor down: no false speech on unmute', () => {
    const vad = new VoiceActivityDetector(RATE);
    const events: VoiceActivityEvent[] = [];
    const emit = (e: VoiceActivityEvent): void => void events.push(e);
    // Room noise at about -45 dBFS, then the track is disabled (Chrome delivers zeros), then unmuted.
    vad.push(noise(RATE * 2, 0.0056, 1), emit);
    const floorBefore = vad.noiseFloorDb;
    vad.push(new Float32Array(RATE * 2), emit);
    vad.push(noise(RATE * 3, 0.0056, 2), emit);
    expect(events, `events: ${JSON.stringify(events)}; floor before mute ${floorBefore.toFixed(1)} dB, after ${vad.noiseFloorDb.toFixed(1)} dB`).toEqual([]);
  });

  it('still hears speech right after a muted stretch', () => {
    const vad = new VoiceActivityDetector(RATE);
    const events: VoiceActivityEvent[] = [];
    vad.push(noise(RATE, 0.0056, 3), (e) => events.push(e));
    vad.push(new Float32Array(RATE), (e) => events.push(e));
    vad.push(speechLike(RATE, 0.3), (e) => events.push(e));
    expect(events.map((e) => e.type)).toContain('speech-started');
  });
});
