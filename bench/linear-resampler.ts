/**
 * Linear interpolation with no anti-alias filter: what the peer media managers do. Kept only as the
 * bench baseline against Resampler; it aliases everything above the output Nyquist frequency.
 * Streaming: the last input sample is carried so chunk boundaries do not click.
 */
export class LinearResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  private readonly step: number;
  /** Input position of the next output, relative to the previous chunk's last sample (index −1). */
  private position = 0;
  private last = 0;

  constructor(inputRate: number, outputRate: number) {
    if (!(inputRate > 0 && outputRate > 0)) throw new RangeError('LinearResampler needs positive rates');
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.step = inputRate / outputRate;
    this.position = 1; // the first output is input sample 0
  }

  process(input: Float32Array): Float32Array {
    const n = input.length;
    const out: number[] = [];
    let pos = this.position;
    // pos is measured with index 0 = the carried sample, index k = input[k−1].
    while (pos <= n) {
      const i = Math.floor(pos);
      const frac = pos - i;
      const a = i === 0 ? this.last : input[i - 1];
      const b = frac === 0 ? a : input[i];
      out.push(a + (b - a) * frac);
      pos += this.step;
    }
    if (n > 0) this.last = input[n - 1];
    this.position = pos - n;
    return Float32Array.from(out);
  }
}
