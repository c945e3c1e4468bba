import { DeviceError } from '@pipecat-ai/client-js';
import { MicrophoneError, errorMessage } from '../transport/transport-errors.ts';
import { contextTimeToPerformanceMs } from './audio-clock.ts';
import { LOCAL_PARTICIPANT, resumeBounded, type AudioSession, type MediaHost } from './audio-session.ts';
import type { MediaFormat, MediaStats } from './media-manager.ts';
import { UserAudioInjector } from './user-audio-injector.ts';
import type { VoiceActivityOptions } from './voice-activity-detector.ts';
import { echoConstraint, readEchoCanceller, type EchoCancellationMode, type EchoCancellerReport } from './echo-cancellation.ts';
import { TrackFrameSource } from './track-frame-source.ts';
import { CAPTURE_PROCESSOR_NAME, type CaptureProcessorOptions, type CaptureToMain, type MainToCapture } from './worklet-messages.ts';

export type CaptureResampler = 'browser' | 'windowed-sinc';
/**
 * How the microphone reaches the capture worklet: its frames read from the track on the main thread
 * ('track-processor', MediaStreamTrackProcessor) or the node graph ('media-stream-source', a
 * MediaStreamAudioSourceNode). 'auto' takes the track processor where the browser has it.
 */
export type CapturePath = 'auto' | 'track-processor' | 'media-stream-source';

export interface MicrophoneCaptureOptions {
  captureWorkletUrl: string;
  chunkMs: number;
  resampler: CaptureResampler;
  vad?: VoiceActivityOptions;
  captureLatencyHint: AudioContextLatencyCategory | number;
  /** The microphone's echoCancellation constraint (default true). */
  echoCancellation: EchoCancellationMode;
  capturePath: CapturePath;
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
  /** The live path from the microphone into the worklet, and why it is not the one asked for. */
  capturePathUsed: MediaStats['capturePath'] = null;
  capturePathFallback: string | null = null;
  /** The microphone read frame by frame into this node (null on the node-graph path). */
  private frameReader: { source: TrackFrameSource; node: AudioWorkletNode; ctx: AudioContext; partial: Partial<AudioSession> } | null = null;
  /** Why the microphone stays on the node graph for this capture graph (a mixed-in stream, a rate mismatch, a failed reader). */
  private keptOnGraph: string | null = null;
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
    this.capturePathFallback = null;
    // Frames arrive at the track's rate; with Chrome resampling, the context runs at the adapter's.
    this.keptOnGraph = useBrowser ? "Chrome's resampler runs the capture context at the adapter's rate" : null;
    if (stream) this.attachMicrophone(partial, stream, node, ctx);
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
    this.stopFrames();
    s.captureSource?.disconnect();
    s.captureSource = null;
    this.attachMicrophone(s, stream, s.captureNode, s.captureContext);
    return true;
  }

  /**
   * Puts the microphone on the node graph (a MediaStreamAudioSourceNode), for what only the graph
   * can do: mixing another stream into the worklet's input (input-stream-mixer.ts). It stays there
   * for the rest of the capture graph's life; getStats() says so.
   */
  useGraphInput(s: AudioSession, why: string): void {
    if (!this.frameReader || this.frameReader.node !== s.captureNode) return;
    this.keepOnGraph(this.frameReader.source, why);
  }

  /** The microphone into the worklet: frames from the track where asked and possible, else the node graph. */
  private attachMicrophone(target: Partial<AudioSession>, stream: MediaStream, node: AudioWorkletNode, ctx: AudioContext): void {
    const track = stream.getAudioTracks()[0];
    const wanted = this.opts.capturePath;
    if (track && wanted !== 'media-stream-source') {
      if (this.keptOnGraph) this.capturePathFallback = this.keptOnGraph;
      else if (!TrackFrameSource.supported()) {
        if (wanted === 'track-processor') this.capturePathFallback = 'MediaStreamTrackProcessor is not available in this browser';
      } else {
        try {
          this.readFrames(target, track, node, ctx);
          return;
        } catch (e) {
          this.capturePathFallback = `the track processor did not start (${errorMessage(e)})`;
        }
      }
    }
    const source = ctx.createMediaStreamSource(stream);
    target.captureSource = source;
    source.connect(node);
    this.capturePathUsed = 'media-stream-source';
  }

  private readFrames(target: Partial<AudioSession>, track: MediaStreamTrack, node: AudioWorkletNode, ctx: AudioContext): void {
    const source: TrackFrameSource = new TrackFrameSource(track, {
      onFrame: (samples, rate, capturedAt) => {
        // The worklet's resampler and VAD run at the context rate: frames at another rate cannot go in as they are.
        if (rate !== ctx.sampleRate) this.keepOnGraph(source, `the microphone's frames are at ${rate} Hz and the capture context at ${ctx.sampleRate} Hz`);
        else node.port.postMessage({ type: 'mic-frame', samples, capturedAt } satisfies MainToCapture, [samples.buffer]);
      },
      onEnd: (reason) => {
        if (track.readyState === 'live') this.keepOnGraph(source, reason);
        else if (this.frameReader?.source === source) this.frameReader = null;
      },
    });
    this.frameReader = { source, node, ctx, partial: target };
    target.captureSource = null;
    this.capturePathUsed = 'track-processor';
  }

  /** Moves the microphone from frames onto the node graph for the rest of this capture graph's life. */
  private keepOnGraph(source: TrackFrameSource, why: string): void {
    const r = this.frameReader;
    if (!r || r.source !== source) return;
    this.stopFrames();
    this.keptOnGraph = why;
    this.capturePathFallback = why;
    if (r.ctx.state === 'closed') return;
    // The session object is built from the connect's partial once both graphs are open.
    const live = this.host.session?.captureNode === r.node ? this.host.session : r.partial;
    const stream = live.micStream;
    if (!stream || stream.getAudioTracks()[0]?.readyState !== 'live') return;
    this.attachMicrophone(live, stream, r.node, r.ctx);
  }

  /** Stops reading frames (the capture graph closes, or the microphone changes). */
  stopFrames(): void {
    this.frameReader?.source.stop();
    this.frameReader = null;
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
        // Frames carry their capture time; otherwise capture has no output latency to account for: anchor on the clock as read right now.
        const at = msg.performanceTime ?? contextTimeToPerformanceMs(msg.contextTime, { contextTime: ctx.currentTime, performanceTime: performance.now() });
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
