/**
 * Node-side audio figures (issue 3, 9): resampler alias rejection and throughput against linear
 * interpolation; capture chunk cadence and the latency chunking adds against the peers' 170 ms and
 * 128 ms framing; the jitter buffer under bursty and jittered delivery against a no-prebuffer
 * player and a 100 ms scheduled lead; interruption-to-silence against a 100 ms gain fade.
 * Everything runs on a virtual clock of 128-frame render quanta, as the worklets do.
 */
import { it } from 'vitest';
import { Chunker } from '../src/audio/chunker.ts';
import { JitterBuffer } from '../src/audio/jitter-buffer.ts';
import { LinearResampler } from './linear-resampler.ts';
import { Resampler } from '../src/audio/resampler.ts';
import { GOOGLE_CONSOLE_CHUNK, ThresholdChunker, WAVTOOLS_CHUNK } from './baselines/peer-chunkers.ts';
import { GainFade, NoPrebufferPlayer } from './baselines/peer-players.ts';
import { REPEATS, loadLine, table, writeResult, yesNo, type BarRow } from './bench-result.ts';
import { fmt, ratio, seededRandom, summarize, type Summary } from './bench-stats.ts';
import { speechLike, sweep, throughput, type SweepSummary } from './resampler-quality.ts';

const QUANTUM = 128;
const PAIRS: Array<[number, number]> = [
  [48000, 16000],
  [44100, 16000],
  [48000, 24000],
  [16000, 24000],
];

interface ResamplerFigures {
  pair: string;
  ours: SweepSummary & { xRealTime: Summary; xRealTimeWall: Summary; delayMs: number };
  linear: SweepSummary & { xRealTime: Summary; xRealTimeWall: Summary };
}

function resamplerFigures(): ResamplerFigures[] {
  const out: ResamplerFigures[] = [];
  for (const [inRate, outRate] of PAIRS) {
    const oursQ = sweep(() => new Resampler(inRate, outRate), inRate, outRate);
    const linQ = sweep(() => new LinearResampler(inRate, outRate), inRate, outRate);
    const signal = speechLike(inRate, 10);
    const ours: Array<{ cpu: number; wall: number }> = [];
    const lin: Array<{ cpu: number; wall: number }> = [];
    for (let w = 0; w < 3; w++) {
      // JIT warm-up: the worklet runs for minutes, so steady-state speed is what matters.
      throughput(() => new Resampler(inRate, outRate), signal.subarray(0, inRate * 2), inRate);
      throughput(() => new LinearResampler(inRate, outRate), signal.subarray(0, inRate * 2), inRate);
    }
    for (let r = 0; r < REPEATS; r++) {
      ours.push(throughput(() => new Resampler(inRate, outRate), signal, inRate));
      lin.push(throughput(() => new LinearResampler(inRate, outRate), signal, inRate));
    }
    const delayMs = (new Resampler(inRate, outRate).delayInputSamples / inRate) * 1000;
    out.push({
      pair: `${inRate / 1000}→${outRate / 1000} kHz`,
      ours: { ...oursQ, xRealTime: summarize(ours.map((x) => x.cpu)), xRealTimeWall: summarize(ours.map((x) => x.wall)), delayMs },
      linear: { ...linQ, xRealTime: summarize(lin.map((x) => x.cpu)), xRealTimeWall: summarize(lin.map((x) => x.wall)) },
    });
  }
  return out;
}

interface ChunkFigures {
  label: string;
  chunkMs: Summary;
  intervalMs: Summary;
  /** Mean over samples of (send time − capture time), plus the resampler's group delay for ours. */
  meanWaitMs: number;
  /** Worst sample's wait: what a speech onset can wait before its first chunk leaves. */
  maxWaitMs: number;
}

/** Ours: device-rate quanta → windowed-sinc resampler → exact chunks. Times in ms of input. */
function ourChunking(deviceRate: number, targetRate: number, chunkMs: number, seconds = 10): ChunkFigures {
  const resampler = new Resampler(deviceRate, targetRate);
  const chunker = Chunker.forDuration(targetRate, chunkMs);
  const delayMs = (resampler.delayInputSamples / deviceRate) * 1000;
  const sizes: number[] = [];
  const sends: number[] = [];
  let outSamples = 0;
  let waitSum = 0;
  let maxWait = 0;
  const quanta = Math.round((deviceRate * seconds) / QUANTUM);
  const q = new Float32Array(QUANTUM).fill(0.1);
  for (let k = 0; k < quanta; k++) {
    const now = (((k + 1) * QUANTUM) / deviceRate) * 1000; // process() runs once the quantum is captured
    chunker.push(resampler.process(q), (chunk) => {
      sizes.push((chunk.length / targetRate) * 1000);
      sends.push(now);
      // Output sample j represents input time j/targetRate (minus the filter delay, added below).
      for (let j = 0; j < chunk.length; j++) {
        const wait = now - ((outSamples + j) / targetRate) * 1000;
        waitSum += wait;
        if (wait > maxWait) maxWait = wait;
      }
      outSamples += chunk.length;
    });
  }
  const intervals = sends.slice(1).map((t, i) => t - sends[i]);
  return { label: `ours: ${chunkMs} ms chunks, ${deviceRate / 1000}→${targetRate / 1000} kHz windowed-sinc`, chunkMs: summarize(sizes), intervalMs: summarize(intervals), meanWaitMs: waitSum / outSamples, maxWaitMs: maxWait };
}

function peerChunking(spec: { rate: number; thresholdSamples: number; label: string }, seconds = 10): ChunkFigures {
  const c = new ThresholdChunker(spec.thresholdSamples);
  const sizes: number[] = [];
  const sends: number[] = [];
  let sent = 0;
  let waitSum = 0;
  let maxWait = 0;
  const quanta = Math.round((spec.rate * seconds) / QUANTUM);
  for (let k = 0; k < quanta; k++) {
    const now = (((k + 1) * QUANTUM) / spec.rate) * 1000;
    const n = c.push(QUANTUM);
    if (n > 0) {
      sizes.push((n / spec.rate) * 1000);
      sends.push(now);
      for (let j = 0; j < n; j++) {
        const wait = now - ((sent + j) / spec.rate) * 1000;
        waitSum += wait;
        if (wait > maxWait) maxWait = wait;
      }
      sent += n;
    }
  }
  const intervals = sends.slice(1).map((t, i) => t - sends[i]);
  return { label: spec.label, chunkMs: summarize(sizes), intervalMs: summarize(intervals), meanWaitMs: waitSum / sent, maxWaitMs: maxWait };
}

// ---------------------------------------------------------------------------------------------
// Playback under network delivery patterns.

const OUT_RATE = 24000;
interface Delivery {
  /** Arrival time (ms) and length (samples) of each chunk of one reply, in order. */
  chunks: Array<{ at: number; samples: number }>;
}

function deliveryPattern(kind: 'burst' | 'jittered' | 'bursty', seed: number): Delivery {
  const rnd = seededRandom(seed);
  const chunks: Array<{ at: number; samples: number }> = [];
  const replyMs = 3000;
  if (kind === 'burst') {
    // OpenAI-like: 100 ms deltas 5 ms apart (faster than real time).
    for (let i = 0; i < replyMs / 100; i++) chunks.push({ at: 50 + i * 5, samples: OUT_RATE / 10 });
  } else if (kind === 'jittered') {
    // Real-time 20 ms parts with 0–40 ms network jitter, order kept (TCP).
    let last = 0;
    for (let i = 0; i < replyMs / 20; i++) {
      last = Math.max(last, 50 + i * 20 + rnd() * 40);
      chunks.push({ at: last, samples: (OUT_RATE * 20) / 1000 });
    }
  } else {
    // Generated in real time but flushed in bursts: every ~200 ms (±60 ms) the audio made since.
    let made = 0;
    let t = 50;
    while (made < replyMs) {
      const span = Math.min(replyMs - made, 200);
      t = Math.max(t, 50 + made + span + (rnd() - 0.5) * 120);
      chunks.push({ at: t, samples: Math.round((OUT_RATE * span) / 1000) });
      made += span;
    }
  }
  return { chunks };
}

interface PlaybackFigures {
  /** First chunk arrival → first sample out. */
  startLeadMs: number;
  underruns: number;
  /** Silence inside the reply (between its first and last real sample). */
  gapMs: number;
}

/** A reply whose samples are never 0, so silence means a gap. */
function replySamples(n: number, from: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.3 + 0.1 * Math.sin((2 * Math.PI * 440 * (from + i)) / OUT_RATE);
  return x;
}

function playOurs(d: Delivery, startThresholdMs: number): PlaybackFigures {
  const jb = new JitterBuffer({ sampleRate: OUT_RATE, startThresholdMs });
  return simulate(d, (s) => jb.push(s, 'item'), (out) => jb.render(out), () => jb.underruns);
}

function playNoPrebuffer(d: Delivery): PlaybackFigures {
  const p = new NoPrebufferPlayer();
  return simulate(d, (s) => p.push(s), (out) => void p.render(out), null);
}

/**
 * Google console's scheduler, modelled: the first buffer starts 100 ms after it arrives, later ones
 * start when the previous ends or, if late, on arrival (a gap). Event-driven: no render quanta.
 */
function playScheduled(d: Delivery, leadMs = 100): PlaybackFigures {
  let nextStart = -1;
  let first = -1;
  let gaps = 0;
  let gapMs = 0;
  for (const c of d.chunks) {
    let start: number;
    if (nextStart < 0) {
      start = c.at + leadMs;
      first = start;
    } else if (c.at > nextStart) {
      gaps++;
      gapMs += c.at - nextStart;
      start = c.at;
    } else start = nextStart;
    nextStart = start + (c.samples / OUT_RATE) * 1000;
  }
  return { startLeadMs: first - d.chunks[0].at, underruns: gaps, gapMs };
}

function simulate(d: Delivery, push: (s: Float32Array) => void, render: (out: Float32Array) => void, underruns: (() => number) | null): PlaybackFigures {
  const total = d.chunks.reduce((a, c) => a + c.samples, 0);
  const out = new Float32Array(QUANTUM);
  let next = 0;
  let fed = 0;
  let played = 0;
  let firstFrame = -1;
  let lastFrame = -1;
  let silentInside = 0;
  let pendingSilence = 0;
  let dryEpisodes = 0;
  let wasDry = false;
  const quantumMs = (QUANTUM / OUT_RATE) * 1000;
  for (let k = 0; played < total && k < 1e6; k++) {
    const now = k * quantumMs;
    // Messages that arrived before this quantum are handled before process() runs.
    while (next < d.chunks.length && d.chunks[next].at <= now) {
      push(replySamples(d.chunks[next].samples, fed));
      fed += d.chunks[next].samples;
      next++;
    }
    render(out);
    for (let i = 0; i < QUANTUM; i++) {
      const frame = k * QUANTUM + i;
      if (out[i] !== 0) {
        if (firstFrame < 0) firstFrame = frame;
        else if (pendingSilence > 0) {
          silentInside += pendingSilence;
          if (wasDry) dryEpisodes++;
        }
        pendingSilence = 0;
        wasDry = false;
        lastFrame = frame;
        played++;
      } else if (firstFrame >= 0) {
        pendingSilence++;
        wasDry = true;
      }
    }
  }
  void lastFrame;
  return {
    startLeadMs: (firstFrame / OUT_RATE) * 1000 - d.chunks[0].at,
    underruns: underruns ? underruns() : dryEpisodes,
    gapMs: (silentInside / OUT_RATE) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Interruption → silence.

/** −60 dBFS: below it the reply is taken as silent. */
const SILENT = 0.001;

function interruptionLatencies(kind: 'flush' | 'fade', trials: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  const lat: number[] = [];
  for (let t = 0; t < trials; t++) {
    const audio = replySamples(OUT_RATE * 2, 0);
    const jb = new JitterBuffer({ sampleRate: OUT_RATE });
    const fade = new GainFade(OUT_RATE, 100);
    jb.push(audio, 'item');
    const out = new Float32Array(QUANTUM);
    const arrivalFrame = Math.floor(OUT_RATE * 0.5 + rnd() * QUANTUM * 4);
    let handled = false;
    let lastLoud = -1;
    for (let k = 0; k * QUANTUM < OUT_RATE * 1.5; k++) {
      const start = k * QUANTUM;
      // The worklet handles the message between two process() calls.
      if (!handled && arrivalFrame <= start) {
        if (kind === 'flush') jb.clear();
        else fade.start();
        handled = true;
      }
      jb.render(out);
      fade.apply(out);
      for (let i = 0; i < QUANTUM; i++) if (Math.abs(out[i]) >= SILENT) lastLoud = start + i;
    }
    lat.push(((lastLoud + 1 - arrivalFrame) / OUT_RATE) * 1000);
  }
  return lat;
}

it('audio pipeline bench', () => {
  const t0 = performance.now();
  const res = resamplerFigures();

  const chunkRows = [ourChunking(48000, 16000, 20), ourChunking(48000, 24000, 20), peerChunking(WAVTOOLS_CHUNK), peerChunking(GOOGLE_CONSOLE_CHUNK)];
  // Issue 14 item 4: what a 10 ms chunk would save on this clock (not the default; see the note under the table).
  const tenMs = [ourChunking(48000, 16000, 10), ourChunking(48000, 24000, 10)];

  const scenarios = ['burst', 'jittered', 'bursty'] as const;
  const playback = scenarios.map((kind) => {
    const ours: PlaybackFigures[] = [];
    const none: PlaybackFigures[] = [];
    const sched: PlaybackFigures[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const d = deliveryPattern(kind, 1000 + r);
      ours.push(playOurs(d, 30));
      none.push(playNoPrebuffer(d));
      sched.push(playScheduled(d));
    }
    const s = (xs: PlaybackFigures[], k: keyof PlaybackFigures) => summarize(xs.map((x) => x[k]));
    return {
      kind,
      ours: { lead: s(ours, 'startLeadMs'), underruns: s(ours, 'underruns'), gap: s(ours, 'gapMs') },
      noPrebuffer: { lead: s(none, 'startLeadMs'), underruns: s(none, 'underruns'), gap: s(none, 'gapMs') },
      scheduled: { lead: s(sched, 'startLeadMs'), underruns: s(sched, 'underruns'), gap: s(sched, 'gapMs') },
    };
  });

  const flush = summarize(interruptionLatencies('flush', 200, 7));
  const fade = summarize(interruptionLatencies('fade', 200, 7));

  // ---- bars
  const worstRejection = Math.min(...res.map((r) => r.ours.aliasRejectionDb));
  const slowest = Math.min(...res.map((r) => r.ours.xRealTime.median));
  const ours16 = chunkRows[0];
  const jitteredLead = playback.find((p) => p.kind === 'jittered')!.ours.lead.median;
  const clientAdded = ours16.maxWaitMs + res[0].ours.delayMs + jitteredLead;
  const wavtoolsAdded = chunkRows[2].maxWaitMs + playback.find((p) => p.kind === 'jittered')!.noPrebuffer.lead.median;
  const consoleAdded = chunkRows[3].maxWaitMs + playback.find((p) => p.kind === 'jittered')!.scheduled.lead.median;
  const bars: BarRow[] = [
    {
      id: 'capture-chunk',
      ours: `${fmt(ours16.chunkMs, 2)} ms per send (simulated worklet path)`,
      baseline: `${chunkRows[2].chunkMs.median.toFixed(1)} ms (wavtools), ${chunkRows[3].chunkMs.median.toFixed(1)} ms (Google console)`,
      met: Math.abs(ours16.chunkMs.median - 20) < 0.1 && Math.abs(chunkRows[1].chunkMs.median - 20) < 0.1,
      note: 'browser figure (chunk sizes recorded by the fake server) in the browser section',
    },
    {
      id: 'client-added-latency',
      ours: `simulated on the worklets' render clock: ${clientAdded.toFixed(1)} ms = capture worst wait ${ours16.maxWaitMs.toFixed(1)} + resampler delay ${res[0].ours.delayMs.toFixed(1)} + playback start lead ${jitteredLead.toFixed(1)} (jittered delivery)`,
      baseline: `wavtools ${wavtoolsAdded.toFixed(1)} ms (${ratio(clientAdded, wavtoolsAdded)}), Google console ${consoleAdded.toFixed(1)} ms (${ratio(clientAdded, consoleAdded)})`,
      met: clientAdded <= 60,
      note: 'computed on the worklets\' own clock (Node); excludes Chromium\'s audio I/O, which the external figures include',
    },
    {
      id: 'barge-in',
      ours: `simulated on a virtual render clock: ${fmt(flush, 1)} ms, worst ${flush.max.toFixed(1)} ms (flush at the next render quantum)`,
      baseline: `100 ms gain fade: ${fmt(fade, 1)} ms (${ratio(flush.median, fade.median)})`,
      // A virtual clock cannot mark a bar that is about what the speaker plays: the barge-in
      // measured at the speaker is the external-latency row.
      met: null,
      note: `player worklet code only, interruption message → last sample above −60 dBFS on a virtual clock (worst ${flush.max <= 20 ? 'within' : 'over'} 20 ms there); the bar is judged at the speaker, in the external-latency row (barge-in-to-silence)`,
    },
    {
      id: 'resampling',
      ours: `worst ${worstRejection.toFixed(1)} dB alias rejection over ${res.length} rate pairs; slowest ${slowest.toFixed(0)}× real time`,
      baseline: `linear interpolation: worst ${Math.min(...res.map((r) => r.linear.aliasRejectionDb)).toFixed(1)} dB`,
      met: worstRejection >= 60 && slowest >= 100,
    },
  ];

  // ---- markdown
  const md: string[] = [];
  md.push('## Audio pipeline (Node, worklet code on a virtual render clock)');
  md.push('');
  md.push(`${loadLine()} Every figure in this section is **simulated**: the product's worklet code on a virtual clock, without Chromium's audio I/O.`);
  md.push('');
  md.push(`Pure modules the worklets run (\`Resampler\`, \`Chunker\`, \`JitterBuffer\`) driven with 128-frame render quanta; peers' methods reimplemented in \`bench/baselines/\` from their source (\`peers.md\` §2). Throughput: 10 s of a speech-like signal fed in 128-sample quanta after a JIT warm-up, ${REPEATS} runs, median (min–max).`);
  md.push('');
  md.push('### Resampler: alias rejection and throughput, ours vs linear interpolation');
  md.push('');
  md.push('Swept sines (amplitude 0.5, 0.25 s each, steady state): downsampling sweeps 48 tones between the output and the input Nyquist, all of which must vanish; upsampling sweeps the input band and measures the images. Rejection = input power / residual power after removing the tone itself. Ripple over 0.02–0.9 × the lower Nyquist.');
  md.push('');
  md.push(
    table(
      ['rate', 'ours: worst rejection', 'linear: worst rejection', 'ours: passband ripple', 'linear: ripple (gain at 0.9 Nyq)', 'ours: × real time (CPU)', 'ours: × real time (wall)', 'linear: × real time (CPU)', 'ours: group delay', 'bar ≥ 60 dB, ≥ 100×'],
      res.map((r) => [
        r.pair,
        `${r.ours.aliasRejectionDb.toFixed(1)} dB`,
        `${r.linear.aliasRejectionDb.toFixed(1)} dB (at ${(r.linear.worstHz / 1000).toFixed(2)} kHz)`,
        `${r.ours.passbandRippleDb.toFixed(2)} dB`,
        `${r.linear.passbandRippleDb.toFixed(2)} dB (${r.linear.edgeGainDb.toFixed(2)} dB)`,
        fmt(r.ours.xRealTime, 0, '×'),
        fmt(r.ours.xRealTimeWall, 0, '×'),
        fmt(r.linear.xRealTime, 0, '×'),
        `${r.ours.delayMs.toFixed(2)} ms`,
        yesNo(r.ours.aliasRejectionDb >= 60 && r.ours.xRealTime.median >= 100),
      ]),
    ),
  );
  md.push('');
  md.push(`Ours rejects aliases ${(worstRejection - Math.min(...res.map((r) => r.linear.aliasRejectionDb))).toFixed(0)} dB better than linear interpolation at the worst pair and costs ${ratio(res[0].ours.xRealTime.median, res[0].linear.xRealTime.median)} the CPU time of linear interpolation at 48→16 kHz. × real time (CPU) = audio seconds per second of this process's CPU time, which other processes on the shared cores do not distort; the wall-clock figure is shown beside it.`);
  md.push('');
  md.push('### Capture chunking: size, cadence and the wait it adds');
  md.push('');
  md.push('10 s of capture. Wait = send time − capture time of each sample (mean over samples; worst = what a speech onset can wait). Ours adds the resampler\'s group delay (column above). Peers run their AudioContext at the target rate, so their quanta arrive already resampled by Chrome.');
  md.push('');
  md.push(
    table(
      ['method', 'chunk', 'send interval', 'mean wait', 'worst wait', 'ratio of worst wait (peer / ours)'],
      [...chunkRows, ...tenMs].map((c) => [c.label, `${fmt(c.chunkMs, 2)} ms`, `${fmt(c.intervalMs, 2)} ms`, `${c.meanWaitMs.toFixed(1)} ms`, `${c.maxWaitMs.toFixed(1)} ms`, ratio(chunkRows[0].maxWaitMs, c.maxWaitMs)]),
    ),
  );
  md.push('');
  md.push(`**10 ms chunks (issue 14 item 4), simulated:** the worst wait falls from ${chunkRows[0].maxWaitMs.toFixed(1)} to ${tenMs[0].maxWaitMs.toFixed(1)} ms (48→16 kHz) and the mean from ${chunkRows[0].meanWaitMs.toFixed(1)} to ${tenMs[0].meanWaitMs.toFixed(1)} ms, at twice the frames per second (100/s). The default stays at 20 ms: this round did not measure capture-to-wire at the fake with 10 ms chunks (the rig that measures it is the external-latency section), and the providers' own examples send every 20–100 ms (shared/reference/provider-protocols.md: OpenAI appends "every 20–100 ms", Gemini "e.g. every 100 ms"), so 100 frames a second is beyond what they document.`);
  md.push('');
  md.push('### Jitter buffer: one 3 s reply at 24 kHz');
  md.push('');
  md.push(`Deliveries: **burst** = 100 ms deltas 5 ms apart (OpenAI streams faster than real time); **jittered** = real-time 20 ms parts with 0–40 ms jitter, order kept; **bursty** = real-time audio flushed every 200 ms ± 60 ms. ${REPEATS} seeds. Ours = \`JitterBuffer\` with its 30 ms start threshold; wavtools = no prebuffer; Google console = 100 ms scheduled lead (modelled without its 100 ms timer).`);
  md.push('');
  md.push(
    table(
      ['delivery', 'ours: start lead', 'ours: underruns', 'ours: gaps', 'no prebuffer: lead', 'no prebuffer: underruns', 'no prebuffer: gaps', '100 ms lead: lead', '100 ms lead: underruns', '100 ms lead: gaps'],
      playback.map((p) => [
        p.kind,
        `${fmt(p.ours.lead, 1)} ms`,
        fmt(p.ours.underruns, 0),
        `${fmt(p.ours.gap, 1)} ms`,
        `${fmt(p.noPrebuffer.lead, 1)} ms`,
        fmt(p.noPrebuffer.underruns, 0),
        `${fmt(p.noPrebuffer.gap, 1)} ms`,
        `${fmt(p.scheduled.lead, 1)} ms`,
        fmt(p.scheduled.underruns, 0),
        `${fmt(p.scheduled.gap, 1)} ms`,
      ]),
    ),
  );
  md.push('');
  md.push('### Interruption → silence (player worklet)');
  md.push('');
  md.push('200 interruptions arriving at random points of the render clock while a reply plays; latency = arrival → last sample above −60 dBFS.');
  md.push('');
  md.push(
    table(
      ['method', 'median (min–max)', 'p95', 'ratio'],
      [
        ['ours: `JitterBuffer.clear()` before the next quantum', `${fmt(flush, 2)} ms`, `${flush.p95.toFixed(2)} ms`, '1×'],
        ['Google console: 100 ms gain ramp', `${fmt(fade, 2)} ms`, `${fade.p95.toFixed(2)} ms`, ratio(flush.median, fade.median)],
      ],
    ),
  );
  const elapsedMs = performance.now() - t0;
  writeResult({ section: 'audio-pipeline', markdown: md.join('\n'), bars, data: { res, chunkRows, playback, flush, fade }, elapsedMs });
});
