import micLevelWorkletUrl from './mic-level-processor.ts?worker&url';

export interface MicTestReport {
  /** RMS of the last ~50 ms block, 0…1. */
  level: number;
  peak: number;
  framesCaptured: number;
  captureRate: number;
  trackLabel: string;
}

/**
 * `Test microphone` outside a session: opens the microphone, runs it through a level worklet and
 * reports what it hears. Closes the track and the AudioContext on stop.
 */
export class MicTest {
  private stream: MediaStream | null = null;
  private context: AudioContext | null = null;
  private node: AudioWorkletNode | null = null;

  get active(): boolean {
    return this.stream !== null;
  }

  async start(onReport: (r: MicTestReport) => void, deviceId?: string): Promise<void> {
    if (this.active) return;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { deviceId: deviceId ? { exact: deviceId } : undefined, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    this.stream = stream;
    try {
      const context = new AudioContext();
      this.context = context;
      await context.audioWorklet.addModule(micLevelWorkletUrl);
      const node = new AudioWorkletNode(context, 'mic-level-processor', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
      this.node = node;
      const label = stream.getAudioTracks()[0]?.label ?? '';
      node.port.onmessage = (e: MessageEvent<{ rms: number; peak: number; frames: number; sampleRate: number }>) => {
        onReport({ level: e.data.rms, peak: e.data.peak, framesCaptured: e.data.frames, captureRate: e.data.sampleRate, trackLabel: label });
      };
      context.createMediaStreamSource(stream).connect(node);
      // The node writes silence; connecting it keeps the graph pulling it on every render quantum.
      node.connect(context.destination);
      if (context.state !== 'running') await context.resume();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.node?.port.close();
    this.node?.disconnect();
    this.node = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    const ctx = this.context;
    this.context = null;
    if (ctx && ctx.state !== 'closed') await ctx.close();
  }
}
