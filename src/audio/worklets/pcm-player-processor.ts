/**
 * Playback: a bounded jitter buffer at the context rate (the device's, or the adapter's output rate
 * when the session asks for that), fed at the adapter's rate through PlaybackQueue's resampler; played
 * counts stay in the adapter's samples. Outputs zeros
 * when there is nothing to play and never returns false, so one node lives for the whole session.
 * Reports started/stopped transitions stamped on the audio clock, played samples per item, and levels.
 */
import { PlaybackQueue } from '../playback-queue.ts';
import { LevelMeter } from '../level-meter.ts';
import type { MainToPlayer, PlayerProcessorOptions, PlayerToMain } from '../worklet-messages.ts';

class PcmPlayerProcessor extends AudioWorkletProcessor {
  private readonly buffer: PlaybackQueue;
  private readonly meter: LevelMeter;
  private readonly progressEvery: number;
  private framesSinceProgress = 0;
  private reportedIdle = true;
  /** Sequence number of the last push queued, echoed so the main thread knows what is in flight. */
  private lastSeq = 0;

  constructor(options: { processorOptions?: unknown }) {
    super();
    const opts = options.processorOptions as PlayerProcessorOptions;
    this.buffer = new PlaybackQueue({
      sampleRate,
      sourceRate: opts.sourceRate ?? sampleRate,
      startThresholdMs: opts.startThresholdMs,
      stopHoldMs: opts.stopHoldMs,
      maxBufferedMs: opts.maxBufferedMs,
    });
    this.meter = new LevelMeter(sampleRate, opts.levelsPerSecond ?? 20);
    this.progressEvery = Math.round(sampleRate / (opts.progressPerSecond ?? 10));
    this.port.onmessage = (ev: MessageEvent<MainToPlayer>) => this.onMessage(ev.data);
  }

  private onMessage(msg: MainToPlayer): void {
    if (msg.type === 'push') {
      this.buffer.push(new Int16Array(msg.pcm), msg.itemId);
      this.lastSeq = msg.seq;
    } else if (msg.type === 'clear') {
      const played = this.buffer.clear();
      this.postTransitions(this.buffer.renderedFrames);
      this.post({ type: 'cleared', requestId: msg.requestId, played, contextTime: currentTime, lastSeq: this.lastSeq });
      this.postProgress();
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const channels = outputs[0];
    if (!channels || channels.length === 0) return true;
    const out = channels[0];
    const blockStart = this.buffer.renderedFrames;
    this.buffer.render(out);
    for (let c = 1; c < channels.length; c++) channels[c].set(out);
    this.postTransitions(blockStart);

    const active = this.buffer.isActive;
    if (active || !this.reportedIdle) this.meter.push(out, (rms) => this.post({ type: 'level', rms }));
    this.framesSinceProgress += out.length;
    if (this.framesSinceProgress >= this.progressEvery) {
      this.framesSinceProgress = 0;
      // While idle, one last report says so; then the processor stays quiet.
      if (active || !this.reportedIdle) this.postProgress();
      this.reportedIdle = !active;
    }
    return true;
  }

  private postTransitions(blockStart: number): void {
    for (const t of this.buffer.takeTransitions()) {
      // currentTime is the time of this block's first frame; transitions carry absolute frames.
      const contextTime = currentTime + (t.frame - blockStart) / sampleRate;
      this.post({ type: 'transition', started: t.type === 'started', itemId: t.itemId, contextTime, playedSamples: t.playedSamples, lastSeq: this.lastSeq });
    }
  }

  private postProgress(): void {
    this.post({
      type: 'progress',
      played: this.buffer.playedSnapshot(),
      bufferedSamples: this.buffer.bufferedSamples,
      underruns: this.buffer.underruns,
      droppedSamples: this.buffer.droppedSamples,
      active: this.buffer.isActive,
      lastSeq: this.lastSeq,
    });
  }

  private post(msg: PlayerToMain): void {
    this.port.postMessage(msg);
  }
}

registerProcessor('pcm-player-processor', PcmPlayerProcessor);
