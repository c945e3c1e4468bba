/**
 * The microphone's audio frames straight from its track (MediaStreamTrackProcessor, "breakout
 * box"), as mono Float32 at the track's rate, instead of through a MediaStreamAudioSourceNode.
 *
 * Why: on the PulseAudio rig (BENCHMARKS.md, external latency), a MediaStreamAudioSourceNode
 * feeding a worklet delivered a tone burst 34 ms after its onset on a fresh stream, drifting to
 * 50 ms and then stepping to 115–137 ms within 40 s of the same stream, while the processor's
 * frames of the same track, read at the same time, stayed at 18–27 ms throughout: the Web Audio
 * source node buffers between the capture clock and the context's render clock and its buffer
 * grows. Frames from the processor skip that buffer.
 */

/** Chromium's MediaStreamTrackProcessor (not in the DOM typings yet). */
interface TrackProcessorCtor {
  new (init: { track: MediaStreamTrack; maxBufferSize?: number }): { readable: ReadableStream<AudioDataLike> };
}

/** The part of WebCodecs' AudioData this module reads. */
export interface AudioDataLike {
  readonly numberOfFrames: number;
  readonly numberOfChannels: number;
  readonly sampleRate: number;
  /** Microseconds: Chromium stamps a track's frames with their capture time, on a clock of its own. */
  readonly timestamp: number;
  copyTo(destination: Float32Array, options: { planeIndex: number; format: 'f32-planar' }): void;
  close(): void;
}

/**
 * Frames the processor may hold while the page's main thread is busy before it drops the oldest
 * (Chromium's default is small). 50 frames of 10 ms: half a second of stall loses nothing.
 */
export const MAX_BUFFERED_FRAMES = 50;

function processorCtor(): TrackProcessorCtor | null {
  const ctor = (globalThis as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor;
  return typeof ctor === 'function' ? (ctor as TrackProcessorCtor) : null;
}

/** Mono downmix of one frame (the channels averaged), as a new buffer the caller may transfer. */
export function downmixFrame(frame: AudioDataLike): Float32Array {
  const n = frame.numberOfFrames;
  const out = new Float32Array(n);
  if (frame.numberOfChannels <= 1) {
    frame.copyTo(out, { planeIndex: 0, format: 'f32-planar' });
    return out;
  }
  const plane = new Float32Array(n);
  const scale = 1 / frame.numberOfChannels;
  for (let c = 0; c < frame.numberOfChannels; c++) {
    frame.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
    for (let i = 0; i < n; i++) out[i] += plane[i] * scale;
  }
  return out;
}

export interface TrackFrameSourceHandlers {
  /**
   * One frame, mono at `sampleRate`; the buffer is the receiver's. `capturedAt`: its first sample's
   * capture time on the performance clock (see CaptureClock).
   */
  onFrame(samples: Float32Array, sampleRate: number, capturedAt: number): void;
  /** The track ended or reading failed; no more frames come. Not called after stop(). */
  onEnd?(reason: string): void;
}

/**
 * Maps frame timestamps (the capture's own clock, microseconds) onto performance.now(). The offset
 * between the clocks is the smallest (read time − timestamp) seen so far, less one frame: a frame
 * is read at the earliest once its last sample is captured, and a busy main thread only reads
 * later, never earlier. So a frame read 200 ms late still gets its true capture time. (In Chromium
 * 156 the stamps are already on the page's performance clock, about 10 ms before the frame's read.)
 */
const STALE_MS = 2000;

export class CaptureClock {
  private offsetMs = Infinity;

  /** First-sample capture time of a frame read at `readAt` (performance ms). */
  capturedAt(timestampUs: number, frameMs: number, readAt: number): number {
    if (!Number.isFinite(timestampUs)) return readAt - frameMs;
    const lag = readAt - timestampUs / 1000 - frameMs;
    if (lag < this.offsetMs) this.offsetMs = lag;
    const at = timestampUs / 1000 + this.offsetMs;
    // Timestamps that stopped advancing (or jumped back) would date every frame in the past: a
    // frame is never read seconds after its capture, so relearn the offset from this read instead.
    if (readAt - at > STALE_MS) {
      this.offsetMs = lag;
      return readAt - frameMs;
    }
    return at;
  }
}

/** Reads a track's frames until stop(); every frame is closed as soon as it is copied. */
export class TrackFrameSource {
  static supported(): boolean {
    return processorCtor() !== null;
  }

  private reader: ReadableStreamDefaultReader<AudioDataLike> | null;
  private stopped = false;
  private readonly clock = new CaptureClock();

  constructor(track: MediaStreamTrack, private readonly handlers: TrackFrameSourceHandlers) {
    const Ctor = processorCtor();
    if (!Ctor) throw new Error('MediaStreamTrackProcessor is not available in this browser.');
    this.reader = new Ctor({ track, maxBufferSize: MAX_BUFFERED_FRAMES }).readable.getReader();
    void this.pump();
  }

  get running(): boolean {
    return !this.stopped;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const r = this.reader;
    this.reader = null;
    r?.cancel().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    const r = this.reader;
    if (!r) return;
    try {
      for (;;) {
        const { value, done } = await r.read();
        if (done) break;
        if (this.stopped) {
          value.close();
          return;
        }
        // A closed AudioData reads as empty: take its rate and time before closing it.
        const rate = value.sampleRate;
        const capturedAt = this.clock.capturedAt(value.timestamp, (value.numberOfFrames / rate) * 1000, performance.now());
        let samples: Float32Array;
        try {
          samples = downmixFrame(value);
        } finally {
          value.close();
        }
        this.handlers.onFrame(samples, rate, capturedAt);
      }
      if (!this.stopped) this.end('the microphone track ended');
    } catch (e) {
      if (!this.stopped) this.end(`reading the microphone failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private end(reason: string): void {
    this.stopped = true;
    this.reader = null;
    this.handlers.onEnd?.(reason);
  }
}
