import type { ThrottleClock } from './render-throttle.ts';

/** For tests: a virtual clock with frames every 16 ms and timers on the same timeline. */
export function virtualClock() {
  let t = 0;
  let id = 0;
  const pending: Array<{ id: number; at: number; fn: () => void; frame: boolean }> = [];
  const clock: ThrottleClock = {
    now: () => t,
    frame: (fn) => {
      pending.push({ id: ++id, at: Math.floor(t / 16) * 16 + 16, fn, frame: true });
      return id;
    },
    cancelFrame: (x) => void pending.splice(pending.findIndex((p) => p.id === x), 1),
    timeout: (fn, ms) => {
      pending.push({ id: ++id, at: t + ms, fn, frame: false });
      return id as unknown as ReturnType<typeof setTimeout>;
    },
    cancelTimeout: (x) => void pending.splice(pending.findIndex((p) => p.id === (x as unknown as number)), 1),
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      pending.sort((a, b) => a.at - b.at);
      const next = pending[0];
      if (!next || next.at > end) break;
      pending.shift();
      t = next.at;
      next.fn();
    }
    t = end;
  };
  return { clock, advance, now: () => t, pendingCount: () => pending.length };
}
