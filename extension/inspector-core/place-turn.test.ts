import { describe, expect, it } from 'vitest';
import type { ConversationTurn } from '../shared/messages.ts';
import { placeTurn } from './place-turn.ts';

const turn = (id: string, text = id): ConversationTurn => ({ id, role: 'user', text, final: false });

describe('placeTurn', () => {
  it('replaces a known turn in place, puts a new one before the named turn, or at the end', () => {
    let c = placeTurn([], turn('b'));
    c = placeTurn(c, turn('a'), 'b');
    c = placeTurn(c, turn('c'), 'gone');
    c = placeTurn(c, turn('b', 'B'), 'c');
    expect(c.map((t) => [t.id, t.text])).toEqual([
      ['a', 'a'],
      ['b', 'B'],
      ['c', 'c'],
    ]);
  });
});
