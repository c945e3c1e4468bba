import type { LogEvent } from '../shared/log-event.ts';
import { adoptSearchText, makeSearchText, type SharedSearchText } from './event-filter.ts';

/**
 * The bounded event history. The same module runs in the offscreen session host (which keeps the
 * history while no panel is open and replays it to a new one) and in the panel (which renders it).
 *
 * The bound is a memory budget, not a row count: an hour of audio frames is many small rows, a
 * session.update is one large one. Each row's cost is estimated once, at ingest, from its JSON
 * length: the parsed row and the search text the filter caches lazily are each about as long as
 * the JSON, plus a fixed per-row overhead for the object, indexes and the virtual list.
 *
 * Audio-frame rows (those with an `audio` summary) dominate an hour of session and their payloads
 * repeat exactly (same type, same summary: `{ bytes, durationMs, sampleRate }`). The history keeps
 * one payload object and one search text per distinct payload and points every identical row at
 * them, so such a row costs its own fields only. The row still serialises to the same JSON.
 */
export const DEFAULT_BUDGET_BYTES = 200 * 1024 * 1024;
/** Fixed cost per row beyond its JSON: object header, index entries, bookkeeping arrays. */
export const ROW_OVERHEAD_BYTES = 96;
/** Parsed object + lazily cached search text, each roughly the JSON's length. */
export const JSON_LENGTH_FACTOR = 2;
/** Port messages stay well under Chrome's limits and one page never blocks the host for long. */
export const DEFAULT_PAGE_BYTES = 1024 * 1024;

/** Distinct audio payloads remembered for sharing; a session has a handful (one per chunk size and direction). */
const MAX_SHARED_PAYLOADS = 256;

interface SharedPayload {
  data: unknown;
  search: SharedSearchText;
}

export interface EventHistoryOptions {
  /** Memory budget in bytes; oldest rows are dropped beyond it. Default 200 MB. */
  budgetBytes?: number;
}

export type HistoryListener = () => void;

/** Estimated bytes held for a row whose JSON is `jsonLength` characters long. */
export function estimateRowBytes(jsonLength: number): number {
  return ROW_OVERHEAD_BYTES + JSON_LENGTH_FACTOR * jsonLength;
}

export class EventHistory {
  private rows: LogEvent[] = [];
  /** JSON length of each held row, parallel to `rows`; reused by pages() so nothing is re-serialised. */
  private jsonLengths: number[] = [];
  /** Estimated bytes of each held row, parallel to `rows` (shared audio payloads make it differ from estimateRowBytes). */
  private costs: number[] = [];
  private readonly sharedPayloads = new Map<string, SharedPayload>();
  /** Index in `rows` of the oldest held row (rows before it were dropped and await compaction). */
  private head = 0;
  /** Absolute ingest index of rows[head]; absolute indexes never repeat within an epoch. */
  private firstAbs = 0;
  private heldBytes = 0;
  private droppedRows = 0;
  private budget: number;
  private readonly counts = new Map<string, number>();
  private readonly bySeqIndex = new Map<number, LogEvent>();
  private readonly byFrameKey = new Map<string, LogEvent>();
  private readonly citedBy = new Map<string, LogEvent[]>();
  private readonly listeners = new Set<HistoryListener>();
  private _epoch = 0;
  private _revision = 0;

  constructor(options: EventHistoryOptions = {}) {
    this.budget = validBudget(options.budgetBytes ?? DEFAULT_BUDGET_BYTES);
  }

  /** Rows held now. */
  get size(): number {
    return this.rows.length - this.head;
  }

  /** Rows dropped to stay within the budget since the last clear(). */
  get dropped(): number {
    return this.droppedRows;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.heldBytes;
  }

  get budgetBytes(): number {
    return this.budget;
  }

  /** Changes the budget; drops oldest rows at once if the new one is smaller. */
  setBudget(bytes: number): void {
    this.budget = validBudget(bytes);
    if (this.enforceBudget()) this.changed();
  }

  /** Increments on clear(): absolute indexes from an older epoch mean nothing. */
  get epoch(): number {
    return this._epoch;
  }

  /** Increments on every change (append, drop, clear); cheap to compare for re-render decisions. */
  get revision(): number {
    return this._revision;
  }

  /** Absolute index of the oldest held row. */
  get startIndex(): number {
    return this.firstAbs;
  }

  /** Absolute index one past the newest held row. */
  get endIndex(): number {
    return this.firstAbs + this.size;
  }

  /** The held row at absolute index `abs`, or undefined if dropped or not yet arrived. */
  atAbsolute(abs: number): LogEvent | undefined {
    if (abs < this.firstAbs || abs >= this.endIndex) return undefined;
    return this.rows[this.head + (abs - this.firstAbs)];
  }

  /** The i-th held row, oldest first. */
  at(i: number): LogEvent | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.rows[this.head + i];
  }

  /** A copy of every held row, oldest first. */
  toArray(): LogEvent[] {
    return this.rows.slice(this.head);
  }

  /**
   * Adds one row. `jsonLength` may be passed when the caller already serialised the row (the host
   * does, to post it), so the row is never stringified twice.
   */
  append(event: LogEvent, jsonLength?: number): void {
    this.ingest(event, jsonLength);
    this.enforceBudget();
    this.changed();
  }

  /** Adds many rows with one notification (a replayed page, a rAF batch). */
  appendMany(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    for (const ev of events) this.ingest(ev, undefined);
    this.enforceBudget();
    this.changed();
  }

  /** Per-type counts of held rows. */
  typeCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  bySeq(seq: number): LogEvent | undefined {
    return this.bySeqIndex.get(seq);
  }

  /** The raw frame with this id in `session` (frame ids are unique within one transport). */
  byFrameId(frameId: number, session: number): LogEvent | undefined {
    return this.byFrameKey.get(frameKey(session, frameId));
  }

  /** Raw frames an RTVI row came from (those still held), in the order it cites them. */
  framesFor(event: LogEvent): LogEvent[] {
    const out: LogEvent[] = [];
    for (const id of event.sourceFrameIds ?? []) {
      const f = this.byFrameKey.get(frameKey(event.session, id));
      if (f) out.push(f);
    }
    return out;
  }

  /** RTVI rows that cite the raw frame `frameId` of `session`, oldest first. */
  rtviFor(frameId: number, session: number): readonly LogEvent[] {
    return this.citedBy.get(frameKey(session, frameId)) ?? [];
  }

  /** Empties the history (the running session is untouched; new rows keep arriving). */
  clear(): void {
    this.rows = [];
    this.jsonLengths = [];
    this.costs = [];
    this.sharedPayloads.clear();
    this.head = 0;
    this.firstAbs = 0;
    this.heldBytes = 0;
    this.droppedRows = 0;
    this.counts.clear();
    this.bySeqIndex.clear();
    this.byFrameKey.clear();
    this.citedBy.clear();
    this._epoch++;
    this.changed();
  }

  /**
   * The held rows split into pages whose JSON array (`JSON.stringify(page)`) is at most `maxBytes`
   * characters, for replay to a newly connected panel. A single row larger than a page gets a page
   * of its own.
   */
  pages(maxBytes: number = DEFAULT_PAGE_BYTES): LogEvent[][] {
    const out: LogEvent[][] = [];
    let page: LogEvent[] = [];
    let pageLen = 2; // the brackets
    for (let i = this.head; i < this.rows.length; i++) {
      const len = this.jsonLengths[i];
      const add = page.length === 0 ? len : len + 1; // comma
      if (page.length > 0 && pageLen + add > maxBytes) {
        out.push(page);
        page = [];
        pageLen = 2;
        i--;
        continue;
      }
      page.push(this.rows[i]);
      pageLen += add;
    }
    if (page.length > 0) out.push(page);
    return out;
  }

  /** Called (synchronously) after every change; renderers batch it themselves. */
  subscribe(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private ingest(ev: LogEvent, jsonLength: number | undefined): void {
    const len = jsonLength ?? JSON.stringify(ev).length;
    const cost = ev.audio !== undefined && ev.data !== undefined ? this.shareAudioPayload(ev, len) : estimateRowBytes(len);
    this.rows.push(ev);
    this.jsonLengths.push(len);
    this.costs.push(cost);
    this.heldBytes += cost;
    this.counts.set(ev.type, (this.counts.get(ev.type) ?? 0) + 1);
    this.bySeqIndex.set(ev.seq, ev);
    if (ev.frameId !== undefined) this.byFrameKey.set(frameKey(ev.session, ev.frameId), ev);
    if (ev.sourceFrameIds) {
      for (const id of ev.sourceFrameIds) {
        const key = frameKey(ev.session, id);
        const list = this.citedBy.get(key);
        if (list) list.push(ev);
        else this.citedBy.set(key, [ev]);
      }
    }
  }

  /**
   * Points an audio-frame row at the shared copy of its payload and search text; returns the row's
   * cost. The row that first brings a payload pays for it (payload + search text).
   */
  private shareAudioPayload(ev: LogEvent, len: number): number {
    let dataJson: string | undefined;
    try {
      dataJson = JSON.stringify(ev.data);
    } catch {
      dataJson = undefined;
    }
    if (dataJson === undefined) return estimateRowBytes(len);
    const key = `${ev.type}\u0000${dataJson}`;
    const shared = this.sharedPayloads.get(key);
    const ownFields = ROW_OVERHEAD_BYTES + Math.max(0, len - dataJson.length);
    if (shared === undefined) {
      if (this.sharedPayloads.size >= MAX_SHARED_PAYLOADS) this.sharedPayloads.clear();
      const search = makeSearchText(ev.type, dataJson);
      this.sharedPayloads.set(key, { data: ev.data, search });
      adoptSearchText(ev, search);
      return ownFields + JSON_LENGTH_FACTOR * dataJson.length;
    }
    if (shared.data !== ev.data) {
      // Frozen rows (an imported file) keep their own payload and are costed in full.
      if (Object.isFrozen(ev)) return estimateRowBytes(len);
      (ev as { data?: unknown }).data = shared.data;
    }
    adoptSearchText(ev, shared.search);
    return ownFields;
  }

  /** Drops oldest rows while over budget (always keeping the newest row). Returns true if any dropped. */
  private enforceBudget(): boolean {
    let any = false;
    while (this.heldBytes > this.budget && this.size > 1) {
      this.dropOldest();
      any = true;
    }
    if (any && this.head > 4096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.jsonLengths = this.jsonLengths.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
    return any;
  }

  private dropOldest(): void {
    const ev = this.rows[this.head];
    const cost = this.costs[this.head];
    (this.rows as Array<LogEvent | undefined>)[this.head] = undefined;
    this.head++;
    this.firstAbs++;
    this.droppedRows++;
    this.heldBytes -= cost;
    const n = (this.counts.get(ev.type) ?? 1) - 1;
    if (n > 0) this.counts.set(ev.type, n);
    else this.counts.delete(ev.type);
    if (this.bySeqIndex.get(ev.seq) === ev) this.bySeqIndex.delete(ev.seq);
    if (ev.frameId !== undefined) {
      const key = frameKey(ev.session, ev.frameId);
      if (this.byFrameKey.get(key) === ev) this.byFrameKey.delete(key);
    }
    if (ev.sourceFrameIds) {
      for (const id of ev.sourceFrameIds) {
        const key = frameKey(ev.session, id);
        const list = this.citedBy.get(key);
        if (!list) continue;
        const i = list.indexOf(ev);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.citedBy.delete(key);
      }
    }
  }

  private changed(): void {
    this._revision++;
    for (const l of this.listeners) l();
  }
}

function frameKey(session: number, frameId: number): string {
  return `${session}:${frameId}`;
}

function validBudget(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes <= 0) throw new RangeError(`Event history budget must be a positive number of bytes, got ${bytes}.`);
  return bytes;
}
