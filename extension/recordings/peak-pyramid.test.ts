import { describe, expect, it } from 'vitest';
import { BASE_BIN_MS, PeakPyramid } from './peak-pyramid.ts';

function pcm16(values: number[]): Uint8Array {
  return new Uint8Array(Int16Array.from(values.map((v) => Math.round(v * 32767))).buffer);
}

describe('PeakPyramid', () => {
  it('keeps each bin’s min and max and leaves silence-free gaps empty', () => {
    const p = new PeakPyramid();
    // 1 kHz: 10 samples per 10 ms bin. Bin 0: ±0.5; bin 1: a single 0.9 spike.
    p.addPcm16(0, 1000, pcm16([0.5, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.9, 0, 0, 0, 0, 0, 0]));
    p.addPcm16(50, 1000, pcm16(new Array(10).fill(-0.25)));
    const c = p.columns(0, 60, 6);
    expect(c.max[0]).toBeCloseTo(0.5, 3);
    expect(c.min[0]).toBeCloseTo(-0.5, 3);
    expect(c.max[1]).toBeCloseTo(0.9, 3);
    expect([...c.empty]).toEqual([0, 0, 1, 1, 1, 0]);
    expect(c.min[5]).toBeCloseTo(-0.25, 3);
  });

  it('a coarse view keeps a one-sample spike however far out it zooms', () => {
    const p = new PeakPyramid();
    const rate = 16000;
    const secs = 600;
    const s = new Int16Array(rate * secs);
    s[rate * 377 + 5] = 30000;
    p.addPcm16(0, rate, new Uint8Array(s.buffer));
    const cols = p.columns(0, secs * 1000, 320);
    // Drawn once, in the column at 377 s (or its neighbour: a coarse bin counts where it starts).
    const hit = [...cols.max.keys()].filter((i) => cols.max[i] > 0);
    expect(hit).toHaveLength(1);
    expect(Math.abs(hit[0] - (377 / secs) * 320)).toBeLessThanOrEqual(1.5);
    expect(cols.max[hit[0]]).toBeCloseTo(30000 / 32768, 3);
  });

  it('appending after a query updates the coarse levels too', () => {
    const p = new PeakPyramid();
    p.addFloat(0, 1000, new Float32Array(1000).fill(0.1));
    expect(Math.max(...p.columns(0, 4000, 4).max)).toBeCloseTo(0.1, 5);
    p.addFloat(3000, 1000, new Float32Array(1000).fill(0.8));
    const c = p.columns(0, 4000, 4);
    expect(c.max[3]).toBeCloseTo(0.8, 5);
    expect(c.empty[1]).toBe(1);
  });

  it('reads a chunk at an odd byte offset (an imported buffer)', () => {
    const p = new PeakPyramid();
    const bytes = new Uint8Array(21);
    bytes.set(pcm16(new Array(10).fill(0.5)), 1);
    p.addPcm16(0, 1000, bytes.subarray(1));
    expect(p.columns(0, BASE_BIN_MS, 1).max[0]).toBeCloseTo(0.5, 3);
  });

  it('level readings draw as symmetric peaks over their span', () => {
    const p = new PeakPyramid();
    p.addLevel(100, 50, 0.4);
    const c = p.columns(100, 150, 5);
    expect([...c.max].every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true);
    expect([...c.min].every((v) => Math.abs(v + 0.4) < 1e-6)).toBe(true);
  });
});

describe('PeakPyramid overview pass', () => {
  it('a strided pass stays within the exact peaks, and the exact pass after it gives the exact peaks', () => {
    const rate = 16000;
    const s = new Int16Array(rate * 3);
    for (let i = 0; i < s.length; i++) s[i] = Math.round(Math.sin(i * 0.071) * 20000 * (1 + (i % 7 === 3 ? 0.5 : 0)));
    const bytes = new Uint8Array(s.buffer);
    const exact = new PeakPyramid();
    exact.addPcm16(5, rate, bytes);
    const quick = new PeakPyramid();
    quick.addPcm16(5, rate, bytes, 16);
    const e = exact.columns(0, 3005, 300);
    const q = quick.columns(0, 3005, 300);
    for (let i = 0; i < 300; i++) {
      expect(q.max[i]).toBeLessThanOrEqual(e.max[i]);
      expect(q.min[i]).toBeGreaterThanOrEqual(e.min[i]);
    }
    quick.addPcm16(5, rate, bytes);
    const r = quick.columns(0, 3005, 300);
    expect([...r.max]).toEqual([...e.max]);
    expect([...r.min]).toEqual([...e.min]);
  });
});
