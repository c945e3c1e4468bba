/**
 * Capture: mono downmix → level + voice activity → (windowed-sinc resampling) → exact 20 ms PCM16
 * chunks posted with their buffers transferred. Nothing is retained after a chunk is posted.
 * Runs in the AudioWorkletGlobalScope; imports only pure modules.
 */
import { Chunker } from '../chunker.ts';
import { LevelMeter } from '../level-meter.ts';
import { Resampler } from '../resampler.ts';
import { VoiceActivityDetector } from '../voice-activity-detector.ts';
import type { CaptureProcessorOptions, CaptureToMain, MainToCapture } from '../worklet-messages.ts';

const STATS_EVERY_CHUNKS = 50;

class PcmCaptureProcessor extends AudioWorkletProcessor {
  private readonly resampler: Resampler | null;
  private readonly chunker: Chunker;
  private readonly meter: LevelMeter;
  private readonly vad: VoiceActivityDetector;
  private readonly mono = new Float32Array(128);
  private resampled = new Float32Array(256);
  private sending = true;
  /** Frames seen since start: the VAD's sample clock, at the context rate. */
  private framesSeen = 0;
  /** Injected audio waiting to replace the input (see MainToCapture 'inject'). */
  private injections: Array<{ id: number; samples: Float32Array; offset: number; chunks: number }> = [];

  constructor(options: { processorOptions?: unknown }) {
    super();
    const opts = options.processorOptions as CaptureProcessorOptions;
    this.resampler = opts.resample && opts.targetRate !== sampleRate ? new Resampler(sampleRate, opts.targetRate) : null;
    const chunkRate = this.resampler ? opts.targetRate : sampleRate;
    this.chunker = Chunker.forDuration(chunkRate, opts.chunkMs);
    this.meter = new LevelMeter(sampleRate, opts.levelsPerSecond ?? 20);
    this.vad = new VoiceActivityDetector(sampleRate, opts.vad);
    this.port.onmessage = (ev: MessageEvent<MainToCapture>) => this.onMessage(ev.data);
  }

  private onMessage(msg: MainToCapture): void {
    if (msg.type === 'set-sending') {
      this.sending = msg.sending;
      // A partial chunk from before a mute must not be sent after it.
      this.chunker.reset();
    } else if (msg.type === 'stats-request') {
      this.postStats();
    } else if (msg.type === 'inject') {
      // The injected audio starts a fresh chunk: no microphone samples in front of it.
      if (this.injections.length === 0) this.chunker.reset();
      this.injections.push({ id: msg.id, samples: msg.samples, offset: 0, chunks: 0 });
    } else if (msg.type === 'mic-frame') {
      // The injection replaces the microphone, as it replaces the node's input in process().
      // A frame ends about now (it was just captured), where a render quantum starts at currentTime.
      if (this.injections.length === 0) this.analyseAndSend(msg.samples, msg.samples.length, null, undefined, currentTime - msg.samples.length / sampleRate, msg.capturedAt);
    } else if (msg.type === 'inject-cancel') {
      const i = this.injections.findIndex((j) => j.id === msg.id);
      if (i < 0) return;
      const [j] = this.injections.splice(i, 1);
      // A partial chunk of cancelled audio must not go out with whatever follows.
      if (i === 0) this.chunker.reset();
      this.post({ type: 'inject-done', id: j.id, frames: j.offset, chunks: j.chunks, cancelled: true });
    }
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.injections.length > 0) {
      this.processInjected(inputs[0]?.[0]?.length || 128);
      return true;
    }
    const channels = inputs[0];
    // Chrome hands an unconnected input (the microphone read as frames) as one empty channel.
    if (!channels || channels.length === 0 || channels[0].length === 0) return true;
    const frames = channels[0].length;
    const mono = frames === this.mono.length ? this.mono : new Float32Array(frames);
    this.analyseAndSend(mono, frames, channels);
    return true;
  }

  /**
   * One render quantum of injected audio in place of the input: the same level, voice activity,
   * resampling and chunking as the microphone, sent whatever the mute state. When an injection
   * ends, its last partial chunk is completed with silence and sent, so nothing of it is held back.
   */
  private processInjected(frames: number): void {
    const mono = frames === this.mono.length ? this.mono : new Float32Array(frames);
    mono.fill(0);
    let filled = 0;
    while (filled < frames && this.injections.length > 0) {
      const j = this.injections[0];
      const take = Math.min(frames - filled, j.samples.length - j.offset);
      mono.set(j.samples.subarray(j.offset, j.offset + take), filled);
      j.offset += take;
      filled += take;
      if (j.offset >= j.samples.length) {
        this.analyseAndSend(mono.subarray(0, filled), filled, null, j);
        const pad = this.chunker.pending > 0 ? this.chunker.chunkSamples - this.chunker.pending : 0;
        if (pad > 0) this.pushChunks(new Float32Array(pad), j);
        this.injections.shift();
        this.post({ type: 'inject-done', id: j.id, frames: j.offset, chunks: j.chunks, cancelled: false });
        frames -= filled;
        filled = 0;
      }
    }
    if (filled > 0) this.analyseAndSend(mono.subarray(0, filled), filled, null, this.injections[0]);
  }

  private analyseAndSend(mono: Float32Array, frames: number, channels: Float32Array[] | null, injection?: { chunks: number }, blockTime = currentTime, blockPerformanceTime?: number): void {
    if (!channels) {
      // injected, or a microphone frame from the main thread: already mono
    } else if (channels.length === 1) {
      mono.set(channels[0]);
    } else {
      const scale = 1 / channels.length;
      mono.fill(0);
      for (const ch of channels) for (let i = 0; i < frames; i++) mono[i] += ch[i] * scale;
    }

    const blockStart = this.framesSeen;
    this.framesSeen += frames;
    this.meter.push(mono, (rms) => this.post({ type: 'level', rms }));
    this.vad.push(mono, (ev) =>
      this.post({
        type: 'speech',
        started: ev.type === 'speech-started',
        contextTime: blockTime + (ev.sample - blockStart) / sampleRate,
        ...(blockPerformanceTime === undefined ? {} : { performanceTime: blockPerformanceTime + ((ev.sample - blockStart) / sampleRate) * 1000 }),
      }),
    );

    if (!this.sending && !injection) return;
    let samples = mono;
    if (this.resampler) {
      const n = this.resampler.outputLength(frames);
      if (this.resampled.length < n) this.resampled = new Float32Array(n * 2);
      this.resampler.processInto(mono, this.resampled);
      samples = this.resampled.subarray(0, n);
    }
    this.pushChunks(samples, injection);
  }

  /** Chunks at the target rate (after resampling), posted with their buffers transferred. */
  private pushChunks(samples: Float32Array, injection?: { chunks: number }): void {
    this.chunker.push(samples, (chunk) => {
      const msg: CaptureToMain = injection ? { type: 'chunk', pcm: chunk.buffer as ArrayBuffer, injected: true } : { type: 'chunk', pcm: chunk.buffer as ArrayBuffer };
      if (injection) injection.chunks++;
      this.port.postMessage(msg, [chunk.buffer as ArrayBuffer]);
      if (this.chunker.chunksEmitted % STATS_EVERY_CHUNKS === 0) this.postStats();
    });
  }

  private postStats(): void {
    this.post({ type: 'stats', chunksSent: this.chunker.chunksEmitted, clippedSamples: this.chunker.clippedSamples });
  }

  private post(msg: CaptureToMain): void {
    this.port.postMessage(msg);
  }
}

registerProcessor('pcm-capture-processor', PcmCaptureProcessor);
