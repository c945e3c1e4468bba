// The closing line of `npm test`: "N passed, N failed, N skipped", from the vitest JSON reports
// written by scripts/vitest-json-with-hooks.mjs. Vitest's own counters undercount failures:
// - a file that throws on import has no tests at all (numFailedTests misses it);
// - tests under a `beforeAll` that threw are reported "skipped", like `it.skip`.
// Both count as failed here; so does any other file-level failure (an `afterAll` that threw).

/** Counts one file entry (`testResults[i]`) of a report. */
export function countFile(file) {
  const hooks = file.failedHooks ?? [];
  const underFailedHook = (a) => hooks.some((h) => h.suite.every((title, i) => a.ancestorTitles?.[i] === title));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const a of file.assertionResults ?? []) {
    if (a.status === 'passed') passed++;
    else if (a.status === 'failed') failed++;
    else if (underFailedHook(a)) failed++;
    else skipped++;
  }
  // A failed file none of whose tests failed: import crash, afterAll, an error outside any test.
  if (file.status === 'failed' && failed === 0) failed = 1;
  return { passed, failed, skipped };
}

/** Sums a whole report. A report that is missing or unreadable is one failure, never silence. */
export function countReport(report) {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  if (!report || !Array.isArray(report.testResults)) return { ...sum, failed: 1 };
  for (const f of report.testResults) {
    const c = countFile(f);
    sum.passed += c.passed;
    sum.failed += c.failed;
    sum.skipped += c.skipped;
  }
  // Vitest fails a run on an unhandled error that belongs to no file; the report then says
  // `success: false` with nothing counted.
  if (report.success === false && sum.failed === 0) sum.failed = 1;
  return sum;
}

export function formatTotals({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** Adds counts of several reports (unit, e2e). `reports` holds parsed JSON or null for "unreadable". */
export function totalsLine(reports) {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const r of reports) {
    const c = countReport(r);
    sum.passed += c.passed;
    sum.failed += c.failed;
    sum.skipped += c.skipped;
  }
  return formatTotals(sum);
}
