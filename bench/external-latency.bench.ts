/**
 * Latency measured from outside the browser (shared/reference/latency-method.md): a private
 * PulseAudio microphone and speaker, so the figures include Chromium's own audio path. First the
 * rig validates itself with a plain loopback page, with and without exactly 100 ms added; then the
 * built extension talks to the OpenAI fake through the panel:
 * - capture-to-wire: tone-burst onset written to the microphone → the fake's server VAD fires on
 *   the first chunk carrying it (`input_audio_buffer.speech_started` sent on that chunk's arrival);
 * - receive-to-ear: the fake sends the reply's first audio delta → its first sample on the speaker;
 * - playback gaps inside the reply;
 * - barge-in-to-silence: the fake's `speech_started` during the reply (the interruption) → last
 *   loud sample before ≥ 150 ms of silence.
 */
import { cpus, loadavg } from 'node:os';
import { it } from 'vitest';
import { DIST_DIR } from '../e2e/harness/extension-harness.ts';
import { OFFSCREEN_DOCUMENT_PATH } from '../extension/shared/messages.ts';
import { AUDIO_OVERRIDES_GLOBAL } from '../extension/offscreen/audio-overrides.ts';
import { button, waitForConnectionState } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';
import { startFakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { REPEATS, table, writeResult, yesNo, type BarRow } from './bench-result.ts';
import { fmt, fmtPercentile, MIN_PERCENTILE_SAMPLES, summarize, type Summary } from './bench-stats.ts';
import { dB, fakeReplyDelta, firstLoud, gapsBetween, rigAvailable, silenceAfter, speechLike, startPulseRig, toneBurst, RIG_RATE, type PulseRig } from './pulse-rig.ts';
import { launchOnRig, openPanelOnRig, serveLoopbackPage } from './rig-browser.ts';
import { startVoicedFrameServer } from './voiced-frame-server.ts';
import { holdConversation } from './rig-conversation.ts';
import { chunksDuringBot, ECHO_MODES, ECHO_PATHS, serveEchoPage, validateAcousticPath, type AcousticValidation, type EchoModeId, type EchoPathId, type EchoTrial } from './echo-matrix.ts';

/** Issue 14's goals for the default path, in ms over the rig floor measured in the same run. */
const GOAL_OVER_FLOOR = { captureToWire: 12, receiveToEar: 8, bargeIn: 8 } as const;

/** The only MV3 side-panel peer, measured with this method (latency-method.md, 2026-11-23). */
const PEER = { captureToWire: 169, receiveToEar: 54, bargeIn: 1092 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function validateRig(rig: PulseRig): Promise<{ plain: Summary; delayed: Summary }> {
  const { url, server } = await serveLoopbackPage();
  const b = await launchOnRig(rig);
  const out = { plain: [] as number[], delayed: [] as number[] };
  try {
    const page = await b.context.newPage();
    await page.goto(url);
    await page.evaluate(() => (window as unknown as { startLoop(): Promise<unknown> }).startLoop());
    await sleep(300); // let the new streams settle before the first burst
    for (let k = 0; k < REPEATS; k++) {
      for (const delay of [0, 0.1]) {
        await page.evaluate((d) => (window as unknown as { setLoopDelay(d: number): void }).setLoopDelay(d), delay);
        const onset = await rig.play(toneBurst(150));
        const x = await waitFor('the loopback burst on the speaker', () => {
          const s = rig.recording.samples();
          const i = firstLoud(s, rig.recording.indexAt(onset - 5));
          return i >= 0 && silenceAfter(s, i) > 0 ? i : null;
        }, { timeoutMs: 5000 });
        (delay ? out.delayed : out.plain).push(rig.recording.timeOf(x) - onset);
        await sleep(200); // the burst's tail leaves the delay line before the next one
      }
    }
    await page.evaluate(() => (window as unknown as { stopLoop(): Promise<void> }).stopLoop());
  } finally {
    await b.close();
    server.close();
  }
  return { plain: summarize(out.plain), delayed: summarize(out.delayed) };
}

/**
 * The rig floor per direction: a plain page with the same microphone constraints as ours (echo
 * cancellation, noise suppression, gain control on) that sends every 128-frame render quantum over
 * a WebSocket the moment the worklet hands it over, and plays what it receives at once on an
 * 'interactive' 24 kHz AudioContext. No chunking, no resampling, no jitter buffer, no WebRTC: what
 * is left is Chromium's capture and render paths on this machine, which our figures cannot beat.
 */
const FLOOR_PAGE = `<!doctype html><meta charset="utf-8"><title>rig floor</title><script>
const CAPTURE = 'registerProcessor("q", class extends AudioWorkletProcessor { process(i) { const c = i[0] && i[0][0]; if (c) this.port.postMessage(c.slice()); return true; } });';
window.startFloor = async (wsUrl) => {
  const ws = new WebSocket(wsUrl);
  ws.binaryType = 'arraybuffer';
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  const cap = new AudioContext({ latencyHint: 'interactive' });
  // The microphone's frames straight from its track (10 ms each): on this rig a MediaStreamAudioSourceNode
  // into a worklet delivered the same bursts later, and later still as its stream aged (track-frame-source.ts).
  let captureRoute = 'MediaStreamTrackProcessor frames';
  if (typeof MediaStreamTrackProcessor === 'function') {
    const reader = new MediaStreamTrackProcessor({ track: stream.getAudioTracks()[0], maxBufferSize: 50 }).readable.getReader();
    (async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; const a = new Float32Array(value.numberOfFrames); value.copyTo(a, { planeIndex: 0, format: 'f32-planar' }); value.close(); if (ws.readyState === 1) ws.send(a.buffer); } })();
  } else {
    captureRoute = 'worklet (no MediaStreamTrackProcessor)';
    await cap.audioWorklet.addModule(URL.createObjectURL(new Blob([CAPTURE], { type: 'text/javascript' })));
    const node = new AudioWorkletNode(cap, 'q', { numberOfOutputs: 1, outputChannelCount: [1] });
    node.port.onmessage = (e) => ws.send(e.data.buffer);
    cap.createMediaStreamSource(stream).connect(node);
    node.connect(cap.destination);
  }
  // Two plain output routes, chosen per turn by a "route:" message: a 24 kHz context (the provider's
  // rate) and a context at the device's own rate (no output resampler in Chromium's render path).
  const outs = { '24k': new AudioContext({ sampleRate: 24000, latencyHint: 'interactive' }), device: new AudioContext({ latencyHint: 'interactive' }) };
  let out = outs['24k'];
  await cap.resume(); await outs['24k'].resume(); await outs.device.resume();
  let playing = [], nextAt = 0;
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') {
      if (e.data.startsWith('route:')) { out = outs[e.data.slice(6)]; nextAt = 0; }
      if (e.data === 'stop') { playing.forEach((s) => s.stop()); playing = []; nextAt = 0; }
      return;
    }
    const pcm = new Int16Array(e.data);
    const buf = out.createBuffer(1, pcm.length, 24000);
    const ch = buf.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i] / 32768;
    const src = out.createBufferSource();
    // The first delta plays at once; the rest follow it back to back, as the fake's deltas arrive faster than real time.
    nextAt = Math.max(nextAt, out.currentTime);
    src.buffer = buf; src.connect(out.destination); src.start(nextAt); nextAt += buf.duration; playing.push(src);
  };
  window.stopFloor = async () => { stream.getTracks().forEach((t) => t.stop()); ws.close(); await cap.close(); await outs['24k'].close(); await outs.device.close(); };
  return { captureRoute, captureRate: stream.getAudioTracks()[0].getSettings().sampleRate, outputRates: [outs['24k'].sampleRate, outs.device.sampleRate], baseLatency: [outs['24k'].baseLatency, outs.device.baseLatency], outputLatency: [outs['24k'].outputLatency, outs.device.outputLatency] };
};
</script>`;
const epochNow = () => performance.timeOrigin + performance.now();

/** The fake's reply is sent in this many 100 ms deltas, 5 ms apart (test/fakes/fake-openai-server.ts, step). */
const REPLY_DELTAS = 40;

interface DirectionFigures {
  captureToWire: number[];
  receiveToEar: number[];
  bargeIn: number[];
}

const FLOOR_ROUTES = ['24k', 'device'] as const;
type FloorRoute = (typeof FLOOR_ROUTES)[number];
type FloorFigures = Record<FloorRoute, DirectionFigures> & {
  info: unknown;
  overPlayback: Record<FloorRoute, number[]>;
  overPlaybackMissed: Record<FloorRoute, number>;
  streams: number;
  /** Bursts over the playback by their turn in the stream (index 0: the first). */
  overByTurn: number[][];
  /** Each stream's first quiet burst and its bursts over the playback: the mix of bursts ours has (one quiet, then the barge-ins). */
  sameMix: number[];
};

async function measureFloor(rig: PulseRig): Promise<FloorFigures> {
  const figs: FloorFigures = { '24k': { captureToWire: [], receiveToEar: [], bargeIn: [] }, device: { captureToWire: [], receiveToEar: [], bargeIn: [] }, info: null, overPlayback: { '24k': [], device: [] }, overPlaybackMissed: { '24k': 0, device: 0 }, streams: 0, overByTurn: [], sameMix: [] };
  const frames = await startVoicedFrameServer({}, FLOOR_PAGE);
  const b = await launchOnRig(rig).catch((e) => {
    frames.close();
    throw e;
  });
  try {
    // Conversations shaped like the extension's (measureConversations): per microphone stream, a
    // quiet burst, then CYCLES turns of reply → burst over it after 0.8 s → stop; the canceller's
    // hold on bursts over the playback changes within a stream's first turns, so the floor's
    // streams must be as long as ours. Each turn also starts with a quiet burst (the bot silent),
    // which ours cannot have (the fake answers the barge-in at once): more quiet samples, no
    // playback for the canceller to learn from.
    for (let stream = 0; stream < FLOOR_STREAMS; stream++) {
      frames.forgetClient();
      const page = await b.context.newPage();
      await page.goto(frames.url);
      figs.info = await page.evaluate((u) => (window as unknown as { startFloor(u: string): Promise<unknown> }).startFloor(u), frames.wsUrl);
      const client = await waitFor('the floor page to connect its WebSocket', () => frames.client());
      figs.streams++;
      await sleep(500); // streams settle, as for the extension
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const route = FLOOR_ROUTES[(stream + cycle) % FLOOR_ROUTES.length];
        const f = figs[route];
        client.send(`route:${route}`);
        frames.listen();
        const onset = await rig.play(toneBurst(400));
        const heard = await frames.heardWithin('the floor page to send the burst', 5000);
        if (heard === null) throw new Error('the floor page never sent a quiet burst (5 s)');
        f.captureToWire.push(heard - onset);
        if (cycle === 0) figs.sameMix.push(heard - onset);
        await sleep(700); // the fake answers once its VAD has heard 500 ms of silence after the burst
        const sentAt = epochNow();
        for (let k = 0; k < REPLY_DELTAS; k++) {
          client.send(fakeReplyDelta(k));
          await sleep(5);
        }
        const ear = await waitFor('the floor reply on the speaker', () => {
          const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(sentAt - 5));
          return i >= 0 ? i : null;
        }, { timeoutMs: 5000 });
        f.receiveToEar.push(rig.recording.timeOf(ear) - sentAt);
        await sleep(Math.max(0, rig.recording.timeOf(ear) + 800 - Date.now()));
        // A burst over the page's own playback, as a barge-in is said over the bot: its capture-to-wire.
        frames.listen();
        const overOnset = await rig.play(toneBurst(300));
        // The canceller may keep the burst out of the page's capture altogether: counted as missed.
        const overHeard = await frames.heardWithin('the floor page to send the burst over its playback', 5000);
        if (overHeard === null) figs.overPlaybackMissed[route]++;
        else {
          figs.overPlayback[route].push(overHeard - overOnset);
          (figs.overByTurn[cycle] ??= []).push(overHeard - overOnset);
          figs.sameMix.push(overHeard - overOnset);
        }
        const stopAt = epochNow();
        client.send('stop');
        const end = await waitFor('silence after the floor stop', () => {
          const j = silenceAfter(rig.recording.samples(), rig.recording.indexAt(stopAt - 50));
          return j >= 0 ? j : null;
        }, { timeoutMs: 5000 });
        // After a missed burst the reply has ended on its own: there was nothing left to stop.
        if (overHeard !== null) f.bargeIn.push(rig.recording.timeOf(end) - stopAt);
        await sleep(700); // the burst over the playback has passed
      }
      await page.evaluate(() => (window as unknown as { stopFloor(): Promise<void> }).stopFloor());
      await page.close();
    }
  } finally {
    await b.close();
    frames.close();
  }
  return figs;
}

/** A configuration of our client, set through the offscreen document's audio overrides before Connect. */
interface Variant {
  id: string;
  label: string;
  overrides: Record<string, unknown>;
}

/**
 * The variants compared on the dry rig, in one browser, connections interleaved. Each connection
 * holds a conversation of CYCLES turns (burst → reply → barge-in burst → the reply to it → …), so one
 * connection gives CYCLES + 1 capture-to-wire and receive-to-ear samples and CYCLES barge-ins.
 * The default path gets ≥ 100 of each (issue 14: percentiles over at least 100 samples); the
 * comparison variants fewer, flagged in the table.
 */
const VARIANTS: Array<Variant & { connections: number }> = [
  { id: 'auto', label: "default (echoPath 'auto', 20 ms chunks, player at the device's rate)", overrides: { echoPath: 'auto' }, connections: 10 },
  { id: 'chunk-10', label: 'default with 10 ms capture chunks', overrides: { echoPath: 'auto', chunkMs: 10 }, connections: 4 },
  { id: 'player-24k', label: "default with the player at 24 kHz (before this round)", overrides: { echoPath: 'auto', playerRate: 'source' }, connections: 2 },
  { id: 'mss', label: 'default with the microphone through a MediaStreamAudioSourceNode (before this round)', overrides: { echoPath: 'auto', capturePath: 'media-stream-source' }, connections: 2 },
  { id: 'rtc-loopback', label: "echoPath 'rtc-loopback'", overrides: { echoPath: 'rtc-loopback' }, connections: 1 },
  // The canceller's cost to a barge-in: the same conversation with echo cancellation off (dry rig, nothing to cancel).
  { id: 'ec-off', label: 'default with echoCancellation false', overrides: { echoPath: 'auto', echoCancellation: false }, connections: 2 },
];
/** Turns per connection in the dry-rig conversations; BENCH_LATENCY_SCALE scales the connections (quick trial runs). */
const CYCLES = 10;
const LATENCY_SCALE = Math.max(0.05, Number(process.env.BENCH_LATENCY_SCALE ?? 1));
/** Microphone streams of the floor page, each a conversation of CYCLES turns (the routes alternate turn by turn). */
const FLOOR_STREAMS = Math.max(1, Math.round(10 * LATENCY_SCALE));
type VariantId = string;

/** Path × echo-cancellation mode on the acoustic rig (the echo table). */
const ECHO_VARIANTS: Variant[] = [
  { id: 'auto/true', label: "'auto' (default) × true", overrides: { echoPath: 'auto', echoCancellation: true } },
  { id: 'destination/false', label: 'destination × false', overrides: { echoPath: 'destination', echoCancellation: false } },
  { id: 'audio-element/true', label: 'audio-element × true', overrides: { echoPath: 'audio-element', echoCancellation: true } },
  { id: 'rtc-loopback/true', label: 'rtc-loopback × true', overrides: { echoPath: 'rtc-loopback', echoCancellation: true } },
  { id: 'rtc-loopback/remote-only', label: "rtc-loopback × 'remote-only'", overrides: { echoPath: 'rtc-loopback', echoCancellation: 'remote-only' } },
  { id: 'rtc-loopback/false', label: 'rtc-loopback × false', overrides: { echoPath: 'rtc-loopback', echoCancellation: false } },
];

interface ExtensionFigures extends DirectionFigures {
  /** Conversations: capture-to-wire of a connection's first burst (the bot silent) and of the bursts over the bot. */
  captureQuiet: number[];
  captureOverBot: number[];
  /** The bursts over the bot by their turn in the connection (index 0: the first barge-in). */
  overBotByTurn: number[][];
  gapsPerReply: number[];
  streams: string;
  playbackPaths: string[];
  /** getStats() while connected: echoCancellationMode / echoCancellationConfirmed. */
  echoStats: string[];
  /** Turns in which the fake's VAD fired during the reply before the user spoke over it. */
  falseBargeIns: number;
  /** Acoustic rig: per turn, the loudest append the provider received during the reply before the user spoke, in dB under the VAD threshold (negative: above it). */
  echoMarginsDb: number[];
  turns: number;
  failures: string[];
}

/**
 * The bot's voice on the acoustic rig: 4 s of the speech-like sound the echo matrix's plain page
 * plays (at 24 kHz), streamed by the fake as its reply. Until 2026-12-08 the extension's echo turns
 * played the fake's 220 Hz tone, a signal an echo canceller converges on far worse than on speech,
 * so the extension and the plain page were measured on different bots.
 */
function botSpeech24k(ms: number): Int16Array {
  const at48 = speechLike(ms);
  return Int16Array.from({ length: at48.length >> 1 }, (_, i) => Math.round(Math.max(-1, Math.min(1, at48[2 * i])) * 32767));
}

async function measureExtension(rig: PulseRig, variants: Variant[], probes: Array<{ echoCancellation: boolean; verdicts: string[] }> = []): Promise<Record<VariantId, ExtensionFigures>> {
  const bot = botSpeech24k(4000);
  const oai = await startFakeOpenAIServer({ planResponse: () => ({ text: 'a long answer that keeps going for a few seconds', audioPcm: bot }) });
  const b = await launchOnRig(rig, { extensionDir: DIST_DIR });
  const out = Object.fromEntries(variants.map((v) => [v.id, { captureToWire: [], receiveToEar: [], bargeIn: [], captureQuiet: [], captureOverBot: [], overBotByTurn: [], gapsPerReply: [], streams: '', playbackPaths: [], echoStats: [], falseBargeIns: 0, echoMarginsDb: [], turns: 0, failures: [] } as ExtensionFigures])) as Record<VariantId, ExtensionFigures>;
  try {
    const { page, targets } = await openPanelOnRig(b, oai);

    for (let k = 0; k < REPEATS; k++) {
      // Interleaved, one turn per connection: load drifts and per-stream capture steps hit every variant alike.
      for (const v of variants) {
        const figs = out[v.id];
        figs.turns++;
        await waitFor('an evaluation in the offscreen document', async () => ({ v: await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify(v.overrides)}; true`) }), { timeoutMs: 10_000 });
        await button(page, 'Connect').click();
        await waitForConnectionState(page, 'ready', 20_000);
        try {
        await sleep(500); // capture and playback streams settle
        figs.playbackPaths.push(String(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__sessionHost.stats?.playbackPath ?? null')));
        figs.echoStats.push(String(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'JSON.stringify([globalThis.__sessionHost.stats?.echoCancellationMode, globalThis.__sessionHost.stats?.echoCancellationConfirmed])')));
        figs.streams = `sink inputs: ${rig.pactl('list', 'short', 'sink-inputs').trim().split('\n').length}, source outputs: ${rig.pactl('list', 'short', 'source-outputs').trim().split('\n').length}`;
        const startedBefore = oai.sentOfType('input_audio_buffer.speech_started').length;
        const deltasBefore = oai.sentOfType('response.output_audio.delta').length;
        const onset = await rig.play(toneBurst(400));
        const started = await oai.waitFor(() => oai.sentOfType('input_audio_buffer.speech_started')[startedBefore], 'speech_started for the tone burst', 10_000);
        figs.captureToWire.push(started.at - onset);
        const firstDelta = await oai.waitFor(() => oai.sentOfType('response.output_audio.delta')[deltasBefore], "the reply's first audio delta", 10_000);
        const earIndex = await waitFor('the reply on the speaker', () => {
          const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(firstDelta.at - 5));
          return i >= 0 ? i : null;
        }, { timeoutMs: 5000 });
        figs.receiveToEar.push(rig.recording.timeOf(earIndex) - firstDelta.at);
        // Let the reply play ~3 s, then talk over it: the margin below covers the canceller's start
        // (where it leaks, the first second of a new stream's first reply) and the settled part after.
        await sleep(Math.max(0, rig.recording.timeOf(earIndex) + ECHO_LISTEN_MS - Date.now()));
        // What reached the provider while the bot spoke and the user did not: the echo left, chunk by chunk.
        const earAt = rig.recording.timeOf(earIndex);
        const during = oai.receivedOfType('input_audio_buffer.append').filter((f) => f.at >= earAt && f.pcm);
        if (during.length) {
          const loudest = Math.max(...during.map((f) => { const a = new Int16Array(f.pcm!.buffer, f.pcm!.byteOffset, f.pcm!.byteLength >> 1); let sq = 0; for (const x of a) sq += (x / 32768) ** 2; return Math.sqrt(sq / Math.max(1, a.length)); }));
          figs.echoMarginsDb.push(20 * Math.log10(VAD_RMS / Math.max(loudest, 1e-9)));
        }
        // With an acoustic path, the bot's own echo may have fired the fake's VAD already: a false barge-in.
        if (oai.sentOfType('input_audio_buffer.speech_started').length > startedBefore + 1) {
          figs.falseBargeIns++;
          throw new Error('false barge-in (the bot heard itself) before the user spoke over it');
        }
        await rig.play(toneBurst(300));
        const interruption = await oai.waitFor(() => oai.sentOfType('input_audio_buffer.speech_started')[startedBefore + 1], 'speech_started of the barge-in', 5_000);
        const end = await waitFor('silence after the barge-in', () => {
          const j = silenceAfter(rig.recording.samples(), rig.recording.indexAt(interruption.at - 50));
          return j >= 0 ? j : null;
        }, { timeoutMs: 5000 });
        figs.bargeIn.push(rig.recording.timeOf(end) - interruption.at);
        figs.gapsPerReply.push(gapsBetween(rig.recording.samples(), earIndex, rig.recording.indexAt(interruption.at)).length);
        } catch (e) {
          // One variant failing a step (say, a barge-in the server never hears) must not hide the others.
          figs.failures.push((e as Error).message.split('\n')[0]);
        }
        await sleep(1200); // the turn ends (fake VAD silence) before the next one starts
        await button(page, 'Disconnect').click();
        await waitForConnectionState(page, 'disconnected', 10_000);
      }
    }
    // The panel's echo check (Settings → Check echo), with the canceller on and off.
    for (let k = 0; k < (probes.length ? REPEATS : 0); k++) {
      for (const probe of probes) {
        await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify({ echoCancellation: probe.echoCancellation })}; true`);
        const result = page.getByRole('status', { name: 'Echo check result' });
        await button(page, 'Check echo').click();
        await waitFor('the echo check to start', async () => /listening/i.test((await result.textContent()) ?? ''), { timeoutMs: 10_000 });
        const text = await waitFor('the echo check verdict', async () => {
          const t = (await result.textContent()) ?? '';
          return /^(echo cancelled|wear headphones|echo check failed)/i.test(t) ? t : null;
        }, { timeoutMs: 20_000 });
        probe.verdicts.push(text);
      }
    }
  } finally {
    await b.close();
    await oai.close();
  }
  return out;
}

/** Connections in an interleaved order: each variant's connections spread evenly over the run. */
function connectionOrder(variants: Array<Variant & { connections: number }>, scale: number): Variant[] {
  const slots: Array<[number, Variant]> = [];
  for (const v of variants) {
    const n = Math.max(1, Math.round(v.connections * scale));
    for (let i = 0; i < n; i++) slots.push([(i + 0.5) / n, v]);
  }
  return slots.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/**
 * Conversations on the dry rig: per connection, a burst (the user speaks) → the reply → after ~0.8 s
 * of it, another burst over it (a barge-in, which the fake answers in turn) → …, CYCLES times.
 * Every burst gives a capture-to-wire sample (onset → the fake's speech_started on its first voiced
 * chunk), every reply a receive-to-ear sample, every barge-in a barge-in-to-silence sample.
 */
async function measureConversations(rig: PulseRig, variants: Array<Variant & { connections: number }>): Promise<Record<VariantId, ExtensionFigures>> {
  const oai = await startFakeOpenAIServer({ planResponse: () => ({ text: 'a long answer that keeps going for a few seconds', audioMs: 4000 }) });
  const b = await launchOnRig(rig, { extensionDir: DIST_DIR });
  const out = Object.fromEntries(variants.map((v) => [v.id, { captureToWire: [], receiveToEar: [], bargeIn: [], captureQuiet: [], captureOverBot: [], overBotByTurn: [], gapsPerReply: [], streams: '', playbackPaths: [], echoStats: [], falseBargeIns: 0, echoMarginsDb: [], turns: 0, failures: [] } as ExtensionFigures])) as Record<VariantId, ExtensionFigures>;
  try {
    const { page, targets } = await openPanelOnRig(b, oai);
    for (const v of connectionOrder(variants, LATENCY_SCALE)) {
      const figs = out[v.id];
      await waitFor('an evaluation in the offscreen document', async () => ({ v: await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, `globalThis.${AUDIO_OVERRIDES_GLOBAL} = ${JSON.stringify(v.overrides)}; true`) }), { timeoutMs: 10_000 });
      await button(page, 'Connect').click();
      await waitForConnectionState(page, 'ready', 20_000);
      try {
        await sleep(500); // capture and playback streams settle
        figs.playbackPaths.push(String(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'globalThis.__sessionHost.stats?.playbackPath ?? null')));
        figs.echoStats.push(String(await targets.evaluate(OFFSCREEN_DOCUMENT_PATH, 'JSON.stringify([globalThis.__sessionHost.stats?.chunkMs, globalThis.__sessionHost.stats?.echoCancellationMode, globalThis.__sessionHost.stats?.echoCancellationConfirmed])')));
        figs.streams = `sink inputs: ${rig.pactl('list', 'short', 'sink-inputs').trim().split('\n').length}, source outputs: ${rig.pactl('list', 'short', 'source-outputs').trim().split('\n').length}`;
        await holdConversation(rig, oai, CYCLES + 1, {
          onTurn: () => figs.turns++,
          onHeard: async (cycle, onset, heard) => {
            figs.captureToWire.push(heard.at - onset);
            if (cycle === 0) {
              figs.captureQuiet.push(heard.at - onset);
              return;
            }
            figs.captureOverBot.push(heard.at - onset);
            (figs.overBotByTurn[cycle - 1] ??= []).push(heard.at - onset);
            // This burst interrupted the previous reply: how long the speaker kept playing.
            const end = await waitFor('silence after the barge-in', () => {
              const j = silenceAfter(rig.recording.samples(), rig.recording.indexAt(heard.at - 50));
              return j >= 0 ? j : null;
            }, { timeoutMs: 5000 });
            figs.bargeIn.push(rig.recording.timeOf(end) - heard.at);
          },
          onReply: (firstDelta, earIndex) => figs.receiveToEar.push(rig.recording.timeOf(earIndex) - firstDelta.at),
          onBurstOverReply: (earIndex, onset) => figs.gapsPerReply.push(gapsBetween(rig.recording.samples(), earIndex, rig.recording.indexAt(onset)).length),
        });
      } catch (e) {
        figs.failures.push((e as Error).message.split('\n')[0]);
      }
      await sleep(1200); // the last turn ends (fake VAD silence) before the next connection
      await button(page, 'Disconnect').click();
      await waitForConnectionState(page, 'disconnected', 10_000);
    }
  } finally {
    await b.close();
    await oai.close();
  }
  return out;
}

/** How long the bot speaks on the acoustic rig before the user talks over it (the reply is 4 s). */
const ECHO_LISTEN_MS = 3000;

/** The acoustic path of the echo table (pulse-rig.ts): a laptop's speaker heard by its own microphone. */
const ACOUSTIC = { delayMs: 40, gainDb: -6 };
/** The fake's server-VAD threshold (RMS of a 20 ms chunk; test/fakes/fake-openai-server.ts). */
const VAD_RMS = 0.02;
const VAD_DB = 20 * Math.log10(VAD_RMS);

interface EchoPhase {
  acoustic: AcousticValidation[];
  trials: EchoTrial[];
  ext: Record<VariantId, ExtensionFigures> | null;
  /** The panel's echo check on this rig, per echoCancellation: the status text each run. */
  probes: Array<{ echoCancellation: boolean; verdicts: string[] }>;
  loadBefore: number;
  loadAfter: number;
  /** The speaker's recording behind the wall clock after the extension's turns (over 100 ms: their latencies are invalid). */
  behindMs?: number;
}

async function measureEcho(attempt: <T>(what: string, f: () => Promise<T>) => Promise<T | null>): Promise<EchoPhase> {
  const loadBefore = loadavg()[0];
  const rig = await startPulseRig({ acoustic: ACOUSTIC });
  const phase: EchoPhase = { acoustic: [], trials: [], ext: null, probes: [{ echoCancellation: true, verdicts: [] }, { echoCancellation: false, verdicts: [] }], loadBefore, loadAfter: NaN };
  try {
    for (let k = 0; k < 3; k++) {
      const v = await attempt('acoustic path validation', () => validateAcousticPath(rig));
      if (v) phase.acoustic.push(v);
    }
    await attempt('echo matrix page', async () => {
      const { url, server } = await serveEchoPage();
      const b = await launchOnRig(rig);
      try {
        const page = await b.context.newPage();
        await page.goto(url);
        // The bot: 3 s of speech-like sound at the provider's 24 kHz.
        const bot = Array.from(speechLike(3000).filter((_, i) => i % 2 === 0));
        for (let k = 0; k < Math.max(1, Math.ceil(REPEATS / 2)); k++) {
          for (const path of ECHO_PATHS) for (const mode of ECHO_MODES) {
            phase.trials.push((await page.evaluate((a) => (window as unknown as { echoTrial(a: unknown): Promise<EchoTrial> }).echoTrial(a), { path, mode, bot, botRate: 24000, settleMs: 400 })) as EchoTrial);
          }
        }
      } finally {
        await b.close();
        server.close();
      }
    });
    phase.ext = await attempt('extension on the acoustic rig', () => measureExtension(rig, ECHO_VARIANTS, phase.probes));
    phase.behindMs = rig.recording.behindMs();
  } finally {
    await rig.close();
    phase.loadAfter = loadavg()[0];
  }
  return phase;
}

const rmsOf = (xs: number[]) => Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / Math.max(1, xs.length));

it('external latency bench', async () => {
  const t0 = performance.now();
  const missing = rigAvailable();
  if (missing) {
    writeResult({ section: 'external-latency', markdown: `## Latency at the microphone and speaker (PulseAudio rig)\n\nNot measured: ${missing}.`, bars: [{ id: 'external-latency', ours: 'not measured', met: null, note: missing }], data: null });
    return;
  }
  const loadBefore = loadavg()[0];
  const rig = await startPulseRig();
  let validation: { plain: Summary; delayed: Summary } | null = null;
  let floor: FloorFigures | null = null;
  let ext: Record<VariantId, ExtensionFigures> | null = null;
  const errors: string[] = [];
  const attempt = async <T,>(what: string, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message.split('\n')[0]}`);
      return null;
    }
  };
  // The speaker's recording must keep up with the wall clock through a phase, or every time it
  // reports after the gap is shifted (the 22:33 and 00:39 runs on 2026-12-07/08: receive-to-ear
  // −5 ms and barge-in-to-silence −50 ms in every turn, the floor before them normal).
  const healthy = (phase: string, r: PulseRig) => {
    const behind = r.recording.behindMs();
    rigHealth.push(`${phase}: ${behind.toFixed(0)} ms`);
    if (behind > 100) errors.push(`${phase}: the rig's speaker recording fell ${behind.toFixed(0)} ms behind the wall clock, so this phase's figures are invalid`);
  };
  const rigHealth: string[] = [];
  try {
    validation = await attempt('rig validation', () => validateRig(rig));
    floor = await attempt('rig floor', () => measureFloor(rig));
    healthy('rig floor', rig);
  } finally {
    await rig.close();
  }
  // A fresh rig for the extension: both broken runs broke between the floor and the extension.
  const extRig = await startPulseRig();
  try {
    ext = await attempt('extension', () => measureConversations(extRig, VARIANTS));
    healthy('extension', extRig);
  } finally {
    await extRig.close();
  }
  const loadAfter = loadavg()[0];
  // BENCH_SKIP_ECHO=1: the dry rig only (quick trial runs; the full bench always measures echo).
  const echo = process.env.BENCH_SKIP_ECHO === '1' ? { acoustic: [], trials: [], ext: null, probes: [], loadBefore: NaN, loadAfter: NaN } : await measureEcho(attempt);
  const error = errors.join('; ');
  const FIGURES = [
    { key: 'captureToWire', label: 'capture-to-wire', what: "burst onset on the microphone → first chunk with it at the server; every burst of the conversations, the floor's in the same mix as ours: each stream's first quiet burst and its bursts over the playback (split below)" },
    { key: 'receiveToEar', label: 'receive-to-ear', what: 'first audio sent by the server → first sample on the speaker' },
    { key: 'bargeIn', label: 'barge-in-to-silence', what: 'interruption sent by the server → last sample before ≥ 150 ms of silence' },
  ] as const;
  type FigureKey = (typeof FIGURES)[number]['key'];
  const sum = (xs: number[] | undefined) => (xs && xs.length ? summarize(xs) : null);
  const routeS = Object.fromEntries(FLOOR_ROUTES.map((r) => [r, Object.fromEntries(FIGURES.map((f) => [f.key, sum(floor?.[r][f.key])]))])) as Record<FloorRoute, Record<FigureKey, Summary | null>>;
  // The floor per figure is the faster plain route (by median) measured in this run.
  const floorRoute = Object.fromEntries(FIGURES.map((f) => {
    const [a, b] = FLOOR_ROUTES.map((r) => routeS[r][f.key]);
    return [f.key, a && b ? (b.median < a.median ? 'device' : '24k') : a ? '24k' : 'device'];
  })) as Record<FigureKey, FloorRoute>;
  const floorS = Object.fromEntries(FIGURES.map((f) => [f.key, routeS[floorRoute[f.key]][f.key]])) as Record<FigureKey, Summary | null>;
  // Capture does not depend on the output route: the floor's quiet bursts on both routes, and,
  // like for like with ours, its bursts in our mix (a stream's first quiet one, then those over playback).
  const floorQuiet = sum(FLOOR_ROUTES.flatMap((r) => floor?.[r].captureToWire ?? []));
  if (floor?.sameMix.length) floorS.captureToWire = summarize(floor.sameMix);
  const variantS = Object.fromEntries(VARIANTS.map((v) => [v.id, Object.fromEntries(FIGURES.map((f) => [f.key, sum(ext?.[v.id][f.key])]))])) as Record<VariantId, Record<FigureKey, Summary | null>>;
  const added = (s: Summary | null, base: Summary | null) => (s && base ? s.median - base.median : NaN);
  const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(0)} ms` : 'n/a');
  const ok = (s: Summary | null) => s !== null && s.n > 0 && s.median <= 60;
  const DEFAULT: VariantId = 'auto';
  const defaultPaths = [...new Set(ext?.[DEFAULT].playbackPaths ?? [])].join(', ') || 'unknown';
  const d = variantS[DEFAULT];
  const invalid = errors.some((e) => e.includes('figures are invalid'));
  const complete = !invalid && !!(d.captureToWire && d.receiveToEar && d.bargeIn);
  const addedBy = (v: VariantId) => FIGURES.map((f) => `${f.label} ${signed(added(variantS[v][f.key], floorS[f.key]))}`).join(', ');
  const bars: BarRow[] = [
    {
      id: 'external-latency',
      ours: complete ? `capture-to-wire ${fmt(d.captureToWire!, 0)} ms, receive-to-ear ${fmt(d.receiveToEar!, 0)} ms, barge-in-to-silence ${fmt(d.bargeIn!, 0)} ms (default echoPath 'auto', live path: ${defaultPaths}); over the rig floor: ${addedBy(DEFAULT)}` : `${invalid ? 'invalid' : 'incomplete'}: ${error || 'no samples'}`,
      baseline: `peer extension (measured 2026-11-23, not re-run here): ${PEER.captureToWire}, ${PEER.receiveToEar}, ${PEER.bargeIn} ms${complete ? ` (${(PEER.captureToWire / d.captureToWire!.median).toFixed(1)}×, ${(PEER.receiveToEar / d.receiveToEar!.median).toFixed(1)}×, ${(PEER.bargeIn / d.bargeIn!.median).toFixed(1)}×)` : ''}`,
      met: complete ? ok(d.captureToWire) && ok(d.receiveToEar) && ok(d.bargeIn) : null,
      note: `rig floor this run (fastest plain page, no code of ours): ${FIGURES.map((f) => `${f.label} ${floorS[f.key] ? fmt(floorS[f.key]!, 0) : 'n/a'} ms`).join(', ')}; issue 14's goal over the floor (capture-to-wire ≤ +${GOAL_OVER_FLOOR.captureToWire}, receive-to-ear and barge-in-to-silence ≤ +${GOAL_OVER_FLOOR.receiveToEar} ms): ${FIGURES.map((f) => { const x = added(d[f.key], floorS[f.key]); return `${f.label} ${signed(x)} ${Number.isFinite(x) ? (x <= GOAL_OVER_FLOOR[f.key] ? '(met)' : '(not met)') : ''}`; }).join(', ')}; load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpus().length} cores`,
    },
  ];
  const md: string[] = [];
  md.push('## Latency at the microphone and speaker (PulseAudio rig, outside the browser)');
  md.push('');
  md.push(`Method of \`shared/reference/latency-method.md\`: a private PulseAudio server (null-sink speaker, pipe-source microphone at ${RIG_RATE / 1000} kHz fed every 2 ms by \`bench/pulse-mic-feeder.mjs\`), \`parec\` on the speaker's monitor with time-stamped reads; Chromium without \`--use-fake-device-for-media-stream\` and without \`--mute-audio\`. Stimulus: a 310 Hz-harmonic tone burst with an abrupt onset (a sharp "speech onset"). Each connection holds a conversation of ${CYCLES} turns (burst → reply → a burst over the reply after 0.8 s, which interrupts it and is answered in turn → …); the variants' connections are interleaved in one browser so load drift and per-stream capture steps hit each alike. Figures: median (min–max) and p95 by nearest rank with the sample count; a cell with fewer than ${MIN_PERCENTILE_SAMPLES} samples is flagged. The floor and the extension each run on a fresh rig; the speaker's recording behind the wall clock at the end of each phase (30–55 ms in sound runs: parec's reads and pipe; over 100 ms marks the phase invalid; a lag on the microphone's side, as the broken runs also showed, is not covered by this check): ${rigHealth.join(', ') || 'n/a'}. Machine and load in this section's run (dry rig): load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpus().length} cores${loadBefore > cpus().length ? ': a loaded machine, so every figure here, the floor included, reads high; the differences (ours − floor) are the meaningful part' : ''}.`);
  md.push('');
  if (validation) {
    md.push(table(['rig validation (plain loopback page)', 'mic → speaker', 'added'], [['no added delay', `${fmt(validation.plain, 1)} ms`, '—'], ['DelayNode 100 ms (same streams, alternating)', `${fmt(validation.delayed, 1)} ms`, `+${(validation.delayed.median - validation.plain.median).toFixed(1)} ms (reference: +98.8 to +104.7 ms)`]]));
    md.push('');
  }
  md.push(`**Rig floor per direction**: a plain page with our microphone constraints (echo cancellation, noise suppression, gain control) that sends every 10 ms frame of the microphone's track over a WebSocket as soon as it is read (MediaStreamTrackProcessor: no Web Audio graph, no chunking; voiced = the fake's RMS threshold 0.02 on that frame), plays what it receives at once with AudioBufferSourceNodes (the first delta at once, the rest back to back), and stops on a "stop" message. It plays the fake's very reply (220 Hz at 0.2, 100 ms deltas sent 5 ms apart) and holds conversations shaped like ours: ${floor?.streams ?? FLOOR_STREAMS} microphone streams (a page each) of ${CYCLES} turns, each turn a quiet burst, the reply, and a burst over it after 0.8 s, then stop. Two plain output routes alternate turn by turn in each page: an 'interactive' 24 kHz context and an 'interactive' context at the device's rate; the floor for receive-to-ear and barge-in-to-silence is the faster of the two by median, both shown below; capture does not depend on the output route, so the floor's capture figures take both routes' bursts together. What remains is Chromium's own capture and render path on this machine: our code cannot go below it.${floor?.info ? ` Floor page contexts: ${JSON.stringify(floor.info)}.` : ''}`);
  md.push('');
  md.push(table(['floor route', ...FIGURES.map((f) => f.label)], FLOOR_ROUTES.map((r) => [r === '24k' ? '24 kHz context' : "device-rate context", ...FIGURES.map((f) => (routeS[r][f.key] ? `${fmt(routeS[r][f.key]!, 1)} ms; ${fmtPercentile(routeS[r][f.key]!, 95)}${floorRoute[f.key] === r && f.key !== 'captureToWire' ? ' (floor)' : ''}` : 'n/a'))])));
  md.push('');
  const header = ['figure', 'rig floor', ...VARIANTS.flatMap((v) => [`ours, ${v.label}`, 'ours − floor']), 'bar ≤ 60 ms median (default path)'];
  const rows = FIGURES.map((f) => [
    `${f.label} (${f.what})`,
    floorS[f.key] ? `${fmt(floorS[f.key]!, 1)} ms (n = ${floorS[f.key]!.n})` : 'n/a',
    ...VARIANTS.flatMap((v) => [variantS[v.id][f.key] ? `${fmt(variantS[v.id][f.key]!, 1)} ms; ${fmtPercentile(variantS[v.id][f.key]!, 95)}` : 'n/a', signed(added(variantS[v.id][f.key], floorS[f.key]))]),
    yesNo(d[f.key] ? ok(d[f.key]) : null),
  ]);
  if (ext) {
    // Like for like: the floor page's quiet bursts against each connection's first burst, and its
    // bursts over its own playback against ours over the bot (the canceller treats the two apart).
    // Capture does not depend on the output route: both routes' bursts over the playback together.
    const over = sum(FLOOR_ROUTES.flatMap((r) => floor?.overPlayback?.[r] ?? []));
    const split = [
      { label: "capture-to-wire, bot silent (each connection's first burst; the floor's quiet bursts)", floorS: floorQuiet, key: 'captureQuiet' as const },
      { label: "capture-to-wire, over the bot's voice (the barge-in bursts; the floor's bursts over its own playback, both routes)", floorS: over, key: 'captureOverBot' as const },
    ];
    for (const row of split) {
      rows.push([
        row.label,
        row.floorS ? `${fmt(row.floorS, 1)} ms (n = ${row.floorS.n})` : 'n/a',
        ...VARIANTS.flatMap((v) => {
          const x = sum(ext![v.id][row.key]);
          return [x ? `${fmt(x, 1)} ms; ${fmtPercentile(x, 95)}` : 'n/a', signed(added(x, row.floorS))];
        }),
        '—',
      ]);
    }
  }
  if (ext) rows.push(['playback gaps > 2 ms inside a reply (before the barge-in)', '—', ...VARIANTS.flatMap((v) => [ext![v.id].gapsPerReply.length ? fmt(summarize(ext![v.id].gapsPerReply), 0) : 'n/a', '—']), '—']);
  md.push(table(header, rows));
  md.push('');
  if (ext) for (const v of VARIANTS) if (ext[v.id].failures.length) md.push(`${v.label}: ${ext[v.id].failures.length} of ${ext[v.id].turns} turns incomplete: ${[...new Set(ext[v.id].failures)].join('; ')}.\n`);
  if (ext) md.push(`Playback path reported by the session while connected: ${VARIANTS.map((v) => `${v.label}: ${[...new Set(ext![v.id].playbackPaths)].join(', ')}`).join('; ')}. Pulse streams while connected: ${ext[DEFAULT].streams}.`);
  md.push('');
  md.push(`The floor is measured in its own browser before the extension's; on a loaded machine each new capture stream can land on a slower step (40–100 ms, latency-method.md), so an "ours − floor" below zero on capture-to-wire says the floor's stream drew a slow step, not that our code is faster than Chromium. Render-side differences are steadier. The peer figures (${PEER.captureToWire}, ${PEER.receiveToEar}, ${PEER.bargeIn} ms) were measured with this method on 2026-11-23 and are quoted, not re-run: that extension is not available offline.`);
  const c20 = variantS['auto']?.captureToWire;
  const c10 = variantS['chunk-10']?.captureToWire;
  if (c20 && c10) {
    const lower = c10.median < c20.median;
    md.push('');
    md.push(`**Capture chunk, 10 ms against 20 ms (measured at the fake, same run):** capture-to-wire median ${c10.median.toFixed(1)} ms with 10 ms chunks (n = ${c10.n}) against ${c20.median.toFixed(1)} ms with 20 ms (n = ${c20.n}): ${lower ? `10 ms is ${(c20.median - c10.median).toFixed(1)} ms lower` : `10 ms is not lower (${(c10.median - c20.median).toFixed(1)} ms higher)`}. ${lower ? 'The default stays 20 ms all the same: ' : 'The default stays 20 ms: '}the providers document their input cadence as "every 20–100 ms" (OpenAI, \`input_audio_buffer.append\`) and "e.g. every 100 ms" (Gemini \`realtimeInput\`), shared/reference/provider-protocols.md A.10 and C; 10 ms (100 messages a second) is below what either documents, so it stays an option (\`chunkMs: 10\`) for the user who wants it.`);
  }
  if (ext) {
    md.push('');
    md.push(`**Capture-to-wire by when the user speaks** (same conversations): the first burst of a connection, while the bot is silent, against the bursts over the bot's reply (barge-ins). ${VARIANTS.map((v) => { const q = ext![v.id].captureQuiet; const o = ext![v.id].captureOverBot; return `${v.label}: silent bot ${q.length ? `${fmt(summarize(q), 1)} ms (n = ${q.length})` : 'n/a'}, over the bot ${o.length ? `${fmt(summarize(o), 1)} ms; ${fmtPercentile(summarize(o), 95)}` : 'n/a'}`; }).join('; ')}. The floor page, same run: its quiet bursts ${floorQuiet ? `${fmt(floorQuiet, 1)} ms (n = ${floorQuiet.n})` : 'n/a'}; a burst said over its own playback (the reply it is playing; the page stops at the server's word after that): ${FLOOR_ROUTES.map((r) => { const o = floor?.overPlayback?.[r] ?? []; return `${r === '24k' ? '24 kHz context' : 'device-rate context'} ${o.length ? `${fmt(summarize(o), 1)} ms (n = ${o.length})` : 'none heard'}, missed (not above the threshold within 5 s) in ${floor?.overPlaybackMissed?.[r] ?? 0} turns`; }).join('; ')}.`);
  }
  if (ext && floor) {
    const ours = ext[DEFAULT].overBotByTurn;
    const turns = Math.max(ours.length, floor.overByTurn.length);
    const cell = (xs: number[] | undefined) => (xs?.length ? `${fmt(summarize(xs), 1)} ms (n = ${xs.length})` : 'n/a');
    md.push('');
    md.push(`**Capture-to-wire over the bot, by the burst's turn in its microphone stream** (median (min–max); ours: the default's connections; the floor: its streams, both routes): Chromium's echo canceller holds back the start of a burst said over the playback in a stream's first turns and lets it through later, in the plain page as in ours.`);
    md.push('');
    const gaps = Array.from({ length: turns }, (_, i) => added(ours[i]?.length ? summarize(ours[i]) : null, floor.overByTurn[i]?.length ? summarize(floor.overByTurn[i]) : null)).filter((x) => Number.isFinite(x));
    if (gaps.length) {
      const g = summarize(gaps);
      md.push('');
      md.push(`Turn by turn, ours − floor: ${signed(g.min)} to ${signed(g.max)}, median ${signed(g.median)} (nearest rank over ${g.n} turns); ${gaps.filter((x) => x > GOAL_OVER_FLOOR.captureToWire).length} of ${g.n} turns over the goal's +${GOAL_OVER_FLOOR.captureToWire} ms. This is the comparison to read: the medians over all bursts fall at the edge of the slow group in both mixes.`);
    }
    md.push('');
    md.push(table(['turn over the playback', 'rig floor (plain page, same reply)', 'ours, default', 'ours − floor'], Array.from({ length: turns }, (_, i) => {
      const o = ours[i]?.length ? summarize(ours[i]) : null;
      const fl = floor.overByTurn[i]?.length ? summarize(floor.overByTurn[i]) : null;
      return [String(i + 1), cell(floor.overByTurn[i]), cell(ours[i]), signed(added(o, fl))];
    })));
  }
  if (ext) {
    const mq = ext['mss']?.captureQuiet ?? [], mo = ext['mss']?.captureOverBot ?? [], dq = ext['auto']?.captureQuiet ?? [], dov = ext['auto']?.captureOverBot ?? [];
    md.push('');
    md.push(`**The microphone's path into the worklet (this round).** The default now reads the microphone's frames from its track (MediaStreamTrackProcessor) instead of a MediaStreamAudioSourceNode; same run: frames ${dq.length ? `${fmt(summarize(dq), 1)} ms quiet (n = ${dq.length})` : 'n/a'}, ${dov.length ? `${fmt(summarize(dov), 1)} ms over the bot (n = ${dov.length})` : 'n/a'}; source node ${mq.length ? `${fmt(summarize(mq), 1)} ms quiet (n = ${mq.length})` : 'n/a'}, ${mo.length ? `${fmt(summarize(mo), 1)} ms over the bot (n = ${mo.length})` : 'n/a'}. Why it changed (diagnosis runs on this rig, 2026-12-07 20:59–21:24 UTC, load 0.8–2.5, not part of this bench; \`npm run bench:diagnose\` runs the diagnoses again, bench/diagnostics/): one page read the same track both ways at once for 20 bursts 2 s apart; the frames carried each burst 18–27 ms after its onset throughout, the source node 34 ms at first, drifting to 53 ms, then stepping to 113–137 ms after about 22 s of the stream. **Where capture-to-wire over the bot goes:** the offscreen document stamped each capture chunk as it reached the main thread and as it was sent; the hop from the worklet to the fake took under 3 ms in every turn, so the rest is before our code sees the audio. The chunk levels after an onset show the burst arriving 16–25 ms after it but attenuated (RMS 0.000–0.004 against about 0.2) and rising over 60–80 ms before it crossed the VAD threshold. The microphone's processing was then switched one part at a time (constraints forced in the offscreen document, 10 turns each, frames path): echo cancellation alone (noise suppression and gain control off) 97–108 ms over the bot in turns 1–6; echo cancellation off (the other two on) 15–49 ms in every turn; everything off 14–40 ms. So Chromium's echo canceller is what holds back the start of speech said over the bot's voice, inside its capture processing, before any page code sees the audio. A plain page does the same when it plays the same reply (bench/diagnostics/over-playback.diag.ts, 2026-12-08 00:10 and 00:12 UTC, 8 turns per variant, load 0.6–1.6: a burst over the fake's 0.2 reply took 86–101 ms in each stream's first six turns and 19–28 ms after, whether the reply was played as back-to-back deltas, through a player worklet, or beside a second context like our capture graph, and 92–94 ms then 19–26 ms as one buffer), and the floor page before this round was not held back only because it played a louder reply (0.3, sent whole), which the canceller treats differently (its first two bursts over it did not come through within 2 s, later ones passed in ~20 ms); the floor now plays the fake's own reply (the by-turn table above). With headphones, \`echoCancellation: false\` removes it (the ec-off column).`);
  }
  const e24 = variantS['player-24k']?.receiveToEar;
  const eDev = variantS['auto']?.receiveToEar;
  if (e24 && eDev) {
    md.push('');
    md.push(`**Player at the device's rate (this round) against a 24 kHz player context (before):** receive-to-ear median ${eDev.median.toFixed(1)} ms (n = ${eDev.n}) against ${e24.median.toFixed(1)} ms (n = ${e24.n}), ${signed(eDev.median - e24.median)}; barge-in-to-silence ${variantS['auto'].bargeIn ? variantS['auto'].bargeIn!.median.toFixed(1) : 'n/a'} against ${variantS['player-24k'].bargeIn ? variantS['player-24k'].bargeIn!.median.toFixed(1) : 'n/a'} ms. The player worklet resamples the provider's 24 kHz with the windowed-sinc filter (group delay about 1.6 ms at 24→48 kHz), played counts stay in the provider's samples.`);
  }
  if (error) md.push(`\nIncomplete run: ${error}`);
  md.push('');
  md.push(echoMarkdown(echo, { ...floorS, captureToWire: floorQuiet }));
  writeResult({ section: 'external-latency', markdown: md.join('\n'), bars, data: { validation, floor, ext, echo, loadBefore, loadAfter, error, rigHealth }, elapsedMs: performance.now() - t0 });
  // Two rigs, the floor's routes, the echo matrix and six client variants on a loaded 2-core machine.
}, 45 * 60_000);

function echoMarkdown(echo: EchoPhase, floorS: Record<'captureToWire' | 'receiveToEar' | 'bargeIn', Summary | null>): string {
  const md: string[] = [];
  md.push('### Echo: playback path × echo-cancellation mode (acoustic path)');
  md.push('');
  const v = echo.acoustic;
  md.push(`A second rig in the same run, with an acoustic path: the microphone's feeder records the speaker's monitor and mixes the speaker's signal of ${ACOUSTIC.delayMs} ms before, at ${ACOUSTIC.gainDb} dB, into every microphone sample (bench/pulse-rig.ts). **Validated** by playing 1.5 s of speech-like sound on the speaker with \`pacat\` (no browser) and cross-correlating what the microphone source carried with the speaker's monitor: ${v.length ? v.map((x) => `${x.delayMs.toFixed(1)} ms, ${x.gainDb.toFixed(2)} dB (correlation ${Math.min(1, x.correlation).toFixed(2)})`).join('; ') : 'not validated (see errors)'}. Load average ${echo.loadBefore.toFixed(1)} → ${echo.loadAfter.toFixed(1)} on ${cpus().length} cores in this part of the run. The speaker's recording behind the wall clock after the extension's turns: ${echo.behindMs === undefined ? 'n/a' : `${echo.behindMs.toFixed(0)} ms${echo.behindMs > 100 ? ' (**over 100 ms: the extension columns\' latencies in this table are invalid**)' : ''}`}.`);
  md.push('');
  md.push(`**Echo left** (plain page, bench/echo-matrix.ts): 3 s of speech-like "bot" sound played through each path as our EchoRoute builds it (player context at the device's rate, as the product's player now runs; the loopback with 10 ms Opus packets and \`jitterBufferTarget = 0\`), while the page captures the microphone with our constraints (noise suppression and gain control on) and the given \`echoCancellation\` (strings asked with \`{exact: …}\`). Echo reduction = RMS over the bot's speech (shifted by the acoustic delay) against \`false\` on the same path, in dB, per trial; "voiced chunks" = 20 ms chunks above the fake VAD's RMS ${VAD_RMS} (one suffices for a false barge-in). **False barge-ins** and **latencies**: the built extension against the OpenAI fake on the same acoustic rig (\`__realtimeAudioOverrides\` sets path and mode), ${REPEATS} turns each, interleaved; a false barge-in is the fake's \`speech_started\` during the reply before the user speaks over it. The fake replies with 4 s of the same speech-like sound (at 24 kHz) and the user speaks over it ${ECHO_LISTEN_MS / 1000} s into it, so each turn's margin covers the canceller's start on a new microphone stream and its settled part.`);
  md.push('');
  const trials = echo.trials;
  const reduction = (path: EchoPathId, mode: EchoModeId) => {
    const off = trials.filter((t) => t.path === path && t.mode === false && t.accepted);
    const on = trials.filter((t) => t.path === path && t.mode === mode && t.accepted);
    if (!on.length) return { text: trials.some((t) => t.path === path && t.mode === mode && !t.accepted) ? `refused (${trials.find((t) => t.path === path && t.mode === mode)!.refusal})` : 'n/a', voiced: '—', settings: '—', margins: '—' };
    const offRms = rmsOf(off.flatMap((t) => chunksDuringBot(t, ACOUSTIC.delayMs)));
    const dbs = on.map((t) => dB(rmsOf(chunksDuringBot(t, ACOUSTIC.delayMs)) / offRms));
    const voiced = on.map((t) => { const c = chunksDuringBot(t, ACOUSTIC.delayMs); return `${c.filter((x) => x > VAD_RMS).length}/${c.length}`; });
    // The loudest 20 ms chunk is what a VAD would trip on: its margin under the threshold, over the
    // whole reply and over its settled part (from 1 s on), per trial.
    const loudest = (t: EchoTrial, fromMs: number) => Math.max(...t.chunks.filter(([at]) => at >= t.botStart + ACOUSTIC.delayMs + 20 + fromMs && at <= t.botStart + t.botMs + ACOUSTIC.delayMs + 20).map(([, r]) => dB(r)));
    const margins = on.map((t) => `${(VAD_DB - loudest(t, 0)).toFixed(1)} / ${(VAD_DB - loudest(t, 1000)).toFixed(1)}`);
    return { text: mode === false ? `0 (reference: ${dB(offRms).toFixed(1)} dBFS)` : dbs.map((x) => `${(-x).toFixed(1)}`).join(', '), voiced: voiced.join(', '), settings: String(on[0].settingsEchoCancellation), margins: margins.join(', ') };
  };
  const extFor = (path: EchoPathId, mode: EchoModeId) => {
    const id = ECHO_VARIANTS.find((x) => (x.overrides.echoPath === path || (x.overrides.echoPath === 'auto' && path === 'destination')) && x.overrides.echoCancellation === mode)?.id;
    return id ? echo.ext?.[id] ?? null : null;
  };
  const lat = (f: ExtensionFigures | null, key: 'captureToWire' | 'receiveToEar' | 'bargeIn') => (f && f[key].length ? `${fmt(summarize(f[key]), 0)} ms` : '—');
  const rows: string[][] = [];
  for (const path of ECHO_PATHS) for (const mode of ECHO_MODES) {
    const r = reduction(path, mode);
    const f = extFor(path, mode);
    const label = f && ECHO_VARIANTS.find((x) => echo.ext?.[x.id] === f)?.overrides.echoPath === 'auto' ? `${path} ('auto', the default)` : path;
 rows.push([label, JSON.stringify(mode), r.settings, r.text, r.voiced, r.margins, f && f.echoMarginsDb.length ? f.echoMarginsDb.map((x) => x.toFixed(1)).join(', ') : '—', f ? `${f.falseBargeIns}/${f.turns}` : '—', lat(f, 'captureToWire'), lat(f, 'receiveToEar'), lat(f, 'bargeIn')]);
  }
  // The extension's echo turns measure each connection's first burst only (the bot silent): the floor's quiet bursts.
  rows.push(['rig floor (plain page, dry rig, same run; capture-to-wire: its quiet bursts)', 'true', '—', '—', '—', '—', '—', '—', ...(['captureToWire', 'receiveToEar', 'bargeIn'] as const).map((k) => (floorS[k] ? `${fmt(floorS[k]!, 0)} ms` : 'n/a'))]);
  md.push(table(['playback path', 'echoCancellation asked', 'getSettings()', 'echo reduction vs false, dB per trial', 'voiced chunks per trial', 'margin of the loudest chunk under the VAD threshold, dB per trial (whole reply / from 1 s)', 'through the extension: margin of the loudest chunk the provider received during the reply, dB per turn', 'false barge-ins (extension)', 'capture-to-wire', 'receive-to-ear', 'barge-in-to-silence'], rows));
  md.push('');
  if (echo.ext) {
    md.push(`Live path and getStats() [echoCancellationMode, echoCancellationConfirmed] per variant: ${ECHO_VARIANTS.map((x) => `${x.label}: ${[...new Set(echo.ext![x.id].playbackPaths)].join(', ')} ${[...new Set(echo.ext![x.id].echoStats)].join(' ')}`).join('; ')}.`);
    for (const x of ECHO_VARIANTS) {
      const fails = echo.ext[x.id].failures.filter((m) => !m.startsWith('false barge-in'));
      if (fails.length) md.push(`\n${x.label}: ${fails.length} of ${echo.ext[x.id].turns} turns incomplete: ${[...new Set(fails)].join('; ')}.`);
    }
    md.push('');
  }
  md.push(`**The panel's echo check on this rig** (Settings → \`Check echo\`: 2.8 s of speech-like sound through the path a session would take, judged from 0.6 s on; "echo cancelled" when the microphone's 95th-percentile block level stays ${'≥'} 10 dB under the fake VAD's threshold, i.e. at or below −44 dBFS):`);
  md.push('');
  md.push(table(['echoCancellation', 'verdicts, every run'], echo.probes.map((p) => [String(p.echoCancellation), p.verdicts.length ? p.verdicts.map((v) => v.replace(/\|/g, '/')).join('<br>') : 'not run (see errors)'])));
  md.push('');
  const caps = trials.find((t) => t.accepted)?.capabilities;
  md.push(`Track capabilities reported: echoCancellation ${JSON.stringify(caps ?? null)}. Latencies on the acoustic rig are medians (min–max) over ${REPEATS} turns; a turn with a false barge-in has no barge-in figure.`);
  return md.join('\n');
}
