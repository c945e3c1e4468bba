import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { INSTALL_HINT, findBrowser } from './find-browser.mjs';
import { BASE_CHROMIUM_FLAGS } from './chromium-flags.ts';

export interface UnpackedExtension {
  context: BrowserContext;
  extensionId: string;
  /** chrome-extension://<id>/<path> */
  url(path: string): string;
  /** Opens an extension page as a tab; console errors and page exceptions are collected in `errors`. */
  openPage(path: string): Promise<Page>;
  /** Console errors and uncaught exceptions of pages opened with openPage. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Loads an arbitrary unpacked extension folder (not the product's dist/) with the same launch
 * recipe as extension-harness.ts: Debian's Chromium, headless, fake microphone playing `fakeMicWav`.
 * The folder must declare a background service worker: its URL is how the extension id is learnt.
 */
export async function launchUnpackedExtension(dir: string, opts: { fakeMicWav: string; extraArgs?: string[] }): Promise<UnpackedExtension> {
  const browser = findBrowser();
  if (!browser.path) throw new Error(`${browser.reason} ${INSTALL_HINT}`);
  const extensionDir = resolve(dir);
  if (!existsSync(join(extensionDir, 'manifest.json'))) throw new Error(`No manifest.json in ${extensionDir}`);
  const wav = resolve(opts.fakeMicWav);
  if (!existsSync(wav)) throw new Error(`Fake microphone WAV ${wav} is missing: run \`npm run make-audio\`.`);
  const profile = mkdtempSync(join(tmpdir(), 'voice-workbench-unpacked-'));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    args: [
      ...BASE_CHROMIUM_FLAGS,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...(opts.extraArgs ?? []),
    ],
  });
  const cleanup = async () => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(sw.url()).host;
    const url = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
    const errors: string[] = [];
    return {
      context,
      extensionId,
      url,
      errors,
      async openPage(path) {
        const page = await context.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`console: ${m.text()}`);
        });
        page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
        await page.goto(url(path));
        return page;
      },
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
