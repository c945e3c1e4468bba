/**
 * MetricsPanel: the `Metrics` region — median and p95 latency, a per-turn chart split into stages
 * (bars jump to their row), per-turn latency and token table, and audio diagnostics.
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
import { echoUncancelled } from '../../../src/audio/echo-cancellation.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { SessionMetricsAccumulator, median, type SessionMetrics, type TurnMetrics } from '../../inspector-core/session-metrics.ts';
import { formatMs } from '../../inspector-core/event-summary.ts';
import { axisTicks, percentile, turnStages } from './latency-stats.ts';
import { useHistoryOf } from './use-history.ts';
import { useSessionFold } from './use-session-fold.ts';
import { ServiceMetricsTable } from './service-metrics-table.tsx';
import './inspector.css';
import './metrics.css';

export interface MetricsPanelProps {
  events: EventHistory | readonly LogEvent[];
  stats?: MediaStats | null;
  session?: number;
  refreshMs?: number;
  /** The user declared headphones (Settings → Devices): echo cancellation is off on purpose. */
  headphones?: boolean;
}

const EMPTY: SessionMetrics = { session: null, connectToReadyMs: null, turns: [], totals: { prompt: 0, completion: 0, total: 0 } };

/** Folds new history rows into per-session metrics; restarts on clear or when a new session begins. */
function useSessionMetrics(history: EventHistory, session: number | undefined, refreshMs: number): SessionMetrics {
  return useSessionFold(history, session, refreshMs, newSessionMetrics, EMPTY);
}

const newSessionMetrics = (session: number) => new SessionMetricsAccumulator(session);

export function MetricsPanel({ events, stats = null, session, refreshMs = 250, headphones = false }: MetricsPanelProps) {
  const history = useHistoryOf(events);
  const m = useSessionMetrics(history, session, refreshMs);
  const v2v = useMemo(() => m.turns.map((t) => t.voiceToVoiceMs), [m]);
  const ttfa = useMemo(() => m.turns.map((t) => t.timeToFirstAudioMs), [m]);
  const [focusTurn, setFocusTurn] = useState<number | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  // A bar jumps to its turn's row in the table below: scrolled to, focused, marked.
  useEffect(() => {
    if (focusTurn === null) return;
    const row = tableRef.current?.querySelector<HTMLElement>(`tr[data-turn="${focusTurn}"]`);
    row?.scrollIntoView({ block: 'nearest' });
    row?.focus();
  }, [focusTurn]);
  return (
    <section role="region" aria-label="Metrics" className="insp-metrics metrics-card">
      <h2 className="insp-h">Metrics{m.session !== null ? ` (session ${m.session})` : ''}</h2>
      <dl className="metrics-stats">
        <div>
          <dt>Voice-to-voice, median</dt>
          <dd>{ms(median(v2v))}</dd>
        </div>
        <div>
          <dt>Voice-to-voice, p95</dt>
          <dd>{ms(percentile(v2v, 95))}</dd>
        </div>
        <div>
          <dt>First provider audio, median</dt>
          <dd>{ms(median(ttfa))}</dd>
        </div>
        <div>
          <dt>First provider audio, p95</dt>
          <dd>{ms(percentile(ttfa, 95))}</dd>
        </div>
        <div>
          <dt>Connect to ready</dt>
          <dd>{ms(m.connectToReadyMs)}</dd>
        </div>
        <div>
          <dt>Tokens total</dt>
          <dd>
            {m.totals.total} <span className="metrics-sub">({m.totals.prompt} prompt, {m.totals.completion} completion)</span>
          </dd>
        </div>
      </dl>
      <StageChart turns={m.turns} onJump={setFocusTurn} />
      <div className="insp-table-wrap metrics-table-wrap" tabIndex={0} role="group" aria-label="Per-turn latency and tokens">
        <table className="insp-table metrics-table" ref={tableRef}>
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
                  No turns yet: each answer the bot speaks adds a row here.
                </td>
              </tr>
            )}
            {m.turns.map((t) => (
              <tr key={t.turn} data-turn={t.turn} tabIndex={-1} className={t.turn === focusTurn ? 'metrics-row-current' : undefined}>
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
      <ServiceMetricsTable events={history} session={session ?? m.session ?? undefined} refreshMs={refreshMs} />
      <AudioDiagnostics stats={stats} headphones={headphones} />
    </section>
  );
}

function ms(v: number | null): string {
  return v === null ? '—' : formatMs(v);
}

const CHART_TURNS = 20;

/**
 * One horizontal bar per turn (the last 20), split into its stages: provider (user stop → first
 * provider audio) and playout (→ the bot audibly starts). HTML, not a fixed-size SVG, so it
 * reflows to any width; each bar is a button that jumps to its turn in the table.
 */
function StageChart({ turns, onJump }: { turns: TurnMetrics[]; onJump(turn: number): void }) {
  const shown = turns.slice(-CHART_TURNS);
  const measured = shown.filter((t) => t.voiceToVoiceMs !== null || t.timeToFirstAudioMs !== null);
  if (measured.length === 0) return <p className="insp-muted metrics-empty">Latency per turn appears here after the bot answers: each bar shows how long the reply took and where the time went.</p>;
  const max = Math.max(1, ...measured.map((t) => Math.max(t.voiceToVoiceMs ?? 0, t.timeToFirstAudioMs ?? 0)));
  const ticks = axisTicks(max);
  const scale = ticks.at(-1)!;
  const pct = (v: number) => `${(v / scale) * 100}%`;
  return (
    <figure className="metrics-chart">
      <figcaption className="metrics-legend">
        <span className="metrics-chart-title">Latency per turn{turns.length > CHART_TURNS ? ` (last ${CHART_TURNS})` : ''}</span>
        <span className="metrics-key">
          <span className="metrics-swatch metrics-provider" aria-hidden="true" /> Provider: to first audio
        </span>
        <span className="metrics-key">
          <span className="metrics-swatch metrics-playout" aria-hidden="true" /> Playout: to bot speaking
        </span>
      </figcaption>
      <ol className="metrics-bars">
        {measured.map((t) => {
          const { provider, playout } = turnStages(t);
          const label = `Turn ${t.turn}: voice to voice ${ms(t.voiceToVoiceMs)}, provider ${ms(provider)}, playout ${ms(playout)}`;
          return (
            <li key={t.turn}>
              {/* The name starts with the visible text ("Turn" + number, value): WCAG 2.5.3 label in name. */}
              <button type="button" className="metrics-bar-row" aria-label={`Turn ${t.turn} ${ms(t.voiceToVoiceMs ?? t.timeToFirstAudioMs)}: provider ${ms(provider)}, playout ${ms(playout)}. Show in table`} title={label} onClick={() => onJump(t.turn)}>
                <span className="metrics-bar-turn">
                  <span className="sr-only">Turn </span>
                  {t.turn}
                </span>{' '}
                <span className="metrics-track" aria-hidden="true">
                  {provider !== null && <span className="metrics-seg metrics-provider" style={{ width: pct(provider) }} />}
                  {playout !== null && <span className="metrics-seg metrics-playout" style={{ width: pct(playout) }} />}
                </span>{' '}
                <span className="metrics-bar-value">{ms(t.voiceToVoiceMs ?? t.timeToFirstAudioMs)}</span>
              </button>
            </li>
          );
        })}
      </ol>
      <div className="metrics-axis" aria-hidden="true">
        <span className="metrics-bar-turn" />
        <span className="metrics-axis-track">
          {ticks.map((v, i) => (
            <span key={v} className="metrics-tick" style={{ left: pct(v) }} data-edge={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : undefined}>
              {i === ticks.length - 1 ? formatMs(v) : v === 0 ? '0' : formatMs(v).replace(' ms', '')}
            </span>
          ))}
        </span>
        <span className="metrics-bar-value" />
      </div>
    </figure>
  );
}

function onOff(v: boolean | null): string {
  return v === null ? 'unknown' : v ? 'on' : 'off';
}

const orDash = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? '—' : `${v}${unit}`);

/** The browser's own WebRTC statistics, for an adapter whose audio travels on a peer connection (Pipecat SmallWebRTC). */
function WebRtcDiagnostics({ stats }: { stats: MediaStats }) {
  return (
    <div role="group" aria-label="WebRTC audio statistics">
      <h3 className="insp-h">WebRTC</h3>
      <dl className="insp-kv">
        <dt>Codec</dt>
        <dd>{stats.rtcCodec ?? '—'}</dd>
        <dt>Jitter (bot audio)</dt>
        <dd>{orDash(stats.rtcJitterMs, ' ms')}</dd>
        <dt>Jitter buffer</dt>
        <dd>{orDash(stats.rtcJitterBufferMs, ' ms')}</dd>
        <dt>Packets received</dt>
        <dd>{orDash(stats.rtcPacketsReceived)}</dd>
        <dt>Packet loss (bot audio)</dt>
        <dd>
          {orDash(stats.rtcPacketsLost)}
          {stats.rtcLossPercent !== null && stats.rtcLossPercent !== undefined ? ` (${stats.rtcLossPercent} %)` : ''}
        </dd>
        <dt>Packets sent</dt>
        <dd>{orDash(stats.rtcPacketsSent)}</dd>
        <dt>Loss reported by the bot</dt>
        <dd>{orDash(stats.rtcRemotePacketsLost)}</dd>
        <dt>Round trip</dt>
        <dd>{orDash(stats.rtcRoundTripMs, ' ms')}</dd>
        <dt>Bot audio level</dt>
        <dd>{orDash(stats.rtcBotAudioLevel === null || stats.rtcBotAudioLevel === undefined ? null : Math.round(stats.rtcBotAudioLevel * 1000) / 1000)}</dd>
        <dt>Microphone level (sent)</dt>
        <dd>{orDash(stats.rtcMicAudioLevel === null || stats.rtcMicAudioLevel === undefined ? null : Math.round(stats.rtcMicAudioLevel * 1000) / 1000)}</dd>
      </dl>
    </div>
  );
}

function AudioDiagnostics({ stats, headphones }: { stats: MediaStats | null; headphones: boolean }) {
  if (!stats) return <p className="insp-muted">No audio statistics yet.</p>;
  const echoRisk = !headphones && echoUncancelled(stats);
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
        {stats.capturePath !== undefined && (
          <>
            <dt>Microphone path</dt>
            <dd>
              {stats.capturePath === 'track-processor' ? 'track frames (MediaStreamTrackProcessor)' : stats.capturePath === 'media-stream-source' ? 'Web Audio source node' : '—'}
              {stats.capturePathFallback ? ` (${stats.capturePathFallback})` : ''}
            </dd>
          </>
        )}
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
        <dd>
          {stats.echoCancellationMode === 'all' || stats.echoCancellationMode === 'remote-only' ? stats.echoCancellationMode : onOff(stats.echoCancellation)}
          {stats.echoCancellationConfirmed === true ? ', covers playback' : stats.echoCancellationConfirmed === false ? ', does not cover playback' : ''}
          {stats.echoCancellationFallback ? ` (${stats.echoCancellationFallback})` : ''}
        </dd>
        <dt>Noise suppression</dt>
        <dd>{onOff(stats.noiseSuppression)}</dd>
        <dt>Auto gain</dt>
        <dd>{onOff(stats.autoGainControl)}</dd>
        <dt>Playback path</dt>
        <dd>{stats.playbackPath ?? '—'}</dd>
      </dl>
      {stats.rtcAudio && <WebRtcDiagnostics stats={stats} />}
      {echoRisk && <p className="insp-warn">The bot may hear itself: echo cancellation does not cover this playback path. Use headphones.</p>}
    </>
  );
}
