import { resumeBounded } from './audio-session.ts';
import { CAPTURE_PROCESSOR_NAME, type CaptureProcessorOptions, type CaptureToMain } from './worklet-messages.ts';
import { defaultCaptureWorkletUrl } from './worklet-urls.ts';

/**
 * PCM16 chunks of a remote WebRTC audio track (a bot's), cut by the same packaged capture worklet
 * as the microphone, so an adapter whose audio arrives on a peer connection can queue it into the
 * media manager's player like any other bot audio (playback events, level meter, recordings).
 * Packaged worklet URL only: extension CSP refuses blob: worklets.
 */
export class RemoteAudioTap {
  private ctx: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;
  private element: HTMLAudioElement | null = null;

  constructor(
    private readonly onChunk: (pcm: Int16Array) => void,
    private readonly sampleRate: number,
    private readonly chunkMs = 20,
    private readonly workletUrl = defaultCaptureWorkletUrl,
  ) {}

  async start(track: MediaStreamTrack): Promise<void> {
    const stream = new MediaStream([track]);
    // Chromium renders a remote WebRTC track into Web Audio only while a media element consumes it
    // too (crbug.com/933677); the element is muted, the player is what is heard.
    if (typeof Audio !== 'undefined') {
      const el = new Audio();
      el.muted = true;
      el.srcObject = stream;
      this.element = el;
      void el.play().catch(() => undefined);
    }
    const ctx = new AudioContext({ sampleRate: this.sampleRate });
    this.ctx = ctx;
    await ctx.audioWorklet.addModule(this.workletUrl);
    const processorOptions: CaptureProcessorOptions = { targetRate: this.sampleRate, chunkMs: this.chunkMs, resample: true, levelsPerSecond: 1 };
    const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions });
    this.node = node;
    node.port.onmessage = (ev: MessageEvent<CaptureToMain>) => {
      if (ev.data.type === 'chunk') this.onChunk(new Int16Array(ev.data.pcm));
    };
    ctx.createMediaStreamSource(stream).connect(node);
    // The node's silent output keeps it pulled by the render graph.
    node.connect(ctx.destination);
    await resumeBounded(ctx);
  }

  async stop(): Promise<void> {
    const { ctx, node, element } = this;
    this.ctx = null;
    this.node = null;
    this.element = null;
    if (node) node.port.onmessage = null;
    node?.disconnect();
    if (element) {
      element.pause();
      element.srcObject = null;
    }
    await ctx?.close().catch(() => undefined);
  }
}
