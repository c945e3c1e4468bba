#!/usr/bin/env node
// npm start: build, then open Chromium with the extension loaded in a persistent profile (.profile/,
// git-ignored, so the microphone grant and a session key survive restarts) and the panel in a tab.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_HINT, findBrowser, isBrandedChrome } from '../e2e/harness/find-browser.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const profile = join(root, '.profile');
// --smoke: headless, no display needed; opens the panel, checks it renders, and exits (for CI and servers).
const smoke = process.argv.includes('--smoke');

const browser = findBrowser();
if (!browser.path) {
  console.error(`✗ ${browser.reason}\n  ${INSTALL_HINT}`);
  process.exit(1);
}
if (isBrandedChrome(browser.path)) {
  console.error(
    `✗ CHROME_PATH points at branded Google Chrome (${browser.path}). Since version 137 it ignores --load-extension,\n` +
      '  so the extension would not load. Use Chromium instead, or load dist/ by hand: chrome://extensions → Developer mode → Load unpacked.',
  );
  process.exit(1);
}
if (!smoke && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error(
    '✗ No display: neither DISPLAY nor WAYLAND_DISPLAY is set, so a browser window cannot open here.\n' +
      '  Run `npm start` in a desktop session (or under xvfb-run), or run the headless checks with `npm test` (or `npm start -- --smoke`).',
  );
  process.exit(1);
}

console.log('▶ building the extension (vite build)…');
const build = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// Developer mode keeps a command-line extension enabled across chrome.runtime.reload().
mkdirSync(join(profile, 'Default'), { recursive: true });
const prefs = join(profile, 'Default', 'Preferences');
if (!existsSync(prefs)) writeFileSync(prefs, JSON.stringify({ extensions: { ui: { developer_mode: true } } }));

const { chromium } = await import('playwright-core');
console.log(`▶ launching ${browser.path} with the extension from ${dist}`);
const context = await chromium.launchPersistentContext(smoke ? join(profile, 'smoke') : profile, {
  executablePath: browser.path,
  headless: smoke,
  viewport: null,
  args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--no-first-run', '--disable-sync', `--disable-extensions-except=${dist}`, `--load-extension=${dist}`],
  // Playwright's defaults would disable extensions and mute audio; this is a real session.
  ignoreDefaultArgs: ['--disable-extensions', '--mute-audio', '--enable-automation'],
});
const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
const id = new URL(sw.url()).host;
// A chrome-extension:// URL given on the command line is blocked, so open the panel page from here.
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`chrome-extension://${id}/extension/sidepanel/index.html?adapter=loopback`);
if (smoke) {
  await page.getByRole('status', { name: /^connection status$/i }).filter({ hasText: /\bdisconnected\b/ }).waitFor({ timeout: 20_000 });
  // The adapter picker is in the Settings view.
  await page.getByRole('tablist', { name: /^views$/i }).getByRole('tab', { name: /^settings$/i }).click();
  const adapter = await page.getByRole('combobox', { name: /^adapter$/i }).inputValue();
  console.log(`✓ smoke: the panel rendered (extension id ${id}, adapter ${adapter}, state disconnected)`);
  await context.close();
  process.exit(adapter === 'loopback' ? 0 : 1);
}
console.log(
  `✓ Voice Workbench is open (extension id ${id}) with the Loopback adapter selected.\n` +
    '  The toolbar button opens the same panel in Chrome\'s side panel. First time: press "Grant microphone access".\n' +
    '  Close the browser window to quit.',
);
await new Promise((resolve) => context.on('close', resolve));
