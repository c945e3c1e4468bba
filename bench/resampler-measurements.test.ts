import { describe, expect, it } from 'vitest';
import { LinearResampler } from './linear-resampler.ts';
import { measureResampler } from './resampler-measurements.ts';
import { Resampler } from '../src/audio/resampler.ts';

describe('measureResampler', () => {
  it('tells the windowed-sinc resampler from the linear baseline at 48 → 16 kHz', () => {
    const sinc = measureResampler(() => new Resampler(48000, 16000), { tones: 8 });
    const linear = measureResampler(() => new LinearResampler(48000, 16000), { tones: 8 });
    expect(sinc.worstAliasDb).toBeLessThan(-60);
    expect(linear.worstAliasDb).toBeGreaterThan(-20); // no anti-alias filter: aliases pass almost unattenuated
    expect(sinc.passbandDeviationDb).toBeLessThan(0.5);
    expect(sinc.realTimeFactor).toBeGreaterThan(0);
  });

  it('measures images when upsampling', () => {
    const sinc = measureResampler(() => new Resampler(16000, 24000), { tones: 8 });
    const linear = measureResampler(() => new LinearResampler(16000, 24000), { tones: 8 });
    expect(sinc.worstAliasDb).toBeLessThan(-60);
    expect(linear.worstAliasDb).toBeGreaterThan(-30);
    expect(linear.passbandDeviationDb).toBeGreaterThan(1); // linear interpolation droops near Nyquist
  });
});
