/**
 * Holds a reply's spoken text (`bot-tts-text` deltas and `bot-output` sentences) until the audio
 * carrying it has played, so RTVI listeners see what the user actually heard.
 *
 * Neither Gemini Live nor OpenAI Realtime sends word timings with its output transcription, so the
 * text of a playback item is released in proportion to the item's played samples:
 * `released chars = text length × played / queued`, snapped back to a word boundary. While the item
 * still streams, both totals grow; when its audio has all played, all its text is out. Text that
 * arrives after the item's audio finished (Gemini can send transcription after `turnComplete`) is
 * released at once. When playback is flushed (barge-in, Interrupt), what was heard is released and
 * the rest of the item is reported once as a `bot-output` with `spoken_status: 'in-progress'` and
 * `spoken_progress` ({accumulated_text, remaining_text}, the RTVI shape for partly spoken output);
 * later text for that item is dropped: it will never be spoken.
 *
 * Pure: no timers. The transport feeds it queued samples, played samples and flushes.
 */
export interface PacedMessage {
  type: 'bot-tts-text' | 'bot-output';
  data: Record<string, unknown>;
  sourceFrameIds: number[];
}

interface HeldSegment {
  data: Record<string, unknown>;
  /** Position in the item's stream just past the sentence. */
  end: number;
  sourceFrameIds: number[];
}

interface ItemText {
  stream: string;
  /** True once a bot-tts-text delta arrived: the stream is the transcript and tts text is emitted from it. */
  fromTts: boolean;
  released: number;
  /** Where the next unreleased sentence starts in the stream. */
  sentenceStart: number;
  deltas: Array<{ end: number; sourceFrameIds: number[] }>;
  segments: HeldSegment[];
  searchFrom: number;
  queued: number;
  played: number;
  drained: boolean;
  cut: boolean;
}

/** Items remembered (for late text after their audio ended); the player keeps as many. */
const REMEMBERED_ITEMS = 32;
/** A run without spaces this long is released mid-run (scripts written without spaces, URLs). */
const LONGEST_WORD = 12;

export class SpokenTextPacer {
  private readonly items = new Map<string, ItemText>();

  constructor(private readonly emit: (message: PacedMessage) => void) {}

  /** Items whose text waits for audio to play (the transport polls their played samples). */
  get waitingItems(): string[] {
    const out: string[] = [];
    for (const [id, it] of this.items) if (!it.cut && (it.released < it.stream.length || it.segments.length > 0)) out.push(id);
    return out;
  }

  /** Audio for the item went to the player. */
  audioQueued(itemId: string, samples: number): void {
    if (samples <= 0) return;
    const it = this.item(itemId);
    if (it.cut) return;
    it.queued += samples;
    it.drained = false;
  }

  /** A transcript delta of the item's audio. */
  ttsText(itemId: string, text: string, sourceFrameIds: number[] = []): void {
    if (!text) return;
    const it = this.item(itemId);
    if (it.cut) return;
    if (!it.fromTts) {
      // Sentences that arrived before any delta were the stream; the transcript now is.
      it.fromTts = true;
    }
    it.stream += text;
    it.deltas.push({ end: it.stream.length, sourceFrameIds });
    this.release(it);
  }

  /** A `bot-output` sentence of the item (data as the adapter would have emitted it). */
  output(itemId: string, data: Record<string, unknown>, sourceFrameIds: number[] = []): void {
    const it = this.item(itemId);
    if (it.cut) return;
    const text = typeof data.text === 'string' ? data.text : '';
    let end: number;
    if (it.fromTts) {
      const at = text ? it.stream.indexOf(text, it.searchFrom) : -1;
      end = at >= 0 ? at + text.length : it.stream.length;
    } else {
      it.stream += (it.stream ? ' ' : '') + text;
      end = it.stream.length;
    }
    it.searchFrom = Math.max(it.searchFrom, end);
    it.segments.push({ data, end, sourceFrameIds });
    this.release(it);
  }

  /** Progress report: the item has played this many samples. */
  played(itemId: string, playedSamples: number): void {
    const it = this.items.get(itemId);
    if (!it || it.cut) return;
    it.played = Math.max(it.played, playedSamples);
    this.release(it);
  }

  /** The player went quiet on this item. All queued audio played: all its text is out. */
  playbackStopped(itemId: string, playedSamples: number): void {
    const it = this.items.get(itemId);
    if (!it || it.cut) return;
    it.played = Math.max(it.played, playedSamples);
    if (it.played >= it.queued) it.drained = true;
    this.release(it);
  }

  /** Playback was flushed: every item with unheard text is cut where its audio stopped. */
  flushed(played: Record<string, number>): void {
    for (const [id, it] of this.items) {
      if (it.cut) continue;
      const n = played[id];
      if (typeof n === 'number') it.played = Math.max(it.played, n);
      if (it.drained && it.released >= it.stream.length && it.segments.length === 0) continue;
      if (it.queued === 0 && it.stream.length === 0) continue;
      this.cut(it);
    }
  }

  /** Session ended: whatever was not heard is reported as cut. */
  endAll(): void {
    this.flushed({});
    this.items.clear();
  }

  reset(): void {
    this.items.clear();
  }

  private item(id: string): ItemText {
    let it = this.items.get(id);
    if (!it) {
      it = { stream: '', fromTts: false, released: 0, sentenceStart: 0, deltas: [], segments: [], searchFrom: 0, queued: 0, played: 0, drained: false, cut: false };
      this.items.set(id, it);
      if (this.items.size > REMEMBERED_ITEMS) {
        // Forget the oldest item that has nothing waiting.
        for (const [oldId, old] of this.items) {
          if (oldId !== id && (old.cut || (old.released >= old.stream.length && old.segments.length === 0))) {
            this.items.delete(oldId);
            break;
          }
        }
      }
    }
    return it;
  }

  private target(it: ItemText): number {
    if (it.drained) return it.stream.length;
    if (it.queued <= 0) return it.released;
    const raw = Math.floor((it.stream.length * Math.min(1, it.played / it.queued)));
    return snapToWord(it.stream, it.released, raw);
  }

  private release(it: ItemText, target = this.target(it)): void {
    if (target > it.released) {
      const from = it.released;
      it.released = target;
      if (it.fromTts) {
        const ids = new Set<number>();
        while (it.deltas.length && it.deltas[0].end <= target) for (const id of it.deltas.shift()!.sourceFrameIds) ids.add(id);
        if (it.deltas.length && it.deltas[0].end > target) for (const id of it.deltas[0].sourceFrameIds) ids.add(id);
        this.emit({ type: 'bot-tts-text', data: { text: it.stream.slice(from, target) }, sourceFrameIds: [...ids] });
      }
    }
    while (it.segments.length && it.segments[0].end <= it.released) {
      const seg = it.segments.shift()!;
      it.sentenceStart = seg.end;
      this.emit({ type: 'bot-output', data: seg.data, sourceFrameIds: seg.sourceFrameIds });
    }
  }

  private cut(it: ItemText): void {
    this.release(it, it.drained ? it.stream.length : it.queued > 0 ? snapToWord(it.stream, it.released, Math.floor(it.stream.length * Math.min(1, it.played / it.queued))) : it.released);
    it.cut = true;
    const rest = it.stream.slice(it.sentenceStart);
    const heard = it.stream.slice(it.sentenceStart, it.released);
    const first = it.segments[0];
    const sourceFrameIds = first?.sourceFrameIds ?? it.deltas[0]?.sourceFrameIds ?? [];
    it.segments = [];
    it.deltas = [];
    if (!rest.trim()) return;
    const base = first?.data ?? { aggregated_by: 'sentence', spoken: true, will_be_spoken: true };
    this.emit({
      type: 'bot-output',
      data: {
        ...base,
        text: rest.trim(),
        spoken_status: 'in-progress',
        spoken_progress: { accumulated_text: heard.trim(), remaining_text: it.stream.slice(it.released).trim() },
      },
      sourceFrameIds,
    });
  }
}

/** The last word boundary at or before `target` (never before `from`). */
export function snapToWord(text: string, from: number, target: number): number {
  if (target >= text.length) return text.length;
  if (target <= from) return from;
  for (let i = target; i > from; i--) if (/\s/.test(text[i])) return i;
  return target - from >= LONGEST_WORD ? target : from;
}
