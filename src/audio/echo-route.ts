import { MicrophoneError, errorMessage } from '../transport/transport-errors.ts';
import { closeAudioSession, playBounded, withTimeout, type AudioSession } from './audio-session.ts';
import { cancelsLocalOutput, type EchoCancellerReport } from './echo-cancellation.ts';

export type EchoPath = 'auto' | 'rtc-loopback' | 'audio-element' | 'destination';

const LOOPBACK_TIMEOUT_MS = 3000;
const OPUS_PACKET_MS = 10;
const LOOPBACK_DELAY_POLL_MS = 2000;
/** The loopback's drain after a flush: its measured delay plus a packet and a render quantum of slack. */
const LOOPBACK_DRAIN_MIN_MS = 60;
const LOOPBACK_DRAIN_SLACK_MS = 30;

/**
 * Where bot playback goes. Chrome's echo canceller used to subtract only audio that left through
 * WebRTC, so the echo-cancelled route plays the player's output through a local RTCPeerConnection
 * pair into an <audio> element. Chromium whose canceller covers its own Web Audio output (see
 * echo-cancellation.ts, measured on the rig) needs none of that: 'auto' then stays on the
 * destination, the fastest path. 'destination' always plays straight out, 'audio-element' skips WebRTC.
 */
export class EchoRoute {
  /** The loopback's own delay (jitter buffer + packetisation), added to playback timestamps. */
  delayMs = 0;

  constructor(
    private readonly path: EchoPath,
    private readonly currentSession: () => AudioSession | null,
    private readonly speakerId: () => string | undefined,
    /** The chosen speaker could not be used; playback stays on the default output. */
    private readonly onSpeakerUnavailable: (speakerId: string, e: unknown) => void,
    /** The microphone's canceller, once open; null without a microphone. */
    private readonly canceller: () => EchoCancellerReport | null = () => null,
  ) {}

  async route(partial: Partial<AudioSession>, ctx: AudioContext, node: AudioWorkletNode): Promise<void> {
    this.delayMs = 0;
    const path = this.path;
    // 'auto' does not hold `ready` for the loopback (a local ICE negotiation, up to LOOPBACK_TIMEOUT_MS
    // when mDNS candidates do not resolve): it starts on the destination and upgrades in the background.
    if (path === 'rtc-loopback') {
      try {
        await this.throughLoopback(partial, ctx, node);
        return;
      } catch (e) {
        await closeAudioSession({ loopback: partial.loopback, audioElement: partial.audioElement, streamDestination: partial.streamDestination });
        partial.loopback = undefined;
        partial.audioElement = undefined;
        partial.streamDestination = undefined;
        node.disconnect();
        throw new MicrophoneError('unknown', `Playback through the echo-cancelled path failed: ${errorMessage(e)}`);
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
    await this.applyChosenSpeaker((id) => setContextSink(ctx, id));
  }

  /** A vanished speaker is not a reason to fail the session: fall back to the default output. */
  private async applyChosenSpeaker(apply: (id: string) => Promise<void>): Promise<void> {
    const speaker = this.speakerId();
    if (!speaker) return;
    try {
      await apply(speaker);
    } catch (e) {
      this.onSpeakerUnavailable(speaker, e);
    }
  }

  /** Called once the session is assembled: starts the delay poll or the 'auto' upgrade. */
  started(session: AudioSession): void {
    if (session.loopback) this.startDelayPoll(session);
    if (this.path !== 'auto' || session.playbackPath !== 'destination') return;
    // The canceller already hears Web Audio output: the loopback would only add latency.
    const c = this.canceller();
    if (c && cancelsLocalOutput(c)) return;
    // No canceller at all (echoCancellation false, as with headphones): the loopback would cancel
    // nothing and add its delay (+65 to +92 ms receive-to-ear on the rig).
    if (c && c.mode === false) return;
    void this.upgrade(session);
  }

  /**
   * Interruption on the loopback: the player's flush stops new samples, but what already left it
   * still drains through Opus and the receiver's jitter buffer (tens of ms, measured as barge-in-to-
   * silence on the rig). Muting the <audio> element silences it at once; it is unmuted once that
   * tail has drained, before the next reply's first samples can arrive through the same pipeline.
   */
  silenceNow(session: AudioSession | null): void {
    const el = session?.audioElement;
    if (!el || session.playbackPath !== 'rtc-loopback') return;
    el.muted = true;
    if (this.unmuteTimer) clearTimeout(this.unmuteTimer);
    this.unmuteTimer = setTimeout(() => {
      this.unmuteTimer = null;
      el.muted = false;
    }, Math.max(LOOPBACK_DRAIN_MIN_MS, this.delayMs + LOOPBACK_DRAIN_SLACK_MS));
  }

  private unmuteTimer: ReturnType<typeof setTimeout> | null = null;

  /** Moves the output to another speaker; resolves when the sink took it. */
  setSpeaker(session: AudioSession | null, speakerId: string): Promise<void> {
    if (session?.audioElement) return setElementSink(session.audioElement, speakerId);
    if (session) return setContextSink(session.playerContext, speakerId);
    return Promise.resolve();
  }

  private async throughLoopback(partial: Partial<AudioSession>, ctx: AudioContext, node: AudioWorkletNode, upgrading = false): Promise<void> {
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
  private async upgrade(session: AudioSession): Promise<void> {
    const trial: Partial<AudioSession> = {};
    session.upgradingPlayback = true;
    try {
      await this.throughLoopback(trial, session.playerContext, session.playerNode, true);
    } catch {
      session.upgradingPlayback = false;
      await closeAudioSession({ loopback: trial.loopback, audioElement: trial.audioElement, streamDestination: trial.streamDestination });
      return;
    }
    session.upgradingPlayback = false;
    if (this.currentSession() !== session) {
      await closeAudioSession({ loopback: trial.loopback, audioElement: trial.audioElement, streamDestination: trial.streamDestination });
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
    this.startDelayPoll(session);
  }

  private startDelayPoll(session: AudioSession): void {
    this.delayMs = OPUS_PACKET_MS;
    session.delayTimer = setInterval(() => void this.measureDelay(session), LOOPBACK_DELAY_POLL_MS);
  }

  private async measureDelay(s: AudioSession): Promise<void> {
    const pc = s.loopback?.[1];
    if (!pc) return;
    try {
      const report = await pc.getStats();
      report.forEach((r: { type?: string; kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.jitterBufferEmittedCount) {
          this.delayMs = ((r.jitterBufferDelay ?? 0) / r.jitterBufferEmittedCount) * 1000 + OPUS_PACKET_MS;
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
    await this.applyChosenSpeaker((id) => setElementSink(audio, id));
    await playBounded(audio);
    return audio;
  }
}

/** Adds `a=ptime:10` to the audio section of an SDP (Chrome's Opus encoder follows the remote ptime). */
export function withShortOpusPackets(sdp: string): string {
  if (/^a=ptime:/m.test(sdp)) return sdp.replace(/^a=ptime:\d+/m, `a=ptime:${OPUS_PACKET_MS}`);
  return sdp.replace(/(^a=rtpmap:\d+ opus\/48000[^\r\n]*\r?\n)/im, `$1a=ptime:${OPUS_PACKET_MS}\r\n`);
}

async function setElementSink(audio: HTMLAudioElement, sinkId: string): Promise<void> {
  const el = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (typeof el.setSinkId === 'function') await el.setSinkId(sinkId === 'default' ? '' : sinkId);
}

async function setContextSink(ctx: AudioContext, sinkId: string): Promise<void> {
  const c = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
  if (typeof c.setSinkId === 'function') await c.setSinkId(sinkId === 'default' ? '' : sinkId);
}
