/**
 * Sine-sweep measurements of a resampler, for `npm run bench` (BENCHMARKS.md) and for comparing the
 * windowed-sinc Resampler with the peers' LinearResampler. Pure; nothing here runs in the product.
 */
export interface StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  process(input: Float32Array): Float32Array;
}

export interface ResamplerMeasurement {
  inputRate: number;
  outputRate: number;
  /** Largest |gain| in dB for tones up to 0.9 × the lower Nyquist frequency. */
  passbandDeviationDb: number;
  /** Loudest alias (downsampling: tones above the output Nyquist) or image (upsampling), dB re. the input tone. */
  worstAliasDb: number;
  /** Seconds of audio resampled per second of CPU, in 128-frame chunks. */
  realTimeFactor: number;
}

function sine(freq: number, rate: number, samples: number): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function toneAmplitude(x: Float32Array, freq: number, rate: number, from: number, to: number): number {
  let s = 0, c = 0, ss = 0, cc = 0, sc = 0;
  // Hann-weighted least squares: a strong tone nearby must not leak into the estimate.
  const n = to - from;
  for (let i = from; i < to; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i - from)) / n);
    const ph = (2 * Math.PI * freq * i) / rate;
    const si = Math.sin(ph), ci = Math.cos(ph);
    s += w * x[i] * si; c += w * x[i] * ci; ss += w * si * si; cc += w * ci * ci; sc += w * si * ci;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((s * cc - c * sc) / det, (c * ss - s * sc) / det);
}

function rmsOf(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}

const toDb = (r: number): number => 20 * Math.log10(Math.max(r, 1e-12));

/** `make` builds a fresh resampler per tone (state must not leak between tones). */
export function measureResampler(make: () => StreamingResampler, options: { tones?: number; seconds?: number } = {}): ResamplerMeasurement {
  const probe = make();
  const { inputRate, outputRate } = probe;
  const tones = options.tones ?? 24;
  const samples = Math.round(inputRate * (options.seconds ?? 0.25));
  const lowNyquist = Math.min(inputRate, outputRate) / 2;
  // Skip the start-up transient and the tail: 20 ms at each end is longer than any filter here.
  const edge = Math.round(outputRate * 0.02);
  let passband = 0;
  for (let k = 1; k <= tones; k++) {
    const f = (k / tones) * 0.9 * lowNyquist - 7;
    const out = make().process(sine(f, inputRate, samples));
    passband = Math.max(passband, Math.abs(toDb(toneAmplitude(out, f, outputRate, edge, out.length - edge) / 0.5)));
  }
  let worst = -Infinity;
  if (inputRate > outputRate) {
    for (let k = 0; k <= tones; k++) {
      const f = outputRate / 2 + 20 + (k / tones) * (inputRate / 2 - outputRate / 2 - 40);
      const out = make().process(sine(f, inputRate, samples));
      worst = Math.max(worst, toDb(rmsOf(out, edge, out.length - edge) / (0.5 / Math.SQRT2)));
    }
  } else if (inputRate < outputRate) {
    for (let k = 1; k <= tones; k++) {
      const f = (k / tones) * 0.9 * (inputRate / 2) - 3;
      const image = inputRate - f;
      if (image >= outputRate / 2) continue;
      const out = make().process(sine(f, inputRate, samples));
      worst = Math.max(worst, toDb(toneAmplitude(out, image, outputRate, edge, out.length - edge) / 0.5));
    }
  }
  const speedInput = sine(997, inputRate, inputRate * 5);
  const r = make();
  for (let i = 0; i < inputRate; i += 128) r.process(speedInput.subarray(i, i + 128)); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < speedInput.length; i += 128) r.process(speedInput.subarray(i, i + 128));
  const elapsed = (performance.now() - t0) / 1000;
  return { inputRate, outputRate, passbandDeviationDb: passband, worstAliasDb: worst, realTimeFactor: 5 / elapsed };
}
