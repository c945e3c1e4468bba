import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { findBrowser } from '../e2e/harness/find-browser.mjs';
import type { PulseRig } from './pulse-rig.ts';
import { BASE_CHROMIUM_FLAGS } from '../e2e/harness/chromium-flags.ts';
import { DIST_DIR } from '../e2e/harness/extension-harness.ts';
import { ExtensionTargets } from '../e2e/harness/extension-targets.ts';
import { connectionStatus, selectView } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';
import { OFFSCREEN_DOCUMENT_PATH } from '../extension/shared/messages.ts';

/**
 * Chromium on the rig's PulseAudio: real devices (no --use-fake-device-for-media-stream) and sound
 * on (Playwright's default --mute-audio dropped), permission prompts auto-granted.
 */
export async function launchOnRig(rig: PulseRig, opts: { extensionDir?: string } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const browser = findBrowser();
  if (!browser.path) throw new Error(browser.reason ?? 'no Chromium');
  const profile = mkdtempSync(join(tmpdir(), 'bench-rig-profile-'));
  const ext = opts.extensionDir;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    env: rig.env() as Record<string, string>,
    ignoreDefaultArgs: ['--mute-audio'],
    args: [
      ...BASE_CHROMIUM_FLAGS,
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...(ext ? [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`] : []),
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The harness check of latency-method.md: a page that plays the microphone straight to the speaker, through a delay that is 0 or exactly 100 ms. */
export const LOOPBACK_PAGE = `<!doctype html><meta charset="utf-8"><title>rig loopback</title><script>
window.startLoop = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  const src = ctx.createMediaStreamSource(stream);
  // One stream pair for both measurements: Chromium's capture latency can differ between streams.
  const d = ctx.createDelay(1);
  d.delayTime.value = 0;
  src.connect(d);
  d.connect(ctx.destination);
  window.setLoopDelay = (sec) => { d.delayTime.value = sec; };
  window.stopLoop = async () => { stream.getTracks().forEach(t => t.stop()); await ctx.close(); };
  return { rate: ctx.sampleRate, baseLatency: ctx.baseLatency, outputLatency: ctx.outputLatency, label: stream.getAudioTracks()[0].label };
};
</script>`;

export async function serveLoopbackPage(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(LOOPBACK_PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Opens the panel as a tab, with the OpenAI fake's key and endpoint filled in. */
export async function openPanelOnRig(b: Awaited<ReturnType<typeof launchOnRig>>, oai: { apiKey: string; url: string }) {
  const sw = b.context.serviceWorkers()[0] ?? (await b.context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const id = new URL(sw.url()).host;
  const targets = await ExtensionTargets.start(await b.context.browser()!.newBrowserCDPSession(), id);
  const manifest = (await import(join(DIST_DIR, 'manifest.json'), { with: { type: 'json' } })) as { default: { side_panel: { default_path: string } } };
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${id}/${manifest.default.side_panel.default_path}?adapter=openai-realtime`);
  await waitFor('the panel to link to the host', async () => !((await connectionStatus(page).textContent()) ?? 'reaching').includes('reaching'));
  await selectView(page, 'Settings');
  await page.getByLabel(/^api key$/i).fill(oai.apiKey);
  const ep = page.getByRole('textbox', { name: /^endpoint url$/i });
  if (!(await ep.isVisible())) await page.getByText(/^advanced settings$/i).click();
  await ep.fill(oai.url);
  await waitFor('the offscreen document to be attached', async () => (await targets.offscreenTargets(OFFSCREEN_DOCUMENT_PATH)).length > 0);
  return { page, targets };
}
