/**
 * The player's queue at the device's rate, fed at the provider's rate. Pure (no DOM): the player
 * worklet runs it; tests and the bench drive it with 128-frame quanta.
 *
 * Why: an AudioContext at the provider's 24 kHz makes Chromium resample the whole output graph to the
 * device's rate behind it, adding its own buffering to every reply (measured on the PulseAudio rig:
 * the 24 kHz floor page heard about 30 ms later than one at the device's rate). So the player runs at
 * the device's rate and resamples each push here, with the same windowed-sinc filter as the capture path.
 *
 * Exactness: played counts stay in the provider's samples (what interruption truncation and the
 * bot-stopped accounting need): each resampled piece is queued with the source samples it covers as
 * its credit, and a fully played item counts exactly the samples pushed for it.
 *
 * Continuity: one resampler runs across pushes (no edge at chunk boundaries). The filter looks ahead
 * by its group delay; its first outputs are dropped so the output is aligned with the input, and
 * when the queue is about to run dry the held-back tail is flushed with zeros (the reply's last
 * milliseconds must not wait for the next reply). After a flush or clear() the next push starts a new stream.
 */
import { JitterBuffer, type JitterBufferOptions, type PlaybackTransition } from './jitter-buffer.ts';
import { Resampler } from './resampler.ts';

export interface PlaybackQueueOptions extends Omit<JitterBufferOptions, 'sampleRate'> {
  /** The render rate (the player context's). */
  sampleRate: number;
  /** The rate pushes arrive in (the provider's output rate). */
  sourceRate: number;
}

interface ItemStart {
  /** Index (in source samples since the stream began) of the item's first sample. */
  start: number;
  itemId: string;
}

export class PlaybackQueue {
  readonly sampleRate: number;
  readonly sourceRate: number;
  private readonly buffer: JitterBuffer;
  private readonly resampler: Resampler | null;
  /** Outputs of a fresh stream that precede its first input sample (the filter's group delay). */
  private readonly leadOutputs: number;
  private skip = 0;
  /** Source samples in the current stream. */
  private inTotal = 0;
  /** Aligned outputs emitted for the current stream. */
  private outTotal = 0;
  private items: ItemStart[] = [];

  constructor(options: PlaybackQueueOptions) {
    const { sourceRate, ...rest } = options;
    this.sampleRate = options.sampleRate;
    this.sourceRate = sourceRate;
    this.buffer = new JitterBuffer(rest);
    this.resampler = sourceRate === options.sampleRate ? null : new Resampler(sourceRate, options.sampleRate);
    this.leadOutputs = this.resampler ? Math.round((this.resampler.delayInputSamples * this.resampler.up) / this.resampler.down) : 0;
    this.skip = this.leadOutputs;
  }

  /** Source samples pushed and not played yet (queued plus held in the filter). */
  get bufferedSamples(): number {
    return this.buffer.bufferedCredit + this.inTotal - this.covered(this.outTotal);
  }

  get isActive(): boolean {
    return this.buffer.isActive || this.inTotal > this.covered(this.outTotal);
  }

  get renderedFrames(): number {
    return this.buffer.renderedFrames;
  }

  get underruns(): number {
    return this.buffer.underruns;
  }

  /** Dropped for lack of room, in render frames. */
  get droppedSamples(): number {
    return this.buffer.droppedSamples;
  }

  /** Queues provider PCM for an item. Int16 input is scaled by 1/32768. */
  push(samples: Int16Array | Float32Array, itemId: string): void {
    if (samples.length === 0) return;
    if (!this.resampler) {
      this.buffer.push(samples, itemId);
      return;
    }
    const input = new Float32Array(samples.length);
    const scale = samples instanceof Int16Array ? 1 / 0x8000 : 1;
    for (let i = 0; i < samples.length; i++) input[i] = samples[i] * scale;
    const last = this.items[this.items.length - 1];
    if (!last || last.itemId !== itemId) this.items.push({ start: this.inTotal, itemId });
    this.inTotal += input.length;
    this.emit(this.resampler.process(input));
  }

  /** Fills `out` (one render quantum) and advances the clock; flushes the filter's tail before running dry. */
  render(out: Float32Array): void {
    if (this.resampler && this.inTotal > this.covered(this.outTotal) && this.buffer.bufferedSamples < out.length) {
      if (this.buffer.willPlay || this.buffer.bufferedSamples === 0) this.flush();
    }
    this.buffer.render(out);
  }

  /** Drops everything queued now; returns the source samples played per item that was queued or playing. */
  clear(): Record<string, number> {
    const played = this.buffer.clear();
    for (const item of this.items) if (!(item.itemId in played)) played[item.itemId] = this.buffer.playedSamples(item.itemId);
    this.restartStream();
    return played;
  }

  playedSamples(itemId: string): number {
    return this.buffer.playedSamples(itemId);
  }

  playedSnapshot(): Record<string, number> {
    return this.buffer.playedSnapshot();
  }

  takeTransitions(): PlaybackTransition[] {
    return this.buffer.takeTransitions();
  }

  /** Source samples covered by the first `outputs` aligned outputs of the stream. */
  private covered(outputs: number): number {
    if (!this.resampler) return this.inTotal;
    return Math.min(this.inTotal, Math.floor((outputs * this.resampler.down) / this.resampler.up));
  }

  /** First aligned output belonging to the source sample at `index`. */
  private firstOutputOf(index: number): number {
    const r = this.resampler!;
    return Math.ceil((index * r.up) / r.down);
  }

  private emit(raw: Float32Array): void {
    let from = 0;
    if (this.skip > 0) {
      from = Math.min(this.skip, raw.length);
      this.skip -= from;
    }
    const end = raw.length;
    while (from < end) {
      const o1 = this.outTotal;
      // The piece runs to the next item's first output, or to the end of what came out.
      const next = this.items[1];
      const limit = next ? this.firstOutputOf(next.start) : Infinity;
      const take = Math.min(end - from, Math.max(0, limit - o1));
      if (take === 0) {
        this.items.shift();
        continue;
      }
      const o2 = o1 + take;
      const item = this.items[0];
      const itemEnd = next ? next.start : this.inTotal;
      const credit = Math.max(0, Math.min(this.covered(o2), itemEnd) - Math.max(this.covered(o1), item.start));
      this.buffer.push(raw.subarray(from, from + take), item.itemId, credit);
      this.outTotal = o2;
      from += take;
      if (next && o2 >= limit) this.items.shift();
    }
  }

  /** Pushes zeros through the filter until every source sample of the stream has come out, then starts over. */
  private flush(): void {
    const r = this.resampler!;
    const target = Math.ceil((this.inTotal * r.up) / r.down);
    const zeros = Math.ceil(((this.leadOutputs + 2) * r.down) / r.up) + 1;
    const raw = r.process(new Float32Array(zeros));
    const skipped = Math.min(this.skip, raw.length);
    const wanted = Math.max(0, target - this.outTotal);
    this.emit(raw.subarray(0, Math.min(raw.length, skipped + wanted)));
    this.restartStream();
  }

  private restartStream(): void {
    this.resampler?.reset();
    this.skip = this.leadOutputs;
    this.inTotal = 0;
    this.outTotal = 0;
    this.items = [];
  }
}
