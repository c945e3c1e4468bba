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

describe("EchoRoute 'auto'", () => {
  const session = () => ({ playbackPath: 'destination', loopback: null }) as unknown as AudioSession;
  const routeWith = (mode: boolean | 'remote-only', capabilities: unknown[] | null) => {
    const route = new EchoRoute('auto', () => null, () => undefined, () => undefined, () => ({ mode, capabilities }));
    const upgrade = vi.spyOn(route as unknown as { upgrade(s: AudioSession): Promise<void> }, 'upgrade').mockResolvedValue(undefined);
    return { route, upgrade };
  };

  it('moves onto the loopback only where a WebRTC-only canceller runs; with no canceller (headphones) the loopback cancels nothing and stays off', () => {
    const webrtcOnly = routeWith(true, [true, false]);
    webrtcOnly.route.started(session());
    expect(webrtcOnly.upgrade).toHaveBeenCalledOnce();
    const systemWide = routeWith(true, [true, false, 'remote-only']);
    systemWide.route.started(session());
    expect(systemWide.upgrade).not.toHaveBeenCalled();
    const off = routeWith(false, [true, false, 'remote-only']);
    off.route.started(session());
    expect(off.upgrade, 'echoCancellation false: the loopback would only add latency').not.toHaveBeenCalled();
  });
});
