/**
 * The frame observer: every provider frame in both directions, as the inspector's raw view shows it.
 * Payloads are JSON-safe, audio is summarised (never base64) and secrets are already `[redacted]`.
 */
export type FrameDirection = 'in' | 'out';

export interface AudioSummary {
  /** Bytes of PCM carried (decoded, not base64). */
  bytes: number;
  /** Duration in ms at the frame's sample rate. */
  durationMs: number;
  sampleRate: number;
}

export interface FrameRecord {
  /** Sequence id, unique within one transport instance, increasing. */
  id: number;
  /** Monotonic ms since the current connect() call. */
  t: number;
  /** Wall-clock ms (Date.now()) for absolute timestamps. */
  wall: number;
  direction: FrameDirection;
  /** The provider's own message type: `session.update`, `setupComplete`, `serverContent`, … */
  type: string;
  /** Size on the wire in bytes. */
  bytes: number;
  /** The frame as JSON with audio replaced by summaries and secrets by `[redacted]`. */
  payload: unknown;
  /** Present when the frame carried audio. */
  audio?: AudioSummary;
  /** Set when the frame could not be parsed; payload then holds a text excerpt. */
  malformed?: boolean;
}

/** An RTVI message as the transport emitted it, with the raw frames it came from. */
export interface RtviRecord {
  t: number;
  wall: number;
  type: string;
  data: unknown;
  /** Ids of the FrameRecords this message was derived from (may be empty for local events). */
  sourceFrameIds: number[];
}

export interface TransportObserver {
  onFrame?(frame: FrameRecord): void;
  onRtvi?(record: RtviRecord): void;
}

export const REDACTED = '[redacted]';
