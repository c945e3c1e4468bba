import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import type { SnapshotHead } from '../shared/messages.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import { applyHostEventToHistory } from './history-sync.ts';

const ev = (seq: number): LogEvent => ({ seq, session: 1, t: seq, wall: 0, source: 'raw', direction: 'in', type: 'serverContent', data: { n: seq } });
const head = { pages: 1 } as SnapshotHead;

describe('applyHostEventToHistory', () => {
  it('a snapshot replaces the history; batches append in order; a clear empties it', () => {
    const h = new EventHistory();
    h.appendMany([ev(100)]);
    applyHostEventToHistory(h, { type: 'snapshot', head });
    applyHostEventToHistory(h, { type: 'snapshot-page', index: 0, events: [ev(1), ev(2)] });
    applyHostEventToHistory(h, { type: 'snapshot-end' });
    applyHostEventToHistory(h, { type: 'batch', updates: [{ kind: 'log', events: [ev(3)] }, { kind: 'levels', levels: { mic: 0, bot: 0 } }] });
    expect(h.toArray().map((e) => e.seq)).toEqual([1, 2, 3]);
    applyHostEventToHistory(h, { type: 'batch', updates: [{ kind: 'events-cleared' }, { kind: 'log', events: [ev(4)] }] });
    expect(h.toArray().map((e) => e.seq)).toEqual([4]);
  });
});
