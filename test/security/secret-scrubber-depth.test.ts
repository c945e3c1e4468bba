import { describe, expect, it } from 'vitest';
import { MAX_SCRUB_DEPTH, SecretScrubber, TOO_DEEP } from '../../src/transport/secret-scrubber.ts';
import { REDACTED } from '../../src/transport/frame-observer.ts';

// Found by the adapter fuzzers: a provider frame nested thousands of levels deep was handed to the
// frame observer by reference beyond the scrubber's depth cap, so its strings were not scrubbed and
// the record could not be JSON-serialised or structured-cloned (stack overflow) on its way to the panel.
function nest(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('SecretScrubber on deeply nested values', () => {
  const key = 'LEAKCANARY-deep-0123456789';

  it('scrubs the key at every depth up to the cap and keeps the structure', () => {
    const s = new SecretScrubber();
    s.add(key);
    const out = JSON.stringify(s.scrub(nest(MAX_SCRUB_DEPTH, `x ${key} y`)));
    expect(out).toContain(`x ${REDACTED} y`);
    expect(out).not.toContain(key);
  });

  it('cuts what lies deeper than the cap, so no unscrubbed string survives and the copy serialises', () => {
    const s = new SecretScrubber();
    s.add(key);
    for (const depth of [MAX_SCRUB_DEPTH + 2, 5_000, 50_000]) {
      const value = nest(depth, key);
      const out = s.scrub(value);
      const json = JSON.stringify(out);
      expect(json).not.toContain(key);
      expect(json).toContain(TOO_DEEP);
      expect(() => structuredClone(out)).not.toThrow();
    }
  });

  it('leaves the original value untouched', () => {
    const s = new SecretScrubber();
    s.add(key);
    const value = { a: [key, { b: key }] };
    s.scrub(value);
    expect(value).toEqual({ a: [key, { b: key }] });
  });
});
