import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { slopePerMinute, soakVerdict, type VerdictSample } from './soak-verdict.ts';

type Trace = Array<[number, number, number, number]>;
const traces = JSON.parse(readFileSync(new URL('./fixtures/soak-traces.json', import.meta.url), 'utf8')) as Record<string, Trace>;
const samples = (name: string): VerdictSample[] => traces[name].map(([atS, heapMb, dropped, listeners]) => ({ atS, heapMb, dropped, listeners }));

describe('soak verdict on traces recorded from real CI-variant runs', () => {
  it('a clean run is flat', () => {
    const v = soakVerdict(samples('clean'));
    expect(v.failures).toEqual([]);
    expect(v.flat).toBe(true);
    expect(v.boundReachedAtS).toBe(30.1);
    expect(v.heapSlopeMbPerMin!).toBeLessThan(0.1);
  });

  it('every event row retained: caught by the heap slope (the ±10 MB deviation bar alone would pass it)', () => {
    const v = soakVerdict(samples('retain-events'));
    expect(v.flat).toBe(false);
    expect(v.heapSlopeMbPerMin!).toBeGreaterThan(0.4);
    expect(v.failures).toEqual([expect.stringMatching(/^heap grew 0\.\d+ MB\/min after the bound/)]);
    expect(v.heapMaxDeviationMb!).toBeLessThan(v.flatToleranceMb);
  });

  it('a listener added per turn: caught by the listener count while the heap looks flat', () => {
    const v = soakVerdict(samples('listener-per-turn'));
    expect(v.flat).toBe(false);
    expect(v.failures).toEqual([expect.stringMatching(/^\d+ more event listeners than at the bound/)]);
    expect(v.listenerGrowth!).toBeGreaterThan(50);
    expect(v.heapSlopeMbPerMin!).toBeLessThan(0.2);
  });

  it('is not flat when the history never reached its budget, or too few samples follow the bound', () => {
    const clean = samples('clean');
    expect(soakVerdict(clean.map((s) => ({ ...s, dropped: 0 }))).failures).toEqual(['the history never reached its budget']);
    expect(soakVerdict(clean.slice(0, 9)).failures[0]).toMatch(/^only \d samples from 10 s after the history bound on/);
  });

  it('slopePerMinute is the least-squares slope in MB per minute', () => {
    expect(slopePerMinute([[0, 1], [30, 1.5], [60, 2]])).toBeCloseTo(1, 9);
    expect(slopePerMinute([[0, 5], [10, 5.2], [20, 4.8], [30, 5]])).toBeCloseTo(-0.24, 9);
  });
});
