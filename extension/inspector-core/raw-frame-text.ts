import type { LogEvent } from '../shared/log-event.ts';

/**
 * The Raw tab of the event detail: a provider frame's text as the wire carried it, rebuilt as compact
 * JSON from the recorded payload. The recording never holds audio bytes or secrets, so the text says
 * where it differs from what was sent: audio payloads stand as their summary
 * (`{bytes, durationMs, sampleRate}`) and secrets as `[redacted]`.
 */
export interface RawFrameText {
  text: string;
  /** Sentences naming what was replaced; empty when the text is the frame exactly as sent. */
  notes: string[];
  /** True for provider frames; RTVI and transport rows show the message the client handled. */
  isWireFrame: boolean;
}

export const REDACTED = '[redacted]';

export function rawFrameText(ev: LogEvent): RawFrameText {
  const isWireFrame = ev.source === 'raw';
  const body = isWireFrame ? ev.data : { type: ev.type, data: ev.data };
  const text = safeStringify(body);
  const notes: string[] = [];
  if (ev.audio || containsAudioSummary(ev.data)) notes.push('Audio payloads are replaced by their summary (bytes, duration, sample rate).');
  if (text.includes(REDACTED)) notes.push(`Secrets show as ${REDACTED}.`);
  if (ev.malformed) notes.push('The frame did not parse; this is the text as received.');
  // The recording keeps the parsed payload, not the wire text: where nothing was replaced but the
  // sizes differ (Gemini sends indented JSON, for one), say that only the layout differs.
  else if (isWireFrame && notes.length === 0 && typeof ev.bytes === 'number' && ev.bytes > 0 && ev.bytes !== new TextEncoder().encode(text).length) {
    notes.push(`Re-serialised from the recorded payload: the frame on the wire was ${ev.bytes} bytes, this text is ${new TextEncoder().encode(text).length}; only whitespace or escaping differ.`);
  }
  if (!isWireFrame) notes.push(ev.source === 'rtvi' ? 'An RTVI message made by the client, not a wire frame.' : 'A row recorded by the session host, not a wire frame.');
  return { text, notes, isWireFrame };
}

/** Payload copy (`Copy payload`): the payload alone, pretty-printed. */
export function payloadText(ev: LogEvent): string {
  return ev.data === undefined ? '' : safeStringify(ev.data, 2);
}

/** Row copy (`Copy as JSON`): the whole row as exported, pretty-printed. */
export function rowJsonText(ev: LogEvent): string {
  return safeStringify(ev, 2);
}

function containsAudioSummary(v: unknown, depth = 0): boolean {
  if (!v || typeof v !== 'object' || depth > 6) return false;
  if (Array.isArray(v)) return v.some((x) => containsAudioSummary(x, depth + 1));
  const o = v as Record<string, unknown>;
  if (typeof o.bytes === 'number' && typeof o.durationMs === 'number' && typeof o.sampleRate === 'number') return true;
  return Object.values(o).some((x) => containsAudioSummary(x, depth + 1));
}

function safeStringify(v: unknown, space?: number): string {
  try {
    return JSON.stringify(v, null, space) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * The detail pane opens the payload, not the row's envelope (seq, wall, frameId): a provider frame
 * is its payload; an RTVI row's payload is its data.
 */
export function detailPayload(ev: LogEvent): unknown {
  return ev.data;
}
