import { describe, expect, it } from 'vitest';
import { renderThrottle } from './render-throttle.ts';
import { virtualClock } from './virtual-frame-clock.ts';

describe('renderThrottle', () => {
  it('runs a first request at the next frame', () => {
    const v = virtualClock();
    const runs: number[] = [];
    const th = renderThrottle(() => runs.push(v.now()), 100, v.clock);
    v.advance(5);
    th.schedule();
    v.advance(20);
    expect(runs).toEqual([16]);
  });

  it('coalesces requests and keeps runs at least the interval apart under a steady stream', () => {
    const v = virtualClock();
    const runs: number[] = [];
    const th = renderThrottle(() => runs.push(v.now()), 100, v.clock);
    // A batch every 50 ms for 2 s, as the host sends them.
    for (let i = 0; i < 40; i++) {
      th.schedule();
      v.advance(50);
    }
    v.advance(200);
    expect(runs.length).toBeGreaterThanOrEqual(15);
    expect(runs.length).toBeLessThanOrEqual(21);
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBeGreaterThanOrEqual(100);
    // The last request was served: nothing waits forever.
    expect(runs.at(-1)!).toBeGreaterThan(40 * 50 - 50);
  });

  it('a cancel drops the pending run', () => {
    const v = virtualClock();
    const runs: number[] = [];
    const th = renderThrottle(() => runs.push(v.now()), 100, v.clock);
    th.schedule();
    v.advance(20);
    th.schedule();
    th.cancel();
    v.advance(500);
    expect(runs).toEqual([16]);
  });
});
