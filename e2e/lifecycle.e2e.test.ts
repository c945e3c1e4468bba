import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rigAvailable, startPulseRig, type PulseRig } from '../bench/pulse-rig.ts';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { SESSION_HOST_LOST_MESSAGE } from '../extension/sidepanel/panel-state.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, connectionStatus, waitForConnectionState } from './harness/panel-page.ts';
import { exportEvents, heldEventCount } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * Browser contexts dying or changing under a live session (issue 8): the panel closing, the
 * service worker being stopped, the offscreen document being closed, the microphone going away.
 */

const hostEvents = (h: ExtensionHarness) => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
const hostSize = async (h: ExtensionHarness) => (await h.evaluateInOffscreen<number>('globalThis.__sessionHost.historySize')) ?? 0;

/** Resolves once the host's history has not grown for `quietMs` (bounded by `timeoutMs`). */
async function waitForQuietHistory(h: ExtensionHarness, quietMs = 1_000, timeoutMs = 30_000): Promise<number> {
  let last = -1;
  let since = Date.now();
  return waitFor(
    `the host history to stop growing for ${quietMs} ms`,
    async () => {
      const n = await hostSize(h);
      if (n !== last) {
        last = n;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? n : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** A Loopback panel with no session open and the microphone on, whatever an earlier test left. */
async function idlePanel(h: ExtensionHarness): Promise<Page> {
  const panel = await h.openPanel({ adapter: 'loopback' });
  if (await button(panel, 'Disconnect').isVisible()) {
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  }
  if (await button(panel, 'Unmute microphone').isVisible()) {
    await button(panel, 'Unmute microphone').click();
    await waitFor('Mute microphone', () => button(panel, 'Mute microphone').isVisible());
  }
  return panel;
}

async function connectLoopback(panel: Page): Promise<void> {
  await button(panel, 'Connect').click();
  await waitForConnectionState(panel, 'ready', 20_000);
}

describe('session lifecycle in Chromium (fake microphone, Loopback)', () => {
  let h: ExtensionHarness;

  beforeAll(async () => {
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the panel closed and reopened mid-session loses no event and shows the same session', async () => {
    const first = await idlePanel(h);
    await connectLoopback(first);
    const atConnect = await hostEvents(h);
    const session = Math.max(...atConnect.map((e) => e.session));
    await waitFor('captured audio frames in the host history', async () => (await hostSize(h)) > 40);
    await first.close();
    // The session goes on with no panel open: the host keeps recording.
    const closedAt = await hostSize(h);
    await waitFor('events recorded while no panel was open', async () => (await hostSize(h)) > closedAt + 100, { timeoutMs: 20_000 });
    expect((await h.hostStatus())?.transportState).toBe('ready');

    const again = await h.openPanel({ adapter: 'loopback' });
    await waitForConnectionState(again, 'ready');
    // Quiet the session so the panel's copy and the host's can be compared exactly.
    await button(again, 'Mute microphone').click();
    await waitFor('Unmute microphone', () => button(again, 'Unmute microphone').isVisible());
    const quiet = await waitForQuietHistory(h);
    const events = await hostEvents(h);
    expect(events.length).toBeGreaterThanOrEqual(quiet);
    // Within the history bound nothing was dropped: the seqs run without a gap.
    const seqs = events.map((e) => e.seq);
    expect(seqs.at(-1)! - seqs[0] + 1, 'host history seqs contiguous').toBe(seqs.length);
    await waitFor(`the panel's Event count to reach the host's ${events.length}`, async () => (await heldEventCount(again)) >= events.length, { timeoutMs: 10_000 });
    const exported = await exportEvents(again);
    const later = (await hostEvents(h)).map((e) => e.seq);
    const panelSeqs = exported.lines.slice(1).map((l) => Number(l.seq));
    // The panel holds every event the host held (a straggler may have arrived since), in order.
    expect(panelSeqs.slice(0, seqs.length)).toEqual(seqs);
    expect(later.slice(0, panelSeqs.length)).toEqual(panelSeqs);
    // Same session: no second connect, one session number since Connect.
    const mine = events.filter((e) => e.session === session);
    expect(mine.filter((e) => e.type === 'connect-requested')).toHaveLength(1);
    expect(Math.max(...events.map((e) => e.session))).toBe(session);

    await button(again, 'Disconnect').click();
    await waitForConnectionState(again, 'disconnected');
    await again.close();
  });

  it('the service worker stopped mid-session: the session continues and stays ready', async () => {
    const panel = await idlePanel(h);
    await connectLoopback(panel);
    const session = Math.max(...(await hostEvents(h)).map((e) => e.session));
    await h.stopServiceWorkers();
    const afterStop = (await hostEvents(h)).at(-1)!.seq;
    await waitFor('new events of the same session after the worker stopped', async () => (await hostEvents(h)).filter((e) => e.seq > afterStop && e.session === session).length > 60, { timeoutMs: 20_000 });
    expect((await h.hostStatus())?.transportState).toBe('ready');
    await waitForConnectionState(panel, 'ready', 2_000);
    expect(await h.offscreenDocumentCount()).toBe(1);
    // The panel's Port goes to the offscreen document, not the worker: it still receives events.
    const shown = await heldEventCount(panel);
    await waitFor('the panel to keep receiving events', async () => (await heldEventCount(panel)) > shown + 20, { timeoutMs: 15_000 });
    expect(await alertTexts(panel)).toEqual([]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });

  it('the offscreen document closed under the session: the panel says so, and the next Connect recovers', async () => {
    const panel = await idlePanel(h);
    await connectLoopback(panel);
    const sw = await h.serviceWorker();
    await sw.evaluate(() => chrome.offscreen.closeDocument());
    await waitFor('an alert that the session host closed', async () => (await alertTexts(panel)).some((t) => t.includes(SESSION_HOST_LOST_MESSAGE)), { timeoutMs: 15_000 });
    // Truthful: no longer ready once the host is gone, and still saying so after the panel relinks to a new host.
    expect((await connectionStatus(panel).textContent()) ?? '').not.toMatch(/\bready\b/);
    await waitFor('a new offscreen document', async () => (await h.offscreenDocumentCount()) === 1);
    await waitFor('the panel to relink', async () => !((await connectionStatus(panel).textContent()) ?? '').includes('reaching'));
    await waitForConnectionState(panel, 'disconnected');
    expect((await alertTexts(panel)).join(' ')).toContain(SESSION_HOST_LOST_MESSAGE);
    expect((await h.hostStatus())?.transportState).toBe('disconnected');

    await connectLoopback(panel);
    expect((await h.hostStatus())?.transportState).toBe('ready');
    await waitFor('audio frames from the new session', async () => (await hostSize(h)) > 20);
    expect(await alertTexts(panel)).toEqual([]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });
});

const noRig = rigAvailable();

describe.skipIf(noRig !== null)(`microphone unplugged mid-session (private PulseAudio server${noRig ? `; skipped: ${noRig}` : ''})`, () => {
  let rig: PulseRig;
  let h: ExtensionHarness;

  beforeAll(async () => {
    rig = await startPulseRig();
    h = await launchExtension({ realAudioDevices: true, env: rig.env() });
  });
  afterAll(async () => {
    await h?.close();
    await rig?.close();
  });

  // PulseAudio (14+) moves the capture stream elsewhere when the pipe source is unloaded, so
  // Chromium's track never ends; and Chrome sends no devicechange to the (never visible) offscreen
  // document. The media manager re-reads the device list every 2 s while a microphone is open and
  // reports the microphone as lost once it is gone from the list.
  it('unloading the pipe source gives a clear message and a truthful session state', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await connectLoopback(panel);
    // Chromium captures from the rig's microphone, not a fake device.
    await waitFor('a Chromium source output on the private server', () => rig.pactl('list', 'short', 'source-outputs').trim().length > 0, { timeoutMs: 10_000 });
    const chunksSent = async () => (await h.evaluateInOffscreen<{ chunksSent?: number }>('globalThis.__sessionHost.stats'))?.chunksSent ?? 0;
    const before = await chunksSent();
    await waitFor('audio chunks captured from the PulseAudio microphone', async () => (await chunksSent()) > before + 25, { timeoutMs: 10_000 });

    const module = rig
      .pactl('list', 'short', 'modules')
      .split('\n')
      .find((l) => l.includes('module-pipe-source'))
      ?.split('\t')[0];
    if (!module) throw new Error(`no module-pipe-source on the rig: ${rig.pactl('list', 'short', 'modules')}`);
    rig.pactl('unload-module', module);

    const message = await waitFor('an alert that the microphone was lost', async () => (await alertTexts(panel)).find((t) => /microphone/i.test(t) && /lost|stopped|unplugged/i.test(t)), { timeoutMs: 15_000 });
    expect(message).toMatch(/Microphone lost/);
    // Truthful: the panel shows exactly what the host reports.
    const state = (await h.hostStatus())?.transportState;
    await waitForConnectionState(panel, state!, 5_000);
    const events = await hostEvents(h);
    expect(events.some((e) => e.type === 'host-error' && /Microphone lost/.test(JSON.stringify(e.data)))).toBe(true);
    if (state === 'ready') {
      // The session is still open: Disconnect must end it cleanly.
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
    }
    expect(await button(panel, 'Connect').isVisible()).toBe(true);
    await panel.close();
  });
});
