import type { PlaybackEvent, PlayedSamples } from '../../src/audio/media-manager.ts';
import type { PcmPiece } from './pcm-track.ts';

interface Item {
  /** Received and queued, not yet known to have played. */
  pending: Int16Array[];
  /** Samples of pending[0] already emitted. */
  head: number;
  /** Cumulative samples queued for this id (the player's counts are cumulative per id too). */
  received: number;
  /** Cumulative samples emitted (known played). */
  emitted: number;
  /** Where playback of this item (re)started: recording-clock ms and the played count then. */
  anchor?: { t: number; played: number };
}

/**
 * The bot's audio as actually PLAYED, rebuilt from what was queued and the player's own counts.
 * Samples are emitted only once the player reports them played (progress, stop, flush); on a flush
 * (barge-in) whatever was queued beyond the played count is dropped, so the cut-off part of a reply
 * never reaches the track. Each emitted run is placed at the playback start of its item plus its
 * offset into it, on the recording clock.
 */
export class PlayedTrack {
  private readonly items = new Map<string, Item>();

  constructor(
    private readonly sampleRate: () => number,
    private readonly emit: (piece: PcmPiece) => void,
  ) {}

  /** Audio the player accepted for `itemId` (a copy: the player's buffer is transferred). */
  queued(itemId: string, pcm: Int16Array): void {
    if (pcm.length === 0) return;
    const item = this.item(itemId);
    item.pending.push(pcm);
    item.received += pcm.length;
  }

  /** Playback of an item started (or resumed after an underrun); `t` on the recording clock. */
  started(ev: PlaybackEvent, t: number): void {
    const item = this.item(ev.itemId);
    this.release(ev.itemId, item, ev.playedSamples, t);
    item.anchor = { t, played: ev.playedSamples };
  }

  stopped(ev: PlaybackEvent, t: number): void {
    const item = this.items.get(ev.itemId);
    if (item) this.release(ev.itemId, item, ev.playedSamples, t);
  }

  progress(played: PlayedSamples, now: number): void {
    for (const [id, n] of Object.entries(played)) {
      const item = this.items.get(id);
      if (item) this.release(id, item, n, now);
    }
  }

  /** The player was flushed: emit what played, drop what did not. */
  flushed(played: PlayedSamples, now: number): void {
    for (const [id, n] of Object.entries(played)) {
      const item = this.items.get(id);
      if (!item) continue;
      this.release(id, item, n, now);
      item.pending = [];
      item.head = 0;
      item.received = item.emitted;
      item.anchor = undefined;
    }
  }

  /** Samples queued and not (yet) known to have played, over all items. */
  get unplayedSamples(): number {
    let n = 0;
    for (const item of this.items.values()) n += item.received - item.emitted;
    return n;
  }

  private item(id: string): Item {
    let item = this.items.get(id);
    if (!item) {
      item = { pending: [], head: 0, received: 0, emitted: 0 };
      this.items.set(id, item);
    }
    return item;
  }

  /** Emits samples up to the cumulative played count `upTo`. */
  private release(id: string, item: Item, upTo: number, now: number): void {
    const target = Math.min(upTo, item.received);
    let n = target - item.emitted;
    if (n <= 0) return;
    const rate = this.sampleRate();
    // Without a start report (not seen yet), place the run so that it ends now.
    const anchor = item.anchor ?? { t: now - (n / rate) * 1000, played: item.emitted };
    item.anchor = anchor;
    const t = anchor.t + ((item.emitted - anchor.played) / rate) * 1000;
    const out = new Int16Array(n);
    let o = 0;
    while (n > 0) {
      const head = item.pending[0]!;
      const take = Math.min(n, head.length - item.head);
      out.set(head.subarray(item.head, item.head + take), o);
      o += take;
      n -= take;
      item.head += take;
      if (item.head === head.length) {
        item.pending.shift();
        item.head = 0;
      }
    }
    item.emitted = target;
    void id;
    this.emit({ t, sampleRate: rate, pcm: out });
  }
}
