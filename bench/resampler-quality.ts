/**
 * Frequency-domain quality of a streaming resampler, measured with swept sines (no FFT needed):
 * for each input tone, a least-squares fit of the tone at its own frequency over the steady-state
 * output gives the passband gain; whatever the fit leaves is aliasing, imaging and interpolation
 * error. Rejection is the input tone's power over that residual's power.
 */
export interface StreamingResampler {
  process(input: Float32Array): Float32Array;
}

export interface ToneResponse {
  hz: number;
  /** Gain of the tone itself at the output, dB (−∞ when the tone lies above the output Nyquist). */
  gainDb: number;
  /** Input power over residual power at the output, dB. */
  rejectionDb: number;
}

/** Amplitude of every test tone (ours generated here, the browser's by an OscillatorNode through a gain). */
export const TONE_AMPLITUDE = 0.5;
const AMPLITUDE = TONE_AMPLITUDE;

/** Feeds a tone in 128-sample render quanta (as the capture worklet does) and measures the output. */
export function toneResponse(make: () => StreamingResampler, inRate: number, outRate: number, hz: number, seconds = 0.25): ToneResponse {
  const r = make();
  const total = Math.round(inRate * seconds);
  const outputs: Float32Array[] = [];
  for (let start = 0; start < total; start += 128) {
    const n = Math.min(128, total - start);
    const q = new Float32Array(n);
    for (let i = 0; i < n; i++) q[i] = AMPLITUDE * Math.sin((2 * Math.PI * hz * (start + i)) / inRate);
    outputs.push(r.process(q));
  }
  const len = outputs.reduce((a, o) => a + o.length, 0);
  const y = new Float64Array(len);
  let off = 0;
  for (const o of outputs) {
    y.set(o, off);
    off += o.length;
  }
  // Skip the filter's start-up (its delay is well under 20 ms for every pair measured).
  const skip = Math.round(outRate * 0.03);
  return analyzeTone(y.subarray(skip), outRate, hz);
}

/**
 * Measures a steady-state output `seg` (at `outRate`) of a tone of TONE_AMPLITUDE at `hz` at the
 * input: the fitted gain of the tone itself, and input power over everything the fit leaves.
 */
export function analyzeTone(seg: ArrayLike<number>, outRate: number, hz: number): ToneResponse {
  const w = (2 * Math.PI * hz) / outRate;
  const inOutput = hz < outRate / 2;
  let residualPower: number;
  let gain = 0;
  if (inOutput) {
    // Least squares on [sin, cos] at the tone's frequency (the tone's phase after the delay is unknown).
    let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (let i = 0; i < seg.length; i++) {
      const s = Math.sin(w * i);
      const c = Math.cos(w * i);
      ss += s * s; cc += c * c; sc += s * c; ys += seg[i] * s; yc += seg[i] * c;
    }
    const det = ss * cc - sc * sc;
    const a = (ys * cc - yc * sc) / det;
    const b = (yc * ss - ys * sc) / det;
    let res = 0;
    for (let i = 0; i < seg.length; i++) {
      const e = seg[i] - (a * Math.sin(w * i) + b * Math.cos(w * i));
      res += e * e;
    }
    residualPower = res / seg.length;
    gain = Math.hypot(a, b) / AMPLITUDE;
  } else {
    let p = 0;
    for (let i = 0; i < seg.length; i++) p += seg[i] * seg[i];
    residualPower = p / seg.length;
  }
  const inputPower = (AMPLITUDE * AMPLITUDE) / 2;
  return {
    hz,
    gainDb: inOutput ? 20 * Math.log10(gain) : -Infinity,
    rejectionDb: 10 * Math.log10(inputPower / Math.max(residualPower, 1e-30)),
  };
}

export interface SweepSummary {
  /** Worst (lowest) rejection over the stopband sweep, dB. */
  aliasRejectionDb: number;
  /** The tone where that happened. */
  worstHz: number;
  /** max − min of the gain over the passband (0.02–0.9 × the lower Nyquist), dB. */
  passbandRippleDb: number;
  /** Gain at 0.9 × the lower Nyquist, dB (linear interpolation droops here). */
  edgeGainDb: number;
  tones: number;
}

export interface SweepPlan {
  /** Tones whose rejection is measured (stopband when downsampling, the input band when upsampling). */
  stop: number[];
  /** Tones whose gain gives the passband ripple (the last one is the edge, 0.9 × the lower Nyquist). */
  pass: number[];
}

/**
 * Stopband sweep. Downsampling: tones from the output Nyquist up to 0.99 × the input Nyquist, all
 * of which must vanish. Upsampling: tones across the input band; the residual is the images above
 * the input Nyquist (plus any error). Tones are spaced so they never sit on a bin of either rate.
 */
export function sweepPlan(inRate: number, outRate: number, tones = 48): SweepPlan {
  const lowNyq = Math.min(inRate, outRate) / 2;
  const stop: number[] = [];
  if (outRate < inRate) {
    const lo = outRate / 2;
    const hi = 0.99 * (inRate / 2);
    for (let k = 0; k < tones; k++) stop.push(lo + ((hi - lo) * (k + 0.37)) / tones);
  } else {
    for (let k = 0; k < tones; k++) stop.push(lowNyq * (0.02 + (0.88 * (k + 0.37)) / tones));
  }
  const pass: number[] = [];
  for (let k = 0; k < 16; k++) pass.push(lowNyq * (0.02 + (0.88 * (k + 0.37)) / 16));
  pass.push(lowNyq * 0.9);
  return { stop, pass };
}

/** Worst rejection, ripple and edge gain from the measured responses of a plan's tones. */
export function summarizeSweep(stop: readonly ToneResponse[], pass: readonly ToneResponse[]): SweepSummary {
  let worst = Infinity;
  let worstHz = 0;
  for (const r of stop) {
    if (r.rejectionDb < worst) {
      worst = r.rejectionDb;
      worstHz = r.hz;
    }
  }
  const gains = pass.map((r) => r.gainDb);
  return { aliasRejectionDb: worst, worstHz, passbandRippleDb: Math.max(...gains) - Math.min(...gains), edgeGainDb: gains[gains.length - 1], tones: stop.length };
}

export function sweep(make: () => StreamingResampler, inRate: number, outRate: number, tones = 48): SweepSummary {
  const plan = sweepPlan(inRate, outRate, tones);
  return summarizeSweep(
    plan.stop.map((hz) => toneResponse(make, inRate, outRate, hz)),
    plan.pass.map((hz) => toneResponse(make, inRate, outRate, hz)),
  );
}

/** Speech-like test signal: a few harmonics with vibrato plus noise, for throughput. */
export function speechLike(rate: number, seconds: number): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const t = i / rate;
    const f0 = 140 + 20 * Math.sin(2 * Math.PI * 3 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    x[i] = 0.2 * v + 0.02 * (seed / 0x7fffffff - 0.5);
  }
  return x;
}

/**
 * × real time when fed in 128-sample quanta: audio seconds per second of this process's CPU time
 * (`cpu`, robust to other processes competing for the cores) and per wall-clock second (`wall`).
 */
export function throughput(make: () => StreamingResampler, input: Float32Array, inRate: number): { cpu: number; wall: number } {
  const r = make();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let start = 0; start < input.length; start += 128) r.process(input.subarray(start, Math.min(input.length, start + 128)));
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  const audioS = input.length / inRate;
  return { cpu: audioS / (Math.max(cpuMs, 0.001) / 1000), wall: audioS / (ms / 1000) };
}
