#!/usr/bin/env node
// `npm run bench`: runs every bench in bench/ (through vitest, because they import TypeScript),
// then regenerates the bench's own sections of BENCHMARKS.md and leaves every other section alone.
//
//   npm run bench                      all benches, 5 repeats each
//   npm run bench -- --repeats 3       fewer repeats
//   npm run bench -- --only audio-pipeline,inspector
//   npm run bench -- --no-build        reuse dist/ (browser benches need a build)
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSection } from '../bench/markdown-sections.mjs';
import { findBrowser } from '../e2e/harness/find-browser.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(ROOT, 'bench');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const DOC = join(ROOT, 'BENCHMARKS.md');

/** Bench files in run order: quick Node ones first, the browser ones last. */
const BENCHES = [
  { name: 'audio-pipeline', file: 'bench/audio-pipeline.bench.ts', browser: false },
  { name: 'inspector', file: 'bench/inspector.bench.ts', browser: false },
  { name: 'browser', file: 'bench/browser.bench.ts', browser: true },
  { name: 'browser-inspector', file: 'bench/browser-inspector.bench.ts', browser: true },
  // Runs Chromium on a plain local page: it needs no extension build.
  { name: 'browser-resampling', file: 'bench/browser-resampling.bench.ts', browser: false },
  { name: 'external-latency', file: 'bench/external-latency.bench.ts', browser: true },
  // Builds its own page from the product's modules (bench/timeline): no extension build needed.
  { name: 'browser-timeline', file: 'bench/browser-timeline.bench.ts', browser: false },
];

/** design.md "Quality bars", in its order. */
const BARS = [
  { id: 'capture-chunk', what: 'capture chunk', bar: '20 ms of audio per send (peers 128–256 ms)' },
  { id: 'client-added-latency', what: 'client-added latency', bar: 'capture chunk + playback start lead ≤ 60 ms (peers 170–230 ms)' },
  { id: 'barge-in', what: 'barge-in', bar: 'playback silent ≤ 20 ms after the interruption reaches the client' },
  { id: 'external-latency', what: 'at the real microphone and speaker', bar: 'capture-to-wire, receive-to-ear, barge-in-to-silence ≤ 60 ms median each (peer: 169, 54, 1092 ms)' },
  { id: 'resampling', what: 'resampling', bar: '≥ 60 dB alias rejection, ≥ 100× real time' },
  { id: 'speaking-events', what: 'bot speaking events', bar: 'follow actual playback (±50 ms)' },
  { id: 'inspector', what: 'inspector', bar: '2,000 events/s with no main-thread task over 50 ms; filter over 100,000 events ≤ 100 ms p95; an hour fits the memory budget' },
  { id: 'connect', what: 'connect', bar: '`connect()` always settles within 10 s, with the provider\'s reason' },
  { id: 'connect-speed', what: 'connect speed', bar: '≤ 300 ms from `Connect` to `ready` against a local fake' },
  { id: 'keys', what: 'keys', bar: 'never in logs, exports, console, or storage.local unless remembered' },
];

/** Bars the bench does not measure because they are behaviour, asserted by the test suite. */
const ASSERTED_BY_TESTS = {
  connect: 'behaviour, not a figure: asserted by the adapter tests against fakes that close with 1007/1008/3000/4004 or never answer, and by the E2E suite',
  keys: 'behaviour, not a figure: asserted by the E2E suite, which greps every artefact of a run for the key',
};

function parseArgs(argv) {
  const opts = { repeats: 5, only: null, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeats') opts.repeats = Number(argv[++i]);
    else if (a.startsWith('--repeats=')) opts.repeats = Number(a.slice(10));
    else if (a === '--only') opts.only = argv[++i].split(',');
    else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',');
    else if (a === '--no-build') opts.build = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench [-- --repeats N] [--only name,name] [--no-build]\nbenches: ' + BENCHES.map((b) => b.name).join(', '));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.repeats >= 1)) throw new Error('--repeats needs a positive number');
  return opts;
}

function chromiumVersion() {
  const b = findBrowser();
  if (!b.path) return `not found (${b.reason})`;
  try {
    return execFileSync(b.path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    return `unknown (${e.message})`;
  }
}

function machineSection(started, elapsedMs, opts, loadBefore, loadAfter) {
  const cpu = cpus()[0]?.model ?? 'unknown';
  return [
    '## Machine and run',
    '',
    `| | |`,
    `| --- | --- |`,
    `| date | ${new Date(started).toISOString()} |`,
    `| CPU | ${cpu}, ${availableParallelism()} cores |`,
    `| memory | ${(totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| Node | ${process.version} |`,
    `| Chromium | ${chromiumVersion()} |`,
    `| load average (1 min) before → after | ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} |`,
    `| repeats | ${opts.repeats} per figure (median, min–max) |`,
    `| bench wall time | ${(elapsedMs / 1000).toFixed(0)} s |`,
    '',
    'A load average above the core count means other work shared the CPU during the run: timings',
    'then read high (throughput low). CPU-time figures are given where they can be.',
  ].join('\n');
}

function barsSection(results) {
  const rows = [];
  for (const b of BARS) {
    const found = results.flatMap((r) => r.bars.filter((x) => x.id === b.id).map((x) => ({ ...x, from: r.section })));
    if (found.length === 0) {
      const why = ASSERTED_BY_TESTS[b.id] ?? 'not measured in this run (its bench was skipped or failed; see the run log)';
      rows.push([b.what, b.bar, '—', '—', ASSERTED_BY_TESTS[b.id] ? 'asserted by tests' : 'not measured', why]);
      continue;
    }
    for (const f of found) {
      const met = f.met === null ? 'see note' : f.met ? '**met**' : '**not met**';
      rows.push([b.what, b.bar, f.ours, f.baseline ?? '—', met, `${f.note ? f.note + '; ' : ''}section: ${f.from}`]);
    }
  }
  const esc = (c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '## Quality bars (design.md)',
    '',
    'Every bar of the design\'s table, with our figure and the peers\' method reproduced in the same run.',
    '',
    '| what | bar | ours | peers\' method, same run (ratio) | met? | how / note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const selected = BENCHES.filter((b) => (opts.only ? opts.only.includes(b.name) : true)).filter((b) => existsSync(join(ROOT, b.file)));
  if (selected.length === 0) throw new Error('no bench selected');

  if (opts.build && selected.some((b) => b.browser)) {
    console.log('bench: building the extension (npm run build)…');
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }

  // Only the selected benches' results are replaced: a partial run (--only) keeps the others'
  // rows in the bars table (results of earlier runs on this machine; bench/results is not committed).
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const b of selected) rmSync(join(RESULTS_DIR, `${b.name}.json`), { force: true });
  const failed = [];
  for (const b of selected) {
    const t0 = Date.now();
    console.log(`bench: ${b.name}…`);
    const r = spawnSync('npx', ['vitest', 'run', '--config', 'bench/vitest.bench.config.ts', b.file], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, BENCH_REPEATS: String(opts.repeats), BENCH_RESULTS_DIR: RESULTS_DIR },
    });
    console.log(`bench: ${b.name} ${r.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (r.status !== 0) failed.push(b.name);
  }

  const results = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')))
    .sort((a, b) => BENCHES.findIndex((x) => x.name === a.section) - BENCHES.findIndex((x) => x.name === b.section));

  let doc = existsSync(DOC)
    ? readFileSync(DOC, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (`scripts/bench.mjs`). Each producer owns a marked section and regenerates only its own; edit outside the markers freely.\n';
  const elapsed = Date.now() - started;
  doc = replaceSection(doc, 'machine', machineSection(started, elapsed, opts, loadBefore, loadavg()[0]));
  // The bars table reads every result file present, so a partial run (--only) keeps the rows it can fill.
  doc = replaceSection(doc, 'quality-bars', barsSection(results));
  for (const r of results) doc = replaceSection(doc, r.section, r.markdown);
  writeFileSync(DOC, doc);
  console.log(`bench: wrote ${results.map((r) => r.section).join(', ')} to BENCHMARKS.md in ${(elapsed / 1000).toFixed(0)} s`);
  if (failed.length > 0) {
    console.error(`bench: failed: ${failed.join(', ')}`);
    process.exit(1);
  }
}

main();
