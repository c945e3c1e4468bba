import type { AudioChunk, Recording } from './recording-format.ts';

/**
 * A Recording as it crosses the runtime Port: Chrome serialises Port messages as JSON, so typed
 * arrays travel as base64 text.
 */
export interface WireRecording extends Omit<Recording, 'audio'> {
  audio: Array<Omit<AudioChunk, 'data'> & { data: string }>;
}

export function toWire(rec: Recording): WireRecording {
  return { meta: rec.meta, events: rec.events, audio: rec.audio.map((c) => ({ ...c, data: bytesToBase64(c.data) })) };
}

export function fromWire(w: WireRecording): Recording {
  return { meta: w.meta, events: w.events, audio: w.audio.map((c) => ({ ...c, data: base64ToBytes(c.data) })) };
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  // String.fromCharCode over slices: one call per 32 KB instead of per byte.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
