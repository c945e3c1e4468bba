import type { LogEvent } from '../shared/log-event.ts';
import { EventHistory } from './event-history.ts';
import { DEFAULT_CRITERIA, filterEvents, warmSearchText } from './event-filter.ts';
import { EventGrouper } from './event-grouping.ts';
import { makeSyntheticEvents } from './synthetic-events.ts';

/** Figures for `npm run bench` (the inspector's section of BENCHMARKS.md). Pure: runs in Node. */
export interface InspectorBenchResult {
  /** Rows per second through EventHistory.append + incremental grouping, one row at a time. */
  ingestRowsPerSec: number;
  /** Longest single append batch of 34 rows (one 60 Hz frame at 2,000 rows/s), ms. */
  worstFrameBatchMs: number;
  /** `Filter events` answers over `filterRows` rows, typed one character at a time (warm cache), ms. */
  filterMs: { p50: number; p95: number; max: number; rows: number };
  /** Estimated history bytes per hour of the synthetic session (its rows per hour × mean row cost). */
  bytesPerHour: number;
  rowsPerHour: number;
}

/** Nearest rank: the smallest measured value with at least p % of the samples at or below it. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

export function runInspectorBench(options: { ingestRows?: number; filterRows?: number; queries?: string[] } = {}): InspectorBenchResult {
  const ingestRows = options.ingestRows ?? 100_000;
  const filterRows = options.filterRows ?? 100_000;
  const rows = makeSyntheticEvents(ingestRows, { stepMs: 0.5 });

  const history = new EventHistory();
  const grouper = new EventGrouper();
  let worst = 0;
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 34) {
    const f0 = performance.now();
    const batch = rows.slice(i, i + 34);
    for (const ev of batch) history.append(ev);
    grouper.append(batch, 0);
    worst = Math.max(worst, performance.now() - f0);
  }
  const ingestMs = performance.now() - t0;

  const filterSet: LogEvent[] = ingestRows === filterRows ? rows : makeSyntheticEvents(filterRows);
  for (const ev of filterSet) warmSearchText(ev);
  const queries = options.queries ?? ['u', 'um', 'umb', 'umbr', 'umbrella', 'p', 'pa', 'par', 'pari', 'paris', 'w', 'we', 'wea', 'weather', '/pari[s]/i', 'bot-tts', 'append', 'state', 'ready', 'x'];
  const times: number[] = [];
  for (const text of queries) {
    const s = performance.now();
    filterEvents(filterSet, { ...DEFAULT_CRITERIA, text });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);

  const spanMs = rows[rows.length - 1].t - rows[0].t || 1;
  const rowsPerHour = (rows.length / spanMs) * 3_600_000;
  return {
    ingestRowsPerSec: (rows.length / ingestMs) * 1000,
    worstFrameBatchMs: worst,
    filterMs: { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], rows: filterSet.length },
    bytesPerHour: (history.bytes + 0) / (history.size || 1) * rowsPerHour,
    rowsPerHour,
  };
}
