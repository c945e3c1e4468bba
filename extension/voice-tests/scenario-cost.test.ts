import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE } from '../replay/price-table.ts';
import { parseScenario } from './scenario-file.ts';
import { estimateScenarioCost, formatScenarioCost, type ScenarioCostOptions } from './scenario-cost.ts';

function scenario(yaml: string) {
  const r = parseScenario(yaml, { knownAdapters: ['gemini-live', 'openai-realtime', 'loopback'] });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
}

const opts: ScenarioCostOptions = {
  table: DEFAULT_PRICE_TABLE,
  defaultModel: (id) => (id === 'openai-realtime' ? 'gpt-realtime-1.5' : id === 'gemini-live' ? 'gemini-2.5-flash-native-audio-preview-12-2025' : undefined),
  isFree: (id) => id === 'loopback',
  audioSeconds: (p) => (p === 'a.wav' ? 2 : undefined),
};

describe('estimateScenarioCost', () => {
  it('prices typed text, the audio files and an assumed reply per run, the conversation billed as input each reply, × repeat', () => {
    const s = scenario('version: 1\nname: two\ntarget: { adapter: openai-realtime }\nrepeat: 2\nsteps:\n  - say: abcdefgh\n  - speak: a.wav\n');
    const c = estimateScenarioCost([s], opts);
    // Per run: reply 1 reads 2 text tokens, writes 5 s × 20 audio tokens; reply 2 reads 2 text +
    // (100 + 2 s × 10) audio, writes 100. At gpt-realtime-1.5 prices (4 / 32 / 64 per 1M).
    const perRun = (4 * 4 + 120 * 32 + 200 * 64) / 1e6;
    expect(c.targets).toEqual([{ scenario: 'two', target: 'openai-realtime', model: 'gpt-realtime-1.5', runs: 2, usd: perRun * 2, input: 248, output: 400 }]);
    expect(c.usd).toBeCloseTo(perRun * 2, 10);
    expect(formatScenarioCost(c, 'default price table')).toBe(`Estimated cost: $0.03 for 2 runs (default price table as of ${DEFAULT_PRICE_TABLE.asOf}; assumes each reply is 5 s of audio, text is 4 characters per token).`);
  });

  it('a model with no price says so; Loopback is free; a matrix sums its targets', () => {
    const s = scenario('version: 1\nname: m\nmatrix:\n  - { adapter: openai-realtime, model: gpt-voice-9 }\n  - { adapter: loopback }\n  - { adapter: gemini-live }\nsteps:\n  - say: hi\n');
    const c = estimateScenarioCost([s], opts);
    expect(c.targets.map((t) => [t.target, t.usd === null ? null : t.usd > 0])).toEqual([['openai-realtime · gpt-voice-9', null], ['loopback', false], ['gemini-live', true]]);
    expect(c.unpriced).toEqual(['gpt-voice-9']);
    expect(c.usd).toBe(c.targets[2]!.usd);
    expect(formatScenarioCost(c)).toMatch(/^Estimated cost: \$0\.\d+ \(priced targets only\) for 3 runs .*; no price for gpt-voice-9\.$/);
  });

  it('an audio file that is not at hand is assumed, and the assumption is stated', () => {
    const c = estimateScenarioCost([scenario('version: 1\nname: x\ntarget: { adapter: openai-realtime }\nsteps:\n  - speak: missing.wav\n')], opts);
    expect(c.assumptions).toContain('an audio file not at hand is 3 s');
  });

  it('longer instructions cost more: they are input to every reply', () => {
    const short = estimateScenarioCost([scenario('version: 1\nname: x\ntarget: { adapter: openai-realtime, instructions: Be brief. }\nsteps:\n  - say: hi\n  - say: again\n')], opts);
    const long = estimateScenarioCost([scenario(`version: 1\nname: x\ntarget: { adapter: openai-realtime, instructions: "${'Be brief. '.repeat(200)}" }\nsteps:\n  - say: hi\n  - say: again\n`)], opts);
    expect(long.usd).toBeGreaterThan(short.usd);
    expect(long.targets[0]!.input - short.targets[0]!.input).toBe(2 * (500 - 3));
  });
});
