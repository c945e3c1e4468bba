/**
 * The visible window of the timeline: its start and span (ms on the recording clock), clamped to
 * the session, with zoom around a point. Pure, so the keys and the mouse share one behaviour.
 */
export interface Viewport {
  startMs: number;
  spanMs: number;
}

/** Closest zoom: 2 s across the strip. */
export const MIN_SPAN_MS = 2_000;

export function clampViewport(v: Viewport, durationMs: number): Viewport {
  const total = Math.max(durationMs, MIN_SPAN_MS);
  const spanMs = Math.max(MIN_SPAN_MS, Math.min(total, v.spanMs));
  const startMs = Math.max(0, Math.min(total - spanMs, v.startMs));
  return { startMs, spanMs };
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchorMs` at the same place on screen. */
export function zoomAround(v: Viewport, factor: number, anchorMs: number, durationMs: number): Viewport {
  const spanMs = v.spanMs * factor;
  const rel = v.spanMs > 0 ? (anchorMs - v.startMs) / v.spanMs : 0.5;
  return clampViewport({ startMs: anchorMs - rel * spanMs, spanMs }, durationMs);
}

/** Scrolls so that `ms` is in view, keeping a margin; unchanged when it already is. */
export function follow(v: Viewport, ms: number, durationMs: number): Viewport {
  const margin = v.spanMs * 0.1;
  if (ms >= v.startMs + margin && ms <= v.startMs + v.spanMs - margin) return v;
  return clampViewport({ startMs: ms - v.spanMs * 0.25, spanMs: v.spanMs }, durationMs);
}

export function msAtX(v: Viewport, x: number, width: number): number {
  return v.startMs + (x / Math.max(1, width)) * v.spanMs;
}

export function xAtMs(v: Viewport, ms: number, width: number): number {
  return ((ms - v.startMs) / v.spanMs) * width;
}

/** `m:ss.t`, or `h:mm:ss` past an hour: how the readout and the playhead's value text read. */
export function formatClock(ms: number): string {
  const neg = ms < 0;
  const tenths = Math.floor(Math.abs(ms) / 100);
  const s = Math.floor(tenths / 10);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}.${tenths % 10}`;
  return neg ? `−${body}` : body;
}

/** Axis tick step (ms) giving about one label per `minPx` pixels. */
export function tickStep(spanMs: number, width: number, minPx = 70): number {
  const rough = (spanMs / Math.max(1, width)) * minPx;
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
  return steps.find((s) => s >= rough) ?? 3_600_000;
}
