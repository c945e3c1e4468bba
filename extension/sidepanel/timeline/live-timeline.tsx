/**
 * LiveTimeline: a compact strip of the live session's last minute, both voices (their level
 * meters, as the audio itself stays in the offscreen document), who spoke when, barge-ins, tool
 * calls, errors and latency, drawn on the same canvas code as a recording's timeline.
 *
 * Cost per event is a few comparisons: new rows are folded into the model incrementally (only
 * those past the last one read) when the strip draws, and it draws on the panel's beat
 * (redraw-beat.ts) at most every REDRAW_MS, however fast rows arrive, in the frame the meters and
 * the event log change in (the panel's main thread is shared with the capture path), and every
 * REDRAW_MS while a session is open (the window slides).
 *
 * Props: `history: EventHistory` (the panel's live history), `live: boolean` (a session is open),
 * `levelFeed?` (the panel's ~20 Hz meters, 0…1, from their own store).
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { LevelFeed } from '../components/level-meter.tsx';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import type { LogEvent } from '../../shared/log-event.ts';
import { TimelineModel } from '../../recordings/timeline-model.ts';
import { DARK, LIGHT, drawTimeline, layoutFor } from './timeline-draw.ts';
import { panelBeat } from '../redraw-beat.ts';
import './timeline.css';

const WINDOW_MS = 60_000;
/** Every other beat of the panel's 100 ms beat. */
const REDRAW_MS = 200;

export interface LiveTimelineProps {
  history: EventHistory;
  live: boolean;
  /** The meters' own feed (the panel state does not carry levels: they change 20 times a second). */
  levelFeed?: LevelFeed;
}

const NO_LEVELS: LevelFeed = { get: () => ({ mic: 0, bot: 0 }), subscribe: () => () => {} };

export function LiveTimeline({ history, live, levelFeed }: LiveTimelineProps) {
  const feed = levelFeed ?? NO_LEVELS;
  const levels = useSyncExternalStore(feed.subscribe, feed.get);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const state = useRef<{ model: TimelineModel; next: number; epoch: number; session: number | null; lastLevelAt: number } | null>(null);
  const [label, setLabel] = useState('Live timeline: no session yet');

  /** The session clock now: the newest row's `t` carried forward by wall time. */
  const nowMs = (): number => {
    const newest = history.at(history.size - 1);
    return newest ? newest.t + (live ? Math.max(0, Date.now() - newest.wall) : 0) : 0;
  };

  // Fold new rows into the model (a new session or a cleared history starts a new model).
  const catchUp = (): TimelineModel | null => {
    const newest = history.at(history.size - 1);
    if (!newest) return null;
    let s = state.current;
    if (!s || s.epoch !== history.epoch || s.session !== newest.session) {
      // Start at the first row of the newest session (walk back from the end; sessions are contiguous).
      let i = history.endIndex - 1;
      while (i > history.startIndex && history.atAbsolute(i - 1)?.session === newest.session) i--;
      s = state.current = { model: new TimelineModel(newest.session), next: i, epoch: history.epoch, session: newest.session, lastLevelAt: -1 };
    }
    if (s.next < history.startIndex) s.next = history.startIndex;
    if (s.next < history.endIndex) {
      const batch: LogEvent[] = [];
      for (; s.next < history.endIndex; s.next++) batch.push(history.atAbsolute(s.next)!);
      s.model.addEvents(batch);
    }
    return s.model;
  };

  useEffect(() => {
    const draw = () => {
      const model = catchUp();
      const c = canvasRef.current;
      if (!c || !model) return;
      const width = Math.floor(c.clientWidth);
      if (width <= 0) return;
      const layout = layoutFor(true);
      const dpr = window.devicePixelRatio || 1;
      if (c.width !== Math.round(width * dpr)) c.width = Math.round(width * dpr);
      if (c.height !== Math.round(layout.height * dpr)) c.height = Math.round(layout.height * dpr);
      const g = c.getContext('2d');
      if (!g) return;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      const now = Math.max(nowMs(), model.endMs);
      const spanMs = Math.min(WINDOW_MS, Math.max(15_000, now));
      const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
      drawTimeline(g, model, { viewport: { startMs: Math.max(0, now - spanMs), spanMs }, width, layout, palette: dark ? DARK : LIGHT, playheadMs: null, selectedMs: null, markers: model.sortedMarkers(), latency: model.latencySpans(), nowMs: now });
      const bargeIns = model.markers.filter((m) => m.kind === 'barge-in' && m.t >= now - spanMs).length;
      const next = `Live timeline, last ${Math.round(spanMs / 1000)} s: you spoke ${countIn(model.speaking.user, now - spanMs)} times, the bot ${countIn(model.speaking.bot, now - spanMs)} times, ${bargeIns} barge-ins`;
      setLabel((l) => (l === next ? l : next));
    };
    const beat = panelBeat();
    const request = () => beat.request(draw, REDRAW_MS);
    const off = history.subscribe(request);
    request();
    const timer = live ? window.setInterval(request, REDRAW_MS) : 0;
    return () => {
      off();
      clearInterval(timer);
      beat.cancel(draw);
    };
    // nowMs and catchUp read the refs and the history given here.
  }, [history, live]);

  // Level readings become the waveforms: each reading covers the time since the previous one.
  useEffect(() => {
    if (!live || !levels) return;
    const s = state.current;
    if (!s) return;
    const t = nowMs();
    const from = s.lastLevelAt >= 0 ? s.lastLevelAt : t - 50;
    if (t > from) {
      s.model.addLevel('mic', from, t - from, levels.mic);
      s.model.addLevel('bot', from, t - from, levels.bot);
    }
    s.lastLevelAt = t;
  }, [levels, live]);

  return (
    <div className="timeline timeline-compact">
      <div className="timeline-canvas-wrap" style={{ height: layoutFor(true).height, cursor: 'default' }}>
        <canvas ref={canvasRef} role="img" aria-label={label} style={{ width: '100%', height: layoutFor(true).height }} />
      </div>
    </div>
  );
}

function countIn(spans: ReadonlyArray<{ start: number; end: number | null }>, from: number): number {
  let n = 0;
  for (let i = spans.length - 1; i >= 0 && (spans[i].end ?? Infinity) >= from; i--) n++;
  return n;
}
