import { describe, expect, it } from 'vitest';
import { Resampler, resample } from './resampler.ts';

function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** Amplitude of the component at `freq` (least-squares fit of a sine and a cosine). */
function toneAmplitude(x: Float32Array, freq: number, rate: number, from: number, to: number): number {
  let s = 0;
  let c = 0;
  let ss = 0;
  let cc = 0;
  let sc = 0;
  // Hann-weighted, so a strong tone nearby does not leak into the estimate.
  const n = to - from;
  for (let i = from; i < to; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i - from)) / n);
    const ph = (2 * Math.PI * freq * i) / rate;
    const si = Math.sin(ph);
    const ci = Math.cos(ph);
    s += w * x[i] * si;
    c += w * x[i] * ci;
    ss += w * si * si;
    cc += w * ci * ci;
    sc += w * si * ci;
  }
  // Solve the 2×2 normal equations for a·sin + b·cos.
  const det = ss * cc - sc * sc;
  const a = (s * cc - c * sc) / det;
  const b = (c * ss - s * sc) / det;
  return Math.hypot(a, b);
}

function rmsOf(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (to - from));
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

/** Output samples unaffected by the filter's start-up transient and the end of the input. */
function steadyRange(r: Resampler, outLength: number): [number, number] {
  const settle = Math.ceil(((r.tapsPerPhase + 2) * r.outputRate) / r.inputRate);
  return [settle, outLength - 2];
}

const PAIRS: Array<[number, number]> = [
  [44100, 16000],
  [48000, 16000],
  [48000, 24000],
  [16000, 24000],
  [24000, 48000],
  [44100, 24000],
];

describe('Resampler frequency response', () => {
  for (const [inRate, outRate] of PAIRS) {
    it(`${inRate} → ${outRate}: passband within ±0.5 dB up to 0.9 × Nyquist`, () => {
      const nyq = Math.min(inRate, outRate) / 2;
      let worst = 0;
      for (let k = 1; k <= 18; k++) {
        const f = (k / 18) * 0.9 * nyq - 7; // off-grid frequencies, the last just under 0.9 × Nyquist
        const r = new Resampler(inRate, outRate);
        const out = r.process(sine(f, inRate, 0.25));
        const [a, b] = steadyRange(r, out.length);
        const gain = db(toneAmplitude(out, f, outRate, a, b) / 0.5);
        worst = Math.max(worst, Math.abs(gain));
      }
      expect(worst, `worst passband deviation ${worst.toFixed(3)} dB`).toBeLessThan(0.5);
    });
  }

  for (const [inRate, outRate] of PAIRS.filter(([i, o]) => i > o)) {
    it(`${inRate} → ${outRate}: ≥ 60 dB rejection above the output Nyquist frequency`, () => {
      const nyqOut = outRate / 2;
      const nyqIn = inRate / 2;
      let worst = -Infinity;
      const steps = 24;
      for (let k = 0; k <= steps; k++) {
        const f = nyqOut + 20 + (k / steps) * (nyqIn - nyqOut - 40);
        const r = new Resampler(inRate, outRate);
        const out = r.process(sine(f, inRate, 0.25));
        const [a, b] = steadyRange(r, out.length);
        const level = db(rmsOf(out, a, b) / (0.5 / Math.SQRT2));
        worst = Math.max(worst, level);
      }
      expect(worst, `worst alias level ${worst.toFixed(1)} dB`).toBeLessThan(-60);
    });
  }

  for (const [inRate, outRate] of PAIRS.filter(([i, o]) => i < o)) {
    it(`${inRate} → ${outRate}: images of passband tones ≥ 60 dB down`, () => {
      const nyqIn = inRate / 2;
      let worst = -Infinity;
      for (let k = 1; k <= 12; k++) {
        const f = (k / 12) * 0.9 * nyqIn - 3;
        const image = inRate - f; // first image; it lies below the output Nyquist here
        if (image >= outRate / 2) continue;
        const r = new Resampler(inRate, outRate);
        const out = r.process(sine(f, inRate, 0.25));
        const [a, b] = steadyRange(r, out.length);
        worst = Math.max(worst, db(toneAmplitude(out, image, outRate, a, b) / 0.5));
      }
      expect(worst, `worst image level ${worst.toFixed(1)} dB`).toBeLessThan(-60);
    });
  }

  it('leaves a constant input constant (unit DC gain in every branch)', () => {
    const r = new Resampler(44100, 16000);
    const out = r.process(new Float32Array(44100).fill(0.25));
    const [a, b] = steadyRange(r, out.length);
    for (let i = a; i < b; i++) expect(Math.abs(out[i] - 0.25)).toBeLessThan(1e-5);
  });
});

describe('Resampler streaming', () => {
  function noise(n: number, seed: number): Float32Array {
    let s = seed >>> 0;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = s / 2 ** 31 - 1;
    }
    return out;
  }

  for (const [inRate, outRate] of [...PAIRS, [8000, 96000] as [number, number], [96000, 8000] as [number, number], [32000, 32000] as [number, number]]) {
    it(`${inRate} → ${outRate}: chunked output equals one-shot output, lengths exact`, () => {
      const input = noise(inRate < outRate / 4 ? 5003 : 20011, inRate ^ outRate);
      const oneShot = resample(input, inRate, outRate);
      const g = gcd(inRate, outRate);
      const L = outRate / g;
      const M = inRate / g;
      expect(oneShot.length).toBe(Math.ceil((input.length * L) / M));

      const r = new Resampler(inRate, outRate);
      const sizes = [1, 127, 128, 3, 441, 0, 17, 1000, 2, 959];
      const parts: Float32Array[] = [];
      let offset = 0;
      for (let k = 0; offset < input.length; k++) {
        const n = Math.min(sizes[k % sizes.length], input.length - offset);
        const expected = r.outputLength(n);
        const part = r.process(input.subarray(offset, offset + n));
        expect(part.length).toBe(expected);
        parts.push(part);
        offset += n;
        // Running total is exact after every chunk.
        const total = parts.reduce((t, p) => t + p.length, 0);
        expect(total).toBe(Math.ceil((offset * L) / M));
      }
      const joined = new Float32Array(oneShot.length);
      let o = 0;
      for (const p of parts) {
        joined.set(p, o);
        o += p.length;
      }
      expect(joined).toEqual(oneShot);
    });
  }

  it('processInto writes into a caller buffer at an offset and rejects a short one', () => {
    const r = new Resampler(48000, 16000);
    const out = new Float32Array(100);
    expect(r.processInto(new Float32Array(129).fill(0.1), out, 10)).toBe(43);
    expect(() => r.processInto(new Float32Array(300), new Float32Array(5))).toThrow(RangeError);
  });

  it('reset() starts a fresh stream', () => {
    const input = noise(1000, 7);
    const r = new Resampler(44100, 16000);
    const first = r.process(input);
    r.process(noise(333, 9));
    r.reset();
    expect(r.process(input)).toEqual(first);
  });

  it('rejects non-integer or non-positive rates', () => {
    expect(() => new Resampler(0, 16000)).toThrow(RangeError);
    expect(() => new Resampler(44100.5, 16000)).toThrow(RangeError);
  });
});

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
