import { DeviceError, type Tracks } from '@pipecat-ai/client-js';
import { deferred, type Deferred } from '../transport/deferred.ts';
import { MicrophoneError, errorMessage } from '../transport/transport-errors.ts';
import { LOCAL_PARTICIPANT, closeAudioSession, hasDom, stopStream, type AudioSession, type MediaHost } from './audio-session.ts';
import { BotPlayback, DEFAULT_ITEM_ID } from './bot-playback.ts';
import { CameraCapture } from './camera-capture.ts';
import { DeviceRegistry } from './device-registry.ts';
import { EchoRoute, type EchoPath } from './echo-route.ts';
import { cancelsPath, type EchoCancellationMode } from './echo-cancellation.ts';
import { MediaManager, type MediaFormat, type MediaStats, type PlayedSamples } from './media-manager.ts';
import { MicrophoneCapture, type CapturePath, type CaptureResampler } from './microphone-capture.ts';
import type { InjectUserAudioOptions, InjectedAudioReport } from './user-audio-injector.ts';
import { mixInputStream, type InputStreamHandle, type InputStreamOptions } from './input-stream-mixer.ts';
import type { VoiceActivityOptions } from './voice-activity-detector.ts';
import { defaultCaptureWorkletUrl, defaultPlayerWorkletUrl } from './worklet-urls.ts';

export type { EchoPath } from './echo-route.ts';
export type { CapturePath, CaptureResampler } from './microphone-capture.ts';
export { toMicrophoneError } from './microphone-capture.ts';
export { withShortOpusPackets } from './echo-route.ts';

export interface AudioWorkletMediaManagerOptions {
  captureWorkletUrl?: string;
  playerWorkletUrl?: string;
  /**
   * Capture chunk duration. Unset: the adapter's MediaFormat.chunkMs, else 20 ms. Set: it wins over
   * the adapter's (the adapters' 20 ms is a default, not a protocol limit; 10 ms is the smallest the
   * providers' documented cadences allow, see README "Latency").
   */
  chunkMs?: number;
  /**
   * Rate of the player's AudioContext. 'device' (default): the output device's own rate, the player
   * worklet resamples the adapter's audio (Chrome adds no resampling stage of its own after the
   * graph). 'source': the adapter's output rate, as before; Chrome resamples to the device.
   */
  playerRate?: 'device' | 'source';
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
   * The microphone's echo-cancellation mode (default true). 'all' and 'remote-only' are asked with
   * `exact`; a browser that refuses them gets `true` instead, and getStats() says so.
   */
  echoCancellation?: EchoCancellationMode;
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
  /**
   * How the microphone reaches the capture worklet (default 'auto': read frame by frame from the
   * track where the browser has MediaStreamTrackProcessor, else a MediaStreamAudioSourceNode). The
   * node path's delay grew by about 90 ms within a minute of one stream on the latency rig; the
   * frames' did not (BENCHMARKS.md, external latency).
   */
  capturePath?: CapturePath;
}

/**
 * The default MediaManager: microphone capture and bot playback through two AudioWorklets, device
 * selection, levels, a local voice-activity detector and camera frames. Constructing it touches no
 * DOM API, so transports can be built in Node. Each concern lives in its own module (capture,
 * playback, echo route, devices, camera); this class sequences them over one AudioSession.
 */
export class AudioWorkletMediaManager extends MediaManager {
  private readonly opts: Required<Omit<AudioWorkletMediaManagerOptions, 'vad'>> & { vad?: VoiceActivityOptions };
  private readonly chunkMsGiven: boolean;
  private format: MediaFormat = { inputSampleRate: 16000, outputSampleRate: 24000 };
  private session: AudioSession | null = null;
  private connecting: Promise<void> | null = null;
  private disconnecting: Promise<void> | null = null;
  /** Bumped by disconnect(): a connect() that finds it changed abandons what it opened. */
  private generation = 0;
  /** Rejected by disconnect(): a connect() waiting on a permission prompt gives up at once. */
  private abandoned: Deferred<never> = deferred<never>();

  private readonly host: MediaHost;
  private readonly devices: DeviceRegistry;
  private readonly capture: MicrophoneCapture;
  private readonly playback: BotPlayback;
  private readonly echo: EchoRoute;
  private readonly camera: CameraCapture;
  /** Opening a capture graph with no microphone, for the first injection of a session. */
  private openingInjectedGraph: Promise<void> | null = null;

  constructor(options: AudioWorkletMediaManagerOptions = {}) {
    super();
    this.opts = {
      captureWorkletUrl: options.captureWorkletUrl ?? defaultCaptureWorkletUrl,
      playerWorkletUrl: options.playerWorkletUrl ?? defaultPlayerWorkletUrl,
      chunkMs: options.chunkMs ?? 20,
      playerRate: options.playerRate ?? 'device',
      startThresholdMs: options.startThresholdMs ?? 30,
      stopHoldMs: options.stopHoldMs ?? 40,
      echoPath: options.echoPath ?? 'auto',
      echoCancellation: options.echoCancellation ?? true,
      resampler: options.resampler ?? 'windowed-sinc',
      vad: options.vad,
      cameraFps: options.cameraFps ?? 1,
      interruptTimeoutMs: options.interruptTimeoutMs ?? 200,
      captureLatencyHint: options.captureLatencyHint ?? 'interactive',
      capturePath: options.capturePath ?? 'auto',
    };
    this.chunkMsGiven = options.chunkMs !== undefined;
    const self = this;
    this.host = {
      get callbacks() {
        return self._callbacks;
      },
      get listener() {
        return self._listener;
      },
      get micEnabled() {
        return self._micEnabled;
      },
      get session() {
        return self.session;
      },
    };
    this.devices = new DeviceRegistry(this.host);
    this.capture = new MicrophoneCapture(this.host, this.opts, (pcm) => this._userAudioCallback?.(pcm));
    this.echo = new EchoRoute(this.opts.echoPath, () => this.session, () => this.devices.speakerId, (speakerId, e) => this.onSpeakerUnavailable(speakerId, e), () => (this.session?.micStream ? this.capture.echoCanceller : null));
    this.playback = new BotPlayback(this.host, this.opts, () => this.echo.delayMs);
    this.camera = new CameraCapture(this.host, this.opts.cameraFps, () => this._camEnabled);
  }

  // ------------------------------------------------------------------ setup
  configure(format: MediaFormat): void {
    this.format = { ...format, ...(this.chunkMsGiven ? { chunkMs: this.opts.chunkMs } : {}) };
  }

  async initialize(): Promise<void> {
    if (!hasDom()) {
      this._callbacks.onDeviceError?.(new DeviceError(['mic', 'cam', 'speaker'], 'undefined-mediadevices', 'This context has no navigator.mediaDevices.'));
      return;
    }
    await this.devices.refresh();
    this.devices.watch();
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
    const abandoned = this.abandoned.promise;
    const partial: Partial<AudioSession> = {};
    // The capture graph and the player graph are independent: once the microphone is granted (it goes
    // first so a refusal opens no AudioContext at all), both open side by side, costing the slower of
    // the two instead of their sum (each is an AudioContext start plus a worklet module load).
    try {
      if (this._micEnabled) {
        // getUserMedia waits as long as a permission prompt stays open: a disconnect must not.
        const granted = this.capture.open(this.devices.micId);
        granted.then(
          (stream) => {
            if (generation !== this.generation) stopStream(stream);
          },
          () => undefined,
        );
        partial.micStream = await Promise.race([granted, abandoned]);
      }
      this.checkNotAbandoned(generation);
      const stream = partial.micStream;
      const results = await Promise.allSettled([
        stream ? this.capture.openGraph(partial, stream, this.format) : Promise.resolve(),
        this.playback.open(partial, this.format, (ctx, node) => this.echo.route(partial, ctx, node)),
      ]);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
      this.checkNotAbandoned(generation);
    } catch (e) {
      this.capture.stopFrames();
      await closeAudioSession(partial);
      throw e;
    }
    const session: AudioSession = {
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
    this.session = session;
    this.echo.started(session);
    const micTrack = session.micStream?.getAudioTracks()[0];
    if (micTrack) this._callbacks.onTrackStarted?.(micTrack, LOCAL_PARTICIPANT);
    if (this._camEnabled) void this.camera.start(session, this.devices.camId);
    this.devices.watch();
    this.devices.stopPolling();
    if (session.micStream) this.devices.startPolling(() => this.session === session);
    // With the microphone granted, labels are readable: tell the app which microphone is in use.
    await this.devices.refresh();
    const mic = this.selectedMic;
    if (this.session === session && session.micStream && 'deviceId' in mic) this._callbacks.onMicUpdated?.(mic as MediaDeviceInfo);
  }

  /** The chosen speaker is gone (unplugged, or another profile's id): play on the default output. */
  private onSpeakerUnavailable(speakerId: string, e: unknown): void {
    this.devices.speakerId = undefined;
    const label = this.devices.speakers.find((d) => d.deviceId === speakerId)?.label;
    this._callbacks.onDeviceError?.(new DeviceError(['speaker'], 'not-found', `The selected speaker${label ? ` "${label}"` : ''} is not available (${errorMessage(e)}); playing on the default output instead.`));
  }

  private checkNotAbandoned(generation: number): void {
    if (generation !== this.generation) throw new MicrophoneError('unknown', 'Disconnected while the audio was starting.');
  }

  // ------------------------------------------------------------------ teardown
  async disconnect(): Promise<void> {
    this.generation++;
    this.abandoned.reject(new MicrophoneError('unknown', 'Disconnected while the audio was starting.'));
    this.abandoned = deferred<never>();
    if (this.disconnecting) return this.disconnecting;
    const session = this.session;
    this.session = null;
    this.devices.stopPolling();
    this.disconnecting = (async () => {
      if (this.connecting) await this.connecting.catch(() => undefined);
      this.capture.injector?.rejectAll(new Error('The session ended before the injected audio was sent.'));
      if (session) {
        const micTrack = session.micStream?.getAudioTracks()[0];
        this.capture.stopFrames();
        await closeAudioSession(session);
        if (micTrack) this._callbacks.onTrackStopped?.(micTrack, LOCAL_PARTICIPANT);
      }
      this.playback.reset();
      this.capture.resetStats();
    })().finally(() => {
      this.disconnecting = null;
    });
    return this.disconnecting;
  }

  /** Also stops following device changes (disconnect() keeps that going between sessions). */
  override async dispose(): Promise<void> {
    await this.disconnect();
    this.devices.stopWatching();
  }

  // ------------------------------------------------------------------ playback
  userStartedSpeaking(): Promise<unknown> {
    return this.interrupt();
  }

  bufferBotAudio(data: ArrayBuffer | Int16Array, id = DEFAULT_ITEM_ID): Int16Array | undefined {
    const node = this.session?.playerNode;
    if (!node) return undefined;
    return this.playback.push(node, data, id);
  }

  interrupt(): Promise<PlayedSamples> {
    const node = this.session?.playerNode;
    if (!node) return Promise.resolve({});
    this.echo.silenceNow(this.session);
    return this.playback.clear(node);
  }

  playedSamples(itemId: string): number {
    return this.playback.playedSamples(itemId);
  }

  get isBotAudioActive(): boolean {
    return this.playback.isActive;
  }

  // ------------------------------------------------------------------ injected user audio
  /**
   * Sends `pcm` (mono, any rate) to the provider as if the user had spoken it: it replaces the
   * microphone in the capture path (level meter, local voice activity, resampling to the adapter's
   * rate, 20 ms chunks, the adapter's send), paced in real time, and is sent even while the
   * microphone is muted or was never opened (connect with `enableMic: false` for a session fed
   * only this way). Calls queue back to back. Resolves once every chunk of it has been handed to
   * the adapter; rejects if the session ends first, or with an AbortError when `signal` aborts.
   */
  override async injectUserAudio(pcm: Int16Array | Float32Array, sampleRate: number, options: InjectUserAudioOptions = {}): Promise<InjectedAudioReport> {
    const s = this.session;
    if (!s) throw new Error('Connect first: audio can only be injected into a running session.');
    if (!s.captureContext || !s.captureNode) {
      this.openingInjectedGraph ??= this.capture.openGraph(s, null, this.format).finally(() => {
        this.openingInjectedGraph = null;
      });
      try {
        await this.openingInjectedGraph;
      } catch (e) {
        await closeAudioSession({ captureContext: s.captureContext, captureNode: s.captureNode } as Partial<AudioSession>).catch(() => undefined);
        s.captureContext = null;
        s.captureNode = null;
        throw e;
      }
      if (this.session !== s) throw new Error('The session ended before the injected audio was sent.');
    }
    const injector = this.capture.injector;
    if (!injector || !s.captureContext) throw new Error('The capture path is not open.');
    return injector.inject(pcm, sampleRate, s.captureContext.sampleRate, options);
  }

  // ------------------------------------------------------------------ stats
  getStats(): MediaStats {
    const s = this.session;
    const outRate = s ? this.format.outputSampleRate : null;
    const settings = this.capture.trackSettings;
    return {
      captureRate: s?.captureContext ? this.capture.captureRate : null,
      inputRate: s?.captureContext ? this.format.inputSampleRate : null,
      outputRate: outRate,
      resampler: s?.captureContext ? this.capture.resamplerUsed : null,
      capturePath: s?.micStream && s.captureContext ? this.capture.capturePathUsed : null,
      capturePathFallback: s?.micStream && s.captureContext ? this.capture.capturePathFallback : null,
      chunkMs: this.format.chunkMs ?? this.opts.chunkMs,
      chunksSent: this.capture.chunksSent,
      // The player counts in the adapter's samples whatever its context's rate.
      bufferedMs: outRate ? (this.playback.bufferedSamples / this.format.outputSampleRate) * 1000 : 0,
      underruns: this.playback.underruns,
      clippedSamples: this.capture.clippedSamples,
      echoCancellation: s?.micStream ? boolSetting(settings?.echoCancellation) : null,
      noiseSuppression: s?.micStream ? boolSetting(settings?.noiseSuppression) : null,
      autoGainControl: s?.micStream ? boolSetting(settings?.autoGainControl) : null,
      // Unknown (no echo warning yet) while 'auto' is still bringing up the loopback.
      playbackPath: s ? (s.upgradingPlayback ? null : s.playbackPath) : null,
      echoCancellationMode: s?.micStream ? this.capture.echoCanceller.mode : null,
      echoCancellationConfirmed: s?.micStream && !s.upgradingPlayback ? cancelsPath(this.capture.echoCanceller, s.playbackPath) : null,
      echoCancellationFallback: s?.micStream ? this.capture.echoFallback : null,
      droppedWhileStalled: this.playback.droppedSamples,
    };
  }

  // ------------------------------------------------------------------ devices
  async getAllMics(): Promise<MediaDeviceInfo[]> {
    await this.devices.refresh();
    return this.devices.mics;
  }

  async getAllCams(): Promise<MediaDeviceInfo[]> {
    await this.devices.refresh();
    return this.devices.cams;
  }

  async getAllSpeakers(): Promise<MediaDeviceInfo[]> {
    await this.devices.refresh();
    return this.devices.speakers;
  }

  async updateMic(micId: string): Promise<void> {
    this.devices.micId = micId || undefined;
    const s = this.session;
    if (s?.micStream) await this.reopenMicrophone(s);
    const device = this.selectedMic;
    if ('deviceId' in device) this._callbacks.onMicUpdated?.(device as MediaDeviceInfo);
  }

  private async reopenMicrophone(s: AudioSession): Promise<void> {
    const stream = await this.capture.open(this.devices.micId);
    if (this.session !== s) {
      stopStream(stream);
      return;
    }
    const old = s.micStream;
    const oldTrack = old?.getAudioTracks()[0];
    s.micStream = stream;
    if (!this.capture.rewire(s, stream)) await this.capture.openGraph(s, stream, this.format);
    if (old) stopStream(old);
    if (oldTrack) this._callbacks.onTrackStopped?.(oldTrack, LOCAL_PARTICIPANT);
    const track = stream.getAudioTracks()[0];
    if (track) this._callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
  }

  updateCam(camId: string): void {
    this.devices.camId = camId || undefined;
    const device = this.selectedCam;
    if ('deviceId' in device) this._callbacks.onCamUpdated?.(device as MediaDeviceInfo);
    const s = this.session;
    if (s?.camStream) {
      this.camera.stop(s);
      void this.camera.start(s, this.devices.camId);
    }
  }

  updateSpeaker(speakerId: string): void {
    this.devices.speakerId = speakerId || undefined;
    this.echo.setSpeaker(this.session, speakerId).then(
      () => {
        const device = this.selectedSpeaker;
        if ('deviceId' in device) this._callbacks.onSpeakerUpdated?.(device as MediaDeviceInfo);
      },
      (e: unknown) => this._callbacks.onDeviceError?.(new DeviceError(['speaker'], 'unknown', `Could not switch the speaker: ${errorMessage(e)}`)),
    );
  }

  get selectedMic(): MediaDeviceInfo | Record<string, never> {
    return this.devices.selectedMic(this.session?.micStream?.getAudioTracks()[0]?.getSettings().deviceId);
  }

  get selectedCam(): MediaDeviceInfo | Record<string, never> {
    return this.devices.selectedCam;
  }

  get selectedSpeaker(): MediaDeviceInfo | Record<string, never> {
    return this.devices.selectedSpeaker;
  }

  enableMic(enable: boolean): void {
    if (this._micEnabled === enable) return;
    this._micEnabled = enable;
    const s = this.session;
    if (!s) return;
    const track = s.micStream?.getAudioTracks()[0];
    if (track) {
      track.enabled = enable;
      this.capture.setSending(s, enable);
      if (enable) this._callbacks.onTrackStarted?.(track, LOCAL_PARTICIPANT);
      else this._callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
    } else if (enable) {
      // Connected with the mic off: open it now.
      this.reopenMicrophone(s).catch(() => {
        /* capture.open already reported the reason through onDeviceError */
      });
    }
  }

  enableCam(enable: boolean): void {
    if (this._camEnabled === enable) return;
    this._camEnabled = enable;
    const s = this.session;
    if (!s) return;
    if (enable) void this.camera.start(s, this.devices.camId);
    else this.camera.stop(s);
  }

  get isCamEnabled(): boolean {
    return this._camEnabled;
  }

  get isMicEnabled(): boolean {
    return this._micEnabled;
  }

  override addInputStream(stream: MediaStream, options: InputStreamOptions): InputStreamHandle {
    const s = this.session;
    // The extra input shares the microphone's capture graph (resampler, chunks, VAD): it needs one.
    if (!s?.captureContext) throw new MicrophoneError('unknown', 'Tab audio goes to the model through the microphone\'s capture path: turn the microphone on (connect with it on) first.');
    // Checked before the microphone moves onto the graph: a mix that cannot start must not move it.
    if (!stream.getAudioTracks()[0]) throw new Error('The shared stream has no audio track to send to the model.');
    this.capture.useGraphInput(s, 'another stream is mixed into the microphone (Web Audio graph only)');
    return mixInputStream(s, stream, options);
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
}

function boolSetting(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}
