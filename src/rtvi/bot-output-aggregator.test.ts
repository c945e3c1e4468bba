import { describe, expect, it } from 'vitest';
import { BotOutputAggregator } from './bot-output-aggregator.ts';

describe('BotOutputAggregator', () => {
  it('emits one segment per sentence across fragments, with increasing ids', () => {
    const agg = new BotOutputAggregator();
    expect(agg.push("It's 18 degrees")).toEqual([]);
    const first = agg.push(' and cloudy in Paris. Anything');
    expect(first.map((s) => s.text)).toEqual(["It's 18 degrees and cloudy in Paris."]);
    expect(first[0]).toMatchObject({ aggregated_by: 'sentence', segment_id: 1, spoken: true, spoken_status: 'completed' });
    const second = agg.push(' else? Yes!');
    expect(second.map((s) => [s.text, s.segment_id])).toEqual([
      ['Anything else?', 2],
      ['Yes!', 3],
    ]);
    expect(agg.pending).toBe('');
  });

  it('does not split decimals or abbreviations', () => {
    const agg = new BotOutputAggregator();
    expect(agg.push('It is 3.')).toEqual([]);
    expect(agg.push('5 degrees, says Dr. Smith. Bye')).toMatchObject([{ text: 'It is 3.5 degrees, says Dr. Smith.' }]);
    expect(agg.flush()?.text).toBe('Bye');
    expect(agg.flush()).toBeNull();
  });

  it('keeps closing quotes with the sentence and splits CJK text without spaces', () => {
    const agg = new BotOutputAggregator();
    expect(agg.push('He said "Hi." Then')).toMatchObject([{ text: 'He said "Hi."' }]);
    agg.reset();
    expect(agg.push('你好。今天很好！').map((s) => s.text)).toEqual(['你好。', '今天很好！']);
  });

  it('flushes a cut-off remainder as in-progress', () => {
    const agg = new BotOutputAggregator(7);
    agg.push('Sure, the capital of France is Par');
    expect(agg.flush('in-progress')).toMatchObject({ text: 'Sure, the capital of France is Par', spoken_status: 'in-progress', segment_id: 7 });
  });
});
