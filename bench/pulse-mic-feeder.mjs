// The rig's microphone: a process with its own event loop that writes PCM16 mono to the
// module-pipe-source FIFO every 2 ms, exactly as many samples as the monotonic clock says are due
// (silence unless a clip is queued), so the source never starves and stale audio never piles up.
// Commands arrive on stdin as JSON lines: {"id":1,"clip":"/abs/file.raw"} (s16le mono at RATE).
// It answers {"id":1,"onset":<epoch ms of the write that carried the clip's first sample>}.
import { openSync, readFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [fifo, rateArg] = process.argv.slice(2);
const RATE = Number(rateArg ?? 48000);
// O_RDWR keeps the FIFO open even while PulseAudio's reader is away, so writes never block or fail.
const fd = openSync(fifo, 'r+');
const now = () => performance.timeOrigin + performance.now();
const start = performance.now();
let written = 0;
/** @type {Array<{id: number, pcm: Buffer, offset: number}>} */
const queue = [];

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
    const t = now();
    writeSync(fd, buf);
    written += due;
    if (onsetOf) process.stdout.write(JSON.stringify({ id: onsetOf.id, onset: t - (due - onsetOf.at / 2) / RATE * 1000 + 0 }) + '\n');
  }
}
setInterval(tick, 2);
