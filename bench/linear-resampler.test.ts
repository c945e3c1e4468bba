import { describe, expect, it } from 'vitest';
import { LinearResampler } from './linear-resampler.ts';

describe('LinearResampler (bench baseline)', () => {
  it('interpolates a ramp exactly and streams across chunk boundaries', () => {
    const input = new Float32Array(300).map((_, i) => i);
    const r = new LinearResampler(3, 2);
    const out = [...r.process(input.subarray(0, 101)), ...r.process(input.subarray(101, 102)), ...r.process(input.subarray(102))];
    expect(out.length).toBe(200);
    out.forEach((v, i) => expect(v).toBeCloseTo(i * 1.5, 5));
  });
});
