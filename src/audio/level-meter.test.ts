import { describe, expect, it } from 'vitest';
import { LevelMeter } from './level-meter.ts';

describe('LevelMeter', () => {
  it('reports RMS about 20 times per second regardless of push sizes', () => {
    const meter = new LevelMeter(24000);
    const levels: number[] = [];
    const tone = new Float32Array(24000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 24000));
    for (let i = 0; i < tone.length; i += 128) meter.push(tone.subarray(i, i + 128), (l) => levels.push(l));
    expect(levels.length).toBe(20);
    for (const l of levels) expect(l).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('counts silence without samples', () => {
    const meter = new LevelMeter(16000);
    const levels: number[] = [];
    meter.push(new Float32Array(400).fill(0.2), (l) => levels.push(l));
    meter.pushSilence(400, (l) => levels.push(l));
    meter.pushSilence(800, (l) => levels.push(l));
    expect(levels.length).toBe(2);
    expect(levels[0]).toBeCloseTo(0.2 / Math.SQRT2, 3);
    expect(levels[1]).toBe(0);
  });
});
