import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { DisplayClock, formatWallClock } from './display-clock.ts';

const ev = (seq: number, session: number, t: number): LogEvent => ({ seq, session, t, wall: 0, source: 'rtvi', direction: 'local', type: 'x', data: {} });

describe('DisplayClock', () => {
  it('shows rounded ms since connect, never less than the row above, and restarts at each session', () => {
    const c = new DisplayClock();
    const rows = [ev(1, 1, 0.4), ev(2, 1, 12.6), ev(3, 1, 8), ev(4, 1, 20), ev(5, 2, 3), ev(6, 2, 1)];
    expect(rows.map((r) => c.observe(r))).toEqual([0, 13, 13, 20, 3, 3]);
    expect(c.displayMs(rows[2])).toBe(13);
  });

  it('any filtered subsequence of the history is non-decreasing within a session', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.double({ min: -5, max: 1e6, noNaN: true }), keep: fc.boolean(), next: fc.boolean() }), { maxLength: 200 }), (spec) => {
        const c = new DisplayClock();
        let session = 1;
        const rows = spec.map((s, i) => ev(i + 1, s.next ? ++session : session, s.t));
        for (const r of rows) c.observe(r);
        const shown = rows.filter((_, i) => spec[i].keep);
        for (let i = 1; i < shown.length; i++) if (shown[i].session === shown[i - 1].session) expect(c.displayMs(shown[i])).toBeGreaterThanOrEqual(c.displayMs(shown[i - 1]));
        for (const r of rows) expect(Number.isInteger(c.displayMs(r)) && c.displayMs(r) >= 0).toBe(true);
      }),
    );
  });

  it('formats wall time as HH:MM:SS.mmm', () => {
    const d = new Date(2026, 0, 2, 3, 4, 5, 67);
    expect(formatWallClock(d.getTime())).toBe('03:04:05.067');
  });
});
