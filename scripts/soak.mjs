#!/usr/bin/env node
// `npm run soak [-- --minutes 30 --history-budget-mb 8]`: drives a Loopback session in Chromium
// for the given time (e2e/soak.e2e.test.ts through vitest, because the harness is TypeScript),
// sampling the offscreen document's heap and the playback underruns, and records the result in
// BENCHMARKS.md (section `soak`). Exits non-zero when memory did not stay flat. With
// SOAK_PLANT_LEAK=retain-events|listener-per-turn in the environment it plants that leak (see
// bench/soak-run.ts) and records nothing: the run must then fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSection } from '../bench/markdown-sections.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}

const minutes = option('minutes', 30);
const budgetMb = option('history-budget-mb', 8);
if (!existsSync(join(ROOT, 'dist', 'manifest.json'))) {
  console.error('No built extension in dist/: run `npm run build` first.');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const resultFile = join(dir, 'result.json');
console.log(`Soak: ${minutes} min, ${budgetMb} MB history budget (Loopback, fake microphone).`);
const run = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'e2e/soak.e2e.test.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, SOAK_MINUTES: String(minutes), SOAK_HISTORY_BUDGET_MB: String(budgetMb), SOAK_RESULT_FILE: resultFile, SOAK_VERBOSE: '1' },
});
if (!existsSync(resultFile)) {
  rmSync(dir, { recursive: true, force: true });
  console.error('The soak run produced no result.');
  process.exit(run.status || 1);
}
const result = JSON.parse(readFileSync(resultFile, 'utf8'));
rmSync(dir, { recursive: true, force: true });

if (result.plantedLeak) {
  // A demonstration run (SOAK_PLANT_LEAK) is never recorded as the product's figures.
  console.log(`Planted leak ${result.plantedLeak}: ${result.flat ? 'NOT caught' : `caught (${result.failures.join('; ')})`}; BENCHMARKS.md left alone.`);
  process.exit(run.status ?? 1);
}
const { soakMarkdownFromJson } = await import('../bench/soak-markdown.mjs');
const file = join(ROOT, 'BENCHMARKS.md');
const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
writeFileSync(file, replaceSection(doc, 'soak', soakMarkdownFromJson(result)));
console.log(`Recorded in BENCHMARKS.md (section soak): ${result.flat ? 'flat' : 'NOT flat'}, heap deviation ${result.heapMaxDeviationMb} MB.`);
process.exit(run.status ?? 1);
