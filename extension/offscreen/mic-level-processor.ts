// AudioWorklet global scope: these globals are not in the DOM lib.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

/**
 * Measures the microphone for `Test microphone`: RMS over ~50 ms blocks and a running count of
 * captured frames, posted to the main thread. It keeps no audio.
 */
class MicLevelProcessor extends AudioWorkletProcessor {
  private sum = 0;
  private count = 0;
  private frames = 0;
  private peak = 0;
  private readonly block = Math.round(sampleRate / 20);

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        const s = channel[i];
        this.sum += s * s;
        const a = Math.abs(s);
        if (a > this.peak) this.peak = a;
      }
      this.count += channel.length;
      this.frames += channel.length;
      if (this.count >= this.block) {
        this.port.postMessage({ rms: Math.sqrt(this.sum / this.count), peak: this.peak, frames: this.frames, sampleRate });
        this.sum = 0;
        this.count = 0;
        this.peak = 0;
      }
    }
    return true;
  }
}

registerProcessor('mic-level-processor', MicLevelProcessor);
