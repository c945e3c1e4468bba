import { flushSync } from 'react-dom';
import { browserThrottleClock, type ThrottleClock } from './render-throttle.ts';

/**
 * One beat for every view of the panel that redraws while a conversation streams (the meters, the
 * event log, the live timeline, the speaking strip, the metrics, the transcript). The panel shares
 * its renderer's main thread with the offscreen document's capture path, and every frame in which
 * the page changes costs style, layout, paint and compositing of the whole page, whatever changed.
 * Views that each kept their own timer drew in frames of their own (about 36 a second during a
 * Loopback conversation); on one beat they change the page together, one frame per beat.
 *
 * `request(fn)` runs `fn` in the animation frame of the next beat; requests made before it coalesce
 * (a function runs once per beat however often it was asked for). A first request after a quiet
 * spell (no beat within the last period) runs at the next frame, with no added delay. `minIntervalMs`
 * asks for a slower pace than the beat: `fn` waits for the first beat that far from its previous run
 * (within half a period, so a 200 ms view draws on every second beat of 100 ms, not every third).
 * Nothing is dropped: a run reads the latest state, whatever arrived since the previous one.
 */
export interface RedrawBeat {
  request(fn: () => void, minIntervalMs?: number): void;
  /** Drops a pending run of `fn` (a view going away). */
  cancel(fn: () => void): void;
}

export function redrawBeat(periodMs: number, clock: ThrottleClock = browserThrottleClock(), runAll: (fns: ReadonlyArray<() => void>) => void = runEach): RedrawBeat {
  /** Pending functions → the earliest time each may run. */
  const pending = new Map<() => void, number>();
  const lastRun = new Map<() => void, number>();
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastBeat = -Infinity;

  const arm = () => {
    if (frame !== null || timer !== null || pending.size === 0) return;
    // The next beat on this beat's grid at which some pending function is due (no idle beats).
    let soonest = Infinity;
    for (const earliest of pending.values()) soonest = Math.min(soonest, earliest);
    let due = lastBeat + periodMs;
    if (soonest - periodMs / 2 > due) due = lastBeat + Math.ceil((soonest - periodMs / 2 - lastBeat) / periodMs) * periodMs;
    const wait = due - clock.now();
    if (wait <= 0) frame = clock.frame(beat);
    else
      timer = clock.timeout(() => {
        timer = null;
        frame = clock.frame(beat);
      }, wait);
  };

  const beat = () => {
    frame = null;
    const now = clock.now();
    lastBeat = now;
    const due: Array<() => void> = [];
    for (const [fn, earliest] of pending) if (earliest <= now + periodMs / 2) due.push(fn);
    for (const fn of due) {
      pending.delete(fn);
      lastRun.set(fn, now);
    }
    if (due.length > 0) runAll(due);
    arm();
  };

  return {
    request(fn, minIntervalMs = 0) {
      if (pending.has(fn)) return;
      const previous = lastRun.get(fn);
      pending.set(fn, previous === undefined ? -Infinity : previous + minIntervalMs);
      arm();
    },
    cancel(fn) {
      pending.delete(fn);
      lastRun.delete(fn);
      if (pending.size === 0) {
        if (frame !== null) clock.cancelFrame(frame);
        if (timer !== null) clock.cancelTimeout(timer);
        frame = null;
        timer = null;
      }
    },
  };
}

function runEach(fns: ReadonlyArray<() => void>): void {
  for (const fn of fns) fn();
}

/**
 * React renders a state update made outside its own event handlers in a later task: after this
 * frame was drawn, so the views a beat updates would change the page in the next frame, each
 * view's update in a task of its own. One synchronous render of all of them, inside the beat's
 * animation frame, puts every change in this frame.
 */
function renderTogether(fns: ReadonlyArray<() => void>): void {
  flushSync(() => runEach(fns));
}

/** The panel's streaming views redraw at most this often (a VU meter's usual 10 Hz; the host sends 20 batches a second). */
export const PANEL_BEAT_MS = 100;

let shared: RedrawBeat | null = null;

/** The panel page's one beat (created on first use, so tests of pure modules never start timers). */
export function panelBeat(): RedrawBeat {
  return (shared ??= redrawBeat(PANEL_BEAT_MS, browserThrottleClock(), renderTogether));
}
