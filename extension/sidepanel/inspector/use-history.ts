import { useEffect, useMemo, useState } from 'react';
import type { LogEvent } from '../../shared/log-event.ts';
import { EventHistory } from '../../inspector-core/event-history.ts';
import { renderThrottle } from '../render-throttle.ts';

/**
 * How often a streaming history re-renders the views that follow it. At every batch (20 a second)
 * the log's frames cost the shared main thread more than everything else in the panel; 10 a second
 * still reads as live and halves it (BENCHMARKS.md, "Extension main thread").
 */
export const HISTORY_RENDER_INTERVAL_MS = 100;

/** Subscribes to a history and returns its revision, updated at an animation frame at most every `minIntervalMs`. */
export function useHistoryRevision(history: EventHistory, minIntervalMs = HISTORY_RENDER_INTERVAL_MS): number {
  const [revision, setRevision] = useState(history.revision);
  useEffect(() => {
    const throttle = renderThrottle(() => setRevision(history.revision), minIntervalMs);
    const off = history.subscribe(throttle.schedule);
    setRevision(history.revision);
    return () => {
      off();
      throttle.cancel();
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
