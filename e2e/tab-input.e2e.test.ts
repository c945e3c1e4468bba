import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer, type ReceivedFrame } from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { DIST_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const TONE_HZ = 1000;
const OPENAI_KEY = 'sk-e2e-tab-input-5c1e0f9a7b3d';

/** A page that plays a steady 1 kHz sine through Web Audio (autoplay allowed by the launch flag) and paints a colour. */
const TONE_PAGE = `<!doctype html><html><head><title>Tone page</title></head>
<body style="margin:0;background:#1e6fd9;color:#fff;font:48px sans-serif"><h1>Tone page</h1>
<script>
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = ${TONE_HZ};
  gain.gain.value = 0.5;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  ctx.resume().then(() => { document.title = 'Tone page (' + ctx.state + ')'; });
</script></body></html>`;

/**
 * Share of the signal's energy at `hz` (Goertzel), averaged over 25 ms blocks: ~1 for a pure tone
 * at hz, ~0 without it. Short blocks (40 Hz bins at 16 kHz) keep a tone a few Hz off (clock drift
 * between the tab's audio and the capture) inside one bin.
 */
function toneShare(samples: Int16Array, rate: number, hz: number): number {
  const n = Math.round(rate * 0.025);
  let sum = 0;
  let blocks = 0;
  for (let start = 0; start + n <= samples.length; start += n) {
    const w = (2 * Math.PI * Math.round((n * hz) / rate)) / n;
    const coeff = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    let energy = 0;
    for (let i = start; i < start + n; i++) {
      const x = samples[i] / 32768;
      energy += x * x;
      const s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    if (energy <= 0) continue;
    sum += (2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2)) / (n * energy);
    blocks++;
  }
  return blocks ? sum / blocks : 0;
}

function pcmOf(frames: ReceivedFrame[]): Int16Array {
  const parts = frames.map((f) => Buffer.from(((f.json!.realtimeInput as { audio: { data: string } }).audio.data), 'base64'));
  const all = Buffer.concat(parts);
  return new Int16Array(all.buffer, all.byteOffset, all.byteLength >> 1);
}

/** The strongest of a few candidate frequencies in the received audio. */
function dominant(samples: Int16Array, rate: number): { hz: number; share: number } {
  const candidates = [250, 440, 600, 800, 900, 1000, 1100, 1200, 1500, 2000, 3000];
  return candidates.map((hz) => ({ hz, share: toneShare(samples, rate, hz) })).sort((a, b) => b.share - a.share)[0];
}

describe('the tab as input: Send screenshot and Share this tab, through the panel', () => {
  let h: ExtensionHarness;
  let site: Server;
  let siteUrl: string;
  let gemini: FakeGeminiServer;
  let openai: FakeOpenAIServer;
  let extensionCopy: string;
  let permissionSession: CDPSession | undefined;

  beforeAll(async () => {
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(TONE_PAGE);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/tone.html`;
    gemini = await startFakeGeminiServer();
    openai = await startFakeOpenAIServer({ apiKey: OPENAI_KEY });
    // The tone page plays without a click; Extensions.triggerAction (the toolbar click, as a user
    // would do it) needs the unsafe-extension-debugging switch over Playwright's debugging pipe.
    // The one step headless Chromium cannot do is the user's "Allow" on the first-use prompt for
    // the optional tabCapture permission (a browser dialog): this copy of the build declares it
    // granted at install instead; everything after the prompt is the product's code. The prompt
    // itself is on README's manual checklist.
    extensionCopy = mkdtempSync(join(tmpdir(), 'voice-workbench-tab-input-'));
    cpSync(DIST_DIR, extensionCopy, { recursive: true, filter: (src) => !src.endsWith('.map') });
    const manifestPath = join(extensionCopy, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { permissions: string[]; optional_permissions?: string[] };
    manifest.permissions = [...manifest.permissions, 'tabCapture'];
    manifest.optional_permissions = (manifest.optional_permissions ?? []).filter((p) => p !== 'tabCapture');
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    // No --use-fake-ui-for-media-stream: its fake prompt answers tab capture from the fake device
    // list and fails it with NotFoundError ("Requested device not found"). The microphone is
    // granted to the extension's origin through CDP Browser.setPermission instead.
    h = await launchExtension({ extensionDir: extensionCopy, fakeMediaUi: false, unmuted: true, extraArgs: ['--autoplay-policy=no-user-gesture-required', '--enable-unsafe-extension-debugging'] });
    // The override lasts as long as the DevTools session that set it: keep it open.
    permissionSession = await h.context.browser()!.newBrowserCDPSession();
    await permissionSession.send('Browser.setPermission' as never, { permission: { name: 'microphone' }, setting: 'granted', origin: `chrome-extension://${h.extensionId}` } as never);
  });
  afterAll(async () => {
    await permissionSession?.detach().catch(() => undefined);
    await h?.close();
    await gemini?.close();
    await openai?.close();
    await new Promise((r) => site?.close(r));
    if (extensionCopy) rmSync(extensionCopy, { recursive: true, force: true });
  });

  async function ready(panel: Page): Promise<void> {
    try {
      await waitForConnectionState(panel, 'ready', 20_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}; alerts: ${(await alertTexts(panel)).join(' | ')}; status: ${JSON.stringify(await h.hostStatus())}`);
    }
  }

  /** Opens the tone page and clicks the extension's toolbar icon on it (CDP Extensions.triggerAction). */
  async function openInvokedTonePage(panel: Page): Promise<Page> {
    const tone = await h.context.newPage();
    await tone.goto(siteUrl);
    await waitFor('the tone page\'s AudioContext to run', async () => (await tone.title()).includes('running'), { timeoutMs: 10_000 });
    const cdp = await h.context.browser()!.newBrowserCDPSession();
    try {
      // triggerAction wants the tab target (type `tab`, hidden unless the filter asks for it), not the page.
      const { targetInfos } = (await cdp.send('Target.getTargets', { filter: [{ type: 'tab', exclude: false }] } as never)) as { targetInfos: Array<{ targetId: string; type: string; url: string }> };
      const tab = targetInfos.find((t) => t.type === 'tab' && t.url === siteUrl);
      if (!tab) throw new Error(`No tab target for ${siteUrl} among ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')}`);
      await cdp.send('Extensions.triggerAction' as never, { id: h.extensionId, targetId: tab.targetId } as never);
    } finally {
      await cdp.detach().catch(() => undefined);
    }
    await waitFor('the service worker to record the invocation on the tone page', () =>
      panel.evaluate(async () => {
        const got = (await chrome.storage.session.get('tab-invocation'))['tab-invocation'] as { action?: string } | undefined;
        return got?.action === 'open' ? true : null;
      }),
    );
    await tone.bringToFront();
    return tone;
  }

  it('Send screenshot sends a JPEG of the tab to OpenAI (input_image) and to Gemini (realtimeInput.video), with a thumbnail in the conversation', async () => {
    const panel = await h.openPanel();
    const tone = await openInvokedTonePage(panel);

    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: openai.url });
    await ready(panel);
    await selectView(panel, 'Conversation');
    await button(panel, 'Send screenshot').click();
    const create = await openai.waitForReceived('conversation.item.create', 1, 15_000);
    const part = (create.event.item as { content: Array<{ type: string; image_url?: string }> }).content[0];
    expect(part.type).toBe('input_image');
    const jpeg = Buffer.from(part.image_url!.slice(part.image_url!.indexOf(',') + 1), 'base64');
    expect(part.image_url!.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(jpeg.length).toBeGreaterThan(1000);
    expect(openai.sentOfType('error')).toHaveLength(0);
    const thumb = panel.getByRole('img', { name: exactly('Screenshot sent to the model') });
    await waitFor('the screenshot thumbnail in the conversation', () => thumb.first().isVisible());
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');

    await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: gemini.url });
    await ready(panel);
    await selectView(panel, 'Conversation');
    await tone.bringToFront();
    await button(panel, 'Send screenshot').click();
    const frame = await waitFor('a realtimeInput.video frame at the Gemini fake', () => gemini.received.find((f) => (f.json?.realtimeInput as { video?: unknown } | undefined)?.video), { timeoutMs: 15_000 });
    const video = (frame.json!.realtimeInput as { video: { data: string; mimeType: string } }).video;
    expect(video.mimeType).toBe('image/jpeg');
    expect([...Buffer.from(video.data, 'base64').subarray(0, 2)]).toEqual([0xff, 0xd8]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await tone.close();
    await panel.close();
  });

  it('Share this tab: the 1 kHz tone of the tab reaches Gemini as audio, its frames as JPEG, its level shows, and sharing stops when the tab closes', async () => {
    const panel = await h.openPanel();
    const tone = await openInvokedTonePage(panel);
    await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: gemini.url });
    await ready(panel);
    await selectView(panel, 'Conversation');
    await panel.getByRole('combobox', { name: exactly('Tab audio') }).selectOption('replace');
    await panel.getByRole('combobox', { name: exactly('Tab frames') }).selectOption('1');
    const conn = gemini.connections.at(-1)!;
    await button(panel, 'Share this tab').click();
    // An alert instead (permission refused, no invocation) fails at once with its text.
    await waitFor(
      'Stop sharing tab (the host shares the tab), or an alert',
      async () => {
        if (await button(panel, 'Stop sharing tab').isVisible()) return true;
        const alerts = await alertTexts(panel);
        if (alerts.length) throw new Error(`Share this tab failed: ${alerts.join(' | ')}`);
        return null;
      },
      { timeoutMs: 15_000 },
    );
    const from = conn.received.length;
    const audioAfter = () => conn.received.slice(from).filter((f) => f.audio);
    // 1 s of 16 kHz audio after the share started.
    await waitFor('1 s of audio at the fake after sharing started', () => (audioAfter().length >= 60 ? true : null), { timeoutMs: 15_000 });
    const shared = pcmOf(audioAfter().slice(10, 60));
    const rms = Math.sqrt(shared.reduce((a, v) => a + (v / 32768) ** 2, 0) / shared.length);
    const peak = dominant(shared, 16000);
    expect(rms, 'the shared audio is not silent').toBeGreaterThan(0.01);
    expect(peak.hz, `dominant frequency ${peak.hz} Hz (share ${peak.share.toFixed(3)})`).toBe(TONE_HZ);
    expect(peak.share).toBeGreaterThan(0.5);
    // Gemini takes video: the tab's picture arrives as JPEG frames at the chosen rate (1 per second).
    const tabFrame = await waitFor('a tab frame (realtimeInput.video) after sharing started', () => conn.received.slice(from).find((f) => (f.json?.realtimeInput as { video?: unknown } | undefined)?.video), { timeoutMs: 10_000 });
    const frameVideo = (tabFrame.json!.realtimeInput as { video: { data: string; mimeType: string } }).video;
    expect(frameVideo.mimeType).toBe('image/jpeg');
    expect([...Buffer.from(frameVideo.data, 'base64').subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const meter = panel.getByRole('meter', { name: exactly('Tab audio level') });
    await waitFor('the Tab audio level to move', async () => Number(await meter.getAttribute('aria-valuenow')) > 0.01);

    await tone.close();
    await waitFor('Share this tab again after the tab closed', () => button(panel, 'Share this tab').isVisible(), { timeoutMs: 15_000 });
    const status = await h.hostStatus();
    expect((status as { tabShare?: unknown } | null)?.tabShare ?? null).toBeNull();
    const ended = conn.received.length;
    await waitFor('0.6 s of audio after the tab closed', () => (conn.received.slice(ended).filter((f) => f.audio).length >= 35 ? true : null), { timeoutMs: 15_000 });
    const after = pcmOf(conn.received.slice(ended).filter((f) => f.audio).slice(5, 35));
    expect(toneShare(after, 16000, TONE_HZ), 'no tone once the tab closed').toBeLessThan(0.1);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });
});
