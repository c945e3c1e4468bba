/**
 * A MediaStreamTrack that plays the PCM16 chunks the capture path produces (microphone, injected
 * audio, mute applied), for adapters that send audio on a peer connection. The chunks are
 * scheduled back to back on an AudioContext into a MediaStreamAudioDestinationNode: no worklet,
 * so nothing beyond the packaged ones is loaded.
 */
export class PcmTrackSource {
  private readonly ctx: AudioContext;
  private readonly dest: MediaStreamAudioDestinationNode;
  /** Context time at which the next chunk starts. */
  private cursor = 0;

  /** Lead kept ahead of the audio clock, so chunks arriving with jitter still join without gaps. */
  static readonly LEAD_S = 0.04;
  /** More queued than this (a stalled clock) is dropped rather than delaying the user's voice. */
  static readonly MAX_AHEAD_S = 0.5;

  constructor(private readonly sampleRate: number) {
    this.ctx = new AudioContext({ sampleRate });
    this.dest = this.ctx.createMediaStreamDestination();
    this.dest.channelCount = 1;
  }

  get track(): MediaStreamTrack {
    return this.dest.stream.getAudioTracks()[0];
  }

  resume(): Promise<void> {
    return this.ctx.state === 'running' ? Promise.resolve() : this.ctx.resume().catch(() => undefined);
  }

  push(pcm: Int16Array): void {
    if (pcm.length === 0 || this.ctx.state === 'closed') return;
    const now = this.ctx.currentTime;
    if (this.cursor < now) this.cursor = now + PcmTrackSource.LEAD_S;
    if (this.cursor - now > PcmTrackSource.MAX_AHEAD_S) return;
    const buf = this.ctx.createBuffer(1, pcm.length, this.sampleRate);
    const ch = buf.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i] / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.dest);
    src.start(this.cursor);
    this.cursor += pcm.length / this.sampleRate;
  }

  async close(): Promise<void> {
    this.track?.stop();
    await this.ctx.close().catch(() => undefined);
  }
}
