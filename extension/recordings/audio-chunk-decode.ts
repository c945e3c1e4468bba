import { decodeChunk } from './decode-chunk.ts';
import type { AudioChunk } from './recording-format.ts';

/**
 * Turns stored audio chunks back into samples. 'pcm16' is read directly. 'opus' needs WebCodecs'
 * AudioDecoder, which Chromium has in window and worker contexts; where it is missing (Node,
 * other browsers), opus chunks cannot be drawn or played and the caller says so.
 */
export function pcm16ToFloat(data: Uint8Array): Float32Array {
  const n = data.byteLength >> 1;
  const view = new DataView(data.buffer, data.byteOffset, n * 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

export function opusDecodingAvailable(): boolean {
  return typeof (globalThis as { AudioDecoder?: unknown }).AudioDecoder === 'function' && typeof (globalThis as { EncodedAudioChunk?: unknown }).EncodedAudioChunk === 'function';
}

export interface DecodedChunk {
  chunk: AudioChunk;
  samples: Float32Array;
  sampleRate: number;
}

/**
 * Decodes opus chunks, in order. Each stored chunk is a self-contained Opus stream of about a
 * second (the recorder's `packOpusChunk`: its decoder description and packets), so each decodes on
 * its own, at 48 kHz, trimmed to the chunk's exact length (`decodeChunk`).
 */
export async function decodeOpusChunks(chunks: readonly AudioChunk[]): Promise<DecodedChunk[]> {
  if (!opusDecodingAvailable()) throw new Error('Opus audio cannot be decoded here: this browser has no WebCodecs AudioDecoder.');
  const out: DecodedChunk[] = [];
  for (const chunk of chunks) {
    const d = await decodeChunk(chunk);
    out.push({ chunk, samples: d.audio, sampleRate: d.sampleRate });
  }
  return out;
}
