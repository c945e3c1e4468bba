/**
 * MetricsPanel: the `Metrics` region — per-turn latency (table and a compact chart), token usage
 * per turn and running totals, and audio diagnostics from the media manager.
 *
 * Props:
 * - `events: EventHistory | readonly LogEvent[]` — the same store the EventLog renders. Metrics
 *   are folded in incrementally (only new rows are read) and re-rendered at most every
 *   `refreshMs` (default 250 ms).
 * - `stats?: MediaStats | null` — the media manager's getStats(), polled by the owner (the session
 *   host sends it over the Port); omitted or null shows "no audio statistics yet".
 * - `session?: number` — which session to measure; default the newest one in the stream.
 * - `refreshMs?: number`.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogEvent } from '../../shared/log-event.ts';
import type { MediaStats } from '../../../src/audio/media-manager.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { SessionMetricsAccumulator, median, type SessionMetrics, type TurnMetrics } from '../../inspector-core/session-metrics.ts';
import { formatMs } from '../../inspector-core/event-summary.ts';
import { useHistoryOf } from './use-history.ts';
import './inspector.css';

export interface MetricsPanelProps {
  events: EventHistory | readonly LogEvent[];
  stats?: MediaStats | null;
  session?: number;
  refreshMs?: number;
}

const EMPTY: SessionMetrics = { session: null, connectToReadyMs: null, turns: [], totals: { prompt: 0, completion: 0, total: 0 } };

/** Folds new history rows into per-session metrics; restarts on clear or when a new session begins. */
function useSessionMetrics(history: EventHistory, session: number | undefined, refreshMs: number): SessionMetrics {
  const [metrics, setMetrics] = useState<SessionMetrics>(EMPTY);
  const state = useRef<{ acc: SessionMetricsAccumulator | null; next: number; epoch: number }>({ acc: null, next: 0, epoch: -1 });
  useEffect(() => {
    state.current = { acc: null, next: 0, epoch: -1 };
    const fold = () => {
      const s = state.current;
      if (s.epoch !== history.epoch) {
        s.acc = null;
        s.next = history.startIndex;
        s.epoch = history.epoch;
      }
      if (s.next < history.startIndex) s.next = history.startIndex;
      const end = history.endIndex;
      for (let a = s.next; a < end; a++) {
        const ev = history.atAbsolute(a)!;
        if (session !== undefined && ev.session !== session) continue;
        if (!s.acc || (session === undefined && ev.session > (s.acc.session ?? -Infinity))) s.acc = new SessionMetricsAccumulator(ev.session);
        s.acc.add(ev);
      }
      s.next = end;
      setMetrics(s.acc ? s.acc.snapshot() : EMPTY);
    };
    fold();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = history.subscribe(() => {
      if (timer === undefined)
        timer = setTimeout(() => {
          timer = undefined;
          fold();
        }, refreshMs);
    });
    return () => {
      off();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [history, session, refreshMs]);
  return metrics;
}

export function MetricsPanel({ events, stats = null, session, refreshMs = 250 }: MetricsPanelProps) {
  const history = useHistoryOf(events);
  const m = useSessionMetrics(history, session, refreshMs);
  const v2vMedian = useMemo(() => median(m.turns.map((t) => t.voiceToVoiceMs)), [m]);
  const ttfaMedian = useMemo(() => median(m.turns.map((t) => t.timeToFirstAudioMs)), [m]);
  return (
    <section role="region" aria-label="Metrics" className="insp-metrics">
      <h2 className="insp-h">Metrics{m.session !== null ? ` (session ${m.session})` : ''}</h2>
      <dl className="insp-kv">
        <dt>Connect to ready</dt>
        <dd>{ms(m.connectToReadyMs)}</dd>
        <dt>Voice-to-voice, median</dt>
        <dd>{ms(v2vMedian)}</dd>
        <dt>First provider audio, median</dt>
        <dd>{ms(ttfaMedian)}</dd>
        <dt>Tokens total</dt>
        <dd>
          {m.totals.total} ({m.totals.prompt} prompt, {m.totals.completion} completion)
        </dd>
      </dl>
      <LatencyChart turns={m.turns} />
      <div className="insp-table-wrap" tabIndex={0} role="group" aria-label="Per-turn latency and tokens">
        <table className="insp-table">
          <caption className="insp-sr">Per-turn latency (ms) and token usage</caption>
          <thead>
            <tr>
              <th scope="col">Turn</th>
              <th scope="col">Voice to voice</th>
              <th scope="col">First audio</th>
              <th scope="col">Interruption</th>
              <th scope="col">Tokens in / out / total</th>
            </tr>
          </thead>
          <tbody>
            {m.turns.length === 0 && (
              <tr>
                <td colSpan={5} className="insp-muted">
                  No turns yet
                </td>
              </tr>
            )}
            {m.turns.map((t) => (
              <tr key={t.turn}>
                <th scope="row">{t.turn}</th>
                <td title={t.stopSource ? `user stop from ${t.stopSource === 'local-vad' ? 'the local voice-activity detector' : 'the adapter'}` : 'turn not started by speech'}>{ms(t.voiceToVoiceMs)}</td>
                <td>{ms(t.timeToFirstAudioMs)}</td>
                <td>{ms(t.interruptionMs)}</td>
                <td>{t.tokens ? `${t.tokens.prompt} / ${t.tokens.completion} / ${t.tokens.total}` : '—'}</td>
              </tr>
            ))}
          </tbody>
          {m.turns.length > 0 && (
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td colSpan={3}></td>
                <td>
                  {m.totals.prompt} / {m.totals.completion} / {m.totals.total}
                </td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      <AudioDiagnostics stats={stats} />
    </section>
  );
}

function ms(v: number | null): string {
  return v === null ? '—' : formatMs(v);
}

const CHART_W = 300;
const CHART_H = 80;
const CHART_TURNS = 30;

/** Bars of voice-to-voice per turn (last 30), with time to first audio drawn inside each bar. */
function LatencyChart({ turns }: { turns: TurnMetrics[] }) {
  const shown = turns.slice(-CHART_TURNS);
  const max = Math.max(1, ...shown.map((t) => Math.max(t.voiceToVoiceMs ?? 0, t.timeToFirstAudioMs ?? 0)));
  const w = CHART_W / CHART_TURNS;
  const label = shown.length === 0 ? 'Latency per turn chart: no turns yet' : `Latency per turn chart: voice-to-voice from ${ms(Math.min(...shown.map((t) => t.voiceToVoiceMs ?? Infinity)))} to ${ms(Math.max(...shown.map((t) => t.voiceToVoiceMs ?? -Infinity)))} over the last ${shown.length} turns`;
  return (
    <svg className="insp-chart" viewBox={`0 0 ${CHART_W} ${CHART_H + 12}`} role="img" aria-label={label} preserveAspectRatio="none">
      <line x1={0} x2={CHART_W} y1={CHART_H} y2={CHART_H} className="insp-chart-axis" />
      {shown.map((t, i) => {
        const v = t.voiceToVoiceMs ?? 0;
        const f = t.timeToFirstAudioMs ?? 0;
        const h = (v / max) * (CHART_H - 4);
        const hf = (f / max) * (CHART_H - 4);
        return (
          <g key={t.turn}>
            <title>{`Turn ${t.turn}: voice-to-voice ${ms(t.voiceToVoiceMs)}, first audio ${ms(t.timeToFirstAudioMs)}`}</title>
            <rect x={i * w + 1} width={Math.max(1, w - 2)} y={CHART_H - h} height={h} className="insp-chart-v2v" />
            <rect x={i * w + w / 4} width={Math.max(1, w / 2 - 1)} y={CHART_H - hf} height={hf} className="insp-chart-ttfa" />
          </g>
        );
      })}
      <text x={2} y={CHART_H + 10} className="insp-chart-text">
        max {ms(shown.length ? max : null)}
      </text>
    </svg>
  );
}

function onOff(v: boolean | null): string {
  return v === null ? 'unknown' : v ? 'on' : 'off';
}

function AudioDiagnostics({ stats }: { stats: MediaStats | null }) {
  if (!stats) return <p className="insp-muted">No audio statistics yet.</p>;
  const echoRisk = stats.echoCancellation === false || stats.playbackPath === 'destination';
  return (
    <>
      <h3 className="insp-h">Audio</h3>
      <dl className="insp-kv">
        <dt>Capture rate</dt>
        <dd>{stats.captureRate ? `${stats.captureRate} Hz` : '—'}</dd>
        <dt>Sent rate</dt>
        <dd>{stats.inputRate ? `${stats.inputRate} Hz` : '—'}</dd>
        <dt>Playback rate</dt>
        <dd>{stats.outputRate ? `${stats.outputRate} Hz` : '—'}</dd>
        <dt>Resampler</dt>
        <dd>{stats.resampler ?? '—'}</dd>
        <dt>Chunk</dt>
        <dd>
          {stats.chunkMs} ms ({stats.chunksSent} sent)
        </dd>
        <dt>Playback buffer</dt>
        <dd>{formatMs(stats.bufferedMs)}</dd>
        <dt>Underruns</dt>
        <dd>{stats.underruns}</dd>
        <dt>Clipped samples</dt>
        <dd>{stats.clippedSamples}</dd>
        {stats.droppedWhileStalled !== undefined && (
          <>
            <dt>Dropped while stalled</dt>
            <dd>{stats.droppedWhileStalled}</dd>
          </>
        )}
        <dt>Echo cancellation</dt>
        <dd>{onOff(stats.echoCancellation)}</dd>
        <dt>Noise suppression</dt>
        <dd>{onOff(stats.noiseSuppression)}</dd>
        <dt>Auto gain</dt>
        <dd>{onOff(stats.autoGainControl)}</dd>
        <dt>Playback path</dt>
        <dd>{stats.playbackPath ?? '—'}</dd>
      </dl>
      {echoRisk && <p className="insp-warn">The bot may hear itself: echo cancellation does not cover this playback path. Use headphones.</p>}
    </>
  );
}
