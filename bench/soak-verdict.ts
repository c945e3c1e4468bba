/**
 * The soak's flat-memory verdict, pure so that it is unit-tested on traces recorded from real runs
 * (bench/fixtures/soak-traces.json: a clean run and one per planted leak).
 *
 * From the first sample where the history dropped rows (its budget is reached, so everything the
 * session keeps should now be bounded):
 * - the heap's least-squares slope, skipping the first `SLOPE_SETTLE_S` (the history's arrays and
 *   the JIT settle there: +0.2 MB in the first 10 s measured, flat after), stays under
 *   `maxHeapSlopeMbPerMin`: a leak grows steadily, GC noise does not;
 * - no sample strays more than `flatToleranceMb` from the heap at the bound;
 * - the JS event-listener count grows by at most `listenerSlack`: a listener added per turn costs a
 *   few bytes of heap, far below any heap bar, but shows here at once.
 *
 * Bars measured on the shared 2-core box (load average 10-17; traces in the fixture): clean runs'
 * slopes -0.01 to 0.02 MB/min with listeners constant; every event row retained 0.28-0.45 MB/min
 * (a Loopback row costs only ~150 bytes of heap; 0.42 with the CI setup of 0.25 MB history and a
 * sample every 2.5 s, whose slope noise is a few hundredths); a listener per turn +62 to +72.
 */
export const MAX_HEAP_SLOPE_MB_PER_MIN = 0.2;
export const SLOPE_SETTLE_S = 10;
export const LISTENER_SLACK = 10;
export const FLAT_TOLERANCE_MB = 10;

export interface VerdictSample {
  atS: number;
  heapMb: number;
  /** Rows the history has dropped so far (> 0: its budget is reached). */
  dropped: number;
  /** JS event listeners in the document's renderer (DevTools Memory.getDOMCounters). */
  listeners: number;
}

export interface VerdictBars {
  flatToleranceMb?: number;
  maxHeapSlopeMbPerMin?: number;
  listenerSlack?: number;
}

export interface SoakVerdict {
  boundReachedAtS: number | null;
  heapAtBoundMb: number | null;
  heapMinAfterMb: number | null;
  heapMaxAfterMb: number | null;
  /** Largest distance of a later sample from the heap at the bound. */
  heapMaxDeviationMb: number | null;
  /** Least-squares slope of the heap from SLOPE_SETTLE_S after the bound on (MB per minute). */
  heapSlopeMbPerMin: number | null;
  listenersAtBound: number | null;
  /** Largest listener count after the bound minus the count at the bound. */
  listenerGrowth: number | null;
  flatToleranceMb: number;
  maxHeapSlopeMbPerMin: number;
  listenerSlack: number;
  /** Why memory is not flat (empty when flat). */
  failures: string[];
  flat: boolean;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;

/** Least-squares slope of [seconds, MB] points, in MB per minute. */
export function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

export function soakVerdict(samples: VerdictSample[], bars: VerdictBars = {}): SoakVerdict {
  const tolerance = bars.flatToleranceMb ?? FLAT_TOLERANCE_MB;
  const maxSlope = bars.maxHeapSlopeMbPerMin ?? MAX_HEAP_SLOPE_MB_PER_MIN;
  const listenerSlack = bars.listenerSlack ?? LISTENER_SLACK;
  const boundAt = samples.findIndex((s) => s.dropped > 0);
  const after = boundAt >= 0 ? samples.slice(boundAt) : [];
  const ref = after[0]?.heapMb ?? null;
  const heaps = after.map((s) => s.heapMb);
  const deviation = ref === null ? null : round1(Math.max(...heaps.map((v) => Math.abs(v - ref))));
  const settled = after.filter((s) => s.atS >= after[0].atS + SLOPE_SETTLE_S);
  const slope = settled.length >= 3 ? round2(slopePerMinute(settled.map((s) => [s.atS, s.heapMb]))) : null;
  const listenersAtBound = after[0]?.listeners ?? null;
  const listenerGrowth = listenersAtBound === null ? null : Math.max(...after.map((s) => s.listeners)) - listenersAtBound;
  const failures: string[] = [];
  if (boundAt < 0) failures.push('the history never reached its budget');
  else if (settled.length < 3) failures.push(`only ${settled.length} samples from ${SLOPE_SETTLE_S} s after the history bound on`);
  if (deviation !== null && deviation > tolerance) failures.push(`heap strayed ${deviation} MB from ${ref} MB (bar ±${tolerance} MB)`);
  if (slope !== null && slope > maxSlope) failures.push(`heap grew ${slope} MB/min after the bound (bar ${maxSlope} MB/min)`);
  if (listenerGrowth !== null && listenerGrowth > listenerSlack) failures.push(`${listenerGrowth} more event listeners than at the bound (bar +${listenerSlack})`);
  return {
    boundReachedAtS: boundAt >= 0 ? samples[boundAt].atS : null,
    heapAtBoundMb: ref,
    heapMinAfterMb: heaps.length ? Math.min(...heaps) : null,
    heapMaxAfterMb: heaps.length ? Math.max(...heaps) : null,
    heapMaxDeviationMb: deviation,
    heapSlopeMbPerMin: slope,
    listenersAtBound,
    listenerGrowth,
    flatToleranceMb: tolerance,
    maxHeapSlopeMbPerMin: maxSlope,
    listenerSlack,
    failures,
    flat: failures.length === 0,
  };
}
