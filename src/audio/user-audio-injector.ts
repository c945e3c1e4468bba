import { Resampler } from './resampler.ts';
import type { CaptureToMain, MainToCapture } from './worklet-messages.ts';

/** What an injection did, once the capture path has sent all of it. */
export interface InjectedAudioReport {
  /** Duration of the injected audio (as given, at its own rate), ms. */
  durationMs: number;
  /** Wire chunks sent for it (the last one completed with silence). */
  chunks: number;
}

export interface InjectUserAudioOptions {
  /** Aborting stops the injection at the next render quantum; the promise rejects with an AbortError. */
  signal?: AbortSignal;
}

/** Converts PCM16 (or float) mono samples to float in [−1, 1). */
export function toMonoFloat(pcm: Int16Array | Float32Array): Float32Array {
  if (pcm instanceof Float32Array) return pcm;
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
  return out;
}

/**
 * Resamples a whole clip with the library's windowed-sinc resampler, aligned (the filter's delay
 * removed) and complete (its tail flushed): the output has round(length · to / from) samples.
 */
export function resampleClip(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const r = new Resampler(from, to);
  const want = Math.round((samples.length * to) / from);
  const padIn = Math.ceil(r.delayInputSamples) + 2;
  const input = new Float32Array(samples.length + padIn);
  input.set(samples);
  const out = r.process(input);
  const skip = Math.round((r.delayInputSamples * to) / from);
  const aligned = new Float32Array(want);
  aligned.set(out.subarray(skip, Math.min(out.length, skip + want)));
  return aligned;
}

function abortError(): Error {
  return typeof DOMException === 'function' ? new DOMException('The audio injection was aborted.', 'AbortError') : Object.assign(new Error('The audio injection was aborted.'), { name: 'AbortError' });
}

/**
 * Feeds audio into the capture worklet in place of the microphone (MainToCapture 'inject'): it
 * goes through the same level meter, voice-activity detector, resampler and chunker, paced by the
 * audio clock, and the chunks reach the adapter like the microphone's. One per capture node.
 */
export class UserAudioInjector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: InjectedAudioReport): void; reject(e: unknown): void; durationMs: number; cleanup(): void }>();

  constructor(private readonly post: (msg: MainToCapture, transfer?: Transferable[]) => void) {}

  /** Queues a clip; `contextRate` is the capture AudioContext's rate (what the worklet's input runs at). */
  inject(pcm: Int16Array | Float32Array, sampleRate: number, contextRate: number, options: InjectUserAudioOptions = {}): Promise<InjectedAudioReport> {
    if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) return Promise.reject(new RangeError(`sampleRate must be a positive number, got ${sampleRate}`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    const durationMs = (pcm.length / sampleRate) * 1000;
    const samples = resampleClip(toMonoFloat(pcm), sampleRate, contextRate);
    // The caller's Float32Array must survive the transfer below.
    const owned = samples === pcm ? samples.slice() : samples;
    const id = this.nextId++;
    return new Promise<InjectedAudioReport>((resolve, reject) => {
      const onAbort = () => {
        this.post({ type: 'inject-cancel', id });
        this.settle(id, abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { resolve, reject, durationMs, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      this.post({ type: 'inject', id, samples: owned }, [owned.buffer as ArrayBuffer]);
    });
  }

  /** The worklet's report that an injection went through (or was cancelled). */
  onDone(msg: Extract<CaptureToMain, { type: 'inject-done' }>): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.cancelled) this.settle(msg.id, abortError());
    else this.settle(msg.id, undefined, { durationMs: p.durationMs, chunks: msg.chunks });
  }

  /** The capture path closed: every pending injection rejects with `reason`. */
  rejectAll(reason: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, reason);
  }

  get active(): boolean {
    return this.pending.size > 0;
  }

  private settle(id: number, error: unknown, report?: InjectedAudioReport): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cleanup();
    if (report) p.resolve(report);
    else p.reject(error);
  }
}
