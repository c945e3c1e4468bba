import { median } from '../inspector-core/session-metrics.ts';
import type { RunResult } from './scenario-runner.ts';

/** One row of the results table: an assertion of a scenario on a target, over every run. */
export interface AssertionSummary {
  scenario: string;
  target: string;
  assertion: string;
  passes: number;
  runs: number;
  /** passes / runs. */
  rate: number;
  /** The pass rate the scenario file requires. */
  required: number;
  passed: boolean;
  /** The last failure's message, for the table and JUnit. */
  lastFailure?: string;
  /** Where the last failure happened: the run's recording and the ms into it. */
  failedAt?: { recordingId?: string; t?: number; run: number };
}

export interface TargetSummary {
  scenario: string;
  target: string;
  runs: number;
  /** Runs that could not finish, with why. */
  errors: Array<{ run: number; error: string }>;
  latencyMedianMs: number | null;
  tokens: number;
  passed: boolean;
  assertions: AssertionSummary[];
}

/**
 * Pass rates per assertion, counted honestly: a run that ended before an assertion was checked
 * (connect failed, token cap, the step never came) counts as a failure of it, not as absent, so
 * a flaky connect cannot raise the rate.
 */
export function summarise(results: readonly RunResult[], required: (scenario: string) => number): TargetSummary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = `${r.scenario}\u0000${r.target}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: TargetSummary[] = [];
  for (const runs of groups.values()) {
    const { scenario, target } = runs[0]!;
    const need = required(scenario);
    const ids: string[] = [];
    for (const r of runs) for (const a of r.assertions) if (!ids.includes(a.id)) ids.push(a.id);
    const assertions = ids.map((id): AssertionSummary => {
      let passes = 0;
      let lastFailure: string | undefined;
      let failedAt: AssertionSummary['failedAt'];
      let checkedFailure = false;
      for (const r of runs) {
        const a = r.assertions.find((x) => x.id === id);
        if (a?.passed) passes++;
        // The latest failure that was checked says most; a run that never got here only fills in.
        else if (a || !checkedFailure) {
          checkedFailure ||= a !== undefined;
          lastFailure = a ? a.message : `not checked: ${r.error ?? 'the run ended before this step'}`;
          failedAt = { run: r.run, ...(r.recordingId ? { recordingId: r.recordingId } : {}), ...(a?.atT !== undefined ? { t: a.atT } : {}) };
        }
      }
      const rate = passes / runs.length;
      return { scenario, target, assertion: id, passes, runs: runs.length, rate, required: need, passed: rate + 1e-9 >= need, ...(lastFailure !== undefined ? { lastFailure } : {}), ...(failedAt ? { failedAt } : {}) };
    });
    const errors = runs.filter((r) => r.error).map((r) => ({ run: r.run, error: r.error! }));
    // A run that failed before checking anything still fails its target.
    const runsPassed = errors.length / runs.length <= 1 - need + 1e-9;
    out.push({
      scenario,
      target,
      runs: runs.length,
      errors,
      latencyMedianMs: median(runs.flatMap((r) => r.latencies)),
      tokens: runs.reduce((s, r) => s + r.tokens, 0),
      passed: runsPassed && assertions.every((a) => a.passed) && (assertions.length > 0 || errors.length === 0),
      assertions,
    });
  }
  return out;
}

/** A plain-text table for the terminal: one line per scenario × target × assertion. */
export function formatTable(summaries: readonly TargetSummary[]): string {
  const rows: string[][] = [['', 'scenario', 'target', 'assertion', 'pass rate', 'latency p50']];
  for (const s of summaries) {
    const lat = s.latencyMedianMs === null ? '–' : `${Math.round(s.latencyMedianMs)} ms`;
    for (const e of s.errors) rows.push(['!', s.scenario, s.target, `run ${e.run}: ${e.error}`, '', lat]);
    for (const a of s.assertions) rows.push([a.passed ? 'ok' : 'FAIL', s.scenario, s.target, a.assertion, `${a.passes}/${a.runs} (needs ${Math.round(a.required * 100)}%)`, lat]);
    if (s.assertions.length === 0 && s.errors.length === 0) rows.push(['ok', s.scenario, s.target, '(no assertions)', '', lat]);
  }
  const widths = rows[0]!.map((_, c) => Math.min(60, Math.max(...rows.map((r) => r[c]!.length))));
  return rows.map((r) => r.map((cell, c) => (cell.length > 60 ? `${cell.slice(0, 59)}…` : cell).padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
