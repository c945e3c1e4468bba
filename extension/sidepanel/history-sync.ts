import type { HostEvent } from '../shared/messages.ts';
import type { EventHistory } from '../inspector-core/event-history.ts';

/**
 * Mirrors the host's event history into the panel's EventHistory: a snapshot replaces it (pages
 * follow), batches append, a clear empties it. Kept apart from the React state so 2,000 events a
 * second do not copy arrays: the EventLog subscribes to the history itself.
 */
export function applyHostEventToHistory(history: EventHistory, event: HostEvent): void {
  switch (event.type) {
    case 'snapshot':
      history.clear();
      return;
    case 'snapshot-page':
      history.appendMany(event.events);
      return;
    case 'snapshot-end':
      return;
    case 'batch':
      for (const u of event.updates) {
        if (u.kind === 'log') history.appendMany(u.events);
        else if (u.kind === 'events-cleared') history.clear();
      }
      return;
  }
}
