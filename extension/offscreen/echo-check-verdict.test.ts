import { describe, expect, it } from 'vitest';
import { CANCELLED_BELOW_DBFS, echoVerdict, nearestRank } from './echo-check-verdict.ts';

describe('echo check verdict', () => {
  it('puts the line 10 dB under the VAD threshold (RMS 0.02 ≈ −34 dBFS)', () => {
    expect(CANCELLED_BELOW_DBFS).toBeCloseTo(-43.98, 1);
  });

  it('nearest rank: the value at rank ceil(q·n)', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(xs, 0.95)).toBe(95);
    expect(nearestRank([3, 1, 2], 0.5)).toBe(2);
    expect(nearestRank([], 0.95)).toBe(0);
  });

  it('cancelled: a quiet residue on a silent line', () => {
    const r = echoVerdict(Array(40).fill(0.001), Array(10).fill(0));
    expect(r.verdict).toBe('echo cancelled');
    expect(r.residueDb).toBeCloseTo(-60, 5);
  });

  it('wear headphones: an echo at −6 dB of a speech-like probe, even when a few blocks are quiet', () => {
    const probe = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? 0.002 : 0.07));
    expect(echoVerdict(probe, Array(10).fill(0.0005)).verdict).toBe('wear headphones');
  });

  it('a residue just over the line is not cancelled; the room alone does not count as echo', () => {
    expect(echoVerdict(Array(40).fill(0.007), Array(10).fill(0.0001)).verdict).toBe('wear headphones');
    expect(echoVerdict(Array(40).fill(0.03), Array(10).fill(0.03)).verdict).toBe('echo cancelled');
  });
});
