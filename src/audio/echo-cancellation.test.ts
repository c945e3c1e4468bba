import { describe, expect, it } from 'vitest';
import { cancelsLocalOutput, cancelsPath, echoConstraint, echoUncancelled, readEchoCanceller } from './echo-cancellation.ts';

const track = (settings: unknown, caps?: unknown) => ({ getSettings: () => settings, ...(caps === undefined ? {} : { getCapabilities: () => caps }) });

describe('echo canceller report', () => {
  it('reads the mode and the capability list, and tolerates engines without getCapabilities', () => {
    expect(readEchoCanceller(track({ echoCancellation: true }, { echoCancellation: [true, false, 'remote-only'] }))).toEqual({ mode: true, capabilities: [true, false, 'remote-only'] });
    expect(readEchoCanceller(track({ echoCancellation: 'remote-only' }))).toEqual({ mode: 'remote-only', capabilities: null });
    expect(readEchoCanceller(track({ echoCancellation: 'bogus' }, { echoCancellation: 'x' }))).toEqual({ mode: null, capabilities: null });
    expect(readEchoCanceller(null)).toEqual({ mode: null, capabilities: null });
    const throwing = { getSettings: () => ({ echoCancellation: false }), getCapabilities: () => { throw new Error('no'); } };
    expect(readEchoCanceller(throwing)).toEqual({ mode: false, capabilities: null });
  });

  it("counts Web Audio output as cancelled only for 'all', or true where 'remote-only' is offered beside it", () => {
    expect(cancelsLocalOutput({ mode: true, capabilities: [true, false, 'remote-only'] })).toBe(true);
    expect(cancelsLocalOutput({ mode: true, capabilities: [true, false] })).toBe(false);
    expect(cancelsLocalOutput({ mode: true, capabilities: null })).toBe(false);
    expect(cancelsLocalOutput({ mode: 'all', capabilities: null })).toBe(true);
    expect(cancelsLocalOutput({ mode: 'remote-only', capabilities: [true, false, 'remote-only'] })).toBe(false);
    expect(cancelsLocalOutput({ mode: false, capabilities: [true, false, 'remote-only'] })).toBe(false);
  });

  it('says per live path whether the echo is cancelled, null when unknown', () => {
    const wide = { mode: true, capabilities: [true, false, 'remote-only'] } as const;
    const webrtcOnly = { mode: true, capabilities: [true, false] } as const;
    expect(cancelsPath(wide, 'destination')).toBe(true);
    expect(cancelsPath(webrtcOnly, 'destination')).toBe(false);
    expect(cancelsPath(webrtcOnly, 'rtc-loopback')).toBe(true);
    expect(cancelsPath({ mode: 'remote-only', capabilities: null }, 'rtc-loopback')).toBe(true);
    expect(cancelsPath({ mode: false, capabilities: null }, 'rtc-loopback')).toBe(false);
    expect(cancelsPath({ mode: null, capabilities: null }, 'destination')).toBeNull();
    expect(cancelsPath(wide, null)).toBeNull();
  });

  it('asks for string modes with exact, so a browser without them refuses instead of choosing', () => {
    expect(echoConstraint('all')).toEqual({ exact: 'all' });
    expect(echoConstraint(true)).toBe(true);
    expect(echoConstraint(false)).toBe(false);
  });
});

describe('echoUncancelled', () => {
  it("trusts the manager's verdict for the live path, else falls back to the old rule", () => {
    expect(echoUncancelled({ echoCancellation: true, playbackPath: 'destination', echoCancellationConfirmed: true })).toBe(false);
    expect(echoUncancelled({ echoCancellation: true, playbackPath: 'destination', echoCancellationConfirmed: false })).toBe(true);
    expect(echoUncancelled({ echoCancellation: true, playbackPath: 'destination' })).toBe(true);
    expect(echoUncancelled({ echoCancellation: true, playbackPath: 'rtc-loopback', echoCancellationConfirmed: null })).toBe(false);
    expect(echoUncancelled({ echoCancellation: false, playbackPath: 'rtc-loopback' })).toBe(true);
  });
});
