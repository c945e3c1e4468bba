/**
 * ServiceMetricsTable: the `Metrics per service` table in the Metrics view — one row per processor
 * that sent RTVI `metrics` (a Pipecat bot's STT, LLM and TTS services; our adapters' usage rows),
 * with its model, TTFB and processing time (last and median), TTS characters and LLM tokens.
 * Hidden until a metrics row with a processor or usage arrives. Folds new rows incrementally.
 */
import type { LogEvent } from '../../shared/log-event.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { ServiceMetricsAccumulator, medianOf, type ServiceMetrics, type TimingStat } from '../../inspector-core/service-metrics.ts';
import { formatMs } from '../../inspector-core/event-summary.ts';
import { useHistoryOf } from './use-history.ts';
import { useSessionFold } from './use-session-fold.ts';

export interface ServiceMetricsTableProps {
  events: EventHistory | readonly LogEvent[];
  /** Which session; default the newest one in the stream. */
  session?: number;
  refreshMs?: number;
}

const NO_SERVICES: ServiceMetrics[] = [];
const newServiceMetrics = (session: number) => new ServiceMetricsAccumulator(session);

function useServiceMetrics(history: EventHistory, session: number | undefined, refreshMs: number): ServiceMetrics[] {
  return useSessionFold(history, session, refreshMs, newServiceMetrics, NO_SERVICES);
}

function timing(stat: TimingStat | null): string {
  if (!stat) return '—';
  const med = medianOf(stat);
  return stat.values.length > 1 && med !== null ? `${formatMs(stat.last)} (median ${formatMs(med)}, ${stat.values.length})` : formatMs(stat.last);
}

function otherText(other: ServiceMetrics['other']): string {
  const ms = new Set(['ttfa', 'ttfat', 'leading_silence', 'thinking_time']);
  const parts = Object.entries(other).map(([k, v]) => (k === 'stt_usage' ? `STT audio ${v.last} s` : `${k} ${ms.has(k) ? formatMs(v.last) : v.last}`) + (v.count > 1 ? ` (${v.count})` : ''));
  return parts.length ? parts.join(', ') : '—';
}

export function ServiceMetricsTable({ events, session, refreshMs = 250 }: ServiceMetricsTableProps) {
  const history = useHistoryOf(events);
  const rows = useServiceMetrics(history, session, refreshMs);
  if (rows.length === 0) return null;
  return (
    <div className="insp-table-wrap metrics-table-wrap" tabIndex={0} role="group" aria-label="Services">
      <table className="insp-table metrics-table" aria-label="Metrics per service">
        <caption className="insp-sr">Metrics per service: time to first byte and processing (last, median), characters and tokens, as the bot reported them</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Model</th>
            <th scope="col">TTFB</th>
            <th scope="col">Processing</th>
            <th scope="col">Characters</th>
            <th scope="col">Tokens in / out / total</th>
            <th scope="col">Other</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.processor} data-processor={r.processor}>
              <th scope="row">{r.processor}</th>
              <td>{r.model ?? '—'}</td>
              <td>{timing(r.ttfb)}</td>
              <td>{timing(r.processing)}</td>
              <td>{r.characters ?? '—'}</td>
              <td>{r.tokens ? `${r.tokens.prompt} / ${r.tokens.completion} / ${r.tokens.total}` : '—'}</td>
              <td>{otherText(r.other)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
