/**
 * The event detail pane under the list: the selected event's payload opened a few levels, its Raw
 * text, copy buttons, links to the events it is tied to, and a Diff against a marked event.
 */
import { useId, useMemo, useState } from 'react';
import type { LogEvent } from '../../shared/log-event.ts';
import type { EventHistory } from '../../inspector-core/event-history.ts';
import { comparablePayload, diffJson } from '../../inspector-core/event-diff.ts';
import { formatSinceConnect, formatWallClock } from '../../inspector-core/display-clock.ts';
import { DIRECTION_WORDS, formatBytes } from '../../inspector-core/event-summary.ts';
import { rawFrameText } from '../../inspector-core/raw-frame-text.ts';
import { JsonTree } from './json-tree.tsx';

type DetailTab = 'payload' | 'raw' | 'diff';

export interface EventDetailProps {
  ev: LogEvent;
  history: EventHistory;
  displayMs: number;
  /** The event marked for Diff, if any. */
  marked: LogEvent | null;
  pinned: boolean;
  onMark(seq: number | null): void;
  onPin(seq: number): void;
  onCopyPayload(ev: LogEvent): void;
  onCopyJson(ev: LogEvent): void;
  copied: string | null;
  onJump(seq: number): void;
  onClose(): void;
}

export function EventDetail({ ev, history, displayMs, marked, pinned, onMark, onPin, onCopyPayload, onCopyJson, copied, onJump, onClose }: EventDetailProps) {
  const uid = useId();
  const [tab, setTab] = useState<DetailTab>('payload');
  const canDiff = marked !== null && marked.seq !== ev.seq;
  const shown: DetailTab = tab === 'diff' && !canDiff ? 'payload' : tab;
  const raw = useMemo(() => rawFrameText(ev), [ev]);
  const frames = ev.sourceFrameIds?.length ? history.framesFor(ev) : [];
  const rtvi = ev.source === 'raw' && ev.frameId !== undefined ? history.rtviFor(ev.frameId, ev.session) : [];
  const ownStamp = Math.round(ev.t);
  const tabs: Array<[DetailTab, string]> = [
    ['payload', 'Payload'],
    ['raw', 'Raw'],
    ...(canDiff ? ([['diff', 'Diff']] as Array<[DetailTab, string]>) : []),
  ];
  return (
    <section className="insp-detail" aria-label="Event detail">
      <div className="insp-detail-head">
        <code className="insp-type-label">{ev.type}</code>
        <span className="insp-muted">
          #{ev.seq} · {formatWallClock(ev.wall)} · {formatSinceConnect(displayMs)} since Connect {ev.session}
          {ownStamp !== displayMs ? ` (stamped ${ownStamp} ms)` : ''} · {DIRECTION_WORDS[ev.direction]}
          {ev.bytes !== undefined ? ` · ${formatBytes(ev.bytes)} on wire` : ''}
        </span>
      </div>
      <div className="insp-toolbar">
        <button type="button" onClick={() => onCopyPayload(ev)}>
          {copied === 'payload' ? 'Copied payload' : 'Copy payload'}
        </button>
        <button type="button" onClick={() => onCopyJson(ev)}>
          {copied === 'json' ? 'Copied as JSON' : 'Copy as JSON'}
        </button>
        <button type="button" aria-pressed={pinned} onClick={() => onPin(ev.seq)}>
          Pin this event
        </button>
        <button type="button" aria-pressed={marked?.seq === ev.seq} onClick={() => onMark(marked?.seq === ev.seq ? null : ev.seq)}>
          Mark for diff
        </button>
        <button type="button" onClick={onClose}>
          Close event detail
        </button>
      </div>
      {(frames.length > 0 || rtvi.length > 0) && (
        <p className="insp-detail-links">
          Tied to:{' '}
          {frames.map((f) => (
            <button key={f.seq} type="button" className="insp-link" onClick={() => onJump(f.seq)}>
              {`raw frame ${f.frameId} (${f.type})`}
            </button>
          ))}
          {rtvi.map((r) => (
            <button key={r.seq} type="button" className="insp-link" onClick={() => onJump(r.seq)}>
              {`RTVI ${r.type} #${r.seq}`}
            </button>
          ))}
        </p>
      )}
      {marked && !canDiff && <p className="insp-muted">Marked for diff: select another event to compare it with this one.</p>}
      <div role="tablist" aria-label="Event detail view" className="insp-tabs">
        {tabs.map(([t, label]) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`${uid}-tab-${t}`}
            aria-selected={shown === t}
            aria-controls={`${uid}-panel`}
            tabIndex={shown === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              e.preventDefault();
              const i = tabs.findIndex(([x]) => x === shown);
              const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length][0];
              setTab(next);
              document.getElementById(`${uid}-tab-${next}`)?.focus();
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${uid}-panel`} aria-labelledby={`${uid}-tab-${shown}`} className="insp-detail-body" tabIndex={0}>
        {shown === 'payload' && (ev.data === undefined ? <p className="insp-muted">No payload.</p> : <JsonTree value={ev.data} openDepth={3} />)}
        {shown === 'raw' && (
          <>
            <p className="insp-muted">{raw.notes.length ? raw.notes.join(' ') : 'The frame exactly as sent.'}</p>
            <pre className="insp-raw">{raw.text}</pre>
          </>
        )}
        {shown === 'diff' && marked && <DiffTable a={marked} b={ev} />}
      </div>
    </section>
  );
}

function DiffTable({ a, b }: { a: LogEvent; b: LogEvent }) {
  const entries = useMemo(() => diffJson(comparablePayload(a.data), comparablePayload(b.data)), [a, b]);
  return (
    <>
      <p>
        <code>
          {a.type} #{a.seq}
        </code>{' '}
        against{' '}
        <code>
          {b.type} #{b.seq}
        </code>
        : {entries.length === 0 ? 'no differences (event ids aside).' : `${entries.length} difference${entries.length === 1 ? '' : 's'}.`}
      </p>
      {entries.length > 0 && (
        <table className="insp-diff">
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">#{a.seq}</th>
              <th scope="col">#{b.seq}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((d) => (
              <tr key={d.path} className={`insp-diff-${d.kind}`}>
                <th scope="row">
                  <code>{d.path}</code>
                </th>
                <td>{d.kind === 'added' ? '—' : short(d.before)}</td>
                <td>{d.kind === 'removed' ? '—' : short(d.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function short(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}
