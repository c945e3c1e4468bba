#!/usr/bin/env node
// voice-test: runs voice-test scenarios (YAML) headless in Chromium against the built extension,
// driving the same session the side panel uses, and writes JUnit XML / JSON for CI.
//
//   npx voice-test test examples/voice-tests/*.yaml --adapter openai-realtime --key-env OPENAI_API_KEY --junit out.xml
//
// Chromium, not branded Google Chrome: Chrome (137+) ignores --load-extension, so the extension
// would not load. Exit code: 0 all passed, 1 an assertion failed or the run stopped, 2 bad input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { INSTALL_HINT, findBrowser, isBrandedChrome } from '../e2e/harness/find-browser.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: voice-test test <scenario.yaml>... [options]

Options:
  --adapter ID             adapter for scenarios that name none (gemini-live, openai-realtime, loopback, …)
  --key-env NAME           environment variable holding the API key of --adapter
  --key-env ADAPTER=NAME   the same for one adapter of a matrix (repeatable)
  --endpoint URL           endpoint override for targets that set none: a WebSocket URL (a test server,
                           a Pipecat bot), or a Pipecat bot's http(s) start URL
  --repeat N               runs per target (overrides the files' repeat)
  --max-tokens N           stop the whole run when usage reaches N tokens
  --judge                  ask judged assertions (costs tokens on your key)
  --junit FILE             write JUnit XML (Jenkins' junit-10.xsd)
  --json FILE              write the full result as JSON
  --extension DIR          a built extension (default: dist/, built when missing)
  --build                  rebuild the extension first
  --timeout-min N          give up on the whole run after N minutes (default 30)

Keys come from the environment only; a scenario file holding a key is refused.`;

function fail(message, code = 2) {
  console.error(`✗ ${message}`);
  process.exit(code);
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === undefined) {
    console.log(USAGE);
    process.exit(command === undefined ? 2 : 0);
  }
  if (command !== 'test') fail(`unknown command "${command}"\n\n${USAGE}`);
  const opts = { files: [], keyEnv: [], judge: false, build: false, timeoutMin: 30 };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) fail(`${a} needs a value`);
      return v;
    };
    const int = (name) => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) fail(`${name} must be a whole number ≥ 1`);
      return v;
    };
    switch (a) {
      case '--adapter': opts.adapter = value(); break;
      case '--key-env': opts.keyEnv.push(value()); break;
      case '--endpoint': opts.endpoint = value(); break;
      case '--repeat': opts.repeat = int('--repeat'); break;
      case '--max-tokens': opts.maxTokens = int('--max-tokens'); break;
      case '--judge': opts.judge = true; break;
      case '--junit': opts.junit = value(); break;
      case '--json': opts.json = value(); break;
      case '--extension': opts.extension = value(); break;
      case '--build': opts.build = true; break;
      case '--timeout-min': opts.timeoutMin = int('--timeout-min'); break;
      default:
        if (a.startsWith('--')) fail(`unknown option ${a}\n\n${USAGE}`);
        opts.files.push(a);
    }
  }
  if (opts.files.length === 0) fail(`no scenario files given\n\n${USAGE}`);
  return opts;
}

/** Keys by adapter id, read from the environment variables named on the command line. */
function readKeys(opts) {
  const keys = {};
  for (const spec of opts.keyEnv) {
    const eq = spec.indexOf('=');
    const adapter = eq > 0 ? spec.slice(0, eq) : opts.adapter;
    const name = eq > 0 ? spec.slice(eq + 1) : spec;
    if (!adapter) fail(`--key-env ${spec}: say which adapter it is for (--adapter ID, or ADAPTER=${name})`);
    const v = process.env[name];
    if (!v || !v.trim()) fail(`--key-env ${name}: the environment variable ${name} is empty or not set`);
    keys[adapter] = v.trim();
  }
  return keys;
}

/** Files the steps name (`speak`, `barge_in.speak`, an exported `from_recording`), read relative to their scenario. */
function collectAssets(file, text, assets) {
  let doc;
  try {
    doc = parseYaml(text);
  } catch {
    return; // the extension reports the syntax error with its line
  }
  const steps = Array.isArray(doc?.steps) ? doc.steps : [];
  for (const step of steps) {
    for (const path of [step?.speak, step?.barge_in?.speak, step?.from_recording?.recording]) {
      if (typeof path !== 'string' || path in assets) continue;
      const full = resolve(dirname(file), path);
      if (existsSync(full)) assets[path] = readFileSync(full).toString('base64');
    }
  }
}

const opts = parseArgs(process.argv.slice(2));
const files = opts.files.map((f) => {
  if (!existsSync(f)) fail(`${f}: no such file`);
  return { name: relative(process.cwd(), resolve(f)) || f, text: readFileSync(f, 'utf8'), path: resolve(f) };
});
const keys = readKeys(opts);
const assets = {};
for (const f of files) collectAssets(f.path, f.text, assets);

const browser = findBrowser();
if (!browser.path) fail(`${browser.reason}\n  ${INSTALL_HINT}`);
if (isBrandedChrome(browser.path)) fail(`CHROME_PATH points at branded Google Chrome (${browser.path}), which ignores --load-extension since version 137. Use Chromium.`);

const extensionDir = resolve(opts.extension ?? join(root, 'dist'));
if (opts.build || (!opts.extension && !existsSync(join(extensionDir, 'manifest.json')))) {
  console.error('▶ building the extension (vite build)…');
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) fail('the extension build failed', 2);
}
if (!existsSync(join(extensionDir, 'manifest.json'))) fail(`no built extension at ${extensionDir}`);

const { chromium } = await import('playwright-core');
const profile = mkdtempSync(join(tmpdir(), 'voice-test-'));
mkdirSync(join(profile, 'Default'), { recursive: true });
writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: browser.path,
  headless: true,
  args: [
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
});
let exitCode = 1;
try {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  const id = new URL(sw.url()).host;
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8'));
  const page = await context.newPage();
  await page.goto(`chrome-extension://${id}/${manifest.side_panel.default_path}`);
  let last = '';
  await page.exposeFunction('__voiceTestProgress', (p) => {
    const line = p ? `  ${p.scenario} [${p.target}] run ${p.run}/${p.runs}: ${p.phase === 'connecting' ? 'connecting' : p.phase === 'done' ? 'done' : `step ${p.step}/${p.steps}`}` : '';
    if (line && line !== last) console.error(line);
    last = line;
  });
  let estimated = false;
  await page.exposeFunction('__voiceTestEstimate', (line) => {
    // Printed once, before the first session connects.
    if (!estimated) console.error(`  ${line.replace(/^Estimated cost/, 'estimated cost')}`);
    estimated = true;
  });
  console.error(`▶ running ${files.length} scenario file${files.length === 1 ? '' : 's'} in Chromium (extension ${id})`);
  const request = { files: files.map(({ name, text }) => ({ name, text })), assets, keys, judge: opts.judge, ...(opts.adapter ? { adapter: opts.adapter } : {}), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.repeat ? { repeat: opts.repeat } : {}), ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}) };
  const state = await page.evaluate(
    async ({ request, timeoutMs }) => {
      const deadline = Date.now() + timeoutMs;
      // The offscreen document may still be loading its modules when it exists: until its
      // listener is up a connect fails with "Receiving end does not exist", so retry (bounded).
      for (let attempt = 1; ; attempt++) {
        const ensured = await chrome.runtime.sendMessage({ target: 'background', type: 'ensure-offscreen' });
        if (!ensured?.ok) throw new Error(`the session host did not start: ${ensured?.error ?? 'no answer'}`);
        const outcome = await new Promise((resolve) => {
          const port = chrome.runtime.connect({ name: 'session-host' });
          let sent = false;
          const timer = setTimeout(() => resolve({ error: `the run did not finish within ${Math.round(timeoutMs / 60000)} minutes` }), Math.max(0, deadline - Date.now()));
          port.onDisconnect.addListener(() => {
            clearTimeout(timer);
            resolve(sent ? { error: `the session host went away during the run${chrome.runtime.lastError ? ` (${chrome.runtime.lastError.message})` : ''}` } : { retry: chrome.runtime.lastError?.message ?? 'disconnected' });
          });
          port.onMessage.addListener((m) => {
            if (m.type === 'snapshot-end' && !sent) {
              sent = true;
              port.postMessage({ type: 'run-voice-tests', ...request });
            }
            if (m.type !== 'batch' || !sent) return;
            for (const u of m.updates) {
              if (u.kind !== 'voice-tests') continue;
              if (u.run.estimate) void window.__voiceTestEstimate(u.run.estimate);
              void window.__voiceTestProgress(u.run.progress ?? null);
              if (u.run.status !== 'running') {
                clearTimeout(timer);
                resolve({ state: u.run });
              }
            }
          });
        });
        if (outcome.state) return outcome.state;
        if (outcome.error) throw new Error(outcome.error);
        if (attempt >= 50) throw new Error(`could not reach the session host: ${outcome.retry}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    { request, timeoutMs: opts.timeoutMin * 60_000 },
  );
  if (state.status === 'refused') {
    console.error(`✗ refused, nothing ran:\n${state.problems}`);
    exitCode = 2;
  } else {
    console.log(state.report?.table ?? '');
    const runs = state.results.length;
    console.log(`\n${state.status === 'passed' ? '✓ passed' : state.status === 'stopped' ? '✗ stopped' : '✗ failed'}: ${runs} run${runs === 1 ? '' : 's'}, ${state.tokens} tokens${state.stoppedReason ? ` (${state.stoppedReason})` : ''}`);
    exitCode = state.status === 'passed' ? 0 : 1;
  }
  if (opts.junit && state.report) writeFileSync(opts.junit, state.report.junit);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(state, null, 2));
} catch (e) {
  console.error(`✗ ${e instanceof Error ? e.message : e}`);
  exitCode = 2;
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
