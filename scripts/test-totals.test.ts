import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFile, countReport, totalsLine, type JsonReport } from './test-totals.mjs';

/**
 * The reports here are real: a child vitest runs the scratch fixtures in scripts/test-totals-fixtures
 * (a passing file with a skip and a todo, a failing test, a file that throws on import, a suite
 * whose beforeAll throws, a file whose top-level beforeAll throws) with the same reporter
 * `npm test` uses, and the totals are computed from the report it wrote.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const fixtures = join(here, 'test-totals-fixtures');
const dir = mkdtempSync(join(tmpdir(), 'test-totals-'));
let report: JsonReport;
let childStatus: number | null = null;

beforeAll(() => {
  const out = join(dir, 'report.json');
  // The child must not think it is a worker of this run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs', '--reporter=../vitest-json-with-hooks.mjs', `--outputFile.json=${out}`],
    { cwd: fixtures, env, encoding: 'utf8', timeout: 90_000 },
  );
  childStatus = r.status;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  } catch (e) {
    throw new Error(`the fixture run wrote no report (status ${r.status}): ${r.stderr}\n${r.stdout}`.slice(0, 4000), { cause: e });
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => {
  const f = report.testResults.find((t) => basename(t.name) === name);
  if (!f) throw new Error(`${name} is not in the fixture report`);
  return f;
};

describe('npm test totals over real vitest JSON reports', () => {
  it('the fixture run itself failed (exit status 1)', () => {
    expect(childStatus).toBe(1);
  });

  it('counts passed, skipped and todo tests of a clean file', () => {
    expect(countFile(file('passing.fixture.ts'))).toEqual({ passed: 2, failed: 0, skipped: 2 });
  });

  it('counts a failing test', () => {
    expect(countFile(file('failing.fixture.ts'))).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });

  it('counts a file that crashed on import as a failure (vitest lists it with no tests)', () => {
    const f = file('crash-on-import.fixture.ts');
    expect(f.assertionResults).toEqual([]);
    expect(countFile(f)).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('counts the tests skipped by a failing beforeAll (nested ones too) as failures, and a real skip beside them as skipped', () => {
    expect(countFile(file('before-all-throws.fixture.ts'))).toEqual({ passed: 1, failed: 2, skipped: 1 });
  });

  it('counts the tests skipped by a failing top-level beforeAll as failures', () => {
    expect(countFile(file('top-level-before-all-throws.fixture.ts'))).toEqual({ passed: 0, failed: 2, skipped: 0 });
  });

  it('prints one closing line with the skipped count; vitest’s own counters would have said "1 failed"', () => {
    expect(totalsLine([report])).toBe('4 passed, 6 failed, 3 skipped');
    // Why the module exists: the numbers the old line was built from.
    const r = report as JsonReport & { numFailedTests: number; numRuntimeErrorTestSuites?: number };
    expect(r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)).toBe(1);
  });

  it('adds the unit and e2e reports, and counts a missing or unreadable report as a failure', () => {
    expect(totalsLine([report, report])).toBe('8 passed, 12 failed, 6 skipped');
    expect(countReport(null)).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(totalsLine([report, null])).toBe('4 passed, 7 failed, 3 skipped');
  });

  it('counts a run that failed with nothing counted (an unhandled error outside every file) as a failure', () => {
    const passingOnly: JsonReport = { ...report, success: false, testResults: [file('passing.fixture.ts')] };
    expect(countReport(passingOnly)).toEqual({ passed: 2, failed: 1, skipped: 2 });
    expect(countReport({ ...passingOnly, success: true })).toEqual({ passed: 2, failed: 0, skipped: 2 });
  });
});
