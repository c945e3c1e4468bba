import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import type { HostUpdate } from '../shared/messages.ts';
import { PanelStore } from './panel-store.ts';
import { redrawBeat } from './redraw-beat.ts';
import { virtualClock } from './virtual-frame-clock.ts';

function ev(seq: number): LogEvent {
  return { seq, session: 1, t: seq, wall: 0, source: 'rtvi', direction: 'local', type: `e${seq % 7}`, data: { i: seq } };
}

describe('PanelStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a batch of levels only does not notify the panel state listeners (the app does not re-render for the meters)', () => {
    const store = new PanelStore();
    const app = vi.fn();
    store.subscribe(app);
    const before = store.getState();
    store.dispatch({ type: 'batch', updates: [{ kind: 'levels', levels: { mic: 0.4, bot: 0.1 } }] });
    vi.runAllTimers();
    expect(app).not.toHaveBeenCalled();
    expect(store.getState()).toBe(before);
  });

  it('level listeners get the latest levels, once per frame however many batches arrived', () => {
    const store = new PanelStore();
    const meter = vi.fn();
    store.levels.subscribe(meter);
    store.dispatch({ type: 'batch', updates: [{ kind: 'levels', levels: { mic: 0.1, bot: 0 } }] });
    store.dispatch({ type: 'batch', updates: [{ kind: 'levels', levels: { mic: 0.3, bot: 0.2 } }] });
    expect(meter).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(meter).toHaveBeenCalledTimes(1);
    expect(store.levels.get()).toEqual({ mic: 0.3, bot: 0.2 });
  });

  it('a snapshot sets the levels the host holds', () => {
    const store = new PanelStore();
    store.dispatch({
      type: 'snapshot',
      head: { ...snapshotHead(), levels: { mic: 0.25, bot: 0.5 } },
    } as never);
    expect(store.levels.get()).toEqual({ mic: 0.25, bot: 0.5 });
  });

  it('status beside levels in one batch still reaches the state listeners', () => {
    const store = new PanelStore();
    const app = vi.fn();
    store.subscribe(app);
    const status = { ...store.getState().status, transportState: 'ready' as const };
    store.dispatch({ type: 'batch', updates: [{ kind: 'levels', levels: { mic: 0.4, bot: 0 } }, { kind: 'status', status }] });
    vi.runAllTimers();
    expect(app).toHaveBeenCalledTimes(1);
    expect(store.getState().status.transportState).toBe('ready');
  });
});

describe('PanelStore on the panel beat', () => {
  it('stats, transcript deltas and the recordings listing reach the panel in the meters\' frame, not in frames of their own', () => {
    // Updates that do not wait for the beat go out on a real (here fake) 16 ms frame timer.
    vi.useFakeTimers();
    const v = virtualClock();
    const store = new PanelStore(redrawBeat(100, v.clock));
    const app: number[] = [];
    const meter: number[] = [];
    store.subscribe(() => app.push(v.now()));
    store.levels.subscribe(() => meter.push(v.now()));
    // A conversation: a batch every 50 ms with levels, stats every 500 ms, a transcript delta now and then.
    for (let i = 0; i < 40; i++) {
      const updates: HostUpdate[] = [{ kind: 'levels', levels: { mic: (i % 10) / 10, bot: 0 } }];
      if (i % 10 === 3) updates.push({ kind: 'stats', stats: { framesCaptured: i } });
      if (i % 13 === 8) updates.push({ kind: 'recordings', listing: { recordings: [], usedBytes: i } as never });
      if (i % 7 === 5) updates.push({ kind: 'turn', turn: { id: 'u1', role: 'user', text: `word ${i}`, final: false } });
      store.dispatch({ type: 'batch', updates });
      v.advance(50);
      vi.advanceTimersByTime(50);
    }
    v.advance(300);
    vi.advanceTimersByTime(300);
    vi.useRealTimers();
    expect(app.length).toBeGreaterThan(0);
    for (const t of app) expect(meter).toContain(t);
    expect(store.getState().stats).toEqual({ framesCaptured: 33 });
    expect(store.getState().conversation.at(-1)?.text).toBe('word 33');
    expect(store.getState().recordings?.usedBytes).toBe(34);
  });

  it('a status change is not held for the beat', () => {
    vi.useFakeTimers();
    try {
      const v = virtualClock();
      const store = new PanelStore(redrawBeat(100, v.clock));
      const app = vi.fn();
      store.subscribe(app);
      store.dispatch({ type: 'batch', updates: [{ kind: 'levels', levels: { mic: 0.4, bot: 0 } }] });
      v.advance(20);
      const status = { ...store.getState().status, transportState: 'ready' as const };
      store.dispatch({ type: 'batch', updates: [{ kind: 'status', status }] });
      // The next frame (a 16 ms timer stands in for it here), well before the next beat.
      vi.advanceTimersByTime(20);
      expect(app).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

function snapshotHead() {
  const s = new PanelStore().getState();
  return { status: s.status, levels: s.levels, stats: s.stats, devices: s.devices, conversation: [], errors: [], settings: null, lastApply: null };
}
