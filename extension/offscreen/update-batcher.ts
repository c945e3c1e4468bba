import type { HostUpdate } from '../shared/messages.ts';

/**
 * Collects host updates and flushes them as one batch about every `intervalMs`, so a burst of
 * events (2,000/s from the inspector's point of view) costs the panel ~20 messages a second.
 * Log events and conversation turns accumulate (turns coalesce by id); status, levels, stats and
 * devices keep only their latest value.
 */
export class UpdateBatcher {
  private log: HostUpdate[] = [];
  private latest = new Map<string, HostUpdate>();
  private turns = new Map<string, HostUpdate>();
  private ordered: HostUpdate[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly flush: (updates: HostUpdate[]) => void,
    private readonly intervalMs = 50,
    private readonly schedule: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = (fn, ms) => setTimeout(fn, ms),
  ) {}

  push(update: HostUpdate): void {
    switch (update.kind) {
      case 'log': {
        const last = this.log[this.log.length - 1];
        if (last && last.kind === 'log') last.events.push(...update.events);
        else this.log.push({ kind: 'log', events: [...update.events] });
        break;
      }
      case 'turn':
        this.turns.set(update.turn.id, update);
        break;
      case 'status':
      case 'levels':
      case 'stats':
      case 'devices':
      case 'voice-tests':
        this.latest.set(update.kind, update);
        break;
      case 'events-cleared':
        this.log = [];
        this.ordered.push(update);
        break;
      case 'conversation-cleared':
        this.turns.clear();
        this.ordered.push(update);
        break;
      default:
        this.ordered.push(update);
    }
    if (this.timer === undefined) this.timer = this.schedule(() => this.flushNow(), this.intervalMs);
  }

  /** Sends what is pending now (also used before a snapshot so no update is lost or doubled). */
  flushNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const updates = [...this.ordered, ...this.latest.values(), ...this.log, ...this.turns.values()];
    this.ordered = [];
    this.latest.clear();
    this.log = [];
    this.turns.clear();
    if (updates.length > 0) this.flush(updates);
  }

  /** Drops pending updates (the snapshot that follows already contains them). */
  discard(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.ordered = [];
    this.latest.clear();
    this.log = [];
    this.turns.clear();
  }
}
