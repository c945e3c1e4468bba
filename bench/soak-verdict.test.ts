import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_HEAP_SLOPE_MB_PER_MIN, slopePerMinute, soakVerdict, type VerdictSample } from './soak-verdict.ts';

interface Run {
  kind: 'clean' | 'retain-events' | 'listener-per-turn';
  setup: string;
  samples: Array<[number, number, number, number]>;
}
const { runs } = JSON.parse(readFileSync(new URL('./fixtures/soak-traces.json', import.meta.url), 'utf8')) as { runs: Run[] };
const samples = (r: Run): VerdictSample[] => r.samples.map(([atS, heapMb, dropped, listeners]) => ({ atS, heapMb, dropped, listeners }));
const named = (kind: Run['kind']) => runs.filter((r) => r.kind === kind).map((r, i) => [`${kind} #${i + 1} (${r.setup})`, r] as const);

describe('soak verdict on traces recorded from real CI-variant runs', () => {
  it.each(named('clean'))('%s is flat, with its slope well under the bar', (_name, run) => {
    const v = soakVerdict(samples(run));
    expect(v.failures).toEqual([]);
    expect(v.flat).toBe(true);
    expect(v.heapSlopeMbPerMin!).toBeLessThan(MAX_HEAP_SLOPE_MB_PER_MIN / 2);
  });

  it.each(named('retain-events'))('%s (every event row kept) is caught by the heap slope; the ±10 MB bar alone would pass it', (_name, run) => {
    const v = soakVerdict(samples(run));
    expect(v.flat).toBe(false);
    expect(v.failures).toEqual([expect.stringMatching(/^heap grew 0\.\d+ MB\/min after the bound/)]);
    expect(v.heapMaxDeviationMb!).toBeLessThan(v.flatToleranceMb);
  });

  it.each(named('listener-per-turn'))('%s is caught by the listener count while the heap looks flat', (_name, run) => {
    const v = soakVerdict(samples(run));
    expect(v.flat).toBe(false);
    expect(v.failures).toEqual([expect.stringMatching(/^\d+ more event listeners than at the bound/)]);
    expect(v.listenerGrowth!).toBeGreaterThan(50);
  });

  it('is not flat when the history never reached its budget, or too few samples follow the bound', () => {
    const clean = samples(named('clean')[0][1]);
    expect(soakVerdict(clean.map((s) => ({ ...s, dropped: 0 }))).failures).toEqual(['the history never reached its budget']);
    expect(soakVerdict(clean.slice(0, 9)).failures[0]).toMatch(/^only \d samples from 10 s after the history bound on/);
  });

  it('slopePerMinute is the least-squares slope in MB per minute', () => {
    expect(slopePerMinute([[0, 1], [30, 1.5], [60, 2]])).toBeCloseTo(1, 9);
    expect(slopePerMinute([[0, 5], [10, 5.2], [20, 4.8], [30, 5]])).toBeCloseTo(-0.24, 9);
  });
});
