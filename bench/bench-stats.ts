/** Summary statistics of repeated measurements. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  p95: number;
  mean: number;
  n: number;
}

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
  return { median: quantile(s, 0.5), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, p95: quantile(s, 0.95), mean, n: s.length };
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
