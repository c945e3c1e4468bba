/**
 * RecordingView: a recording opened in the panel. The timeline above the same event log the live
 * session uses, read-only: choosing a point on the timeline reveals the nearest event in the log
 * (selected, scrolled to, focus left on the playhead); selecting an event in the log marks it on
 * the timeline.
 *
 * Props:
 * - `recording: Recording` — the whole recording in memory (meta, events, audio).
 * - `onExport?()` — `Export events` in the log; omitted: the recording's events are downloaded as
 *   the event log's JSONL (no key is in a recording; the export's redaction pass runs anyway).
 * - `heading?: boolean` — show the recording's name as a heading (default true).
 * - `initialMs?: number` — where the playhead starts (a voice test's failure).
 */
import { useCallback, useState } from 'react';
import type { Recording } from '../../recordings/recording-format.ts';
import { EventLog } from '../inspector/event-log.tsx';
import { downloadTextFile } from '../inspector/download-file.ts';
import { exportFileName, exportJsonl } from '../../inspector-core/jsonl-export.ts';
import { Timeline } from './timeline.tsx';
import { formatClock } from './timeline-viewport.ts';
import './timeline.css';

export interface RecordingViewProps {
  recording: Recording;
  onExport?(): void;
  heading?: boolean;
  initialMs?: number;
}

export function RecordingView({ recording, onExport, heading = true, initialMs }: RecordingViewProps) {
  const [jump, setJump] = useState<{ seq: number; focus: boolean } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const onReveal = useCallback((seq: number) => setJump({ seq, focus: false }), []);
  const { meta } = recording;
  const exportEvents = useCallback(() => {
    const appVersion = (globalThis as { chrome?: { runtime?: { getManifest?(): { version: string } } } }).chrome?.runtime?.getManifest?.().version ?? 'unknown';
    downloadTextFile(exportFileName(meta.adapterId), exportJsonl({ adapter: meta.adapterId, model: meta.model ?? null, settings: meta.settings, appVersion, events: recording.events }));
  }, [recording, meta]);
  return (
    <div className="recording-view">
      {heading && (
        <header>
          <h2 className="recording-view-title">{meta.name}</h2>
          <p className="timeline-summary">
            {[meta.adapterId, meta.model, meta.preset].filter(Boolean).join(' · ')} · {new Date(meta.createdAt).toLocaleString()} · {formatClock(meta.durationMs)} · {meta.turns} turns{meta.complete ? '' : ' · cut short'}
          </p>
        </header>
      )}
      <Timeline recording={recording} selectedSeq={selected} onReveal={onReveal} {...(initialMs !== undefined ? { initialMs } : {})} />
      <EventLog events={recording.events} readOnly onExport={onExport ?? exportEvents} jumpRequest={jump} onSelectedChange={setSelected} />
    </div>
  );
}

