import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { DEFAULT_CRITERIA, filterEvents, filterKey } from './event-filter.ts';
import { parseFilterQuery } from './filter-query.ts';

const ev = (seq: number, over: Partial<LogEvent>): LogEvent => ({ seq, session: 1, t: seq, wall: seq, source: 'raw', direction: 'in', type: 'x', data: {}, ...over });
const rows: LogEvent[] = [
  ev(1, { direction: 'out', type: 'session.update', data: { type: 'session.update', session: { voice: 'marin' } } }),
  ev(2, { type: 'session.updated', data: { type: 'session.updated', session: { voice: 'marin' } } }),
  ev(3, { direction: 'out', type: 'input_audio_buffer.append', data: { audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } }, audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } }),
  ev(4, { direction: 'out', type: 'loopback.audio', data: { note: 'synthetic frame' }, audio: { bytes: 640, durationMs: 20, sampleRate: 16000 } }),
  ev(5, { source: 'rtvi', direction: 'local', type: 'error', data: { message: 'Quota exceeded', fatal: true } }),
  ev(6, { source: 'rtvi', direction: 'local', type: 'user-started-speaking', data: {} }),
];
const known = new Set(rows.map((r) => r.type));
const seqs = (text: string, extra: Partial<typeof DEFAULT_CRITERIA> = {}) => filterEvents(rows, { ...DEFAULT_CRITERIA, text, knownTypes: known, ...extra }).rows.map((r) => r.seq);

describe('filter tokens', () => {
  it('reads type: and dir: tokens and keeps the rest as text', () => {
    expect(parseFilterQuery('type:a.b,c dir:out hello  world')).toEqual({ types: ['a.b', 'c'], notTypes: [], dirs: ['out'], text: 'hello world', invalid: [] });
    expect(parseFilterQuery('-type:x dir:received')).toMatchObject({ notTypes: ['x'], dirs: ['in'] });
    expect(parseFilterQuery('dir:sideways type:').invalid).toEqual(['dir:sideways', 'type:']);
    // A regex is taken whole.
    expect(parseFilterQuery('/type:a b/i')).toMatchObject({ types: [], text: '/type:a b/i' });
  });

  it('an exact type does not match a longer type', () => {
    expect(seqs('session.update')).toEqual([1]);
    expect(seqs('type:session.update')).toEqual([1]);
    expect(seqs('type:session.updated')).toEqual([2]);
    // Not a known type: a substring search, as before.
    expect(seqs('session.upd')).toEqual([1, 2]);
  });

  it('dir: narrows by direction, combined with text', () => {
    expect(seqs('dir:out marin')).toEqual([1]);
    expect(seqs('dir:in')).toEqual([2]);
    expect(seqs('-type:session.updated marin')).toEqual([1]);
  });

  it('an unreadable token is reported and ignored', () => {
    const r = filterEvents(rows, { ...DEFAULT_CRITERIA, text: 'dir:up marin' });
    expect(r.error).toMatch(/dir:up/);
    expect(r.rows.map((x) => x.seq)).toEqual([1, 2]);
  });
});

describe('Hide audio frames', () => {
  it('hides audio rows (loopback.audio included) unless their type is asked for or ticked', () => {
    expect(seqs('', { hideAudio: true })).toEqual([1, 2, 5, 6]);
    expect(seqs('', { hideAudio: false })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seqs('loopback.audio', { hideAudio: true })).toEqual([4]);
    expect(seqs('type:input_audio_buffer.append', { hideAudio: true })).toEqual([3]);
    expect(seqs('', { hideAudio: true, shownTypes: new Set(['loopback.audio']) })).toEqual([1, 2, 4, 5, 6]);
    // A typed type shows even when unticked in Event types.
    expect(seqs('loopback.audio', { hideAudio: true, excludedTypes: new Set(['loopback.audio']) })).toEqual([4]);
  });

  it('the filter key tells the variants apart', () => {
    const base = { ...DEFAULT_CRITERIA, text: 'session.update' };
    const keys = new Set([filterKey(base), filterKey({ ...base, knownTypes: known }), filterKey({ ...base, hideAudio: true }), filterKey({ ...base, hideAudio: true, shownTypes: new Set(['a']) }), filterKey({ ...base, categories: new Set(['errors'] as const) })]);
    expect(keys.size).toBe(5);
  });
});

describe('quick chips', () => {
  it('Errors, Speaking, Session config select their rows; several chips are a union', () => {
    expect(seqs('', { categories: new Set(['errors'] as const) })).toEqual([5]);
    expect(seqs('', { categories: new Set(['speaking'] as const) })).toEqual([6]);
    expect(seqs('', { categories: new Set(['config'] as const) })).toEqual([1, 2]);
    expect(seqs('', { categories: new Set(['config', 'errors'] as const) })).toEqual([1, 2, 5]);
  });
});
