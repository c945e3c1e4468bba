import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleWatch } from './idle-watch.ts';

describe('IdleWatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('warns 30 s ahead, then ends the session at the limit', () => {
    const events: string[] = [];
    new IdleWatch({ timeoutMs: 600_000, onWarn: (ms) => events.push(`warn ${ms}`), onIdle: () => events.push('idle') });
    vi.advanceTimersByTime(569_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['warn 30000']);
    vi.advanceTimersByTime(30_000);
    expect(events).toEqual(['warn 30000', 'idle']);
  });

  it('activity restarts the countdown; stop cancels it', () => {
    const events: string[] = [];
    const w = new IdleWatch({ timeoutMs: 60_000, onWarn: () => events.push('warn'), onIdle: () => events.push('idle') });
    vi.advanceTimersByTime(25_000);
    w.activity();
    vi.advanceTimersByTime(25_000);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(events).toEqual(['warn']);
    w.stop();
    vi.advanceTimersByTime(60_000);
    expect(events).toEqual(['warn']);
  });

  it('a limit shorter than a minute warns at half of it', () => {
    const events: string[] = [];
    new IdleWatch({ timeoutMs: 8_000, onWarn: (ms) => events.push(`warn ${ms}`), onIdle: () => events.push('idle') });
    vi.advanceTimersByTime(4_000);
    expect(events).toEqual(['warn 4000']);
    vi.advanceTimersByTime(4_000);
    expect(events).toEqual(['warn 4000', 'idle']);
  });
});
