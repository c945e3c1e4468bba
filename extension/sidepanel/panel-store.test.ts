import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { PanelStore } from './panel-store.ts';

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

function snapshotHead() {
  const s = new PanelStore().getState();
  return { status: s.status, levels: s.levels, stats: s.stats, devices: s.devices, conversation: [], errors: [], settings: null, lastApply: null };
}
