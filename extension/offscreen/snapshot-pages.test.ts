import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { paginateEvents } from './snapshot-pages.ts';

function ev(seq: number, text: string): LogEvent {
  return { seq, session: 1, t: seq, wall: 0, source: 'raw', direction: 'in', type: 'serverContent', data: { text } };
}

describe('paginateEvents', () => {
  it('keeps every page within the byte budget and loses nothing, in order', () => {
    const events = Array.from({ length: 500 }, (_, i) => ev(i, 'x'.repeat(i % 97) + 'é€😀'));
    const pages = paginateEvents(events, 4_000);
    expect(pages.length).toBeGreaterThan(5);
    for (const p of pages) expect(new TextEncoder().encode(JSON.stringify(p)).length).toBeLessThanOrEqual(4_000);
    expect(pages.flat().map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('sends an oversized event alone and an empty history as no pages', () => {
    const big = ev(1, 'y'.repeat(10_000));
    const pages = paginateEvents([ev(0, 'a'), big, ev(2, 'b')], 1_000);
    expect(pages.map((p) => p.map((e) => e.seq))).toEqual([[0], [1], [2]]);
    expect(paginateEvents([], 1_000)).toEqual([]);
  });
});
