import type { Tracks } from '@pipecat-ai/client-js';
import { MediaManager, type MediaFormat, type MediaStats, type PlayedSamples } from '../../src/audio/media-manager.ts';

// Tests using this fake drive a real PipecatClient, whose constructor reads `window.navigator`
// (absent in Node 20).
if (typeof (globalThis as { window?: unknown }).window === 'undefined') (globalThis as { window?: unknown }).window = globalThis;

/**
 * A MediaManager for adapter tests in Node: no devices, no AudioContext. It records what the
 * transport queued for playback, simulates playback on a controllable clock (so bot speaking events
 * follow "played" audio), and lets a test inject captured microphone audio, local VAD events and
 * camera frames.
 */
export interface BufferedAudio {
  itemId: string;
  samples: Int16Array;
  /** performance.now() when queued. */
  at: number;
}

interface QueueItem {
  itemId: string;
  remaining: number;
}

export interface FakeMediaManagerOptions {
  /**
   * How fast queued audio "plays": 1 = real time, 10 = ten times faster. 0 = manual: only
   * `advancePlayback(ms)` moves it.
   */
  playbackSpeed?: number;
  /** Simulated delay before the first sample of a burst is heard (ms of audio time). */
  startLeadMs?: number;
  /**
   * How long the "player" takes to answer an interrupt (ms; default 0 = at once). The real player
   * worklet answers over its message port, a few ms to ~150 ms on a loaded machine.
   */
  flushLatencyMs?: number;
}

export class FakeMediaManager extends MediaManager {
  format: MediaFormat = { inputSampleRate: 16_000, outputSampleRate: 24_000, chunkMs: 20 };
  readonly buffered: BufferedAudio[] = [];
  readonly interrupts: Array<{ at: number; played: PlayedSamples }> = [];
  readonly calls: string[] = [];
  connected = false;
  connectCalls = 0;
  /** Set to make the next connect() reject (microphone denied, device busy). */
  failConnectWith: Error | null = null;
  chunksSent = 0;
  private queue: QueueItem[] = [];
  private played = new Map<string, number>();
  private playing = false;
  private currentItem = '';
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private readonly speed: number;
  private readonly startLeadMs: number;
  private leadLeft = 0;
  private readonly flushLatencyMs: number;
  /** As AudioWorkletMediaManager: interrupted items are dropped at the interrupt() call. */
  private readonly dropped = new Set<string>();
  private readonly pushedSinceClear = new Set<string>();
  private flushesInFlight = 0;

  constructor(opts: FakeMediaManagerOptions = {}) {
    super();
    this.speed = opts.playbackSpeed ?? 10;
    this.startLeadMs = opts.startLeadMs ?? 0;
    this.flushLatencyMs = opts.flushLatencyMs ?? 0;
  }

  configure(format: MediaFormat): void {
    this.calls.push('configure');
    this.format = { chunkMs: 20, ...format };
  }
  async initialize(): Promise<void> {
    this.calls.push('initialize');
  }
  async connect(): Promise<void> {
    this.calls.push('connect');
    this.connectCalls++;
    if (this.failConnectWith) throw this.failConnectWith;
    this.connected = true;
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect');
    this.connected = false;
    this.dropped.clear();
    this.pushedSinceClear.clear();
    this.stopClock();
    this.queue = [];
    this.playing = false;
  }
  async userStartedSpeaking(): Promise<unknown> {
    return this.interrupt();
  }

  bufferBotAudio(data: ArrayBuffer | Int16Array, id = 'default'): Int16Array | undefined {
    const samples = data instanceof Int16Array ? data.slice() : new Int16Array(data.slice(0));
    // `buffered` records what the transport asked for, dropped or not (adapter tests assert on it).
    this.buffered.push({ itemId: id, samples, at: performance.now() });
    if (this.dropped.has(id) || (id === 'default' && this.flushesInFlight > 0)) return undefined;
    this.pushedSinceClear.add(id);
    if (!samples.length) return samples;
    const last = this.queue[this.queue.length - 1];
    if (last && last.itemId === id) last.remaining += samples.length;
    else this.queue.push({ itemId: id, remaining: samples.length });
    if (!this.playing) {
      this.leadLeft = (this.startLeadMs * this.format.outputSampleRate) / 1000;
    }
    this.startClock();
    return samples;
  }

  /** Moves the simulated playback clock by `ms` of audio time. */
  advancePlayback(ms: number): void {
    let budget = Math.round((ms * this.format.outputSampleRate) / 1000);
    while (budget > 0 && this.queue.length) {
      if (this.leadLeft > 0) {
        const lead = Math.min(this.leadLeft, budget);
        this.leadLeft -= lead;
        budget -= lead;
        continue;
      }
      const head = this.queue[0];
      if (!this.playing || this.currentItem !== head.itemId) {
        if (this.playing && this.currentItem !== head.itemId) this.emitStopped(false);
        this.playing = true;
        this.currentItem = head.itemId;
        this._listener.onBotAudioStarted?.({ itemId: head.itemId, at: performance.now(), playedSamples: this.played.get(head.itemId) ?? 0 });
      }
      const take = Math.min(budget, head.remaining);
      head.remaining -= take;
      budget -= take;
      this.played.set(head.itemId, (this.played.get(head.itemId) ?? 0) + take);
      if (head.remaining === 0) this.queue.shift();
    }
    if (this.currentItem) this._listener.onBotAudioProgress?.({ [this.currentItem]: this.played.get(this.currentItem) ?? 0 });
    if (this.playing && !this.queue.length) this.emitStopped(true);
  }

  async interrupt(): Promise<PlayedSamples> {
    for (const id of this.pushedSinceClear) if (id !== 'default') this.dropped.add(id);
    this.pushedSinceClear.clear();
    if (this.flushLatencyMs > 0) {
      this.flushesInFlight++;
      await new Promise((r) => setTimeout(r, this.flushLatencyMs));
      this.flushesInFlight--;
    }
    const played: PlayedSamples = {};
    for (const q of this.queue) played[q.itemId] = this.played.get(q.itemId) ?? 0;
    if (this.playing) played[this.currentItem] = this.played.get(this.currentItem) ?? 0;
    this.queue = [];
    this.leadLeft = 0;
    this.interrupts.push({ at: performance.now(), played });
    if (this.playing) this.emitStopped(true);
    // As the worklet does: the stopped transition is posted before the `cleared` report.
    this._listener.onBotAudioFlushed?.(played);
    return played;
  }

  playedSamples(itemId: string): number {
    return this.played.get(itemId) ?? 0;
  }
  get isBotAudioActive(): boolean {
    return this.playing || this.queue.length > 0;
  }
  /** Samples still queued (not yet "played"). */
  get queuedSamples(): number {
    return this.queue.reduce((n, q) => n + q.remaining, 0);
  }
  /** Every queued sample for an item, in order. */
  samplesFor(itemId: string): number {
    return this.buffered.filter((b) => b.itemId === itemId).reduce((n, b) => n + b.samples.length, 0);
  }

  getStats(): MediaStats {
    return {
      captureRate: 16_000, inputRate: this.format.inputSampleRate, outputRate: this.format.outputSampleRate, resampler: 'none',
      chunkMs: this.format.chunkMs ?? 20, chunksSent: this.chunksSent, bufferedMs: (this.queuedSamples / this.format.outputSampleRate) * 1000,
      underruns: 0, clippedSamples: 0, echoCancellation: null, noiseSuppression: null, autoGainControl: null, playbackPath: null,
    };
  }

  // ---- captured audio injection
  /** Delivers one captured chunk (PCM16 at the input rate) as the capture worklet would. */
  emitCapturedAudio(samples: Int16Array): void {
    if (!this._micEnabled || !this.connected) return;
    this.chunksSent++;
    const copy = samples.slice();
    this._userAudioCallback?.(copy.buffer);
  }

  /** `ms` of a loud tone in chunks of the configured size, delivered synchronously. */
  speak(ms: number, amplitude = 0.3): void {
    this.emitTone(ms, amplitude);
  }

  /** `ms` of digital silence in chunks. */
  silence(ms: number): void {
    this.emitTone(ms, 0);
  }

  emitLocalSpeech(started: boolean): void {
    const ev = { at: performance.now() };
    if (started) this._listener.onLocalSpeechStarted?.(ev);
    else this._listener.onLocalSpeechStopped?.(ev);
  }

  emitVideoFrame(jpeg: Uint8Array): void {
    if (this._camEnabled) this._listener.onVideoFrame?.(jpeg);
  }

  private emitTone(ms: number, amplitude: number): void {
    const rate = this.format.inputSampleRate;
    const chunk = Math.round((rate * (this.format.chunkMs ?? 20)) / 1000);
    const total = Math.round((rate * ms) / 1000);
    for (let off = 0; off < total; off += chunk) {
      const n = Math.min(chunk, total - off);
      const s = new Int16Array(n);
      for (let i = 0; i < n; i++) s[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * 220 * (off + i)) / rate));
      this.emitCapturedAudio(s);
    }
  }

  private emitStopped(clearCurrent: boolean): void {
    const itemId = this.currentItem;
    this.playing = false;
    if (clearCurrent) this.currentItem = '';
    this._listener.onBotAudioStopped?.({ itemId, at: performance.now(), playedSamples: this.played.get(itemId) ?? 0 });
  }

  private startClock(): void {
    if (this.speed <= 0 || this.timer) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const dt = now - this.lastTick;
      this.lastTick = now;
      this.advancePlayback(dt * this.speed);
      if (!this.queue.length && !this.playing) this.stopClock();
    }, 5);
  }

  private stopClock(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  // ---- devices (none in Node)
  async getAllMics(): Promise<MediaDeviceInfo[]> {
    return [];
  }
  async getAllCams(): Promise<MediaDeviceInfo[]> {
    return [];
  }
  async getAllSpeakers(): Promise<MediaDeviceInfo[]> {
    return [];
  }
  async updateMic(_micId: string): Promise<void> {}
  updateCam(_camId: string): void {}
  updateSpeaker(_speakerId: string): void {}
  get selectedMic(): Record<string, never> {
    return {};
  }
  get selectedCam(): Record<string, never> {
    return {};
  }
  get selectedSpeaker(): Record<string, never> {
    return {};
  }
  enableMic(enable: boolean): void {
    this._micEnabled = enable;
  }
  enableCam(enable: boolean): void {
    this._camEnabled = enable;
  }
  get isCamEnabled(): boolean {
    return this._camEnabled;
  }
  get isMicEnabled(): boolean {
    return this._micEnabled;
  }
  tracks(): Tracks {
    return { local: {} };
  }
}
