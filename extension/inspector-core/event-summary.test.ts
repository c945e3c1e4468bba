import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { formatBytes, formatMs, formatRelative, summarizeEvent } from './event-summary.ts';
import { runInspectorBench } from './inspector-bench.ts';
import { filterEvents, DEFAULT_CRITERIA, warmSearchText } from './event-filter.ts';

const base: LogEvent = { seq: 1, session: 1, t: 12.4, wall: 0, source: 'raw', direction: 'in', type: 'response.output_audio.delta', data: {} };

describe('summarizeEvent', () => {
  it('summarises audio as duration and bytes, never payload', () => {
    const s = summarizeEvent({ ...base, bytes: 6500, data: { delta: { bytes: 4800, durationMs: 100, sampleRate: 24000 } }, audio: { bytes: 4800, durationMs: 100, sampleRate: 24000 } });
    expect(s).toBe('100 ms audio, 4.7 KB @ 24 kHz · 6.3 KB on wire');
  });

  it('shows text-ish fields, else compact JSON, clipped', () => {
    expect(summarizeEvent({ ...base, source: 'rtvi', direction: 'local', type: 'bot-tts-text', data: { text: 'Hello' } })).toBe('"Hello"');
    expect(summarizeEvent({ ...base, source: 'transport', direction: 'local', type: 'state', data: { state: 'ready' } })).toBe('"ready"');
    expect(summarizeEvent({ ...base, source: 'rtvi', direction: 'local', type: 'x', data: { a: 1 } })).toBe('{"a":1}');
    expect(summarizeEvent({ ...base, source: 'rtvi', direction: 'local', type: 'x', data: { reason: 7 } })).toBe('reason: 7');
    expect(summarizeEvent({ ...base, source: 'rtvi', direction: 'local', type: 'x', data: { a: [1] } })).toBe('{"a":[1]}');
    const long = summarizeEvent({ ...base, source: 'rtvi', direction: 'local', type: 'x', data: { text: 'y'.repeat(500) } });
    expect(long.length).toBeLessThanOrEqual(140);
    expect(long.endsWith('…')).toBe(true);
  });

  it('formats', () => {
    expect(formatRelative(12.4)).toBe('+12 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('cached search text', () => {
  it('never leaks into JSON (exports, Port pages) and works on frozen rows', () => {
    const ev: LogEvent = { ...base, data: { text: 'Zebra' } };
    warmSearchText(ev);
    expect(JSON.stringify(ev)).toBe(JSON.stringify({ ...base, data: { text: 'Zebra' } }));
    expect(Object.keys(ev)).toEqual(Object.keys(base));
    const frozen = Object.freeze({ ...ev });
    expect(filterEvents([ev, frozen], { ...DEFAULT_CRITERIA, text: 'zebra' }).rows).toEqual([ev, frozen]);
  });
});

describe('runInspectorBench', () => {
  it('reports figures for the bench', () => {
    const r = runInspectorBench({ ingestRows: 3000, filterRows: 3000, queries: ['a', 'b'] });
    expect(r.ingestRowsPerSec).toBeGreaterThan(0);
    expect(r.filterMs.rows).toBe(3000);
    expect(r.filterMs.p95).toBeGreaterThanOrEqual(r.filterMs.p50);
    expect(r.rowsPerHour / (3_600_000 / 0.5)).toBeCloseTo(1, 2);
    expect(r.bytesPerHour).toBeGreaterThan(0);
  });
});
