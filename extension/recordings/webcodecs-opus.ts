import { packOpusChunk } from './opus-chunk.ts';
import type { PcmPiece } from './pcm-track.ts';
import { pcm16Encoder, type TrackEncoder } from './recorder.ts';

const BITRATE = 32_000;

/** Whether this document's WebCodecs can encode Opus mono at every rate the tracks use. */
export async function opusEncodingSupported(rates: number[] = [16_000, 24_000]): Promise<boolean> {
  if (typeof AudioEncoder === 'undefined' || typeof AudioData === 'undefined') return false;
  try {
    for (const sampleRate of rates) {
      const r = await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate, numberOfChannels: 1, bitrate: BITRATE });
      if (!r.supported) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** One run → one self-contained Opus stream (opus-chunk.ts), with a fresh encoder per run. */
export async function encodeOpusRun(run: PcmPiece): Promise<Uint8Array> {
  const packets: Uint8Array[] = [];
  let description: Uint8Array = new Uint8Array(0);
  let failure: unknown = null;
  const encoder = new AudioEncoder({
    output: (chunk, meta) => {
      const b = new Uint8Array(chunk.byteLength);
      chunk.copyTo(b);
      packets.push(b);
      const d = meta?.decoderConfig?.description;
      if (d && description.byteLength === 0) description = d instanceof ArrayBuffer ? new Uint8Array(d.slice(0)) : new Uint8Array((d as ArrayBufferView).buffer.slice(0));
    },
    error: (e) => (failure = e),
  });
  try {
    encoder.configure({ codec: 'opus', sampleRate: run.sampleRate, numberOfChannels: 1, bitrate: BITRATE });
    const data = new AudioData({ format: 's16', sampleRate: run.sampleRate, numberOfFrames: run.pcm.length, numberOfChannels: 1, timestamp: Math.round(run.t * 1000), data: run.pcm as Int16Array<ArrayBuffer> });
    encoder.encode(data);
    data.close();
    await encoder.flush();
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return packOpusChunk({ description, packets });
}

/** Opus where it works; a run the encoder fails on is stored as PCM16 instead (codec per chunk). */
export const webCodecsOpusEncoder: TrackEncoder = {
  async encode(runs, chunker, final) {
    const out = [];
    for (const run of runs) {
      try {
        out.push(chunker.chunk(run.t, run.sampleRate, run.pcm.length, 'opus', await encodeOpusRun(run)));
      } catch {
        out.push(...(await pcm16Encoder.encode([run], chunker, final)));
      }
    }
    return out;
  },
};
