/**
 * The peers' capture framing, reproduced for the bench only (never used by the product):
 * - wavtools (OpenAI console, Pipecat's Gemini transport): each 128-frame quantum is appended to a
 *   buffer at 24 kHz that is sent once it holds ≥ 8192 bytes = 4096 samples (≈ 170.7 ms).
 * - Google's Live API console: 2048 samples at 16 kHz per send (128 ms).
 * Both let the browser resample (the AudioContext runs at the target rate), so they see quanta of
 * 128 samples at the target rate.
 */
export class ThresholdChunker {
  private pending = 0;
  constructor(readonly thresholdSamples: number) {}

  /** Adds one quantum; returns the samples sent now (0 if none). The whole buffer goes out at once. */
  push(samples: number): number {
    this.pending += samples;
    if (this.pending >= this.thresholdSamples) {
      const sent = this.pending;
      this.pending = 0;
      return sent;
    }
    return 0;
  }
}

export const WAVTOOLS_CHUNK = { rate: 24000, thresholdSamples: 4096, label: 'wavtools 8192-byte buffer (OpenAI console, Pipecat Gemini)' };
export const GOOGLE_CONSOLE_CHUNK = { rate: 16000, thresholdSamples: 2048, label: 'Google Live API console, 2048 samples' };
