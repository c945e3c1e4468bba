import type { HostEvent, HostLevels, HostUpdate } from '../shared/messages.ts';
import { applyHostEventToHistory } from './history-sync.ts';
import { renderThrottle } from './render-throttle.ts';
import { panelBeat, type RedrawBeat } from './redraw-beat.ts';
import { EventHistory } from '../inspector-core/event-history.ts';
import { applyHostEvent, initialPanelState, linkLost, type PanelState } from './panel-state.ts';

/**
 * The meters' levels, apart from the panel state: they change with every batch while anyone
 * speaks (20 times a second), and re-rendering the whole app for them was most of the panel's
 * cost during a conversation. Only the meters subscribe.
 */
export class LevelSource {
  private value: HostLevels = initialPanelState.levels;
  private listeners = new Set<() => void>();
  // On the panel's beat (at most 10 Hz, a VU meter's usual pace): in the frame the other
  // streaming views draw in, not in frames of their own.
  private readonly notify = () => {
    for (const l of this.listeners) l();
  };

  constructor(private readonly beat: RedrawBeat) {}

  get = (): HostLevels => this.value;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(levels: HostLevels): void {
    if (levels.mic === this.value.mic && levels.bot === this.value.bot && levels.tab === this.value.tab) return;
    this.value = levels;
    this.beat.request(this.notify);
  }
}

/**
 * Updates that stream during a conversation: stats (every 500 ms), transcript deltas, and the
 * recordings listing (after each write of the session's recording, about once a second). They
 * wait for the beat.
 */
const STREAMING_KINDS: ReadonlySet<HostUpdate['kind']> = new Set(['stats', 'turn', 'recordings']);

/**
 * A tiny external store for useSyncExternalStore plus the event history the inspector's EventLog
 * subscribes to directly and the meters' levels. A change the user acts on (status, errors,
 * settings) reaches the listeners at the next frame; what streams during a conversation (stats,
 * transcript deltas, the recordings listing) on the panel's beat, together with the meters and the
 * event log.
 */
export class PanelStore {
  readonly history = new EventHistory();
  readonly levels: LevelSource;
  private state: PanelState = initialPanelState;
  private listeners = new Set<() => void>();
  private readonly notify = () => {
    this.throttle.cancel();
    this.beat.cancel(this.notify);
    for (const l of this.listeners) l();
  };
  private readonly throttle = renderThrottle(this.notify, 0);

  constructor(private readonly beat: RedrawBeat = panelBeat()) {
    this.levels = new LevelSource(beat);
  }

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
      if (next !== this.state && rest.every((u) => STREAMING_KINDS.has(u.kind))) {
        this.state = next;
        this.beat.request(this.notify);
        return;
      }
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
