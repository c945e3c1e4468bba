import { launchExtension } from '../e2e/harness/extension-harness.ts';
import { button, waitForConnectionState } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';

/**
 * The long-session soak of issue 8: a Loopback session (the fake microphone looped, so audio flows
 * both ways all the time) driven for `minutes`, with the offscreen document's JS heap (after a
 * forced GC), the event history and the playback underruns sampled every few seconds. Once the
 * history has reached its memory budget (rows start being dropped), the heap must stay within
 * ±`flatToleranceMb` of its value at that point.
 */
export interface SoakOptions {
  minutes: number;
  historyBudgetMb: number;
  sampleEveryMs?: number;
  flatToleranceMb?: number;
  log?: (line: string) => void;
}

export interface SoakSample {
  atS: number;
  heapMb: number;
  historyMb: number;
  rows: number;
  dropped: number;
  underruns: number;
  state: string;
}

export interface SoakResult {
  minutes: number;
  historyBudgetMb: number;
  samples: SoakSample[];
  /** Seconds into the session when the history first dropped rows (null: never reached). */
  boundReachedAtS: number | null;
  heapAtBoundMb: number | null;
  heapMinAfterMb: number | null;
  heapMaxAfterMb: number | null;
  /** Largest distance of a later sample from the heap at the bound. */
  heapMaxDeviationMb: number | null;
  heapFinalMb: number;
  underruns: number;
  finalState: string;
  flatToleranceMb: number;
  flat: boolean;
}

interface Probe {
  heap: number;
  hist: { held: number; budget: number; dropped: number };
  size: number;
  underruns: number;
  state: string;
}

const MB = 1024 * 1024;
const round = (v: number) => Math.round(v * 10) / 10;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const sampleEveryMs = opts.sampleEveryMs ?? 5_000;
  const tolerance = opts.flatToleranceMb ?? 10;
  const log = opts.log ?? (() => undefined);
  // Precise memory figures and a callable gc(): each sample is the heap that survives a collection.
  const h = await launchExtension({ extraArgs: ['--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  try {
    const panel = await h.openPanel({ adapter: 'loopback' });
    const budget = await h.evaluateInOffscreen<number>(`globalThis.__sessionHost.setHistoryBudget(${Math.round(opts.historyBudgetMb * MB)})`);
    if (budget !== Math.round(opts.historyBudgetMb * MB)) throw new Error(`the host kept a history budget of ${budget} bytes`);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    // The session lives in the offscreen document; a closed panel keeps the 2-core machine free for it.
    await panel.close();
    const started = Date.now();
    const samples: SoakSample[] = [];
    const probe = () =>
      h.evaluateInOffscreen<Probe>(
        `(() => { globalThis.gc?.(); const s = globalThis.__sessionHost; return { heap: performance.memory.usedJSHeapSize, hist: s.historyBytes, size: s.historySize, underruns: (s.stats && s.stats.underruns) || 0, state: s.status.transportState }; })()`,
      );
    const end = started + opts.minutes * 60_000;
    for (let next = started; next <= end; next += sampleEveryMs) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = await probe();
      const s: SoakSample = { atS: round((Date.now() - started) / 1000), heapMb: round(p.heap / MB), historyMb: round(p.hist.held / MB), rows: p.size, dropped: p.hist.dropped, underruns: p.underruns, state: p.state };
      samples.push(s);
      log(`t=${s.atS}s heap=${s.heapMb}MB history=${s.historyMb}MB rows=${s.rows} dropped=${s.dropped} underruns=${s.underruns} ${s.state}`);
    }
    const boundAt = samples.findIndex((s) => s.dropped > 0);
    const after = boundAt >= 0 ? samples.slice(boundAt) : [];
    const ref = after[0]?.heapMb ?? null;
    const heaps = after.map((s) => s.heapMb);
    const deviation = ref === null ? null : round(Math.max(...heaps.map((v) => Math.abs(v - ref))));
    const last = samples.at(-1)!;
    return {
      minutes: opts.minutes,
      historyBudgetMb: opts.historyBudgetMb,
      samples,
      boundReachedAtS: boundAt >= 0 ? samples[boundAt].atS : null,
      heapAtBoundMb: ref,
      heapMinAfterMb: heaps.length ? Math.min(...heaps) : null,
      heapMaxAfterMb: heaps.length ? Math.max(...heaps) : null,
      heapMaxDeviationMb: deviation,
      heapFinalMb: last.heapMb,
      underruns: last.underruns,
      finalState: last.state,
      flatToleranceMb: tolerance,
      flat: deviation !== null && deviation <= tolerance && after.length >= 2,
    };
  } finally {
    await h.close();
  }
}
