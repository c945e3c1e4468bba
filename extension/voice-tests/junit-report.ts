import type { TargetSummary } from './test-results.ts';

/**
 * JUnit XML for a CI server: a testsuite per scenario × target, a testcase per assertion (its
 * pass rate over the runs), and an `error` testcase for runs that could not finish. The element
 * and attribute set is the one Jenkins' JUnit schema (junit-10.xsd, as used by the xUnit plugin)
 * accepts, so the file validates against it; written here rather than with a library because the
 * panel's "Export results" runs in the browser, where the report-builder packages (fs-based) don't.
 */
export function junitXml(summaries: readonly TargetSummary[], timestamp = new Date()): string {
  const suites = summaries.map((s, i) => {
    const cases: string[] = [];
    let failures = 0;
    let errors = 0;
    for (const e of s.errors) {
      errors++;
      cases.push(`    <testcase name="${esc(`run ${e.run} finished`)}" classname="${esc(className(s))}" time="0">\n      <error message="${esc(e.error)}" type="RunError">${esc(e.error)}</error>\n    </testcase>`);
    }
    for (const a of s.assertions) {
      const body = `passed ${a.passes} of ${a.runs} runs (${pct(a.rate)}), needs ${pct(a.required)}`;
      if (a.passed) cases.push(`    <testcase name="${esc(a.assertion)}" classname="${esc(className(s))}" time="0">\n      <system-out>${esc(body)}</system-out>\n    </testcase>`);
      else {
        failures++;
        const where = a.failedAt ? `\nlast failure: run ${a.failedAt.run}${a.failedAt.recordingId ? `, recording ${a.failedAt.recordingId}` : ''}${a.failedAt.t !== undefined ? ` at ${(a.failedAt.t / 1000).toFixed(2)} s` : ''}` : '';
        cases.push(`    <testcase name="${esc(a.assertion)}" classname="${esc(className(s))}" time="0">\n      <failure message="${esc(a.lastFailure ?? 'failed')}" type="AssertionFailed">${esc(`${body}\n${a.lastFailure ?? ''}${where}`)}</failure>\n    </testcase>`);
      }
    }
    const latency = s.latencyMedianMs === null ? 'none measured' : `${Math.round(s.latencyMedianMs)} ms`;
    return `  <testsuite name="${esc(`${s.scenario} [${s.target}]`)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="0" timestamp="${timestamp.toISOString().slice(0, 19)}" hostname="localhost" id="${i}" package="voice-tests">\n    <properties>\n      <property name="runs" value="${s.runs}"/>\n      <property name="latency-median" value="${esc(latency)}"/>\n      <property name="tokens" value="${s.tokens}"/>\n    </properties>\n${cases.join('\n')}\n    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

function className(s: TargetSummary): string {
  return `${s.scenario}.${s.target}`.replace(/\s+/g, '_');
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** XML text/attribute escaping, dropping characters XML 1.0 cannot hold at all. */
function esc(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
