import { describe, expect, it } from 'vitest';
import { PlaybackQueue } from './playback-queue.ts';
import { Resampler } from './resampler.ts';

const SOURCE = 24000;
const QUANTUM = 128;

function tone(samples: number, hz: number, rate: number, amplitude = 0.5, phase0 = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * 32767 * Math.sin(phase0 + (2 * Math.PI * hz * i) / rate));
  return out;
}

function renderQuanta(q: PlaybackQueue, quanta: number): Float32Array {
  const out = new Float32Array(quanta * QUANTUM);
  const block = new Float32Array(QUANTUM);
  for (let k = 0; k < quanta; k++) {
    q.render(block);
    out.set(block, k * QUANTUM);
  }
  return out;
}

/** Largest sample-to-sample step: a click at a chunk edge shows up as a step far above the tone's own. */
function maxStep(x: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from + 1; i < to; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
}

describe('PlaybackQueue (provider rate in, device rate out)', () => {
  for (const deviceRate of [48000, 44100, 16000]) {
    it(`counts played samples in the provider's rate, exactly, for whole items (24 kHz → ${deviceRate / 1000} kHz)`, () => {
      const q = new PlaybackQueue({ sampleRate: deviceRate, sourceRate: SOURCE, startThresholdMs: 30, stopHoldMs: 40 });
      // Odd chunk sizes, two items back to back: the counts must not drift with the ratio's rounding.
      const sizes = [480, 37, 1201, 960, 13, 2400];
      let pushedA = 0;
      for (const n of sizes) {
        q.push(tone(n, 440, SOURCE), 'a');
        pushedA += n;
      }
      q.push(tone(4801, 300, SOURCE), 'b');
      renderQuanta(q, Math.ceil(((pushedA + 4801) / SOURCE) * (deviceRate / QUANTUM)) + 40);
      expect(q.playedSamples('a')).toBe(pushedA);
      expect(q.playedSamples('b')).toBe(4801);
      expect(q.bufferedSamples).toBe(0);
      expect(q.isActive).toBe(false);
      const transitions = q.takeTransitions();
      // Back to back, the JitterBuffer hands over from a to b without a stop in between.
      expect(transitions.map((t) => [t.type, t.itemId])).toEqual([
        ['started', 'a'],
        ['stopped', 'b'],
      ]);
      const stoppedB = transitions[1];
      expect(stoppedB.playedSamples).toBe(4801);
      // Render frames for the reply: the device-rate length of 24 kHz audio, within a couple of frames.
      const startA = transitions[0].frame;
      expect(stoppedB.frame - startA).toBeGreaterThanOrEqual(Math.floor(((pushedA + 4801) * deviceRate) / SOURCE) - 2);
      expect(stoppedB.frame - startA).toBeLessThanOrEqual(Math.ceil(((pushedA + 4801) * deviceRate) / SOURCE) + 2);
    });
  }

  it('plays a tone continuously across chunk edges: no step above the tone itself, same as one long resample', () => {
    const deviceRate = 48000;
    const q = new PlaybackQueue({ sampleRate: deviceRate, sourceRate: SOURCE, startThresholdMs: 30 });
    const whole = tone(SOURCE, 440, SOURCE, 0.5); // 1 s
    // Chunks as a provider sends them (uneven), all before the queue could run dry.
    let at = 0;
    for (const n of [960, 1, 479, 2400, 100, 3000, 5000]) {
      q.push(whole.subarray(at, at + n), 'r');
      at += n;
    }
    q.push(whole.subarray(at), 'r');
    const out = renderQuanta(q, Math.ceil(deviceRate / QUANTUM) + 30);
    const first = out.findIndex((v) => v !== 0);
    const played = out.subarray(first, first + deviceRate);
    // A 440 Hz sine at 0.5 changes by at most 2π·440/48000·0.5 ≈ 0.029 per sample.
    const toneStep = 2 * Math.PI * (440 / deviceRate) * 0.5;
    expect(maxStep(played, 50, deviceRate - 50)).toBeLessThan(toneStep * 1.05);
    // Same samples as resampling the whole second at once (the chunking changes nothing).
    const reference = new Resampler(SOURCE, deviceRate).process(Float32Array.from(whole, (v) => v / 0x8000));
    const lead = Math.round((new Resampler(SOURCE, deviceRate).delayInputSamples * 2) / 1);
    for (let i = 100; i < deviceRate - 200; i += 997) expect(played[i]).toBeCloseTo(reference[i + lead], 5);
  });

  it('flushes the held-back tail when the reply ends: the last source sample is heard, not left for the next reply', () => {
    const q = new PlaybackQueue({ sampleRate: 48000, sourceRate: SOURCE, startThresholdMs: 30 });
    const n = 2400; // 100 ms
    q.push(tone(n, 440, SOURCE), 'a');
    const out = renderQuanta(q, 200);
    expect(q.playedSamples('a')).toBe(n);
    // The tone's energy runs to its end: the last 2 ms before silence are not zero.
    let lastNonZero = out.length - 1;
    while (lastNonZero > 0 && Math.abs(out[lastNonZero]) < 1e-4) lastNonZero--;
    const first = out.findIndex((v) => Math.abs(v) > 1e-4);
    expect(lastNonZero - first).toBeGreaterThan(2 * n - 10);
    // A second reply starts clean: no leftover of the first before it.
    q.push(tone(n, 300, SOURCE), 'b');
    const second = renderQuanta(q, 200);
    const start = second.findIndex((v) => Math.abs(v) > 1e-4);
    expect(Math.abs(second[start])).toBeLessThan(0.05);
    expect(q.playedSamples('b')).toBe(n);
  });

  it('clear() reports what was heard in source samples and the next push plays from a fresh stream', () => {
    const q = new PlaybackQueue({ sampleRate: 48000, sourceRate: SOURCE, startThresholdMs: 0 });
    q.push(tone(24000, 440, SOURCE), 'a');
    renderQuanta(q, 100); // 12,800 device frames = 6,400 source samples
    const played = q.clear();
    expect(played.a).toBeGreaterThanOrEqual(6400 - 64);
    expect(played.a).toBeLessThanOrEqual(6400);
    expect(q.bufferedSamples).toBe(0);
    const after = renderQuanta(q, 10);
    expect(after.every((v) => v === 0)).toBe(true);
    q.push(tone(480, 440, SOURCE), 'b');
    renderQuanta(q, 40);
    expect(q.playedSamples('b')).toBe(480);
    expect(q.playedSamples('a')).toBe(played.a);
  });

  it('reports buffered audio in source samples, including what the filter holds', () => {
    const q = new PlaybackQueue({ sampleRate: 44100, sourceRate: SOURCE, startThresholdMs: 1000 });
    q.push(tone(4800, 440, SOURCE), 'a');
    expect(q.bufferedSamples).toBe(4800);
    expect(q.isActive).toBe(true);
  });

  it('passes audio through untouched when the rates match', () => {
    const q = new PlaybackQueue({ sampleRate: SOURCE, sourceRate: SOURCE, startThresholdMs: 0 });
    const pcm = tone(1000, 440, SOURCE);
    q.push(pcm, 'a');
    const out = renderQuanta(q, 8);
    for (let i = 0; i < 1000; i++) expect(out[i]).toBe(pcm[i] / 0x8000);
    expect(q.playedSamples('a')).toBe(1000);
  });
});
