/**
 * The external latency rig of shared/reference/latency-method.md: a private PulseAudio server whose
 * default sink is a null sink (the "speaker") and whose default source is a pipe source (the
 * "microphone", fed by pulse-mic-feeder.mjs), plus `parec` recording the speaker's monitor with
 * every read time-stamped. Chromium launched with `env()` uses it for both directions.
 * Everything started here is ended by its own process id in close().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { speechLikeProbe } from '../extension/offscreen/echo-probe-signal.ts';
import { SampleStore } from './sample-store.ts';

export const RIG_RATE = 48000;
const HERE = dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();

export interface Recording {
  /** Mono float samples of the speaker, from the start of recording: a view of what has arrived so far, not a copy. */
  samples(): Float32Array;
  /** Epoch ms of sample `i` (best estimate from the earliest-arriving reads). */
  timeOf(i: number): number;
  /** Sample index at epoch ms `t`. */
  indexAt(t: number): number;
  /**
   * How far the recording has fallen behind the wall clock, ms (30–55 ms in sound runs: parec's
   * reads and its pipe). Samples the server never delivered (a stalled or suspended sink) shift
   * every later time this recording reports, so a phase that ends with this over ~100 ms measured
   * nothing trustworthy.
   */
  behindMs(): number;
}

/**
 * The acoustic path (issue 14): what the speaker plays reaches the microphone `delayMs` later at
 * `gainDb`, as a laptop's speaker reaches its own microphone. The microphone's feeder
 * (pulse-mic-feeder.mjs) records the speaker's monitor itself (parec, reads time-stamped) and adds,
 * to every sample it writes for time t, `gainDb` × the speaker's sample at t − `delayMs`, on top of
 * any queued clip (the user's speech). PulseAudio's module-loopback into a null sink, with that
 * sink's monitor as Chromium's source, was tried first: Chromium captured only zeros from the
 * monitor (a click every 500 ms), so the mix is made where the microphone's samples are made. The
 * pipe source adds its own small buffer: the delay and level reaching the microphone are measured
 * back by validateAcousticPath (echo-matrix.ts).
 */
export interface AcousticPath {
  delayMs: number;
  gainDb: number;
}

export interface PulseRig {
  dir: string;
  /** The acoustic path, when the rig was started with one. */
  acoustic: AcousticPath | null;
  /** What Chromium's microphone hears (the `mic` source, echo included), recorded like `recording`; null without an acoustic path. */
  micRecording: Recording | null;
  /** Plays a clip (float mono at RIG_RATE) straight on the speaker sink, as Chromium would; resolves when pacat exits. */
  playOnSpeaker(clip: Float32Array): Promise<void>;
  /** Environment for Chromium (and pactl). */
  env(): NodeJS.ProcessEnv;
  /** Queues a clip (float mono at RIG_RATE) on the microphone; resolves to its onset (epoch ms). */
  play(clip: Float32Array): Promise<number>;
  recording: Recording;
  pactl(...args: string[]): string;
  close(): Promise<void>;
}

export function rigAvailable(): string | null {
  for (const bin of ['pulseaudio', 'parec', 'pactl']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (apt-get install pulseaudio pulseaudio-utils)`;
  }
  return null;
}

async function waitUntil(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Pulse rig: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startPulseRig(opts: { acoustic?: AcousticPath } = {}): Promise<PulseRig> {
  const acoustic = opts.acoustic ?? null;
  const why = rigAvailable();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pulse-'));
  const socket = join(dir, 'native');
  const fifo = join(dir, 'mic.fifo');
  const config = join(dir, 'rig.pa');
  writeFileSync(
    config,
    [
      `load-module module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      'load-module module-null-sink sink_name=speaker rate=48000 channels=2 sink_properties=device.description=BenchSpeaker',
      `load-module module-pipe-source source_name=mic file=${fifo} format=s16le rate=${RIG_RATE} channels=1 source_properties=device.description=BenchMicrophone`,
      'set-default-sink speaker',
      'set-default-source mic',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PULSE_SERVER: `unix:${socket}`, PULSE_RUNTIME_PATH: dir, PULSE_STATE_PATH: dir, HOME: dir, XDG_RUNTIME_DIR: dir };
  const children: ChildProcess[] = [];
  const server = spawn('pulseaudio', ['--daemonize=no', '--exit-idle-time=-1', '-n', '-F', config, '--use-pid-file=no', '--disable-shm=yes', '--log-target=stderr', '--log-level=error'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(server);
  let serverLog = '';
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
  const close = async () => {
    for (const c of children.reverse()) if (c.exitCode === null && c.pid) {
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`the PulseAudio socket (log: ${serverLog.slice(0, 300)})`, () => existsSync(socket) && existsSync(fifo));
    const feeder = spawn(process.execPath, [join(HERE, 'pulse-mic-feeder.mjs'), fifo, String(RIG_RATE), ...(acoustic ? [JSON.stringify(acoustic)] : [])], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(feeder);
    const pendingOnsets = new Map<number, (t: number) => void>();
    createInterface({ input: feeder.stdout! }).on('line', (l) => {
      const m = JSON.parse(l) as { id: number; onset: number };
      pendingOnsets.get(m.id)?.(m.onset);
      pendingOnsets.delete(m.id);
    });

    /** Mono s16le of a source, small latency, each read stamped. */
    const record = (source: string) => {
      const rec = spawn('parec', ['-d', source, '--format=s16le', `--rate=${RIG_RATE}`, '--channels=1', '--latency-msec=5', '--raw'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(rec);
      const store = new SampleStore();
      /** Minimum over reads of (stamp − end sample time): later arrivals only add delay. */
      let offset = Infinity;
      rec.stdout!.on('data', (d: Buffer) => {
        const t = now();
        store.appendS16le(d);
        const o = t - (store.length / RIG_RATE) * 1000;
        if (o < offset) offset = o;
      });
      const recording: Recording = {
        samples: () => store.view(),
        behindMs: () => now() - offset - (store.length / RIG_RATE) * 1000,
        timeOf: (i) => offset + (i / RIG_RATE) * 1000,
        indexAt: (t) => Math.round(((t - offset) / 1000) * RIG_RATE),
      };
      return { recording, total: () => store.length };
    };

    const speakerRec = record('speaker.monitor');
    await waitUntil('parec to deliver audio', () => speakerRec.total() > RIG_RATE * 0.2);
    let micRec: ReturnType<typeof record> | null = null;
    if (acoustic) {
      micRec = record('mic');
      await waitUntil('parec to deliver the microphone', () => micRec!.total() > RIG_RATE * 0.2);
    }

    let clipId = 0;
    const toRaw = (clip: Float32Array) => {
      const buf = Buffer.alloc(clip.length * 2);
      for (let i = 0; i < clip.length; i++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(clip[i] * 32767))), i * 2);
      return buf;
    };
    return {
      dir,
      acoustic,
      env: () => env,
      recording: speakerRec.recording,
      micRecording: micRec?.recording ?? null,
      playOnSpeaker(clip) {
        const p = spawn('pacat', ['--playback', '-d', 'speaker', '--format=s16le', `--rate=${RIG_RATE}`, '--channels=1', '--latency-msec=10', '--raw'], { env, stdio: ['pipe', 'ignore', 'inherit'] });
        children.push(p);
        p.stdin!.end(toRaw(clip));
        return new Promise<void>((resolve) => p.on('exit', () => resolve()));
      },
      play(clip) {
        const id = ++clipId;
        const file = join(dir, `clip-${id}.raw`);
        writeFileSync(file, toRaw(clip));
        return new Promise<number>((resolve) => {
          pendingOnsets.set(id, resolve);
          feeder.stdin!.write(JSON.stringify({ id, clip: file }) + '\n');
        });
      },
      pactl: (...args) => spawnSync('pactl', args, { env, encoding: 'utf8' }).stdout,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Index of the first sample at or after `from` whose magnitude exceeds `threshold`, or −1. */
export function firstLoud(x: Float32Array, from: number, threshold = 0.01): number {
  for (let i = Math.max(0, from); i < x.length; i++) if (Math.abs(x[i]) > threshold) return i;
  return -1;
}

/** Index one past the last loud sample before the first run of ≥ `silentMs` of silence after `from`. */
export function silenceAfter(x: Float32Array, from: number, silentMs = 150, threshold = 0.01): number {
  const need = Math.round((silentMs / 1000) * RIG_RATE);
  let lastLoud = from - 1;
  for (let i = Math.max(0, from); i < x.length; i++) {
    if (Math.abs(x[i]) > threshold) lastLoud = i;
    else if (i - lastLoud >= need) return lastLoud + 1;
  }
  return -1;
}

/** Silent stretches longer than `minMs` between `from` and `to`, in ms. */
export function gapsBetween(x: Float32Array, from: number, to: number, minMs = 2, threshold = 0.003): number[] {
  const gaps: number[] = [];
  let run = 0;
  for (let i = from; i < to && i < x.length; i++) {
    if (Math.abs(x[i]) <= threshold) run++;
    else {
      if ((run / RIG_RATE) * 1000 > minMs) gaps.push((run / RIG_RATE) * 1000);
      run = 0;
    }
  }
  return gaps;
}

/**
 * Delta `k` of the OpenAI fake's reply (test/fakes/fake-openai-server.ts, toneChunk): 100 ms of
 * 220 Hz at 24 kHz PCM16, phase-continuous across deltas, amplitude 0.2. A plain page measured
 * against us must play this very signal: Chromium's echo canceller holds back a burst said over the
 * playback by an amount that depends on the playback's level (bench/diagnostics/over-playback.diag.ts:
 * a 0.3 tone sent whole, the floor's reply before 2026-12-08, kept the first bursts out altogether
 * and let later ones through in ~20 ms; the fake's 0.2 reply held each stream's first six bursts
 * back ~90 ms).
 */
export function fakeReplyDelta(k: number, amplitude = 0.2): Buffer {
  const n = 2400;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 220 * (k * n + i)) / 24000));
  return Buffer.from(pcm.buffer);
}

/**
 * A burst with an abrupt onset: harmonics of 310 Hz plus noise, so any speech-band VAD fires at
 * once. Unlike the fakes' 220 Hz reply tone, so echo cancellation never mistakes it for echo.
 */
export function toneBurst(ms: number, amplitude = 0.4): Float32Array {
  const n = Math.round((ms / 1000) * RIG_RATE);
  const x = new Float32Array(n);
  let seed = 987654321;
  for (let i = 0; i < n; i++) {
    const t = i / RIG_RATE;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = seed / 0x7fffffff - 0.5;
    x[i] = amplitude * (0.5 * Math.sin(2 * Math.PI * 310 * t) + 0.25 * Math.sin(2 * Math.PI * 620 * t) + 0.1 * Math.sin(2 * Math.PI * 1240 * t) + 0.3 * noise);
  }
  return x;
}

/** The echo check's speech-like probe (extension/offscreen/echo-probe-signal.ts) at the rig's rate. */
export function speechLike(ms: number, amplitude = 0.3, seed = 12345): Float32Array {
  return speechLikeProbe(RIG_RATE, ms, amplitude, seed);
}

/** RMS of `x[from, to)`; 0 when empty. */
export function rms(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(to, x.length); i++, n++) sum += x[i] * x[i];
  return n ? Math.sqrt(sum / n) : 0;
}

export const dB = (ratio: number) => 20 * Math.log10(Math.max(ratio, 1e-9));
