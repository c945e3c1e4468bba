/**
 * The player's core: a bounded FIFO of float samples at the output rate, split into playback items.
 * Pure (no DOM); the player worklet calls render() once per 128-frame quantum.
 *
 * - Playback starts once `startThresholdMs` of audio is queued, or once the first sample has waited
 *   that long (a reply shorter than the threshold must still play).
 * - When the queue runs dry the output is silence. The item counts as stopped after `stopHoldMs` of
 *   silence; the `stopped` event is stamped at the frame where the last sample played. If audio of
 *   the item that was playing arrives after it ran dry, that was an underrun.
 * - clear() drops everything at once and reports the samples actually played per item.
 */

export interface JitterBufferOptions {
  sampleRate: number;
  startThresholdMs?: number;
  stopHoldMs?: number;
  /** Capacity bound; audio beyond it is dropped and counted (default 120 s). */
  maxBufferedMs?: number;
  /** Played-sample counters are kept for this many recent items (default 32). */
  rememberedItems?: number;
}

export interface PlaybackTransition {
  type: 'started' | 'stopped';
  itemId: string;
  /** Absolute output frame (frames rendered since construction) of the first / one past the last sample. */
  frame: number;
  playedSamples: number;
}

interface Segment {
  itemId: string;
  remaining: number;
  /** Played-sample credit still to be counted for this segment (its samples in the source's rate). */
  credit: number;
}

const INITIAL_CAPACITY = 1 << 15;

export class JitterBuffer {
  readonly sampleRate: number;
  readonly startThreshold: number;
  readonly stopHold: number;
  readonly maxCapacity: number;
  private readonly rememberedItems: number;

  private ring: Float32Array;
  private readIndex = 0;
  private size = 0;
  private readonly segments: Segment[] = [];
  private readonly played = new Map<string, number>();
  private transitions: PlaybackTransition[] = [];

  /** Frames rendered since construction: the clock events are stamped on. */
  private frame = 0;
  private playing = false;
  /** Started (from the listener's point of view) and not yet stopped. */
  private active = false;
  private activeItem = '';
  /** Frame one past the last real sample played, while dry. */
  private dryAt = -1;
  /** The item that was mid-play when the queue ran dry; more audio for it means an underrun. */
  private dryItem = '';
  /** Frame at which the oldest unplayed sample arrived while not playing. */
  private waitingSince = -1;

  underruns = 0;
  droppedSamples = 0;

  constructor(options: JitterBufferOptions) {
    this.sampleRate = options.sampleRate;
    this.startThreshold = Math.max(1, Math.round(((options.startThresholdMs ?? 30) * options.sampleRate) / 1000));
    this.stopHold = Math.max(0, Math.round(((options.stopHoldMs ?? 40) * options.sampleRate) / 1000));
    this.maxCapacity = Math.max(this.startThreshold, Math.round(((options.maxBufferedMs ?? 120_000) * options.sampleRate) / 1000));
    this.rememberedItems = Math.max(1, options.rememberedItems ?? 32);
    this.ring = new Float32Array(Math.min(INITIAL_CAPACITY, this.maxCapacity));
  }

  get bufferedSamples(): number {
    return this.size;
  }

  /** Played-sample credit of the queued audio (= bufferedSamples unless pushes passed a credit). */
  get bufferedCredit(): number {
    let sum = 0;
    for (const seg of this.segments) sum += seg.credit;
    return sum;
  }

  /** True when the next render() plays queued audio (playing, or the start condition is met). */
  get willPlay(): boolean {
    if (this.playing) return true;
    if (this.size === 0) return false;
    const waited = this.waitingSince >= 0 ? this.frame - this.waitingSince : 0;
    return this.size >= this.startThreshold || waited >= this.startThreshold;
  }

  get isActive(): boolean {
    return this.active || this.size > 0;
  }

  get renderedFrames(): number {
    return this.frame;
  }

  /**
   * Queues PCM for an item. Int16 input is scaled by 1/32768. Returns the samples dropped for lack of room.
   * `credit` is what these samples count for in playedSamples (default: their number); a player that
   * resamples passes the source samples they were made from, so counts stay in the source's rate.
   */
  push(samples: Float32Array | Int16Array, itemId: string, credit = samples.length): number {
    const room = this.maxCapacity - this.size;
    const take = Math.min(samples.length, room);
    const dropped = samples.length - take;
    this.droppedSamples += dropped;
    if (take === 0) return dropped;
    const takenCredit = take === samples.length ? credit : Math.floor((credit * take) / samples.length);
    this.ensureCapacity(this.size + take);
    const cap = this.ring.length;
    let write = (this.readIndex + this.size) % cap;
    const scale = samples instanceof Int16Array ? 1 / 0x8000 : 1;
    for (let i = 0; i < take; i++) {
      this.ring[write] = samples[i] * scale;
      if (++write === cap) write = 0;
    }
    this.size += take;
    const last = this.segments[this.segments.length - 1];
    if (last && last.itemId === itemId) {
      last.remaining += take;
      last.credit += takenCredit;
    } else this.segments.push({ itemId, remaining: take, credit: takenCredit });
    this.remember(itemId);
    if (this.dryItem !== '' && itemId === this.dryItem) this.underruns++;
    this.dryItem = '';
    if (!this.playing && this.waitingSince < 0) this.waitingSince = this.frame;
    return dropped;
  }

  /** Fills `out` with the next samples (silence where there are none) and advances the clock. */
  render(out: Float32Array): void {
    const frames = out.length;
    let written = 0;
    if (!this.playing && this.size > 0) {
      const waited = this.waitingSince >= 0 ? this.frame - this.waitingSince : 0;
      if (this.size >= this.startThreshold || waited >= this.startThreshold) this.startPlaying();
    }
    if (this.playing) {
      const cap = this.ring.length;
      while (written < frames && this.size > 0) {
        const seg = this.segments[0];
        if (seg.itemId !== this.activeItem) {
          if (this.active && this.dryAt >= 0) this.stop(this.dryAt);
          if (!this.active) this.start(seg.itemId, this.frame + written);
          else this.activeItem = seg.itemId;
        }
        this.dryAt = -1;
        const n = Math.min(frames - written, seg.remaining);
        for (let i = 0; i < n; i++) {
          out[written + i] = this.ring[this.readIndex];
          if (++this.readIndex === cap) this.readIndex = 0;
        }
        // Credit in proportion to the frames played; a segment's last frame settles the rest exactly.
        const credit = n === seg.remaining ? seg.credit : Math.floor((seg.credit * n) / seg.remaining);
        seg.credit -= credit;
        written += n;
        this.size -= n;
        seg.remaining -= n;
        this.played.set(seg.itemId, (this.played.get(seg.itemId) ?? 0) + credit);
        if (seg.remaining === 0) this.segments.shift();
      }
      if (this.size === 0) {
        this.playing = false;
        this.waitingSince = -1;
        if (this.dryAt < 0) {
          this.dryAt = this.frame + written;
          this.dryItem = this.activeItem;
        }
      }
    }
    if (written < frames) out.fill(0, written);
    this.frame += frames;
    if (this.active && this.dryAt >= 0 && this.frame - this.dryAt >= this.stopHold) this.stop(this.dryAt);
  }

  /** Drops all queued audio now. Returns the samples played per item that was queued or playing. */
  clear(): Record<string, number> {
    const result: Record<string, number> = {};
    const ids = new Set(this.segments.map((s) => s.itemId));
    if (this.active) ids.add(this.activeItem);
    for (const id of ids) result[id] = this.played.get(id) ?? 0;
    if (this.active) this.stop(this.dryAt >= 0 ? this.dryAt : this.frame);
    this.segments.length = 0;
    this.size = 0;
    this.readIndex = 0;
    this.playing = false;
    this.waitingSince = -1;
    this.dryAt = -1;
    this.dryItem = '';
    this.activeItem = '';
    return result;
  }

  playedSamples(itemId: string): number {
    return this.played.get(itemId) ?? 0;
  }

  /** Played samples of the remembered items (bounded). */
  playedSnapshot(): Record<string, number> {
    return Object.fromEntries(this.played);
  }

  /** Transitions since the last call, oldest first. */
  takeTransitions(): PlaybackTransition[] {
    if (this.transitions.length === 0) return [];
    const t = this.transitions;
    this.transitions = [];
    return t;
  }

  private startPlaying(): void {
    this.playing = true;
    this.waitingSince = -1;
  }

  private start(itemId: string, frame: number): void {
    this.active = true;
    this.activeItem = itemId;
    this.transitions.push({ type: 'started', itemId, frame, playedSamples: this.played.get(itemId) ?? 0 });
  }

  private stop(frame: number): void {
    this.active = false;
    this.dryAt = -1;
    const itemId = this.activeItem;
    this.transitions.push({ type: 'stopped', itemId, frame, playedSamples: this.played.get(itemId) ?? 0 });
    this.activeItem = '';
  }

  private remember(itemId: string): void {
    if (this.played.has(itemId)) {
      const v = this.played.get(itemId)!;
      this.played.delete(itemId);
      this.played.set(itemId, v);
      return;
    }
    this.played.set(itemId, 0);
    while (this.played.size > this.rememberedItems) {
      const oldest = this.played.keys().next().value as string;
      if (this.segments.some((s) => s.itemId === oldest) || oldest === this.activeItem) break;
      this.played.delete(oldest);
    }
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.ring.length) return;
    let cap = this.ring.length;
    while (cap < needed) cap *= 2;
    cap = Math.min(cap, this.maxCapacity);
    const grown = new Float32Array(cap);
    const old = this.ring;
    const first = Math.min(this.size, old.length - this.readIndex);
    grown.set(old.subarray(this.readIndex, this.readIndex + first), 0);
    if (first < this.size) grown.set(old.subarray(0, this.size - first), first);
    this.ring = grown;
    this.readIndex = 0;
  }
}
