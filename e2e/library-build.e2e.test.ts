/**
 * The published library build (`npm run build:lib` → dist-lib/) used the way a third-party
 * extension would: copied into a minimal MV3 extension, imported by an extension page under the
 * default extension CSP, with the worklets loaded from their default URLs next to the module.
 *
 * Extension pages cannot use an import map for the library's one bare import
 * (`@pipecat-ai/client-js`): an import map is an inline script, which MV3's default CSP
 * (`script-src 'self'`) refuses, and MV3 rejects a manifest CSP that adds the map's hash (the
 * extension does not load). So the copy of index.js gets that one specifier pointed at a
 * self-contained bundle of client-js, as a bundler would; nothing else in dist-lib is touched.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as PipecatModule from '@pipecat-ai/client-js';
import type * as LibraryModule from '../src/index.ts';
import { FIXTURES_DIR, REPO_ROOT } from './harness/extension-harness.ts';
import { launchUnpackedExtension, type UnpackedExtension } from './harness/unpacked-extension.ts';
import { waitFor } from './harness/wait-for.ts';
import { startFakePipecatBot } from '../test/fakes/fake-pipecat-ws-bot.ts';

const DIST_LIB = join(REPO_ROOT, 'dist-lib');
const CLIENT_JS_ENTRY = join(REPO_ROOT, 'node_modules', '@pipecat-ai', 'client-js', 'dist', 'index.module.js');
const VENDOR_FILE = 'pipecat-client-js.js';
const SEED_EXAMPLE = join(REPO_ROOT, 'examples', 'seed-style-adapter.ts');
/** The phrase, then 4.4 s of silence, looped: each Loopback echo finishes before the next phrase. */
const MIC_WAV = join(FIXTURES_DIR, 'weather-paris-16k-pause.wav');

/** Newest modification time under `dir` (recursive), ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Reuses dist-lib/ when it is newer than every source file; otherwise runs `npm run build:lib`. */
function ensureLibraryBuild(): void {
  const built = join(DIST_LIB, 'index.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'));
  if (fresh && existsSync(join(DIST_LIB, 'pcm-capture-processor.js')) && existsSync(join(DIST_LIB, 'pcm-player-processor.js'))) return;
  const r = spawnSync('npm', ['run', 'build:lib', '--silent'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:lib failed:\n${r.stdout}\n${r.stderr}`);
}

/** Records every worklet module URL before the library is imported, so the defaults are what gets seen. */
const PAGE_SCRIPT = `
const workletUrls = [];
const addModule = AudioWorklet.prototype.addModule;
AudioWorklet.prototype.addModule = function (url, options) {
  workletUrls.push(String(url));
  return addModule.call(this, url, options);
};
try {
  const lib = await import('./lib/index.js');
  const pipecat = await import('./vendor/${VENDOR_FILE}');
  window.__libPage = { lib, pipecat, workletUrls, libUrl: new URL('./lib/index.js', import.meta.url).href };
} catch (e) {
  window.__libPageError = String(e && e.stack || e);
}
`;

async function writeTestExtension(dir: string): Promise<void> {
  const libDir = join(dir, 'lib');
  mkdirSync(libDir, { recursive: true });
  cpSync(DIST_LIB, libDir, { recursive: true, filter: (src) => !src.endsWith('.map') });
  const indexPath = join(libDir, 'index.js');
  const source = readFileSync(indexPath, 'utf8');
  const bare = /(from\s*)(["'])@pipecat-ai\/client-js\2/g;
  const hits = source.match(bare)?.length ?? 0;
  if (hits !== 1) throw new Error(`expected one import of @pipecat-ai/client-js in dist-lib/index.js, found ${hits}`);
  writeFileSync(indexPath, source.replace(bare, `$1$2../vendor/${VENDOR_FILE}$2`));
  // client-js's module build imports events, uuid and bowser by bare name: bundle it into one file.
  await build({
    configFile: false,
    root: REPO_ROOT,
    publicDir: false,
    logLevel: 'warn',
    build: { outDir: join(dir, 'vendor'), emptyOutDir: true, minify: false, lib: { entry: CLIENT_JS_ENTRY, formats: ['es'], fileName: () => VENDOR_FILE } },
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'library build test', version: '0.0.1', background: { service_worker: 'sw.js' } }, null, 2));
  writeFileSync(join(dir, 'sw.js'), '// Present only so the test can learn the extension id from the worker URL.\n');
  writeFileSync(join(dir, 'lib-page.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>library build</title>\n<script type="module" src="lib-page.js"></script>\n');
  writeFileSync(join(dir, 'lib-page.js'), PAGE_SCRIPT);
  writeFileSync(join(dir, 'seed-style-adapter.js'), compileSeedExample());
}

/**
 * examples/seed-style-adapter.ts as a third party would ship it: types stripped, its one library
 * import pointed at the copied build (its client-js import is type-only and disappears).
 */
function compileSeedExample(): string {
  const js = ts.transpileModule(readFileSync(SEED_EXAMPLE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } }).outputText;
  const from = /(from\s*)(["'])\.\.\/src\/index\.ts\2/g;
  if ((js.match(from)?.length ?? 0) !== 1) throw new Error('expected one import of ../src/index.ts in the seed-style example');
  if (/@pipecat-ai\/client-js/.test(js)) throw new Error('the seed-style example must not import client-js at run time');
  return js.replace(from, '$1$2./lib/index.js$2');
}

interface LibPage {
  lib: typeof LibraryModule;
  pipecat: typeof PipecatModule;
  workletUrls: string[];
  libUrl: string;
}

/** What scenario state the page keeps on window between polls. */
type Win = Window & { __libPage?: LibPage; __libPageError?: string; __run?: Record<string, unknown> };

const TONE_RATE = 24_000;
const TONE_HZ = 440;
const TONE_SAMPLES = 12_000; // 0.5 s
const TONE_PARTS = 3;

describe('the library build in an extension page', () => {
  let ext: UnpackedExtension;
  let dir: string;
  let page: Page;

  beforeAll(async () => {
    ensureLibraryBuild();
    expect(existsSync(join(DIST_LIB, 'types', 'index.d.ts')), 'dist-lib/types/index.d.ts').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'library-build-extension-'));
    await writeTestExtension(join(dir, 'extension'));
    ext = await launchUnpackedExtension(join(dir, 'extension'), { fakeMicWav: MIC_WAV });
    page = await ext.openPage('lib-page.html');
    await waitFor('the page to import the library build', () => page.evaluate(() => ((window as Win).__libPageError ? `error: ${(window as Win).__libPageError}` : !!(window as Win).__libPage)), { timeoutMs: 15_000 }).then((v) => {
      if (typeof v === 'string') throw new Error(`lib-page.js failed: ${v}`);
    });
  });
  afterAll(async () => {
    await ext?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plays a queued tone through the packaged worklets and captures 20 ms chunks', async () => {
    await page.evaluate(
      async ({ toneRate, toneHz, toneSamples, parts }) => {
        const { lib } = (window as Win).__libPage!;
        const run: Record<string, unknown> & { chunks: Array<[number, number]>; botLevels: Array<[number, number]>; micLevels: number[]; playback: Array<{ kind: string; itemId: string; at: number; playedSamples: number }> } = {
          chunks: [],
          botLevels: [],
          micLevels: [],
          playback: [],
        };
        (window as Win).__run = run;
        const mgr = new lib.AudioWorkletMediaManager();
        run.mgr = mgr;
        // No PipecatClient here: the manager gets the options a transport would hand it.
        const options = {
          enableMic: true,
          callbacks: {
            onLocalAudioLevel: (level: number) => void run.micLevels.push(level),
            onRemoteAudioLevel: (level: number) => void run.botLevels.push([performance.now(), level]),
          },
        } as unknown as PipecatModule.PipecatClientOptions;
        mgr.setClientOptions(options);
        mgr.setEventsListener({
          onBotAudioStarted: (e) => run.playback.push({ kind: 'started', ...e }),
          onBotAudioStopped: (e) => run.playback.push({ kind: 'stopped', ...e }),
        });
        mgr.setUserAudioCallback((pcm) => run.chunks.push([performance.now(), pcm.byteLength]));
        mgr.configure({ inputSampleRate: 16000, outputSampleRate: toneRate });
        await mgr.initialize();
        await mgr.connect();
        run.tone = () => {
          const tone = new Int16Array(toneSamples);
          for (let i = 0; i < tone.length; i++) tone[i] = Math.round(16383 * Math.sin((2 * Math.PI * toneHz * i) / toneRate));
          // In parts, as a network delivers it; the player must count them as one item.
          const size = Math.ceil(toneSamples / parts);
          for (let p = 0; p < parts; p++) mgr.bufferBotAudio(tone.slice(p * size, (p + 1) * size), 'tone');
          run.queuedAt = performance.now();
        };
      },
      { toneRate: TONE_RATE, toneHz: TONE_HZ, toneSamples: TONE_SAMPLES, parts: TONE_PARTS },
    );
    const state = () =>
      page.evaluate(() => {
        const run = (window as Win).__run as { chunks: Array<[number, number]>; botLevels: Array<[number, number]>; micLevels: number[]; playback: Array<{ kind: string; itemId: string; at: number; playedSamples: number }>; queuedAt?: number; mgr: LibraryModule.AudioWorkletMediaManager };
        return { chunks: run.chunks, botLevels: run.botLevels, micLevels: run.micLevels, playback: run.playback, queuedAt: run.queuedAt ?? null, stats: run.mgr.getStats(), played: run.mgr.playedSamples('tone') };
      });

    // Both worklets came from the library folder, by their default URLs.
    const { workletUrls, libUrl } = await page.evaluate(() => ({ workletUrls: (window as Win).__libPage!.workletUrls, libUrl: (window as Win).__libPage!.libUrl }));
    expect(libUrl).toBe(ext.url('lib/index.js'));
    expect(workletUrls.sort()).toEqual([new URL('./pcm-capture-processor.js', libUrl).href, new URL('./pcm-player-processor.js', libUrl).href]);
    expect(workletUrls.every((u) => u.startsWith(`chrome-extension://${ext.extensionId}/lib/`))).toBe(true);

    // Capture: wait for 1.5 s of chunks, then check their size and cadence.
    const captured = await waitFor('75 capture chunks (1.5 s at 20 ms)', async () => {
      const s = await state();
      return s.chunks.length >= 75 ? s : null;
    });
    expect(new Set(captured.chunks.map(([, bytes]) => bytes)), 'every chunk is 20 ms at 16 kHz, 16-bit').toEqual(new Set([640]));
    // Cadence after start-up: chunk count × 20 ms against the wall clock between the first and last of them.
    const steady = captured.chunks.slice(10);
    const wallMs = steady.at(-1)![0] - steady[0][0];
    const audioMs = (steady.length - 1) * 20;
    expect(audioMs / wallMs, `${steady.length} chunks over ${wallMs.toFixed(0)} ms`).toBeGreaterThan(0.8);
    expect(audioMs / wallMs, `${steady.length} chunks over ${wallMs.toFixed(0)} ms`).toBeLessThan(1.25);
    expect(captured.stats).toMatchObject({ inputRate: 16000, outputRate: TONE_RATE, chunkMs: 20, resampler: expect.stringMatching(/^(windowed-sinc|none)$/) });
    await waitFor('a non-zero microphone level (the fake microphone phrase)', async () => (await state()).micLevels.some((l) => l > 0.01), { timeoutMs: 15_000 });

    // Playback: the tone, queued in parts under one item, reported started then stopped, every sample played.
    await page.evaluate(() => ((window as Win).__run!.tone as () => void)());
    const played = await waitFor('bot audio started and stopped for the tone', async () => {
      const s = await state();
      const started = s.playback.find((e) => e.kind === 'started' && e.itemId === 'tone');
      const stopped = s.playback.find((e) => e.kind === 'stopped' && e.itemId === 'tone');
      return started && stopped ? { ...s, started, stopped } : null;
    });
    expect(played.stopped.playedSamples).toBe(TONE_SAMPLES);
    expect(played.played).toBe(TONE_SAMPLES);
    expect(played.playback.filter((e) => e.itemId === 'tone').map((e) => e.kind)).toEqual(['started', 'stopped']);
    const spanMs = played.stopped.at - played.started.at;
    expect(Math.abs(spanMs - (TONE_SAMPLES / TONE_RATE) * 1000), `started → stopped spans ${spanMs.toFixed(1)} ms`).toBeLessThanOrEqual(100);
    // The bot level follows the tone (sine at half scale: RMS ≈ 0.35) while it plays.
    const during = played.botLevels.filter(([t]) => t >= played.queuedAt! && t <= played.stopped.at + 100).map(([, l]) => l);
    expect(Math.max(0, ...during), `bot levels during playback: ${during.map((l) => l.toFixed(2)).join(' ')}`).toBeGreaterThan(0.2);
    expect(played.stats.underruns).toBe(0);

    await page.evaluate(() => ((window as Win).__run!.mgr as LibraryModule.AudioWorkletMediaManager).disconnect());
    expect(ext.errors).toEqual([]);
  });

  it('runs the seed-style example adapter (examples/seed-style-adapter.ts) from the build: connect, stream the microphone, disconnect', async () => {
    // The example's own toy protocol (documented in the example): setup → ready, then audio frames.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as { port: number }).port;
    const seen = { setups: 0, audioFrames: 0, audioBytes: 0, loudFrames: 0, texts: [] as string[], closed: 0 };
    server.on('connection', (socket: ServerSocket) => {
      socket.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string; audio?: string; text?: string };
        if (msg.type === 'setup') {
          seen.setups++;
          socket.send(JSON.stringify({ type: 'ready' }));
        } else if (msg.type === 'audio' && msg.audio) {
          const pcm = Buffer.from(msg.audio, 'base64');
          seen.audioFrames++;
          seen.audioBytes += pcm.length;
          let peak = 0;
          for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
          if (peak > 1000) seen.loudFrames++;
        } else if (msg.type === 'text' && msg.text) seen.texts.push(msg.text);
      });
      socket.on('close', () => void seen.closed++);
    });
    try {
      // A string, so the test runner does not rewrite the page's dynamic import.
      await page.evaluate("import('./seed-style-adapter.js').then((m) => { window.__seedExample = m; })");
      await page.evaluate(async (endpoint) => {
        const { pipecat } = (window as Win).__libPage!;
        const { MyLLMServiceTransport } = (window as unknown as { __seedExample: typeof import('../examples/seed-style-adapter.ts') }).__seedExample;
        const states: string[] = [];
        const errors: unknown[] = [];
        const transport = new MyLLMServiceTransport({ endpoint, connect_timeout_ms: 8000 });
        const client = new pipecat.PipecatClient({ transport, enableMic: true, enableCam: false, callbacks: { onTransportStateChanged: (s) => states.push(s), onError: (m) => errors.push(m.data) } });
        (window as Win).__run = { client, states, errors };
        await client.connect();
        // client-js accepts sendText only in `ready`: the seed-style bot-ready made the transport ready.
        await client.sendText('hello from the seed-style adapter');
      }, `ws://127.0.0.1:${port}`);
      const read = () => page.evaluate(() => ({ states: (window as Win).__run!.states as string[], errors: (window as Win).__run!.errors as unknown[] }));
      expect((await read()).states.at(-1)).toBe('ready');
      await waitFor('1 s of microphone audio (50 chunks of 20 ms) at the fake service, some of it loud', () => (seen.audioFrames >= 50 && seen.loudFrames > 0 ? seen : null), { timeoutMs: 20_000 });
      expect(seen.setups).toBe(1);
      expect(seen.audioBytes / seen.audioFrames, '20 ms at 16 kHz, 16-bit').toBe(640);
      expect(seen.texts).toEqual(['hello from the seed-style adapter']);
      await page.evaluate(() => ((window as Win).__run!.client as PipecatModule.PipecatClient).disconnect());
      await waitFor('the client to reach disconnected and the service to see the socket close', async () => ((await read()).states.at(-1) === 'disconnected' && seen.closed === 1 ? true : null));
      const { states, errors } = await read();
      expect(states).not.toContain('error');
      expect(errors).toEqual([]);
      expect(ext.errors).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the build holds the Pipecat bot transport (WebSocket) with no chrome.* use, and it reaches a Pipecat bot from the page', async () => {
    const built = readFileSync(join(DIST_LIB, 'index.js'), 'utf8');
    expect(built).toMatch(/\bPipecatWebsocketTransport\b/);
    expect(built, 'no chrome.* extension API in the library build').not.toMatch(/\bchrome\s*\.\s*(runtime|storage|permissions|offscreen|tabs|sidePanel)\b/);
    expect(readFileSync(join(DIST_LIB, 'types', 'index.d.ts'), 'utf8')).toMatch(/PipecatWebsocketTransport/);
    const bot = await startFakePipecatBot();
    try {
      const ready = await page.evaluate(async (url) => {
        const { lib, pipecat } = (window as Win).__libPage!;
        const client = new pipecat.PipecatClient({ transport: new lib.PipecatWebsocketTransport({ endpoint: url }), enableMic: false, enableCam: false });
        const answer = (await client.connect()) as { about?: { library?: string } };
        await client.disconnect();
        return answer?.about?.library ?? null;
      }, bot.url);
      expect(ready, "the bot's bot-ready, as connect() returns it").toBe('pipecat-ai');
      expect(bot.received.map((m) => m.type)).toContain('client-ready');
    } finally {
      await bot.close();
    }
  });

  it('drives a LoopbackTransport from the build through a real PipecatClient', async () => {
    const urlsBefore = await page.evaluate(() => (window as Win).__libPage!.workletUrls.length);
    await page.evaluate(async () => {
      const { lib, pipecat } = (window as Win).__libPage!;
      const events: Array<[string, number]> = [];
      const states: string[] = [];
      const client = new pipecat.PipecatClient({
        transport: new lib.LoopbackTransport({}),
        enableMic: true,
        enableCam: false,
        callbacks: {
          onTransportStateChanged: (s) => states.push(s),
          onUserStartedSpeaking: () => events.push(['user-started-speaking', performance.now()]),
          onUserStoppedSpeaking: () => events.push(['user-stopped-speaking', performance.now()]),
          onBotStartedSpeaking: () => events.push(['bot-started-speaking', performance.now()]),
          onBotStoppedSpeaking: () => events.push(['bot-stopped-speaking', performance.now()]),
        },
      });
      (window as Win).__run = { client, events, states };
      await client.connect();
    });
    const read = () => page.evaluate(() => ({ events: (window as Win).__run!.events as Array<[string, number]>, states: (window as Win).__run!.states as string[] }));
    const order = ['user-started-speaking', 'user-stopped-speaking', 'bot-started-speaking', 'bot-stopped-speaking'];
    const seen = await waitFor(`${order.join(' → ')} from the PipecatClient`, async () => {
      const { events } = await read();
      const found: Array<[string, number]> = [];
      for (const e of events) if (e[0] === order[found.length]) found.push(e);
      return found.length === order.length ? found : null;
    }, { timeoutMs: 40_000 });
    expect(seen.map(([type]) => type)).toEqual(order);
    expect((await read()).states).toContain('ready');

    // The transport's own media manager used the same default worklet URLs.
    const urls = await page.evaluate(() => (window as Win).__libPage!.workletUrls);
    expect(urls.slice(urlsBefore).sort()).toEqual([ext.url('lib/pcm-capture-processor.js'), ext.url('lib/pcm-player-processor.js')]);

    await page.evaluate(() => ((window as Win).__run!.client as PipecatModule.PipecatClient).disconnect());
    await waitFor('the client to reach disconnected', async () => (await read()).states.at(-1) === 'disconnected');
    expect(ext.errors).toEqual([]);
  });
});
