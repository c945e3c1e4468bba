import type { LatencySpan, SpeakingSpan, TimelineMarker, TimelineModel } from '../../recordings/timeline-model.ts';
import { formatClock, tickStep, xAtMs, type Viewport } from './timeline-viewport.ts';

/**
 * Draws the visible window only: spans and markers found by binary search, waveforms read as one
 * min/max pair per pixel column from the peak pyramid. The cost is O(width + what is in view),
 * whatever the session's length.
 */
export interface TimelineLayout {
  axis: number;
  userTop: number;
  botTop: number;
  laneHeight: number;
  markTop: number;
  height: number;
}

export function layoutFor(compact: boolean): TimelineLayout {
  if (compact) return { axis: 0, userTop: 2, botTop: 24, laneHeight: 20, markTop: 46, height: 56 };
  return { axis: 16, userTop: 18, botTop: 60, laneHeight: 40, markTop: 102, height: 116 };
}

export interface Palette {
  text: string;
  grid: string;
  lane: string;
  user: string;
  userSpan: string;
  bot: string;
  botSpan: string;
  latency: string;
  bargeIn: string;
  tool: string;
  error: string;
  playhead: string;
  selected: string;
}

export const LIGHT: Palette = {
  text: '#444',
  grid: 'rgba(0,0,0,0.12)',
  lane: 'rgba(0,0,0,0.04)',
  user: '#1a6fd1',
  userSpan: 'rgba(26,111,209,0.14)',
  bot: '#8a3fc4',
  botSpan: 'rgba(138,63,196,0.14)',
  latency: '#c77800',
  bargeIn: '#d1342f',
  tool: '#0f7b52',
  error: '#b00020',
  playhead: '#111',
  selected: '#d4a000',
};

export const DARK: Palette = {
  ...LIGHT,
  text: '#ccc',
  grid: 'rgba(255,255,255,0.16)',
  lane: 'rgba(255,255,255,0.05)',
  user: '#6aa8ff',
  userSpan: 'rgba(106,168,255,0.18)',
  bot: '#c89bff',
  botSpan: 'rgba(200,155,255,0.18)',
  latency: '#ffb347',
  bargeIn: '#ff6b66',
  tool: '#46d39a',
  error: '#ff5c7a',
  playhead: '#fff',
  selected: '#ffd24d',
};

export interface DrawState {
  viewport: Viewport;
  width: number;
  layout: TimelineLayout;
  palette: Palette;
  playheadMs: number | null;
  selectedMs: number | null;
  /** Markers and latency spans sorted by time (cached by the caller per model revision). */
  markers: readonly TimelineMarker[];
  latency: readonly LatencySpan[];
  /** `now` for open spans (a live session); the model's end otherwise. */
  nowMs: number;
}

export function drawTimeline(g: CanvasRenderingContext2D, model: TimelineModel, s: DrawState): void {
  const { viewport: v, width: w, layout: L, palette: P } = s;
  g.clearRect(0, 0, w, L.height);
  const endMs = v.startMs + v.spanMs;
  const x = (ms: number) => xAtMs(v, ms, w);

  // Lanes and the axis.
  g.fillStyle = P.lane;
  g.fillRect(0, L.userTop, w, L.laneHeight);
  g.fillRect(0, L.botTop, w, L.laneHeight);
  const step = tickStep(v.spanMs, w);
  g.fillStyle = P.grid;
  for (let t = Math.ceil(v.startMs / step) * step; t <= endMs; t += step) g.fillRect(Math.round(x(t)), L.axis ? 12 : 0, 1, L.height);
  if (L.axis) {
    g.fillStyle = P.text;
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'top';
    for (let t = Math.ceil(v.startMs / step) * step; t <= endMs; t += step) g.fillText(formatClock(t).replace(/\.0$/, ''), Math.round(x(t)) + 2, 1);
  }

  spans(g, model.speaking.user, v.startMs, endMs, s.nowMs, x, L.userTop, L.laneHeight, P.userSpan);
  spans(g, model.speaking.bot, v.startMs, endMs, s.nowMs, x, L.botTop, L.laneHeight, P.botSpan);
  wave(g, model, 'mic', v, w, L.userTop, L.laneHeight, P.user);
  wave(g, model, 'bot', v, w, L.botTop, L.laneHeight, P.bot);

  // Latency spans: user stopped → bot heard, a bar between the lanes' bottom and the marker row.
  g.fillStyle = P.latency;
  for (let i = firstEndingAfter(s.latency, v.startMs); i < s.latency.length && s.latency[i].start <= endMs; i++) {
    const a = x(s.latency[i].start);
    const b = x(s.latency[i].end);
    g.fillRect(a, L.markTop + 5, Math.max(1, b - a), 3);
  }
  // Markers: barge-in ▼, tool ◆, error ■.
  for (let i = firstAt(s.markers, v.startMs - v.spanMs * 0.01); i < s.markers.length && s.markers[i].t <= endMs; i++) {
    const m = s.markers[i];
    const mx = Math.round(x(m.t));
    const y = L.markTop;
    g.fillStyle = m.kind === 'barge-in' ? P.bargeIn : m.kind === 'tool' ? P.tool : P.error;
    g.beginPath();
    if (m.kind === 'barge-in') {
      g.moveTo(mx - 4, y);
      g.lineTo(mx + 4, y);
      g.lineTo(mx, y + 7);
    } else if (m.kind === 'tool') {
      g.moveTo(mx, y);
      g.lineTo(mx + 4, y + 4);
      g.lineTo(mx, y + 8);
      g.lineTo(mx - 4, y + 4);
    } else g.rect(mx - 3, y + 1, 6, 6);
    g.fill();
    if (m.kind === 'barge-in') g.fillRect(mx, L.userTop, 1, L.botTop + L.laneHeight - L.userTop);
  }
  if (s.selectedMs !== null && s.selectedMs >= v.startMs && s.selectedMs <= endMs) {
    g.fillStyle = P.selected;
    g.fillRect(Math.round(x(s.selectedMs)) - 1, 0, 3, L.height);
  }
  if (s.playheadMs !== null && s.playheadMs >= v.startMs && s.playheadMs <= endMs) {
    g.fillStyle = P.playhead;
    g.fillRect(Math.round(x(s.playheadMs)), 0, 2, L.height);
  }
}

function spans(g: CanvasRenderingContext2D, list: readonly SpeakingSpan[], from: number, to: number, now: number, x: (ms: number) => number, top: number, h: number, color: string): void {
  g.fillStyle = color;
  // Spans do not overlap within a lane, so their ends are sorted too.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid].end ?? now) < from) lo = mid + 1;
    else hi = mid;
  }
  let lastX = -1;
  for (let i = lo; i < list.length && list[i].start <= to; i++) {
    const a = Math.max(x(list[i].start), 0);
    const b = x(list[i].end ?? now);
    // Many spans under one pixel (an hour on 320 px): one rectangle per pixel column at most.
    if (b < lastX + 1) continue;
    g.fillRect(a, top, Math.max(1, b - a), h);
    lastX = b;
  }
}

function wave(g: CanvasRenderingContext2D, model: TimelineModel, track: 'mic' | 'bot', v: Viewport, w: number, top: number, h: number, color: string): void {
  const cols = Math.max(1, Math.floor(w));
  const c = model.peaks[track].columns(v.startMs, v.startMs + v.spanMs, cols);
  const mid = top + h / 2;
  const amp = h / 2 - 1;
  g.fillStyle = color;
  for (let i = 0; i < cols; i++) {
    if (c.empty[i]) continue;
    const y0 = mid - Math.max(0, c.max[i]) * amp;
    const y1 = mid - Math.min(0, c.min[i]) * amp;
    g.fillRect(i, y0, 1, Math.max(1, y1 - y0));
  }
}

function firstAt(list: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstEndingAfter(list: readonly LatencySpan[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
