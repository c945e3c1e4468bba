import type { Participant, RTVIEventCallbacks } from '@pipecat-ai/client-js';
import type { MediaEventsListener, MediaStats } from './media-manager.ts';

/**
 * Everything one media connect() opens, shared by the capture, playback, echo-route and camera
 * modules; the manager's disconnect() closes all of it with closeAudioSession().
 */
export interface AudioSession {
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

export const LOCAL_PARTICIPANT: Participant = { id: 'local', name: '', local: true };
export const BOT_PARTICIPANT: Participant = { id: 'bot', name: 'Bot', local: false };
const RESUME_TIMEOUT_MS = 1500;

export function hasDom(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices;
}

/** Resolves with the promise's value, or with `fallback` after `ms` (never rejects on timeout). */
export function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
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

export function stopStream(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

export async function resumeBounded(ctx: AudioContext): Promise<void> {
  if (ctx.state === 'running') return;
  // resume() can wait for a user gesture forever; the context then starts on the next gesture.
  await withTimeout(ctx.resume().then(() => true), RESUME_TIMEOUT_MS, false).catch(() => false);
}

/** Bounded play() of an element (autoplay policy may hold it until a gesture). */
export async function playBounded(audio: HTMLAudioElement): Promise<void> {
  await withTimeout(audio.play().then(() => true), RESUME_TIMEOUT_MS, false).catch(() => false);
}

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    /* already closed */
  }
}

function closeWorkletNode(node: AudioWorkletNode): void {
  quietly(() => {
    node.port.onmessage = null;
    node.port.close();
    node.disconnect();
  });
}

/** Closes whatever part of a session exists; never throws. */
export async function closeAudioSession(s: Partial<AudioSession>): Promise<void> {
  if (s.camTimer) clearInterval(s.camTimer);
  if (s.delayTimer) clearInterval(s.delayTimer);
  if (s.camStream) stopStream(s.camStream);
  if (s.micStream) stopStream(s.micStream);
  if (s.captureSource) quietly(() => s.captureSource!.disconnect());
  if (s.captureNode) closeWorkletNode(s.captureNode);
  if (s.playerNode) closeWorkletNode(s.playerNode);
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

/** What the manager's parts read from it: the app's callbacks (replaced by setClientOptions) and the open session. */
export interface MediaHost {
  readonly callbacks: RTVIEventCallbacks;
  readonly listener: MediaEventsListener;
  readonly micEnabled: boolean;
  readonly session: AudioSession | null;
}
