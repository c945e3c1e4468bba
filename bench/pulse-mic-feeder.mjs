// The rig's microphone: a process with its own event loop that writes PCM16 mono to the
// module-pipe-source FIFO every 2 ms, exactly as many samples as the monotonic clock says are due
// (silence unless a clip is queued), so the source never starves and stale audio never piles up.
// Commands arrive on stdin as JSON lines: {"id":1,"clip":"/abs/file.raw"} (s16le mono at RATE).
// It answers {"id":1,"onset":<epoch ms of the write that carried the clip's first sample>}.
// With a third argument {"delayMs":40,"gainDb":-6} it also plays the acoustic path (pulse-rig.ts):
// it records the speaker's monitor with parec (PULSE_SERVER from the environment) and mixes the
// speaker's sample of t − delayMs, at gainDb, into every sample it writes for time t.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [fifo, rateArg, acousticArg] = process.argv.slice(2);
const RATE = Number(rateArg ?? 48000);
const acoustic = acousticArg ? JSON.parse(acousticArg) : null;
// O_RDWR keeps the FIFO open even while PulseAudio's reader is away, so writes never block or fail.
const fd = openSync(fifo, 'r+');
const now = () => performance.timeOrigin + performance.now();
const start = performance.now();
const startEpoch = now();
let written = 0;
/** @type {Array<{id: number, pcm: Buffer, offset: number}>} */
const queue = [];

// The speaker, as the acoustic path hears it: samples in a growing list of chunks, and the epoch
// ms of sample 0 (the minimum over reads of stamp − samples so far: late reads only add delay).
const speaker = { chunks: /** @type {Int16Array[]} */ ([]), firstIndex: 0, total: 0, offset: Infinity };
let recorder = null;
if (acoustic) {
  const gain = Math.pow(10, acoustic.gainDb / 20);
  acoustic.gain = gain;
  recorder = spawn('parec', ['-d', 'speaker.monitor', '--format=s16le', `--rate=${RATE}`, '--channels=1', '--latency-msec=5', '--raw'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let leftover = null;
  recorder.stdout.on('data', (d) => {
    const t = now();
    const buf = leftover ? Buffer.concat([leftover, d]) : d;
    const whole = buf.length & ~1;
    leftover = whole < buf.length ? buf.subarray(whole) : null;
    const copy = new Int16Array(whole >> 1);
    for (let i = 0; i < copy.length; i++) copy[i] = buf.readInt16LE(i * 2);
    speaker.chunks.push(copy);
    speaker.total += copy.length;
    const o = t - (speaker.total / RATE) * 1000;
    if (o < speaker.offset) speaker.offset = o;
    // Keep about 2 s.
    while (speaker.chunks.length > 1 && speaker.total - speaker.firstIndex - speaker.chunks[0].length > RATE * 2) speaker.firstIndex += speaker.chunks.shift().length;
  });
  process.on('exit', () => recorder.kill('SIGTERM'));
}

/** Speaker sample at absolute index j, or 0 when not (or no longer) recorded. */
function speakerAt(j) {
  if (j < speaker.firstIndex || j >= speaker.total) return 0;
  let k = j - speaker.firstIndex;
  for (const c of speaker.chunks) {
    if (k < c.length) return c[k];
    k -= c.length;
  }
  return 0;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line);
  if (cmd.clip) queue.push({ id: cmd.id, pcm: readFileSync(cmd.clip), offset: 0 });
  if (cmd.exit) process.exit(0);
});

function tick() {
  const due = Math.floor(((performance.now() - start) / 1000) * RATE) - written;
  if (due > 0) {
    const buf = Buffer.alloc(due * 2);
    let filled = 0;
    let onsetOf = null;
    while (queue.length > 0 && filled < buf.length) {
      const c = queue[0];
      if (c.offset === 0) onsetOf = { id: c.id, at: filled };
      const n = Math.min(buf.length - filled, c.pcm.length - c.offset);
      c.pcm.copy(buf, filled, c.offset, c.offset + n);
      filled += n;
      c.offset += n;
      if (c.offset >= c.pcm.length) queue.shift();
    }
    if (acoustic && Number.isFinite(speaker.offset)) {
      // Sample `written + i` is due at startEpoch + (written + i) / RATE; it carries the speaker's sample from delayMs before.
      const first = Math.round(((startEpoch + (written / RATE) * 1000 - acoustic.delayMs - speaker.offset) / 1000) * RATE);
      for (let i = 0; i < due; i++) {
        const v = buf.readInt16LE(i * 2) + acoustic.gain * speakerAt(first + i);
        buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v))), i * 2);
      }
    }
    const t = now();
    writeSync(fd, buf);
    written += due;
    if (onsetOf) process.stdout.write(JSON.stringify({ id: onsetOf.id, onset: t - (due - onsetOf.at / 2) / RATE * 1000 + 0 }) + '\n');
  }
}
setInterval(tick, 2);
