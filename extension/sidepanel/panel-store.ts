import type { HostEvent, HostLevels, HostUpdate } from '../shared/messages.ts';
import { applyHostEventToHistory } from './history-sync.ts';
import { renderThrottle } from './render-throttle.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import { applyHostEvent, initialPanelState, linkLost, type PanelState } from './panel-state.ts';

/** The meters redraw at most this often (a VU meter's usual 10 Hz; the host sends 20 batches a second). */
const LEVELS_RENDER_INTERVAL_MS = 100;

/**
 * The meters' levels, apart from the panel state: they change with every batch while anyone
 * speaks (20 times a second), and re-rendering the whole app for them was most of the panel's
 * cost during a conversation. Only the meters subscribe.
 */
export class LevelSource {
  private value: HostLevels = initialPanelState.levels;
  private listeners = new Set<() => void>();
  private readonly throttle = renderThrottle(() => {
    for (const l of this.listeners) l();
  }, LEVELS_RENDER_INTERVAL_MS);

  get = (): HostLevels => this.value;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(levels: HostLevels): void {
    if (levels.mic === this.value.mic && levels.bot === this.value.bot && levels.tab === this.value.tab) return;
    this.value = levels;
    this.throttle.schedule();
  }
}

/**
 * A tiny external store for useSyncExternalStore (updates coalesced to one per frame) plus the
 * event history the inspector's EventLog subscribes to directly and the meters' levels.
 */
export class PanelStore {
  readonly history = new EventHistory();
  readonly levels = new LevelSource();
  private state: PanelState = initialPanelState;
  private listeners = new Set<() => void>();
  private readonly throttle = renderThrottle(() => {
    for (const l of this.listeners) l();
  }, 0);

  getState = (): PanelState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch(event: HostEvent): void {
    applyHostEventToHistory(this.history, event);
    if (event.type === 'snapshot-page') return;
    if (event.type === 'snapshot') this.levels.set(event.head.levels);
    let next: PanelState;
    if (event.type === 'batch') {
      // Levels go to the meters; log rows went to the history above. Neither changes the state.
      const rest: HostUpdate[] = [];
      for (const u of event.updates) {
        if (u.kind === 'levels') this.levels.set(u.levels);
        else if (u.kind !== 'log') rest.push(u);
      }
      if (rest.length === 0) return;
      next = applyHostEvent(this.state, { type: 'batch', updates: rest });
    } else next = applyHostEvent(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.throttle.schedule();
  }

  markLinkLost(): void {
    this.state = linkLost(this.state);
    this.throttle.schedule();
  }
}
