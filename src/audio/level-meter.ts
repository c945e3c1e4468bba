/**
 * RMS level over fixed windows (default 50 ms, i.e. about 20 updates per second). Pure, used by both
 * worklets so levels are measured on the samples actually captured or played.
 */
export class LevelMeter {
  readonly windowSamples: number;
  private sum = 0;
  private count = 0;

  constructor(sampleRate: number, updatesPerSecond = 20) {
    this.windowSamples = Math.max(1, Math.round(sampleRate / updatesPerSecond));
  }

  /** Adds samples; calls `emit(rms)` at the end of every completed window. */
  push(samples: Float32Array, emit: (rms: number) => void): void {
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      this.sum += v * v;
      if (++this.count === this.windowSamples) {
        emit(Math.min(1, Math.sqrt(this.sum / this.count)));
        this.sum = 0;
        this.count = 0;
      }
    }
  }

  /** Counts `frames` of silence without touching memory (the player is idle). */
  pushSilence(frames: number, emit: (rms: number) => void): void {
    let left = frames;
    while (left > 0) {
      const take = Math.min(left, this.windowSamples - this.count);
      this.count += take;
      left -= take;
      if (this.count === this.windowSamples) {
        emit(Math.min(1, Math.sqrt(this.sum / this.count)));
        this.sum = 0;
        this.count = 0;
      }
    }
  }
}
