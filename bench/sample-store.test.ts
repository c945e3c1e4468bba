import { describe, expect, it } from 'vitest';
import { SampleStore } from './sample-store.ts';

const s16le = (xs: number[]) => {
  const b = Buffer.alloc(xs.length * 2);
  xs.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return new Uint8Array(b);
};

describe('SampleStore', () => {
  it('converts PCM16 as it arrives, carrying a sample split across reads', () => {
    const store = new SampleStore();
    const bytes = s16le([0, 16384, -32768, 32767, -1]);
    store.appendS16le(bytes.subarray(0, 3));
    store.appendS16le(bytes.subarray(3, 7));
    store.appendS16le(bytes.subarray(7));
    expect(Array.from(store.view())).toEqual([0, 0.5, -1, 32767 / 32768, -1 / 32768]);
  });

  it('grows past its first capacity and hands out a view, not a copy', () => {
    const store = new SampleStore();
    const n = 200_000;
    store.appendS16le(s16le(Array.from({ length: n }, (_, i) => (i % 2 ? 100 : -100))));
    const v = store.view();
    expect(v.length).toBe(n);
    expect(v[n - 1]).toBeCloseTo(100 / 32768);
    expect(store.view().buffer).toBe(v.buffer);
  });
});
