import { describe, expect, it } from 'vitest';
import { fmtPercentile, nearestRank, summarize } from './bench-stats.ts';

describe('nearest-rank percentiles', () => {
  it('p95 over 35 samples is the 34th smallest (the inspector typing figure of issue 14)', () => {
    // 33 fast keystrokes and two slow ones: an interpolated p95 lands between them, nearest rank does not.
    const xs = [...Array.from({ length: 33 }, (_, i) => 20 + i), 139, 140];
    const sorted = [...xs].sort((a, b) => a - b);
    expect(nearestRank(sorted, 95)).toBe(139);
    expect(summarize(xs).p95).toBe(139);
  });

  it('over 100 samples p95 is the 95th value and p50 the 50th', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted input
    const s = summarize(xs);
    expect(s.p95).toBe(95);
    expect(s.median).toBe(50);
    expect(s.n).toBe(100);
  });

  it('always returns a measured value', () => {
    const xs = [1, 2, 10, 11];
    for (const p of [1, 25, 50, 75, 95, 100]) expect(xs).toContain(nearestRank(xs, p));
    expect(nearestRank([7], 95)).toBe(7);
    expect(Number.isNaN(nearestRank([], 95))).toBe(true);
  });

  it('flags a percentile over fewer than 100 samples', () => {
    expect(fmtPercentile(summarize([1, 2, 3]), 95)).toMatch(/only 3 samples/);
    expect(fmtPercentile(summarize(Array.from({ length: 100 }, (_, i) => i)), 95)).not.toMatch(/only/);
  });
});
