/**
 * Maps AudioContext time to the performance.now() timeline. The anchor is a simultaneous pair of
 * readings: AudioContext.getOutputTimestamp() for playback (its contextTime is what is audible at
 * performanceTime, so output latency is included), or (currentTime, performance.now()) read together
 * on the main thread for capture.
 */
export interface ClockAnchor {
  /** Seconds on the AudioContext clock. */
  contextTime: number;
  /** Milliseconds on the performance.now() clock. */
  performanceTime: number;
}

export function contextTimeToPerformanceMs(contextTime: number, anchor: ClockAnchor): number {
  return anchor.performanceTime + (contextTime - anchor.contextTime) * 1000;
}

/** True when an output timestamp is usable (Chrome reports zeros before the first render). */
export function isUsableAnchor(anchor: Partial<ClockAnchor> | undefined): anchor is ClockAnchor {
  return !!anchor && typeof anchor.contextTime === 'number' && typeof anchor.performanceTime === 'number' && anchor.performanceTime > 0 && anchor.contextTime > 0;
}
