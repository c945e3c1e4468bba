/**
 * Why capture-to-wire over the bot grows from one connection to the next. In the 22:51 run
 * (bench/results/external-latency.json) the bursts said over the bot took ~100 ms in a browser's
 * first connection and ~400 ms in its tenth, steady within each connection, while the quiet bursts
 * and receive-to-ear stayed put. Per turn this records onset → speech_started at the fake, the
 * longest main-thread stall seen by a 5 ms timer in the offscreen document and in the panel page
 * during the reply (they share the extension's renderer main thread), and the history's size.
 * DIAG_PANEL=hidden leaves the panel on a view with no live rows (Settings) instead of Events.
 */
import { loadavg } from 'node:os';
import { it } from 'vitest';
import { DIST_DIR } from '../../e2e/harness/extension-harness.ts';
import { OFFSCREEN_DOCUMENT_PATH } from '../../extension/shared/messages.ts';
import { AUDIO_OVERRIDES_GLOBAL } from '../../extension/offscreen/audio-overrides.ts';
import { button, selectView, waitForConnectionState } from '../../e2e/harness/panel-page.ts';
import { waitFor } from '../../e2e/harness/wait-for.ts';
import { startFakeOpenAIServer } from '../../test/fakes/fake-openai-server.ts';
import { firstLoud, startPulseRig, toneBurst } from '../pulse-rig.ts';
import { launchOnRig, openPanelOnRig } from '../rig-browser.ts';
import { writeDiagnosis } from './diagnosis-output.ts';

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
  const rig = await startPulseRig();
  const oai = await startFakeOpenAIServer({ planResponse: () => ({ text: 'a long answer that keeps going for a few seconds', audioMs: 4000 }) });
  const b = await launchOnRig(rig, { extensionDir: DIST_DIR });
  const turns: Turn[] = [];
  const loadBefore = loadavg()[0];
  try {
    const { page, targets } = await openPanelOnRig(b, oai);
    await selectView(page, VIEW as Parameters<typeof selectView>[1]);
    await page.evaluate(STALL_MONITOR);
    for (let c = 0; c < SEQUENCE.length; c++) {
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify(OVERRIDES[SEQUENCE[c]])}; true`);
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, STALL_MONITOR);
      await button(page, 'Connect').click();
      await waitForConnectionState(page, 'ready', 20_000);
      await sleep(500);
      let started = oai.sentOfType('input_audio_buffer.speech_started').length;
      let onset = await rig.play(toneBurst(400));
      for (let turn = 0; turn < TURNS; turn++) {
        const heard = await oai.waitFor(() => oai.sentOfType('input_audio_buffer.speech_started')[started], 'speech_started for the burst', 10_000);
        started++;
        const offscreenStallMs = Number(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__stall.take()'));
        const panelStallMs = Number(await page.evaluate('globalThis.__stall.take()'));
        const historySize = Number(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__sessionHost.historySize ?? -1'));
        turns.push({ connection: c, variant: SEQUENCE[c], turn, totalMs: heard.at - onset, offscreenStallMs, panelStallMs, historySize, load: loadavg()[0] });
        if (turn === TURNS - 1) break;
        const firstDelta = await oai.waitFor(() => oai.sentOfType('response.output_audio.delta').find((f) => f.seq > heard.seq), "the reply's first audio delta", 10_000);
        const ear = await waitFor('the reply on the speaker', () => {
          const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(firstDelta.at - 5));
          return i >= 0 ? i : null;
        }, { timeoutMs: 5000 });
        await sleep(Math.max(0, rig.recording.timeOf(ear) + 800 - Date.now()));
        onset = await rig.play(toneBurst(300));
      }
      await sleep(1200);
      await button(page, 'Disconnect').click();
      await waitForConnectionState(page, 'disconnected', 10_000);
    }
  } finally {
    await b.close();
    await oai.close();
    await rig.close();
  }
  writeDiagnosis('session-drift', { loadBefore, view: VIEW, turns }, turns.map((t) => `connection ${t.connection} (${t.variant}), turn ${t.turn}${t.turn > 0 ? ' (over the bot)' : ' (bot silent)'}: ${t.totalMs.toFixed(1)} ms; worst stall offscreen ${t.offscreenStallMs.toFixed(0)} ms, panel ${t.panelStallMs.toFixed(0)} ms; history ${t.historySize} rows (load ${t.load.toFixed(1)})`));
});
