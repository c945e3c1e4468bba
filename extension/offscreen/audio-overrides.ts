import type { AudioWorkletMediaManagerOptions } from '../../src/audio/audio-worklet-media-manager.ts';

/**
 * MEASUREMENT HOOK (benches only): a global the benches set in the offscreen document (through the
 * DevTools protocol, before Connect) to A/B the echo path, playback lead and capture latency hint
 * in the built extension. It lives here, not in the library: the offscreen host reads it when it
 * builds each session's media manager. Only these keys are read; anything else is ignored.
 */
export const AUDIO_OVERRIDES_GLOBAL = '__realtimeAudioOverrides';
export type AudioOverrides = Pick<AudioWorkletMediaManagerOptions, 'echoPath' | 'echoCancellation' | 'startThresholdMs' | 'captureLatencyHint' | 'chunkMs' | 'playerRate' | 'capturePath'>;

export function readAudioOverrides(scope: object = globalThis): AudioOverrides {
  const raw = (scope as Record<string, unknown>)[AUDIO_OVERRIDES_GLOBAL];
  if (!raw || typeof raw !== 'object') return {};
  const o = raw as Record<string, unknown>;
  const out: AudioOverrides = {};
  if (o.echoPath === 'auto' || o.echoPath === 'rtc-loopback' || o.echoPath === 'audio-element' || o.echoPath === 'destination') out.echoPath = o.echoPath;
  if (o.echoCancellation === true || o.echoCancellation === false || o.echoCancellation === 'all' || o.echoCancellation === 'remote-only') out.echoCancellation = o.echoCancellation;
  if (typeof o.startThresholdMs === 'number' && Number.isFinite(o.startThresholdMs) && o.startThresholdMs >= 0) out.startThresholdMs = o.startThresholdMs;
  if (o.captureLatencyHint === 'interactive' || o.captureLatencyHint === 'balanced' || o.captureLatencyHint === 'playback') out.captureLatencyHint = o.captureLatencyHint;
  else if (typeof o.captureLatencyHint === 'number' && o.captureLatencyHint >= 0) out.captureLatencyHint = o.captureLatencyHint;
  if (o.chunkMs === 10 || o.chunkMs === 20) out.chunkMs = o.chunkMs;
  if (o.playerRate === 'device' || o.playerRate === 'source') out.playerRate = o.playerRate;
  if (o.capturePath === 'auto' || o.capturePath === 'track-processor' || o.capturePath === 'media-stream-source') out.capturePath = o.capturePath;
  return out;
}
