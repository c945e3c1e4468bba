import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AudioSession } from './audio-session.ts';
import { EchoRoute } from './echo-route.ts';

describe('EchoRoute.silenceNow', () => {
  afterEach(() => vi.useRealTimers());

  it('mutes the loopback at once on interruption and unmutes once its tail has drained', () => {
    vi.useFakeTimers();
    const route = new EchoRoute('rtc-loopback', () => null, () => undefined, () => undefined);
    route.delayMs = 45;
    const audioElement = { muted: false } as HTMLAudioElement;
    route.silenceNow({ audioElement, playbackPath: 'rtc-loopback' } as AudioSession);
    expect(audioElement.muted).toBe(true);
    vi.advanceTimersByTime(74);
    expect(audioElement.muted, 'still draining').toBe(true);
    vi.advanceTimersByTime(1);
    expect(audioElement.muted).toBe(false);
  });

  it('leaves the other paths alone (the player flush already silences them)', () => {
    const route = new EchoRoute('audio-element', () => null, () => undefined, () => undefined);
    const audioElement = { muted: false } as HTMLAudioElement;
    route.silenceNow({ audioElement, playbackPath: 'audio-element' } as AudioSession);
    expect(audioElement.muted).toBe(false);
    route.silenceNow(null);
  });
});
