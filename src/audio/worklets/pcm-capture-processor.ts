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
    }
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const frames = channels[0].length;
    const mono = frames === this.mono.length ? this.mono : new Float32Array(frames);
    if (channels.length === 1) {
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
      this.post({ type: 'speech', started: ev.type === 'speech-started', contextTime: currentTime + (ev.sample - blockStart) / sampleRate }),
    );

    if (!this.sending) return true;
    let samples = mono;
    if (this.resampler) {
      const n = this.resampler.outputLength(frames);
      if (this.resampled.length < n) this.resampled = new Float32Array(n * 2);
      this.resampler.processInto(mono, this.resampled);
      samples = this.resampled.subarray(0, n);
    }
    this.chunker.push(samples, (chunk) => {
      const msg: CaptureToMain = { type: 'chunk', pcm: chunk.buffer as ArrayBuffer };
      this.port.postMessage(msg, [chunk.buffer as ArrayBuffer]);
      if (this.chunker.chunksEmitted % STATS_EVERY_CHUNKS === 0) this.postStats();
    });
    return true;
  }

  private postStats(): void {
    this.post({ type: 'stats', chunksSent: this.chunker.chunksEmitted, clippedSamples: this.chunker.clippedSamples });
  }

  private post(msg: CaptureToMain): void {
    this.port.postMessage(msg);
  }
}

registerProcessor('pcm-capture-processor', PcmCaptureProcessor);
