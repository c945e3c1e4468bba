import type { LogEvent } from '../shared/log-event.ts';
import { SecretScrubber } from '../../src/transport/secret-scrubber.ts';

/** First line of an exported session. */
export interface SessionHeader {
  type: 'session';
  adapter: string;
  model: string | null;
  /** The session's settings with secret fields removed. */
  settings: Record<string, unknown>;
  /** ISO 8601. */
  exportedAt: string;
  appVersion: string;
  eventCount: number;
  /** Rows the history had dropped before export (the file is then not the whole session). */
  dropped?: number;
}

export interface ExportInput {
  adapter: string;
  model?: string | null;
  settings?: Record<string, unknown>;
  appVersion: string;
  events: Iterable<LogEvent>;
  /** Exact secrets known to the caller (the API key, a minted token): redacted wherever they occur. */
  secrets?: ReadonlyArray<string | null | undefined>;
  dropped?: number;
  now?: Date;
}

/** Settings fields that hold credentials; dropped from the header, not merely redacted. */
const SECRET_SETTING = /^(api[-_]?key|key|token|access[-_]?token|secret|client[-_]?secret|authorization|password|bearer)$/i;

function settingsWithoutSecrets(settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) if (!SECRET_SETTING.test(k)) out[k] = v;
  return out;
}

/**
 * Serialises a session as JSONL: a `"type":"session"` header, then one event per line. Every
 * line gets a final redaction pass, so a key that slipped into a payload, a URL query or an
 * `openai-insecure-api-key.` subprotocol is gone from the file.
 */
export function exportJsonl(input: ExportInput): string {
  const scrubber = new SecretScrubber();
  for (const s of input.secrets ?? []) scrubber.add(s ?? undefined);
  const events = [...input.events];
  const header: SessionHeader = {
    type: 'session',
    adapter: input.adapter,
    model: input.model ?? null,
    settings: settingsWithoutSecrets(input.settings ?? {}),
    exportedAt: (input.now ?? new Date()).toISOString(),
    appVersion: input.appVersion,
    eventCount: events.length,
    ...(input.dropped ? { dropped: input.dropped } : {}),
  };
  const lines: string[] = [redactLine(header, scrubber)];
  for (const ev of events) lines.push(redactLine(ev, scrubber));
  return lines.join('\n') + '\n';
}

function redactLine(value: unknown, scrubber: SecretScrubber): string {
  // Deep pass first (credential-named fields, strings), then the serialised line as text, which
  // also reaches object keys and anything a value's toJSON produced.
  return scrubber.scrubText(JSON.stringify(scrubber.scrub(value)));
}

/** A session read from a file: read-only. */
export interface ImportedSession {
  readonly header: Readonly<SessionHeader>;
  readonly events: readonly LogEvent[];
}

export type ParseJsonlResult = { ok: true; session: ImportedSession } | { ok: false; line: number; error: string };

const SOURCES = new Set(['rtvi', 'raw', 'transport']);
const DIRECTIONS = new Set(['in', 'out', 'local']);

/**
 * Validates an exported file line by line. On the first problem it returns the 1-based line and a
 * reason, and nothing of the file is used. Blank lines are ignored.
 */
export function parseJsonl(text: string): ParseJsonlResult {
  const lines = text.split(/\r?\n/);
  let header: SessionHeader | null = null;
  const events: LogEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return { ok: false, line: lineNo, error: `Line ${lineNo}: not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
    }
    if (header === null) {
      const problem = headerProblem(value);
      if (problem) return { ok: false, line: lineNo, error: `Line ${lineNo}: ${problem}` };
      header = value as SessionHeader;
      continue;
    }
    const problem = eventProblem(value);
    if (problem) return { ok: false, line: lineNo, error: `Line ${lineNo}: ${problem}` };
    events.push(Object.freeze(value as LogEvent));
  }
  if (header === null) return { ok: false, line: 1, error: 'Line 1: the file is empty; expected a "type":"session" line.' };
  return { ok: true, session: Object.freeze({ header: Object.freeze(header), events: Object.freeze(events) }) };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headerProblem(v: unknown): string | null {
  if (!isObj(v) || v.type !== 'session') return 'expected the first line to be an object with "type":"session".';
  if (typeof v.adapter !== 'string') return 'session line: "adapter" must be a string.';
  if (v.model !== undefined && v.model !== null && typeof v.model !== 'string') return 'session line: "model" must be a string or null.';
  if (v.settings !== undefined && !isObj(v.settings)) return 'session line: "settings" must be an object.';
  if (v.exportedAt !== undefined && typeof v.exportedAt !== 'string') return 'session line: "exportedAt" must be a string.';
  return null;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function eventProblem(v: unknown): string | null {
  if (!isObj(v)) return 'expected an event object.';
  if (v.type === 'session') return 'a second "type":"session" line; one file holds one session.';
  for (const k of ['seq', 'session', 't', 'wall'] as const) if (!isNum(v[k])) return `event field "${k}" must be a number.`;
  if (typeof v.source !== 'string' || !SOURCES.has(v.source)) return 'event field "source" must be "rtvi", "raw" or "transport".';
  if (typeof v.direction !== 'string' || !DIRECTIONS.has(v.direction)) return 'event field "direction" must be "in", "out" or "local".';
  if (typeof v.type !== 'string' || v.type === '') return 'event field "type" must be a non-empty string.';
  if (v.bytes !== undefined && !isNum(v.bytes)) return 'event field "bytes" must be a number.';
  if (v.frameId !== undefined && !isNum(v.frameId)) return 'event field "frameId" must be a number.';
  if (v.sourceFrameIds !== undefined && (!Array.isArray(v.sourceFrameIds) || !v.sourceFrameIds.every(isNum))) return 'event field "sourceFrameIds" must be an array of numbers.';
  if (v.audio !== undefined) {
    const a = v.audio;
    if (!isObj(a) || !isNum(a.bytes) || !isNum(a.durationMs) || !isNum(a.sampleRate)) return 'event field "audio" must hold numbers bytes, durationMs and sampleRate.';
  }
  if (v.malformed !== undefined && typeof v.malformed !== 'boolean') return 'event field "malformed" must be a boolean.';
  return null;
}

/** File name for a download: `voice-session-<adapter>-<timestamp>.jsonl`. */
export function exportFileName(adapter: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `voice-session-${adapter.replace(/[^a-z0-9-]+/gi, '-')}-${stamp}.jsonl`;
}
