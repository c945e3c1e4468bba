/**
 * The echo matrix of issue 14 on the rig's acoustic path: a plain page plays speech-like "bot"
 * audio through each playback path our EchoRoute offers while capturing the microphone with one
 * echo-cancellation mode, and reports the RMS of every 20 ms capture chunk (what a provider's
 * energy VAD judges). The page builds each path as src/audio/echo-route.ts does (24 kHz player
 * context; the loopback with 10 ms Opus packets and jitterBufferTarget 0), with our microphone
 * constraints (noise suppression and gain control on).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RIG_RATE, rms, dB, speechLike, type PulseRig } from './pulse-rig.ts';

export const ECHO_PATHS = ['destination', 'audio-element', 'rtc-loopback'] as const;
export type EchoPathId = (typeof ECHO_PATHS)[number];
export const ECHO_MODES = [false, true, 'all', 'remote-only'] as const;
export type EchoModeId = (typeof ECHO_MODES)[number];

export interface EchoTrial {
  path: EchoPathId;
  mode: EchoModeId;
  /** null when getUserMedia refused the mode (with {exact}). */
  accepted: boolean;
  refusal?: string;
  capabilities: unknown;
  settingsEchoCancellation: unknown;
  /** Epoch ms at which the bot's first sample was handed to the path. */
  botStart: number;
  botMs: number;
  /** [epoch ms at the chunk's end, rms] per 20 ms capture chunk. */
  chunks: Array<[number, number]>;
}

export const ECHO_PAGE = `<!doctype html><meta charset="utf-8"><title>rig echo</title><script>
const METER = 'registerProcessor("m", class extends AudioWorkletProcessor { constructor(){super();this.n=0;this.s=0;this.size=Math.round(sampleRate*0.02);} process(i){ const c=i[0]&&i[0][0]; if(c){ for(const v of c){this.s+=v*v;this.n++; if(this.n>=this.size){this.port.postMessage(Math.sqrt(this.s/this.n));this.n=0;this.s=0;}} } return true; } });';
const epoch = () => performance.timeOrigin + performance.now();
function shortOpus(sdp) {
  if (/^a=ptime:/m.test(sdp)) return sdp.replace(/^a=ptime:\\d+/m, 'a=ptime:10');
  return sdp.replace(/(^a=rtpmap:\\d+ opus\\/48000[^\\r\\n]*\\r?\\n)/im, '$1a=ptime:10\\r\\n');
}
async function loopback(stream) {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => {});
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => {});
  const got = new Promise((res) => { b.ontrack = (e) => { try { e.receiver.jitterBufferTarget = 0; } catch {} res(e.streams[0] || new MediaStream([e.track])); }; });
  for (const t of stream.getAudioTracks()) a.addTrack(t, stream);
  const offer = await a.createOffer(); await a.setLocalDescription(offer); await b.setRemoteDescription(offer);
  const answer = await b.createAnswer(); await b.setLocalDescription(answer);
  await a.setRemoteDescription({ type: 'answer', sdp: shortOpus(answer.sdp) });
  return { stream: await got, close: () => { a.close(); b.close(); } };
}
window.echoTrial = async ({ path, mode, bot, botRate, settleMs }) => {
  const constraint = typeof mode === 'string' ? { exact: mode } : mode;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: constraint, noiseSuppression: true, autoGainControl: true } });
  } catch (e) {
    return { path, mode, accepted: false, refusal: String(e && (e.name + ': ' + (e.constraint || e.message))), capabilities: null, settingsEchoCancellation: null, botStart: 0, botMs: 0, chunks: [] };
  }
  const track = stream.getAudioTracks()[0];
  const capabilities = track.getCapabilities ? track.getCapabilities().echoCancellation : null;
  const settingsEchoCancellation = track.getSettings().echoCancellation;
  const cap = new AudioContext({ latencyHint: 'interactive' });
  await cap.audioWorklet.addModule(URL.createObjectURL(new Blob([METER], { type: 'text/javascript' })));
  const meter = new AudioWorkletNode(cap, 'm');
  const chunks = [];
  meter.port.onmessage = (e) => chunks.push([epoch(), e.data]);
  cap.createMediaStreamSource(stream).connect(meter);
  // The device's rate, as our player runs now (the 24 kHz bot buffer is resampled by Web Audio).
  const out = new AudioContext({ latencyHint: 'interactive' });
  const gain = out.createGain();
  let el = null, lb = null;
  if (path === 'destination') gain.connect(out.destination);
  else {
    const dest = out.createMediaStreamDestination();
    gain.connect(dest);
    const s = path === 'rtc-loopback' ? (lb = await loopback(dest.stream)).stream : dest.stream;
    el = document.createElement('audio'); el.autoplay = true; el.srcObject = s; await el.play();
  }
  await cap.resume(); await out.resume();
  await new Promise((r) => setTimeout(r, settleMs));
  const buf = out.createBuffer(1, bot.length, botRate);
  buf.getChannelData(0).set(bot);
  const src = out.createBufferSource(); src.buffer = buf; src.connect(gain);
  const botStart = epoch();
  src.start();
  const botMs = bot.length / botRate * 1000;
  await new Promise((r) => setTimeout(r, botMs + 400));
  stream.getTracks().forEach((t) => t.stop());
  if (lb) lb.close();
  if (el) { el.pause(); el.srcObject = null; }
  await cap.close(); await out.close();
  return { path, mode, accepted: true, capabilities, settingsEchoCancellation, botStart, botMs, chunks };
};
</script>`;

export async function serveEchoPage(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(ECHO_PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Chunks whose end falls inside the bot's speech (plus the acoustic delay and a chunk of slack). */
export function chunksDuringBot(t: EchoTrial, delayMs: number): number[] {
  return t.chunks.filter(([at]) => at >= t.botStart + delayMs + 20 && at <= t.botStart + t.botMs + delayMs + 20).map(([, r]) => r);
}


export interface AcousticValidation {
  /** Measured speaker → microphone delay, ms (cross-correlation peak). */
  delayMs: number;
  /** Measured microphone/speaker level over the clip, dB. */
  gainDb: number;
  /** Correlation at the peak (1 = the microphone carries exactly the speaker's signal). */
  correlation: number;
}

/**
 * Plays speech-like sound on the speaker (pacat, no browser) and finds it again in what the
 * microphone hears: the lag of the best normalised cross-correlation between the two recordings
 * (same time base: each recorder's reads are stamped), and the level ratio at that lag.
 */
export async function validateAcousticPath(rig: PulseRig, clipMs = 1500): Promise<AcousticValidation> {
  if (!rig.micRecording) throw new Error('the rig has no acoustic path');
  const t0 = performance.timeOrigin + performance.now();
  await rig.playOnSpeaker(speechLike(clipMs, 0.3, 777));
  await new Promise((r) => setTimeout(r, 400));
  const spk = rig.recording.samples();
  const mic = rig.micRecording.samples();
  const s0 = rig.recording.indexAt(t0);
  // The clip's stretch on the speaker: from its first loud sample, clipMs long.
  let on = s0;
  while (on < spk.length && Math.abs(spk[on]) < 0.01) on++;
  const len = Math.round((clipMs / 1000) * RIG_RATE) - RIG_RATE / 10;
  const a = spk.subarray(on, on + len);
  const m0 = rig.micRecording.indexAt(rig.recording.timeOf(on));
  let best = { lag: 0, c: -Infinity };
  const ea = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  for (let lag = -RIG_RATE / 50; lag < RIG_RATE / 5; lag += 4) {
    const start = m0 + lag;
    if (start < 0 || start + len > mic.length) continue;
    let dot = 0;
    let eb = 0;
    for (let i = 0; i < len; i += 2) {
      dot += a[i] * mic[start + i];
      eb += mic[start + i] * mic[start + i];
    }
    // Every second sample on both sides: the factor 2 restores the full-length energies.
    const c = (2 * dot) / (Math.sqrt(eb * 2) * ea || 1);
    if (c > best.c) best = { lag, c };
  }
  const start = m0 + best.lag;
  return {
    delayMs: (best.lag / RIG_RATE) * 1000,
    gainDb: dB(rms(mic, start, start + len) / rms(a)),
    correlation: best.c,
  };
}
