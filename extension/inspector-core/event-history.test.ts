import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { EventHistory, estimateRowBytes } from './event-history.ts';
import { makeSyntheticEvents } from './synthetic-events.ts';
import { DEFAULT_CRITERIA, filterEvents } from './event-filter.ts';

function raw(seq: number, frameId: number, type = 'serverContent', session = 1): LogEvent {
  return { seq, session, t: seq, wall: 1000 + seq, source: 'raw', direction: 'in', type, data: { type }, bytes: 10, frameId };
}
function rtvi(seq: number, type: string, sourceFrameIds: number[] = [], session = 1): LogEvent {
  return { seq, session, t: seq, wall: 1000 + seq, source: 'rtvi', direction: 'local', type, data: {}, sourceFrameIds };
}
const cost = (ev: LogEvent) => estimateRowBytes(JSON.stringify(ev).length);

describe('EventHistory', () => {
  it('holds rows in order with per-type counts and byte estimate', () => {
    const h = new EventHistory();
    const rows = [raw(1, 1), raw(2, 2, 'toolCall'), rtvi(3, 'bot-ready', [1])];
    for (const r of rows) h.append(r);
    expect(h.size).toBe(3);
    expect(h.toArray()).toEqual(rows);
    expect(Object.fromEntries(h.typeCounts())).toEqual({ serverContent: 1, toolCall: 1, 'bot-ready': 1 });
    expect(h.bytes).toBe(rows.reduce((s, r) => s + cost(r), 0));
    expect(h.dropped).toBe(0);
  });

  it('uses a caller-supplied JSON length instead of serialising again', () => {
    const h = new EventHistory();
    h.append(raw(1, 1), 1000);
    expect(h.bytes).toBe(estimateRowBytes(1000));
  });

  it('drops the oldest rows beyond the budget, counts them and keeps indexes consistent', () => {
    const rows = Array.from({ length: 10 }, (_, i) => raw(i + 1, i + 1, i % 2 ? 'a' : 'b'));
    const lastFour = rows.slice(6).reduce((s, r) => s + cost(r), 0);
    const h = new EventHistory({ budgetBytes: lastFour });
    for (const r of rows) h.append(r);
    expect(h.size).toBe(4);
    expect(h.dropped).toBe(6);
    expect(h.toArray().map((r) => r.seq)).toEqual([7, 8, 9, 10]);
    expect(h.bySeq(6)).toBeUndefined();
    expect(h.bySeq(7)).toBe(rows[6]);
    expect(h.byFrameId(6, 1)).toBeUndefined();
    expect(h.byFrameId(8, 1)).toBe(rows[7]);
    expect(Object.fromEntries(h.typeCounts())).toEqual({ a: 2, b: 2 });
    expect(h.startIndex).toBe(6);
    expect(h.endIndex).toBe(10);
    expect(h.atAbsolute(6)).toBe(rows[6]);
    expect(h.atAbsolute(5)).toBeUndefined();
    expect(h.bytes).toBeLessThanOrEqual(h.budgetBytes);
  });

  it('shrinking the budget drops at once', () => {
    const h = new EventHistory();
    for (let i = 1; i <= 5; i++) h.append(raw(i, i));
    h.setBudget(cost(raw(5, 5)) * 2);
    expect(h.size).toBe(2);
    expect(h.dropped).toBe(3);
    expect(() => h.setBudget(0)).toThrow(RangeError);
  });

  it('keeps working across compaction of a long run', () => {
    const rows = makeSyntheticEvents(20_000);
    const h = new EventHistory({ budgetBytes: 500_000 });
    h.appendMany(rows.slice(0, 10_000));
    for (const r of rows.slice(10_000)) h.append(r);
    const held = h.toArray();
    expect(held.length).toBe(h.size);
    expect(held[held.length - 1]).toBe(rows[rows.length - 1]);
    expect(h.dropped + h.size).toBe(20_000);
    expect(held[0]).toBe(rows[h.dropped]);
    for (let i = 0; i < 50; i++) expect(h.at(i)).toBe(rows[h.dropped + i]);
    const counted = [...h.typeCounts().values()].reduce((a, b) => a + b, 0);
    expect(counted).toBe(h.size);
  });

  it('links RTVI rows and raw frames both ways, per session', () => {
    const h = new EventHistory();
    const f1 = raw(1, 1);
    const f2 = raw(2, 2);
    const other = raw(3, 1, 'serverContent', 2);
    const r1 = rtvi(4, 'bot-output', [1, 2]);
    const r2 = rtvi(5, 'bot-tts-text', [2]);
    h.appendMany([f1, f2, other, r1, r2]);
    expect(h.framesFor(r1)).toEqual([f1, f2]);
    expect(h.rtviFor(2, 1)).toEqual([r1, r2]);
    expect(h.rtviFor(1, 1)).toEqual([r1]);
    expect(h.rtviFor(1, 2)).toEqual([]);
    expect(h.byFrameId(1, 2)).toBe(other);
  });

  it('forgets citations of dropped RTVI rows', () => {
    const f = raw(1, 1);
    const r1 = rtvi(2, 'bot-output', [1]);
    const r2 = rtvi(3, 'bot-output', [1]);
    const h = new EventHistory({ budgetBytes: cost(f) + cost(r1) + cost(r2) });
    h.appendMany([f, r1, r2]);
    expect(h.rtviFor(1, 1)).toEqual([r1, r2]);
    h.append(rtvi(4, 'x'));
    h.append(rtvi(5, 'x'));
    expect(h.byFrameId(1, 1)).toBeUndefined();
    expect(h.rtviFor(1, 1)).toEqual([r2]);
  });

  it('clear() empties everything, resets dropped and bumps the epoch', () => {
    const h = new EventHistory({ budgetBytes: 2000 });
    for (let i = 1; i <= 30; i++) h.append(raw(i, i));
    expect(h.dropped).toBeGreaterThan(0);
    const epoch = h.epoch;
    h.clear();
    expect(h.size).toBe(0);
    expect(h.dropped).toBe(0);
    expect(h.bytes).toBe(0);
    expect(h.typeCounts().size).toBe(0);
    expect(h.bySeq(30)).toBeUndefined();
    expect(h.epoch).toBe(epoch + 1);
    h.append(raw(31, 31));
    expect(h.toArray().map((r) => r.seq)).toEqual([31]);
  });

  it('pages() splits into pages whose JSON fits, losing and reordering nothing', () => {
    const rows = makeSyntheticEvents(3000);
    const h = new EventHistory();
    h.appendMany(rows);
    const pages = h.pages(20_000);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(JSON.stringify(p).length).toBeLessThanOrEqual(20_000);
    expect(pages.flat()).toEqual(rows);
    const replayed = new EventHistory();
    for (const p of pages) replayed.appendMany(JSON.parse(JSON.stringify(p)) as LogEvent[]);
    expect(replayed.toArray()).toEqual(rows);
    const big = { ...raw(1, 1), data: { blob: 'x'.repeat(50_000) } };
    const h2 = new EventHistory();
    h2.appendMany([raw(0, 0), big, raw(2, 2)]);
    expect(h2.pages(20_000).map((p) => p.map((r) => r.seq))).toEqual([[0], [1], [2]]);
  });

  it('notifies subscribers once per append or batch and stops after unsubscribe', () => {
    const h = new EventHistory();
    let calls = 0;
    const off = h.subscribe(() => calls++);
    h.append(raw(1, 1));
    h.appendMany([raw(2, 2), raw(3, 3)]);
    h.appendMany([]);
    expect(calls).toBe(2);
    const rev = h.revision;
    off();
    h.clear();
    expect(calls).toBe(2);
    expect(h.revision).toBe(rev + 1);
  });
});

describe('audio-frame rows', () => {
  const audioRow = (seq: number, bytes = 640): LogEvent => {
    const audio = { bytes, durationMs: bytes / 32, sampleRate: 16000 };
    return { seq, session: 1, t: seq, wall: 1000 + seq, source: 'raw', direction: 'out', type: 'realtimeInput', data: { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', data: { ...audio } } } }, bytes: 900, frameId: seq, audio };
  };

  it('share one payload per distinct summary, serialise unchanged and cost less than a full row', () => {
    const h = new EventHistory();
    const rows = [audioRow(1), audioRow(2), audioRow(3, 960), audioRow(4)];
    const before = rows.map((r) => JSON.stringify(r));
    h.appendMany(rows);
    expect(rows.map((r) => JSON.stringify(r))).toEqual(before);
    expect(rows[1].data).toBe(rows[0].data);
    expect(rows[3].data).toBe(rows[0].data);
    expect(rows[2].data).not.toBe(rows[0].data);
    const full = rows.reduce((s, r) => s + cost(r), 0);
    expect(h.bytes).toBeLessThan(full * 0.75);
    expect(filterEvents(h.toArray(), { ...DEFAULT_CRITERIA, text: 'rate=16000' }).rows).toHaveLength(4);
    expect(filterEvents(h.toArray(), { ...DEFAULT_CRITERIA, text: '"bytes":960' }).rows.map((r) => r.seq)).toEqual([3]);
  });

  it('cost frozen rows in full and drop them without drifting the total', () => {
    const h = new EventHistory();
    const frozen = Object.freeze(audioRow(2));
    h.append(audioRow(1));
    h.append(frozen);
    expect(frozen.data).not.toBe(h.at(0)!.data);
    h.setBudget(h.bytes - 1);
    expect(h.size).toBe(1);
    expect(h.bytes).toBe(cost(frozen));
  });
});
