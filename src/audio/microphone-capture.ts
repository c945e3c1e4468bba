import { DeviceError } from '@pipecat-ai/client-js';
import { MicrophoneError, errorMessage } from '../transport/transport-errors.ts';
import { contextTimeToPerformanceMs } from './audio-clock.ts';
import { LOCAL_PARTICIPANT, resumeBounded, type AudioSession, type MediaHost } from './audio-session.ts';
import type { MediaFormat, MediaStats } from './media-manager.ts';
import { UserAudioInjector } from './user-audio-injector.ts';
import type { VoiceActivityOptions } from './voice-activity-detector.ts';
import { echoConstraint, readEchoCanceller, type EchoCancellationMode, type EchoCancellerReport } from './echo-cancellation.ts';
import { CAPTURE_PROCESSOR_NAME, type CaptureProcessorOptions, type CaptureToMain, type MainToCapture } from './worklet-messages.ts';

export type CaptureResampler = 'browser' | 'windowed-sinc';

export interface MicrophoneCaptureOptions {
  captureWorkletUrl: string;
  chunkMs: number;
  resampler: CaptureResampler;
  vad?: VoiceActivityOptions;
  captureLatencyHint: AudioContextLatencyCategory | number;
  /** The microphone's echoCancellation constraint (default true). */
  echoCancellation: EchoCancellationMode;
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
 * The microphone: getUserMedia, the capture AudioContext and its worklet (resampling, 20 ms
 * chunks, levels, local voice activity), and the chunk/level/speech messages it posts back.
 */
export class MicrophoneCapture {
  trackSettings: MediaTrackSettings | null = null;
  /** The live track's canceller (mode and capability list). */
  echoCanceller: EchoCancellerReport = { mode: null, capabilities: null };
  /** Set when the requested echo-cancellation mode was refused and `true` used instead. */
  echoFallback: string | null = null;
  captureRate: number | null = null;
  resamplerUsed: MediaStats['resampler'] = null;
  chunksSent = 0;
  clippedSamples = 0;
  /** Injected user audio for the current capture node (see AudioWorkletMediaManager.injectUserAudio). */
  injector: UserAudioInjector | null = null;

  constructor(
    private readonly host: MediaHost,
    private readonly opts: MicrophoneCaptureOptions,
    private readonly onChunk: (pcm: ArrayBuffer) => void,
  ) {}

  async open(micId: string | undefined): Promise<MediaStream> {
    let stream: MediaStream;
    const mode = this.opts.echoCancellation;
    const ask = (echoCancellation: EchoCancellationMode) =>
      navigator.mediaDevices.getUserMedia({
        audio: {
          ...(micId ? { deviceId: { exact: micId } } : {}),
          channelCount: 1,
          // The DOM typings know only booleans; 'all' / 'remote-only' are Media Capture Extensions values.
          echoCancellation: echoConstraint(echoCancellation) as boolean,
          noiseSuppression: true,
          autoGainControl: true,
        },
      });
    this.echoFallback = null;
    try {
      try {
        stream = await ask(mode);
      } catch (e) {
        // A browser without the asked-for mode refuses it ({exact}); plain true is still echo cancellation.
        if (typeof mode !== 'string' || (e as { name?: string; constraint?: string }).name !== 'OverconstrainedError' || (e as { constraint?: string }).constraint !== 'echoCancellation') throw e;
        stream = await ask(true);
        this.echoFallback = `'${mode}' refused by the browser; using true`;
      }
    } catch (e) {
      const err = toMicrophoneError(e);
      this.host.callbacks.onDeviceError?.(new DeviceError(['mic'], err.kind, err.message));
      throw err;
    }
    const track = stream.getAudioTracks()[0];
    this.trackSettings = track?.getSettings() ?? null;
    this.echoCanceller = readEchoCanceller(track);
    if (track) {
      track.enabled = this.host.micEnabled;
      track.addEventListener('ended', () => {
        if (this.host.session?.micStream === stream) {
          this.host.callbacks.onTrackStopped?.(track, LOCAL_PARTICIPANT);
          this.host.listener.onMicrophoneLost?.('the microphone stopped (unplugged, or access was revoked)');
        }
      });
    }
    return stream;
  }

  /** `stream` null opens the graph with no microphone attached (injected audio only). */
  async openGraph(partial: Partial<AudioSession>, stream: MediaStream | null, format: MediaFormat): Promise<void> {
    const target = format.inputSampleRate;
    const deviceRate = this.trackSettings?.sampleRate;
    const useBrowser = this.opts.resampler === 'browser';
    const latencyHint = this.opts.captureLatencyHint;
    const ctx = new AudioContext(useBrowser ? { sampleRate: target, latencyHint } : deviceRate ? { sampleRate: deviceRate, latencyHint } : { latencyHint });
    partial.captureContext = ctx;
    await ctx.audioWorklet.addModule(this.opts.captureWorkletUrl);
    const processorOptions: CaptureProcessorOptions = {
      targetRate: target,
      chunkMs: format.chunkMs ?? this.opts.chunkMs,
      resample: !useBrowser,
      vad: this.opts.vad,
      levelsPerSecond: 20,
    };
    // One silent output into the destination keeps the node pulled by the render graph.
    const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    partial.captureNode = node;
    node.onprocessorerror = () => this.host.listener.onMicrophoneLost?.('the capture processor failed');
    node.port.onmessage = (ev: MessageEvent<CaptureToMain>) => this.onMessage(ev.data, ctx);
    this.injector?.rejectAll(new Error('The capture path was reopened; the injected audio was dropped.'));
    this.injector = new UserAudioInjector((msg, transfer) => node.port.postMessage(msg, transfer ?? []));
    if (stream) {
      const source = ctx.createMediaStreamSource(stream);
      partial.captureSource = source;
      source.connect(node);
    }
    node.connect(ctx.destination);
    post(node, { type: 'set-sending', sending: this.host.micEnabled });
    await resumeBounded(ctx);
    this.captureRate = ctx.sampleRate;
    if (useBrowser) this.resamplerUsed = deviceRate === target ? 'none' : 'browser';
    else this.resamplerUsed = ctx.sampleRate === target ? 'none' : 'windowed-sinc';
  }

  /** Points the running graph at a new stream (another microphone). */
  rewire(s: AudioSession, stream: MediaStream): boolean {
    if (!s.captureContext || !s.captureNode) return false;
    s.captureSource?.disconnect();
    s.captureSource = s.captureContext.createMediaStreamSource(stream);
    s.captureSource.connect(s.captureNode);
    return true;
  }

  setSending(s: AudioSession, sending: boolean): void {
    if (s.captureNode) post(s.captureNode, { type: 'set-sending', sending });
  }

  resetStats(): void {
    this.chunksSent = 0;
    this.clippedSamples = 0;
  }

  private onMessage(msg: CaptureToMain, ctx: AudioContext): void {
    switch (msg.type) {
      case 'chunk':
        this.chunksSent++;
        if (this.host.micEnabled || msg.injected) this.onChunk(msg.pcm);
        break;
      case 'inject-done':
        this.injector?.onDone(msg);
        break;
      case 'level':
        this.host.callbacks.onLocalAudioLevel?.(msg.rms);
        break;
      case 'speech': {
        // Capture has no output latency to account for: anchor on the clock as read right now.
        const at = contextTimeToPerformanceMs(msg.contextTime, { contextTime: ctx.currentTime, performanceTime: performance.now() });
        if (msg.started) this.host.listener.onLocalSpeechStarted?.({ at });
        else this.host.listener.onLocalSpeechStopped?.({ at });
        break;
      }
      case 'stats':
        this.clippedSamples = msg.clippedSamples;
        break;
      case 'error':
        this.host.callbacks.onDeviceError?.(new DeviceError(['mic'], 'unknown', msg.message));
        break;
    }
  }
}

function post(node: AudioWorkletNode, msg: MainToCapture): void {
  node.port.postMessage(msg);
}
