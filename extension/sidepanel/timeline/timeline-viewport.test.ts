import { describe, expect, it } from 'vitest';
import { MIN_SPAN_MS, clampViewport, follow, formatClock, msAtX, tickStep, xAtMs, zoomAround } from './timeline-viewport.ts';

describe('timeline viewport', () => {
  const hour = 3_600_000;
  it('clamps to the session and to the closest zoom', () => {
    expect(clampViewport({ startMs: -5, spanMs: 10 }, hour)).toEqual({ startMs: 0, spanMs: MIN_SPAN_MS });
    expect(clampViewport({ startMs: hour, spanMs: 60_000 }, hour)).toEqual({ startMs: hour - 60_000, spanMs: 60_000 });
    expect(clampViewport({ startMs: 0, spanMs: 2 * hour }, hour)).toEqual({ startMs: 0, spanMs: hour });
  });
  it('zooming keeps the anchor under the same pixel', () => {
    const v = { startMs: 100_000, spanMs: 200_000 };
    const anchor = 150_000;
    const z = zoomAround(v, 0.5, anchor, hour);
    expect(z.spanMs).toBe(100_000);
    expect(xAtMs(z, anchor, 320)).toBeCloseTo(xAtMs(v, anchor, 320), 6);
    expect(msAtX(z, xAtMs(z, anchor, 320), 320)).toBeCloseTo(anchor, 6);
  });
  it('follows a playhead leaving the window, and not one inside it', () => {
    const v = { startMs: 0, spanMs: 60_000 };
    expect(follow(v, 30_000, hour)).toBe(v);
    expect(follow(v, 59_000, hour).startMs).toBe(59_000 - 15_000);
  });
  it('formats the clock', () => {
    expect(formatClock(0)).toBe('0:00.0');
    expect(formatClock(83_456)).toBe('1:23.4');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
  it('picks round tick steps', () => {
    expect(tickStep(hour, 320)).toBe(900_000);
    expect(tickStep(10_000, 320)).toBe(5000);
  });
});
