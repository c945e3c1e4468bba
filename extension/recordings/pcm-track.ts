import type { AudioChunk, TrackId } from './recording-format.ts';

/** A run of PCM16 samples placed on the recording clock (ms since connect()). */
export interface PcmPiece {
  t: number;
  sampleRate: number;
  pcm: Int16Array;
}

/** Two pieces closer than this (ms) count as one continuous run, so they merge into one chunk. */
const CONTIGUOUS_MS = 0.5;

/**
 * Microphone chunks as the adapter sends them. The capture worklet sends fixed-size chunks at an
 * even pace, so the track is placed on a running sample clock anchored at the first chunk; a
 * chunk that arrives far from where the clock expects it (mic muted, a stall) starts a new run.
 */
export class MicTrack {
  private end: number | undefined;

  constructor(
    private readonly emit: (piece: PcmPiece) => void,
    /** Arrival jitter tolerated before a new run starts, ms. */
    private readonly slackMs = 120,
  ) {}

  /** `arrivedAt`: recording-clock ms at which the chunk reached the adapter (its last sample). */
  add(pcm: Int16Array, sampleRate: number, arrivedAt: number): void {
    if (pcm.length === 0) return;
    const dur = (pcm.length / sampleRate) * 1000;
    const byArrival = arrivedAt - dur;
    const t = this.end !== undefined && Math.abs(byArrival - this.end) <= this.slackMs ? this.end : Math.max(0, byArrival);
    this.end = t + dur;
    this.emit({ t, sampleRate, pcm });
  }
}

/**
 * Turns pieces into stored chunks: contiguous pieces of the same rate merge (about one chunk per
 * flush per track instead of fifty), `seq` counts up per track from 0.
 */
export class TrackChunker {
  private pending: PcmPiece[] = [];
  private seq = 0;

  constructor(private readonly track: TrackId) {}

  add(piece: PcmPiece): void {
    if (piece.pcm.length > 0) this.pending.push(piece);
  }

  get pendingSamples(): number {
    return this.pending.reduce((n, p) => n + p.pcm.length, 0);
  }

  /** Merged runs since the last call, as PCM pieces (the encoder decides the codec). */
  takeRuns(): PcmPiece[] {
    const runs: PcmPiece[] = [];
    let cur: { t: number; sampleRate: number; parts: Int16Array[]; samples: number } | null = null;
    for (const p of this.pending) {
      const end = cur ? cur.t + (cur.samples / cur.sampleRate) * 1000 : NaN;
      if (cur && cur.sampleRate === p.sampleRate && Math.abs(p.t - end) <= CONTIGUOUS_MS) {
        cur.parts.push(p.pcm);
        cur.samples += p.pcm.length;
      } else {
        if (cur) runs.push(joinRun(cur));
        cur = { t: p.t, sampleRate: p.sampleRate, parts: [p.pcm], samples: p.pcm.length };
      }
    }
    if (cur) runs.push(joinRun(cur));
    this.pending = [];
    return runs;
  }

  /** Merged runs since the last call, stored as PCM16 chunks. */
  takePcmChunks(): AudioChunk[] {
    return this.takeRuns().map((r) => this.chunk(r.t, r.sampleRate, r.pcm.length, 'pcm16', pcm16Bytes(r.pcm)));
  }

  /** Numbers a chunk made elsewhere (e.g. by an encoder) in this track's sequence. */
  chunk(t: number, sampleRate: number, samples: number, codec: AudioChunk['codec'], data: Uint8Array): AudioChunk {
    return { track: this.track, seq: this.seq++, t, sampleRate, samples, codec, data };
  }
}

function joinRun(run: { t: number; sampleRate: number; parts: Int16Array[]; samples: number }): PcmPiece {
  if (run.parts.length === 1) return { t: run.t, sampleRate: run.sampleRate, pcm: run.parts[0]! };
  const pcm = new Int16Array(run.samples);
  let o = 0;
  for (const part of run.parts) {
    pcm.set(part, o);
    o += part.length;
  }
  return { t: run.t, sampleRate: run.sampleRate, pcm };
}

/** Little-endian PCM16 bytes (the stored form; every platform Chrome runs on is little-endian). */
export function pcm16Bytes(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
}

/** The samples of a `pcm16` chunk. */
export function pcm16Samples(chunk: Pick<AudioChunk, 'data'>): Int16Array {
  const d = chunk.data;
  return new Int16Array(d.buffer.slice(d.byteOffset, d.byteOffset + (d.byteLength & ~1)));
}
