import { opusPreSkip, unpackOpusChunk } from './opus-chunk.ts';
import { pcm16Samples } from './pcm-track.ts';
import type { AudioChunk } from './recording-format.ts';

/** Opus always decodes at 48 kHz (RFC 7845 §4.2 / WebCodecs' Opus decoder output). */
export const OPUS_DECODE_RATE = 48_000;

export interface DecodedChunk {
  /** Rate of `audio` (the chunk's rate for PCM16, 48 kHz for Opus). */
  sampleRate: number;
  /** Mono samples in −1…1, exactly the chunk's duration (`samples / chunk.sampleRate`). */
  audio: Float32Array;
  /** Frames the decoder produced before trimming (Opus: priming and the last packet's padding included). */
  decodedFrames: number;
}

/** Decodes one stored chunk (a browser document: Opus needs WebCodecs' AudioDecoder). */
export async function decodeChunk(chunk: AudioChunk): Promise<DecodedChunk> {
  if (chunk.codec === 'pcm16') {
    const pcm = pcm16Samples(chunk);
    const audio = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) audio[i] = pcm[i]! / 32768;
    return { sampleRate: chunk.sampleRate, audio, decodedFrames: audio.length };
  }
  const { description, packets } = unpackOpusChunk(chunk.data);
  const parts: Float32Array[] = [];
  let failure: unknown = null;
  const decoder = new AudioDecoder({
    output: (a) => {
      const f = new Float32Array(a.numberOfFrames);
      a.copyTo(f, { planeIndex: 0, format: 'f32-planar' });
      parts.push(f);
      a.close();
    },
    error: (e) => (failure = e),
  });
  try {
    decoder.configure({ codec: 'opus', sampleRate: OPUS_DECODE_RATE, numberOfChannels: 1, ...(description.byteLength ? { description } : {}) });
    let ts = 0;
    for (const p of packets) {
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: ts, data: p }));
      ts += 20_000;
    }
    await decoder.flush();
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const want = Math.round((chunk.samples * OPUS_DECODE_RATE) / chunk.sampleRate);
  // The encoder's priming comes first; a decoder that has not dropped it returns whole packets.
  const preSkip = opusPreSkip(description);
  const skip = total - preSkip >= want && total % 960 === 0 ? preSkip : 0;
  const audio = new Float32Array(want);
  audio.set(all.subarray(skip, skip + want));
  return { sampleRate: OPUS_DECODE_RATE, audio, decodedFrames: total };
}
