/**
 * Runs `fn` at an animation frame, at most once per frame and at least `minIntervalMs` after its
 * previous run. The panel shares its renderer's main thread with the offscreen document's capture
 * path: every frame the panel changes costs style, layout, paint and compositing of the page, so
 * streaming views (the event log, the meters) redraw at a bounded rate instead of at every batch.
 * Nothing is dropped: a run reads the latest state, whatever arrived since the previous one.
 * A first request after a quiet spell runs at the next frame, with no added delay.
 */
export interface RenderThrottle {
  schedule(): void;
  cancel(): void;
}

export interface ThrottleClock {
  now(): number;
  frame(fn: () => void): number;
  cancelFrame(id: number): void;
  timeout(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
  cancelTimeout(id: ReturnType<typeof setTimeout>): void;
}

export function browserThrottleClock(): ThrottleClock {
  const visible = () => typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible';
  return {
    now: () => performance.now(),
    // A hidden page gets no frames: a timer stands in for one.
    frame: (fn) => (visible() ? requestAnimationFrame(fn) : -(setTimeout(fn, 16) as unknown as number)),
    cancelFrame: (id) => (id < 0 ? clearTimeout(-id as unknown as ReturnType<typeof setTimeout>) : cancelAnimationFrame(id)),
    timeout: (fn, ms) => setTimeout(fn, ms),
    cancelTimeout: (id) => clearTimeout(id),
  };
}

export function renderThrottle(fn: () => void, minIntervalMs: number, clock: ThrottleClock = browserThrottleClock()): RenderThrottle {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const run = () => {
    frame = null;
    last = clock.now();
    fn();
  };
  return {
    schedule() {
      if (frame !== null || timer !== null) return;
      const wait = last + minIntervalMs - clock.now();
      if (wait <= 0) frame = clock.frame(run);
      else
        timer = clock.timeout(() => {
          timer = null;
          frame = clock.frame(run);
        }, wait);
    },
    cancel() {
      if (frame !== null) clock.cancelFrame(frame);
      if (timer !== null) clock.cancelTimeout(timer);
      frame = null;
      timer = null;
    },
  };
}
