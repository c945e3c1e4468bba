import { describe, expect, it } from 'vitest';
import { UserTranscriptAccumulator } from './user-transcript-accumulator.ts';

describe('UserTranscriptAccumulator', () => {
  it('partials carry the text so far and the final closes the turn', () => {
    const acc = new UserTranscriptAccumulator();
    expect(acc.append("What's the weather")).toEqual({ text: "What's the weather", final: false });
    expect(acc.append(' in Paris?')).toEqual({ text: "What's the weather in Paris?", final: false });
    expect(acc.finish()).toEqual({ text: "What's the weather in Paris?", final: true });
    expect(acc.hasText).toBe(false);
    expect(acc.finish()).toBeNull();
  });

  it('ignores fragments that change nothing visible and prefers the provider final', () => {
    const acc = new UserTranscriptAccumulator();
    expect(acc.append('  ')).toBeNull();
    acc.append('hello  there');
    expect(acc.current).toBe('hello there');
    expect(acc.finish('Hello there.')).toEqual({ text: 'Hello there.', final: true });
    expect(acc.replace('again')).toEqual({ text: 'again', final: false });
  });
});
