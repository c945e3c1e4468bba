import type { AudioSummary } from '../../src/transport/frame-observer.ts';

/**
 * One row of the event log, as the session host records it and the panel renders it. JSON-safe:
 * it crosses the runtime Port and is what `Export events` writes (one per line).
 */
export interface LogEvent {
  /** Host-wide sequence number, increasing across sessions; the panel's key. */
  seq: number;
  /** Which connect() this belongs to (1, 2, …). */
  session: number;
  /** ms since that session's connect() call (monotonic clock). */
  t: number;
  /** Wall-clock ms, for absolute timestamps on hover. */
  wall: number;
  /** `rtvi`: an RTVI message; `raw`: a provider frame; `transport`: state, device and host events. */
  source: 'rtvi' | 'raw' | 'transport';
  /** `out` = to the provider, `in` = from the provider, `local` = produced in the client. */
  direction: 'in' | 'out' | 'local';
  /** RTVI type in kebab case, the provider's own frame type, or a transport event name. */
  type: string;
  /** Payload with audio summarised and secrets `[redacted]`. */
  data: unknown;
  /** Wire size of raw frames. */
  bytes?: number;
  /** Raw frames: the transport's frame id. */
  frameId?: number;
  /** RTVI rows: ids of the raw frames they came from. */
  sourceFrameIds?: number[];
  audio?: AudioSummary;
  malformed?: boolean;
}
