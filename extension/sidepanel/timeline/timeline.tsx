/**
 * Timeline: a recording on one time axis, both voices' waveforms, who spoke when, barge-ins, tool
 * calls, errors and per-turn latency (user stopped → bot heard), drawn on a canvas, only the
 * visible window. Click a point (or move the playhead and press Enter) to hear the session from
 * there and reveal the nearest event in the log.
 *
 * Props:
 * - `recording: Recording` — what to show and play (built into a model in slices, no long task).
 * - `selectedSeq?: number | null` — the event selected in the log: marked on the axis.
 * - `onReveal?(seq: number, t: number)` — a point was chosen: the owner reveals event `seq` in the log.
 * - `label?: string` — the region's name (default `Timeline`).
 *
 * Keyboard on the `Playhead` slider: ←/→ 1 s (Shift: 10 s), PageUp/PageDown a screen, Home/End,
 * Enter or Space plays from the playhead (again: stops), `+`/`-` zoom, `]`/`[` next/previous marker.
 */
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type WheelEvent } from 'react';
import type { Recording } from '../../recordings/recording-format.ts';
import type { TimelineMarker, TimelineModel } from '../../recordings/timeline-model.ts';
import { buildTimeline } from '../../recordings/timeline-builder.ts';
import { DARK, LIGHT, drawTimeline, layoutFor } from './timeline-draw.ts';
import { TimelinePlayer, prewarmAudio, type ListenMode } from './timeline-player.ts';
import { clampViewport, follow, formatClock, msAtX, zoomAround, type Viewport } from './timeline-viewport.ts';
import './timeline.css';

export interface TimelineProps {
  recording: Recording;
  selectedSeq?: number | null;
  onReveal?(seq: number, t: number): void;
  label?: string;
  /** Where the playhead starts (ms into the recording): a voice test's failure opens here. */
  initialMs?: number;
}

const MODES: Array<[ListenMode, string]> = [
  ['both', 'User and bot'],
  ['user', 'User only'],
  ['bot', 'Bot only'],
];
const KIND_WORD: Record<TimelineMarker['kind'], string> = { 'barge-in': 'barge-in', tool: 'tool call', error: 'error' };
/** The slider's value while playing is updated at this pace, not per frame (screen readers, React). */
const READOUT_MS = 250;
const LAYOUT = layoutFor(false);
const PROGRESS_MS = 100;

export function Timeline({ recording, selectedSeq = null, onReveal, label = 'Timeline', initialMs }: TimelineProps) {
  const uid = useId();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const [model, setModel] = useState<TimelineModel | null>(null);
  const [revision, setRevision] = useState(0);
  const [complete, setComplete] = useState(false);
  const [overview, setOverview] = useState(false);
  const [audioNote, setAudioNote] = useState<string | null>(null);
  const [width, setWidth] = useState(0);
  const durationMs = Math.max(1, recording.meta.durationMs, model?.endMs ?? 0);
  const [viewport, setViewport] = useState<Viewport>(() => clampViewport({ startMs: 0, spanMs: Infinity }, recording.meta.durationMs));
  const [playhead, setPlayhead] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [playedFrom, setPlayedFrom] = useState<number | null>(null);
  const [mode, setMode] = useState<ListenMode>('both');
  const [dark, setDark] = useState(() => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches);
  const player = useMemo(() => new TimelinePlayer(recording, () => setPlaying(false)), [recording]);
  const playheadRef = useRef(0);
  const frame = useRef(0);
  const readyMarked = useRef(false);
  const exactMarked = useRef(false);

  // Build the model in slices; draw as it fills.
  useEffect(() => {
    setModel(null);
    setComplete(false);
    setOverview(false);
    readyMarked.current = false;
    exactMarked.current = false;
    setViewport(clampViewport({ startMs: 0, spanMs: Infinity }, recording.meta.durationMs));
    const start = Math.max(0, Math.min(initialMs ?? 0, recording.meta.durationMs || Infinity));
    setPlayhead(start);
    playheadRef.current = start;
    // Progress redraws at most every PROGRESS_MS: each one is a render and a draw taken from the
    // build's own time. The overview and completion are shown at once.
    let lastShown = -Infinity;
    let shownOverview = false;
    const h = buildTimeline(recording, (p) => {
      const now = performance.now();
      const milestone = (p.overview && !shownOverview) || p.complete;
      if (!milestone && now - lastShown < PROGRESS_MS) return;
      lastShown = now;
      shownOverview ||= p.overview;
      setModel(p.model);
      setRevision(p.model.revision);
      setAudioNote(p.audioNote);
      if (p.overview) setOverview(true);
      if (p.complete) setComplete(true);
    });
    return () => h.cancel();
    // initialMs is read when a recording is opened; it does not rebuild the model.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [recording]);
  useEffect(() => () => void player.close(), [player]);
  // The audio device is opened once the recording is drawn, in idle time, not on the first click.
  useEffect(() => {
    if (!overview || typeof requestIdleCallback !== 'function') return;
    const id = requestIdleCallback(() => prewarmAudio(), { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, [overview]);
  useEffect(() => {
    player.setMode(mode);
  }, [player, mode]);

  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const q = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setDark(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);

  // Width follows the panel.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);

  const sorted = useMemo(() => (model ? { markers: model.sortedMarkers(), latency: model.latencySpans() } : { markers: [], latency: [] }), [model, revision]);
  const selectedMs = useMemo(() => (model && selectedSeq !== null ? model.timeOfSeq(selectedSeq) : null), [model, selectedSeq, revision]);

  const layout = LAYOUT;
  const draw = useCallback(() => {
    frame.current = 0;
    const c = canvasRef.current;
    if (!c || !model || width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(layout.height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(layout.height * dpr);
    }
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawTimeline(g, model, { viewport, width, layout, palette: dark ? DARK : LIGHT, playheadMs: playheadRef.current, selectedMs, markers: sorted.markers, latency: sorted.latency, nowMs: model.endMs });
    if (!wrapRef.current?.hasAttribute('data-first-draw-at')) wrapRef.current?.setAttribute('data-first-draw-at', String(performance.now()));
    if (overview && !readyMarked.current) {
      // What the bench reads: the first frame drawn with the whole recording in the model
      // (waveforms from the overview pass), then the first with exact peaks.
      readyMarked.current = true;
      wrapRef.current?.setAttribute('data-ready-at', String(performance.now()));
    }
    if (complete && !exactMarked.current) {
      exactMarked.current = true;
      wrapRef.current?.setAttribute('data-exact-at', String(performance.now()));
    }
  }, [model, width, viewport, dark, selectedMs, sorted, overview, complete, layout]);
  // One frame request at a time, always drawing with the latest state.
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const requestDraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(() => drawRef.current());
  }, []);
  useEffect(() => {
    requestDraw();
  }, [requestDraw, draw, revision]);
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  // While playing: the playhead follows the audio clock, drawn per frame; React state at READOUT_MS.
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let lastReadout = 0;
    const tick = (now: number) => {
      const pos = player.positionMs();
      playheadRef.current = pos;
      setViewport((v) => follow(v, pos, durationMs));
      if (now - lastReadout > READOUT_MS) {
        lastReadout = now;
        setPlayhead(pos);
      }
      if (!frame.current) drawRef.current();
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, player, durationMs]);

  const seek = useCallback(
    (ms: number, reveal: boolean) => {
      const t = Math.max(0, Math.min(durationMs, ms));
      playheadRef.current = t;
      setPlayhead(t);
      setViewport((v) => follow(v, t, durationMs));
      if (player.playing) void player.play(t).then(() => setPlayedFrom(t));
      if (reveal && model) {
        const seq = model.nearestEventSeq(t);
        if (seq !== null) onReveal?.(seq, t);
      }
      requestDraw();
    },
    [durationMs, player, model, onReveal, requestDraw],
  );

  const playFrom = useCallback(
    async (ms: number) => {
      if (player.unplayable) return;
      const t = Math.max(0, Math.min(durationMs, ms));
      await player.play(t);
      setPlayedFrom(t);
      setPlaying(true);
    },
    [player, durationMs],
  );
  const stop = useCallback(() => {
    player.stop();
    setPlaying(false);
    playheadRef.current = player.positionMs();
    setPlayhead(playheadRef.current);
  }, [player]);

  const onCanvasClick = (e: MouseEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const t = msAtX(viewport, e.clientX - rect.left, rect.width);
    seek(t, true);
    void playFrom(t);
    sliderRef.current?.focus({ preventScroll: true });
  };

  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey) {
      const rect = e.currentTarget.getBoundingClientRect();
      setViewport((v) => zoomAround(v, e.deltaY > 0 ? 1.25 : 0.8, msAtX(v, e.clientX - rect.left, rect.width), durationMs));
    } else {
      const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
      setViewport((v) => clampViewport({ startMs: v.startMs + (d / Math.max(1, width)) * v.spanMs, spanMs: v.spanMs }, durationMs));
    }
  };

  const zoom = (factor: number) => setViewport((v) => zoomAround(v, factor, playheadRef.current >= v.startMs && playheadRef.current <= v.startMs + v.spanMs ? playheadRef.current : v.startMs + v.spanMs / 2, durationMs));

  const markerAfter = (dir: 1 | -1) => {
    const list = sorted.markers;
    const p = playheadRef.current;
    return dir > 0 ? list.find((m) => m.t > p + 1) : [...list].reverse().find((m) => m.t < p - 1);
  };

  const sliderRef = useRef<HTMLDivElement>(null);
  const seekRef = useRef(seek);
  seekRef.current = seek;
  const pickMarker = useCallback((m: TimelineMarker) => seekRef.current(m.t, true), []);
  const onSliderKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const p = playheadRef.current;
    const stepMs = e.shiftKey ? 10_000 : 1_000;
    let handled = true;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowUp':
        seek(p + stepMs, true);
        break;
      case 'ArrowLeft':
      case 'ArrowDown':
        seek(p - stepMs, true);
        break;
      case 'PageUp':
        seek(p + viewport.spanMs, true);
        break;
      case 'PageDown':
        seek(p - viewport.spanMs, true);
        break;
      case 'Home':
        seek(0, true);
        break;
      case 'End':
        seek(durationMs, true);
        break;
      case 'Enter':
      case ' ':
        if (playing) stop();
        else void playFrom(p);
        break;
      case '+':
      case '=':
        zoom(0.5);
        break;
      case '-':
        zoom(2);
        break;
      case ']':
      case '[': {
        const m = markerAfter(e.key === ']' ? 1 : -1);
        if (m) seek(m.t, true);
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  useEffect(() => {
    requestDraw();
  }, [viewport, playhead, selectedMs, width, dark, requestDraw]);

  const turns = sorted.latency.length;
  const counts = { 'barge-in': 0, tool: 0, error: 0 };
  for (const m of sorted.markers) counts[m.kind]++;
  const summary = `${formatClock(durationMs)} long; ${plural(turns, 'turn')} with latency; ${plural(counts['barge-in'], 'barge-in')}, ${plural(counts.tool, 'tool call')}, ${plural(counts.error, 'error')}.`;
  const status = player.unplayable ?? (playing ? `Playing from ${formatClock(playedFrom ?? playhead)} (${MODES.find((m) => m[0] === mode)![1].toLowerCase()})` : `Stopped at ${formatClock(playhead)}`);

  return (
    <section className="timeline" role="region" aria-label={label} aria-describedby={`${uid}-sum`} ref={wrapRef} data-complete={complete ? 'true' : 'false'}>
      <p id={`${uid}-sum`} className="timeline-summary">
        {model ? summary : 'Building the timeline…'}
        {!complete && model ? ' Drawing the waveforms…' : ''}
      </p>
      {audioNote && <p className="timeline-note">{audioNote}</p>}
      <div
        ref={sliderRef}
        role="slider"
        tabIndex={0}
        aria-label="Playhead"
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs / 1000)}
        aria-valuenow={Math.round(playhead / 100) / 10}
        aria-valuetext={`${formatClock(playhead)} of ${formatClock(durationMs)}`}
        aria-keyshortcuts="Enter Space"
        className="timeline-canvas-wrap"
        style={{ height: layout.height }}
        onClick={onCanvasClick}
        onWheel={onWheel}
        onKeyDown={onSliderKey}
        data-playhead-ms={Math.round(playhead)}
        data-played-from-ms={playedFrom === null ? undefined : Math.round(playedFrom)}
        data-view-start-ms={Math.round(viewport.startMs)}
        data-view-span-ms={Math.round(viewport.spanMs)}
      >
        <canvas ref={canvasRef} aria-hidden="true" style={{ width: '100%', height: layout.height }} />
        <span className="timeline-lane-label timeline-lane-user" aria-hidden="true">
          You
        </span>
        <span className="timeline-lane-label timeline-lane-bot" aria-hidden="true">
          Bot
        </span>
      </div>
      <div className="timeline-controls">
        <button type="button" onClick={() => (playing ? stop() : void playFrom(playheadRef.current))} disabled={!!player.unplayable}>
          {playing ? 'Stop playing' : 'Play from playhead'}
        </button>
        <button type="button" onClick={() => zoom(0.5)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoom(2)}>
          Zoom out
        </button>
        <button type="button" onClick={() => setViewport(clampViewport({ startMs: 0, spanMs: Infinity }, durationMs))}>
          Whole session
        </button>
        <span className="timeline-readout" aria-hidden="true">
          {formatClock(playhead)} / {formatClock(durationMs)}
        </span>
      </div>
      <div className="timeline-controls">
        <fieldset className="timeline-listen" role="radiogroup" aria-label="Listen to">
          {MODES.map(([m, name]) => (
            <label key={m}>
              <input type="radio" name={`${uid}-listen`} checked={mode === m} onChange={() => setMode(m)} />
              {name}
            </label>
          ))}
        </fieldset>
        <MarkerSelect markers={sorted.markers} onPick={pickMarker} />
      </div>
      <p role="status" aria-label="Playback" className="timeline-status">
        {status}
      </p>
      <p className="timeline-legend" aria-hidden="true">
        <span className="tl-key tl-key-user">you</span> <span className="tl-key tl-key-bot">bot</span> <span className="tl-key tl-key-latency">latency</span> <span className="tl-key tl-key-barge">▼ {KIND_WORD['barge-in']}</span> <span className="tl-key tl-key-tool">◆ tool</span>{' '}
        <span className="tl-key tl-key-error">■ error</span>
      </p>
    </section>
  );
}

/**
 * The marker list, apart so that the playhead's readout (four renders a second while playing)
 * does not reconcile hundreds of options each time.
 */
const MarkerSelect = memo(function MarkerSelect({ markers, onPick }: { markers: readonly TimelineMarker[]; onPick(m: TimelineMarker): void }) {
  return (
    <label className="timeline-markers">
      <span>Jump to marker</span>
      <select
        value=""
        onChange={(e) => {
          const m = markers[Number(e.target.value)];
          if (m) onPick(m);
        }}
      >
        <option value="">{markers.length} markers…</option>
        {markers.map((m, i) => (
          <option key={`${m.kind}-${m.seq}-${i}`} value={i}>
            {`${formatClock(m.t)} ${m.label}`}
          </option>
        ))}
      </select>
    </label>
  );
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
