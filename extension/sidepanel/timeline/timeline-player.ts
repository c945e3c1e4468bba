import type { AudioChunk, Recording, TrackId } from '../../recordings/recording-format.ts';
import { decodeOpusChunks, opusDecodingAvailable, pcm16ToFloat } from '../../recordings/audio-chunk-decode.ts';

export type ListenMode = 'both' | 'user' | 'bot';

/** How far ahead of the playhead chunks are scheduled, and how often the scheduler looks. */
const LEAD_S = 1.5;
const TICK_MS = 250;

let shared: AudioContext | null = null;

/**
 * One AudioContext for the page, made once: creating one opens the audio device synchronously
 * (hundreds of ms on a loaded machine, measured by the timeline bench), so it is not paid per
 * recording or per click. `prewarmAudio()` makes it ahead of the first play, in idle time.
 */
function sharedContext(): AudioContext {
  if (!shared || shared.state === 'closed') shared = new AudioContext({ latencyHint: 'playback' });
  return shared;
}

export function prewarmAudio(): void {
  if (typeof AudioContext !== 'function') return;
  const ctx = sharedContext();
  // Made outside a user gesture it may start suspended; play() resumes it.
  if (ctx.state === 'running') void ctx.suspend().catch(() => undefined);
}

/**
 * Plays a recording from any point, both tracks on the recording clock (each chunk starts at its
 * own `t`, so gaps stay silent as recorded), mixed or one voice alone. Decodes only what it is
 * about to play: an hour of audio is never decoded at once. The AudioContext is made on the first
 * play (a user gesture) in the panel page; audio never leaves this page.
 */
export class TimelinePlayer {
  private ctx: AudioContext | null = null;
  private gains: Record<TrackId, GainNode> | null = null;
  private sources = new Set<AudioBufferSourceNode>();
  private timer = 0;
  /** Next chunk index to schedule, per track. */
  private next: Record<TrackId, number> = { mic: 0, bot: 0 };
  private startCtxTime = 0;
  private startMs = 0;
  private generation = 0;
  private readonly tracks: Record<TrackId, AudioChunk[]>;
  private mode: ListenMode = 'both';
  playing = false;
  /** Set when a track holds audio this browser cannot decode. */
  readonly unplayable: string | null;

  constructor(
    recording: Recording,
    private readonly onEnded: () => void = () => undefined,
  ) {
    const by = (track: TrackId) => recording.audio.filter((c) => c.track === track).sort((a, b) => a.t - b.t || a.seq - b.seq);
    this.tracks = { mic: by('mic'), bot: by('bot') };
    const hasOpus = recording.audio.some((c) => c.codec === 'opus');
    this.unplayable = hasOpus && !opusDecodingAvailable() ? 'This browser cannot decode the recording’s Opus audio (no WebCodecs AudioDecoder): it cannot be played here.' : null;
    this.endMs = Math.max(recording.meta.durationMs, ...(['mic', 'bot'] as const).map((k) => chunkEnd(this.tracks[k].at(-1))));
  }

  readonly endMs: number;

  /** Where playback is now, on the recording clock (ms). */
  positionMs(): number {
    if (!this.playing || !this.ctx) return this.startMs;
    return this.startMs + Math.max(0, this.ctx.currentTime - this.startCtxTime) * 1000;
  }

  contextState(): AudioContextState | 'none' {
    return this.ctx?.state ?? 'none';
  }

  setMode(mode: ListenMode): void {
    this.mode = mode;
    if (!this.gains || !this.ctx) return;
    const now = this.ctx.currentTime;
    // A short ramp: switching solo mid-word must not click.
    this.gains.mic.gain.setTargetAtTime(mode === 'bot' ? 0 : 1, now, 0.01);
    this.gains.bot.gain.setTargetAtTime(mode === 'user' ? 0 : 1, now, 0.01);
  }

  async play(fromMs: number): Promise<void> {
    this.stopSources();
    const gen = ++this.generation;
    if (!this.ctx) {
      this.ctx = sharedContext();
      const mic = this.ctx.createGain();
      const bot = this.ctx.createGain();
      mic.connect(this.ctx.destination);
      bot.connect(this.ctx.destination);
      this.gains = { mic, bot };
    }
    this.setMode(this.mode);
    if (this.ctx.state === 'suspended') await this.ctx.resume();
    if (gen !== this.generation) return;
    this.startMs = Math.max(0, Math.min(fromMs, this.endMs));
    this.startCtxTime = this.ctx.currentTime + 0.05;
    for (const k of ['mic', 'bot'] as const) this.next[k] = firstChunkAt(this.tracks[k], this.startMs);
    this.playing = true;
    void this.schedule(gen);
    this.timer = window.setInterval(() => void this.schedule(gen), TICK_MS);
  }

  stop(): void {
    if (this.playing) this.startMs = this.positionMs();
    this.generation++;
    this.stopSources();
    this.playing = false;
  }

  /** Stops and lets go of the page's context (kept for the next recording, suspended). */
  async close(): Promise<void> {
    this.stop();
    const ctx = this.ctx;
    this.gains?.mic.disconnect();
    this.gains?.bot.disconnect();
    this.ctx = null;
    this.gains = null;
    if (ctx && ctx.state === 'running') await ctx.suspend().catch(() => undefined);
  }

  private stopSources(): void {
    clearInterval(this.timer);
    this.timer = 0;
    for (const s of this.sources) {
      try {
        s.stop();
      } catch {
        // never started
      }
      s.disconnect();
    }
    this.sources.clear();
  }

  private async schedule(gen: number): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !this.gains || gen !== this.generation) return;
    const horizonMs = this.startMs + (ctx.currentTime - this.startCtxTime + LEAD_S) * 1000;
    for (const track of ['mic', 'bot'] as const) {
      const list = this.tracks[track];
      const due: AudioChunk[] = [];
      while (this.next[track] < list.length && list[this.next[track]].t < horizonMs) due.push(list[this.next[track]++]);
      if (due.length === 0) continue;
      const decoded = await this.decode(due);
      if (gen !== this.generation) return;
      for (const d of decoded) this.start(ctx, this.gains[track], d.chunk, d.samples, d.sampleRate);
    }
    if (this.positionMs() >= this.endMs) {
      this.stop();
      this.startMs = this.endMs;
      this.onEnded();
    }
  }

  private async decode(chunks: AudioChunk[]): Promise<Array<{ chunk: AudioChunk; samples: Float32Array; sampleRate: number }>> {
    const pcm = chunks.filter((c) => c.codec === 'pcm16').map((chunk) => ({ chunk, samples: pcm16ToFloat(chunk.data), sampleRate: chunk.sampleRate }));
    const opus = chunks.filter((c) => c.codec === 'opus');
    if (opus.length === 0 || this.unplayable) return pcm;
    return [...pcm, ...(await decodeOpusChunks(opus))];
  }

  private start(ctx: AudioContext, out: GainNode, chunk: AudioChunk, samples: Float32Array, sampleRate: number): void {
    if (samples.length === 0) return;
    const buffer = ctx.createBuffer(1, samples.length, sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(out);
    // Chunk start on the context clock; a chunk already under way starts part-way in.
    const at = this.startCtxTime + (chunk.t - this.startMs) / 1000;
    const offset = Math.max(0, ctx.currentTime - at, (this.startMs - chunk.t) / 1000);
    if (offset >= buffer.duration) return;
    src.start(Math.max(ctx.currentTime, at), offset);
    src.onended = () => {
      this.sources.delete(src);
      src.disconnect();
    };
    this.sources.add(src);
  }
}

function chunkEnd(c: AudioChunk | undefined): number {
  return c ? c.t + (c.samples / c.sampleRate) * 1000 : 0;
}

/** Index of the first chunk still sounding at `ms` (or after it). */
function firstChunkAt(list: readonly AudioChunk[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunkEnd(list[mid]) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
