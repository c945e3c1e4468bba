import type { LogEvent } from '../shared/log-event.ts';
import { SessionMetricsAccumulator, type TurnMetrics } from '../inspector-core/session-metrics.ts';
import { isAudioFrame, isErrorEvent } from '../inspector-core/event-category.ts';
import type { AudioChunk, Recording, TrackId } from './recording-format.ts';
import { PeakPyramid } from './peak-pyramid.ts';

/**
 * What the timeline draws, derived from a recording (or fed incrementally by a live session):
 * both voices' peaks, who spoke when, markers (barge-ins, tool calls, errors) and per-turn latency
 * spans. Pure: no DOM, no audio context; opus chunks are decoded by the caller (see
 * audio-chunk-decode.ts) and handed in as samples.
 */
export type MarkerKind = 'barge-in' | 'tool' | 'error';

export interface TimelineMarker {
  kind: MarkerKind;
  t: number;
  /** The event it comes from (what the event log reveals). */
  seq: number;
  /** Plain words for lists and screen readers: "Barge-in", "Tool get_weather", "Error: …". */
  label: string;
}

/** A closed or open span on the connect clock; `end` null while still open. */
export interface SpeakingSpan {
  start: number;
  end: number | null;
}

/** User stopped speaking → bot audio heard (the metrics card's voice-to-voice). */
export interface LatencySpan {
  turn: number;
  start: number;
  end: number;
  ms: number;
}

const SPEAKING: Record<string, { who: 'user' | 'bot'; start: boolean }> = {
  'user-started-speaking': { who: 'user', start: true },
  'user-stopped-speaking': { who: 'user', start: false },
  'bot-started-speaking': { who: 'bot', start: true },
  'bot-stopped-speaking': { who: 'bot', start: false },
};

/** RTVI rows that announce a tool call (one per call: the wire's own frames are not counted again). */
const TOOL_CALL_TYPES = new Set(['llm-function-call-in-progress', 'llm-function-call']);

export class TimelineModel {
  readonly peaks: Record<TrackId, PeakPyramid> = { mic: new PeakPyramid(), bot: new PeakPyramid() };
  readonly speaking: Record<'user' | 'bot', SpeakingSpan[]> = { user: [], bot: [] };
  readonly markers: TimelineMarker[] = [];
  /** Events' `t` and `seq`, for "the event nearest t" (rows that are not audio frames). */
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly metrics: SessionMetricsAccumulator;
  private readonly toolIds = new Set<string>();
  private lastBargeIn = -Infinity;
  /** Largest `t` seen in events or audio. */
  endMs = 0;
  /** Bumped on every change. */
  revision = 0;

  constructor(readonly session: number | null = null) {
    this.metrics = new SessionMetricsAccumulator(session);
  }

  static fromRecording(rec: Recording): TimelineModel {
    const m = new TimelineModel(rec.events[0]?.session ?? null);
    m.addEvents(rec.events);
    for (const c of rec.audio) if (c.codec === 'pcm16') m.addPcm16Chunk(c);
    m.endMs = Math.max(m.endMs, rec.meta.durationMs);
    return m;
  }

  /** Feeds events in arrival order (a live session calls this with each new batch). */
  addEvents(events: Iterable<LogEvent>): void {
    for (const ev of events) this.addEvent(ev);
    this.revision++;
  }

  private addEvent(ev: LogEvent): void {
    if (this.session !== null && ev.session !== this.session) return;
    if (ev.t > this.endMs) this.endMs = ev.t;
    this.metrics.add(ev);
    // Fast path for the bulk of a recording (50 audio frames a second each way): a raw frame
    // carrying audio is neither a speaking, tool nor error row, and the log hides it. Only the
    // metrics (first provider audio of a turn) read it.
    if (ev.source === 'raw' && ev.audio !== undefined && !ev.malformed && isAudioFrame(ev)) return;
    if (!isAudioFrame(ev)) {
      this.times.push(ev.t);
      this.seqs.push(ev.seq);
    }
    const sp = ev.source === 'rtvi' ? SPEAKING[ev.type] : undefined;
    if (sp) {
      const spans = this.speaking[sp.who];
      const open = spans.length > 0 && spans[spans.length - 1].end === null ? spans[spans.length - 1] : null;
      if (sp.start && !open) spans.push({ start: ev.t, end: null });
      else if (!sp.start && open) open.end = Math.max(open.start, ev.t);
    }
    if (ev.source === 'rtvi' && TOOL_CALL_TYPES.has(ev.type)) {
      const d = (ev.data ?? {}) as { function_name?: unknown; tool_call_id?: unknown };
      const id = typeof d.tool_call_id === 'string' ? d.tool_call_id : `#${ev.seq}`;
      if (!this.toolIds.has(id)) {
        this.toolIds.add(id);
        const name = typeof d.function_name === 'string' ? d.function_name : 'call';
        this.markers.push({ kind: 'tool', t: ev.t, seq: ev.seq, label: `Tool ${name}` });
      }
    }
    // Errors as the event log's `Errors` chip finds them, but raw error frames only where no RTVI
    // row was made from them (an adapter that maps it yields an RTVI `error` too).
    if (isErrorEvent(ev) && !(ev.source === 'raw' && ev.frameId !== undefined)) {
      const msg = errorText(ev.data);
      this.markers.push({ kind: 'error', t: ev.t, seq: ev.seq, label: msg ? `Error: ${msg}` : `Error ${ev.type}` });
    }
    // Barge-in: the accumulator marks the speaking turn interrupted (user speech, or the provider's
    // own interruption frame, while the bot was heard). One marker per interrupted turn.
    const turns = this.metrics.turns;
    const last = turns[turns.length - 1];
    if (last && last.interruptedAt !== null && last.interruptedAt > this.lastBargeIn) {
      this.lastBargeIn = last.interruptedAt;
      this.markers.push({ kind: 'barge-in', t: last.interruptedAt, seq: ev.seq, label: 'Barge-in' });
    }
  }

  /** `stride` > 1: a quick approximate pass (see PeakPyramid.addPcm16); add again with 1 for exact peaks. */
  addPcm16Chunk(c: AudioChunk, stride = 1): void {
    this.peaks[c.track].addPcm16(c.t, c.sampleRate, c.data, stride);
    const end = c.t + (c.samples / c.sampleRate) * 1000;
    if (end > this.endMs) this.endMs = end;
    this.revision++;
  }

  addDecoded(track: TrackId, t: number, sampleRate: number, samples: Float32Array): void {
    this.peaks[track].addFloat(t, sampleRate, samples);
    const end = t + (samples.length / sampleRate) * 1000;
    if (end > this.endMs) this.endMs = end;
    this.revision++;
  }

  /** A live level reading (the panel's meters), when the audio itself is not in this page. */
  addLevel(track: TrackId, t: number, spanMs: number, level: number): void {
    this.peaks[track].addLevel(t, spanMs, level);
    if (t + spanMs > this.endMs) this.endMs = t + spanMs;
    this.revision++;
  }

  /** Per-turn latency, as the metrics card computes it (SessionMetricsAccumulator). */
  latencySpans(): LatencySpan[] {
    return latencySpansOf(this.metrics.turns);
  }

  /** Markers sorted by time (they arrive nearly sorted; barge-ins can be stamped a little earlier). */
  sortedMarkers(): TimelineMarker[] {
    return [...this.markers].sort((a, b) => a.t - b.t || a.seq - b.seq);
  }

  /** The seq of the (non-audio-frame) event nearest `t`, or null when there is none. */
  nearestEventSeq(t: number): number | null {
    const i = nearestIndex(this.times, t);
    return i === null ? null : this.seqs[i];
  }

  /** `t` of the event with this seq, or null (binary search: seqs increase). */
  timeOfSeq(seq: number): number | null {
    let lo = 0;
    let hi = this.seqs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.seqs[mid];
      if (s === seq) return this.times[mid];
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
}

export function latencySpansOf(turns: readonly TurnMetrics[]): LatencySpan[] {
  const out: LatencySpan[] = [];
  for (const t of turns) {
    if (t.userStoppedAt === null || t.botStartedAt === null || t.voiceToVoiceMs === null) continue;
    out.push({ turn: t.turn, start: t.userStoppedAt, end: t.botStartedAt, ms: t.voiceToVoiceMs });
  }
  return out;
}

/** Index of the value nearest `t` in an ascending-ish list (events' `t` may step back a little). */
export function nearestIndex(times: readonly number[], t: number): number | null {
  if (times.length === 0) return null;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) return lo - 1;
  return lo;
}

function errorText(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  const m = d.message ?? d.error ?? (d.data as Record<string, unknown> | undefined)?.message;
  if (typeof m === 'string') return m.length > 80 ? `${m.slice(0, 79)}…` : m;
  if (m && typeof m === 'object' && typeof (m as { message?: unknown }).message === 'string') return errorText(m);
  return null;
}
