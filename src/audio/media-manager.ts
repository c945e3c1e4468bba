import type { PipecatClientOptions, RTVIEventCallbacks, Tracks } from '@pipecat-ai/client-js';
import type { InjectUserAudioOptions, InjectedAudioReport } from './user-audio-injector.ts';
import type { RtcAudioStats } from '../transport/rtc-audio-stats.ts';

export type { InjectUserAudioOptions, InjectedAudioReport } from './user-audio-injector.ts';
import type { InputStreamHandle, InputStreamOptions } from './input-stream-mixer.ts';

/** What the transport tells the media manager before connect: the adapter's audio formats. */
export interface MediaFormat {
  /** Rate the adapter sends to the provider (Gemini 16 kHz, OpenAI 24 kHz). */
  inputSampleRate: number;
  /** Rate of the provider's audio (24 kHz for both). */
  outputSampleRate: number;
  /** Capture chunk duration in ms (default 20). */
  chunkMs?: number;
  /** Whether the adapter takes camera frames. */
  acceptsVideo?: boolean;
}

/** Playback facts, stamped on the performance.now() timeline derived from the audio clock. */
export interface PlaybackEvent {
  itemId: string;
  /** performance.now()-timebase ms at which the first/last sample reached the output. */
  at: number;
  /** Samples of this item actually played so far (at the output rate). */
  playedSamples: number;
  /**
   * The same instant on the audio clock (the player's AudioContext time, in ms). Unlike `at`, it
   * does not stretch when the machine cannot render in real time: the audio clock only advances
   * with rendered audio.
   */
  audioClockMs?: number;
}

export interface SpeechEvent {
  /** performance.now()-timebase ms of the detected onset/offset (after hangover is removed). */
  at: number;
}

/** Samples actually played per playback item when an interruption flushed the player. */
export type PlayedSamples = Record<string, number>;

/** `rtc*`: the transport's own WebRTC audio path, when it has one (see rtc-audio-stats.ts). */
export interface MediaStats extends Partial<RtcAudioStats> {
  captureRate: number | null;
  inputRate: number | null;
  outputRate: number | null;
  resampler: 'browser' | 'windowed-sinc' | 'none' | null;
  chunkMs: number;
  chunksSent: number;
  bufferedMs: number;
  underruns: number;
  clippedSamples: number;
  echoCancellation: boolean | null;
  /** The microphone track's echoCancellation setting as reported (true, false, 'all', 'remote-only'). */
  echoCancellationMode?: boolean | 'all' | 'remote-only' | null;
  /**
   * Whether the live canceller covers the live playback path, by the browser's own report
   * (settings and capabilities; see echo-cancellation.ts); null while either is unknown.
   */
  echoCancellationConfirmed?: boolean | null;
  /** Why the requested echo-cancellation mode is not the live one, when it was refused. */
  echoCancellationFallback?: string | null;
  noiseSuppression: boolean | null;
  autoGainControl: boolean | null;
  playbackPath: 'rtc-loopback' | 'audio-element' | 'destination' | null;
  /**
   * How the microphone reaches the capture worklet: read frame by frame from its track
   * (MediaStreamTrackProcessor) or through a MediaStreamAudioSourceNode; null with no microphone.
   */
  capturePath?: 'track-processor' | 'media-stream-source' | null;
  /** Why the capture path is not the one asked for (no track processor, a rate mismatch, a mixed-in tab). */
  capturePathFallback?: string | null;
  droppedWhileStalled?: number;
}

/** The transport's view of playback and local speech; the media manager calls these. */
export interface MediaEventsListener {
  onBotAudioStarted?(ev: PlaybackEvent): void;
  onBotAudioStopped?(ev: PlaybackEvent): void;
  /** Playback was flushed (interrupt): samples actually played per item that was in the player. */
  onBotAudioFlushed?(played: PlayedSamples): void;
  /** The player's periodic report of samples played per item (about 10 Hz while playing). */
  onBotAudioProgress?(played: PlayedSamples): void;
  onLocalSpeechStarted?(ev: SpeechEvent): void;
  onLocalSpeechStopped?(ev: SpeechEvent): void;
  /** The microphone track ended (unplugged, revoked). */
  onMicrophoneLost?(reason: string): void;
  /** A JPEG camera frame, for adapters that take video. */
  onVideoFrame?(jpeg: Uint8Array): void;
}

/**
 * Audio and device handling for a RealTimeWebsocketTransport. Kept as an abstract class (as the seed
 * did) so a page can inject its own; AudioWorkletMediaManager is the default.
 */
export abstract class MediaManager {
  protected _userAudioCallback: ((data: ArrayBuffer) => void) | undefined;
  protected _options: PipecatClientOptions | undefined;
  protected _callbacks: RTVIEventCallbacks = {};
  protected _micEnabled = true;
  protected _camEnabled = false;
  protected _listener: MediaEventsListener = {};

  setUserAudioCallback(cb: (data: ArrayBuffer) => void): void {
    this._userAudioCallback = cb;
  }

  setClientOptions(options: PipecatClientOptions, override = false): void {
    if (this._options && !override) return;
    this._options = options;
    this._callbacks = options.callbacks ?? {};
    this._micEnabled = options.enableMic ?? true;
    this._camEnabled = options.enableCam ?? false;
  }

  setEventsListener(listener: MediaEventsListener): void {
    this._listener = listener;
  }

  /** Sets the formats for the next connect(); called by the transport before connect(). */
  abstract configure(format: MediaFormat): void;
  /** Enumerates devices. Never prompts and never rejects: failures go to onDeviceError. */
  abstract initialize(): Promise<void>;
  /** Opens the microphone (if enabled), the AudioContexts and the worklets. Rejects with a clear reason. */
  abstract connect(): Promise<void>;
  /** Closes every track, node and AudioContext. Idempotent. */
  abstract disconnect(): Promise<void>;
  /**
   * Also releases what outlives a session (device listeners, timers). The transport calls it when
   * its session ends; a later connect() starts over. Defaults to disconnect().
   */
  dispose(): Promise<void> {
    return this.disconnect();
  }
  /**
   * Sends recorded or synthetic user audio (mono PCM at any rate) through the capture path in
   * place of the microphone, paced in real time; resolves when all of it was sent. A media manager
   * that cannot do it rejects (the default).
   */
  injectUserAudio(_pcm: Int16Array | Float32Array, _sampleRate: number, _options?: InjectUserAudioOptions): Promise<InjectedAudioReport> {
    return Promise.reject(new Error(`${this.constructor.name} cannot inject user audio.`));
  }
  /** Seed compatibility: flush playback because the user started speaking. */
  abstract userStartedSpeaking(): Promise<unknown>;
  /**
   * Queues bot audio (PCM16 mono at the output rate) under a playback item id. Returns undefined
   * when nothing was queued: no session, or the item was interrupted.
   */
  abstract bufferBotAudio(data: ArrayBuffer | Int16Array, id?: string): Int16Array | undefined;
  /**
   * Silences playback at once; resolves with the samples actually played per item. Synchronously,
   * before the player is asked, every item queued since the last interrupt is dropped: later audio
   * for it is discarded (id-less audio only until the player answered), and its played count is
   * final once the promise resolves.
   */
  abstract interrupt(): Promise<PlayedSamples>;
  /** Samples played so far for an item (last report from the player). */
  abstract playedSamples(itemId: string): number;
  /** True while queued bot audio is playing or waiting to play. */
  abstract get isBotAudioActive(): boolean;
  abstract getStats(): MediaStats;

  abstract getAllMics(): Promise<MediaDeviceInfo[]>;
  abstract getAllCams(): Promise<MediaDeviceInfo[]>;
  abstract getAllSpeakers(): Promise<MediaDeviceInfo[]>;
  abstract updateMic(micId: string): Promise<void>;
  abstract updateCam(camId: string): void;
  abstract updateSpeaker(speakerId: string): void;
  abstract get selectedMic(): MediaDeviceInfo | Record<string, never>;
  abstract get selectedCam(): MediaDeviceInfo | Record<string, never>;
  abstract get selectedSpeaker(): MediaDeviceInfo | Record<string, never>;
  abstract enableMic(enable: boolean): void;
  abstract enableCam(enable: boolean): void;
  abstract get isCamEnabled(): boolean;
  abstract get isMicEnabled(): boolean;
  abstract tracks(): Tracks;
  /**
   * Mixes another audio stream (a shared tab) into what the model hears, beside or instead of the
   * microphone, during a session. Managers that cannot throw.
   */
  addInputStream(_stream: MediaStream, _options: InputStreamOptions): InputStreamHandle {
    throw new Error('This media manager cannot take another audio input.');
  }
}
