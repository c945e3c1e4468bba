import type { PlaybackEvent, PlayedSamples } from '../../src/audio/media-manager.ts';
import type { MediaTapSink } from './media-tap.ts';
import { MicTrack, TrackChunker, type PcmPiece } from './pcm-track.ts';
import { PlayedTrack } from './played-track.ts';
import type { RecordingWrite } from './recordings-backend.ts';
import { RECORDING_FORMAT_VERSION, type AudioChunk, type RecordedEvent, type RecordingMeta, type RecordingOrigin } from './recording-format.ts';

/** How often what was recorded is written: a crash loses at most about this much (and one write). */
export const FLUSH_INTERVAL_MS = 1000;

/** Turns a run of PCM into stored chunks (PCM16 as is, or an encoder's output). */
export interface TrackEncoder {
  /** Encodes runs; resolves with the chunks made so far (an encoder may hold some back). */
  encode(runs: PcmPiece[], chunker: TrackChunker, final: boolean): Promise<AudioChunk[]>;
}

export const pcm16Encoder: TrackEncoder = {
  async encode(runs, chunker) {
    return runs.map((r) => chunker.chunk(r.t, r.sampleRate, r.pcm.length, 'pcm16', pcm16BytesOf(r.pcm)));
  },
};

function pcm16BytesOf(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
}

export interface RecorderOptions {
  id: string;
  createdAt: number;
  adapterId: string;
  model?: string;
  preset?: string;
  origin: RecordingOrigin;
  sourceId?: string;
  settings: Record<string, unknown>;
  /** performance.now() at the session's zero (the Connect command): LogEvent.t's clock. */
  zero: number;
  now: () => number;
  write: (w: RecordingWrite) => Promise<void>;
  /** After each successful write (the host then enforces the budget and updates the list). */
  onWritten?: (meta: RecordingMeta) => void;
  onError?: (e: unknown) => void;
  encoders?: { mic: TrackEncoder; bot: TrackEncoder };
  /** Events of this type count a bot turn (default: each reply started; a reply cut off by a barge-in is a turn too). */
  turnEventType?: string;
  intervalMs?: number;
  setInterval?: (cb: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

/**
 * Records one session: every log event, the microphone as sent and the bot as played, written
 * incrementally (one transaction about every second). Events and audio share LogEvent.t's clock.
 */
export class SessionRecorder implements MediaTapSink {
  private meta: RecordingMeta;
  private events: RecordedEvent[] = [];
  private written = 0;
  private readonly mic: MicTrack;
  private readonly bot: PlayedTrack;
  private readonly micChunks = new TrackChunker('mic');
  private readonly botChunks = new TrackChunker('bot');
  private botRate = 24000;
  private timer: unknown;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private abandoned = false;
  /** Chunks of a write that failed, written first next time (their seq numbers are taken). */
  private retryAudio: AudioChunk[] = [];

  constructor(private readonly o: RecorderOptions) {
    this.meta = {
      id: o.id,
      name: defaultName(o.createdAt, o.adapterId, o.origin),
      createdAt: o.createdAt,
      adapterId: o.adapterId,
      ...(o.model ? { model: o.model } : {}),
      ...(o.preset ? { preset: o.preset } : {}),
      durationMs: 0,
      turns: 0,
      sizeBytes: 0,
      keep: false,
      origin: o.origin,
      ...(o.sourceId ? { sourceId: o.sourceId } : {}),
      complete: false,
      settings: o.settings,
      formatVersion: RECORDING_FORMAT_VERSION,
    };
    this.mic = new MicTrack((p) => this.micChunks.add(p));
    this.bot = new PlayedTrack(() => this.botRate, (p) => this.botChunks.add(p));
    const set = o.setInterval ?? ((cb, ms) => setInterval(cb, ms));
    this.timer = set(() => void this.flush(), o.intervalMs ?? FLUSH_INTERVAL_MS);
  }

  get id(): string {
    return this.meta.id;
  }

  get origin(): RecordingOrigin {
    return this.meta.origin;
  }

  get currentMeta(): RecordingMeta {
    return this.meta;
  }

  private clock(): number {
    return this.o.now() - this.o.zero;
  }

  addEvent(e: RecordedEvent): void {
    if (this.closed) return;
    this.events.push(e);
    if (e.type === (this.o.turnEventType ?? 'bot-llm-started')) this.meta.turns++;
  }

  // ------------------------------------------------------------------ MediaTapSink
  micChunk(pcm: Int16Array, sampleRate: number): void {
    if (!this.closed) this.mic.add(pcm, sampleRate, this.clock());
  }
  botQueued(itemId: string, pcm: Int16Array, sampleRate: number): void {
    if (this.closed) return;
    this.botRate = sampleRate;
    this.bot.queued(itemId, pcm);
  }
  botStarted(ev: PlaybackEvent): void {
    if (!this.closed) this.bot.started(ev, ev.at - this.o.zero);
  }
  botStopped(ev: PlaybackEvent): void {
    if (!this.closed) this.bot.stopped(ev, ev.at - this.o.zero);
  }
  botProgress(played: PlayedSamples): void {
    if (!this.closed) this.bot.progress(played, this.clock());
  }
  botFlushed(played: PlayedSamples): void {
    if (!this.closed) this.bot.flushed(played, this.clock());
  }

  /** Writes what was recorded since the last write (one at a time, in order). */
  flush(final = false): Promise<void> {
    const run = this.flushing.then(() => this.writeNow(final));
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** The session ended: write the rest and mark the recording complete. */
  async finish(): Promise<RecordingMeta> {
    if (!this.closed) {
      this.closed = true;
      (this.o.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>)))(this.timer);
      await this.flush(true).catch((e: unknown) => this.o.onError?.(e));
    }
    return this.meta;
  }

  /** Stop without writing again (the recording was deleted while it was being made). */
  abandon(): void {
    this.abandoned = true;
    this.closed = true;
    (this.o.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>)))(this.timer);
  }

  private async writeNow(final: boolean): Promise<void> {
    if (this.abandoned) return;
    const events = this.events.splice(0);
    const encoders = this.o.encoders ?? { mic: pcm16Encoder, bot: pcm16Encoder };
    const audio = [
      ...this.retryAudio.splice(0),
      ...(await encoders.mic.encode(this.micChunks.takeRuns(), this.micChunks, final)),
      ...(await encoders.bot.encode(this.botChunks.takeRuns(), this.botChunks, final)),
    ];
    if (this.abandoned) return;
    let bytes = 0;
    let end = this.meta.durationMs;
    for (const e of events) {
      bytes += approxBytes(e);
      end = Math.max(end, e.t);
    }
    for (const c of audio) {
      bytes += c.data.byteLength;
      end = Math.max(end, c.t + (c.samples / c.sampleRate) * 1000);
    }
    const meta: RecordingMeta = { ...this.meta, sizeBytes: this.meta.sizeBytes + bytes, durationMs: Math.round(end), complete: final };
    const firstIndex = this.written;
    try {
      await this.o.write({ meta, firstIndex, events, audio });
    } catch (e) {
      // Everything goes back to be written next time (IndexedDB full, a transient failure).
      this.events.unshift(...events);
      this.retryAudio = audio;
      this.o.onError?.(e);
      return;
    }
    this.written += events.length;
    this.meta = meta;
    this.o.onWritten?.(meta);
  }
}

/** Stored size of an event, estimated from its JSON (what the budget counts). */
function approxBytes(e: RecordedEvent): number {
  try {
    return JSON.stringify(e).length;
  } catch {
    return 256;
  }
}

export function defaultName(createdAt: number, adapterId: string, origin: RecordingOrigin): string {
  const d = new Date(createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${stamp} ${adapterId}${origin === 'session' ? '' : ` (${origin})`}`;
}
