/**
 * The peers' playback, reproduced for the bench only, on the same 128-frame render clock as our
 * JitterBuffer so that the figures compare:
 * - NoPrebufferPlayer (wavtools' stream processor): plays whatever is queued, from the first
 *   sample, with no start threshold; a dry queue is silence until more arrives.
 * - GainFade: Google's console stops by ramping a gain to 0 over 100 ms.
 */
export class NoPrebufferPlayer {
  private queue: Float32Array[] = [];
  private offset = 0;
  frame = 0;
  /** Frame of the first sample played, or −1. */
  firstPlayedFrame = -1;
  /** Quanta that had to output silence while the item was not finished (counted by the caller). */
  buffered = 0;

  push(samples: Float32Array): void {
    this.queue.push(samples);
    this.buffered += samples.length;
  }

  /** Renders one quantum; returns the number of real samples in it. */
  render(out: Float32Array): number {
    let w = 0;
    while (w < out.length && this.queue.length > 0) {
      const head = this.queue[0];
      const n = Math.min(out.length - w, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + n), w);
      if (this.firstPlayedFrame < 0) this.firstPlayedFrame = this.frame + w;
      w += n;
      this.offset += n;
      this.buffered -= n;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    out.fill(0, w);
    this.frame += out.length;
    return w;
  }

  clear(): void {
    this.queue = [];
    this.offset = 0;
    this.buffered = 0;
  }
}

/** A linear gain ramp to zero over `fadeMs`, started at the next render quantum. */
export class GainFade {
  private remaining = -1;
  private readonly length: number;
  constructor(sampleRate: number, fadeMs = 100) {
    this.length = Math.round((sampleRate * fadeMs) / 1000);
  }
  start(): void {
    this.remaining = this.length;
  }
  get fading(): boolean {
    return this.remaining >= 0;
  }
  apply(out: Float32Array): void {
    if (this.remaining < 0) return;
    for (let i = 0; i < out.length; i++) {
      out[i] *= Math.max(0, this.remaining) / this.length;
      if (this.remaining > 0) this.remaining--;
    }
  }
}
