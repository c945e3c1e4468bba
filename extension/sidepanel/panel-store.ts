import type { HostEvent } from '../shared/messages.ts';
import { applyHostEventToHistory } from './history-sync.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import { applyHostEvent, initialPanelState, linkLost, type PanelState } from './panel-state.ts';

/**
 * A tiny external store for useSyncExternalStore (updates coalesced to one per frame) plus the
 * event history the inspector's EventLog subscribes to directly.
 */
export class PanelStore {
  readonly history = new EventHistory();
  private state: PanelState = initialPanelState;
  private listeners = new Set<() => void>();
  private scheduled = false;

  getState = (): PanelState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch(event: HostEvent): void {
    applyHostEventToHistory(this.history, event);
    if (event.type === 'snapshot-page') return;
    this.state = applyHostEvent(this.state, event);
    this.notify();
  }

  markLinkLost(): void {
    this.state = linkLost(this.state);
    this.notify();
  }

  private notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(run);
    else setTimeout(run, 16);
  }
}
