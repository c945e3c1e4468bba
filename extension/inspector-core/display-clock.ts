import type { LogEvent } from '../shared/log-event.ts';

/**
 * The time column of the event log. Rows are listed in arrival order; their own stamps need not be
 * in that order (bot speaking events carry the audio clock's time of the first played sample,
 * which can precede rows that arrived before them). The column shows ms since the session's
 * Connect, rounded, and never runs backwards down the list: a row stamped before the row above it
 * shows the time above it (its own stamp stays in the detail). One zero per session (a Connect),
 * kept for the whole session, transparent reconnects (Gemini's resumption) included.
 *
 * Feed rows oldest first with `observe`; `displayMs` answers for any row observed. Because the
 * value is monotonic over the whole history, any filtered subsequence is monotonic too.
 */
export class DisplayClock {
  private readonly shown = new WeakMap<LogEvent, number>();
  private lastSession = Number.NaN;
  private lastMs = 0;

  /** Assigns a row its display time; rows must come in arrival (history) order. */
  observe(ev: LogEvent): number {
    const known = this.shown.get(ev);
    if (known !== undefined) return known;
    const own = Number.isFinite(ev.t) ? Math.max(0, Math.round(ev.t)) : 0;
    let ms: number;
    if (ev.session !== this.lastSession) {
      this.lastSession = ev.session;
      ms = own;
    } else ms = Math.max(this.lastMs, own);
    this.lastMs = ms;
    this.shown.set(ev, ms);
    return ms;
  }

  /** The display time of an observed row (its own rounded stamp if never observed). */
  displayMs(ev: LogEvent): number {
    return this.shown.get(ev) ?? Math.max(0, Math.round(ev.t));
  }

  /** Starts over (the history was cleared). */
  reset(): void {
    this.lastSession = Number.NaN;
    this.lastMs = 0;
  }
}

/** ms since Connect, rounded: `1234 ms`. */
export function formatSinceConnect(ms: number): string {
  return `${ms} ms`;
}

/** Delta to the row above, `+12` (ms); empty for the first row of a session. */
export function formatDelta(ms: number | null): string {
  if (ms === null) return '';
  return `+${ms}`;
}

/** Local wall-clock time `HH:MM:SS.mmm` for the detail pane. */
export function formatWallClock(wall: number): string {
  const d = new Date(wall);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
