import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { EventHistory } from './event-history.ts';
import { DEFAULT_CRITERIA, IncrementalFilter, filterEvents, measureFilterLatency, narrows, parseTextQuery, type FilterCriteria } from './event-filter.ts';
import { makeSyntheticEvents } from './synthetic-events.ts';

const ev = (seq: number, over: Partial<LogEvent>): LogEvent => ({ seq, session: 1, t: seq, wall: seq, source: 'rtvi', direction: 'local', type: 'x', data: {}, ...over });

const sample: LogEvent[] = [
  ev(1, { source: 'raw', direction: 'out', type: 'session.update', data: { session: { instructions: 'Be Concise' } }, frameId: 1 }),
  ev(2, { source: 'raw', direction: 'in', type: 'setupComplete', data: { setupComplete: {} }, frameId: 2 }),
  ev(3, { type: 'bot-ready', data: { version: '2.0.0' }, sourceFrameIds: [2] }),
  ev(4, { type: 'user-transcription', data: { text: 'What is the WEATHER', final: true } }),
  ev(5, { source: 'transport', type: 'transport-state-changed', data: { state: 'ready' } }),
];
const seqs = (rows: LogEvent[]) => rows.map((r) => r.seq);

describe('text query', () => {
  it('plain text is a case-insensitive substring over type and payload', () => {
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: 'weather' }).rows)).toEqual([4]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: 'CONCISE' }).rows)).toEqual([1]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: 'bot-re' }).rows)).toEqual([3]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '  ' }).rows)).toEqual([1, 2, 3, 4, 5]);
  });

  it('/regex/flags is a regular expression, case-sensitive unless i', () => {
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/^(session|setup)/' }).rows)).toEqual([1, 2]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/WEATHER/' }).rows)).toEqual([4]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/weather/' }).rows)).toEqual([]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/weather/i' }).rows)).toEqual([4]);
    // g would make RegExp.test stateful between rows; it must not skip matches.
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/e/g' }).rows)).toEqual([1, 2, 3, 4, 5]);
  });

  it('an invalid regex is reported, not thrown, and matches nothing', () => {
    const q = parseTextQuery('/(unclosed/');
    expect(q.error).toMatch(/Invalid regular expression/);
    const r = filterEvents(sample, { ...DEFAULT_CRITERIA, text: '/(unclosed/' });
    expect(r.error).toMatch(/Invalid regular expression/);
    expect(r.rows).toEqual([]);
    expect(filterEvents(sample, { ...DEFAULT_CRITERIA, text: 'weather' }).error).toBeNull();
  });
});

describe('view, direction and types', () => {
  it('view RTVI shows non-raw rows, Raw only frames, Both all', () => {
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, view: 'rtvi' }).rows)).toEqual([3, 4, 5]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, view: 'raw' }).rows)).toEqual([1, 2]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, view: 'both' }).rows)).toEqual([1, 2, 3, 4, 5]);
  });

  it('direction filter', () => {
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, direction: 'out' }).rows)).toEqual([1]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, direction: 'in' }).rows)).toEqual([2]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, direction: 'local' }).rows)).toEqual([3, 4, 5]);
  });

  it('type exclusion and inclusion', () => {
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, excludedTypes: new Set(['bot-ready', 'session.update']) }).rows)).toEqual([2, 4, 5]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, includedTypes: new Set(['bot-ready', 'setupComplete']) }).rows)).toEqual([2, 3]);
    expect(seqs(filterEvents(sample, { ...DEFAULT_CRITERIA, includedTypes: new Set(['bot-ready']), excludedTypes: new Set(['bot-ready']) }).rows)).toEqual([]);
  });

  it('criteria combine', () => {
    expect(seqs(filterEvents(sample, { text: 'ready', view: 'rtvi', direction: 'local', excludedTypes: new Set(['bot-ready']) }).rows)).toEqual([5]);
  });
});

describe('100,000 rows', () => {
  const rows = makeSyntheticEvents(100_000);

  it('filters correctly against a straightforward reference', () => {
    const cases = [
      { ...DEFAULT_CRITERIA, text: 'umbrella' },
      { ...DEFAULT_CRITERIA, text: '/pari[s]/i', view: 'raw' as const },
      { ...DEFAULT_CRITERIA, direction: 'out' as const },
      { ...DEFAULT_CRITERIA, excludedTypes: new Set(['input_audio_buffer.append', 'response.output_audio.delta']) },
    ];
    const refs = [
      (r: LogEvent) => JSON.stringify(r.data).toLowerCase().includes('umbrella') || r.type.includes('umbrella'),
      (r: LogEvent) => r.source === 'raw' && /paris/i.test(r.type + ' ' + JSON.stringify(r.data)),
      (r: LogEvent) => r.direction === 'out',
      (r: LogEvent) => r.type !== 'input_audio_buffer.append' && r.type !== 'response.output_audio.delta',
    ];
    cases.forEach((c, i) => {
      const got = filterEvents(rows, c).rows;
      const want = rows.filter(refs[i]);
      expect(want.length).toBeGreaterThan(0);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
    });
  });

  it('measureFilterLatency returns one timing per query', () => {
    const times = measureFilterLatency(rows, ['u', 'um', 'umb']);
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(0);
  });
});

describe('IncrementalFilter seeded with the previous query', () => {
  const rows = makeSyntheticEvents(3000);
  const history = () => {
    const h = new EventHistory();
    h.appendMany(rows.slice(0, 2000));
    return h;
  };

  it('a longer plain text searches only the previous matches, then scans new rows; same rows as a fresh filter', () => {
    const h = history();
    const a = new IncrementalFilter(h);
    a.run({ ...DEFAULT_CRITERIA, text: 'par' });
    h.appendMany(rows.slice(2000));
    const spy = vi.spyOn(h, 'atAbsolute');
    const b = new IncrementalFilter(h);
    const criteria = { ...DEFAULT_CRITERIA, text: 'Paris' };
    const r = b.run(criteria, undefined, a);
    // Only the 1,000 rows the seed had not seen were read from the history.
    expect(spy).toHaveBeenCalledTimes(1000);
    expect(r.reset).toBe(true);
    expect(r.rows).toEqual(filterEvents(rows, criteria).rows);
  });

  it('does not narrow from a query it does not refine: shorter text, regex, tokens, other criteria', () => {
    const base = { ...DEFAULT_CRITERIA, text: 'par' };
    expect(narrows(base, { ...base, text: 'pari' })).toBe(true);
    expect(narrows(base, { ...base, text: 'pa' })).toBe(false);
    expect(narrows(base, { ...base, text: '/pari/' })).toBe(false);
    expect(narrows({ ...base, text: '/par/' }, { ...base, text: '/pari/' })).toBe(false);
    expect(narrows(base, { ...base, text: 'par type:x' })).toBe(false);
    expect(narrows(base, { ...base, text: 'pari', view: 'raw' })).toBe(false);
    expect(narrows(base, { ...base, text: 'pari', excludedTypes: new Set(['x']) })).toBe(false);
    // A query that is exactly a known type is an exact type match, not a substring.
    expect(narrows({ ...base, text: 'session' }, { ...base, text: 'session.update', knownTypes: new Set(['session.update']) })).toBe(false);
    const h = history();
    const a = new IncrementalFilter(h);
    a.run(base);
    const spy = vi.spyOn(h, 'atAbsolute');
    new IncrementalFilter(h).run({ ...base, text: 'pa' }, undefined, a);
    expect(spy).toHaveBeenCalledTimes(2000);
  });

  it('property: seeded or not, the rows are those of a full filter', () => {
    const words = ['p', 'pa', 'par', 'paris', 'a', 'an', 'bot', 'bot-', 'audio', 'delta', '/^bot/', 'type:x', 'e', 'um', 'weather'];
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.constantFrom(...words), fc.integer({ min: 0, max: 3000 }), fc.boolean(), (t1, t2, extra, hide) => {
        const h = new EventHistory();
        h.appendMany(rows.slice(0, 1500));
        const c1: FilterCriteria = { ...DEFAULT_CRITERIA, text: t1, hideAudio: hide };
        const c2: FilterCriteria = { ...DEFAULT_CRITERIA, text: t2, hideAudio: hide };
        const a = new IncrementalFilter(h);
        a.run(c1);
        h.appendMany(rows.slice(1500, 1500 + Math.min(extra, 1500)));
        const got = new IncrementalFilter(h).run(c2, undefined, a).rows;
        expect(got).toEqual(filterEvents(rows.slice(0, 1500 + Math.min(extra, 1500)), c2).rows);
      }),
      { numRuns: 60 },
    );
  });
});

describe('IncrementalFilter', () => {
  it('scans only new rows while the filter is unchanged and matches a full filter', () => {
    const rows = makeSyntheticEvents(5000);
    const h = new EventHistory();
    const f = new IncrementalFilter(h);
    const criteria = { ...DEFAULT_CRITERIA, text: 'paris' };
    h.appendMany(rows.slice(0, 2000));
    const first = f.run(criteria);
    expect(first.reset).toBe(true);
    const n1 = first.rows.length;
    h.appendMany(rows.slice(2000));
    const second = f.run(criteria);
    expect(second.reset).toBe(false);
    expect(second.appended).toBe(second.rows.length - n1);
    expect(second.rows).toEqual(filterEvents(rows, criteria).rows);
    const third = f.run({ ...criteria, view: 'raw' });
    expect(third.reset).toBe(true);
    expect(third.rows).toEqual(filterEvents(rows, { ...criteria, view: 'raw' }).rows);
  });

  it('trims rows the history dropped and rebuilds after clear', () => {
    const rows = makeSyntheticEvents(4000);
    const h = new EventHistory({ budgetBytes: 300_000 });
    const f = new IncrementalFilter(h);
    h.appendMany(rows.slice(0, 500));
    let prev = f.run(DEFAULT_CRITERIA).rows.length;
    let trimmedTotal = 0;
    for (let i = 500; i < 4000; i += 500) {
      h.appendMany(rows.slice(i, i + 500));
      const r = f.run(DEFAULT_CRITERIA);
      trimmedTotal += r.trimmed;
      expect(r.rows).toEqual(h.toArray());
      expect(r.rows.length).toBe(prev - r.trimmed + r.appended);
      prev = r.rows.length;
    }
    expect(h.dropped).toBeGreaterThan(0);
    expect(trimmedTotal).toBeGreaterThan(0);
    h.clear();
    h.append(rows[0]);
    const after = f.run(DEFAULT_CRITERIA);
    expect(after.reset).toBe(true);
    expect(after.rows).toEqual([rows[0]]);
  });

  it('upTo freezes the view (Pause) and catches up on resume', () => {
    const rows = makeSyntheticEvents(100);
    const h = new EventHistory();
    const f = new IncrementalFilter(h);
    h.appendMany(rows.slice(0, 40));
    const frozenAt = h.endIndex;
    f.run(DEFAULT_CRITERIA, frozenAt);
    h.appendMany(rows.slice(40));
    expect(f.run(DEFAULT_CRITERIA, frozenAt).rows).toHaveLength(40);
    expect(f.run(DEFAULT_CRITERIA).rows).toEqual(rows);
  });
});

describe('case-sensitive regex prefilter', () => {
  it('keeps exact case semantics and still finds rows whose text lowercases to something else', () => {
    const rows: LogEvent[] = [
      ev(1, { type: 'user-transcription', data: { text: 'Sunny in Paris' } }),
      ev(2, { type: 'user-transcription', data: { text: 'sunny in paris' } }),
      // U+212A KELVIN SIGN lowercases to an ASCII "k": a lowercase prefilter alone would miss it.
      ev(3, { type: 'user-transcription', data: { text: 'minus 3 \u212A' } }),
      ev(4, { type: 'user-transcription', data: { text: 'plain k' } }),
    ];
    expect(seqs(filterEvents(rows, { ...DEFAULT_CRITERIA, text: '/Sunny/' }).rows)).toEqual([1]);
    expect(seqs(filterEvents(rows, { ...DEFAULT_CRITERIA, text: '/sunny/' }).rows)).toEqual([2]);
    expect(seqs(filterEvents(rows, { ...DEFAULT_CRITERIA, text: '/\u212A/' }).rows)).toEqual([3]);
    expect(seqs(filterEvents(rows, { ...DEFAULT_CRITERIA, text: '/[^\\x00-\\x7f]/' }).rows)).toEqual([3]);
  });
});
