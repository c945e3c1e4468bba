import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { GeminiUserUtterance } from './gemini-user-utterance.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup() {
  const out: Array<{ text: string; final: boolean }> = [];
  let turn = false;
  const u = new GeminiUserUtterance({ emit: (text, final) => out.push({ text, final }), botTurnActive: () => turn }, 500, 3000);
  return { u, out, finals: () => out.filter((o) => o.final).map((o) => o.text), setTurn: (v: boolean) => (turn = v) };
}

describe('GeminiUserUtterance', () => {
  it('any interleaving of fragments with the bot turn gives one final with all the text (property)', () => {
    // Each fragment lands in one of four phases; phases never go back.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 499 }), (phases, lateGap) => {
        const t = setup();
        const sorted = [...phases].sort();
        const words = sorted.map((_, i) => ` w${i}`);
        let phase = 0;
        const advanceTo = (p: number) => {
          while (phase < p) {
            phase++;
            if (phase === 1) {
              t.setTurn(true);
              t.u.botTurnStarted();
            }
            if (phase === 3) {
              t.setTurn(false);
              t.u.botTurnEnded();
            }
          }
        };
        sorted.forEach((p, i) => {
          advanceTo(p);
          t.u.fragment(words[i], false, [i]);
          if (p === 3) vi.advanceTimersByTime(lateGap);
        });
        advanceTo(3);
        vi.advanceTimersByTime(3100);
        expect(t.finals()).toEqual([words.join('').trim()]);
      }),
    );
  });

  it('finished closes at once; new speech after an answer closes; an unanswered utterance closes after 3 s', () => {
    const t = setup();
    t.u.fragment('Hi', true, [1]);
    expect(t.finals()).toEqual(['Hi']);
    t.u.fragment('Next one', false, [2]);
    t.setTurn(true);
    t.u.botTurnStarted();
    t.setTurn(false);
    t.u.botTurnEnded();
    t.u.userSpeechStarted([3]);
    expect(t.finals()).toEqual(['Hi', 'Next one']);
    t.u.fragment('Nobody answers', false, [4]);
    vi.advanceTimersByTime(2900);
    expect(t.finals()).toHaveLength(2);
    vi.advanceTimersByTime(200);
    expect(t.finals()).toEqual(['Hi', 'Next one', 'Nobody answers']);
  });
});
