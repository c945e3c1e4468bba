import { describe, expect, it } from 'vitest';
import type { TurnMetrics } from '../../inspector-core/session-metrics.ts';
import { axisTicks, percentile, turnStages } from './latency-stats.ts';

const turn = (v2v: number | null, ttfa: number | null): TurnMetrics => ({
  turn: 1,
  userStoppedAt: 0,
  stopSource: 'local-vad',
  firstProviderAudioAt: null,
  botStartedAt: null,
  voiceToVoiceMs: v2v,
  timeToFirstAudioMs: ttfa,
  interruptedAt: null,
  interruptionMs: null,
  tokens: null,
});

describe('percentile', () => {
  it('is the nearest-rank value, ignoring nulls', () => {
    const v = [null, ...Array.from({ length: 20 }, (_, i) => (i + 1) * 10)];
    expect(percentile(v, 95)).toBe(190);
    expect(percentile(v, 50)).toBe(100);
    expect(percentile(v, 100)).toBe(200);
    expect(percentile([300], 95)).toBe(300);
    expect(percentile([null], 95)).toBeNull();
  });
});

describe('turnStages', () => {
  it('splits voice-to-voice into the provider part and the playout part', () => {
    expect(turnStages(turn(900, 650))).toEqual({ provider: 650, playout: 250 });
    expect(turnStages(turn(null, 650))).toEqual({ provider: 650, playout: null });
    expect(turnStages(turn(900, null))).toEqual({ provider: null, playout: null });
  });
});

describe('axisTicks', () => {
  it('starts at 0, steps round, and covers the maximum', () => {
    expect(axisTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(axisTicks(90)).toEqual([0, 50, 100]);
    expect(axisTicks(0)).toEqual([0]);
    const t = axisTicks(7777);
    expect(t[0]).toBe(0);
    expect(t.at(-1)!).toBeGreaterThanOrEqual(7777);
    expect(t.length).toBeLessThanOrEqual(5);
  });
});
