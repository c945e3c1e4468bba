/**
 * One voice's waveform as min/max peaks at a fixed base resolution, with coarser levels (each
 * halving the previous) so that a drawing of any zoom reads O(pixels) values: an hour at the base
 * resolution is 360,000 bins; the whole hour on 320 px reads a level of ~512 bins.
 *
 * Memory: two Float32 per bin per level (≈ 2× the base level in all): ~5.8 MB for an hour per
 * voice. The samples themselves are never kept.
 */
export const BASE_BIN_MS = 10;

export interface PeakColumns {
  min: Float32Array;
  max: Float32Array;
  /** Columns with no audio at all (neither min nor max written). */
  empty: Uint8Array;
}

export class PeakPyramid {
  /** levels[0] is the base; levels[k] has bins of BASE_BIN_MS · 2^k. NaN = no audio in that bin. */
  private levels: Array<{ min: Float32Array; max: Float32Array }> = [];
  private bins = 0;
  /** Bins of levels above the base that are out of date (the base changed at or after this bin). */
  private dirtyFrom = Infinity;
  /** Increments on every change: a drawing can skip work when it has not moved. */
  revision = 0;

  get durationMs(): number {
    return this.bins * BASE_BIN_MS;
  }

  /**
   * Adds 16-bit little-endian mono PCM starting at `tMs`. With `stride` > 1 only every stride-th
   * sample is read: a quick first pass for the overview. Min/max over a subset lie within the
   * min/max over all samples, so adding the same chunk again with stride 1 makes the bins exact.
   */
  addPcm16(tMs: number, sampleRate: number, data: Uint8Array, stride = 1): void {
    const n = data.byteLength >> 1;
    // An Int16Array view needs an even byte offset; a copied chunk (import, IndexedDB) may not have one.
    const view = (data.byteOffset & 1) === 0 ? new Int16Array(data.buffer, data.byteOffset, n) : new Int16Array(data.slice(0, n * 2).buffer);
    const startBin = this.prepare(tMs, sampleRate, n);
    if (startBin < 0) return;
    const base = this.levels[0];
    const perBin = (sampleRate * BASE_BIN_MS) / 1000;
    const offset = ((tMs - startBin * BASE_BIN_MS) / 1000) * sampleRate;
    const scale = 1 / 32768;
    const step = Math.max(1, Math.floor(stride));
    let bin = startBin;
    let i = 0;
    // Kept monomorphic (Int16Array only): this loop reads every sample of an hour-long recording.
    while (i < n) {
      const end = Math.min(n, Math.ceil((bin - startBin + 1) * perBin - offset));
      let lo = 32767;
      let hi = -32768;
      let any = false;
      for (; i < end; i += step) {
        const v = view[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        any = true;
      }
      // `i` overshoots into the next bin by less than a stride: the global sampling phase holds.
      if (any) mergeBin(base, bin, lo * scale, hi * scale);
      bin++;
    }
    this.touch(startBin);
  }

  /** Adds float samples (−1…1) starting at `tMs`. */
  addFloat(tMs: number, sampleRate: number, samples: Float32Array): void {
    const n = samples.length;
    const startBin = this.prepare(tMs, sampleRate, n);
    if (startBin < 0) return;
    const base = this.levels[0];
    const perBin = (sampleRate * BASE_BIN_MS) / 1000;
    const offset = ((tMs - startBin * BASE_BIN_MS) / 1000) * sampleRate;
    let bin = startBin;
    let i = 0;
    while (i < n) {
      const end = Math.min(n, Math.ceil((bin - startBin + 1) * perBin - offset));
      let lo = Infinity;
      let hi = -Infinity;
      for (; i < end; i++) {
        const v = samples[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo !== Infinity) mergeBin(base, bin, lo, hi);
      bin++;
    }
    this.touch(startBin);
  }

  /** Grows the base level for n samples at tMs; returns the first bin, or −1 for nothing to add. */
  private prepare(tMs: number, sampleRate: number, n: number): number {
    if (n === 0 || !(sampleRate > 0)) return -1;
    const perBin = (sampleRate * BASE_BIN_MS) / 1000;
    const startBin = Math.max(0, Math.floor(tMs / BASE_BIN_MS));
    const offset = ((tMs - startBin * BASE_BIN_MS) / 1000) * sampleRate;
    this.ensure(startBin + Math.floor((offset + n - 1) / perBin) + 1);
    return startBin;
  }

  /**
   * Adds a level reading (0…1, e.g. the live RMS meters at ~20 Hz) as a symmetric peak over
   * [tMs, tMs + spanMs): what the live strip has when the audio itself stays in the offscreen document.
   */
  addLevel(tMs: number, spanMs: number, level: number): void {
    const a = Math.max(0, Math.floor(tMs / BASE_BIN_MS));
    const b = Math.max(a + 1, Math.ceil((tMs + spanMs) / BASE_BIN_MS));
    this.ensure(b);
    const base = this.levels[0];
    const v = Math.max(0, Math.min(1, level));
    for (let i = a; i < b; i++) mergeBin(base, i, -v, v);
    this.touch(a);
  }

  /**
   * Min/max per column for `columns` equal columns over [fromMs, toMs). Reads the coarsest level
   * whose bins are no wider than a column, so the cost is O(columns), whatever the span.
   */
  columns(fromMs: number, toMs: number, columns: number): PeakColumns {
    this.rebuild();
    const out: PeakColumns = { min: new Float32Array(columns), max: new Float32Array(columns), empty: new Uint8Array(columns) };
    const msPerCol = (toMs - fromMs) / columns;
    if (this.bins === 0 || !(msPerCol > 0)) {
      out.empty.fill(1);
      return out;
    }
    let level = 0;
    while (level + 1 < this.levels.length && BASE_BIN_MS * 2 ** (level + 1) <= msPerCol) level++;
    const binMs = BASE_BIN_MS * 2 ** level;
    const { min, max } = this.levels[level];
    const count = min.length;
    for (let c = 0; c < columns; c++) {
      const a = fromMs + c * msPerCol;
      const b = a + msPerCol;
      // Each bin counts in the column its start falls in (a bin straddling two columns would draw
      // a one-sample spike twice); zoomed in beyond the base resolution, the bin under the column stretches.
      let i = Math.ceil(a / binMs);
      let j = Math.ceil(b / binMs);
      if (j <= i) {
        i = Math.floor(a / binMs);
        j = i + 1;
      }
      let lo = Infinity;
      let hi = -Infinity;
      for (i = Math.max(0, i); i < j && i < count; i++) {
        const x = min[i];
        if (x !== x) continue;
        if (x < lo) lo = x;
        if (max[i] > hi) hi = max[i];
      }
      if (lo === Infinity) out.empty[c] = 1;
      else {
        out.min[c] = lo;
        out.max[c] = hi;
      }
    }
    return out;
  }

  private ensure(bins: number): void {
    if (bins <= this.bins) return;
    if (this.levels.length === 0 || bins > this.levels[0].min.length) {
      // Grow geometrically: a live session appends a bin at a time.
      const cap = Math.max(1024, bins, (this.levels[0]?.min.length ?? 0) * 2);
      const old = this.levels[0];
      const min = new Float32Array(cap).fill(NaN);
      const max = new Float32Array(cap).fill(NaN);
      if (old) {
        min.set(old.min.subarray(0, this.bins));
        max.set(old.max.subarray(0, this.bins));
      }
      this.levels = [{ min, max }];
      this.dirtyFrom = 0;
    }
    this.bins = bins;
  }

  private touch(fromBin: number): void {
    if (fromBin < this.dirtyFrom) this.dirtyFrom = fromBin;
    this.revision++;
  }

  /** Recomputes the coarser levels from the first changed bin on (appends touch only the tail). */
  private rebuild(): void {
    if (this.dirtyFrom === Infinity) return;
    let from = this.dirtyFrom;
    let n = this.bins;
    for (let k = 1; n > 1; k++) {
      const below = this.levels[k - 1];
      const size = Math.ceil(n / 2);
      let lvl = this.levels[k];
      if (!lvl || lvl.min.length < size) {
        const cap = Math.ceil(below.min.length / 2);
        const min = new Float32Array(cap).fill(NaN);
        const max = new Float32Array(cap).fill(NaN);
        if (lvl) {
          min.set(lvl.min);
          max.set(lvl.max);
        }
        lvl = this.levels[k] = { min, max };
      }
      from = Math.floor(from / 2);
      for (let i = from; i < size; i++) {
        const a = 2 * i;
        const b = a + 1;
        const lo = minNaN(below.min[a], b < n ? below.min[b] : NaN);
        const hi = maxNaN(below.max[a], b < n ? below.max[b] : NaN);
        lvl.min[i] = lo;
        lvl.max[i] = hi;
      }
      n = size;
    }
    this.dirtyFrom = Infinity;
  }
}

function mergeBin(level: { min: Float32Array; max: Float32Array }, i: number, lo: number, hi: number): void {
  const m = level.min[i];
  if (m !== m || lo < m) level.min[i] = lo;
  const x = level.max[i];
  if (x !== x || hi > x) level.max[i] = hi;
}

function minNaN(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return a < b ? a : b;
}

function maxNaN(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return a > b ? a : b;
}
