/**
 * A recording's samples, converted once as they arrive into one growing buffer. The rig used to
 * rebuild the whole recording (Buffer.concat + a per-sample read) on every `samples()` call: after
 * ten minutes that is 29 M samples per call, on the Node thread that also runs the fake server, so
 * a bench that looked at the speaker right after playing a burst delayed the fake's stamp of that
 * burst, more the older the rig (the 22:51 run's "capture-to-wire over the bot" grew from ~100 to
 * ~400 ms across its connections while the same conversations in a diagnosis stayed at ~100 ms).
 */
export class SampleStore {
  private buf = new Float32Array(1 << 16);
  private n = 0;
  private odd: number | null = null;

  /** Appends little-endian signed 16-bit PCM; a byte split across reads is carried over. */
  appendS16le(bytes: Uint8Array): void {
    let i = 0;
    const pairs = (bytes.length + (this.odd === null ? 0 : 1)) >> 1;
    this.reserve(pairs);
    if (this.odd !== null && bytes.length > 0) {
      this.push(((bytes[0] << 8) | this.odd) << 16 >> 16);
      this.odd = null;
      i = 1;
    }
    for (; i + 1 < bytes.length; i += 2) this.push(((bytes[i + 1] << 8) | bytes[i]) << 16 >> 16);
    if (i < bytes.length) this.odd = bytes[i];
  }

  get length(): number {
    return this.n;
  }

  /** The samples so far, as a view (no copy); later appends never change what it holds. */
  view(): Float32Array {
    return this.buf.subarray(0, this.n);
  }

  private push(s16: number): void {
    this.buf[this.n++] = s16 / 32768;
  }

  private reserve(more: number): void {
    if (this.n + more <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.n + more) cap *= 2;
    const next = new Float32Array(cap);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}
