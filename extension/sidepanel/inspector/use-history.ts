import { useEffect, useMemo, useState } from 'react';
import type { LogEvent } from '../../shared/log-event.ts';
import { EventHistory } from '../../inspector-core/event-history.ts';

/** Subscribes to a history and returns its revision, updated at most once per animation frame. */
export function useHistoryRevision(history: EventHistory): number {
  const [revision, setRevision] = useState(history.revision);
  useEffect(() => {
    let frame = 0;
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setRevision(history.revision);
      });
    };
    const off = history.subscribe(schedule);
    setRevision(history.revision);
    return () => {
      off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [history]);
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
