import type { AudioChunk } from './recording-format.ts';

/**
 * Turns stored audio chunks back into samples. 'pcm16' is read directly. 'opus' needs WebCodecs'
 * AudioDecoder, which Chromium has in window and worker contexts; where it is missing (Node,
 * other browsers), opus chunks cannot be drawn or played and the caller says so.
 *
 * Assumption about the recorder: one opus chunk holds one encoded packet (what AudioEncoder emits
 * per EncodedAudioChunk), mono, at the chunk's sampleRate.
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
 * Decodes opus chunks of one track, in order. One AudioDecoder per call: a configured decoder
 * carries state between packets, so chunks are fed as one run.
 */
export async function decodeOpusChunks(chunks: readonly AudioChunk[]): Promise<DecodedChunk[]> {
  if (!opusDecodingAvailable()) throw new Error('Opus audio cannot be decoded here: this browser has no WebCodecs AudioDecoder.');
  if (chunks.length === 0) return [];
  const out: DecodedChunk[] = [];
  const byTimestamp = new Map<number, AudioChunk>();
  let failure: Error | null = null;
  const decoder = new AudioDecoder({
    output: (data) => {
      try {
        const n = data.numberOfFrames;
        const samples = new Float32Array(n);
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
        const chunk = byTimestamp.get(data.timestamp);
        if (chunk) out.push({ chunk, samples, sampleRate: data.sampleRate });
      } finally {
        data.close();
      }
    },
    error: (e) => {
      failure = e instanceof Error ? e : new Error(String(e));
    },
  });
  try {
    decoder.configure({ codec: 'opus', sampleRate: chunks[0].sampleRate, numberOfChannels: 1 });
    for (const c of chunks) {
      // Microseconds on the recording clock: the key that maps each output back to its chunk.
      const timestamp = Math.round(c.t * 1000);
      byTimestamp.set(timestamp, c);
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp, data: c.data }));
    }
    await decoder.flush();
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
  if (failure) throw failure;
  return out;
}
