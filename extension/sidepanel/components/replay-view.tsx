import { useEffect, useMemo, useState } from 'react';
import type { ConnectCommand, RecordingsListing, ReplayStatus } from '../../shared/messages.ts';
import type { Recording, RecordingMeta } from '../../recordings/recording-format.ts';
import { fromWire } from '../../recordings/wire.ts';
import { compareRecordings, comparisonMarkdown, type ComparedTurn, type TurnSide } from '../../replay/compare-model.ts';
import { estimateReplayCost, formatUsd } from '../../replay/cost-estimate.ts';
import { DEFAULT_PRICE_TABLE, parsePriceTable, type PriceTable } from '../../replay/price-table.ts';
import type { DiffWord } from '../../replay/word-diff.ts';
import { downloadTextFile } from '../inspector/download-file.ts';
import { loadPriceTable, savePriceTable } from '../price-table-storage.ts';
import type { RecordingsClient } from '../recordings-client.ts';

export interface ReplayViewProps {
  listing: RecordingsListing | undefined;
  client: RecordingsClient;
  replay: ReplayStatus | null | undefined;
  /** The target as Settings describe it now. */
  target: { adapterId: string; adapterLabel: string; model?: string };
  /** Builds the connect command from Settings (null: it said why, in the panel's alert). */
  connectCommand(): ConnectCommand | null;
  onStart(sourceId: string, connect: ConnectCommand): void;
}

function label(m: RecordingMeta): string {
  const when = new Date(m.createdAt).toLocaleString();
  return `${m.name} (${m.adapterId}${m.model ? `, ${m.model}` : ''}${m.origin === 'replay' ? ', replay' : ''}, ${when})`;
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Replay and compare: pick a recording and replay its user side against the adapter, model and
 * settings chosen in Settings (the estimated cost shown first); then compare any two recordings
 * turn by turn and export the comparison as Markdown. Prices are editable and stored.
 */
export function ReplayView(p: ReplayViewProps) {
  const recordings = useMemo(() => (p.listing?.recordings ?? []).filter((r) => r.complete || r.id !== p.listing?.activeId), [p.listing]);
  const [sourceId, setSourceId] = useState('');
  const [source, setSource] = useState<Recording | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [prices, setPrices] = useState<PriceTable>(DEFAULT_PRICE_TABLE);
  const [priceText, setPriceText] = useState<string | null>(null);
  const [priceMessage, setPriceMessage] = useState<string | null>(null);
  const [aId, setAId] = useState('');
  const [bId, setBId] = useState('');
  const [pair, setPair] = useState<[Recording, Recording] | null>(null);

  useEffect(() => {
    void p.client.request({ op: 'list' }).catch((e: unknown) => setError(text(e)));
    void loadPriceTable().then(setPrices, () => undefined);
  }, [p.client]);

  const fetchRecording = async (id: string): Promise<Recording> => {
    const wire = await p.client.request({ op: 'get', id });
    if (!wire) throw new Error('That recording is no longer stored.');
    return fromWire(wire);
  };

  useEffect(() => {
    setSource(null);
    if (!sourceId) return;
    let live = true;
    fetchRecording(sourceId).then(
      (r) => live && setSource(r),
      (e: unknown) => live && setError(text(e)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sourceId]);

  // When a replay finishes, offer it beside its source in the comparison.
  useEffect(() => {
    if (p.replay?.state === 'finished' && p.replay.recordingId) {
      setAId(p.replay.sourceId);
      setBId(p.replay.recordingId);
    }
  }, [p.replay?.state, p.replay?.recordingId, p.replay?.sourceId]);

  const estimate = source ? estimateReplayCost(source, { adapterId: p.target.adapterId, model: p.target.model }, prices) : null;
  const running = p.replay?.state === 'running';

  const start = () => {
    setError(null);
    if (!sourceId) return setError('Choose a source recording first.');
    const connect = p.connectCommand();
    if (connect) p.onStart(sourceId, connect);
  };

  const compare = async () => {
    setError(null);
    if (!aId || !bId) return setError('Choose two recordings to compare.');
    try {
      setPair([await fetchRecording(aId), await fetchRecording(bId)]);
    } catch (e) {
      setError(text(e));
    }
  };

  const comparison = pair ? compareRecordings(pair[0], pair[1], prices) : null;

  const savePrices = async () => {
    setPriceMessage(null);
    let value: unknown;
    try {
      value = JSON.parse(priceText ?? '');
    } catch (e) {
      return setPriceMessage(`Prices are not valid JSON (${text(e)}); nothing was saved.`);
    }
    const parsed = parsePriceTable(value);
    if (!parsed.ok) return setPriceMessage(`${parsed.error} Nothing was saved.`);
    await savePriceTable(parsed.table);
    setPrices(parsed.table);
    setPriceText(null);
    setPriceMessage(`Saved prices as of ${parsed.table.asOf}.`);
  };

  const options = recordings.map((r) => (
    <option key={r.id} value={r.id}>
      {label(r)}
    </option>
  ));

  return (
    <div className="replay-view">
      {error && (
        <p role="alert" className="recordings-error">
          {error}
        </p>
      )}
      <section aria-labelledby="replay-heading">
        <h2 id="replay-heading" className="section-heading">
          Replay
        </h2>
        <p className="hint">
          Replays the user's side of a recording (their audio turns as recorded, their typed messages) into a new session with the adapter, model, instructions and tools chosen in
          Settings. The microphone stays closed; tool calls are answered with the recording's results where the arguments match.
        </p>
        <label className="field">
          <span>Source recording</span>
          <select value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
            <option value="">Choose a recording…</option>
            {options}
          </select>
        </label>
        <p>
          Target: {p.target.adapterLabel}
          {p.target.model ? `, ${p.target.model}` : ''}
        </p>
        <p aria-label="Estimated cost" role="status">
          {estimate ? `Estimated cost: ${formatUsd(estimate.usd)} (${estimate.method === 'source-tokens' ? "the source's tokens" : 'from speech durations'}, prices as of ${prices.asOf})` : 'Estimated cost: choose a recording.'}
        </p>
        {estimate?.notes.map((n) => (
          <p key={n} className="hint">
            {n}
          </p>
        ))}
        <button type="button" onClick={start} disabled={!sourceId || running}>
          Start replay
        </button>
        <div role="status" aria-label="Replay status">
          {p.replay ? <ReplayStatusText status={p.replay} /> : 'No replay yet.'}
        </div>
      </section>

      <section aria-labelledby="compare-heading">
        <h2 id="compare-heading" className="section-heading">
          Compare
        </h2>
        <label className="field">
          <span>Recording A</span>
          <select value={aId} onChange={(e) => setAId(e.target.value)}>
            <option value="">Choose a recording…</option>
            {options}
          </select>
        </label>
        <label className="field">
          <span>Recording B</span>
          <select value={bId} onChange={(e) => setBId(e.target.value)}>
            <option value="">Choose a recording…</option>
            {options}
          </select>
        </label>
        <button type="button" onClick={() => void compare()}>
          Compare recordings
        </button>
        {comparison && (
          <>
            <button type="button" onClick={() => downloadTextFile(`comparison-${comparison.a.id}-${comparison.b.id}.md`, comparisonMarkdown(comparison), 'text/markdown')}>
              Export comparison
            </button>
            <p className="hint">
              A: {comparison.a.name} · {formatUsd(comparison.a.totalUsd)} — B: {comparison.b.name} · {formatUsd(comparison.b.totalUsd)}. Latency is user stopped → first bot audio heard. Prices as of {comparison.priceAsOf}.
            </p>
            <ol className="compare-turns" aria-label="Compared turns">
              {comparison.turns.map((t) => (
                <CompareTurn key={t.turn} turn={t} />
              ))}
            </ol>
          </>
        )}
      </section>

      <details className="prices">
        <summary>Prices</summary>
        <p className="hint">
          USD per 1M tokens by model, as of {prices.asOf} ({prices.source || 'edited'}). Check the vendors' pricing pages; edit and save to keep your own.
        </p>
        <label className="field">
          <span>Price table (JSON)</span>
          <textarea rows={8} value={priceText ?? JSON.stringify(prices, null, 2)} onChange={(e) => setPriceText(e.target.value)} spellCheck={false} />
        </label>
        <button type="button" onClick={() => void savePrices()}>
          Save prices
        </button>
        <button
          type="button"
          onClick={() => {
            void savePriceTable(null);
            setPrices(DEFAULT_PRICE_TABLE);
            setPriceText(null);
            setPriceMessage('Prices reset to the defaults.');
          }}
        >
          Reset prices
        </button>
        {priceMessage && <p role="status">{priceMessage}</p>}
      </details>
    </div>
  );
}

function ReplayStatusText({ status }: { status: ReplayStatus }) {
  const head =
    status.state === 'running'
      ? `Replay running: ${status.sent} of ${status.steps} user turns sent.`
      : status.state === 'finished'
        ? `Replay finished: ${status.sent} of ${status.steps} user turns sent.`
        : status.state === 'stopped'
          ? `Replay stopped after ${status.sent} of ${status.steps} user turns.`
          : `Replay failed: ${status.error ?? 'unknown reason'}`;
  return (
    <>
      <p>{head}</p>
      {status.tools.length > 0 && (
        <ul aria-label="Tool answers">
          {status.tools.map((t, i) => (
            <li key={i}>
              {t.name}: answered by {t.answeredBy === 'recording' ? 'the source recording' : t.answeredBy === 'mock' ? "the target's mock" : 'a default answer (no recorded result, no fixed mock)'}
            </li>
          ))}
        </ul>
      )}
      {status.warnings.map((w) => (
        <p key={w}>{w}</p>
      ))}
    </>
  );
}

function Diff({ diff, fallback }: { diff: DiffWord[]; fallback: string }) {
  if (diff.length === 0) return <>{fallback}</>;
  return (
    <>
      {diff.map((d, i) =>
        d.op === 'same' ? (
          <span key={i}>{d.word} </span>
        ) : d.op === 'removed' ? (
          <del key={i}>{d.word} </del>
        ) : (
          <ins key={i}>{d.word} </ins>
        ),
      )}
    </>
  );
}

function side(s: TurnSide | null, f: (s: TurnSide) => string): string {
  return s ? f(s) : '—';
}

function CompareTurn({ turn: t }: { turn: ComparedTurn }) {
  const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
  const tok = (s: TurnSide) => (s.tokens ? `${s.tokens.input} in / ${s.tokens.output} out` : '—');
  const tools = (s: TurnSide) => (s.tools.length ? s.tools.map((x) => `${x.name}(${JSON.stringify(x.args)})`).join(', ') : '—');
  return (
    <li>
      <table className="compare-table">
        <caption>Turn {t.turn}</caption>
        <thead>
          <tr>
            <th scope="col"></th>
            <th scope="col">A</th>
            <th scope="col">B (differences marked)</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">User</th>
            <td>{side(t.a, (s) => s.userText || '—')}</td>
            <td>
              <Diff diff={t.userDiff} fallback="—" />
            </td>
          </tr>
          <tr>
            <th scope="row">Bot</th>
            <td>{side(t.a, (s) => s.botText || '—')}</td>
            <td>
              <Diff diff={t.botDiff} fallback="—" />
            </td>
          </tr>
          <tr>
            <th scope="row">Tools</th>
            <td>{side(t.a, tools)}</td>
            <td>
              {side(t.b, tools)}
              {t.toolsDiffer ? ' (differs)' : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">Latency</th>
            <td>{side(t.a, (s) => ms(s.latencyMs))}</td>
            <td>{side(t.b, (s) => ms(s.latencyMs))}</td>
          </tr>
          <tr>
            <th scope="row">Tokens</th>
            <td>{side(t.a, tok)}</td>
            <td>{side(t.b, tok)}</td>
          </tr>
          <tr>
            <th scope="row">Cost</th>
            <td>{side(t.a, (s) => formatUsd(s.usd))}</td>
            <td>{side(t.b, (s) => formatUsd(s.usd))}</td>
          </tr>
          <tr>
            <th scope="row">Interrupted</th>
            <td>{side(t.a, (s) => (s.interrupted ? 'yes' : 'no'))}</td>
            <td>{side(t.b, (s) => (s.interrupted ? 'yes' : 'no'))}</td>
          </tr>
        </tbody>
      </table>
    </li>
  );
}
