import { launchExtension } from '../e2e/harness/extension-harness.ts';
import { button, waitForConnectionState } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';
import { soakVerdict, type SoakVerdict } from './soak-verdict.ts';

/**
 * The long-session soak of issue 8: a Loopback session (the fake microphone looped, so audio flows
 * both ways all the time) driven for `minutes`, with the offscreen document's JS heap (after a
 * forced GC), its JS event-listener count (DevTools `Memory.getDOMCounters`), the event history and
 * the playback underruns sampled every few seconds. Once the history has reached its memory budget
 * (rows start being dropped), memory must be flat: heap slope and listener count (bench/soak-verdict.ts).
 *
 * `plantLeak` plants a leak in the offscreen document (through the DevTools protocol, nothing in the
 * product changes) to show the criterion catches it; see PLANTED_LEAKS.
 */
export interface SoakOptions {
  minutes: number;
  historyBudgetMb: number;
  sampleEveryMs?: number;
  flatToleranceMb?: number;
  maxHeapSlopeMbPerMin?: number;
  listenerSlack?: number;
  plantLeak?: PlantedLeak;
  log?: (line: string) => void;
}

/**
 * Leaks the soak must catch, planted by evaluating a script in the offscreen document right after
 * Connect. Both poll the real event history every 250 ms, so they follow the session's real traffic:
 * - `retain-events`: keeps every event row the host ever logged in a global array (the classic
 *   "log everything for debugging" leak; rows the bounded history drops stay alive): ~55 rows/s.
 * - `listener-per-turn`: adds a `devicechange` listener on every turn start (user or bot started
 *   speaking), never removed: the shape of the one-listener-per-Connect leak of issue 16.
 */
export type PlantedLeak = 'retain-events' | 'listener-per-turn';
export const PLANTED_LEAKS: Record<PlantedLeak, string> = {
  'retain-events': `(() => {
    const kept = (globalThis.__plantedLeak = []);
    let last = -1;
    setInterval(() => {
      for (const e of globalThis.__sessionHost.events()) if (e.seq > last) { kept.push(e); last = e.seq; }
    }, 250);
    return 'retain-events';
  })()`,
  'listener-per-turn': `(() => {
    let last = -1;
    globalThis.__plantedLeak = 0;
    setInterval(() => {
      for (const e of globalThis.__sessionHost.events()) {
        if (e.seq <= last) continue;
        last = e.seq;
        if (e.type === 'user-started-speaking' || e.type === 'bot-started-speaking') {
          const turn = e;
          navigator.mediaDevices.addEventListener('devicechange', () => void turn.seq);
          globalThis.__plantedLeak++;
        }
      }
    }, 250);
    return 'listener-per-turn';
  })()`,
};

export interface SoakSample {
  atS: number;
  heapMb: number;
  historyMb: number;
  rows: number;
  dropped: number;
  /** JS event listeners in the offscreen document's renderer (Memory.getDOMCounters). */
  listeners: number;
  underruns: number;
  state: string;
}

export interface SoakResult extends SoakVerdict {
  minutes: number;
  historyBudgetMb: number;
  samples: SoakSample[];
  heapFinalMb: number;
  underruns: number;
  finalState: string;
  plantedLeak: PlantedLeak | null;
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
const round2 = (v: number) => Math.round(v * 100) / 100;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const sampleEveryMs = opts.sampleEveryMs ?? 5_000;
  const log = opts.log ?? (() => undefined);
  const leakScript = opts.plantLeak ? PLANTED_LEAKS[opts.plantLeak] : undefined;
  if (opts.plantLeak && !leakScript) throw new Error(`Unknown planted leak "${opts.plantLeak}"; known: ${Object.keys(PLANTED_LEAKS).join(', ')}`);
  // Precise memory figures and a callable gc(): each sample is the heap that survives a collection.
  const h = await launchExtension({ extraArgs: ['--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  try {
    const panel = await h.openPanel({ adapter: 'loopback' });
    const budget = await h.evaluateInOffscreen<number>(`globalThis.__sessionHost.setHistoryBudget(${Math.round(opts.historyBudgetMb * MB)})`);
    if (budget !== Math.round(opts.historyBudgetMb * MB)) throw new Error(`the host kept a history budget of ${budget} bytes`);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    if (leakScript) log(`planted leak: ${await h.evaluateInOffscreen<string>(leakScript)}`);
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
      const counters = await h.sendToOffscreen<{ jsEventListeners: number }>('Memory.getDOMCounters');
      const s: SoakSample = {
        atS: round((Date.now() - started) / 1000),
        heapMb: round2(p.heap / MB),
        historyMb: round2(p.hist.held / MB),
        rows: p.size,
        dropped: p.hist.dropped,
        listeners: counters.jsEventListeners,
        underruns: p.underruns,
        state: p.state,
      };
      samples.push(s);
      log(`t=${s.atS}s heap=${s.heapMb}MB history=${s.historyMb}MB rows=${s.rows} dropped=${s.dropped} listeners=${s.listeners} underruns=${s.underruns} ${s.state}`);
    }
    const verdict = soakVerdict(samples, { flatToleranceMb: opts.flatToleranceMb, maxHeapSlopeMbPerMin: opts.maxHeapSlopeMbPerMin, listenerSlack: opts.listenerSlack });
    const last = samples.at(-1)!;
    return {
      minutes: opts.minutes,
      historyBudgetMb: opts.historyBudgetMb,
      samples,
      ...verdict,
      plantedLeak: opts.plantLeak ?? null,
      heapFinalMb: last.heapMb,
      underruns: last.underruns,
      finalState: last.state,
    };
  } finally {
    await h.close();
  }
}
