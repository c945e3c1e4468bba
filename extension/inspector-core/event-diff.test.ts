import { describe, expect, it } from 'vitest';
import { comparablePayload, diffJson } from './event-diff.ts';

describe('diffJson', () => {
  it('lists added, removed and changed paths, objects by key and arrays by index', () => {
    const sent = { type: 'session.update', session: { voice: 'marin', tools: [{ name: 'a' }], instructions: 'x' } };
    const got = { type: 'session.updated', session: { voice: 'cedar', tools: [{ name: 'a' }, { name: 'b' }], model: 'gpt-realtime' } };
    expect(diffJson(sent, got)).toEqual([
      { path: 'type', kind: 'changed', before: 'session.update', after: 'session.updated' },
      { path: 'session.voice', kind: 'changed', before: 'marin', after: 'cedar' },
      { path: 'session.tools[1]', kind: 'added', after: { name: 'b' } },
      { path: 'session.instructions', kind: 'removed', before: 'x' },
      { path: 'session.model', kind: 'added', after: 'gpt-realtime' },
    ]);
  });

  it('equal values have no entries; different kinds are one change; the list is capped', () => {
    expect(diffJson({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
    expect(diffJson([1], { 0: 1 })).toEqual([{ path: '(whole value)', kind: 'changed', before: [1], after: { 0: 1 } }]);
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(diffJson({}, big, 10)).toHaveLength(10);
  });

  it('comparablePayload drops the event id', () => {
    expect(comparablePayload({ event_id: 'e1', type: 't', a: 1 })).toEqual({ type: 't', a: 1 });
    expect(comparablePayload('x')).toBe('x');
  });
});
