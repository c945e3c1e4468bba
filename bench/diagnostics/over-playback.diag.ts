/**
 * Why a burst said over the bot reaches the provider late in our session (~100 ms on a fresh
 * browser) when the rig floor page, speaking over its own playback, is not held back (~20 ms).
 * One plain page, the floor's capture (the track's frames over a WebSocket, voiced at the fake's
 * RMS 0.02), with the session's differences added one at a time on its playback side:
 * - 'floor': the reply as the fake sends it (100 ms deltas 5 ms apart), one AudioBufferSourceNode
 *   per delta, back to back (the floor page's playback);
 * - 'whole': the same reply as one buffer; 'amp-0.3', 'bench-floor': the louder reply the floor
 *   page played before 2026-12-08 (paced, and sent whole on two alternating contexts);
 * - 'worklet': the deltas through a player worklet (a FIFO) on a 24 kHz context, as our player;
 * - 'capture-context': 'floor' plus a second context running a silent worklet into its destination
 *   with the microphone's frames posted to it, as our capture graph;
 * - 'ours-like': 'worklet' and 'capture-context' together.
 * Each variant opens its own page (its own microphone stream) and runs DIAG_TURNS turns.
 */
import { loadavg } from 'node:os';
import { it } from 'vitest';
import { waitFor } from '../../e2e/harness/wait-for.ts';
import { fakeReplyDelta, firstLoud, startPulseRig, toneBurst } from '../pulse-rig.ts';
import { launchOnRig } from '../rig-browser.ts';
import { startVoicedFrameServer } from '../voiced-frame-server.ts';
import { writeDiagnosis } from './diagnosis-output.ts';

const TURNS = Number(process.env.DIAG_TURNS ?? 6);
const VARIANTS = (process.env.DIAG_VARIANTS ?? 'floor,whole,worklet,capture-context,ours-like').split(',');
/** How each variant's reply is sent: its amplitude, and all 3 s in one message or paced as the fake paces it. */
const REPLY: Record<string, { amplitude: number; whole: boolean }> = {
  'bench-floor': { amplitude: 0.3, whole: true },
  'amp-0.3': { amplitude: 0.3, whole: false },
  whole: { amplitude: 0.2, whole: true },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochNow = () => performance.timeOrigin + performance.now();

const PLAYER_WORKLET = `registerProcessor('fifo', class extends AudioWorkletProcessor {
  constructor() { super(); this.q = []; this.off = 0; this.port.onmessage = (e) => { if (e.data === 'stop') { this.q = []; this.off = 0; } else this.q.push(e.data); }; }
  process(_i, outputs) { const out = outputs[0][0]; let k = 0;
    while (k < out.length && this.q.length) { const h = this.q[0]; const n = Math.min(out.length - k, h.length - this.off); out.set(h.subarray(this.off, this.off + n), k); k += n; this.off += n; if (this.off >= h.length) { this.q.shift(); this.off = 0; } }
    return true; }
});`;
const SILENT_WORKLET = `registerProcessor('silent', class extends AudioWorkletProcessor {
  constructor() { super(); this.n = 0; this.port.onmessage = (e) => { this.n += e.data.length; }; }
  process() { return true; }
});`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>over playback</title><script>
window.start = async (wsUrl, variant) => {
  const ws = new WebSocket(wsUrl); ws.binaryType = 'arraybuffer';
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  const useWorklet = variant === 'worklet' || variant === 'ours-like';
  const useCapture = variant === 'capture-context' || variant === 'ours-like';
  let capNode = null;
  if (useCapture) {
    const cap = new AudioContext({ sampleRate: stream.getAudioTracks()[0].getSettings().sampleRate, latencyHint: 'interactive' });
    await cap.audioWorklet.addModule('/silent.js');
    capNode = new AudioWorkletNode(cap, 'silent', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    capNode.connect(cap.destination); await cap.resume();
  }
  const reader = new MediaStreamTrackProcessor({ track: stream.getAudioTracks()[0], maxBufferSize: 50 }).readable.getReader();
  (async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; const a = new Float32Array(value.numberOfFrames); value.copyTo(a, { planeIndex: 0, format: 'f32-planar' }); value.close(); if (ws.readyState === 1) ws.send(a.buffer); if (capNode) capNode.port.postMessage(a); } })();
  const outs = [new AudioContext({ sampleRate: useWorklet || variant === 'bench-floor' ? 24000 : undefined, latencyHint: 'interactive' })];
  if (variant === 'bench-floor') { outs.push(new AudioContext({ latencyHint: 'interactive' })); await outs[1].resume(); }
  let out = outs[0];
  window.route = (k) => { out = outs[k % outs.length]; };
  let player = null;
  if (useWorklet) { await out.audioWorklet.addModule('/player.js'); player = new AudioWorkletNode(out, 'fifo', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] }); player.connect(out.destination); }
  await out.resume();
  let playing = [], nextAt = 0;
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') { if (e.data === 'stop') { playing.forEach((s) => s.stop()); playing = []; nextAt = 0; if (player) player.port.postMessage('stop'); } return; }
    const pcm = new Int16Array(e.data); const f = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) f[i] = pcm[i] / 32768;
    if (player) { player.port.postMessage(f); return; }
    const buf = out.createBuffer(1, f.length, 24000); buf.copyToChannel(f, 0);
    const src = out.createBufferSource(); src.buffer = buf; src.connect(out.destination);
    nextAt = Math.max(nextAt, out.currentTime); src.start(nextAt); nextAt += buf.duration; playing.push(src);
  };
  window.stop = async () => { stream.getTracks().forEach((t) => t.stop()); ws.close(); };
  return true;
};
</script>`;

interface Turn { variant: string; turn: number; quietMs: number | null; overMs: number | null; load: number }

it('over playback: which part of our session holds back a burst said over the bot', async () => {
  const rig = await startPulseRig();
  const frames = await startVoicedFrameServer({ '/player.js': PLAYER_WORKLET, '/silent.js': SILENT_WORKLET }, PAGE);
  const b = await launchOnRig(rig).catch(async (e) => {
    frames.close();
    await rig.close();
    throw e;
  });
  const turns: Turn[] = [];
  const loadBefore = loadavg()[0];
  try {
    for (const variant of VARIANTS) {
      frames.forgetClient();
      const page = await b.context.newPage();
      await page.goto(frames.url);
      await page.evaluate(([u, v]) => (window as unknown as { start(u: string, v: string): Promise<unknown> }).start(u, v), [frames.wsUrl, variant]);
      const client = await waitFor('the page to connect its WebSocket', () => frames.client());
      await sleep(500);
      for (let turn = 0; turn < TURNS; turn++) {
        await page.evaluate((k) => (window as unknown as { route(k: number): void }).route(k), turn);
        frames.listen();
        const onset = await rig.play(toneBurst(400));
        const quiet = await frames.heardWithin('the quiet burst at the server', 5000);
        await sleep(700);
        // The reply as the fake paces it: 40 deltas of 100 ms, one every 5 ms.
        const sentAt = epochNow();
        const reply = REPLY[variant] ?? { amplitude: 0.2, whole: false };
        if (reply.whole) client.send(Buffer.concat(Array.from({ length: 30 }, (_, k) => fakeReplyDelta(k, reply.amplitude))));
        else for (let k = 0; k < 40; k++) {
          client.send(fakeReplyDelta(k, reply.amplitude));
          await sleep(5);
        }
        const ear = await waitFor('the reply on the speaker', () => {
          const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(sentAt - 5));
          return i >= 0 ? i : null;
        }, { timeoutMs: 5000 });
        await sleep(Math.max(0, rig.recording.timeOf(ear) + 800 - Date.now()));
        frames.listen();
        const overOnset = await rig.play(toneBurst(300));
        const over = await frames.heardWithin('the burst over the playback at the server', 2000);
        client.send('stop');
        turns.push({ variant, turn, quietMs: quiet === null ? null : quiet - onset, overMs: over === null ? null : over - overOnset, load: loadavg()[0] });
        await sleep(800);
      }
      await page.evaluate(() => (window as unknown as { stop(): Promise<void> }).stop());
      await page.close();
    }
  } finally {
    await b.close();
    frames.close();
    await rig.close();
  }
  const f = (x: number | null) => (x === null ? 'missed' : `${x.toFixed(1)} ms`);
  writeDiagnosis('over-playback', { loadBefore, turns }, turns.map((t) => `${t.variant}, turn ${t.turn}: quiet ${f(t.quietMs)}, over the playback ${f(t.overMs)} (load ${t.load.toFixed(1)})`));
});
