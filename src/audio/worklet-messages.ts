/**
 * The port protocol between AudioWorkletMediaManager and its two processors. Types only, so the
 * worklet bundles stay self-contained (`import type` is erased).
 */
import type { VoiceActivityOptions } from './voice-activity-detector.ts';

export const CAPTURE_PROCESSOR_NAME = 'pcm-capture-processor';
export const PLAYER_PROCESSOR_NAME = 'pcm-player-processor';

export interface CaptureProcessorOptions {
  /** Rate the adapter sends (the chunks' rate). */
  targetRate: number;
  chunkMs: number;
  /** Resample in the worklet (windowed sinc) when the context rate differs from targetRate. */
  resample: boolean;
  vad?: VoiceActivityOptions;
  levelsPerSecond?: number;
}

export type CaptureToMain =
  /** `injected`: cut from injected audio (see MainToCapture 'inject'), sent even while muted. */
  | { type: 'chunk'; pcm: ArrayBuffer; injected?: boolean }
  /** An injection was consumed (or cancelled): `frames` of it went through, at the context rate. */
  | { type: 'inject-done'; id: number; frames: number; chunks: number; cancelled: boolean }
  | { type: 'level'; rms: number }
  /** `performanceTime`: the onset on the page's performance clock, when the audio came as frames with their capture time. */
  | { type: 'speech'; started: boolean; contextTime: number; performanceTime?: number }
  | { type: 'stats'; chunksSent: number; clippedSamples: number }
  | { type: 'error'; message: string };

export type MainToCapture =
  | { type: 'set-sending'; sending: boolean }
  | { type: 'stats-request' }
  /**
   * Mono audio at the context rate that replaces the processor's input, one render quantum at a
   * time (so it is paced in real time by the audio clock), until it runs out. Queued injections
   * play back to back.
   */
  | { type: 'inject'; id: number; samples: Float32Array }
  | { type: 'inject-cancel'; id: number }
  /**
   * One frame of the microphone, mono at the context rate, read from the track on the main thread
   * (track-frame-source.ts) instead of arriving as the node's input. Processed as it arrives;
   * dropped while an injection replaces the input. `capturedAt`: its first sample's capture time on
   * the page's performance clock (track-frame-source.ts), so speech onsets are dated by the
   * capture, not by when a busy main thread got the frame here.
   */
  | { type: 'mic-frame'; samples: Float32Array; capturedAt?: number };

export interface PlayerProcessorOptions {
  /** Rate of the pushed PCM (the adapter's output rate); resampled to the context's rate when they differ. */
  sourceRate?: number;
  startThresholdMs: number;
  stopHoldMs?: number;
  maxBufferedMs?: number;
  levelsPerSecond?: number;
  progressPerSecond?: number;
}

export type MainToPlayer =
  | { type: 'push'; pcm: ArrayBuffer; itemId: string; seq: number }
  | { type: 'clear'; requestId: number };

export type PlayerToMain =
  | { type: 'transition'; started: boolean; itemId: string; contextTime: number; playedSamples: number; lastSeq: number }
  | { type: 'cleared'; requestId: number; played: Record<string, number>; contextTime: number; lastSeq: number }
  /** Sample counts (played, bufferedSamples) are in the source's rate; droppedSamples in the context's. */
  | { type: 'progress'; played: Record<string, number>; bufferedSamples: number; underruns: number; droppedSamples: number; active: boolean; lastSeq: number }
  | { type: 'level'; rms: number }
  | { type: 'error'; message: string };
