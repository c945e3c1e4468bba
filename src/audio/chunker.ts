import { floatToInt16 } from './pcm.ts';

/**
 * Cuts a float stream into PCM16 chunks of exactly `chunkSamples` samples (the wire frame), whatever
 * length the input arrives in (128-frame render quanta, resampler output of varying length).
 * Each emitted chunk owns a fresh ArrayBuffer so it can be transferred; nothing is retained after it.
 */
export class Chunker {
  readonly chunkSamples: number;
  private current: Int16Array;
  private filled = 0;
  /** Input samples outside [−1, 1] that were clamped. */
  clippedSamples = 0;
  chunksEmitted = 0;

  constructor(chunkSamples: number) {
    if (!Number.isInteger(chunkSamples) || chunkSamples <= 0) throw new RangeError(`chunk size must be a positive integer, got ${chunkSamples}`);
    this.chunkSamples = chunkSamples;
    this.current = new Int16Array(chunkSamples);
  }

  static forDuration(sampleRate: number, chunkMs = 20): Chunker {
    return new Chunker(Math.max(1, Math.round((sampleRate * chunkMs) / 1000)));
  }

  /** Samples waiting for the next chunk. */
  get pending(): number {
    return this.filled;
  }

  /** Appends samples; calls `emit` once per completed chunk, in order. */
  push(input: Float32Array, emit: (chunk: Int16Array) => void): void {
    let offset = 0;
    while (offset < input.length) {
      const take = Math.min(this.chunkSamples - this.filled, input.length - offset);
      this.clippedSamples += floatToInt16(input.subarray(offset, offset + take), this.current, this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.chunkSamples) {
        const full = this.current;
        this.current = new Int16Array(this.chunkSamples);
        this.filled = 0;
        this.chunksEmitted++;
        emit(full);
      }
    }
  }

  /** Drops the partial chunk (on mute or stop: stale audio must not be sent later). */
  reset(): void {
    this.filled = 0;
  }
}
