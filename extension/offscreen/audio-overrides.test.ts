import { describe, expect, it } from 'vitest';
import { AUDIO_OVERRIDES_GLOBAL, readAudioOverrides } from './audio-overrides.ts';

describe('readAudioOverrides (bench hook)', () => {
  it('takes the echo path, playback lead and capture latency hint, ignoring other keys', () => {
    const scope = { [AUDIO_OVERRIDES_GLOBAL]: { echoPath: 'destination', startThresholdMs: 0, captureLatencyHint: 0.005, interruptTimeoutMs: 1 } };
    expect(readAudioOverrides(scope)).toEqual({ echoPath: 'destination', startThresholdMs: 0, captureLatencyHint: 0.005 });
  });

  it('drops invalid values and reads nothing when the global is absent', () => {
    expect(readAudioOverrides({ [AUDIO_OVERRIDES_GLOBAL]: { echoPath: 'nowhere', startThresholdMs: -5, captureLatencyHint: 'fastest' } })).toEqual({});
    expect(readAudioOverrides({})).toEqual({});
  });

  it('takes a 10 or 20 ms capture chunk and the player rate, nothing else', () => {
    expect(readAudioOverrides({ [AUDIO_OVERRIDES_GLOBAL]: { chunkMs: 10, playerRate: 'source' } })).toEqual({ chunkMs: 10, playerRate: 'source' });
    expect(readAudioOverrides({ [AUDIO_OVERRIDES_GLOBAL]: { chunkMs: 5, playerRate: 96000 } })).toEqual({});
    expect(readAudioOverrides({ [AUDIO_OVERRIDES_GLOBAL]: { capturePath: 'media-stream-source' } })).toEqual({ capturePath: 'media-stream-source' });
    expect(readAudioOverrides({ [AUDIO_OVERRIDES_GLOBAL]: { capturePath: 'worklet' } })).toEqual({});
  });
});
