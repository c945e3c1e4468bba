import { describe, expect, it } from 'vitest';
import { PartAssembler, splitMessage } from './message-parts.ts';

describe('message parts', () => {
  it('a small message goes whole; a big one is cut into bounded parts that reassemble in any order', () => {
    expect(splitMessage(1, { a: 1 }, 100)).toBeNull();
    const message = { op: 'get', events: Array.from({ length: 500 }, (_, i) => ({ seq: i, text: 'é'.repeat(i % 7) })) };
    const parts = splitMessage(7, message, 1000)!;
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.every((p) => p.text.length <= 1000 && p.id === 7 && p.total === parts.length)).toBe(true);
    const a = new PartAssembler();
    const shuffled = [...parts].reverse();
    const results = shuffled.map((p) => a.add(p));
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results.at(-1)).toEqual(message);
    expect(a.pendingCount).toBe(0);
  });

  it('two messages interleaved, a repeated part, and a malformed part', () => {
    const a = new PartAssembler();
    const p1 = splitMessage(1, { x: 'a'.repeat(50) }, 20)!;
    const p2 = splitMessage(2, { y: 'b'.repeat(50) }, 20)!;
    a.add(p1[0]!);
    a.add(p2[0]!);
    a.add(p1[0]!);
    for (const p of p2.slice(1)) a.add(p);
    expect(a.pendingCount).toBe(1);
    let last: unknown;
    for (const p of p1.slice(1)) last = a.add(p);
    expect(last).toEqual({ x: 'a'.repeat(50) });
    expect(() => a.add({ id: 3, index: 2, total: 2, text: '' })).toThrow(/malformed/);
  });
});
