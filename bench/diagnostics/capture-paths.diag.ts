/**
 * One plain page on the rig reads the same microphone track two ways at once: a
 * MediaStreamAudioSourceNode into a worklet (every render quantum posted out) and
 * MediaStreamTrackProcessor frames. For each tone burst, the time from its onset (written to the
 * microphone) to the first block above the fake VAD's RMS (0.02) on each path, burst after burst on
 * one stream: the node path's delay grows as its stream ages, the frames' does not (2026-12-07).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { it } from 'vitest';
import { startPulseRig, toneBurst } from '../pulse-rig.ts';
import { launchOnRig } from '../rig-browser.ts';
import { writeDiagnosis } from './diagnosis-output.ts';

const BURSTS = Number(process.env.DIAG_BURSTS ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WORKLET = 'registerProcessor("q", class extends AudioWorkletProcessor { process(i) { const c = i[0] && i[0][0]; if (c) this.port.postMessage(c.slice()); return true; } });';
const PAGE = `<!doctype html><meta charset="utf-8"><script>
const now = () => performance.timeOrigin + performance.now();
const rms = (a) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * a[i]; return Math.sqrt(s / Math.max(1, a.length)); };
let armedAt = Infinity; const first = { node: null, frames: null };
window.arm = (t) => { armedAt = t; first.node = first.frames = null; };
window.firsts = () => first;
const hit = (k, level) => { const t = now(); if (t >= armedAt && first[k] === null && level > 0.02) first[k] = t; };
window.start = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  const track = stream.getAudioTracks()[0];
  const ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: track.getSettings().sampleRate });
  await ctx.audioWorklet.addModule('/worklet.js');
  const node = new AudioWorkletNode(ctx, 'q');
  node.port.onmessage = (e) => hit('node', rms(e.data));
  ctx.createMediaStreamSource(stream).connect(node);
  node.connect(ctx.destination);
  const reader = new MediaStreamTrackProcessor({ track: track.clone(), maxBufferSize: 50 }).readable.getReader();
  (async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; const a = new Float32Array(value.numberOfFrames); value.copyTo(a, { planeIndex: 0, format: 'f32-planar' }); value.close(); hit('frames', rms(a)); } })();
  return { contextRate: ctx.sampleRate, trackRate: track.getSettings().sampleRate };
};
</script>`;

it('capture paths: source node against track frames, one stream, burst after burst', async () => {
  const rig = await startPulseRig();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/worklet.js' ? 'text/javascript' : 'text/html' });
    res.end(req.url === '/worklet.js' ? WORKLET : PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const b = await launchOnRig(rig);
  const rows: Array<{ burst: number; load: number; nodeMs: number | null; framesMs: number | null }> = [];
  const loadBefore = loadavg()[0];
  let info: unknown = null;
  try {
    const page = await b.context.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    info = await page.evaluate(() => (window as unknown as { start(): Promise<unknown> }).start());
    await sleep(500);
    for (let k = 0; k < BURSTS; k++) {
      await page.evaluate((t) => (window as unknown as { arm(t: number): void }).arm(t), Date.now());
      const onset = await rig.play(toneBurst(300));
      await sleep(1700);
      const f = await page.evaluate(() => (window as unknown as { firsts(): { node: number | null; frames: number | null } }).firsts());
      rows.push({ burst: k, load: loadavg()[0], nodeMs: f.node === null ? null : f.node - onset, framesMs: f.frames === null ? null : f.frames - onset });
    }
  } finally {
    await b.close();
    server.close();
    await rig.close();
  }
  writeDiagnosis('capture-paths', { loadBefore, info, rows }, rows.map((r) => `burst ${r.burst}: source node ${r.nodeMs?.toFixed(1) ?? 'never'} ms, track frames ${r.framesMs?.toFixed(1) ?? 'never'} ms (load ${r.load.toFixed(1)})`));
});
