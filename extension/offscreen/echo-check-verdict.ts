/**
 * The verdict of the panel's echo check: how much of a speech-like probe played on the speakers
 * came back through the microphone, against the provider VAD energy threshold the fakes use
 * (RMS 0.02 per chunk; test/fakes/fake-openai-server.ts) with the 10 dB margin.
 */
export const VAD_RMS_THRESHOLD = 0.02;
export const MARGIN_DB = 10;
/** Residue at or below this (dBFS) cannot fire an energy VAD at 0.02 RMS, with 10 dB to spare. */
export const CANCELLED_BELOW_DBFS = 20 * Math.log10(VAD_RMS_THRESHOLD) - MARGIN_DB;
/** Residue within this of the room's own level is the room, not echo. */
const ROOM_MARGIN_DB = 3;

export type EchoVerdict = 'echo cancelled' | 'wear headphones';

export interface EchoCheckOutcome {
  /** 95th percentile (nearest rank) of the microphone's block RMS during the probe, dBFS. */
  residueDb: number;
  /** The same before the probe (the room), dBFS. */
  backgroundDb: number;
  verdict: EchoVerdict;
}

export const toDbfs = (rms: number) => 20 * Math.log10(Math.max(rms, 1e-6));

/** Nearest-rank percentile of `xs` (q in 0..1); −Infinity-safe for empty input (returns 0). */
export function nearestRank(xs: readonly number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/**
 * `probe`: block RMS values captured while the probe played, after the canceller's settling time;
 * `background`: block RMS values captured just before it. The echo counts as cancelled when what
 * the microphone heard during the probe stays 10 dB under the VAD threshold, or is no louder than
 * the room already was (then the room, not the echo, is what a VAD would hear).
 */
export function echoVerdict(probe: readonly number[], background: readonly number[]): EchoCheckOutcome {
  const residueDb = toDbfs(nearestRank(probe, 0.95));
  const backgroundDb = toDbfs(nearestRank(background, 0.95));
  const cancelled = residueDb <= CANCELLED_BELOW_DBFS || residueDb <= backgroundDb + ROOM_MARGIN_DB;
  return { residueDb, backgroundDb, verdict: cancelled ? 'echo cancelled' : 'wear headphones' };
}
