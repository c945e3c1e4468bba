import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { RecordingsListing } from '../../shared/messages.ts';
import type { Recording, RecordingMeta } from '../../recordings/recording-format.ts';
import { formatBytes, formatDuration, summarizeRecording } from '../../recordings/recording-summary.ts';
import { base64ToBytes, bytesToBase64, fromWire } from '../../recordings/wire.ts';
import { downloadBlob } from '../inspector/download-file.ts';
import type { RecordingsClient } from '../recordings-client.ts';

export interface RecordingsViewProps {
  listing: RecordingsListing | undefined;
  notice: { notice: string; at: number } | undefined;
  client: RecordingsClient;
  /** Where the timeline of an opened recording is drawn (the timeline component mounts here). */
  renderTimeline?: (recording: Recording, atMs?: number) => ReactNode;
  /** Open this recording with the playhead at `t` (a failed voice-test assertion); `n` makes each request new. */
  openRequest?: { id: string; t?: number; n: number } | null;
  /** Told when a recording is opened or closed (its own event log then replaces the live one). */
  onOpenChange?(open: boolean): void;
}

const MB = 1024 * 1024;

/**
 * The Recordings view: the list (date, adapter, model, preset, duration, turns, size), the
 * settings (Record sessions, storage budget), import, delete all, and one recording's detail
 * (rename, Keep, export, delete, its turns and events, and the timeline's slot).
 */
export function RecordingsView({ listing, notice, client, renderTimeline, openRequest, onOpenChange }: RecordingsViewProps) {
  const [openId, setOpenId] = useState<string | null>(openRequest?.id ?? null);
  const [openAt, setOpenAt] = useState<number | undefined>(openRequest?.t);
  useEffect(() => {
    if (!openRequest) return;
    setOpenId(openRequest.id);
    setOpenAt(openRequest.t);
  }, [openRequest]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [budgetText, setBudgetText] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    void client.request({ op: 'list' }).catch((e: unknown) => setError(text(e)));
  }, [client]);

  const run = async (what: () => Promise<string | void>) => {
    setError(null);
    setMessage(null);
    try {
      const m = await what();
      if (m) setMessage(m);
    } catch (e) {
      setError(text(e));
    }
  };

  const config = listing?.config;
  const recordings = listing?.recordings ?? [];
  const open = openId ? recordings.find((r) => r.id === openId) : undefined;
  useEffect(() => {
    onOpenChange?.(open !== undefined);
    return () => onOpenChange?.(false);
  }, [open !== undefined, onOpenChange]);

  const importFile = (file: File) =>
    run(async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const result = await client.request({ op: 'import', fileBase64: bytesToBase64(bytes) });
      if (!result.ok) throw new Error(`"${file.name}" was not imported: ${result.error} Nothing was changed.`);
      return `Imported "${result.meta.name}".`;
    });

  if (open) {
    return (
      <div className="recordings-view">
        {error && <p role="alert" className="recordings-error">{error}</p>}
        {message && <p className="recordings-message">{message}</p>}
        <RecordingDetail
          key={open.id}
          meta={open}
          active={listing?.activeId === open.id}
          client={client}
          renderTimeline={renderTimeline}
          {...(openAt !== undefined ? { atMs: openAt } : {})}
          onBack={() => {
            setOpenId(null);
            setOpenAt(undefined);
            setError(null);
          }}
          run={run}
          onDeleted={(name) => {
            setOpenId(null);
            setMessage(`Deleted "${name}".`);
          }}
        />
      </div>
    );
  }

  return (
    <div className="recordings-view">
      <section className="recordings-settings" aria-labelledby="recordings-settings-heading">
        <h2 id="recordings-settings-heading" className="section-heading">
          Recordings
        </h2>
        <p className="muted">
          Every session is recorded on this device: both voices (your microphone as sent, the bot as played), every event and the settings, never a key.
        </p>
        <label className="checkbox-row">
          <input
            type="checkbox"
            checked={config?.enabled ?? true}
            disabled={!config}
            onChange={(e) => {
              const enabled = e.currentTarget.checked;
              void run(async () => {
                await client.request({ op: 'configure', enabled });
                return enabled ? 'New sessions will be recorded.' : 'New sessions will not be recorded.';
              });
            }}
          />
          Record sessions
        </label>
        <label className="field-row">
          Recordings budget (MB)
          <input
            type="number"
            min={10}
            step={10}
            inputMode="numeric"
            value={budgetText ?? (config ? String(Math.round(config.budgetBytes / MB)) : '')}
            disabled={!config}
            onChange={(e) => setBudgetText(e.currentTarget.value)}
            onBlur={() => {
              if (budgetText === null) return;
              const mb = Number(budgetText);
              setBudgetText(null);
              if (!Number.isFinite(mb) || mb <= 0) return setError('The recordings budget must be a number of megabytes (10 or more).');
              void run(async () => {
                await client.request({ op: 'configure', budgetBytes: Math.round(mb * MB) });
                return `Recordings budget set to ${Math.round(mb)} MB.`;
              });
            }}
          />
        </label>
        {listing && (
          <p className="muted">
            {formatBytes(listing.usedBytes)} used of {formatBytes(listing.config.budgetBytes)}; when full, the oldest recordings not marked Keep are deleted first.
            {listing.persisted === false ? ' Chrome has not granted persistent storage, so it may clear recordings when the disk is nearly full.' : ''}
          </p>
        )}
        <div className="button-row">
          <button type="button" onClick={() => fileRef.current?.click()}>
            Import recording
          </button>
          <input
            ref={fileRef}
            type="file"
            accept=".zip,application/zip"
            hidden
            aria-hidden="true"
            tabIndex={-1}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void importFile(file);
            }}
          />
          {!confirmAll ? (
            <button type="button" className="danger" disabled={recordings.length === 0} onClick={() => setConfirmAll(true)}>
              Delete all recordings
            </button>
          ) : (
            <span className="confirm-row" role="group" aria-label="Delete all recordings?">
              <span>
                Delete all {recordings.length} recordings{recordings.some((r) => r.keep) ? ', including those marked Keep' : ''}? This cannot be undone.
              </span>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirmAll(false);
                  void run(async () => {
                    await client.request({ op: 'delete-all' });
                    return 'Deleted all recordings.';
                  });
                }}
              >
                Confirm delete all
              </button>
              <button type="button" onClick={() => setConfirmAll(false)}>
                Cancel delete all
              </button>
            </span>
          )}
        </div>
      </section>
      {error && (
        <p role="alert" className="recordings-error">
          {error}
        </p>
      )}
      {message && <p className="recordings-message">{message}</p>}
      {notice && (
        <p className="recordings-notice" role="status" aria-label="Recordings notice">
          {notice.notice}
        </p>
      )}
      {recordings.length === 0 ? (
        <p className="muted">{listing ? 'No recordings yet. Connect to record a session, or import a recording.' : 'Loading recordings…'}</p>
      ) : (
        <ul className="recordings-list" aria-label="Recordings list" ref={listRef}>
          {recordings.map((r) => (
            <li key={r.id} className="recording-row">
              <button type="button" className="link-button" aria-label={`Open recording: ${r.name}`} onClick={() => {
                setOpenId(r.id);
                setOpenAt(undefined);
              }}>
                {r.name}
              </button>
              <span className="recording-facts muted">{facts(r, listing?.activeId === r.id)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function facts(r: RecordingMeta, active: boolean): string {
  return [
    new Date(r.createdAt).toLocaleString(),
    r.adapterId,
    r.model,
    r.preset ? `preset ${r.preset}` : undefined,
    formatDuration(r.durationMs),
    `${r.turns} ${r.turns === 1 ? 'turn' : 'turns'}`,
    formatBytes(r.sizeBytes),
    r.keep ? 'Keep' : undefined,
    r.origin !== 'session' ? r.origin : undefined,
    active ? 'recording now' : !r.complete ? 'cut short' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

function RecordingDetail(p: {
  meta: RecordingMeta;
  active: boolean;
  client: RecordingsClient;
  renderTimeline?: (recording: Recording, atMs?: number) => ReactNode;
  atMs?: number;
  onBack(): void;
  onDeleted(name: string): void;
  run(what: () => Promise<string | void>): Promise<void>;
}) {
  const { meta, client } = p;
  const [recording, setRecording] = useState<Recording | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState(meta.name);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Reload when more was written (a recording still being made grows every second).
  useEffect(() => {
    let cancelled = false;
    client.request({ op: 'get', id: meta.id }).then(
      (w) => {
        if (cancelled) return;
        if (w) setRecording(fromWire(w));
        else setLoadError('This recording no longer exists.');
      },
      (e: unknown) => !cancelled && setLoadError(text(e)),
    );
    return () => {
      cancelled = true;
    };
    // While it is being made, once (its list row says it grows); again when it is complete.
  }, [client, meta.id, p.active ? -1 : meta.sizeBytes]);
  useEffect(() => headingRef.current?.focus(), []);
  const summary = useMemo(() => (recording ? summarizeRecording(recording) : null), [recording]);

  return (
    <section className="recording-detail" aria-labelledby="recording-detail-heading">
      <button type="button" onClick={p.onBack}>
        Back to recordings
      </button>
      <h2 id="recording-detail-heading" className="section-heading" tabIndex={-1} ref={headingRef}>
        {meta.name}
      </h2>
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          void p.run(async () => {
            const m = await client.request({ op: 'rename', id: meta.id, name });
            return `Renamed to "${m.name}".`;
          });
        }}
      >
        <label>
          Recording name <input type="text" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit">Rename recording</button>
      </form>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={meta.keep}
          onChange={(e) => {
            const keep = e.currentTarget.checked;
            void p.run(async () => {
              await client.request({ op: 'set-keep', id: meta.id, keep });
              return keep ? 'Kept: the storage budget will never delete this recording.' : 'No longer kept.';
            });
          }}
        />
        Keep recording
      </label>
      <div className="button-row">
        <button
          type="button"
          onClick={() =>
            void p.run(async () => {
              const file = await client.request({ op: 'export', id: meta.id });
              downloadBlob(file.fileName, new Blob([base64ToBytes(file.fileBase64) as BlobPart], { type: 'application/zip' }));
              return `Exported "${file.fileName}".`;
            })
          }
        >
          Export recording
        </button>
        <button
          type="button"
          className="danger"
          onClick={() =>
            void p.run(async () => {
              await client.request({ op: 'delete', id: meta.id });
              p.onDeleted(meta.name);
            })
          }
        >
          Delete recording
        </button>
      </div>
      <dl className="recording-meta">
        <dt>Recorded</dt>
        <dd>{new Date(meta.createdAt).toLocaleString()}</dd>
        <dt>Adapter</dt>
        <dd>{meta.adapterId}</dd>
        {meta.model && (
          <>
            <dt>Model</dt>
            <dd>{meta.model}</dd>
          </>
        )}
        {meta.preset && (
          <>
            <dt>Preset</dt>
            <dd>{meta.preset}</dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>{formatDuration(meta.durationMs)}</dd>
        <dt>Turns</dt>
        <dd>{meta.turns}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(meta.sizeBytes)}</dd>
        <dt>State</dt>
        <dd>{p.active ? 'Recording now' : meta.complete ? 'Complete' : 'Cut short (the session ended without closing; kept up to the last write)'}</dd>
        {meta.origin !== 'session' && (
          <>
            <dt>Origin</dt>
            <dd>
              {meta.origin}
              {meta.sourceId ? ` of ${meta.sourceId}` : ''}
            </dd>
          </>
        )}
        {summary && (
          <>
            <dt>Events</dt>
            <dd>
              {summary.eventCount} ({summary.rtviEvents} RTVI, {summary.rawFrames} raw frames{summary.errors ? `, ${summary.errors} errors` : ''})
            </dd>
            <dt>Tool calls</dt>
            <dd>{summary.toolCalls}</dd>
            <dt>Interruptions</dt>
            <dd>{summary.interruptions}</dd>
            <dt>Microphone track</dt>
            <dd>
              {formatDuration(summary.tracks.mic.audioMs)} ({summary.tracks.mic.codecs.join(', ') || 'empty'}, {formatBytes(summary.tracks.mic.bytes)})
            </dd>
            <dt>Bot track (as played)</dt>
            <dd>
              {formatDuration(summary.tracks.bot.audioMs)} ({summary.tracks.bot.codecs.join(', ') || 'empty'}, {formatBytes(summary.tracks.bot.bytes)})
            </dd>
          </>
        )}
      </dl>
      <section className="recording-timeline-slot" aria-label="Recording timeline">
        {recording && p.renderTimeline ? p.renderTimeline(recording, p.atMs) : <p className="muted">{loadError ?? (recording ? 'The timeline of this recording appears here.' : 'Loading the recording…')}</p>}
      </section>
      {summary && (
        <section aria-labelledby="recording-turns-heading">
          <h3 id="recording-turns-heading" className="section-heading">
            Turns
          </h3>
          {summary.turns.length === 0 ? (
            <p className="muted">No turns were recorded.</p>
          ) : (
            <ol className="recording-turns">
              {summary.turns.map((t) => (
                <li key={t.id}>
                  {t.role === 'user' ? 'You: ' : t.role === 'bot' ? 'Bot: ' : t.role === 'tool' ? 'Tool: ' : 'Error: '}
                  {t.text}
                  {t.cut ? ' (cut off)' : ''}
                  {t.voiceToVoiceMs !== undefined ? ` · ${Math.round(t.voiceToVoiceMs)} ms voice to voice` : ''}
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}


const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
