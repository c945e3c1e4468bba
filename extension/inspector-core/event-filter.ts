import type { LogEvent } from '../shared/log-event.ts';
import type { EventHistory } from './event-history.ts';
import { inAnyCategory, isAudioFrame, type EventCategory } from './event-category.ts';
import { parseFilterQuery } from './filter-query.ts';

export type EventView = 'rtvi' | 'raw' | 'both';
export type DirectionFilter = 'all' | 'in' | 'out' | 'local';

export interface FilterCriteria {
  /** Plain text (case-insensitive substring) or `/regex/flags`; empty matches everything. */
  text: string;
  /** `rtvi` shows RTVI and transport rows (the normalised stream), `raw` the provider frames. */
  view: EventView;
  direction: DirectionFilter;
  /** Types unticked in `Event types`. */
  excludedTypes?: ReadonlySet<string>;
  /** When set, only these types (an include list); exclusions still apply. */
  includedTypes?: ReadonlySet<string> | null;
  /**
   * Types the log has seen: a query that is exactly one of them is an exact type match
   * (`session.update` does not list `session.updated`). Only membership of the query is read.
   */
  knownTypes?: { has(type: string): boolean } | null;
  /** Quick chips: rows in any of these categories (none: all rows). */
  categories?: ReadonlySet<EventCategory> | null;
  /** `Hide audio frames`: audio frame rows are left out unless their type is asked for. */
  hideAudio?: boolean;
  /** Types ticked in `Event types` while audio is hidden: shown anyway. */
  shownTypes?: ReadonlySet<string> | null;
}

export const DEFAULT_CRITERIA: FilterCriteria = { text: '', view: 'both', direction: 'all' };

export interface TextQuery {
  /** Tests one row; null when the query matches everything. */
  test: ((ev: LogEvent) => boolean) | null;
  /** Why a `/regex/` could not be compiled (the query then matches nothing). */
  error: string | null;
}

// One lowercase search text per row, built on first use (or warmed in idle time, or shared by the
// history for repeated audio payloads) and cached per row object; rows are immutable once recorded.
// Only the lowercase form is kept, so the history's budget (row + one search text) holds;
// case-sensitive regexes build the original text on the fly, for the few rows a case-insensitive
// prefilter lets through. Kept on the row under a symbol key by plain assignment: JSON.stringify and
// structured clone (Port messages) skip symbol keys, so exports and messages are unchanged, and a
// property store is several times faster than a WeakMap insert or Object.defineProperty over 100k
// rows (the first keystroke pays it). Frozen rows (an import) fall back to the WeakMap.
const SEARCH_TEXT = Symbol('searchText');
const lowerCache = new WeakMap<LogEvent, string>();
type WithSearchText = LogEvent & { [SEARCH_TEXT]?: string };

/** What the text filter searches: the type and the payload's JSON. */
export function searchTextOf(ev: LogEvent): string {
  return `${ev.type} ${ev.data === undefined ? '' : safeJson(ev.data)}`;
}

/** A search text built once and shared by identical rows (see adoptSearchText). */
export interface SharedSearchText {
  readonly lower: string;
  readonly nonAscii: boolean;
}

/** The search text of a row of this type whose payload serialises to `dataJson`. */
export function makeSearchText(type: string, dataJson: string): SharedSearchText {
  const text = `${type} ${dataJson}`;
  return { lower: text.toLowerCase(), nonAscii: NON_ASCII.test(text) };
}

/**
 * Gives a row a search text built elsewhere: the history hands identical audio-frame rows one
 * shared string instead of a copy each. No-op on frozen rows (they fall back to the lazy cache).
 */
export function adoptSearchText(ev: LogEvent, shared: SharedSearchText): void {
  if ((ev as WithSearchText)[SEARCH_TEXT] !== undefined || !Object.isExtensible(ev)) return;
  (ev as WithSearchText)[SEARCH_TEXT] = shared.lower;
  if (shared.nonAscii) nonAsciiRows.add(ev);
}

function lowerSearchTextOf(ev: LogEvent): string {
  const own = (ev as WithSearchText)[SEARCH_TEXT];
  if (own !== undefined) return own;
  let s = lowerCache.get(ev);
  if (s === undefined) {
    const text = searchTextOf(ev);
    s = text.toLowerCase();
    if (Object.isExtensible(ev)) (ev as WithSearchText)[SEARCH_TEXT] = s;
    else lowerCache.set(ev, s);
    // Lowercasing non-ASCII text can change its length or map a letter outside its case class (the
    // Kelvin sign becomes an ASCII k), so the case-insensitive prefilter of case-sensitive regexes
    // must not reject such rows.
    if (NON_ASCII.test(text)) nonAsciiRows.add(ev);
  }
  return s;
}

const NON_ASCII = /[^\x00-\x7f]/;
const nonAsciiRows = new WeakSet<LogEvent>();

/** Builds and caches a row's search text ahead of the first keystroke (call from idle time). */
export function warmSearchText(ev: LogEvent): void {
  lowerSearchTextOf(ev);
}

const REGEX_QUERY = /^\/(.+)\/([a-z]*)$/s;

/** Compiles the `Filter events` text. Invalid regexes are reported, never thrown. */
export function parseTextQuery(text: string): TextQuery {
  const q = text.trim();
  if (q === '') return { test: null, error: null };
  const m = REGEX_QUERY.exec(q);
  if (m) {
    let re: RegExp;
    try {
      // g and y make test() stateful across rows; they mean nothing for a filter.
      re = new RegExp(m[1], m[2].replace(/[gy]/g, ''));
    } catch (e) {
      return { test: () => false, error: `Invalid regular expression: ${e instanceof Error ? e.message : String(e)}` };
    }
    // A case-insensitive regex matches the cached lowercase text exactly as it would the original.
    if (re.flags.includes('i')) return { test: (ev) => re.test(lowerSearchTextOf(ev)), error: null };
    // A case-sensitive match implies a case-insensitive one, so the same pattern with `i` run over the
    // cached lowercase text rejects most rows without re-serialising them; only candidates (and rows
    // whose text is not ASCII, where lowercasing is not length- and class-preserving) get the real test.
    let pre: RegExp | null = null;
    try {
      pre = new RegExp(m[1], re.flags + 'i');
    } catch {
      pre = null;
    }
    return {
      test: (ev) => {
        if (pre !== null && !pre.test(lowerSearchTextOf(ev)) && !nonAsciiRows.has(ev)) return false;
        return re.test(searchTextOf(ev));
      },
      error: null,
    };
  }
  const needle = q.toLowerCase();
  return { test: (ev) => lowerSearchTextOf(ev).includes(needle), error: null };
}

export interface CompiledFilter {
  matches(ev: LogEvent): boolean;
  error: string | null;
  /** Equal keys mean equal filters (used to decide whether incremental filtering is valid). */
  key: string;
}

export function compileFilter(c: FilterCriteria): CompiledFilter {
  const parsed = parseFilterQuery(c.text, c.knownTypes ?? undefined);
  const query = parseTextQuery(parsed.text);
  const excluded = c.excludedTypes && c.excludedTypes.size > 0 ? c.excludedTypes : null;
  const included = c.includedTypes ?? null;
  const typed = parsed.types.length > 0 ? new Set(parsed.types) : null;
  const notTyped = parsed.notTypes.length > 0 ? new Set(parsed.notTypes) : null;
  const dirs = parsed.dirs.length > 0 ? new Set(parsed.dirs) : null;
  const categories = c.categories && c.categories.size > 0 ? c.categories : null;
  const hideAudio = c.hideAudio === true;
  const shown = c.shownTypes ?? null;
  const view = c.view;
  const dir = c.direction;
  const test = query.test;
  const tokenError = parsed.invalid.length > 0 ? `Not understood: ${parsed.invalid.join(' ')} (use type:<event type> or dir:in, dir:out, dir:local).` : null;
  return {
    error: query.error ?? tokenError,
    key: filterKey(c),
    matches(ev) {
      if (view === 'raw' ? ev.source !== 'raw' : view === 'rtvi' ? ev.source === 'raw' : false) return false;
      if (dir !== 'all' && ev.direction !== dir) return false;
      if (dirs && !dirs.has(ev.direction)) return false;
      if (typed) {
        // A type asked for by name is shown even if unticked or audio.
        if (!typed.has(ev.type)) return false;
      } else {
        if (excluded && excluded.has(ev.type)) return false;
      }
      if (notTyped && notTyped.has(ev.type)) return false;
      if (included && !included.has(ev.type)) return false;
      // The text test rejects most rows while typing; the per-row classifications run after it.
      if (test !== null && !test(ev)) return false;
      if (!typed && hideAudio && !(shown && shown.has(ev.type)) && isAudioFrame(ev)) return false;
      return !categories || inAnyCategory(ev, categories);
    },
  };
}

/** Identity of a filter: two criteria with the same key select the same rows. */
export function filterKey(c: FilterCriteria): string {
  const ex = c.excludedTypes ? [...c.excludedTypes].sort().join('\u0000') : '';
  const inc = c.includedTypes ? [...c.includedTypes].sort().join('\u0000') : '*';
  const text = c.text.trim();
  const exact = text !== '' && c.knownTypes?.has(text) ? 'T' : 't';
  const cats = c.categories ? [...c.categories].sort().join(',') : '';
  const shown = c.hideAudio ? `A${c.shownTypes ? [...c.shownTypes].sort().join('\u0000') : ''}` : 'a';
  return `${c.view}\u0001${c.direction}\u0001${exact}${text}\u0001${ex}\u0001${inc}\u0001${cats}\u0001${shown}`;
}

export interface FilterResult {
  rows: LogEvent[];
  error: string | null;
}

/** Filters a plain list of rows (an imported session, a test). */
export function filterEvents(events: readonly LogEvent[], criteria: FilterCriteria): FilterResult {
  const f = compileFilter(criteria);
  const rows: LogEvent[] = [];
  for (const ev of events) if (f.matches(ev)) rows.push(ev);
  return { rows, error: f.error };
}

/** What changed since the previous run, so a grouper or renderer can follow incrementally. */
export interface IncrementalFilterResult extends FilterResult {
  /** True when `rows` was rebuilt from scratch (filter changed, history cleared, first run). */
  reset: boolean;
  /** Rows removed from the front since the previous run (dropped by the history's budget). */
  trimmed: number;
  /** Those rows, oldest first (for EventGrouper.trimFront). */
  removed: LogEvent[];
  /** Rows appended at the end since the previous run. */
  appended: number;
}

/**
 * Filters an EventHistory, re-scanning only the rows that arrived since the last run while the
 * filter is unchanged, and trimming rows the history dropped. `rows` is one array mutated in place
 * between runs; copy it if you keep it.
 */
export class IncrementalFilter {
  private rows: LogEvent[] = [];
  /** Absolute history index of each row in `rows`. */
  private abs: number[] = [];
  private scannedTo = 0;
  private epoch = -1;
  private key: string | null = null;
  private compiled: CompiledFilter | null = null;

  constructor(private readonly history: EventHistory) {}

  /**
   * Filters held rows with absolute index < `upTo` (default: all; Pause passes its freeze point).
   * `seed`: another filter over the same history (the previous query). When this run starts over and
   * its query only narrows the seed's (a plain text that contains the seed's, every other criterion
   * equal), it searches the seed's matches instead of the whole history: typing one more letter then
   * costs a pass over the rows still shown, not over every held row.
   */
  run(criteria: FilterCriteria, upTo?: number, seed?: IncrementalFilter | null): IncrementalFilterResult {
    const h = this.history;
    const end = Math.min(upTo ?? h.endIndex, h.endIndex);
    const key = filterKeyCached(criteria, this);
    let reset = false;
    if (key !== this.key || h.epoch !== this.epoch || end < this.scannedTo) {
      this.compiled = compileFilter(criteria);
      this.key = key;
      this.epoch = h.epoch;
      this.rows = [];
      this.abs = [];
      this.scannedTo = h.startIndex;
      reset = true;
      if (seed && seed !== this && seed.key !== null && seed.history === h && seed.epoch === h.epoch && seed.scannedTo <= end && seed.lastCriteria && narrows(seed.lastCriteria, criteria)) {
        const f = this.compiled;
        const rows = seed.rows;
        const abs = seed.abs;
        for (let i = 0; i < rows.length; i++) {
          if (f.matches(rows[i])) {
            this.rows.push(rows[i]);
            this.abs.push(abs[i]);
          }
        }
        this.scannedTo = Math.max(h.startIndex, seed.scannedTo);
      }
    }
    let trimmed = 0;
    let removed: LogEvent[] = [];
    const start = h.startIndex;
    if (this.abs.length > 0 && this.abs[0] < start) {
      while (trimmed < this.abs.length && this.abs[trimmed] < start) trimmed++;
      removed = this.rows.splice(0, trimmed);
      this.abs.splice(0, trimmed);
    }
    if (this.scannedTo < start) this.scannedTo = start;
    const before = this.rows.length;
    const f = this.compiled!;
    for (let a = this.scannedTo; a < end; a++) {
      const ev = h.atAbsolute(a)!;
      if (f.matches(ev)) {
        this.rows.push(ev);
        this.abs.push(a);
      }
    }
    this.scannedTo = Math.max(this.scannedTo, end);
    return { rows: this.rows, error: f.error, reset, trimmed, removed, appended: this.rows.length - before };
  }

  /** Forces the next run to rebuild (e.g. a type was ticked). */
  invalidate(): void {
    this.key = null;
  }

  /** Internal memo so an unchanged criteria object is not re-keyed (sorting sets) on every frame. */
  lastCriteria: FilterCriteria | null = null;
  lastKey = '';
}

/** The lowercase substring a query searches for, when it is only that (no regex, token or exact type). */
function plainNeedle(c: FilterCriteria): string | null {
  const parsed = parseFilterQuery(c.text, c.knownTypes ?? undefined);
  if (parsed.types.length || parsed.notTypes.length || parsed.dirs.length || parsed.invalid.length) return null;
  if (REGEX_QUERY.test(parsed.text.trim())) return null;
  return parsed.text.trim().toLowerCase();
}

/** True when every row `next` selects is among those `prev` selects: same criteria, a longer plain text. */
export function narrows(prev: FilterCriteria, next: FilterCriteria): boolean {
  const a = plainNeedle(prev);
  const b = plainNeedle(next);
  if (a === null || b === null || !b.includes(a)) return false;
  return filterKey({ ...prev, text: '' }) === filterKey({ ...next, text: '' });
}

function filterKeyCached(c: FilterCriteria, holder: IncrementalFilter): string {
  if (holder.lastCriteria === c) return holder.lastKey;
  holder.lastCriteria = c;
  holder.lastKey = filterKey(c);
  return holder.lastKey;
}

/**
 * For the bench: filters `events` with `queries` typed one after another (as a person types into
 * `Filter events`) and returns the time of each answer in ms. The first query warms the caches,
 * exactly as the first keystroke does in the panel.
 */
export function measureFilterLatency(events: readonly LogEvent[], queries: readonly string[], base: FilterCriteria = DEFAULT_CRITERIA): number[] {
  const times: number[] = [];
  for (const text of queries) {
    const t0 = performance.now();
    filterEvents(events, { ...base, text });
    times.push(performance.now() - t0);
  }
  return times;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
