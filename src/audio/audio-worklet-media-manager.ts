import { DeviceError, type Participant, type Tracks } from '@pipecat-ai/client-js';
import { MicrophoneError, errorMessage } from '../transport/transport-errors.ts';
import { contextTimeToPerformanceMs, isUsableAnchor, type ClockAnchor } from './audio-clock.ts';
import { MediaManager, type MediaFormat, type MediaStats, type PlayedSamples } from './media-manager.ts';
import type { VoiceActivityOptions } from './voice-activity-detector.ts';
import { defaultCaptureWorkletUrl, defaultPlayerWorkletUrl } from './worklet-urls.ts';
import {
  CAPTURE_PROCESSOR_NAME,
  PLAYER_PROCESSOR_NAME,
  type CaptureProcessorOptions,
  type CaptureToMain,
  type MainToCapture,
  type MainToPlayer,
  type PlayerProcessorOptions,
  type PlayerToMain,
} from './worklet-messages.ts';

export type EchoPath = 'auto' | 'rtc-loopback' | 'audio-element' | 'destination';
export type CaptureResampler = 'browser' | 'windowed-sinc';

export interface AudioWorkletMediaManagerOptions {
  captureWorkletUrl?: string;
  playerWorkletUrl?: string;
  /** Capture chunk duration (default 20 ms); MediaFormat.chunkMs overrides it. */
  chunkMs?: number;
  /** Audio queued before playback starts (default 30 ms). */
  startThresholdMs?: number;
  /** Silence after which a playing item counts as stopped (default 40 ms). */
  stopHoldMs?: number;
  /**
   * Where playback goes. 'rtc-loopback' routes Web Audio through a local RTCPeerConnection into an
   * <audio> element, where Chrome's echo canceller sees it; 'destination' plays straight out (wear
   * headphones). 'auto' tries the loopback and falls back to the destination.
   */
  echoPath?: EchoPath;
  /**
   * Who converts the microphone to the adapter's rate: our windowed-sinc resampler in the capture
   * worklet (default; the context runs at the device rate), or Chrome, by opening the capture
   * context at the adapter's rate.
   */
  resampler?: CaptureResampler;
  vad?: VoiceActivityOptions;
  /** Camera frames per second sent as JPEG (default 1). */
  cameraFps?: number;
  /** Bound on the wait for the player to answer an interruption (default 200 ms). */
  interruptTimeoutMs?: number;
  /** latencyHint of the capture AudioContext (default 'interactive', Chrome's smallest buffer). */
  captureLatencyHint?: AudioContextLatencyCategory | number;
}

/**
 * Global a host page may set (before connect) to override options of media managers it does not
 * construct itself: the benches A/B the echo path and playback lead in the built extension this
 * way, where adapters build their own manager. Only these keys are read.
 */
export const AUDIO_OVERRIDES_GLOBAL = '__realtimeAudioOverrides';
export type AudioOverrides = Pick<AudioWorkletMediaManagerOptions, 'echoPath' | 'startThresholdMs' | 'captureLatencyHint'>;

function readAudioOverrides(): AudioOverrides {
  const raw = (globalThis as Record<string, unknown>)[AUDIO_OVERRIDES_GLOBAL];
  if (!raw || typeof raw !== 'object') return {};
  const o = raw as Record<string, unknown>;
  const out: AudioOverrides = {};
  if (o.echoPath === 'auto' || o.echoPath === 'rtc-loopback' || o.echoPath === 'audio-element' || o.echoPath === 'destination') out.echoPath = o.echoPath;
  if (typeof o.startThresholdMs === 'number' && Number.isFinite(o.startThresholdMs) && o.startThresholdMs >= 0) out.startThresholdMs = o.startThresholdMs;
  if (o.captureLatencyHint === 'interactive' || o.captureLatencyHint === 'balanced' || o.captureLatencyHint === 'playback') out.captureLatencyHint = o.captureLatencyHint;
  else if (typeof o.captureLatencyHint === 'number' && o.captureLatencyHint >= 0) out.captureLatencyHint = o.captureLatencyHint;
  return out;
}

const LOCAL_PARTICIPANT: Participant = { id: 'local', name: '', local: true };
const DEVICE_RECHECK_MS = [500, 1500, 3500];
/**
 * Chrome sends no devicechange to a hidden document (the extension's offscreen document is never
 * visible: unloading a PulseAudio source there produced no event within 6 s), so while a
 * microphone is open the device list is also re-read on this period.
 */
const DEVICE_POLL_MS = 2000;
const BOT_PARTICIPANT: Participant = { id: 'bot', name: 'Bot', local: false };

const REMEMBERED_ITEMS = 64;
const LOOPBACK_TIMEOUT_MS = 3000;
const RESUME_TIMEOUT_MS = 1500;
const OPUS_PACKET_MS = 10;
const LOOPBACK_DELAY_POLL_MS = 2000;

interface PendingClear {
  resolve: (played: PlayedSamples) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Everything one connect() opens; disconnect() closes all of it. */
interface Session {
  captureContext: AudioContext | null;
  captureSource: MediaStreamAudioSourceNode | null;
  captureNode: AudioWorkletNode | null;
  micStream: MediaStream | null;
  playerContext: AudioContext;
  playerNode: AudioWorkletNode;
  streamDestination: MediaStreamAudioDestinationNode | null;
  loopback: [RTCPeerConnection, RTCPeerConnection] | null;
  audioElement: HTMLAudioElement | null;
  playbackPath: NonNullable<MediaStats['playbackPath']>;
  camStream: MediaStream | null;
  camTimer: ReturnType<typeof setInterval> | null;
  delayTimer: ReturnType<typeof setInterval> | null;
  /** 'auto' plays to the destination at once and moves to the WebRTC loopback once that connects. */
  upgradingPlayback: boolean;
}

function hasDom(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices;
}

function nowMs(): number {
  return performance.now();
}

/** Resolves with the promise's value, or with `fallback` after `ms` (never rejects on timeout). */
function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function toMicrophoneError(e: unknown): MicrophoneError {
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e) ? String((e as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new MicrophoneError('permissions', 'Microphone access is blocked. Allow the microphone (use "Grant microphone access" or the site settings) and connect again.');
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return new MicrophoneError('not-found', 'No microphone was found. Plug one in or choose another microphone, then connect again.');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new MicrophoneError('in-use', 'The microphone could not be started: another application may be using it.');
    case 'OverconstrainedError':
      return new MicrophoneError('constraints', 'The selected microphone is not available any more. Choose another microphone and connect again.');
    default:
      return new MicrophoneError('unknown', `The microphone could not be opened: ${errorMessage(e)}`);
  }
}

/**
 * The default MediaManager: microphone capture and bot playback through two AudioWorklets, device
 * selection, levels, a local voice-activity detector and camera frames. Constructing it touches no
 * DOM API, so transports can be built in Node.
 */
export class AudioWorkletMediaManager extends MediaManager {
  private readonly opts: Required<Omit<AudioWorkletMediaManagerOptions, 'vad'>> & { vad?: VoiceActivityOptions };
  private format: MediaFormat = { inputSampleRate: 16000, outputSampleRate: 24000 };
  private session: Session | null = null;
  private readonly unpluggedStreams = new WeakSet<MediaStream>();
  private deviceRecheckTimers: Array<ReturnType<typeof setTimeout>> = [];
  private devicePollTimer: ReturnType<typeof setInterval> | undefined;
  private connecting: Promise<void> | null = null;
  private disconnecting: Promise<void> | null = null;
  /** Bumped by disconnect(): a connect() that finds it changed abandons what it opened. */
  private generation = 0;

  private mics: MediaDeviceInfo[] = [];
  private cams: MediaDeviceInfo[] = [];
  private speakers: MediaDeviceInfo[] = [];
  private micId: string | undefined;
  private camId: string | undefined;
  private speakerId: string | undefined;
  private deviceListener: (() => void) | null = null;

  private readonly played = new Map<string, number>();
  private pendingClears = new Map<number, PendingClear>();
  private nextRequestId = 1;
  private botActive = false;
  /** Sequence number of the last push posted; the player echoes the last one it has queued. */
  private lastPushSeq = 0;
  private stats = { chunksSent: 0, clippedSamples: 0, bufferedSamples: 0, underruns: 0, droppedSamples: 0 };
  private captureRate: number | null = null;
  private resamplerUsed: MediaStats['resampler'] = null;
  private trackSettings: MediaTrackSettings | null = null;
  private loopbackDelayMs = 0;

  constructor(givenOptions: AudioWorkletMediaManagerOptions = {}) {
    super();
    const options = { ...givenOptions, ...readAudioOverrides() };
    this.opts = {
      captureWorkletUrl: options.captureWorkletUrl ?? defaultCaptureWorkletUrl,
      playerWorkletUrl: options.playerWorkletUrl ?? defaultPlayerWorkletUrl,
      chunkMs: options.chunkMs ?? 20,
      startThresholdMs: options.startThresholdMs ?? 30,
      stopHoldMs: options.stopHoldMs ?? 40,
      echoPath: options.echoPath ?? 'auto',
      resampler: options.resampler ?? 'windowed-sinc',
      vad: options.vad,
      cameraFps: options.cameraFps ?? 1,
      interruptTimeoutMs: options.interruptTimeoutMs ?? 200,
      captureLatencyHint: options.captureLatencyHint ?? 'interactive',
    };
  }

  // ------------------------------------------------------------------ setup
  configure(format: MediaFormat): void {
    this.format = { ...format };
  }

  async initialize(): Promise<void> {
    if (!hasDom()) {
      this._callbacks.onDeviceError?.(new DeviceError(['mic', 'cam', 'speaker'], 'undefined-mediadevices', 'This context has no navigator.mediaDevices.'));
      return;
    }
    await this.refreshDevices();
    if (!this.deviceListener) {
      // Chrome fires devicechange before the device list has settled (seen with PulseAudio, where
      // the list still held an unplugged source at the event): look again shortly after.
      this.deviceListener = () => {
        void this.refreshDevices();
        for (const t of this.deviceRecheckTimers) clearTimeout(t);
        this.deviceRecheckTimers = DEVICE_RECHECK_MS.map((ms) => setTimeout(() => void this.refreshDevices(), ms));
      };
      navigator.mediaDevices.addEventListener('devicechange', this.deviceListener);
    }
  }

  async connect(): Promise<void> {
    if (this.session) return;
    if (this.connecting) return this.connecting;
    if (this.disconnecting) await this.disconnecting;
    this.connecting = this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (!hasDom() || typeof AudioContext === 'undefined') {
      throw new MicrophoneError('unknown', 'Audio is not available here: this context has no AudioContext or navigator.mediaDevices.');
    }
    const generation = this.generation;
    const partial: Partial<Session> = {};
    // The capture graph and the player graph are independent: once the microphone is granted (it goes
    // first so a refusal opens no AudioContext at all), both open side by side, costing the slower of
    // the two instead of their sum (each is an AudioContext start plus a worklet module load).
    try {
      if (this._micEnabled) partial.micStream = await this.openMicrophone();
      this.checkNotAbandoned(generation);
      const stream = partial.micStream;
      const results = await Promise.allSettled([stream ? this.openCapture(partial, stream) : Promise.resolve(), this.openPlayer(partial)]);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
      this.checkNotAbandoned(generation);
    } catch (e) {
      await closeSession(partial);
      throw e;
    }
    this.session = {
      captureContext: partial.captureContext ?? null,
      captureSource: partial.captureSource ?? null,
      captureNode: partial.captureNode ?? null,
      micStream: partial.micStream ?? null,
      playerContext: partial.playerContext!,
      playerNode: partial.playerNode!,
      streamDestination: partial.streamDestination ?? null,
      loopback: partial.loopback ?? null,
      audioElement: partial.audioElement ?? null,
      playbackPath: partial.playbackPath ?? 'destination',
      upgradingPlayback: false,
      camStream: null,
      camTimer: null,
      delayTimer: null,
    };
    const session = this.session;
    this.loopbackDelayMs = 0;
    if (session.loopback) this.startLoopbackDelayPoll(session);
    if (this.opts.echoPath === 'auto' && session.playbackPath === 'destination') void this.upgradeToLoopback(session);
    const micTrack = this.session.micStream?.getAudioTracks()[0];
    if (micTrack) this._callbacks.onTrackStarted?.(micTrack, LOCAL_PARTICIPANT);
    if (this._camEnabled) void this.startCamera();
    void this.refreshDevices();
    clearInterval(this.devicePollTimer);
    if (session.micStream) {
      this.devicePollTimer = setInterval(() => {
        if (this.session === session) void this.refreshDevices();
      }, DEVICE_POLL_MS);
    }
  }

  private checkNotAbandoned(generation: number): void {
    if (generation !== this.generation) throw new MicrophoneError('unknown', 'Disconnected while the audio was starting.');
  }

  private async openMicrophone(): Promise<MediaStream> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(this.micId ? { deviceId: { exact: this.micId } } : {}),
          channelCount: 1,
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
      });
    } catch (e) {
      const err = toMicrophoneError(e);
      this._callbacks.onDeviceError?.(new DeviceError(['mic'], err.kind, err.message));
      throw err;
    }
    const track = stream.getAudioTracks()[0];
    this.trackSettings = track?.getSettings() ?? null;
    if (track) {
      track.enabled = this._micEnabled;
      track.addEventListener('ended', () => {
        if (this.session?.micStream === stream) {
          this._callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
          this._listener.onMicrophoneLost?.('the microphone stopped (unplugged, or access was revoked)');
        }
      });
    }
    return stream;
  }

  private async openCapture(partial: Partial<Session>, stream: MediaStream): Promise<void> {
    const target = this.format.inputSampleRate;
    const deviceRate = this.trackSettings?.sampleRate;
    const useBrowser = this.opts.resampler === 'browser';
    const latencyHint = this.opts.captureLatencyHint;
    const ctx = new AudioContext(useBrowser ? { sampleRate: target, latencyHint } : deviceRate ? { sampleRate: deviceRate, latencyHint } : { latencyHint });
    partial.captureContext = ctx;
    await ctx.audioWorklet.addModule(this.opts.captureWorkletUrl);
    const processorOptions: CaptureProcessorOptions = {
      targetRate: target,
      chunkMs: this.format.chunkMs ?? this.opts.chunkMs,
      resample: !useBrowser,
      vad: this.opts.vad,
      levelsPerSecond: 20,
    };
    // One silent output into the destination keeps the node pulled by the render graph.
    const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    partial.captureNode = node;
    node.onprocessorerror = () => this._listener.onMicrophoneLost?.('the capture processor failed');
    node.port.onmessage = (ev: MessageEvent<CaptureToMain>) => this.onCaptureMessage(ev.data, ctx);
    const source = ctx.createMediaStreamSource(stream);
    partial.captureSource = source;
    source.connect(node);
    node.connect(ctx.destination);
    this.postCapture(node, { type: 'set-sending', sending: this._micEnabled });
    await resumeBounded(ctx);
    this.captureRate = ctx.sampleRate;
    if (useBrowser) this.resamplerUsed = deviceRate === target ? 'none' : 'browser';
    else this.resamplerUsed = ctx.sampleRate === target ? 'none' : 'windowed-sinc';
  }

  private async openPlayer(partial: Partial<Session>): Promise<void> {
    const ctx = new AudioContext({ sampleRate: this.format.outputSampleRate, latencyHint: 'interactive' });
    partial.playerContext = ctx;
    await ctx.audioWorklet.addModule(this.opts.playerWorkletUrl);
    const processorOptions: PlayerProcessorOptions = {
      startThresholdMs: this.opts.startThresholdMs,
      stopHoldMs: this.opts.stopHoldMs,
      levelsPerSecond: 20,
      progressPerSecond: 10,
    };
    const node = new AudioWorkletNode(ctx, PLAYER_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    partial.playerNode = node;
    node.onprocessorerror = () => this._callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', 'The playback processor failed.'));
    node.port.onmessage = (ev: MessageEvent<PlayerToMain>) => this.onPlayerMessage(ev.data, ctx);
    await this.routePlayback(partial, ctx, node);
    await resumeBounded(ctx);
  }

  private async routePlayback(partial: Partial<Session>, ctx: AudioContext, node: AudioWorkletNode): Promise<void> {
    const path = this.opts.echoPath;
    // 'auto' does not hold `ready` for the loopback (a local ICE negotiation, up to LOOPBACK_TIMEOUT_MS
    // when mDNS candidates do not resolve): it starts on the destination and upgrades in the background.
    if (path === 'rtc-loopback') {
      try {
        await this.routeThroughLoopback(partial, ctx, node);
        return;
      } catch (e) {
        await closeSession({ loopback: partial.loopback, audioElement: partial.audioElement, streamDestination: partial.streamDestination });
        partial.loopback = undefined;
        partial.audioElement = undefined;
        partial.streamDestination = undefined;
        node.disconnect();
        if (path === 'rtc-loopback') throw new MicrophoneError('unknown', `Playback through the echo-cancelled path failed: ${errorMessage(e)}`);
      }
    }
    if (path === 'audio-element') {
      const dest = ctx.createMediaStreamDestination();
      node.connect(dest);
      partial.streamDestination = dest;
      partial.audioElement = await this.playInAudioElement(dest.stream);
      partial.playbackPath = 'audio-element';
      return;
    }
    node.connect(ctx.destination);
    partial.playbackPath = 'destination';
    if (this.speakerId) await setContextSink(ctx, this.speakerId);
  }

  /** Chrome's echo canceller only sees audio that leaves through WebRTC, hence the local peer pair. */
  private async routeThroughLoopback(partial: Partial<Session>, ctx: AudioContext, node: AudioWorkletNode, upgrading = false): Promise<void> {
    if (typeof RTCPeerConnection === 'undefined') throw new Error('RTCPeerConnection is not available');
    const dest = ctx.createMediaStreamDestination();
    partial.streamDestination = dest;
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    partial.loopback = [sender, receiver];
    sender.onicecandidate = (ev) => {
      if (ev.candidate) receiver.addIceCandidate(ev.candidate).catch(() => undefined);
    };
    receiver.onicecandidate = (ev) => {
      if (ev.candidate) sender.addIceCandidate(ev.candidate).catch(() => undefined);
    };
    const remote = new Promise<MediaStream>((resolve) => {
      receiver.ontrack = (ev) => {
        // Ask the receiver to play as early as it can (WebRTC defaults to a larger jitter buffer).
        try {
          (ev.receiver as RTCRtpReceiver & { jitterBufferTarget?: number | null }).jitterBufferTarget = 0;
        } catch {
          /* older Chrome: no jitterBufferTarget */
        }
        resolve(ev.streams[0] ?? new MediaStream([ev.track]));
      };
    });
    const connected = new Promise<boolean>((resolve) => {
      receiver.onconnectionstatechange = () => {
        if (receiver.connectionState === 'connected') resolve(true);
        else if (receiver.connectionState === 'failed') resolve(false);
      };
    });
    for (const track of dest.stream.getAudioTracks()) sender.addTrack(track, dest.stream);
    const offer = await sender.createOffer();
    await sender.setLocalDescription(offer);
    await receiver.setRemoteDescription(offer);
    const answer = await receiver.createAnswer();
    await receiver.setLocalDescription(answer);
    // 10 ms Opus packets instead of 20 ms: the loopback adds less delay.
    try {
      await sender.setRemoteDescription({ type: 'answer', sdp: withShortOpusPackets(answer.sdp ?? '') });
    } catch {
      await sender.setRemoteDescription(answer);
    }
    const stream = await withTimeout<MediaStream | null>(remote, LOOPBACK_TIMEOUT_MS, null);
    if (!stream) throw new Error('the local WebRTC loopback did not deliver a track');
    // Host candidates may be hidden behind mDNS names that do not resolve; then fall back.
    if (!(await withTimeout(connected, LOOPBACK_TIMEOUT_MS, false))) throw new Error('the local WebRTC loopback did not connect');
    partial.audioElement = await this.playInAudioElement(stream);
    partial.playbackPath = 'rtc-loopback';
    // Fed only now: while 'auto' upgrades, the node still plays to the destination, and feeding both would double the audio.
    if (!upgrading) node.connect(dest);
  }

  /** 'auto': moves a running session's playback from the destination onto the echo-cancelled loopback. */
  private async upgradeToLoopback(session: Session): Promise<void> {
    const trial: Partial<Session> = {};
    session.upgradingPlayback = true;
    try {
      await this.routeThroughLoopback(trial, session.playerContext, session.playerNode, true);
    } catch {
      session.upgradingPlayback = false;
      await closeSession({ loopback: trial.loopback, audioElement: trial.audioElement, streamDestination: trial.streamDestination });
      return;
    }
    session.upgradingPlayback = false;
    if (this.session !== session) {
      await closeSession({ loopback: trial.loopback, audioElement: trial.audioElement, streamDestination: trial.streamDestination });
      return;
    }
    const dest = trial.streamDestination!;
    try {
      session.playerNode.disconnect(session.playerContext.destination);
    } catch {
      /* not connected there */
    }
    session.playerNode.connect(dest);
    session.streamDestination = dest;
    session.loopback = trial.loopback ?? null;
    session.audioElement = trial.audioElement ?? null;
    session.playbackPath = 'rtc-loopback';
    this.startLoopbackDelayPoll(session);
  }

  private startLoopbackDelayPoll(session: Session): void {
    this.loopbackDelayMs = OPUS_PACKET_MS;
    session.delayTimer = setInterval(() => void this.measureLoopbackDelay(session), LOOPBACK_DELAY_POLL_MS);
  }

  /** The loopback's own delay (jitter buffer + packetisation), added to playback timestamps. */
  private async measureLoopbackDelay(s: Session): Promise<void> {
    const pc = s.loopback?.[1];
    if (!pc) return;
    try {
      const report = await pc.getStats();
      report.forEach((r: { type?: string; kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.jitterBufferEmittedCount) {
          this.loopbackDelayMs = ((r.jitterBufferDelay ?? 0) / r.jitterBufferEmittedCount) * 1000 + OPUS_PACKET_MS;
        }
      });
    } catch {
      /* closed */
    }
  }

  private async playInAudioElement(stream: MediaStream): Promise<HTMLAudioElement> {
    if (typeof document === 'undefined') throw new Error('no document for an <audio> element');
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.srcObject = stream;
    if (this.speakerId) await setElementSink(audio, this.speakerId);
    await withTimeout(audio.play().then(() => true), RESUME_TIMEOUT_MS, false).catch(() => false);
    return audio;
  }

  // ------------------------------------------------------------------ teardown
  async disconnect(): Promise<void> {
    this.generation++;
    if (this.disconnecting) return this.disconnecting;
    const session = this.session;
    this.session = null;
    clearInterval(this.devicePollTimer);
    this.devicePollTimer = undefined;
    this.disconnecting = (async () => {
      if (this.connecting) await this.connecting.catch(() => undefined);
      this.flushPendingClears();
      this.botActive = false;
      if (session) {
        const micTrack = session.micStream?.getAudioTracks()[0];
        await closeSession(session);
        if (micTrack) this._callbacks.onTrackStopped?.(micTrack, LOCAL_PARTICIPANT);
      }
      this.played.clear();
      this.stats = { chunksSent: 0, clippedSamples: 0, bufferedSamples: 0, underruns: 0, droppedSamples: 0 };
    })().finally(() => {
      this.disconnecting = null;
    });
    return this.disconnecting;
  }

  /** Also stops following device changes (disconnect() keeps that going between sessions). */
  async dispose(): Promise<void> {
    await this.disconnect();
    for (const t of this.deviceRecheckTimers) clearTimeout(t);
    if (this.deviceListener && hasDom()) navigator.mediaDevices.removeEventListener('devicechange', this.deviceListener);
    this.deviceListener = null;
  }

  // ------------------------------------------------------------------ playback
  userStartedSpeaking(): Promise<unknown> {
    return this.interrupt();
  }

  bufferBotAudio(data: ArrayBuffer | Int16Array, id = 'default'): Int16Array | undefined {
    const node = this.session?.playerNode;
    if (!node) return undefined;
    const samples = data instanceof Int16Array ? data : new Int16Array(data, 0, data.byteLength >> 1);
    if (samples.length === 0) return samples;
    // Transfer the caller's buffer when the samples own all of it; otherwise copy just the samples.
    const owned = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength && samples.buffer instanceof ArrayBuffer;
    const pcm = owned ? (samples.buffer as ArrayBuffer) : samples.slice().buffer;
    this.botActive = true;
    if (!this.played.has(id)) this.rememberPlayed(id, 0);
    const msg: MainToPlayer = { type: 'push', pcm, itemId: id, seq: ++this.lastPushSeq };
    node.port.postMessage(msg, [pcm]);
    return samples;
  }

  interrupt(): Promise<PlayedSamples> {
    const node = this.session?.playerNode;
    if (!node) return Promise.resolve({});
    const requestId = this.nextRequestId++;
    return new Promise<PlayedSamples>((resolve) => {
      const timer = setTimeout(() => {
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

  get isBotAudioActive(): boolean {
    return this.botActive;
  }

  // ------------------------------------------------------------------ worklet messages
  private onCaptureMessage(msg: CaptureToMain, ctx: AudioContext): void {
    switch (msg.type) {
      case 'chunk':
        this.stats.chunksSent++;
        if (this._micEnabled) this._userAudioCallback?.(msg.pcm);
        break;
      case 'level':
        this._callbacks.onLocalAudioLevel?.(msg.rms);
        break;
      case 'speech': {
        // Capture has no output latency to account for: anchor on the clock as read right now.
        const at = contextTimeToPerformanceMs(msg.contextTime, { contextTime: ctx.currentTime, performanceTime: nowMs() });
        if (msg.started) this._listener.onLocalSpeechStarted?.({ at });
        else this._listener.onLocalSpeechStopped?.({ at });
        break;
      }
      case 'stats':
        this.stats.clippedSamples = msg.clippedSamples;
        break;
      case 'error':
        this._callbacks.onDeviceError?.(new DeviceError(['mic'], 'unknown', msg.message));
        break;
    }
  }

  private onPlayerMessage(msg: PlayerToMain, ctx: AudioContext): void {
    switch (msg.type) {
      case 'transition': {
        this.rememberPlayed(msg.itemId, msg.playedSamples);
        const ev = { itemId: msg.itemId, at: this.playbackTimeMs(ctx, msg.contextTime), playedSamples: msg.playedSamples, audioClockMs: msg.contextTime * 1000 };
        if (msg.started) {
          this.botActive = true;
          this._listener.onBotAudioStarted?.(ev);
        } else {
          this.botActive = this.lastPushSeq > msg.lastSeq;
          this._listener.onBotAudioStopped?.(ev);
        }
        break;
      }
      case 'cleared': {
        for (const [id, n] of Object.entries(msg.played)) this.rememberPlayed(id, n);
        this.stats.bufferedSamples = 0;
        this.botActive = this.lastPushSeq > msg.lastSeq;
        this._listener.onBotAudioFlushed?.(msg.played);
        const pending = this.pendingClears.get(msg.requestId);
        if (pending) {
          clearTimeout(pending.timer);
          this.pendingClears.delete(msg.requestId);
          pending.resolve(msg.played);
        }
        break;
      }
      case 'progress':
        for (const [id, n] of Object.entries(msg.played)) if (this.played.has(id) || n > 0) this.rememberPlayed(id, n);
        this.stats.bufferedSamples = msg.bufferedSamples;
        this.stats.underruns = msg.underruns;
        this.stats.droppedSamples = msg.droppedSamples;
        // Audio posted after the worklet wrote this report is still on its way.
        this.botActive = msg.active || this.lastPushSeq > msg.lastSeq;
        this._listener.onBotAudioProgress?.(msg.played);
        break;
      case 'level':
        this._callbacks.onRemoteAudioLevel?.(msg.rms, BOT_PARTICIPANT);
        break;
      case 'error':
        this._callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', msg.message));
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
    anchor ??= { contextTime: ctx.currentTime, performanceTime: nowMs() + (ctx.outputLatency || ctx.baseLatency || 0) * 1000 };
    return contextTimeToPerformanceMs(contextTime, anchor) + this.loopbackDelayMs;
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

  private flushPendingClears(): void {
    for (const [, pending] of this.pendingClears) {
      clearTimeout(pending.timer);
      pending.resolve(this.lastKnownActivePlayed());
    }
    this.pendingClears.clear();
  }

  private postCapture(node: AudioWorkletNode, msg: MainToCapture): void {
    node.port.postMessage(msg);
  }

  // ------------------------------------------------------------------ stats
  getStats(): MediaStats {
    const s = this.session;
    const outRate = s ? s.playerContext.sampleRate : null;
    return {
      captureRate: s?.captureContext ? this.captureRate : null,
      inputRate: s?.captureContext ? this.format.inputSampleRate : null,
      outputRate: outRate,
      resampler: s?.captureContext ? this.resamplerUsed : null,
      chunkMs: this.format.chunkMs ?? this.opts.chunkMs,
      chunksSent: this.stats.chunksSent,
      bufferedMs: outRate ? (this.stats.bufferedSamples / outRate) * 1000 : 0,
      underruns: this.stats.underruns,
      clippedSamples: this.stats.clippedSamples,
      echoCancellation: s?.micStream ? boolSetting(this.trackSettings?.echoCancellation) : null,
      noiseSuppression: s?.micStream ? boolSetting(this.trackSettings?.noiseSuppression) : null,
      autoGainControl: s?.micStream ? boolSetting(this.trackSettings?.autoGainControl) : null,
      // Unknown (no echo warning yet) while 'auto' is still bringing up the loopback.
      playbackPath: s ? (s.upgradingPlayback ? null : s.playbackPath) : null,
      droppedWhileStalled: this.stats.droppedSamples,
    };
  }

  // ------------------------------------------------------------------ devices
  private async refreshDevices(): Promise<void> {
    if (!hasDom()) return;
    let devices: MediaDeviceInfo[];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch (e) {
      this._callbacks.onDeviceError?.(new DeviceError(['mic', 'cam', 'speaker'], 'unknown', `Could not list devices: ${errorMessage(e)}`));
      return;
    }
    const mics = devices.filter((d) => d.kind === 'audioinput');
    const cams = devices.filter((d) => d.kind === 'videoinput');
    const speakers = devices.filter((d) => d.kind === 'audiooutput');
    const changed = (a: MediaDeviceInfo[], b: MediaDeviceInfo[]): boolean =>
      a.length !== b.length || a.some((d, i) => d.deviceId !== b[i].deviceId || d.label !== b[i].label);
    const micsChanged = changed(this.mics, mics);
    const camsChanged = changed(this.cams, cams);
    const speakersChanged = changed(this.speakers, speakers);
    this.mics = mics;
    this.cams = cams;
    this.speakers = speakers;
    if (micsChanged) this._callbacks.onAvailableMicsUpdated?.(mics);
    if (camsChanged) this._callbacks.onAvailableCamsUpdated?.(cams);
    if (speakersChanged) this._callbacks.onAvailableSpeakersUpdated?.(speakers);
    if (micsChanged) this.reportUnpluggedMicrophone(mics);
  }

  /**
   * PulseAudio moves a capture stream to another source (a monitor, say) when its device goes
   * away, so Chromium's track never ends: the device list is then the only sign that the
   * microphone in use was unplugged. Reported once per stream.
   */
  private reportUnpluggedMicrophone(mics: MediaDeviceInfo[]): void {
    const stream = this.session?.micStream;
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track || track.readyState !== 'live' || this.unpluggedStreams.has(stream)) return;
    const id = track.getSettings().deviceId;
    if (!id || mics.some((d) => d.deviceId === id) || (id === 'default' && mics.length > 0)) return;
    this.unpluggedStreams.add(stream);
    this._listener.onMicrophoneLost?.(`the microphone${track.label ? ` "${track.label}"` : ''} was unplugged; nothing you say reaches the model until you choose another microphone or reconnect`);
  }

  async getAllMics(): Promise<MediaDeviceInfo[]> {
    await this.refreshDevices();
    return this.mics;
  }

  async getAllCams(): Promise<MediaDeviceInfo[]> {
    await this.refreshDevices();
    return this.cams;
  }

  async getAllSpeakers(): Promise<MediaDeviceInfo[]> {
    await this.refreshDevices();
    return this.speakers;
  }

  async updateMic(micId: string): Promise<void> {
    this.micId = micId || undefined;
    const s = this.session;
    if (s?.micStream) await this.reopenMicrophone(s);
    const device = this.selectedMic;
    if ('deviceId' in device) this._callbacks.onMicUpdated?.(device as MediaDeviceInfo);
  }

  private async reopenMicrophone(s: Session): Promise<void> {
    const stream = await this.openMicrophone();
    if (this.session !== s) {
      stopStream(stream);
      return;
    }
    const old = s.micStream;
    const oldTrack = old?.getAudioTracks()[0];
    s.micStream = stream;
    if (s.captureContext && s.captureNode) {
      s.captureSource?.disconnect();
      s.captureSource = s.captureContext.createMediaStreamSource(stream);
      s.captureSource.connect(s.captureNode);
    } else {
      await this.openCapture(s as unknown as Partial<Session>, stream);
    }
    if (old) stopStream(old);
    if (oldTrack) this._callbacks.onTrackStopped?.(oldTrack, LOCAL_PARTICIPANT);
    const track = stream.getAudioTracks()[0];
    if (track) this._callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
  }

  updateCam(camId: string): void {
    this.camId = camId || undefined;
    const device = this.selectedCam;
    if ('deviceId' in device) this._callbacks.onCamUpdated?.(device as MediaDeviceInfo);
    if (this.session?.camStream) {
      this.stopCamera();
      void this.startCamera();
    }
  }

  updateSpeaker(speakerId: string): void {
    this.speakerId = speakerId || undefined;
    const s = this.session;
    const apply = s?.audioElement ? setElementSink(s.audioElement, speakerId) : s ? setContextSink(s.playerContext, speakerId) : Promise.resolve();
    apply.then(
      () => {
        const device = this.selectedSpeaker;
        if ('deviceId' in device) this._callbacks.onSpeakerUpdated?.(device as MediaDeviceInfo);
      },
      (e: unknown) => this._callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', `Could not switch the speaker: ${errorMessage(e)}`)),
    );
  }

  get selectedMic(): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.mics, this.micId ?? this.session?.micStream?.getAudioTracks()[0]?.getSettings().deviceId);
  }

  get selectedCam(): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.cams, this.camId);
  }

  get selectedSpeaker(): MediaDeviceInfo | Record<string, never> {
    return findDevice(this.speakers, this.speakerId ?? 'default');
  }

  enableMic(enable: boolean): void {
    if (this._micEnabled === enable) return;
    this._micEnabled = enable;
    const s = this.session;
    if (!s) return;
    const track = s.micStream?.getAudioTracks()[0];
    if (track) {
      track.enabled = enable;
      if (s.captureNode) this.postCapture(s.captureNode, { type: 'set-sending', sending: enable });
      if (enable) this._callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
      else this._callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
    } else if (enable) {
      // Connected with the mic off: open it now.
      this.reopenMicrophone(s).catch(() => {
        /* openMicrophone already reported the reason through onDeviceError */
      });
    }
  }

  enableCam(enable: boolean): void {
    if (this._camEnabled === enable) return;
    this._camEnabled = enable;
    if (!this.session) return;
    if (enable) void this.startCamera();
    else this.stopCamera();
  }

  get isCamEnabled(): boolean {
    return this._camEnabled;
  }

  get isMicEnabled(): boolean {
    return this._micEnabled;
  }

  tracks(): Tracks {
    const s = this.session;
    return {
      local: {
        audio: s?.micStream?.getAudioTracks()[0],
        video: s?.camStream?.getVideoTracks()[0],
      },
    };
  }

  // ------------------------------------------------------------------ camera
  private async startCamera(): Promise<void> {
    const s = this.session;
    if (!s || s.camStream) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { ...(this.camId ? { deviceId: { exact: this.camId } } : {}), width: { ideal: 640 }, height: { ideal: 480 } } });
    } catch (e) {
      const err = toMicrophoneError(e);
      this._callbacks.onDeviceError?.(new DeviceError(['cam'], err.kind, err.message.replace(/microphone/gi, 'camera')));
      return;
    }
    if (this.session !== s || !this._camEnabled) {
      stopStream(stream);
      return;
    }
    s.camStream = stream;
    const track = stream.getVideoTracks()[0];
    if (track) this._callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
    const grabber = new JpegFrameGrabber(stream);
    let busy = false;
    s.camTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      grabber
        .grab()
        .then((jpeg) => {
          if (jpeg && this.session === s && s.camStream === stream) this._listener.onVideoFrame?.(jpeg);
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, 1000 / Math.max(0.1, this.opts.cameraFps));
  }

  private stopCamera(): void {
    const s = this.session;
    if (!s?.camStream) return;
    if (s.camTimer) clearInterval(s.camTimer);
    const track = s.camStream.getVideoTracks()[0];
    stopStream(s.camStream);
    s.camStream = null;
    s.camTimer = null;
    if (track) this._callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
  }
}

/** JPEG snapshots of a camera track, through a canvas fed by a muted <video>. */
class JpegFrameGrabber {
  private readonly video: HTMLVideoElement;
  private canvas: HTMLCanvasElement | null = null;

  constructor(stream: MediaStream) {
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = stream;
    void this.video.play().catch(() => undefined);
  }

  async grab(): Promise<Uint8Array | null> {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return null;
    this.canvas ??= document.createElement('canvas');
    this.canvas.width = w;
    this.canvas.height = h;
    const g = this.canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(this.video, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((resolve) => this.canvas!.toBlob(resolve, 'image/jpeg', 0.8));
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}

/** Adds `a=ptime:10` to the audio section of an SDP (Chrome's Opus encoder follows the remote ptime). */
export function withShortOpusPackets(sdp: string): string {
  if (/^a=ptime:/m.test(sdp)) return sdp.replace(/^a=ptime:\d+/m, `a=ptime:${OPUS_PACKET_MS}`);
  return sdp.replace(/(^a=rtpmap:\d+ opus\/48000[^\r\n]*\r?\n)/im, `$1a=ptime:${OPUS_PACKET_MS}\r\n`);
}

function boolSetting(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function findDevice(list: MediaDeviceInfo[], id: string | undefined): MediaDeviceInfo | Record<string, never> {
  if (!id) return {};
  return list.find((d) => d.deviceId === id) ?? {};
}

function stopStream(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

async function resumeBounded(ctx: AudioContext): Promise<void> {
  if (ctx.state === 'running') return;
  // resume() can wait for a user gesture forever; the context then starts on the next gesture.
  await withTimeout(ctx.resume().then(() => true), RESUME_TIMEOUT_MS, false).catch(() => false);
}

async function setElementSink(audio: HTMLAudioElement, sinkId: string): Promise<void> {
  const el = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (typeof el.setSinkId === 'function') await el.setSinkId(sinkId === 'default' ? '' : sinkId);
}

async function setContextSink(ctx: AudioContext, sinkId: string): Promise<void> {
  const c = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
  if (typeof c.setSinkId === 'function') await c.setSinkId(sinkId === 'default' ? '' : sinkId);
}

/** Closes whatever part of a session exists; never throws. */
async function closeSession(s: Partial<Session>): Promise<void> {
  const quietly = (f: () => void): void => {
    try {
      f();
    } catch {
      /* already closed */
    }
  };
  if (s.camTimer) clearInterval(s.camTimer);
  if (s.delayTimer) clearInterval(s.delayTimer);
  if (s.camStream) stopStream(s.camStream);
  if (s.micStream) stopStream(s.micStream);
  if (s.captureSource) quietly(() => s.captureSource!.disconnect());
  if (s.captureNode) {
    const node = s.captureNode;
    quietly(() => {
      node.port.onmessage = null;
      node.port.close();
      node.disconnect();
    });
  }
  if (s.playerNode) {
    const node = s.playerNode;
    quietly(() => {
      node.port.onmessage = null;
      node.port.close();
      node.disconnect();
    });
  }
  if (s.audioElement) {
    const audio = s.audioElement;
    quietly(() => {
      audio.pause();
      audio.srcObject = null;
      audio.remove();
    });
  }
  if (s.streamDestination) for (const t of s.streamDestination.stream.getTracks()) t.stop();
  if (s.loopback) for (const pc of s.loopback) quietly(() => pc.close());
  const contexts = [s.captureContext, s.playerContext].filter((c): c is AudioContext => !!c && c.state !== 'closed');
  await Promise.all(contexts.map((c) => withTimeout(c.close().then(() => true), 1000, false).catch(() => false)));
}
