import { useEffect, useMemo, useState } from 'react';
import type { LogEvent } from '../../shared/log-event.ts';
import { EventHistory } from '../../inspector-core/event-history.ts';
import { panelBeat } from '../redraw-beat.ts';

/**
 * How often a streaming history re-renders the views that follow it. At every batch (20 a second)
 * the log's frames cost the shared main thread more than everything else in the panel; 10 a second
 * still reads as live and halves it (BENCHMARKS.md, "Extension main thread").
 */
export const HISTORY_RENDER_INTERVAL_MS = 100;

/**
 * Subscribes to a history and returns its revision, updated on the panel's beat (redraw-beat.ts) at
 * most every `minIntervalMs`: in the frame the meters and the other streaming views change in.
 */
export function useHistoryRevision(history: EventHistory, minIntervalMs = HISTORY_RENDER_INTERVAL_MS): number {
  const [revision, setRevision] = useState(history.revision);
  useEffect(() => {
    const beat = panelBeat();
    const update = () => setRevision(history.revision);
    const off = history.subscribe(() => beat.request(update, minIntervalMs));
    setRevision(history.revision);
    return () => {
      off();
      beat.cancel(update);
    };
  }, [history, minIntervalMs]);
  return revision;
}

/** A fixed list becomes an unbounded history once; a live history is used as is. */
export function useHistoryOf(events: EventHistory | readonly LogEvent[]): EventHistory {
  return useMemo(() => {
    if (events instanceof EventHistory) return events;
    const h = new EventHistory({ budgetBytes: Number.MAX_SAFE_INTEGER });
    h.appendMany(events);
    return h;
  }, [events]);
}
