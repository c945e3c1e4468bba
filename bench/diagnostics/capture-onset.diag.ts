/**
 * Where capture-to-wire goes in the built extension on the rig. Per turn of a conversation with the
 * OpenAI fake (a burst, the 4 s reply, a burst over it 0.8 s into it, …), the offscreen document
 * stamps every capture chunk as it reaches the main thread from the worklet and every append as it
 * is sent, each with its RMS; the fake stamps its speech_started. So each turn splits into
 * onset → worklet (Chromium's capture and processing, plus the chunk's fill) → send → fake, and the
 * chunk levels after the onset show whether the burst arrived late or arrived attenuated.
 * Variants force the microphone's processing (constraints rewritten in the offscreen document).
 */
import { loadavg } from 'node:os';
import { it } from 'vitest';
import { OFFSCREEN_DOCUMENT_PATH } from '../../extension/shared/messages.ts';
import { AUDIO_OVERRIDES_GLOBAL } from '../../extension/offscreen/audio-overrides.ts';
import { button, waitForConnectionState } from '../../e2e/harness/panel-page.ts';
import { writeDiagnosis } from './diagnosis-output.ts';
import { holdConversation, withExtensionOnRig } from '../rig-conversation.ts';

const TURNS = Number(process.env.DIAG_TURNS ?? 10);
/** Processing variants: the constraints forced on the microphone (EC = echo cancellation, NS = noise suppression, AGC = gain control). */
const VARIANTS: Record<string, { force: Record<string, boolean>; overrides?: Record<string, unknown> }> = {
  'all on (default)': { force: {} },
  'EC only': { force: { noiseSuppression: false, autoGainControl: false } },
  'EC off': { force: { echoCancellation: false } },
  'all off': { force: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } },
  'all on, source node': { force: {}, overrides: { capturePath: 'media-stream-source' } },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const INSTRUMENT = `(() => {
  if (globalThis.__captureDiag) { globalThis.__captureDiag.length = 0; return true; }
  const log = globalThis.__captureDiag = [];
  const now = () => performance.timeOrigin + performance.now();
  const rms16 = (a) => { let s = 0; for (let i = 0; i < a.length; i++) s += (a[i] / 32768) ** 2; return Math.sqrt(s / Math.max(1, a.length)); };
  const d = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
  Object.defineProperty(MessagePort.prototype, 'onmessage', { configurable: true, get() { return d.get.call(this); }, set(h) {
    d.set.call(this, h && ((ev) => { const m = ev.data; if (m && m.type === 'chunk' && m.pcm) log.push(['worklet', now(), rms16(new Int16Array(m.pcm))]); return h.call(this, ev); }));
  } });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.includes('input_audio_buffer.append')) {
      const t = now();
      const bin = atob(JSON.parse(data).audio);
      const a = new Int16Array(bin.length >> 1);
      for (let i = 0; i < a.length; i++) a[i] = (bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8)) << 16 >> 16;
      log.push(['send', t, rms16(a)]);
    }
    return send.call(this, data);
  };
  return true;
})()`;

interface Turn { variant: string; turn: number; overBot: boolean; load: number; toWorkletMs: number | null; workletToSendMs: number | null; sendToFakeMs: number | null; totalMs: number; levels: string }

it('capture onset: where capture-to-wire goes, per turn and per processing variant', async () => {
  const turns: Turn[] = [];
  const loadBefore = loadavg()[0];
  await withExtensionOnRig(async (rig, oai, { page, targets }) => {
    const only = process.env.DIAG_VARIANTS?.split(',');
    for (const [name, v] of Object.entries(VARIANTS).filter(([n]) => !only || only.includes(n))) {
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify({ echoPath: 'auto', ...(v.overrides ?? {}) })}; true`);
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, INSTRUMENT);
      await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `(() => { const md = navigator.mediaDevices; md.__gum ??= md.getUserMedia.bind(md); md.getUserMedia = (c) => md.__gum(c && c.audio ? { ...c, audio: { ...c.audio, ...${JSON.stringify(v.force)} } } : c); return true; })()`);
      await button(page, 'Connect').click();
      await waitForConnectionState(page, 'ready', 20_000);
      await sleep(500);
      await holdConversation(rig, oai, TURNS, { onHeard: async (turn, onset, heard) => {
        const log = JSON.parse(String(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'JSON.stringify(globalThis.__captureDiag)'))) as Array<[string, number, number]>;
        const w = log.find((e) => e[0] === 'worklet' && e[1] >= onset - 5 && e[2] > 0.02);
        const s = log.find((e) => e[0] === 'send' && e[1] >= onset - 5 && e[2] > 0.02);
        const levels = log.filter((e) => e[0] === 'worklet' && e[1] >= onset - 20 && e[1] <= (w?.[1] ?? onset + 200)).map((e) => `${Math.round(e[1] - onset)} ms: ${e[2].toFixed(3)}`).join(', ');
        turns.push({ variant: name, turn, overBot: turn > 0, load: loadavg()[0], toWorkletMs: w ? w[1] - onset : null, workletToSendMs: w && s ? s[1] - w[1] : null, sendToFakeMs: s ? heard.at - s[1] : null, totalMs: heard.at - onset, levels });
      } });
      await sleep(1200);
      await button(page, 'Disconnect').click();
      await waitForConnectionState(page, 'disconnected', 10_000);
    }
  });
  const f = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)} ms`);
  writeDiagnosis('capture-onset', { loadBefore, turns }, turns.map((t) => `${t.variant}, turn ${t.turn}${t.overBot ? ' (over the bot)' : ' (bot silent)'}: onset → worklet ${f(t.toWorkletMs)}, → send ${f(t.workletToSendMs)}, → fake ${f(t.sendToFakeMs)}; total ${f(t.totalMs)}; chunk RMS after the onset: ${t.levels} (load ${t.load.toFixed(1)})`));
});
