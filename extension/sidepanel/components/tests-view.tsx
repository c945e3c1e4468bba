import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { PanelCommand } from '../../shared/messages.ts';
import type { VoiceTestRunState } from '../../voice-tests/run-state.ts';
import { downloadTextFile } from '../inspector/download-file.ts';
import { bytesToBase64 } from '../../recordings/wire.ts';
import { adapters as allAdapters } from '../../../src/adapters/adapter-registry.ts';
import { defaultSettings } from '../../../src/adapters/settings-schema.ts';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../../replay/price-table.ts';
import { loadPriceTable } from '../price-table-storage.ts';
import { parseScenario } from '../../voice-tests/scenario-file.ts';
import { estimateScenarioCost, formatScenarioCost } from '../../voice-tests/scenario-cost.ts';
import { decodeWav } from '../../voice-tests/wav-decoder.ts';

const STARTER = `version: 1
name: Remembers the user's name
steps:
  - say: Hi, my name is Ada.
    expect:
      transcript: { contains: Ada }
  - say: What is my name?
    expect:
      transcript: { contains: Ada }
      no_error: true
`;

export interface TestsViewProps {
  run: VoiceTestRunState | null | undefined;
  /** The adapter selected in Settings: scenarios that name none run on it. */
  adapterId: string;
  /** Its `Endpoint URL` from Settings (empty: the provider's default). */
  endpoint: string;
  /** Keys the panel holds (the current one, and remembered ones), by adapter id. */
  keysFor(): Promise<Record<string, string>>;
  send(command: PanelCommand): void;
  /** Opens a run's recording in the Recordings view with the playhead at `t` ms. */
  onShowFailure?(recordingId: string, t: number | undefined): void;
}

/**
 * Voice tests from the panel: a scenario (typed, or opened with the audio files it speaks), run
 * against the panel's own session host, with progress, a results table, re-run of the failed
 * rows, and the results exported as JSON or JUnit XML.
 */
export function TestsView({ run, adapterId, endpoint, keysFor, send, onShowFailure }: TestsViewProps) {
  const [text, setText] = useState(STARTER);
  const [fileName, setFileName] = useState('scenario.yaml');
  const [assets, setAssets] = useState<Record<string, string>>({});
  const [judge, setJudge] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const editorId = useId();
  const running = run?.status === 'running';
  const [prices, setPrices] = useState<PriceTable>(DEFAULT_PRICE_TABLE);
  useEffect(() => {
    void loadPriceTable().then(setPrices, () => undefined);
  }, []);
  const estimate = useMemo(() => costLine(text, assets, adapterId, prices), [text, assets, adapterId, prices]);

  const start = async (only?: string[]) => {
    setNote(null);
    const keys = await keysFor();
    send({ type: 'run-voice-tests', files: [{ name: fileName, text }], assets, keys, adapter: adapterId, ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}), judge, ...(only ? { only } : {}) });
  };

  const open = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const list = [...files];
    const scenario = list.find((f) => /\.ya?ml$/i.test(f.name));
    const audio: Record<string, string> = {};
    for (const f of list.filter((x) => /\.wav$/i.test(x.name))) {
      const b64 = bytesToBase64(new Uint8Array(await f.arrayBuffer()));
      // The scenario names audio by a path relative to itself; a chosen file has no folder, so
      // it answers to its name under any folder the scenario writes.
      audio[f.name] = b64;
      for (const m of (scenario ? await scenario.text() : text).matchAll(/speak:\s*["']?([^"'\s}]+)/g)) if (m[1]!.split('/').pop() === f.name) audio[m[1]!] = b64;
    }
    if (scenario) {
      setText(await scenario.text());
      setFileName(scenario.name);
    }
    setAssets((a) => ({ ...a, ...audio }));
    setNote(`Opened ${list.map((f) => f.name).join(', ')}.`);
  };

  const failedRows = (run?.summaries ?? []).filter((s) => !s.passed).map((s) => `${s.scenario}\u0000${s.target}`);
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  return (
    <section className="tests-view" aria-label="Voice tests">
      <div className="field">
        <label htmlFor={editorId}>Scenario (YAML)</label>
        <textarea id={editorId} rows={14} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} aria-describedby={`${editorId}-help`} />
        <p id={`${editorId}-help`} className="help">
          Steps: say, speak (a WAV file), silence_ms, barge_in, wait_ms; each with expect. Scenarios that name no adapter run on the one selected in Settings. Keys come from the panel, never from the file.
        </p>
      </div>
      <div className="buttons">
        <button type="button" onClick={() => fileInput.current?.click()}>
          Open scenario files
        </button>
        <input ref={fileInput} type="file" accept=".yaml,.yml,.wav" multiple hidden onChange={(e) => void open(e.target.files)} />
        <label className="inline">
          <input type="checkbox" checked={judge} onChange={(e) => setJudge(e.target.checked)} /> Ask judged assertions (costs tokens)
        </label>
      </div>
      <p role="status" aria-label="Estimated test cost" className="help">
        {estimate}
      </p>
      <div className="buttons">
        {running ? (
          <button type="button" onClick={() => send({ type: 'stop-voice-tests' })}>
            Stop tests
          </button>
        ) : (
          <button type="button" onClick={() => void start()}>
            Run scenario
          </button>
        )}
        <button type="button" disabled={running || failedRows.length === 0} onClick={() => void start(failedRows)}>
          Re-run failed
        </button>
        <button type="button" disabled={!run?.report} onClick={() => run && downloadTextFile(`voice-tests-${stamp()}.json`, JSON.stringify(run, null, 2), 'application/json')}>
          Export results
        </button>
        <button type="button" disabled={!run?.report} onClick={() => run?.report && downloadTextFile(`voice-tests-${stamp()}.xml`, run.report.junit, 'application/xml')}>
          Export JUnit report
        </button>
      </div>
      {note && <p className="help">{note}</p>}
      <p role="status" aria-label="Test progress" className="help">
        {progressText(run)}
      </p>
      {run?.status === 'refused' && (
        <div role="alert">
          <p>The scenario was refused; nothing ran:</p>
          <pre className="problems">{run.problems}</pre>
        </div>
      )}
      {run && run.summaries.length > 0 && (
        <table className="test-results" aria-label="Test results">
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Scenario</th>
              <th scope="col">Target</th>
              <th scope="col">Assertion</th>
              <th scope="col">Pass rate</th>
              <th scope="col">Latency p50</th>
            </tr>
          </thead>
          <tbody>
            {(() => {
              // Failures with a recording are numbered in table order: `Show failure 1`, `Show failure 2`, …
              let failureNo = 0;
              return run.summaries.flatMap((s) => [
              ...s.errors.map((e) => (
                <tr key={`${s.scenario}|${s.target}|run${e.run}`} className="fail">
                  <td>error</td>
                  <td>{s.scenario}</td>
                  <td>{s.target}</td>
                  <td>{`run ${e.run}: ${e.error}`}</td>
                  <td />
                  <td>{latency(s.latencyMedianMs)}</td>
                </tr>
              )),
              ...s.assertions.map((a) => (
                <tr key={`${s.scenario}|${s.target}|${a.assertion}`} className={a.passed ? 'pass' : 'fail'}>
                  <td>{a.passed ? 'pass' : 'fail'}</td>
                  <td>{s.scenario}</td>
                  <td>{s.target}</td>
                  <td>
                    {a.assertion}
                    {!a.passed && a.lastFailure && <div className="help">{a.lastFailure}</div>}
                    {!a.passed && a.failedAt?.recordingId && onShowFailure && (() => {
                      const n = ++failureNo;
                      const at = a.failedAt;
                      return (
                        <button type="button" className="link-button" title={`Open run ${at.run}'s recording${at.t !== undefined ? ` at ${(at.t / 1000).toFixed(1)} s` : ''}`} onClick={() => onShowFailure(at.recordingId!, at.t)}>
                          {`Show failure ${n}`}
                        </button>
                      );
                    })()}
                  </td>
                  <td>{`${a.passes}/${a.runs} (needs ${Math.round(a.required * 100)}%)`}</td>
                  <td>{latency(s.latencyMedianMs)}</td>
                </tr>
              )),
              ]);
            })()}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The cost line shown before Run scenario: the stored (editable) price table, the opened WAVs' lengths. */
function costLine(text: string, assets: Record<string, string>, adapterId: string, prices: PriceTable): string {
  const parsed = parseScenario(text, { knownAdapters: allAdapters.map((a) => a.id), defaultAdapter: adapterId });
  if (!parsed.ok) return 'Estimated cost: fix the scenario first (Run scenario lists its problems).';
  const seconds = new Map<string, number | undefined>();
  return formatScenarioCost(
    estimateScenarioCost([parsed.scenario], {
      table: prices,
      defaultModel: (id) => {
        const d = allAdapters.find((a) => a.id === id);
        const m = d ? defaultSettings(d.settings).model : undefined;
        return typeof m === 'string' && m ? m : undefined;
      },
      isFree: (id) => allAdapters.find((a) => a.id === id)?.needsKey === false,
      audioSeconds: (path) => {
        if (!seconds.has(path)) {
          const b64 = assets[path];
          let sec: number | undefined;
          try {
            if (b64 !== undefined) {
              const a = decodeWav(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), path);
              sec = a.pcm.length / a.sampleRate;
            }
          } catch {
            sec = undefined;
          }
          seconds.set(path, sec);
        }
        return seconds.get(path);
      },
    }),
    'price table',
  );
}

function latency(ms: number | null): string {
  return ms === null ? '–' : `${Math.round(ms)} ms`;
}

function progressText(run: VoiceTestRunState | null | undefined): string {
  if (!run) return 'No test run yet.';
  const p = run.progress;
  switch (run.status) {
    case 'running':
      if (!p) return 'Starting…';
      return `Running ${p.scenario} on ${p.target}: run ${p.run} of ${p.runs}, ${p.phase === 'connecting' ? 'connecting' : `step ${p.step} of ${p.steps}`}. ${run.tokens} tokens so far.`;
    case 'refused':
      return 'Refused: nothing ran.';
    case 'stopped':
      return `Stopped: ${run.stoppedReason ?? 'by the user'}. ${run.results.length} runs finished.`;
    default: {
      const passed = run.summaries.filter((s) => s.passed).length;
      return `${run.status === 'passed' ? 'Passed' : 'Failed'}: ${passed} of ${run.summaries.length} scenario targets passed, ${run.results.length} runs, ${run.tokens} tokens${run.stoppedReason ? ` (${run.stoppedReason})` : ''}.`;
    }
  }
}
