/**
 * The inspector in the real panel (issues 7 and 9: "2,000 events/s with no main-thread task over
 * 50 ms"; "filter over 100,000 events ≤ 100 ms p95"). The built extension in headless Chromium;
 * the panel page opened as a tab 320 px wide; synthetic rows injected in the offscreen document
 * through the session host's measurement hook (`__sessionHost.injectSynthetic`), which takes the
 * same path real rows do: history append, then batched Port updates to the panel.
 */
import { it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { launchExtension, type ExtensionHarness } from '../e2e/harness/extension-harness.ts';
import { exactly, selectView } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';
import { OFFSCREEN_DOCUMENT_PATH } from '../extension/shared/messages.ts';
import type { SyntheticInjectionReport } from '../extension/offscreen/session-host.ts';
import { REPEATS, loadLine, table, writeResult, yesNo, type BarRow } from './bench-result.ts';
import { fmt, fmtPercentile, summarize } from './bench-stats.ts';
import { TargetMetrics } from './target-metrics.ts';

const RATE = 2_000;
const INJECT_S = Number(process.env.BENCH_INJECT_S ?? 10);
const HELD = 100_000;
const WARMUP_ROWS = 200;
const WARMUP_RATE = 200;
const PANEL_WIDTH = 320;
/**
 * Typed one key at a time into `Filter events`; Backspace-cleared between words. 106 keystrokes:
 * a p95 by nearest rank needs at least 100 samples (issue 14).
 */
const WORDS = ['weather', 'umbrella', 'bot-tts', '/pari[s]/', 'transcript', 'response.done', 'user-started', 'item_7', '/^bot-/', 'no-such-text', 'rain'];

const log = (m: string) => console.log(`[browser-inspector] ${m}`);

interface LongTask {
  start: number;
  duration: number;
  name: string;
}

interface RunFigures {
  heldBefore: number;
  heldAfter: number;
  injection: SyntheticInjectionReport;
  /** Long tasks the panel page's observer saw during the injection (the shared main thread). */
  panelLongTasks: LongTask[];
  /** Long tasks the offscreen document's observer saw. */
  offscreenLongTasks: LongTask[];
  /** Rows per second that reached the panel's `Event count`, injection start → last row shown. */
  renderedPerSecond: number;
  /** Last injected row shown in the panel, ms after the injection resolved (as seen from Node). */
  tailMs: number;
  /** `Event count` re-renders per second (the panel coalesces to one per frame). */
  countUpdatesPerSecond: number;
  /** Animation frames per second the panel page ran during the injection. */
  framesPerSecond: number;
  /** CDP Performance metrics deltas per second of injection (shared renderer main thread). */
  panelCdp: Record<string, number>;
  offscreenCdp: Record<string, number>;
}

/** Installs the panel-side probes: long-task observer, `Event count` recorder, frame counter. */
async function installPanelProbes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bench: { longTasks: LongTask[]; counts: Array<[number, number]>; frames: number[] } };
    w.__bench = { longTasks: [], counts: [], frames: [] };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__bench.longTasks.push({ start: e.startTime, duration: e.duration, name: e.name });
    }).observe({ type: 'longtask', buffered: false });
    // Long animation frames (LoAF) and Event Timing are reported to the page whose frame or input
    // they are, so these see the panel's typing even though the thread is shared.
    const lw = w as unknown as { __benchLoaf: LongTask[]; __benchEvents: Array<{ id: number; name: string; start: number; duration: number }> };
    lw.__benchLoaf = [];
    lw.__benchEvents = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) lw.__benchLoaf.push({ start: e.startTime, duration: e.duration, name: e.name });
      }).observe({ type: 'long-animation-frame', buffered: false });
    } catch {
      // not supported: the figure says so
    }
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as PerformanceEventTiming[]) if (e.interactionId) lw.__benchEvents.push({ id: e.interactionId, name: e.name, start: e.startTime, duration: e.duration });
      }).observe({ type: 'event', durationThreshold: 16, buffered: false } as PerformanceObserverInit);
    } catch {
      // not supported
    }
    const count = document.querySelector('[role="status"][aria-label="Event count"]')!;
    const read = () => Number(/(\d+)\s+events?/.exec(count.textContent ?? '')?.[1] ?? NaN);
    new MutationObserver(() => w.__bench.counts.push([performance.now(), read()])).observe(count, { subtree: true, childList: true, characterData: true });
    const frame = (t: number) => {
      w.__bench.frames.push(t);
      if (w.__bench.frames.length > 200_000) w.__bench.frames.splice(0, 100_000);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/**
 * Resolves once the panel page has had 20 idle periods of ≥ 8 ms in a row (bounded at 30 s). The
 * frame counter keeps requesting frames, so an idle period lasts at most one frame.
 */
async function panelIdle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let quiet = 0;
        const giveUp = setTimeout(resolve, 30_000);
        const step = (d: IdleDeadline) => {
          quiet = d.timeRemaining() >= 8 ? quiet + 1 : 0;
          if (quiet >= 20) {
            clearTimeout(giveUp);
            resolve();
          } else requestIdleCallback(step);
        };
        requestIdleCallback(step);
      }),
  );
}

async function heldInPanel(page: Page): Promise<number> {
  const text = (await page.getByRole('status', { name: exactly('Event count') }).textContent()) ?? '';
  return Number(/(\d+)\s+events?/.exec(text)?.[1] ?? NaN);
}

async function cdpMetrics(read: () => Promise<Record<string, number>>): Promise<Record<string, number>> {
  const m = await read();
  return { TaskDuration: m.TaskDuration, ScriptDuration: m.ScriptDuration, LayoutDuration: m.LayoutDuration, RecalcStyleDuration: m.RecalcStyleDuration, JSHeapUsedSize: m.JSHeapUsedSize };
}

function perSecond(before: Record<string, number>, after: Record<string, number>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration']) out[k] = ((after[k] - before[k]) * 1000) / seconds; // s → ms, per s
  out.JSHeapUsedMB = after.JSHeapUsedSize / 2 ** 20;
  return out;
}

/**
 * Starts an injection and waits for its report without holding one CDP evaluation open for its
 * whole length (the harness's evaluation retries on a CDP timeout, which would inject twice).
 */
async function inject(h: ExtensionHarness, count: number, rate: number): Promise<SyntheticInjectionReport> {
  await h.evaluateInOffscreen(`(globalThis.__benchInjection = null, globalThis.__sessionHost.injectSynthetic({ count: ${count}, ratePerSecond: ${rate} }).then((r) => (globalThis.__benchInjection = r), (e) => (globalThis.__benchInjection = { error: String(e) })), true)`);
  const r = await waitFor(`the injection of ${count} rows at ${rate}/s to finish`, () => h.evaluateInOffscreen<SyntheticInjectionReport & { error?: string } | null>('globalThis.__benchInjection'), { timeoutMs: (count / rate) * 1000 + 30_000, intervalMs: 100 });
  if (r.error) throw new Error(r.error);
  return r;
}

async function injectionRun(h: ExtensionHarness, page: Page, pageCdp: CDPSession, off: TargetMetrics, count: number): Promise<RunFigures> {
  const heldBefore = await heldInPanel(page);
  await h.evaluateInOffscreen('(globalThis.__benchLongTasks.length = 0, true)');
  const mark = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { longTasks: unknown[]; counts: unknown[]; frames: unknown[] } }).__bench;
    b.longTasks.length = 0;
    b.counts.length = 0;
    b.frames.length = 0;
    return performance.now();
  });
  const panelBefore = await cdpMetrics(async () => Object.fromEntries(((await pageCdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((x) => [x.name, x.value])));
  const offBefore = await cdpMetrics(() => off.metrics());
  const injection = await inject(h, count, RATE);
  const resolvedAt = performance.now();
  const panelAfter = await cdpMetrics(async () => Object.fromEntries(((await pageCdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((x) => [x.name, x.value])));
  const offAfter = await cdpMetrics(() => off.metrics());
  // +1: the transport row that announces the injection.
  const expected = heldBefore + count + 1;
  await waitFor(`the panel's Event count to reach ${expected}`, async () => (await heldInPanel(page)) >= expected, { timeoutMs: 30_000, intervalMs: 20 });
  const tailMs = performance.now() - resolvedAt;
  const probes = await page.evaluate((m) => {
    const b = (window as unknown as { __bench: { longTasks: LongTask[]; counts: Array<[number, number]>; frames: number[] } }).__bench;
    return { longTasks: b.longTasks.filter((t) => t.start >= m), counts: b.counts.slice(), frames: b.frames.filter((t) => t >= m), now: performance.now() };
  }, mark);
  const offscreenLongTasks = await h.evaluateInOffscreen<LongTask[]>('globalThis.__benchLongTasks.slice()');
  const seconds = injection.elapsedMs / 1000;
  const last = probes.counts.at(-1) ?? [probes.now, expected];
  const firstChange = probes.counts.find(([, c]) => c > heldBefore);
  const span = firstChange ? (probes.frames.at(-1)! - firstChange[0]) / 1000 : seconds;
  return {
    heldBefore,
    heldAfter: last[1],
    injection,
    panelLongTasks: probes.longTasks,
    offscreenLongTasks,
    renderedPerSecond: ((last[1] - heldBefore) / (last[0] - mark)) * 1000,
    tailMs,
    countUpdatesPerSecond: probes.counts.length / Math.max(seconds, 0.001),
    framesPerSecond: probes.frames.length / Math.max(span, 0.001),
    panelCdp: perSecond(panelBefore, panelAfter, seconds),
    offscreenCdp: perSecond(offBefore, offAfter, seconds),
  };
}

interface KeyFigures {
  key: string;
  query: string;
  /** keydown (event timestamp) → the list committed for the new query (aria-busy cleared / Shown events changed). */
  commitMs: number;
  /** … → the next animation frame after that commit (the result on screen). */
  frameMs: number;
  shown: string;
}

/** One keystroke into `Filter events`, timed inside the panel page. */
async function timeKey(page: Page, key: string): Promise<KeyFigures> {
  // Armed first and awaited: a key sent while the arming evaluation is in flight can overtake it.
  await page.evaluate(() => {
    (window as unknown as { __benchKey: Promise<unknown> }).__benchKey = new Promise<{ commitMs: number; frameMs: number; shown: string; query: string }>((resolve, reject) => {
      const log = document.querySelector('[role="log"][aria-label="Event log"]')!;
      const shown = document.querySelector('[role="status"][aria-label="Shown events"]')!;
      const box = document.querySelector<HTMLInputElement>('input[aria-label="Filter events"]')!;
      const before = shown.textContent;
      let start: number | null = null;
      let sawBusy = false;
      let done = false;
      const timer = setTimeout(() => finish(new Error(`the filtered list did not update within 10 s of the keystroke (keydown seen: ${start !== null}, query now ${JSON.stringify(box.value)}, focus on ${document.activeElement?.getAttribute('aria-label')}, aria-busy ${log.getAttribute('aria-busy')}, shown ${shown.textContent} was ${before})`)), 10_000);
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        mo.disconnect();
        clearTimeout(timer);
        if (err) return reject(err);
        const commitMs = performance.now() - start!;
        requestAnimationFrame(() => resolve({ commitMs, frameMs: performance.now() - start!, shown: shown.textContent ?? '', query: box.value }));
      };
      document.addEventListener('keydown', (e) => (start = e.timeStamp), { capture: true, once: true });
      const check = (records: MutationRecord[]) => {
        if (start === null) return;
        // Busy may come and go between two callbacks: any change of the attribute means it did.
        if (records.some((r) => r.type === 'attributes')) sawBusy = true;
        if (log.getAttribute('aria-busy') === 'true') return;
        if (sawBusy || shown.textContent !== before) finish();
      };
      const mo = new MutationObserver(check);
      mo.observe(log, { attributes: true, attributeFilter: ['aria-busy'] });
      mo.observe(shown, { subtree: true, childList: true, characterData: true });
    });
  });
  await page.keyboard.press(key);
  const r = await page.evaluate(() => (window as unknown as { __benchKey: Promise<{ commitMs: number; frameMs: number; shown: string; query: string }> }).__benchKey);
  return { key, ...r };
}

interface TypingFigures {
  keys: KeyFigures[];
  longTasks: LongTask[];
  /** Long animation frames the panel's observer saw while typing. */
  loaf: LongTask[] | null;
  /** Event Timing: per interaction, the longest event's duration (input → next paint), ms. */
  interactions: number[] | null;
}

async function typingRun(page: Page): Promise<TypingFigures> {
  const box = page.getByRole('searchbox', { name: exactly('Filter events') });
  await box.click();
  const mark = await page.evaluate(() => performance.now());
  const keys: KeyFigures[] = [];
  for (const word of WORDS) {
    for (const ch of word) keys.push(await timeKey(page, ch));
    // Clearing is a keystroke too: Ctrl+A then Backspace (the Backspace is timed).
    await page.keyboard.press('Control+A');
    keys.push(await timeKey(page, 'Backspace'));
  }
  const probes = await page.evaluate((m) => {
    const w = window as unknown as { __bench: { longTasks: LongTask[] }; __benchLoaf?: LongTask[]; __benchEvents?: Array<{ id: number; start: number; duration: number }> };
    const loafSupported = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame');
    const eventsSupported = PerformanceObserver.supportedEntryTypes.includes('event');
    const byInteraction = new Map<number, number>();
    for (const e of w.__benchEvents ?? []) if (e.start >= m) byInteraction.set(e.id, Math.max(byInteraction.get(e.id) ?? 0, e.duration));
    return {
      longTasks: w.__bench.longTasks.filter((t) => t.start >= m),
      loaf: loafSupported ? (w.__benchLoaf ?? []).filter((t) => t.start >= m) : null,
      interactions: eventsSupported ? [...byInteraction.values()] : null,
    };
  }, mark);
  return { keys, ...probes };
}

it('browser inspector bench', async () => {
  const t0 = performance.now();
  const h = await launchExtension();
  const runs: RunFigures[] = [];
  let typing: TypingFigures | null = null;
  let error: string | undefined;
  let topUp: SyntheticInjectionReport | null = null;
  let startupLongTasks: LongTask[] = [];
  let warmupLongTasks: LongTask[] = [];
  try {
    const page = await h.openPanel({ adapter: 'loopback' });
    await page.setViewportSize({ width: PANEL_WIDTH, height: 800 });
    // One pane at this width: the event log is in the Events view.
    await selectView(page, 'Events');
    await installPanelProbes(page);
    // The panel's own start-up (first render, device list, settings) is not ingest: let it settle.
    await panelIdle(page);
    startupLongTasks = await page.evaluate(() => (window as unknown as { __bench: { longTasks: LongTask[] } }).__bench.longTasks.slice());
    // A session reaches 2,000 rows/s only after its first rows (connect, setup) have arrived at a
    // low rate; the first rows a freshly opened panel renders pay for cold code paths. Measured
    // apart, at a low rate, and reported.
    log('warm-up: first rows into the fresh panel');
    const warmMark = await page.evaluate(() => performance.now());
    await inject(h, WARMUP_ROWS, WARMUP_RATE);
    await waitFor(`the panel to show the ${WARMUP_ROWS} warm-up rows`, async () => (await heldInPanel(page)) > WARMUP_ROWS, { timeoutMs: 15_000 });
    await panelIdle(page);
    warmupLongTasks = await page.evaluate((m) => (window as unknown as { __bench: { longTasks: LongTask[] } }).__bench.longTasks.filter((t) => t.start >= m), warmMark);
    await h.evaluateInOffscreen(`(() => {
      globalThis.__benchLongTasks = [];
      try {
        new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__benchLongTasks.push({ start: e.startTime, duration: e.duration, name: e.name }); }).observe({ type: 'longtask' });
      } catch {}
      return true;
    })()`);
    const pageCdp = await h.context.newCDPSession(page);
    await pageCdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const browserCdp = await h.context.browser()!.newBrowserCDPSession();
    const off = await TargetMetrics.attach(browserCdp, (t) => t.type === 'background_page' && t.url.includes(OFFSCREEN_DOCUMENT_PATH));

    // REPEATS runs of 2,000 rows/s for INJECT_S s: the history grows run by run (0 → 20,000 →
    // 40,000 …), the regime of a long session.
    for (let r = 0; r < REPEATS; r++) {
      log(`injection run ${r + 1}/${REPEATS}`);
      runs.push(await injectionRun(h, page, pageCdp, off, RATE * INJECT_S));
      const x = runs.at(-1)!;
      log(`  ${x.panelLongTasks.length} long tasks, longest ${Math.max(0, ...x.panelLongTasks.map((t) => t.duration)).toFixed(0)} ms, rendered ${x.renderedPerSecond.toFixed(0)}/s`);
    }
    const held = await heldInPanel(page);
    if (held < HELD) {
      // Top up to 100,000 held rows fast; this part is not measured.
      topUp = await inject(h, HELD - held, 20_000);
      await waitFor(`the panel to hold ${HELD} rows`, async () => (await heldInPanel(page)) >= HELD, { timeoutMs: 60_000 });
    }
    // Let the panel's idle-time search-text warm-up finish, as it would while a user reads the log.
    log('waiting for the panel to go idle');
    await panelIdle(page);
    log('typing');
    typing = await typingRun(page);
    await pageCdp.detach().catch(() => undefined);
    await browserCdp.detach().catch(() => undefined);
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  } finally {
    await h.close();
  }

  const allPanelTasks = runs.flatMap((r) => r.panelLongTasks);
  const over50 = allPanelTasks.filter((t) => t.duration > 50);
  const longest = summarize(runs.map((r) => Math.max(0, ...r.panelLongTasks.map((t) => t.duration))));
  const rendered = summarize(runs.map((r) => r.renderedPerSecond));
  const achieved = summarize(runs.map((r) => r.injection.achievedPerSecond));
  const keyCommit = typing ? summarize(typing.keys.map((k) => k.commitMs)) : null;
  const keyFrame = typing ? summarize(typing.keys.map((k) => k.frameMs)) : null;
  const typingOver50 = typing ? typing.longTasks.filter((t) => t.duration > 50) : [];
  const heldAtTyping = typing ? Math.max(HELD, runs.at(-1)?.heldAfter ?? 0) : 0;
  const offCost = summarize(runs.map((r) => ((r.injection.appendMs + r.injection.broadcastMs) / r.injection.elapsedMs) * 1000));
  const ingestMet = runs.length > 0 ? over50.length === 0 : null;
  const filterMet = keyFrame ? keyFrame.p95 <= 100 : null;

  const bars: BarRow[] = [
    {
      id: 'inspector',
      ours:
        runs.length > 0
          ? `in the panel (${PANEL_WIDTH} px) at ${RATE.toLocaleString('en')} events/s: ${over50.length} tasks > 50 ms, longest ${fmt(longest, 0)} ms; rendered ${fmt(rendered, 0)} events/s` +
            (keyFrame ? `; typing to filter over ${heldAtTyping.toLocaleString('en')} held events ${fmtPercentile(keyFrame, 95)}, median ${keyFrame.median.toFixed(0)} ms, to the next frame; ${loadLine()}` : '')
          : `not measured: ${error}`,
      met: ingestMet === null ? null : ingestMet && filterMet !== false,
      note: `long tasks from a PerformanceObserver in the panel page, after ${WARMUP_ROWS} warm-up rows at ${WARMUP_RATE}/s (${warmupLongTasks.length} tasks > 50 ms there, longest ${Math.max(0, ...warmupLongTasks.map((t) => t.duration)).toFixed(0)} ms); ${REPEATS} runs of ${INJECT_S} s injected through the session host's measurement hook (history + batched Port, the real path); while typing, long animation frames > 50 ms (LoAF, the panel's own frames): ${typing?.loaf ? typing.loaf.filter((t) => t.duration > 50).length : 'not supported'}`,
    },
  ];

  const md: string[] = [];
  md.push('## Inspector in the panel (built extension, headless Chromium)');
  md.push('');
  md.push(loadLine());
  md.push('');
  md.push(
    `The side panel page opened as a tab ${PANEL_WIDTH} px wide, on the Event log. Rows are injected in the offscreen document by \`globalThis.__sessionHost.injectSynthetic({ count, ratePerSecond })\`, a measurement hook of the session host that appends the \`makeSyntheticEvents\` mix (OpenAI-shaped: audio appends out, audio and transcript deltas in, RTVI rows citing their frames, transport rows) through the path real rows take: history append, then the ~50 ms batched Port updates every panel receives. ${REPEATS} runs of ${(RATE * INJECT_S).toLocaleString('en')} rows at ${RATE.toLocaleString('en')}/s, one after the other, so the panel's history grows run by run${topUp ? `; then topped up to ${HELD.toLocaleString('en')} rows (not measured)` : ''}. Long tasks come from a \`PerformanceObserver('longtask')\` started in the panel page, CPU from DevTools \`Performance.getMetrics\` (thread time). Chrome runs every page of one extension on one renderer main thread, so the panel's observer and both CDP targets see the offscreen document's work too.`,
  );
  md.push('');
  if (runs.length > 0) {
    md.push('### 2,000 events/s into the panel');
    md.push('');
    md.push(
      table(
        ['run', 'held before → after', 'injected at', 'rendered (Event count)', 'last row shown after the injection ended', 'panel frames/s', 'long tasks (panel observer)', 'longest', 'tasks > 50 ms', 'main thread busy (CDP TaskDuration)', 'of which script / layout / style'],
        runs.map((r, i) => [
          i + 1,
          `${r.heldBefore.toLocaleString('en')} → ${r.heldAfter.toLocaleString('en')}`,
          `${r.injection.achievedPerSecond.toFixed(0)}/s`,
          `${r.renderedPerSecond.toFixed(0)} events/s`,
          `${r.tailMs.toFixed(0)} ms`,
          r.framesPerSecond.toFixed(0),
          r.panelLongTasks.length,
          `${Math.max(0, ...r.panelLongTasks.map((t) => t.duration)).toFixed(0)} ms`,
          r.panelLongTasks.filter((t) => t.duration > 50).length,
          `${r.panelCdp.TaskDuration.toFixed(0)} ms/s`,
          `${r.panelCdp.ScriptDuration.toFixed(0)} / ${r.panelCdp.LayoutDuration.toFixed(0)} / ${r.panelCdp.RecalcStyleDuration.toFixed(0)} ms/s`,
        ]),
      ),
    );
    md.push('');
    md.push(`Before the first run the panel was left to settle (its start-up: ${startupLongTasks.length} long tasks, longest ${Math.max(0, ...startupLongTasks.map((t) => t.duration)).toFixed(0)} ms), then received its first ${WARMUP_ROWS} rows at ${WARMUP_RATE}/s, as a session's first rows arrive before it streams audio (the first rows a fresh panel renders run cold code: ${warmupLongTasks.length} long tasks, longest ${Math.max(0, ...warmupLongTasks.map((t) => t.duration)).toFixed(0)} ms). Neither is counted below. Over all runs: **${over50.length} tasks over 50 ms** (bar: none: ${yesNo(ingestMet)}); longest task per run ${fmt(longest, 0)} ms; rendered ${fmt(rendered, 0)} events/s for ${fmt(achieved, 0)} injected. The "last row shown" column is the delay from the injection's end (its promise, read over CDP) to the panel's \`Event count\` reading the last row: the panel keeps up when it stays near one batch interval plus one frame.`);
    md.push('');
    md.push('### What the injection cost the offscreen document');
    md.push('');
    md.push(
      table(
        ['run', 'append + batch (history, batcher)', 'Port posts (structured clone)', 'longest tick', 'offscreen long tasks (its own observer)', 'offscreen target TaskDuration (shared thread)', 'offscreen JS heap after'],
        runs.map((r, i) => [
          i + 1,
          `${((r.injection.appendMs / r.injection.elapsedMs) * 1000).toFixed(1)} ms/s`,
          `${((r.injection.broadcastMs / r.injection.elapsedMs) * 1000).toFixed(1)} ms/s`,
          `${r.injection.maxTickMs.toFixed(1)} ms`,
          `${r.offscreenLongTasks.length} (longest ${Math.max(0, ...r.offscreenLongTasks.map((t) => t.duration)).toFixed(0)} ms)`,
          `${r.offscreenCdp.TaskDuration.toFixed(0)} ms/s`,
          `${r.offscreenCdp.JSHeapUsedMB.toFixed(1)} MB`,
        ]),
      ),
    );
    md.push('');
    md.push(`The host's own cost (timed inside the hook: making the rows, EventHistory append, batching, and posting the batches) is ${fmt(offCost, 1)} ms per second of injection, ${(offCost.median / 10).toFixed(1)} % of one core; the rest of the shared thread's TaskDuration is the panel receiving, filtering, grouping and rendering. Making the synthetic rows is part of the first column, so the real path costs a little less.`);
    md.push('');
  }
  if (typing && keyCommit && keyFrame) {
    md.push(`### Typing to filter over ${heldAtTyping.toLocaleString('en')} held events`);
    md.push('');
    md.push(`Keys pressed one at a time into \`Filter events\` (${WORDS.map((w) => `\`${w}\``).join(', ')}, each cleared with Ctrl+A, Backspace, which is timed too: ${typing.keys.length} keystrokes), nothing streaming. Timed in the panel page from the keydown event's timestamp to the commit of the filtered list (\`Event log\` no longer \`aria-busy\`, \`Shown events\` updated), and to the next animation frame after it. Percentiles by nearest rank over every keystroke of this one run (none re-run, none dropped). Long frames while typing come from the Long Animation Frames API observed in the panel page, which reports the panel's own frames; Event Timing gives each interaction's input → next paint (the keystroke's own handlers, before the deferred filter render).`);
    md.push('');
    const loaf = typing.loaf;
    const inter = typing.interactions ? summarize(typing.interactions) : null;
    md.push(
      table(
        ['keystroke → list committed', 'keystroke → next frame', 'bar ≤ 100 ms p95', 'long animation frames > 50 ms while typing (LoAF)', 'Event Timing, input → next paint (interactions ≥ 16 ms)'],
        [[
          `${fmtPercentile(keyCommit, 50, 1)}, ${fmtPercentile(keyCommit, 95, 1)}, max ${keyCommit.max.toFixed(1)} ms`,
          `${fmtPercentile(keyFrame, 50, 1)}, **${fmtPercentile(keyFrame, 95, 1)}**, max ${keyFrame.max.toFixed(1)} ms`,
          yesNo(filterMet),
          loaf ? `${loaf.filter((t) => t.duration > 50).length} frames over 50 ms in ${typing.keys.length} keystrokes (longest ${Math.max(0, ...loaf.map((t) => t.duration)).toFixed(0)} ms)` : 'LoAF not supported by this Chromium',
          inter ? (inter.n > 0 ? `${inter.n} interactions over 16 ms: ${fmtPercentile(inter, 95)}, max ${inter.max.toFixed(0)} ms` : 'no interaction took 16 ms or more') : 'Event Timing not supported',
        ]],
      ),
    );
    md.push('');
    md.push(`The \`longtask\` observer of the panel page counted ${typingOver50.length} tasks over 50 ms while typing (longest ${Math.max(0, ...typing.longTasks.map((t) => t.duration)).toFixed(0)} ms); it is kept for comparison only, since on a thread shared with the offscreen document it may not attribute every task to the panel.`);
    md.push('');
    md.push(`Per keystroke (ms to the next frame): ${typing.keys.map((k) => `\`${k.query || '∅'}\` ${k.frameMs.toFixed(0)}`).join(', ')}.`);
    md.push('');
  }
  if (error) md.push(`Run error: ${error}`);
  writeResult({
    section: 'browser-inspector',
    markdown: md.join('\n'),
    bars,
    data: { startupLongTasks, warmupLongTasks, runs: runs.map((r) => ({ ...r, panelLongTasks: r.panelLongTasks.length, offscreenLongTasks: r.offscreenLongTasks.length })), longTasks: allPanelTasks, typing, topUp, error },
    elapsedMs: performance.now() - t0,
  });
  if (error) throw new Error(error);
}, 900_000);
