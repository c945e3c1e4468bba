import type { LogEvent } from '../shared/log-event.ts';
import type { AudioSummary } from '../../src/transport/frame-observer.ts';

/** One-line text shown beside a row's type; audio as duration and bytes, never payload bytes. */
export const SUMMARY_MAX_CHARS = 140;

export function formatAudio(a: AudioSummary): string {
  return `${formatMs(a.durationMs)} audio, ${formatBytes(a.bytes)} @ ${a.sampleRate / 1000} kHz`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** `+1234 ms` relative to connect. */
export function formatRelative(t: number): string {
  return `+${Math.max(0, Math.round(t))} ms`;
}

export function formatAbsolute(wall: number): string {
  const d = new Date(wall);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export const DIRECTION_ARROW: Record<LogEvent['direction'], string> = { out: '↑', in: '↓', local: '•' };
export const DIRECTION_WORDS: Record<LogEvent['direction'], string> = { out: 'to provider', in: 'from provider', local: 'local' };

function clip(s: string): string {
  return s.length > SUMMARY_MAX_CHARS ? `${s.slice(0, SUMMARY_MAX_CHARS - 1)}…` : s;
}

/** The first telling field: a string shown quoted, a number or boolean as `key: value`. */
function pick(d: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = d[k];
    if (typeof v === 'string' && v !== '') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return `${k}: ${v}`;
  }
  return null;
}

/** Short human text for a row; computed only for rows on screen. */
export function summarizeEvent(ev: LogEvent): string {
  const parts: string[] = [];
  if (ev.audio) parts.push(formatAudio(ev.audio));
  if (ev.malformed) parts.push('malformed frame');
  const d = ev.data;
  if (d && typeof d === 'object' && !Array.isArray(d)) {
    const obj = d as Record<string, unknown>;
    const text = pick(obj, ['text', 'delta', 'transcript', 'message', 'error', 'state', 'function_name', 'reason', 'name']);
    if (text && !ev.audio) parts.push(text);
    else if (!ev.audio) {
      const json = JSON.stringify(obj);
      if (json && json !== '{}') parts.push(json);
    }
  } else if (d !== undefined && d !== null) {
    parts.push(typeof d === 'string' ? JSON.stringify(d) : String(d));
  }
  if (ev.source === 'raw' && ev.bytes !== undefined) parts.push(`${formatBytes(ev.bytes)} on wire`);
  return clip(parts.join(' · '));
}
