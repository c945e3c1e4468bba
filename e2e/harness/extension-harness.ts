import { cpSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { OFFSCREEN_DOCUMENT_PATH } from '../../extension/shared/messages.ts';
import { ExtensionTargets, type ConsoleEntry } from './extension-targets.ts';
import { INSTALL_HINT, findBrowser } from './find-browser.mjs';
import { waitFor } from './wait-for.ts';
import { BASE_CHROMIUM_FLAGS } from './chromium-flags.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');
/** 48 kHz mono phrase "What is the weather in Paris" with 0.4 s / 0.8 s of silence around it. */
export const SPEECH_WAV = join(FIXTURES_DIR, 'weather-paris-48k.wav');

export interface LaunchOptions {
  /** WAV played by the fake microphone (default SPEECH_WAV). */
  fakeMicWav?: string;
  /** Play the WAV once, then silence (default: loop). */
  noLoop?: boolean;
  /**
   * Pass --use-fake-ui-for-media-stream (default true): getUserMedia is granted without a prompt
   * and permissions.query says `granted`. Without it the permission stays `prompt`.
   */
  fakeMediaUi?: boolean;
  /** Unpacked extension folder (default dist/). */
  extensionDir?: string;
  /**
   * Load a private copy of the extension folder (default true), so a `vite build` started by
   * someone else during the run (it empties dist/) cannot pull files from under the browser.
   */
  copyExtension?: boolean;
  extraArgs?: string[];
  /**
   * Use the system's real audio devices instead of the fake microphone (default false): no
   * --use-fake-device-for-media-stream, and Playwright's --mute-audio dropped. With `env` pointing
   * at a private PulseAudio server (latency-method.md), Chromium captures and plays through it.
   */
  realAudioDevices?: boolean;
  /** Environment for the browser process (e.g. PULSE_SERVER). */
  env?: NodeJS.ProcessEnv;
  /**
   * Use this user-data-dir (created when missing) and keep it on close, so a second launch reopens
   * the same profile (IndexedDB included) and the same extension id (same unpacked path).
   */
  profileDir?: string;
}

export interface ExtensionHarness {
  context: BrowserContext;
  extensionId: string;
  /** Every console message and log entry of every extension target (service worker, offscreen document, pages). */
  console: ConsoleEntry[];
  targets: ExtensionTargets;
  /** chrome-extension://<id>/<path> */
  url(path: string): string;
  /** Opens the side panel page as a tab (optionally with `?adapter=`) and waits until it is linked to the host. */
  openPanel(opts?: { adapter?: string; waitLinked?: boolean }): Promise<Page>;
  /** The current service worker (restarted ones included). */
  serviceWorker(): Promise<Worker>;
  /** Stops every service worker through CDP, as Chrome does when one is idle. */
  stopServiceWorkers(): Promise<void>;
  /** How many offscreen documents exist (CDP targets, independent of the service worker). */
  offscreenDocumentCount(): Promise<number>;
  /** Evaluates an expression (promises awaited, JSON result) inside the offscreen document. */
  evaluateInOffscreen<T>(expression: string): Promise<T>;
  /** A raw DevTools command in the offscreen document's target (the soak reads `Memory.getDOMCounters`). */
  sendToOffscreen<T>(method: string, params?: unknown): Promise<T>;
  /** The session host's diagnostics object (`globalThis.__sessionHost`). */
  hostStatus(): Promise<{ transportState: string; micTestActive: boolean; getUserMediaCalls: number; micEnabled: boolean } | null>;
  /** Waits for a console line matching `pattern` in any extension target. */
  waitForConsole(pattern: RegExp | string, timeoutMs?: number): Promise<ConsoleEntry>;
  /** The browser process id, from the profile's SingletonLock (`<host>-<pid>`), or null. */
  browserPid(): number | null;
  close(): Promise<void>;
}

/** Launch recipe of extension-platform.md §2: Debian's Chromium, the unpacked build, a fake microphone. */
export async function launchExtension(opts: LaunchOptions = {}): Promise<ExtensionHarness> {
  const browser = findBrowser();
  if (!browser.path) throw new Error(`${browser.reason} ${INSTALL_HINT}`);
  const sourceDir = resolve(opts.extensionDir ?? DIST_DIR);
  if (!existsSync(join(sourceDir, 'manifest.json'))) throw new Error(`No built extension at ${sourceDir}: run \`npm run build\` first.`);
  const wav = resolve(opts.fakeMicWav ?? SPEECH_WAV);
  if (!existsSync(wav)) throw new Error(`Fake microphone WAV ${wav} is missing: run \`npm run make-audio\`.`);

  const keepProfile = opts.profileDir !== undefined;
  if (keepProfile) mkdirSync(opts.profileDir!, { recursive: true });
  const profile = keepProfile ? resolve(opts.profileDir!) : mkdtempSync(join(tmpdir(), 'voice-workbench-e2e-'));
  let extensionDir = sourceDir;
  if (opts.copyExtension !== false) {
    extensionDir = join(profile, 'extension');
    if (keepProfile) rmSync(extensionDir, { recursive: true, force: true });
    cpSync(sourceDir, extensionDir, { recursive: true, filter: (src) => !src.endsWith('.map') });
    if (!existsSync(join(extensionDir, 'manifest.json'))) throw new Error(`Copying ${sourceDir} failed (was it being rebuilt?)`);
  }
  // Developer mode lets chrome.runtime.reload() keep a command-line extension enabled.
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));

  const args = [
    ...BASE_CHROMIUM_FLAGS,
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    ...(opts.realAudioDevices ? [] : ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}${opts.noLoop ? '%noloop' : ''}`]),
    ...(opts.fakeMediaUi === false ? [] : ['--use-fake-ui-for-media-stream']),
    ...(opts.extraArgs ?? []),
  ];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    args,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.realAudioDevices ? { ignoreDefaultArgs: ['--mute-audio'] } : {}),
  });
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(sw.url()).host;
    const cdp = await context.browser()!.newBrowserCDPSession();
    const targets = await ExtensionTargets.start(cdp, extensionId);
    const url = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
    const panelPath = (JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')) as { side_panel: { default_path: string } }).side_panel.default_path;

    const harness: ExtensionHarness = {
      context,
      extensionId,
      console: targets.console,
      targets,
      url,
      async openPanel({ adapter, waitLinked = true } = {}) {
        const page = await context.newPage();
        await page.goto(url(panelPath) + (adapter ? `?adapter=${encodeURIComponent(adapter)}` : ''));
        if (waitLinked) {
          await waitFor('the panel to link to the session host', () => page.getByRole('status', { name: /^connection status$/i }).evaluate((el) => !el.textContent?.includes('reaching')), {
            timeoutMs: 15_000,
          });
        }
        return page;
      },
      async serviceWorker() {
        return waitFor('a running service worker', () => context.serviceWorkers().at(-1));
      },
      async stopServiceWorkers() {
        const page = context.pages()[0] ?? (await context.newPage());
        const s = await context.newCDPSession(page);
        try {
          await s.send('ServiceWorker.enable');
          await s.send('ServiceWorker.stopAllWorkers');
        } finally {
          await s.detach().catch(() => undefined);
        }
        await waitFor('the service worker target to go away', async () => !(await targets.targets()).some((t) => t.type === 'service_worker'), { timeoutMs: 10_000 });
      },
      async offscreenDocumentCount() {
        return (await targets.offscreenTargets(OFFSCREEN_DOCUMENT_PATH)).length;
      },
      async evaluateInOffscreen<T>(expression: string) {
        await waitFor('the offscreen document to be attached', async () => (await targets.offscreenTargets(OFFSCREEN_DOCUMENT_PATH)).length > 0);
        return waitFor(`evaluation in the offscreen document of ${expression.slice(0, 60)}`, async () => ({ v: await targets.evaluate<T>(OFFSCREEN_DOCUMENT_PATH, expression) }), { timeoutMs: 10_000 }).then((r) => r.v);
      },
      async sendToOffscreen<T>(method: string, params: unknown = {}) {
        await waitFor('the offscreen document to be attached', async () => (await targets.offscreenTargets(OFFSCREEN_DOCUMENT_PATH)).length > 0);
        return targets.send<T>(OFFSCREEN_DOCUMENT_PATH, method, params);
      },
      async hostStatus() {
        return harness.evaluateInOffscreen('globalThis.__sessionHost ? globalThis.__sessionHost.status : null');
      },
      async waitForConsole(pattern, timeoutMs = 15_000) {
        return waitFor(`console output matching ${String(pattern)}`, () => targets.find(pattern)[0], { timeoutMs });
      },
      browserPid() {
        try {
          const pid = Number(readlinkSync(join(profile, 'SingletonLock')).split('-').at(-1));
          return Number.isInteger(pid) && pid > 0 ? pid : null;
        } catch {
          return null;
        }
      },
      async close() {
        await context.close().catch(() => undefined);
        if (!keepProfile) rmSync(profile, { recursive: true, force: true });
      },
    };
    return harness;
  } catch (e) {
    await context.close().catch(() => undefined);
    if (!keepProfile) rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
