import type { AudioChunk, Recording, TrackId } from '../recordings/recording-format.ts';
import type { Span } from './recording-events.ts';

/** Decodes one Opus chunk to PCM16 (the browser's WebCodecs AudioDecoder in the extension). */
export type OpusDecoder = (chunk: AudioChunk) => Promise<Int16Array>;

export interface TrackAudio {
  sampleRate: number;
  /** Recording-clock ms of samples[0]. */
  t0: number;
  samples: Int16Array;
}

/**
 * A track as one PCM16 buffer on the recording clock: each chunk is placed at its own `t`, and
 * gaps (mute, dropped chunks) are silence. Opus chunks need `decodeOpus`.
 */
export async function assembleTrack(rec: Recording, track: TrackId, decodeOpus?: OpusDecoder): Promise<TrackAudio | null> {
  const chunks = rec.audio.filter((c) => c.track === track).sort((a, b) => a.seq - b.seq);
  if (chunks.length === 0) return null;
  const sampleRate = chunks[0].sampleRate;
  if (chunks.some((c) => c.sampleRate !== sampleRate)) throw new Error(`The ${track} track changes sample rate mid-recording; replay needs one rate per track.`);
  const t0 = chunks[0].t;
  const decoded: Array<{ at: number; pcm: Int16Array }> = [];
  let total = 0;
  for (const c of chunks) {
    let pcm: Int16Array;
    if (c.codec === 'pcm16') {
      pcm = new Int16Array(c.data.buffer.slice(c.data.byteOffset, c.data.byteOffset + (c.data.byteLength & ~1)));
    } else {
      if (!decodeOpus) throw new Error(`The ${track} track is Opus-compressed and no decoder is available here.`);
      pcm = await decodeOpus(c);
    }
    const at = Math.max(0, Math.round(((c.t - t0) * sampleRate) / 1000));
    decoded.push({ at, pcm });
    total = Math.max(total, at + pcm.length);
  }
  const samples = new Int16Array(total);
  for (const d of decoded) samples.set(d.pcm, d.at);
  return { sampleRate, t0, samples };
}

/** The samples of `audio` under a span of the recording clock (clipped to the track). */
export function cutTrack(audio: TrackAudio, span: Span): Int16Array {
  const from = Math.max(0, Math.round(((span.start - audio.t0) * audio.sampleRate) / 1000));
  const to = Math.min(audio.samples.length, Math.round(((span.end - audio.t0) * audio.sampleRate) / 1000));
  return audio.samples.slice(from, Math.max(from, to));
}
