import { describe, expect, it } from 'vitest';
import { Chunker } from './chunker.ts';

describe('Chunker', () => {
  it('emits exact 20 ms chunks from odd input lengths, in order, with nothing lost', () => {
    const chunker = Chunker.forDuration(16000, 20);
    expect(chunker.chunkSamples).toBe(320);
    const total = 5000;
    const ramp = new Float32Array(total).map((_, i) => ((i % 2000) - 1000) / 1000);
    const chunks: Int16Array[] = [];
    let offset = 0;
    for (const n of [1, 127, 128, 319, 321, 640, 7, 999]) {
      chunker.push(ramp.subarray(offset, offset + n), (c) => chunks.push(c));
      offset += n;
    }
    chunker.push(ramp.subarray(offset), (c) => chunks.push(c));
    expect(chunks.length).toBe(Math.floor(total / 320));
    expect(chunker.pending).toBe(total % 320);
    expect(chunker.chunksEmitted).toBe(chunks.length);
    for (const c of chunks) expect(c.length).toBe(320);
    const joined = chunks.flatMap((c) => Array.from(c));
    joined.forEach((v, i) => {
      const s = ramp[i];
      expect(v).toBe(s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff));
    });
  });

  it('gives each chunk its own buffer, so transferring one does not disturb the next', () => {
    const chunker = new Chunker(4);
    const seen: Int16Array[] = [];
    chunker.push(new Float32Array([0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]), (c) => seen.push(c));
    expect(seen[0].buffer).not.toBe(seen[1].buffer);
    expect(seen[0].byteLength).toBe(seen[0].buffer.byteLength);
    expect(Array.from(seen[1])).toEqual(new Array(4).fill(Math.round(0.25 * 0x7fff)));
  });

  it('clamps out-of-range samples and counts them', () => {
    const chunker = new Chunker(5);
    const out: Int16Array[] = [];
    chunker.push(new Float32Array([1.5, -2, 1, -1, 0.1]), (c) => out.push(c));
    expect(Array.from(out[0]).slice(0, 4)).toEqual([32767, -32768, 32767, -32768]);
    expect(chunker.clippedSamples).toBe(2);
  });

  it('reset drops the partial chunk', () => {
    const chunker = new Chunker(4);
    const out: Int16Array[] = [];
    chunker.push(new Float32Array([0.9, 0.9, 0.9]), (c) => out.push(c));
    chunker.reset();
    chunker.push(new Float32Array([0, 0, 0, 0]), (c) => out.push(c));
    expect(out.length).toBe(1);
    expect(Array.from(out[0])).toEqual([0, 0, 0, 0]);
  });

  it('rejects a non-positive chunk size', () => {
    expect(() => new Chunker(0)).toThrow(RangeError);
  });
});
