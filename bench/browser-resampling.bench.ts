/**
 * Chrome's own resampling against ours (issue 3): what the capture path gets when the AudioContext
 * is opened at the adapter's rate (`resampler: 'browser'`) and a MediaStreamSource feeds it, against
 * our windowed-sinc Resampler in the capture worklet (`resampler: 'windowed-sinc'`, the default).
 *
 * Chrome's path is driven in headless Chromium: an OscillatorNode in a context at the input rate →
 * MediaStreamAudioDestinationNode → MediaStreamSource in a context at the output rate → a recorder
 * worklet. Every tone of bench/resampler-quality.ts's sweep plan is recorded in steady state and
 * analysed with the same function that measures ours. CPU: the whole Chromium process tree's CPU
 * time while the real capture worklet runs in each mode.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { it } from 'vitest';
import { findBrowser } from '../e2e/harness/find-browser.mjs';
import { Resampler } from '../src/audio/resampler.ts';
import { REPEATS, loadLine, table, writeResult } from './bench-result.ts';
import { fmt, summarize, type Summary } from './bench-stats.ts';
import { TONE_AMPLITUDE, analyzeTone, summarizeSweep, sweep, sweepPlan, type SweepSummary, type ToneResponse } from './resampler-quality.ts';
import { BASE_CHROMIUM_FLAGS } from '../e2e/harness/chromium-flags.ts';
import { writePcm16Wav } from './wav-file.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAIRS: Array<[number, number]> = [
  [48000, 16000],
  [44100, 16000],
  [48000, 24000],
  [16000, 24000],
];
/** Output recorded per tone (as ours: 0.25 s, less the 30 ms start-up it skips). */
const RECORD_S = 0.22;
/**
 * Output dropped after each frequency change: the cross-context MediaStream path buffers tens of ms,
 * more when the loaded machine makes it glitch, and a previous tone still in the window reads as residual.
 */
const SETTLE_S = 0.3;
/**
 * A buffer dropped or repeated on the loaded machine only ever adds residual, so a tone is recorded
 * until two takes agree within AGREE_DB (at most MAX_TAKES) and the best of those counts.
 */
const AGREE_DB = 3;
const MAX_TAKES = 8;
let retakes = 0;
const CPU_WINDOW_S = Number(process.env.BENCH_RESAMPLING_CPU_S ?? 8);

const RECORDER = `
class ToneRecorder extends AudioWorkletProcessor {
  constructor() {
    super();
    this.job = null;
    this.port.onmessage = (e) => { this.job = { id: e.data.id, skip: e.data.skip, buf: new Float32Array(e.data.length), n: 0 }; };
  }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    const j = this.job;
    if (j && ch) {
      let i = 0;
      if (j.skip > 0) { i = Math.min(j.skip, ch.length); j.skip -= i; }
      for (; i < ch.length && j.n < j.buf.length; i++) j.buf[j.n++] = ch[i];
      if (j.n === j.buf.length) { this.port.postMessage({ id: j.id, samples: j.buf }, [j.buf.buffer]); this.job = null; }
    }
    return true;
  }
}
registerProcessor('tone-recorder', ToneRecorder);
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>browser resampling</title><script>
window.recordMic = async (outRate, skip, length) => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const ctx = new AudioContext({ sampleRate: outRate, latencyHint: 'interactive' });
  await ctx.audioWorklet.addModule('/recorder.js');
  const node = new AudioWorkletNode(ctx, 'tone-recorder', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
  ctx.createMediaStreamSource(stream).connect(node);
  node.connect(ctx.destination);
  await ctx.resume();
  const samples = await new Promise((resolve) => {
    node.port.onmessage = (e) => resolve(Array.from(e.data.samples));
    node.port.postMessage({ id: 1, skip, length });
  });
  stream.getTracks().forEach((t) => t.stop());
  await ctx.close();
  return { samples, trackRate: stream.getAudioTracks()[0].getSettings().sampleRate ?? null };
};
window.openPair = async (inRate, outRate, amplitude, processor, latencyHint) => {
  const src = new AudioContext({ sampleRate: inRate, latencyHint });
  const osc = src.createOscillator();
  const gain = src.createGain();
  gain.gain.value = amplitude;
  const dest = src.createMediaStreamDestination();
  dest.channelCount = 1;
  osc.connect(gain).connect(dest);
  osc.start();
  const sink = new AudioContext({ sampleRate: outRate, latencyHint });
  const input = sink.createMediaStreamSource(dest.stream);
  let node;
  let chunks = 0;
  if (processor) {
    await sink.audioWorklet.addModule('/capture.js');
    node = new AudioWorkletNode(sink, 'pcm-capture-processor', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: processor });
    node.port.onmessage = (e) => { if (e.data.type === 'chunk') chunks++; };
    node.port.postMessage({ type: 'set-sending', sending: true });
  } else {
    await sink.audioWorklet.addModule('/recorder.js');
    node = new AudioWorkletNode(sink, 'tone-recorder', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
  }
  input.connect(node);
  node.connect(sink.destination);
  await Promise.all([src.resume(), sink.resume()]);
  let nextId = 1;
  const record = (skip, length) => new Promise((resolve) => {
    const id = nextId++;
    node.port.onmessage = (e) => { if (e.data.id === id) resolve(e.data.samples); };
    node.port.postMessage({ id, skip, length });
  });
  if (!processor) {
    // The stream takes a moment to start flowing between the contexts: wait for sound, bounded.
    osc.frequency.value = 440;
    let flowing = false;
    for (let i = 0; i < 100 && !flowing; i++) flowing = (await record(0, 256)).some((v) => Math.abs(v) > 0.05);
    if (!flowing) throw new Error('no audio reached the ' + outRate + ' Hz context within 100 recordings');
    await record(Math.round(0.1 * outRate), 1);
  }
  window.pair = {
    chunks: () => chunks,
    tone: async (hz, skip, length) => {
      osc.frequency.setValueAtTime(hz, src.currentTime);
      return Array.from(await record(skip, length));
    },
    close: async () => { await src.close(); await sink.close(); },
  };
  return { inRate: src.sampleRate, outRate: sink.sampleRate, trackRate: dest.stream.getAudioTracks()[0].getSettings().sampleRate ?? null };
};
</script>`;

interface ChromeSweep {
  pair: string;
  inRate: number;
  outRate: number;
  chrome: SweepSummary | null;
  /** Chrome's worst rejection over the tones above 1.1 × the output Nyquist (downsampling only). */
  chromeBeyondEdgeDb: number | null;
  ours: SweepSummary;
  error?: string;
}

type PairInfo = { inRate: number; outRate: number; trackRate: number | null };

/**
 * The sweeps run the contexts with 'playback' latency: larger render buffers glitch less on a loaded
 * machine, and the resampler between a MediaStream and a context does not depend on them. The CPU
 * runs use 'interactive', as the capture path does.
 */
async function openPair(page: Page, inRate: number, outRate: number, processor: unknown = null): Promise<PairInfo> {
  const latencyHint = processor ? 'interactive' : 'playback';
  return page.evaluate(
    ([i, o, a, p, l]) => (window as unknown as { openPair(i: number, o: number, a: number, p: unknown, l: string): Promise<PairInfo> }).openPair(i, o, a, p, l),
    [inRate, outRate, TONE_AMPLITUDE, processor, latencyHint] as const,
  );
}

async function closePair(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { pair: { close(): Promise<void> } }).pair.close());
}

/** Records the steady-state output of one tone through Chrome's path and analyses it like ours. */
async function chromeTone(page: Page, outRate: number, hz: number): Promise<ToneResponse> {
  const takes: ToneResponse[] = [];
  for (;;) {
    const samples = await page.evaluate(
      ([f, skip, length]) => (window as unknown as { pair: { tone(hz: number, skip: number, length: number): Promise<number[]> } }).pair.tone(f, skip, length),
      [hz, Math.round(SETTLE_S * outRate), Math.round(RECORD_S * outRate)] as const,
    );
    takes.push(analyzeTone(samples, outRate, hz));
    takes.sort((a, b) => b.rejectionDb - a.rejectionDb);
    if (takes.length >= 2 && takes[0].rejectionDb - takes[1].rejectionDb <= AGREE_DB) break;
    if (takes.length >= MAX_TAKES) break;
  }
  retakes += takes.length - 2;
  return takes[0];
}

async function chromeSweep(page: Page, inRate: number, outRate: number): Promise<{ summary: SweepSummary; beyondEdgeDb: number | null }> {
  const info = await openPair(page, inRate, outRate);
  if (info.inRate !== inRate || info.outRate !== outRate) throw new Error(`Chromium opened ${info.inRate}→${info.outRate} Hz, not ${inRate}→${outRate}`);
  try {
    const plan = sweepPlan(inRate, outRate);
    const stop: ToneResponse[] = [];
    for (const hz of plan.stop) stop.push(await chromeTone(page, outRate, hz));
    const pass: ToneResponse[] = [];
    for (const hz of plan.pass) pass.push(await chromeTone(page, outRate, hz));
    const beyond = outRate < inRate ? stop.filter((r) => r.hz >= 1.1 * (outRate / 2)).map((r) => r.rejectionDb) : [];
    return { summary: summarizeSweep(stop, pass), beyondEdgeDb: beyond.length ? Math.min(...beyond) : null };
  } finally {
    await closePair(page);
  }
}

/** The measurement's own floor: same-rate contexts (no resampling), in-band tones, residual after the fit. */
async function measurementFloor(page: Page, rate: number): Promise<number> {
  await openPair(page, rate, rate);
  try {
    const plan = sweepPlan(rate, rate / 3);
    let worst = Infinity;
    for (const hz of plan.pass) worst = Math.min(worst, (await chromeTone(page, rate, hz)).rejectionDb);
    return worst;
  } finally {
    await closePair(page);
  }
}

/** A mono 16-bit WAV of one tone at TONE_AMPLITUDE, for the fake microphone. */
function toneWav(file: string, rate: number, hz: number, seconds: number): void {
  const samples = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(32767 * TONE_AMPLITUDE * Math.sin((2 * Math.PI * hz * i) / rate));
  writePcm16Wav(file, samples, rate);
}

interface MicCheck {
  hz: number;
  /** The microphone track (fake device playing a 48 kHz WAV) into an AudioContext at 16 kHz. */
  micDb: number | null;
  /** The oscillator path at the same tone, 48 → 16 kHz. */
  oscillatorDb: number | null;
  trackRate: number | null;
  error?: string;
}

/**
 * Whether a real microphone track takes the same resampler as the oscillator's stream: the fake
 * microphone plays a 48 kHz tone above 8 kHz (whole periods, so the loop is seamless) into a
 * 16 kHz context. Processing off: noise suppression would treat a steady tone as noise.
 */
async function micCrossCheck(exe: string, url: string, page: Page, dir: string, hz: number): Promise<MicCheck> {
  const wav = join(dir, `tone-${hz}.wav`);
  toneWav(wav, 48000, hz, 2);
  const out: MicCheck = { hz, micDb: null, oscillatorDb: null, trackRate: null };
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: [...BASE_CHROMIUM_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const mic = await browser.newPage();
    await mic.goto(url);
    let best = -Infinity;
    for (let t = 0; t < 2; t++) {
      const r = await mic.evaluate(([skip, length]) => (window as unknown as { recordMic(o: number, s: number, l: number): Promise<{ samples: number[]; trackRate: number | null }> }).recordMic(16000, skip, length), [Math.round(0.3 * 16000), Math.round(RECORD_S * 16000)] as const);
      out.trackRate = r.trackRate;
      best = Math.max(best, analyzeTone(r.samples, 16000, hz).rejectionDb);
    }
    out.micDb = best;
    await openPair(page, 48000, 16000);
    try {
      out.oscillatorDb = (await chromeTone(page, 16000, hz)).rejectionDb;
    } finally {
      await closePair(page);
    }
  } catch (e) {
    out.error = (e as Error).message.split('\n')[0];
  } finally {
    await browser.close();
  }
  return out;
}

/** utime + stime (clock ticks) of `root` and every descendant, from /proc. */
function treeCpuTicks(root: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      ticks.set(Number(name), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      /* exited meanwhile */
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += t;
        break;
      }
    }
  }
  return total;
}

const CLOCK_TICKS_PER_S = 100;

interface CpuFigures {
  mode: 'browser' | 'windowed-sinc';
  /** Chromium process tree CPU, ms per second of capture. */
  msPerS: Summary;
  chunksPerS: Summary;
}

/** The real capture worklet at 48 kHz → 16 kHz, in each mode, timed on the whole browser's CPU. */
async function cpuBench(page: Page, browserPid: number): Promise<CpuFigures[]> {
  const modes: Array<{ mode: CpuFigures['mode']; sinkRate: number; resample: boolean }> = [
    { mode: 'browser', sinkRate: 16000, resample: false },
    { mode: 'windowed-sinc', sinkRate: 48000, resample: true },
  ];
  const per = new Map<string, { ms: number[]; chunks: number[] }>(modes.map((m) => [m.mode, { ms: [], chunks: [] }]));
  const repeats = Math.min(REPEATS, 3);
  for (let r = 0; r < repeats; r++) {
    // Alternate so that drifting background load hits both modes alike.
    for (const m of r % 2 === 0 ? modes : [...modes].reverse()) {
      await openPair(page, 48000, m.sinkRate, { targetRate: 16000, chunkMs: 20, resample: m.resample, levelsPerSecond: 20 });
      await page.evaluate(() => new Promise((res) => setTimeout(res, 1000))); // past start-up, in the page's own clock
      const c0 = await page.evaluate(() => (window as unknown as { pair: { chunks(): number } }).pair.chunks());
      const t0 = treeCpuTicks(browserPid);
      const w0 = performance.now();
      await page.evaluate((ms) => new Promise((res) => setTimeout(res, ms)), CPU_WINDOW_S * 1000);
      const t1 = treeCpuTicks(browserPid);
      const seconds = (performance.now() - w0) / 1000;
      const c1 = await page.evaluate(() => (window as unknown as { pair: { chunks(): number } }).pair.chunks());
      await closePair(page);
      per.get(m.mode)!.ms.push((((t1 - t0) / CLOCK_TICKS_PER_S) * 1000) / seconds);
      per.get(m.mode)!.chunks.push((c1 - c0) / seconds);
    }
  }
  return modes.map((m) => ({ mode: m.mode, msPerS: summarize(per.get(m.mode)!.ms), chunksPerS: summarize(per.get(m.mode)!.chunks) }));
}

async function buildCaptureWorklet(outDir: string): Promise<string> {
  await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, lib: { entry: join(ROOT, 'src/audio/worklets/pcm-capture-processor.ts'), formats: ['es'], fileName: () => 'capture.js' } },
  });
  return readFileSync(join(outDir, 'capture.js'), 'utf8');
}

async function serve(files: Record<string, { type: string; body: string }>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const f = files[req.url ?? '/'];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Ours − Chrome's CPU per second of audio, judged against the run-to-run spread. */
function cpuSentence(chrome: CpuFigures, ours: CpuFigures, midSentence = false): string {
  const diff = ours.msPerS.median - chrome.msPerS.median;
  const spread = Math.max(chrome.msPerS.max - chrome.msPerS.min, ours.msPerS.max - ours.msPerS.min);
  const figures = `${diff >= 0 ? '+' : ''}${diff.toFixed(1)} ms of CPU per second of audio for ours (${(diff / 10).toFixed(2)} % of one core), against a run-to-run spread of up to ${spread.toFixed(1)} ms`;
  const text = Math.abs(diff) <= spread ? `the two modes cost the same within this measurement's noise: ${figures}.` : diff > 0 ? `Chrome's path is cheaper: ${figures}.` : `ours is cheaper: ${figures}.`;
  return midSentence ? text : text[0].toUpperCase() + text.slice(1);
}

const db = (x: number, d = 1) => (Number.isFinite(x) ? `${x.toFixed(d)} dB` : '—');

it('browser resampling bench', async () => {
  const t0 = performance.now();
  const exe = findBrowser();
  if (!exe.path) throw new Error(exe.reason ?? 'no Chromium');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-browser-resampling-'));
  const capture = await buildCaptureWorklet(tmp);
  const { url, server } = await serve({
    '/': { type: 'text/html', body: PAGE },
    '/recorder.js': { type: 'text/javascript', body: RECORDER },
    '/capture.js': { type: 'text/javascript', body: capture },
  });
  const browserServer = await chromium.launchServer({
    executablePath: exe.path,
    headless: true,
    args: [...BASE_CHROMIUM_FLAGS, '--autoplay-policy=no-user-gesture-required'],
  });
  const sweeps: ChromeSweep[] = [];
  let floorDb: number | null = null;
  const micChecks: MicCheck[] = [];
  let cpu: CpuFigures[] | null = null;
  let cpuError: string | undefined;
  let version = '';
  try {
    const browser = await chromium.connect(browserServer.wsEndpoint());
    version = browser.version();
    const page = await browser.newPage();
    await page.goto(url);
    try {
      floorDb = await measurementFloor(page, 48000);
    } catch (e) {
      floorDb = null;
      console.error('browser-resampling: floor', e);
    }
    // The pairs are swept side by side, one page each: the sweeps are real time, and light.
    const results = await Promise.all(
      PAIRS.map(async ([inRate, outRate]): Promise<ChromeSweep> => {
        const ours = sweep(() => new Resampler(inRate, outRate), inRate, outRate);
        const pair = `${inRate / 1000}→${outRate / 1000} kHz`;
        const own = await browser.newPage();
        try {
          await own.goto(url);
          const chrome = await chromeSweep(own, inRate, outRate);
          return { pair, inRate, outRate, ours, chrome: chrome.summary, chromeBeyondEdgeDb: chrome.beyondEdgeDb };
        } catch (e) {
          return { pair, inRate, outRate, ours, chrome: null, chromeBeyondEdgeDb: null, error: (e as Error).message.split('\n')[0] };
        } finally {
          await own.close();
        }
      }),
    );
    sweeps.push(...results);
    // 8.25 kHz: inside Chrome's transition band; 12 kHz: well above it (both whole periods in 2 s at 48 kHz).
    for (const hz of [8250, 12000]) micChecks.push(await micCrossCheck(exe.path, url, page, tmp, hz));
    try {
      cpu = await cpuBench(page, browserServer.process().pid!);
    } catch (e) {
      cpuError = (e as Error).message.split('\n')[0];
    }
    await browser.close();
  } finally {
    await browserServer.close();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const measured = sweeps.filter((s) => s.chrome);
  const chromeMeetsBar = measured.length === sweeps.length && measured.every((s) => s.chrome!.aliasRejectionDb >= 60 && s.chrome!.passbandRippleDb <= 1);
  const chromeBetter = measured.length === sweeps.length && measured.every((s) => s.chrome!.aliasRejectionDb >= s.ours.aliasRejectionDb && s.chrome!.passbandRippleDb <= Math.max(s.ours.passbandRippleDb, 0.1));
  const browserCpu = cpu?.find((c) => c.mode === 'browser');
  const oursCpu = cpu?.find((c) => c.mode === 'windowed-sinc');
  const decision = chromeBetter && chromeMeetsBar
    ? "**Chrome's path measures better at every pair and meets the bar: use `resampler: 'browser'` in Chrome.**"
    : `**Keep our windowed-sinc resampler (\`resampler: 'windowed-sinc'\`, the default).** Chrome's path ${chromeMeetsBar ? 'meets the bar of ≥ 60 dB rejection with ≤ 1 dB ripple' : 'misses the bar of ≥ 60 dB rejection with ≤ 1 dB ripple'}${chromeBetter ? '' : `, and measures worse than ours at ${measured.filter((s) => s.chrome!.aliasRejectionDb < s.ours.aliasRejectionDb).length} of ${measured.length} pairs`}; ours is what Chrome gets and what runs wherever a browser cannot resample.`;

  const md: string[] = [];
  md.push("## Browser resampling: Chrome's MediaStream path against ours");
  md.push('');
  md.push(loadLine());
  md.push('');
  md.push(
    `${version ? `Chromium ${version}, headless. ` : ''}Chrome's path: an OscillatorNode (amplitude ${TONE_AMPLITUDE}) in an AudioContext at the input rate → \`MediaStreamAudioDestinationNode\` → \`MediaStreamSource\` in an \`AudioContext({sampleRate})\` at the output rate → a recorder worklet; what \`resampler: 'browser'\` gets, with the oscillator in place of the microphone. Every tone of the sweep plan of \`bench/resampler-quality.ts\` is recorded for ${RECORD_S * 1000} ms after ${SETTLE_S * 1000} ms of settling and analysed by its \`analyzeTone\` (rejection = input power / residual after fitting the tone; ripple over 0.02–0.9 × the lower Nyquist), each tone recorded until two takes agree within ${AGREE_DB} dB (at most ${MAX_TAKES}; a buffer dropped or repeated on the loaded machine only ever adds residual; ${retakes} extra takes this run) and the best of them counts; the four pairs run side by side in their own pages. Ours: \`Resampler\` measured by the same plan in the same run.`,
  );
  md.push('');
  md.push(
    table(
      ['rate', "Chrome: worst rejection", 'Chrome: worst above 1.1 × out Nyquist', 'ours: worst rejection', "Chrome: ripple (gain at 0.9 Nyq)", 'ours: ripple (gain at 0.9 Nyq)', 'better'],
      sweeps.map((s) => [
        s.pair,
        s.chrome ? `${db(s.chrome.aliasRejectionDb)} (at ${(s.chrome.worstHz / 1000).toFixed(2)} kHz)` : `failed: ${s.error}`,
        s.chromeBeyondEdgeDb !== null ? db(s.chromeBeyondEdgeDb) : '— (upsampling)',
        `${db(s.ours.aliasRejectionDb)} (at ${(s.ours.worstHz / 1000).toFixed(2)} kHz)`,
        s.chrome ? `${db(s.chrome.passbandRippleDb, 2)} (${db(s.chrome.edgeGainDb, 2)})` : '—',
        `${db(s.ours.passbandRippleDb, 2)} (${db(s.ours.edgeGainDb, 2)})`,
        !s.chrome ? '—' : s.chrome.aliasRejectionDb >= s.ours.aliasRejectionDb ? 'Chrome' : 'ours',
      ]),
    ),
  );
  md.push('');
  md.push(
    floorDb !== null
      ? `Measurement floor: the same path with both contexts at 48 kHz (no resampling) leaves ${db(floorDb)} of residual below the tone at its worst in-band tone, so Chrome's figures above are its resampler's, not the oscillator's or the recorder's.`
      : 'Measurement floor: not measured (see the run log).',
  );
  md.push('');
  md.push(
    `Microphone cross-check: the fake microphone (a 48 kHz WAV of one tone, processing off) captured by an \`AudioContext({sampleRate: 16000})\`, against the oscillator path at the same tone: ${micChecks
      .map((m) => (m.error ? `${m.hz / 1000} kHz failed (${m.error})` : `${(m.hz / 1000).toFixed(2)} kHz: microphone ${db(m.micDb ?? NaN)}, oscillator ${db(m.oscillatorDb ?? NaN)}${m.trackRate ? ` (track at ${m.trackRate / 1000} kHz)` : ''}`))
      .join('; ')}. Similar figures mean a microphone track goes through the same resampler, so the sweep above is what \`resampler: 'browser'\` would give a real microphone.`,
  );
  md.push('');
  md.push('### CPU: the capture worklet in each mode, 48 → 16 kHz');
  md.push('');
  if (cpu && browserCpu && oursCpu) {
    md.push(
      `CPU time of the whole Chromium process tree (\`/proc\`, ${CLOCK_TICKS_PER_S} ticks/s) over ${CPU_WINDOW_S} s windows while the real capture worklet (\`src/audio/worklets/pcm-capture-processor.ts\`: VAD, levels, 20 ms chunks) runs on an oscillator stream; ${Math.min(REPEATS, 3)} alternating runs, median (min–max). The two contexts, the MediaStream hop and the render threads are common to both modes; the difference is who resamples.`,
    );
    md.push('');
    md.push(
      table(
        ['mode', 'capture context', 'Chromium CPU per second of audio', 'chunks per second'],
        cpu.map((c) => [`\`${c.mode}\``, c.mode === 'browser' ? '16 kHz (Chrome resamples)' : '48 kHz (ours resamples in the worklet)', `${fmt(c.msPerS, 1)} ms`, fmt(c.chunksPerS, 1)]),
      ),
    );
    md.push('');
    md.push(`${cpuSentence(browserCpu, oursCpu)} Ours runs the worklet at 48 kHz (3× the quanta of a 16 kHz context) besides the filter itself.`);
  } else {
    md.push(`Not measured: ${cpuError ?? 'unknown error'}`);
  }
  md.push('');
  md.push('### Decision');
  md.push('');
  md.push(decision);
  if (!chromeBetter && measured.length > 0 && browserCpu && oursCpu) {
    const worstChrome = Math.min(...measured.map((s) => s.chrome!.aliasRejectionDb));
    const edges = measured.map((s) => s.chrome!.edgeGainDb);
    md.push('');
    md.push(
      `Cost: ${cpuSentence(browserCpu, oursCpu, true)} Quality decides: Chrome's path lets aliases just above the output Nyquist through rejected by only ${db(worstChrome)} (its filter's transition band straddles the Nyquist), and its passband has already fallen by ${(-Math.max(...edges)).toFixed(1)}–${(-Math.min(...edges)).toFixed(1)} dB at 0.9 × the lower Nyquist, where ours is flat within ${db(Math.max(...measured.map((s) => s.ours.passbandRippleDb)), 2)}. \`resampler: 'browser'\` stays available as an option.`,
    );
  }
  writeResult({ section: 'browser-resampling', markdown: md.join('\n'), bars: [], data: { sweeps, floorDb, micChecks, cpu, version }, elapsedMs: performance.now() - t0 });
}, 600_000);
