import type { LogEvent } from '../shared/log-event.ts';

/**
 * Noise control: runs of audio deltas and transcript deltas collapse into one expandable group.
 * Providers interleave them (OpenAI sends transcript and audio deltas alternately, and each
 * transcript delta also yields an RTVI bot-tts-text), so a run of one kind continues across rows of
 * other groupable kinds and ends only at a row that is not groupable.
 */
export type GroupKind = 'audio' | 'transcript' | 'failure';

export interface EventGroup {
  kind: 'group';
  groupKind: GroupKind;
  /** Stable while the group lives: the seq of its first row. */
  key: string;
  type: string;
  direction: LogEvent['direction'];
  source: LogEvent['source'];
  events: LogEvent[];
  /** Sum of the audio summaries' durations (audio groups). */
  audioMs: number;
  audioBytes: number;
  /** Last row's t minus the first's. */
  spanMs: number;
  /** Assembled transcript (transcript groups); the failure's message (failure groups). */
  text: string;
}

export interface SingleEvent {
  kind: 'event';
  key: string;
  event: LogEvent;
}

export type DisplayItem = SingleEvent | EventGroup;

interface Classification {
  groupKind: GroupKind;
  /** How a transcript row contributes: appended delta, or the whole text so far. */
  textMode?: 'delta' | 'so-far';
  text?: string;
}

/** Shared by every audio row: classification runs per row on every regroup, so it must not allocate. */
const AUDIO: Classification = Object.freeze({ groupKind: 'audio' });
// loopback.audio: Loopback's microphone chunks (synthetic frames, one per capture chunk, like an append).
export const AUDIO_TYPES: ReadonlySet<string> = new Set(['response.output_audio.delta', 'response.audio.delta', 'input_audio_buffer.append', 'loopback.audio']);
const TRANSCRIPT_DELTA_TYPES = new Set(['response.output_audio_transcript.delta', 'response.audio_transcript.delta', 'conversation.item.input_audio_transcription.delta', 'response.output_text.delta']);

/** Whether (and how) a row joins a group; null for rows that always stand alone. */
export function classifyEvent(ev: LogEvent): Classification | null {
  const kind = classifyInto(ev);
  if (kind === null) return null;
  return kind === 'audio' ? AUDIO : { groupKind: kind, textMode: scratch.textMode, text: scratch.text };
}

/** The group kind of a row, without allocating (the `Hide audio frames` filter runs it per row). */
export function groupKindOf(ev: LogEvent): GroupKind | null {
  return classifyInto(ev);
}

/**
 * classifyEvent without allocating: the grouper classifies every row on every regroup (100k rows
 * when `Filter events` is cleared), and a result object per transcript row was a large share of
 * that work and of the garbage it left. A transcript row's text and mode land in `scratch`.
 */
const scratch: { textMode: 'delta' | 'so-far'; text: string } = { textMode: 'delta', text: '' };

function transcript(textMode: 'delta' | 'so-far', text: string): GroupKind {
  scratch.textMode = textMode;
  scratch.text = text;
  return 'transcript';
}

/**
 * A failed attempt or a session that died makes several rows (the transport's `error` state, the
 * RTVI `error`, the host's `host-error`, the teardown's `disconnecting`/`disconnected`): they fold
 * into one failure row. The teardown states join only an open failure run (see EventGrouper.add).
 */
function isFailureRow(ev: LogEvent): boolean {
  if (ev.source === 'transport') return ev.type === 'host-error' || (ev.type === 'transport-state' && stateOf(ev) === 'error');
  return ev.source === 'rtvi' && ev.type === 'error' && (ev.data as { fatal?: unknown } | null)?.fatal === true;
}

function isTeardownRow(ev: LogEvent): boolean {
  if (ev.source !== 'transport' || ev.type !== 'transport-state') return false;
  const s = stateOf(ev);
  return s === 'disconnecting' || s === 'disconnected';
}

function stateOf(ev: LogEvent): unknown {
  return (ev.data as { state?: unknown } | null)?.state;
}

function failureMessage(ev: LogEvent): string {
  const d = (ev.data ?? {}) as { message?: unknown; error?: unknown };
  return typeof d.message === 'string' ? d.message : typeof d.error === 'string' ? d.error : '';
}

function classifyInto(ev: LogEvent): GroupKind | null {
  if (isFailureRow(ev)) {
    scratch.textMode = 'so-far';
    scratch.text = failureMessage(ev);
    return 'failure';
  }
  if (ev.source === 'raw') {
    if (AUDIO_TYPES.has(ev.type)) return 'audio';
    if (TRANSCRIPT_DELTA_TYPES.has(ev.type)) return transcript('delta', str((ev.data as { delta?: unknown } | null)?.delta));
    if (ev.type === 'realtimeInput') return isGeminiAudioInput(ev.data) || ev.audio ? 'audio' : null;
    if (ev.type === 'serverContent') {
      const c = classifyGeminiServerContent(ev);
      if (c === null || c === AUDIO) return c && 'audio';
      return transcript(c.textMode ?? 'delta', c.text ?? '');
    }
    return null;
  }
  if (ev.source === 'rtvi') {
    const data = (ev.data ?? {}) as Record<string, unknown>;
    if (ev.type === 'bot-tts-text') return transcript('delta', str(data.text));
    if (ev.type === 'user-transcription' && data.final !== true) return transcript('so-far', str(data.text));
  }
  return null;
}

function isGeminiAudioInput(data: unknown): boolean {
  const ri = unwrap(data, 'realtimeInput');
  if (!ri) return false;
  const keys = Object.keys(ri);
  return keys.length === 1 && (keys[0] === 'audio' || keys[0] === 'mediaChunks');
}

/** serverContent carrying only audio parts, or only an output/input transcription piece. */
function classifyGeminiServerContent(ev: LogEvent): Classification | null {
  const sc = unwrap(ev.data, 'serverContent');
  if (!sc) return null;
  const keys = Object.keys(sc);
  if (keys.length === 1 && keys[0] === 'modelTurn') {
    const parts = (sc.modelTurn as { parts?: unknown } | null)?.parts;
    if (Array.isArray(parts) && parts.length > 0 && parts.every((p) => p && typeof p === 'object' && 'inlineData' in p && !('text' in p))) return AUDIO;
    return null;
  }
  if (keys.length === 1 && (keys[0] === 'outputTranscription' || keys[0] === 'inputTranscription')) {
    const tr = sc[keys[0]] as { text?: unknown; finished?: unknown } | null;
    if (tr && tr.finished !== true) return { groupKind: 'transcript', textMode: 'delta', text: str(tr.text) };
  }
  return null;
}

/** Frame payloads may be the message itself (`{serverContent: …}`) or already unwrapped. */
function unwrap(data: unknown, field: string): Record<string, unknown> | null {
  if (!data || typeof data !== 'object') return null;
  const inner = (data as Record<string, unknown>)[field];
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as Record<string, unknown>;
  return null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A run still accepting rows. Rows join it when kind, source, direction, type and session all match. */
interface OpenRun {
  item: EventGroup | SingleEvent;
  index: number;
  groupKind: GroupKind;
  source: LogEvent['source'];
  direction: LogEvent['direction'];
  type: string;
  session: number;
  /** The first row's transcript text, kept until a second row makes the run a group. */
  text: string;
}

/**
 * Groups filtered rows incrementally: append new rows with `append`, drop rows the history trimmed
 * with `trimFront`, or rebuild with `reset`. `items` is mutated in place; `revision` changes on
 * every change so renderers can tell.
 */
export class EventGrouper {
  readonly items: DisplayItem[] = [];
  revision = 0;
  /**
   * Runs still accepting rows, with their index in `items` (a lone row becomes a group in place).
   * A handful at most (one per interleaved kind), so a linear scan beats building and hashing a
   * string key per row, which dominated regrouping 100k rows on a keystroke.
   */
  private open: OpenRun[] = [];
  reset(rows: readonly LogEvent[]): void {
    this.items.length = 0;
    this.open.length = 0;
    this.append(rows, 0);
  }

  /** Appends rows[from…] (the filter's newly appended rows). */
  append(rows: readonly LogEvent[], from: number): void {
    for (let i = from; i < rows.length; i++) this.add(rows[i]);
    this.revision++;
  }

  /**
   * Removes rows the history dropped (the oldest filtered rows, as IncrementalFilter reports them).
   * Groups interleave, so the dropped rows can sit in several leading items; items past the first
   * one whose first row survives hold only newer rows.
   */
  trimFront(removed: readonly LogEvent[]): void {
    if (removed.length === 0) return;
    const gone = new Set(removed);
    let removeItems = 0;
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (it.kind === 'event') {
        if (!gone.has(it.event)) break;
        removeItems = i + 1;
        continue;
      }
      if (!gone.has(it.events[0])) break;
      let k = 0;
      while (k < it.events.length && gone.has(it.events[k])) {
        it.audioMs -= it.events[k].audio?.durationMs ?? 0;
        it.audioBytes -= it.events[k].audio?.bytes ?? 0;
        k++;
      }
      it.events.splice(0, k);
      if (it.events.length === 0) removeItems = i + 1;
      else it.spanMs = it.events[it.events.length - 1].t - it.events[0].t;
    }
    // Emptied groups are only ever a prefix: a group's rows are newer than every earlier item's first row.
    this.items.splice(0, removeItems);
    for (const run of this.open) run.index -= removeItems;
    this.open = this.open.filter((run) => run.index >= 0);
    this.revision++;
  }

  private add(ev: LogEvent): void {
    let groupKind = classifyInto(ev);
    if (groupKind === null && isTeardownRow(ev) && this.open.some((r) => r.groupKind === 'failure' && r.session === ev.session)) {
      groupKind = 'failure';
      scratch.textMode = 'so-far';
      scratch.text = '';
    }
    if (groupKind === null) {
      if (this.open.length > 0) this.open.length = 0;
      this.items.push({ kind: 'event', key: String(ev.seq), event: ev });
      return;
    }
    // Read before anything else classifies: `scratch` belongs to the last classified row.
    const textMode = scratch.textMode;
    const text = groupKind === 'transcript' || groupKind === 'failure' ? scratch.text : '';
    let run: OpenRun | undefined;
    for (const r of this.open) {
      // A failure folds rows of several types and sources; other runs keep to one type.
      if (r.groupKind === 'failure' ? groupKind === 'failure' && r.session === ev.session : r.groupKind === groupKind && r.type === ev.type && r.direction === ev.direction && r.source === ev.source && r.session === ev.session) {
        run = r;
        break;
      }
    }
    if (!run) {
      const item: SingleEvent = { kind: 'event', key: String(ev.seq), event: ev };
      this.open.push({ item, index: this.items.length, groupKind, source: ev.source, direction: ev.direction, type: ev.type, session: ev.session, text });
      this.items.push(item);
      return;
    }
    let group: EventGroup;
    if (run.item.kind === 'event') {
      const first = run.item.event;
      group = { kind: 'group', groupKind, key: `g${first.seq}`, type: first.type, direction: first.direction, source: first.source, events: [first], audioMs: first.audio?.durationMs ?? 0, audioBytes: first.audio?.bytes ?? 0, spanMs: 0, text: run.text };
      this.items[run.index] = group;
      run.item = group;
    } else {
      group = run.item;
    }
    group.events.push(ev);
    group.audioMs += ev.audio?.durationMs ?? 0;
    group.audioBytes += ev.audio?.bytes ?? 0;
    group.spanMs = ev.t - group.events[0].t;
    if (groupKind === 'transcript') group.text = textMode === 'so-far' ? text : group.text + text;
    if (groupKind === 'failure') {
      // The host's own row names the failure best (its message holds the provider's code and reason).
      if (ev.type === 'host-error' || (group.text === '' && text !== '')) group.text = text || group.text;
      if (ev.type === 'host-error') group.type = ev.type;
      group.direction = 'local';
    }
  }
}

/** One-shot grouping of a list of rows. */
export function groupEvents(rows: readonly LogEvent[]): DisplayItem[] {
  const g = new EventGrouper();
  g.reset(rows);
  return g.items;
}
