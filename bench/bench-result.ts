import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(BENCH_DIR, 'results');
/** Repetitions of each measurement (scripts/bench.mjs sets it; 5 by default). */
export const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 5));

/** Ids of the rows of design.md's Quality bars table, in its order. */
export type BarId =
  | 'capture-chunk'
  | 'client-added-latency'
  | 'barge-in'
  | 'external-latency'
  | 'resampling'
  | 'speaking-events'
  | 'inspector'
  | 'connect'
  | 'connect-speed'
  | 'keys';

export interface BarRow {
  id: BarId;
  /** Our figure, as it should read in the table. */
  ours: string;
  /** The peers' figure from the same run, if reproduced. */
  baseline?: string;
  /** true/false when measured; null when not measured (say why in `note`). */
  met: boolean | null;
  note?: string;
}

export interface BenchResult {
  /** Section name in BENCHMARKS.md (kebab-case). */
  section: string;
  /** The section's markdown body, heading included. */
  markdown: string;
  bars: BarRow[];
  /** Raw figures, for anyone who wants more than the table. */
  data: unknown;
  /** Wall time the bench took, ms. */
  elapsedMs?: number;
}

export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.section}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  return file;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const yesNo = (met: boolean | null): string => (met === null ? 'not measured' : met ? '**met**' : '**not met**');

const SECTION_LOAD_BEFORE = loadavg()[0];

/**
 * The machine and the load during this section's own run (issue 14: a load line per section, taken
 * in that section's run): load average at the start of this bench file → now.
 */
export function loadLine(): string {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `Machine: ${cpu}, ${availableParallelism()} cores; load average (1 min) ${SECTION_LOAD_BEFORE.toFixed(1)} → ${loadavg()[0].toFixed(1)} during this section's run (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC).`;
}
