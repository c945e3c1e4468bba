/**
 * Turns a stream of spoken-text fragments (a provider's output transcription) into RTVI 2.x
 * `bot-output` segments, one per sentence. Provider-neutral and pure: the adapter decides when a
 * turn ends (flush) or was cut (flush with `in-progress`).
 */
export type SpokenStatus = 'new' | 'in-progress' | 'completed';

export interface BotOutputSegment {
  text: string;
  aggregated_by: 'sentence';
  segment_id: number;
  /** Transcripts of the bot's audio are spoken by definition. */
  spoken: true;
  will_be_spoken: true;
  /** `completed` for a whole sentence; `in-progress` for the remainder of a turn that was cut off. */
  spoken_status: SpokenStatus;
}

const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);
/** Characters that stay attached to the sentence they close: `"Really?" she said` keeps the quote. */
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '»', '」', '』']);
/** Always a sentence end, even with no space after (CJK text has no spaces). */
const HARD_TERMINATORS = new Set(['。', '！', '？']);
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'prof', 'sr', 'jr', 'no']);

export class BotOutputAggregator {
  private buffer = '';
  private nextId: number;

  constructor(firstSegmentId = 1) {
    this.nextId = firstSegmentId;
  }

  /** Text received but not yet emitted as a segment. */
  get pending(): string {
    return this.buffer;
  }

  /** Appends a fragment; returns the sentences it completed. */
  push(fragment: string): BotOutputSegment[] {
    if (!fragment) return [];
    this.buffer += fragment;
    const out: BotOutputSegment[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (!TERMINATORS.has(ch)) continue;
      let end = i + 1;
      while (end < this.buffer.length && (TERMINATORS.has(this.buffer[end]) || CLOSERS.has(this.buffer[end]))) end++;
      const atEnd = end >= this.buffer.length;
      const followedBySpace = !atEnd && /\s/.test(this.buffer[end]);
      const ends = HARD_TERMINATORS.has(ch) || ((followedBySpace || atEnd) && this.isLikelySentenceEnd(start, i));
      if (!ends) {
        i = end - 1;
        continue;
      }
      const text = this.buffer.slice(start, end).trim();
      if (text) out.push(this.segment(text, 'completed'));
      start = end;
      i = end - 1;
    }
    this.buffer = this.buffer.slice(start);
    if (!this.buffer.trim()) this.buffer = '';
    return out;
  }

  /** Ends the stream: the unterminated remainder (if any) as a segment with the given status. */
  flush(status: SpokenStatus = 'completed'): BotOutputSegment | null {
    const text = this.buffer.trim();
    this.buffer = '';
    return text ? this.segment(text, status) : null;
  }

  /** Drops pending text without emitting it. */
  reset(): void {
    this.buffer = '';
  }

  private segment(text: string, status: SpokenStatus): BotOutputSegment {
    return { text, aggregated_by: 'sentence', segment_id: this.nextId++, spoken: true, will_be_spoken: true, spoken_status: status };
  }

  /** A period after a digit ("3.5") or a known abbreviation ("Dr.") does not end a sentence. */
  private isLikelySentenceEnd(start: number, terminatorIndex: number): boolean {
    if (this.buffer[terminatorIndex] !== '.') return true;
    const before = this.buffer.slice(start, terminatorIndex);
    if (/\d$/.test(before) && terminatorIndex + 1 >= this.buffer.length) return false;
    const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase();
    return !(word && ABBREVIATIONS.has(word));
  }
}
