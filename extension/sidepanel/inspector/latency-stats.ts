import type { TurnMetrics } from '../../inspector-core/session-metrics.ts';

/** Nearest-rank percentile (p in 0..100) of the non-null values, or null when there are none. */
export function percentile(values: ReadonlyArray<number | null>, p: number): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * v.length);
  return v[Math.max(0, rank - 1)]!;
}

/**
 * The two stages of a voice-to-voice turn: the provider's part (user stop → first audio from the
 * provider) and the panel's part (first audio → the bot audibly starting: buffering and playout).
 * A turn measured only in part gives null for what it lacks.
 */
export function turnStages(t: TurnMetrics): { provider: number | null; playout: number | null } {
  const provider = t.timeToFirstAudioMs;
  const playout = t.voiceToVoiceMs !== null && provider !== null ? Math.max(0, t.voiceToVoiceMs - provider) : null;
  return { provider, playout };
}

/** Round axis ticks (0 and 2–4 more) covering `max` ms. */
export function axisTicks(max: number): number[] {
  if (!(max > 0)) return [0];
  const rough = max / 3;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(v);
  if (ticks.at(-1)! < max) ticks.push(ticks.at(-1)! + step);
  return ticks;
}
