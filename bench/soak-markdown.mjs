// The BENCHMARKS.md `soak` section body for a soak result (bench/soak-run.ts SoakResult, as JSON).
// Plain JS so that scripts/soak.mjs (Node, no TypeScript) can use it.

/**
 * @param {{ minutes: number, historyBudgetMb: number, samples: Array<{ atS: number }>, boundReachedAtS: number | null,
 *   heapAtBoundMb: number | null, heapMinAfterMb: number | null, heapMaxAfterMb: number | null, heapMaxDeviationMb: number | null,
 *   heapFinalMb: number, underruns: number, finalState: string, flatToleranceMb: number, flat: boolean,
 *   heapSlopeMbPerMin?: number | null, maxHeapSlopeMbPerMin?: number, listenersAtBound?: number | null,
 *   listenerGrowth?: number | null, listenerSlack?: number }} r
 * @param {Date} [when]
 * @returns {string}
 */
export function soakMarkdownFromJson(r, when = new Date()) {
  const every = r.samples.length > 1 ? Math.round(r.samples[1].atS - r.samples[0].atS) : '?';
  const dash = (v) => (v === null || v === undefined ? '–' : v);
  return [
    `Soak (\`npm run soak -- --minutes ${r.minutes} --history-budget-mb ${r.historyBudgetMb}\`, ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC): a Loopback session with the fake microphone looped (panel closed; the offscreen document holds the session), the offscreen document's JS heap read after a forced GC every ${every} s. CI runs the 2-minute variant (\`e2e/soak.e2e.test.ts\`, 0.25 MB budget, a sample every 2.5 s: Loopback fills the history at about 1 MB a minute). Flat = heap slope after the bound and JS event-listener growth under their bars (bench/soak-verdict.ts).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| duration | ${r.minutes} min (${r.samples.length} samples) |`,
    `| history budget | ${r.historyBudgetMb} MB |`,
    `| history bound reached | ${r.boundReachedAtS === null ? 'never' : `${r.boundReachedAtS} s`} |`,
    `| heap at the bound | ${dash(r.heapAtBoundMb)} MB |`,
    `| heap after the bound (min – max) | ${dash(r.heapMinAfterMb)} – ${dash(r.heapMaxAfterMb)} MB |`,
    `| largest deviation from the heap at the bound | ${dash(r.heapMaxDeviationMb)} MB (bar ±${r.flatToleranceMb} MB) |`,
    ...(r.maxHeapSlopeMbPerMin === undefined ? [] : [`| heap slope after the bound | ${dash(r.heapSlopeMbPerMin)} MB/min (bar ${r.maxHeapSlopeMbPerMin} MB/min) |`]),
    ...(r.listenerSlack === undefined ? [] : [`| JS event listeners at the bound, growth after | ${dash(r.listenersAtBound)}, +${dash(r.listenerGrowth)} (bar +${r.listenerSlack}) |`]),
    `| heap at the end | ${r.heapFinalMb} MB |`,
    `| playback underruns | ${r.underruns} |`,
    `| state at the end | ${r.finalState} |`,
    `| verdict | ${r.flat ? 'flat' : 'NOT flat'} |`,
  ].join('\n');
}
