#!/usr/bin/env node
// npm test: typecheck (app and worklets), unit tests, build, end-to-end tests, in that order; stops at
// the first failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_HINT, findBrowser, isBrandedChrome } from '../e2e/harness/find-browser.mjs';
import { totalsLine } from './test-totals.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Check for the browser first: a missing one should not cost a full unit run to discover.
const browser = findBrowser();
if (!browser.path) {
  console.error(`\n✗ ${browser.reason}\n  The end-to-end tests need Chromium. ${INSTALL_HINT}\n`);
  process.exit(1);
}
if (isBrandedChrome(browser.path)) {
  console.error(`\n✗ CHROME_PATH points at branded Google Chrome (${browser.path}), which ignores --load-extension since version 137.\n  ${INSTALL_HINT}\n`);
  process.exit(1);
}

// Each vitest step also writes a JSON report (vitest's, plus the suites whose hooks failed), so the
// run ends with one plain "N passed, N failed, N skipped" line (scripts/test-totals.mjs says what
// counts as failed).
const reportDir = resolve(root, 'test-results');
mkdirSync(reportDir, { recursive: true });
const reportsRun = new Set();
function jsonReport(name) {
  const file = resolve(reportDir, `${name}.json`);
  rmSync(file, { force: true });
  return ['--reporter=default', '--reporter=./scripts/vitest-json-with-hooks.mjs', `--outputFile.json=${file}`];
}
function totals() {
  const reports = [];
  for (const name of ['unit', 'e2e']) {
    // A step that never ran adds nothing; one that ran and left no readable report is a failure.
    if (!reportsRun.has(name)) continue;
    const file = resolve(reportDir, `${name}.json`);
    try {
      reports.push(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      reports.push(null);
    }
  }
  return totalsLine(reports);
}

const steps = [
  ['typecheck', ['npx', 'tsc', '-p', '.', '--noEmit']],
  // The worklets run in AudioWorkletGlobalScope and have their own tsconfig (the app's excludes them).
  ['worklet typecheck', ['npx', 'tsc', '-p', 'src/audio/worklets', '--noEmit']],
  ['unit tests', ['npx', 'vitest', 'run', '--project', 'unit', ...jsonReport('unit')], 'unit'],
  ['build', ['npx', 'vite', 'build']],
  ['library build', ['npm', 'run', 'build:lib']],
  ['build security check', ['node', 'scripts/check-build-security.mjs']],
  ['end-to-end tests', ['npx', 'vitest', 'run', '--project', 'e2e', ...jsonReport('e2e')], 'e2e'],
];

for (const [name, [cmd, ...args], report] of steps) {
  if (report) reportsRun.add(report);
  console.log(`\n▶ ${name}: ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, CHROME_PATH: browser.path } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed after ${secs} s${r.signal ? ` (signal ${r.signal})` : ''}.`);
    console.log(`\n${totals()}`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${name} (${secs} s)`);
}
console.log('\n✓ all checks passed');
console.log(`\n${totals()}`);
