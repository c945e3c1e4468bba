/**
 * Which echo canceller the microphone runs, and whether it hears the bot on a given playback path.
 *
 * Chrome's canceller historically subtracted only audio that left through WebRTC (a remote track
 * played by the page), so Web Audio output needed the RTCPeerConnection loopback to be cancelled.
 * Chromium now also offers the Media Capture Extensions values: `echoCancellation: 'remote-only'`
 * (the old, WebRTC-only reference) beside `true`, and `'all'` (everything the system plays).
 * Measured on the PulseAudio rig with an acoustic path (BENCHMARKS.md, echo table; Chromium 14x
 * on Linux): with `true` the echo of plain Web Audio output was cancelled by 62 dB and of an
 * <audio> element by 74 dB, while `'remote-only'` left both at full level and cancelled only the
 * WebRTC loopback; `{exact: 'all'}` was refused (OverconstrainedError). So a browser whose track
 * capabilities list 'remote-only' cancels its own Web Audio output under plain `true`; one that
 * does not (older Chrome) is treated as WebRTC-only, and playback goes through the loopback.
 */

/** The values the microphone constraint may take (Media Capture Extensions, echoCancellation). */
export type EchoCancellationMode = boolean | 'all' | 'remote-only';

/** What the microphone track reports about its canceller. */
export interface EchoCancellerReport {
  /** track.getSettings().echoCancellation, normalised (null when absent or unknown). */
  mode: EchoCancellationMode | null;
  /** track.getCapabilities().echoCancellation, when the browser exposes it. */
  capabilities: readonly unknown[] | null;
}

export function isEchoCancellationMode(v: unknown): v is EchoCancellationMode {
  return v === true || v === false || v === 'all' || v === 'remote-only';
}

/** The constraint to ask getUserMedia for: strings only with `exact`, so a refusal is an error, not a silent `true`. */
export function echoConstraint(mode: EchoCancellationMode): boolean | { exact: 'all' | 'remote-only' } {
  return typeof mode === 'string' ? { exact: mode } : mode;
}

/** Reads the canceller's mode and capability list from a live track (any field may be missing). */
export function readEchoCanceller(track: { getSettings?: () => unknown; getCapabilities?: () => unknown } | undefined | null): EchoCancellerReport {
  if (!track) return { mode: null, capabilities: null };
  let mode: EchoCancellationMode | null = null;
  let capabilities: readonly unknown[] | null = null;
  try {
    const s = (track.getSettings?.() ?? {}) as { echoCancellation?: unknown };
    mode = isEchoCancellationMode(s.echoCancellation) ? s.echoCancellation : null;
  } catch {
    /* a stopped track */
  }
  try {
    const c = (track.getCapabilities?.() ?? {}) as { echoCancellation?: unknown };
    capabilities = Array.isArray(c.echoCancellation) ? c.echoCancellation : null;
  } catch {
    /* getCapabilities is missing in some engines */
  }
  return { mode, capabilities };
}

/**
 * Whether the canceller subtracts audio the page plays without WebRTC (Web Audio destination or
 * an <audio> element fed by a MediaStream): `'all'`, or `true` on a browser that also offers
 * `'remote-only'` (so its `true` is the wider, browser-wide reference). Unknown → false.
 */
export function cancelsLocalOutput(r: EchoCancellerReport): boolean {
  if (r.mode === 'all') return true;
  return r.mode === true && !!r.capabilities?.includes('remote-only');
}

/** Whether the canceller covers the given live playback path. */
export function cancelsPath(r: EchoCancellerReport, path: 'rtc-loopback' | 'audio-element' | 'destination' | null): boolean | null {
  if (path === null || r.mode === null) return null;
  if (r.mode === false) return false;
  if (path === 'rtc-loopback') return true;
  return cancelsLocalOutput(r);
}

/**
 * Whether the session's stats say the bot may be heard in the microphone: the canceller's own
 * verdict for the live path when the media manager gives one, else (older managers) echo
 * cancellation off or playback straight to the destination.
 */
export function echoUncancelled(stats: { echoCancellation?: boolean | null; echoCancellationConfirmed?: boolean | null; playbackPath?: string | null }): boolean {
  if (typeof stats.echoCancellationConfirmed === 'boolean') return !stats.echoCancellationConfirmed;
  return stats.echoCancellation === false || stats.playbackPath === 'destination';
}
