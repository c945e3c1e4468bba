import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostUpdate } from '../../extension/shared/messages.ts';
import type { LogEvent } from '../../extension/shared/log-event.ts';
import { UpdateBatcher } from '../../extension/offscreen/update-batcher.ts';
import { PanelStore } from '../../extension/sidepanel/panel-store.ts';

// The host's batcher and the panel's store meet only over the Port; this joins them directly to
// check the panel's update path keeps every row of a burst (issue 14 item 6: no event dropped).
function ev(seq: number): LogEvent {
  return { seq, session: 1, t: seq, wall: 0, source: 'rtvi', direction: 'local', type: `e${seq % 7}`, data: { i: seq } };
}

describe('host batcher → panel store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps every event of a burst, in order, from the host batcher to the panel history', () => {
    const store = new PanelStore();
    const batcher = new UpdateBatcher((updates) => store.dispatch({ type: 'batch', updates }), 50);
    const N = 20_000;
    // 2,000 events a second for 10 s, interleaved with levels and status as a conversation sends them.
    for (let i = 1; i <= N; i++) {
      batcher.push({ kind: 'log', events: [ev(i)] } satisfies HostUpdate);
      if (i % 10 === 0) batcher.push({ kind: 'levels', levels: { mic: (i % 100) / 100, bot: 0 } });
      if (i % 20 === 0) vi.advanceTimersByTime(10);
    }
    vi.runAllTimers();
    const seqs = store.history.toArray().map((e) => e.seq);
    expect(seqs.length).toBe(N);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
  });
});
