import { DeviceError } from '@pipecat-ai/client-js';
import { contextTimeToPerformanceMs, isUsableAnchor, type ClockAnchor } from './audio-clock.ts';
import { BOT_PARTICIPANT, resumeBounded, type AudioSession, type MediaHost } from './audio-session.ts';
import type { MediaFormat, PlayedSamples } from './media-manager.ts';
import { PLAYER_PROCESSOR_NAME, type MainToPlayer, type PlayerProcessorOptions, type PlayerToMain } from './worklet-messages.ts';

export interface BotPlaybackOptions {
  playerWorkletUrl: string;
  startThresholdMs: number;
  stopHoldMs: number;
  interruptTimeoutMs: number;
  /** 'device': the context runs at the output device's rate and the worklet resamples; 'source': at the adapter's rate. */
  playerRate?: 'device' | 'source';
}

const REMEMBERED_ITEMS = 64;
/** bufferBotAudio()'s id when the adapter gives none (the seed's adapters never do). */
export const DEFAULT_ITEM_ID = 'default';

interface PendingClear {
  resolve: (played: PlayedSamples) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Bot audio: the player AudioContext and worklet, the queue of pushes by item id, interruption,
 * and the per-item played-sample counts the player reports back.
 */
export class BotPlayback {
  bufferedSamples = 0;
  underruns = 0;
  droppedSamples = 0;

  private readonly played = new Map<string, number>();
  private readonly pendingClears = new Map<number, PendingClear>();
  private nextRequestId = 1;
  private active = false;
  /** Sequence number of the last push posted; the player echoes the last one it has queued. */
  private lastPushSeq = 0;
  /** Items pushed since the last clear: the ones an interrupt drops. */
  private readonly pushedSinceClear = new Set<string>();
  /**
   * Interrupted items, dropped the moment clear() is called: more audio for them (a provider keeps
   * streaming a cancelled reply for a while) is discarded instead of queued behind the flush, and
   * once the player answered, their played counts are final.
   */
  private readonly dropped = new Map<string, { final: boolean }>();
  /** Clears posted and not answered yet; id-less audio arriving meanwhile belongs to the old reply. */
  private flushesInFlight = 0;

  constructor(
    private readonly host: MediaHost,
    private readonly opts: BotPlaybackOptions,
    /** Extra delay after the player's output (the echo route's loopback), ms. */
    private readonly routeDelayMs: () => number,
  ) {}

  /** Opens the player context and worklet; `route` connects the node to its output. */
  async open(partial: Partial<AudioSession>, format: MediaFormat, route: (ctx: AudioContext, node: AudioWorkletNode) => Promise<void>): Promise<void> {
    // At the device's rate Chrome plays the graph's output as it is; at another rate it resamples
    // behind the graph with its own buffering (about 30 ms more receive-to-ear on the rig).
    const ctx = new AudioContext(this.opts.playerRate === 'source' ? { sampleRate: format.outputSampleRate, latencyHint: 'interactive' } : { latencyHint: 'interactive' });
    partial.playerContext = ctx;
    await ctx.audioWorklet.addModule(this.opts.playerWorkletUrl);
    const processorOptions: PlayerProcessorOptions = {
      sourceRate: format.outputSampleRate,
      startThresholdMs: this.opts.startThresholdMs,
      stopHoldMs: this.opts.stopHoldMs,
      levelsPerSecond: 20,
      progressPerSecond: 10,
    };
    const node = new AudioWorkletNode(ctx, PLAYER_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    partial.playerNode = node;
    node.onprocessorerror = () => this.host.callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', 'The playback processor failed.'));
    node.port.onmessage = (ev: MessageEvent<PlayerToMain>) => this.onMessage(ev.data, ctx);
    await route(ctx, node);
    await resumeBounded(ctx);
  }

  /** Queues audio; returns undefined when it was discarded because its item was interrupted. */
  push(node: AudioWorkletNode, data: ArrayBuffer | Int16Array, id: string): Int16Array | undefined {
    if (this.dropped.has(id) || (id === DEFAULT_ITEM_ID && this.flushesInFlight > 0)) return undefined;
    const samples = data instanceof Int16Array ? data : new Int16Array(data, 0, data.byteLength >> 1);
    if (samples.length === 0) return samples;
    // Transfer the caller's buffer when the samples own all of it; otherwise copy just the samples.
    const owned = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength && samples.buffer instanceof ArrayBuffer;
    const pcm = owned ? (samples.buffer as ArrayBuffer) : samples.slice().buffer;
    this.active = true;
    if (!this.played.has(id)) this.rememberPlayed(id, 0);
    this.pushedSinceClear.add(id);
    const msg: MainToPlayer = { type: 'push', pcm, itemId: id, seq: ++this.lastPushSeq };
    node.port.postMessage(msg, [pcm]);
    return samples;
  }

  /**
   * Flushes the player. Synchronously, before the worklet is even asked, every item pushed since the
   * last clear is marked dropped (id-less audio: until the player answers).
   */
  clear(node: AudioWorkletNode): Promise<PlayedSamples> {
    for (const id of this.pushedSinceClear) if (id !== DEFAULT_ITEM_ID) this.markDropped(id);
    this.pushedSinceClear.clear();
    this.flushesInFlight++;
    const requestId = this.nextRequestId++;
    return new Promise<PlayedSamples>((resolve) => {
      const timer = setTimeout(() => {
        this.flushesInFlight = Math.max(0, this.flushesInFlight - 1);
        this.pendingClears.delete(requestId);
        // The worklet did not answer: report what it last told us about the items in flight.
        resolve(this.lastKnownActivePlayed());
      }, this.opts.interruptTimeoutMs);
      this.pendingClears.set(requestId, { resolve, timer });
      const msg: MainToPlayer = { type: 'clear', requestId };
      node.port.postMessage(msg);
    });
  }

  playedSamples(itemId: string): number {
    return this.played.get(itemId) ?? 0;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Session closed: pending interrupts settle, counts and stats start over. */
  reset(): void {
    for (const [, pending] of this.pendingClears) {
      clearTimeout(pending.timer);
      pending.resolve(this.lastKnownActivePlayed());
    }
    this.pendingClears.clear();
    this.active = false;
    this.played.clear();
    this.pushedSinceClear.clear();
    this.dropped.clear();
    this.flushesInFlight = 0;
    this.bufferedSamples = 0;
    this.underruns = 0;
    this.droppedSamples = 0;
  }

  private onMessage(msg: PlayerToMain, ctx: AudioContext): void {
    const listener = this.host.listener;
    switch (msg.type) {
      case 'transition': {
        // The player has nothing of a finished dropped item: a report about it is stale.
        if (this.dropped.get(msg.itemId)?.final) break;
        this.rememberPlayed(msg.itemId, msg.playedSamples);
        const ev = { itemId: msg.itemId, at: this.playbackTimeMs(ctx, msg.contextTime), playedSamples: msg.playedSamples, audioClockMs: msg.contextTime * 1000 };
        if (msg.started) {
          this.active = true;
          listener.onBotAudioStarted?.(ev);
        } else {
          this.active = this.lastPushSeq > msg.lastSeq;
          listener.onBotAudioStopped?.(ev);
          this.levelToZeroWhenIdle();
        }
        break;
      }
      case 'cleared': {
        for (const [id, n] of Object.entries(msg.played)) this.rememberPlayed(id, n);
        for (const d of this.dropped.values()) d.final = true;
        this.flushesInFlight = Math.max(0, this.flushesInFlight - 1);
        this.bufferedSamples = 0;
        this.active = this.lastPushSeq > msg.lastSeq;
        listener.onBotAudioFlushed?.(msg.played);
        const pending = this.pendingClears.get(msg.requestId);
        if (pending) {
          clearTimeout(pending.timer);
          this.pendingClears.delete(msg.requestId);
          pending.resolve(msg.played);
        }
        this.levelToZeroWhenIdle();
        break;
      }
      case 'progress': {
        const live: PlayedSamples = {};
        for (const [id, n] of Object.entries(msg.played)) {
          if ((this.played.has(id) || n > 0) && !this.dropped.get(id)?.final) {
            this.rememberPlayed(id, n);
            live[id] = n;
          }
        }
        this.bufferedSamples = msg.bufferedSamples;
        this.underruns = msg.underruns;
        this.droppedSamples = msg.droppedSamples;
        // Audio posted after the worklet wrote this report is still on its way.
        this.active = msg.active || this.lastPushSeq > msg.lastSeq;
        // A dropped item's count is final: the pacer must not release more of its text.
        listener.onBotAudioProgress?.(live);
        break;
      }
      case 'level':
        this.host.callbacks.onRemoteAudioLevel?.(msg.rms, BOT_PARTICIPANT);
        break;
      case 'error':
        this.host.callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', msg.message));
        break;
    }
  }

  private playbackTimeMs(ctx: AudioContext, contextTime: number): number {
    let anchor: ClockAnchor | undefined;
    try {
      const ts = ctx.getOutputTimestamp();
      if (isUsableAnchor(ts)) anchor = ts as ClockAnchor;
    } catch {
      /* closed context */
    }
    // Before the first output timestamp: the render clock plus the reported output latency.
    anchor ??= { contextTime: ctx.currentTime, performanceTime: performance.now() + (ctx.outputLatency || ctx.baseLatency || 0) * 1000 };
    return contextTimeToPerformanceMs(contextTime, anchor) + this.routeDelayMs();
  }

  /**
   * The player's meter reports per window while audio plays and goes quiet when idle, so its last
   * report is usually not zero: say zero once playback has ended (every library user's meter).
   */
  private levelToZeroWhenIdle(): void {
    if (!this.active) this.host.callbacks.onRemoteAudioLevel?.(0, BOT_PARTICIPANT);
  }

  private markDropped(id: string): void {
    this.dropped.delete(id);
    this.dropped.set(id, { final: false });
    while (this.dropped.size > REMEMBERED_ITEMS) this.dropped.delete(this.dropped.keys().next().value as string);
  }

  private rememberPlayed(id: string, n: number): void {
    this.played.delete(id);
    this.played.set(id, n);
    while (this.played.size > REMEMBERED_ITEMS) this.played.delete(this.played.keys().next().value as string);
  }

  private lastKnownActivePlayed(): PlayedSamples {
    const out: PlayedSamples = {};
    const entries = [...this.played.entries()];
    const last = entries[entries.length - 1];
    if (last) out[last[0]] = last[1];
    return out;
  }
}
