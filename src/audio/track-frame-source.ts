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
  /** One frame, mono at `sampleRate`; the buffer is the receiver's. */
  onFrame(samples: Float32Array, sampleRate: number): void;
  /** The track ended or reading failed; no more frames come. Not called after stop(). */
  onEnd?(reason: string): void;
}

/** Reads a track's frames until stop(); every frame is closed as soon as it is copied. */
export class TrackFrameSource {
  static supported(): boolean {
    return processorCtor() !== null;
  }

  private reader: ReadableStreamDefaultReader<AudioDataLike> | null;
  private stopped = false;

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
        // A closed AudioData reads as empty: take its rate before closing it.
        const rate = value.sampleRate;
        let samples: Float32Array;
        try {
          samples = downmixFrame(value);
        } finally {
          value.close();
        }
        this.handlers.onFrame(samples, rate);
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
