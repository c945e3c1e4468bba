import { describe, expect, it } from 'vitest';
import { redrawBeat } from './redraw-beat.ts';
import { virtualClock } from './virtual-frame-clock.ts';

describe('redrawBeat', () => {
  it('runs a first request after a quiet spell at the next frame', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    const runs: number[] = [];
    v.advance(5);
    beat.request(() => runs.push(v.now()));
    v.advance(20);
    expect(runs).toEqual([16]);
  });

  it('runs views that stream at different times in the same frame, once per beat', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    const meters: number[] = [];
    const log: number[] = [];
    const state: number[] = [];
    const drawMeters = () => meters.push(v.now());
    const drawLog = () => log.push(v.now());
    const drawState = () => state.push(v.now());
    // The host's batches every 50 ms, each asking some views to redraw, at uneven offsets.
    for (let i = 0; i < 40; i++) {
      beat.request(drawMeters);
      v.advance(7);
      beat.request(drawLog);
      v.advance(30);
      if (i % 3 === 0) beat.request(drawState);
      v.advance(13);
    }
    v.advance(300);
    // Every run of the slower views happened in a frame the meters also drew in.
    for (const t of [...log, ...state]) expect(meters).toContain(t);
    for (let i = 1; i < meters.length; i++) expect(meters[i] - meters[i - 1]).toBeGreaterThanOrEqual(100);
    expect(meters.length).toBeGreaterThanOrEqual(15);
    expect(meters.length).toBeLessThanOrEqual(21);
    // The last request of each view was served after it was made: nothing waits forever.
    expect(log.at(-1)!).toBeGreaterThan(39 * 50 + 7);
    expect(state.at(-1)!).toBeGreaterThan(39 * 50 + 37);
  });

  it('runs a function once per beat however often it was asked for', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    let runs = 0;
    const fn = () => runs++;
    for (let i = 0; i < 100; i++) {
      beat.request(fn);
      v.advance(1);
    }
    v.advance(200);
    // A first run at the next frame, then at most one per 100 ms beat over the 100 ms of requests.
    expect(runs).toBe(2);
  });

  it('a slower view runs on every other beat, in a frame shared with the beat', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    const fast: number[] = [];
    const slow: number[] = [];
    const drawFast = () => fast.push(v.now());
    const drawSlow = () => slow.push(v.now());
    for (let i = 0; i < 40; i++) {
      beat.request(drawFast);
      beat.request(drawSlow, 200);
      v.advance(50);
    }
    v.advance(500);
    for (const t of slow) expect(fast).toContain(t);
    for (let i = 1; i < slow.length; i++) expect(slow[i] - slow[i - 1]).toBeGreaterThanOrEqual(150);
    expect(slow.length).toBeGreaterThanOrEqual(8);
    expect(slow.length).toBeLessThanOrEqual(11);
  });

  it('does not wake for beats nobody is due in', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    const runs: number[] = [];
    const fn = () => runs.push(v.now());
    beat.request(fn, 500);
    v.advance(20);
    beat.request(fn, 500);
    expect(v.pendingCount()).toBe(1);
    v.advance(1000);
    expect(runs).toHaveLength(2);
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(450);
  });

  it('hands every view due at a beat to one runAll call (the panel renders them in one React pass)', () => {
    const v = virtualClock();
    const calls: number[] = [];
    const beat = redrawBeat(100, v.clock, (fns) => {
      calls.push(fns.length);
      for (const fn of fns) fn();
    });
    const ran: string[] = [];
    const a = () => ran.push('a');
    const b = () => ran.push('b');
    const c = () => ran.push('c');
    beat.request(a);
    v.advance(20);
    beat.request(a);
    v.advance(10);
    beat.request(b);
    v.advance(30);
    beat.request(c);
    v.advance(200);
    expect(calls).toEqual([1, 3]);
    expect(ran).toEqual(['a', 'a', 'b', 'c']);
  });

  it('a cancel drops the pending run', () => {
    const v = virtualClock();
    const beat = redrawBeat(100, v.clock);
    const runs: number[] = [];
    const fn = () => runs.push(v.now());
    beat.request(fn);
    v.advance(20);
    beat.request(fn);
    beat.cancel(fn);
    v.advance(500);
    expect(runs).toEqual([16]);
  });
});
