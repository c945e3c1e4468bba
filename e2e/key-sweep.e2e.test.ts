import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { exportEvents, openAdvancedSettings, selectAdapter } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';
import { WebSocketRecorder } from './harness/websocket-recorder.ts';

/**
 * Issue 8's key sweep: sessions on each adapter with recognisable keys, then every artefact of the
 * run is searched for them. Two sessions deliberately use the insecure paths (Gemini key in the
 * URL, OpenAI key in the handshake) with keys of their own: they prove the searches can see a key
 * where one is exposed, and that only those opt-in paths expose it.
 */
const GEMINI_KEY = 'AIzaSWEEPgemini_0f3c9a71d2b84e56aa10';
const GEMINI_BAD_KEY = 'AIzaSWEEPgeminiBAD_7d21c0e9b3a4f5';
const GEMINI_URL_KEY = 'AIzaSWEEPgeminiINURL_51ab3c7d9e0f';
const OPENAI_KEY = 'sk-SWEEP-openai-4b9e2d71c0a35f68';
const OPENAI_BAD_KEY = 'sk-SWEEP-openaiBAD-93c1e07a2d5b';
const OPENAI_SUBPROTOCOL_KEY = 'sk-SWEEP-openaiSUBPROTO-2e7f90b1';
/** Keys that must be found nowhere (the two opt-in controls are checked separately). */
const SAFE_PATH_KEYS = [GEMINI_KEY, GEMINI_BAD_KEY, OPENAI_KEY, OPENAI_BAD_KEY];

/** A loopback port with nothing listening: connections are refused at once. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function findKeys(text: string, keys: string[]): string[] {
  return keys.filter((k) => text.includes(k) || text.includes(encodeURIComponent(k)));
}

describe('API keys appear in no artefact of a run (all adapters)', () => {
  let h: ExtensionHarness;
  let panel: Page;
  let ws: WebSocketRecorder;
  let gemini: FakeGeminiServer;
  let openai: FakeOpenAIServer;
  let openaiSubprotocol: FakeOpenAIServer;
  let dead: string;

  beforeAll(async () => {
    gemini = await startFakeGeminiServer({ validKeys: [GEMINI_KEY, GEMINI_URL_KEY] });
    openai = await startFakeOpenAIServer({ apiKey: OPENAI_KEY, vadRmsThreshold: 2 });
    openaiSubprotocol = await startFakeOpenAIServer({ apiKey: OPENAI_SUBPROTOCOL_KEY, vadRmsThreshold: 2 });
    dead = `ws://127.0.0.1:${await refusedPort()}`;
    h = await launchExtension();
    panel = await h.openPanel();
    ws = await WebSocketRecorder.start(h.context, h.extensionId);
    await waitFor('the WebSocket recorder to watch the offscreen document', () => ws.isWatching('background_page'));
  });
  afterAll(async () => {
    await ws?.stop();
    await h?.close();
    await Promise.all([gemini?.close(), openai?.close(), openaiSubprotocol?.close()]);
  });

  async function fill(adapter: string, key: string, endpoint: string, auth?: string): Promise<void> {
    await selectAdapter(panel, adapter);
    await panel.getByLabel(exactly('API key')).fill(key);
    await openAdvancedSettings(panel);
    await panel.getByRole('textbox', { name: exactly('Endpoint URL') }).fill(endpoint);
    if (auth) await panel.getByRole('combobox', { name: exactly('Authentication') }).selectOption(auth);
  }

  /** Connects and waits for ready (then disconnects) or for an alert. */
  async function session(expect: 'ready' | 'alert'): Promise<string[]> {
    await button(panel, 'Connect').click();
    if (expect === 'ready') {
      await waitForConnectionState(panel, 'ready', 20_000);
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
      return [];
    }
    const alerts = await waitFor('an alert for the failed connect', async () => ((await alertTexts(panel)).length ? alertTexts(panel) : undefined), { timeoutMs: 20_000 });
    await waitFor('the session to settle', async () => button(panel, 'Connect').isVisible(), { timeoutMs: 15_000 });
    return alerts;
  }

  const alertsSeen: string[] = [];

  it('Gemini: token path (good key, bad key, unreachable host) and the opt-in key-in-URL path', async () => {
    await fill('Gemini Live', GEMINI_KEY, gemini.url, 'token');
    await session('ready');
    expect(gemini.connections.at(-1)?.auth).toBe('token');
    await fill('Gemini Live', GEMINI_BAD_KEY, gemini.url, 'token');
    alertsSeen.push(...(await session('alert')));
    await fill('Gemini Live', GEMINI_KEY, dead, 'token');
    alertsSeen.push(...(await session('alert')));

    // The key-in-URL option carries its warning in the field's description…
    await fill('Gemini Live', GEMINI_URL_KEY, dead, 'key-in-url');
    const help = await panel.getByRole('combobox', { name: exactly('Authentication') }).evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
    expect(help).toMatch(/prints the URL of a failed WebSocket to the console/);
    // …and it is real: Chrome logs the failed URL, key included (this also proves the console search sees it).
    alertsSeen.push(...(await session('alert')));
    await waitFor('Chrome to log the failed WebSocket URL with the key', () => h.targets.dump().includes(GEMINI_URL_KEY), { timeoutMs: 10_000 });
    await selectView(panel, 'Settings');
    await panel.getByRole('combobox', { name: exactly('Authentication') }).selectOption('token');
  });

  it('OpenAI: client-secret path (good key, bad key) and the opt-in key-in-handshake path', async () => {
    await fill('OpenAI Realtime', OPENAI_KEY, openai.url, 'client-secret');
    await session('ready');
    await fill('OpenAI Realtime', OPENAI_BAD_KEY, openai.url, 'client-secret');
    const bad = await session('alert');
    expect(bad.join(' ')).toMatch(/Incorrect API key provided/);
    alertsSeen.push(...bad);

    await fill('OpenAI Realtime', OPENAI_SUBPROTOCOL_KEY, openaiSubprotocol.url, 'api-key-in-subprotocol');
    await session('ready');
    // The handshake carried the key: the recorder and the fake both see it there.
    expect(ws.dump()).toContain(OPENAI_SUBPROTOCOL_KEY);
    expect(openaiSubprotocol.handshakes.at(-1)?.protocols.join(',')).toContain(OPENAI_SUBPROTOCOL_KEY);
    await selectView(panel, 'Settings');
    await panel.getByRole('combobox', { name: exactly('Authentication') }).selectOption('client-secret');
    await panel.getByLabel(exactly('API key')).fill(OPENAI_KEY);
  });

  it('no artefact holds a key sent the default way, and the opt-in keys stay out of everything but their own channel', async () => {
    const all = [...SAFE_PATH_KEYS, GEMINI_URL_KEY, OPENAI_SUBPROTOCOL_KEY];
    // Every WebSocket the browser opened, as the browser and the fakes saw it.
    // Gemini token and key-in-URL, OpenAI client secret and key-in-handshake (the others failed before a socket).
    expect(ws.sockets.size).toBeGreaterThanOrEqual(4);
    const sockets = ws.dump();
    expect(sockets).toContain('access_token=');
    expect(sockets).toContain('openai-insecure-api-key.ek_');
    expect(findKeys(sockets, [...SAFE_PATH_KEYS])).toEqual([]);
    expect(findKeys(gemini.urls.join('\n'), [...SAFE_PATH_KEYS])).toEqual([]);
    expect(findKeys(openai.handshakes.map((hs) => `${hs.url} ${hs.protocols.join(',')}`).join('\n'), all)).toEqual([]);

    // Console output of every extension target (Chrome's own network errors included).
    expect(h.targets.console.length).toBeGreaterThan(0);
    expect(findKeys(h.targets.dump(), [...SAFE_PATH_KEYS, OPENAI_SUBPROTOCOL_KEY])).toEqual([]);

    // Frame-observer payloads and host events (the host's history).
    const history = JSON.stringify(await h.evaluateInOffscreen('globalThis.__sessionHost.events()'));
    expect(history).toContain('connect-requested');
    expect(findKeys(history, all)).toEqual([]);

    // The exported JSONL.
    const exported = await exportEvents(panel);
    expect(exported.lines.length).toBeGreaterThan(10);
    expect(findKeys(exported.text, all)).toEqual([]);

    // Every recording of the run (issue 15), as stored and as exported (the zip stores its files
    // uncompressed, so a key would appear in its bytes as text).
    const listing = await h.evaluateInOffscreen<{ recordings: Array<{ id: string }> }>('globalThis.__recordings.list()');
    expect(listing.recordings.length).toBeGreaterThan(0);
    for (const r of listing.recordings) {
      expect(findKeys(JSON.stringify(await h.evaluateInOffscreen(`globalThis.__recordings.get(${JSON.stringify(r.id)})`)), all)).toEqual([]);
      const zip = await h.evaluateInOffscreen<string>(`globalThis.__recordings.exportBase64(${JSON.stringify(r.id)})`);
      expect(findKeys(Buffer.from(zip, 'base64').toString('latin1'), all)).toEqual([]);
    }

    // Error and alert texts, and everything the panel shows as text (the key field's value is not text).
    expect(alertsSeen.length).toBeGreaterThanOrEqual(4);
    expect(findKeys(alertsSeen.join('\n'), all)).toEqual([]);
    // textContent, not innerText: the views not selected now hold text too.
    expect(findKeys(await panel.evaluate(() => document.body.textContent ?? ''), all)).toEqual([]);

    // Storage: never in storage.local unless remembered.
    const sw = await h.serviceWorker();
    const local = () => sw.evaluate(() => chrome.storage.local.get(null)).then((v) => JSON.stringify(v));
    expect(findKeys(await local(), all)).toEqual([]);
    await selectView(panel, 'Settings');
    await panel.getByRole('checkbox', { name: exactly('Remember key on this device') }).check();
    await waitFor('the remembered key in storage.local', async () => (await local()).includes(OPENAI_KEY), { timeoutMs: 5_000 });
    await button(panel, 'Forget key').click();
    await waitFor('the forgotten key to leave storage', async () => !(await local()).includes(OPENAI_KEY) && !JSON.stringify(await sw.evaluate(() => chrome.storage.session.get(null))).includes(OPENAI_KEY), { timeoutMs: 5_000 });
  });
});
