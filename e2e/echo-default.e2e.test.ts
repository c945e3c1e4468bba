import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rigAvailable, startPulseRig, type PulseRig } from '../bench/pulse-rig.ts';
import { AUDIO_OVERRIDES_GLOBAL } from '../extension/offscreen/audio-overrides.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * Issue 14: the default playback path ('auto') is chosen at run time from the microphone's echo
 * canceller, and getStats() says which path and mode are live and whether the canceller covers it.
 */
type EchoStats = { playbackPath?: string | null; echoCancellation?: boolean | null; echoCancellationMode?: unknown; echoCancellationConfirmed?: boolean | null; capturePath?: string | null; capturePathFallback?: string | null; chunksSent?: number };

describe('default echo path in Chromium (fake microphone, Loopback)', () => {
  let h: ExtensionHarness;
  beforeAll(async () => {
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the live path follows the canceller's capabilities and getStats() reports the mode and its coverage", async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    // What this Chromium's canceller offers, read from a track of its own (echo-cancellation.ts).
    const caps = await h.evaluateInOffscreen<unknown>(
      'navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true } }).then((s) => { const c = s.getAudioTracks()[0].getCapabilities?.().echoCancellation ?? null; s.getTracks().forEach((t) => t.stop()); return c; })',
    );
    const systemWide = Array.isArray(caps) && caps.includes('remote-only');
    const expected = systemWide ? 'destination' : 'rtc-loopback';
    const stats = await waitFor(`getStats() to report the '${expected}' path (capabilities ${JSON.stringify(caps)})`, async () => {
      const s = await h.evaluateInOffscreen<EchoStats>('globalThis.__sessionHost.stats');
      return s?.playbackPath === expected ? s : null;
    }, { timeoutMs: 15_000 });
    expect(stats.echoCancellation).toBe(true);
    expect(stats.echoCancellationMode).toBe(true);
    expect(stats.echoCancellationConfirmed).toBe(true);
    // A covered path raises no echo warning in the panel.
    expect(await panel.getByText(/^Echo warning/).count()).toBe(0);
    // The microphone reaches the worklet frame by frame from its track (the faster capture path,
    // BENCHMARKS.md), and its chunks keep flowing to the adapter.
    expect(stats.capturePath).toBe('track-processor');
    expect(stats.capturePathFallback).toBeNull();
    const from = stats.chunksSent ?? 0;
    await waitFor('25 more capture chunks from the track frames', async () => ((await h.evaluateInOffscreen<EchoStats>('globalThis.__sessionHost.stats'))?.chunksSent ?? 0) >= from + 25, { timeoutMs: 15_000 });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });

  it('Headphones (Settings → Devices) opens the next session without echo cancellation, with no echo warning; unticked, the canceller is back', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectView(panel, 'Settings');
    const headphones = panel.getByRole('checkbox', { name: /^Headphones/ });
    await headphones.check();
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    // The previous session's stats stay until this one's arrive: wait for the new session's track.
    const off = await waitFor("getStats() to report this session's microphone without echo cancellation", async () => {
      const s = await h.evaluateInOffscreen<EchoStats>('globalThis.__sessionHost.stats');
      return s?.echoCancellation === false && s.playbackPath ? s : null;
    }, { timeoutMs: 15_000 });
    expect(off.echoCancellationMode).toBe(false);
    // Off on purpose: neither the session bar nor the Metrics view warns about it.
    expect(await panel.getByText(/^Echo warning/).count()).toBe(0);
    await selectView(panel, 'Metrics');
    expect(await panel.getByText(/bot may hear itself/).count()).toBe(0);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await selectView(panel, 'Settings');
    await headphones.uncheck();
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    const on = await waitFor('getStats() with the canceller back on', async () => {
      const s = await h.evaluateInOffscreen<EchoStats>('globalThis.__sessionHost.stats');
      return s?.echoCancellation === true ? s : null;
    }, { timeoutMs: 15_000 });
    expect(on.echoCancellationMode).toBe(true);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });
});

const noRig = rigAvailable();

describe.skipIf(noRig !== null)('echo check on the PulseAudio rig with an acoustic path (speaker → microphone, 40 ms, −6 dB)', () => {
  let rig: PulseRig;
  let h: ExtensionHarness;
  beforeAll(async () => {
    rig = await startPulseRig({ acoustic: { delayMs: 40, gainDb: -6 } });
    h = await launchExtension({ realAudioDevices: true, env: rig.env() });
  });
  afterAll(async () => {
    await h?.close();
    await rig?.close();
  });

  it('says "echo cancelled" with the canceller on and "wear headphones" with it off', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectView(panel, 'Settings');
    const result = panel.getByRole('status', { name: 'Echo check result' });
    const check = async () => {
      await button(panel, 'Check echo').click();
      await waitFor('the echo check to start listening', async () => /listening/i.test((await result.textContent()) ?? ''), { timeoutMs: 10_000 });
      return waitFor('the echo check verdict', async () => {
        const t = (await result.textContent()) ?? '';
        return /^(echo cancelled|wear headphones|echo check failed)/i.test(t) ? t : null;
      }, { timeoutMs: 30_000 });
    };
    // On a heavily loaded machine Chrome's canceller itself can lose the echo for a run (BENCHMARKS.md:
    // 2 of 5 checks at load 26 on 2 cores); a cancelling canceller passes within three checks.
    const onRuns: string[] = [];
    while (onRuns.length < 3 && !/^Echo cancelled/.test(onRuns.at(-1) ?? '')) onRuns.push(await check());
    expect(onRuns.at(-1), onRuns.join(' | ')).toMatch(/^Echo cancelled/);
    await h.evaluateInOffscreen(`globalThis.${AUDIO_OVERRIDES_GLOBAL} = { echoCancellation: false }; true`);
    expect(await check()).toMatch(/^Wear headphones/);
    await h.evaluateInOffscreen(`delete globalThis.${AUDIO_OVERRIDES_GLOBAL}; true`);
    await panel.close();
  });
});
