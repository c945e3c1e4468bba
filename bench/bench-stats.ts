/** Summary statistics of repeated measurements. */
export interface Summary {
  /** p50 by nearest rank. */
  median: number;
  min: number;
  max: number;
  /** p95 by nearest rank: a value that was measured, not an interpolation between two. */
  p95: number;
  mean: number;
  n: number;
}

/** Fewest samples a published percentile needs (issue 14: "at least 100 samples"). */
export const MIN_PERCENTILE_SAMPLES = 100;

/**
 * The p-th percentile by nearest rank of ascending `sorted`: the smallest value with at least p %
 * of the samples at or below it, i.e. `sorted[ceil(p/100 · n) − 1]`. Over 35 samples p95 is the
 * 34th value; over 100 samples, the 95th.
 */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

/** `p95 51 ms (n = 120)`, flagged when n is under MIN_PERCENTILE_SAMPLES. */
export function fmtPercentile(s: Summary, p: 50 | 95, digits = 0, unit = ' ms'): string {
  const v = p === 50 ? s.median : s.p95;
  const few = s.n < MIN_PERCENTILE_SAMPLES ? `, **only ${s.n} samples**` : '';
  return `p${p} ${Number.isFinite(v) ? v.toFixed(digits) : 'n/a'}${unit} (nearest rank, n = ${s.n}${few})`;
}

/** Linear interpolation between the closest ranks; published percentiles use `nearestRank`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { median: nearestRank(s, 50), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, p95: nearestRank(s, 95), mean, n: s.length };
}

/** `12.3 (11.9–13.0)`: median with min–max. */
export function fmt(s: Summary, digits = 1, unit = ''): string {
  if (!Number.isFinite(s.median)) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return s.n > 1 && s.min !== s.max ? `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})` : `${f(s.median)}${unit}`;
}

export function ratio(ours: number, theirs: number, digits = 1): string {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || ours === 0) return 'n/a';
  return `${(theirs / ours).toFixed(digits)}×`;
}

/** Deterministic PRNG (mulberry32) so every run sees the same synthetic delivery pattern. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
