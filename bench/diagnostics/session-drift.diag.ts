/**
 * Why capture-to-wire over the bot grows from one connection to the next. In the 22:51 run
 * (bench/results/external-latency.json) the bursts said over the bot took ~100 ms in a browser's
 * first connection and ~400 ms in its tenth, steady within each connection, while the quiet bursts
 * and receive-to-ear stayed put. Per turn this records onset → speech_started at the fake, the
 * longest main-thread stall seen by a 5 ms timer in the offscreen document and in the panel page
 * during the reply (they share the extension's renderer main thread), and the history's size.
 * DIAG_VIEW names the panel's view during the run (default Settings; Events shows the live rows);
 * DIAG_SEQUENCE lists the connections' variants (names in OVERRIDES), as the bench interleaves them.
 */
import { loadavg } from 'node:os';
import { it } from 'vitest';
import { OFFSCREEN_DOCUMENT_PATH } from '../../extension/shared/messages.ts';
import { AUDIO_OVERRIDES_GLOBAL } from '../../extension/offscreen/audio-overrides.ts';
import { button, selectView, waitForConnectionState } from '../../e2e/harness/panel-page.ts';
import { writeDiagnosis } from './diagnosis-output.ts';
import { holdConversation, withExtensionOnRig } from '../rig-conversation.ts';

const CONNECTIONS = Number(process.env.DIAG_CONNECTIONS ?? 6);
const TURNS = Number(process.env.DIAG_TURNS ?? 5);
const VIEW = process.env.DIAG_VIEW ?? 'Settings';
/** DIAG_SEQUENCE: the connections' overrides in order, as in the bench's interleaving (default: all 'auto'). */
const OVERRIDES: Record<string, Record<string, unknown>> = {
  auto: { echoPath: 'auto' },
  mss: { echoPath: 'auto', capturePath: 'media-stream-source' },
  'chunk-10': { echoPath: 'auto', chunkMs: 10 },
  'player-24k': { echoPath: 'auto', playerRate: 'source' },
  'rtc-loopback': { echoPath: 'rtc-loopback' },
  'ec-off': { echoPath: 'auto', echoCancellation: false },
};
const SEQUENCE = process.env.DIAG_SEQUENCE?.split(',') ?? Array.from({ length: CONNECTIONS }, () => 'auto');
for (const name of SEQUENCE) if (!OVERRIDES[name]) throw new Error(`DIAG_SEQUENCE: unknown variant "${name}" (known: ${Object.keys(OVERRIDES).join(', ')})`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 5 ms timer whose lateness is the main thread's stall; `__stall.take()` returns the worst since the last take. */
const STALL_MONITOR = `(() => {
  if (globalThis.__stall) return true;
  let worst = 0, last = performance.now();
  setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last - 5); last = t; }, 5);
  globalThis.__stall = { take() { const w = worst; worst = 0; return w; } };
  return true;
})()`;

interface Turn { connection: number; variant: string; turn: number; totalMs: number; offscreenStallMs: number; panelStallMs: number; historySize: number; load: number }

it('session drift: capture-to-wire over the bot, connection after connection', async () => {
  const turns: Turn[] = [];
  const loadBefore = loadavg()[0];
  await withExtensionOnRig(async (rig, oai, { page, targets }) => {
    await selectView(page, VIEW as Parameters<typeof selectView>[1]);
    await page.evaluate(STALL_MONITOR);
    for (let c = 0; c < SEQUENCE.length; c++) {
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify(OVERRIDES[SEQUENCE[c]])}; true`);
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, STALL_MONITOR);
      await button(page, 'Connect').click();
      await waitForConnectionState(page, 'ready', 20_000);
      await sleep(500);
      await holdConversation(rig, oai, TURNS, { onHeard: async (turn, onset, heard) => {
        const offscreenStallMs = Number(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__stall.take()'));
        const panelStallMs = Number(await page.evaluate('globalThis.__stall.take()'));
        const historySize = Number(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__sessionHost.historySize ?? -1'));
        turns.push({ connection: c, variant: SEQUENCE[c], turn, totalMs: heard.at - onset, offscreenStallMs, panelStallMs, historySize, load: loadavg()[0] });
      } });
      await sleep(1200);
      await button(page, 'Disconnect').click();
      await waitForConnectionState(page, 'disconnected', 10_000);
    }
  });
  writeDiagnosis('session-drift', { loadBefore, view: VIEW, turns }, turns.map((t) => `connection ${t.connection} (${t.variant}), turn ${t.turn}${t.turn > 0 ? ' (over the bot)' : ' (bot silent)'}: ${t.totalMs.toFixed(1)} ms; worst stall offscreen ${t.offscreenStallMs.toFixed(0)} ms, panel ${t.panelStallMs.toFixed(0)} ms; history ${t.historySize} rows (load ${t.load.toFixed(1)})`));
});
