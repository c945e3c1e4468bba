import type { LogEvent } from '../shared/log-event.ts';

/**
 * The shape of a recording, shared by the recorder, the IndexedDB store, the export file, the
 * timeline, replay and compare. One clock: every `t` below is ms since the session's connect()
 * call, the same clock as `LogEvent.t`, so audio and events line up without conversion.
 *
 * Bump RECORDING_FORMAT_VERSION on any change an older reader would misread; import refuses a
 * version it does not know.
 */
export const RECORDING_FORMAT_VERSION = 1;

export type RecordingOrigin = 'session' | 'replay' | 'test';

/** The two voices, each its own track. */
export type TrackId = 'mic' | 'bot';

export interface RecordingMeta {
  id: string;
  /** User-editable; defaults to the date and adapter. */
  name: string;
  /** Wall-clock ms at connect(). */
  createdAt: number;
  adapterId: string;
  model?: string;
  preset?: string;
  /** Last `t` seen (events or audio), updated as the recording is written. */
  durationMs: number;
  /** Bot replies (one cut off by a barge-in counts too). */
  turns: number;
  /** Stored bytes (events + audio), what the storage budget counts. */
  sizeBytes: number;
  /** A kept recording is never evicted by the storage budget. */
  keep: boolean;
  origin: RecordingOrigin;
  /** For replays: the recording it replayed. */
  sourceId?: string;
  /** False while recording, and after a crash cut it short (the data up to the cut is kept). */
  complete: boolean;
  /** The session settings at connect (and as applied later, in events): never a key. */
  settings: Record<string, unknown>;
  formatVersion: number;
}

/**
 * One stored piece of a track. `data` is what the codec produced, stored and exported as is, so
 * export → import gives back byte-identical tracks.
 */
export interface AudioChunk {
  track: TrackId;
  /** Increasing per track from 0. */
  seq: number;
  /** ms on the recording clock of the chunk's first sample. */
  t: number;
  sampleRate: number;
  /** Samples (per channel, mono) the chunk decodes to. */
  samples: number;
  codec: 'pcm16' | 'opus';
  data: Uint8Array;
}

/** Events are the event log's rows, as the session host records them (keys already redacted). */
export type RecordedEvent = LogEvent;

/** A recording, whole, in memory (for export, timeline and compare). */
export interface Recording {
  meta: RecordingMeta;
  events: RecordedEvent[];
  audio: AudioChunk[];
}
