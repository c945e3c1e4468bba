import { resample } from '../../src/audio/resampler.ts';
import { decodeChunk } from '../recordings/decode-chunk.ts';
import type { OpusDecoder } from './mic-track.ts';

/**
 * Decodes an Opus chunk (WebCodecs, 48 kHz) back to PCM16 at the track's own rate and exact
 * length, so a compressed recording replays through the same path as an uncompressed one.
 */
export const decodeOpusAtChunkRate: OpusDecoder = async (chunk) => {
  const decoded = await decodeChunk(chunk);
  const audio = decoded.sampleRate === chunk.sampleRate ? decoded.audio : resample(decoded.audio, decoded.sampleRate, chunk.sampleRate);
  const out = new Int16Array(chunk.samples);
  const n = Math.min(out.length, audio.length);
  for (let i = 0; i < n; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(audio[i]! * 32768)));
  return out;
};
