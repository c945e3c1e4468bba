import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, eventCount, listedEventTypes, meterValue, selectView, waitForConnectionState, waitForEvent } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

const SPEAKING = ['user-started-speaking', 'user-stopped-speaking', 'bot-started-speaking', 'bot-stopped-speaking'];

/** The first events matching `types` in order (a subsequence match), or null. */
function inOrder(events: LogEvent[], types: string[]): LogEvent[] | null {
  const found: LogEvent[] = [];
  for (const e of events) {
    if (e.source === 'rtvi' && e.type === types[found.length]) {
      found.push(e);
      if (found.length === types.length) return found;
    }
  }
  return null;
}

describe('Loopback end to end through the panel', () => {
  let h: ExtensionHarness;
  const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');

  beforeAll(async () => {
    // The phrase then 4.4 s of silence, looped: each echo finishes before the next phrase.
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('Connect reaches ready and the speaking events arrive in order', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectView(panel, 'Settings');
    await waitFor('the Adapter picker in Settings', () => panel.getByRole('combobox', { name: /^adapter$/i }).isVisible());
    await expect(panel.getByRole('textbox', { name: /^api key$/i }).count()).resolves.toBe(0);
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready');
    await waitFor('Disconnect to replace Connect', () => button(panel, 'Disconnect').isVisible());

    await waitFor(`${SPEAKING.join(' → ')} in the session host`, async () => inOrder(await hostEvents(), SPEAKING), { timeoutMs: 30_000 });
    for (const type of SPEAKING) await waitForEvent(panel, type);
    // The panel lists them in the same order.
    const rows = await listedEventTypes(panel, 'speaking');
    const firstRow = SPEAKING.map((type) => rows.findIndex((r) => r.includes(type)));
    expect(firstRow.every((i) => i >= 0), rows.join('\n')).toBe(true);
    expect(firstRow, rows.join('\n')).toEqual([...firstRow].sort((a, b) => a - b));

    await selectView(panel, 'Conversation');
    const conversation = panel.getByRole('region', { name: /^conversation$/i });
    await waitFor('a You: turn and a Bot: turn', async () => {
      const items = await conversation.getByRole('listitem').allTextContents();
      return items.some((t) => t.startsWith('You:')) && items.some((t) => t.startsWith('Bot:'));
    });
    await waitFor('a non-zero Microphone level during the session', async () => (await meterValue(panel, 'Microphone level')) > 0);

    // The bot's speaking interval, from the events' audio-clock stamps, matches the echo it played,
    // and the player's output is not silent during it (Bot level sampled while it speaks).
    let sawBotLevel = false;
    const pair = await waitFor('an echo played to the end (bot-started → bot-stopped with every sample played)', async () => {
      const events = await hostEvents();
      const speaking = events.filter((e) => e.type === 'bot-started-speaking').length > events.filter((e) => e.type === 'bot-stopped-speaking').length;
      if (speaking && (await meterValue(panel, 'Bot level')) > 0) sawBotLevel = true;
      for (const echo of events.filter((e) => e.type === 'loopback.echo')) {
        const start = events.find((e) => e.type === 'bot-started-speaking' && e.seq > echo.seq);
        const stop = start && events.find((e) => e.type === 'bot-stopped-speaking' && e.seq > start.seq);
        const played = (stop?.data as { played_samples?: number } | undefined)?.played_samples;
        const samples = Math.round(((echo.audio?.durationMs ?? 0) * (echo.audio?.sampleRate ?? 0)) / 1000);
        if (start && stop && played === samples && samples > 0) return { start, stop, durationMs: echo.audio!.durationMs };
      }
      return null;
    }, { timeoutMs: 40_000, intervalMs: 20 });
    const clock = (e: LogEvent) => (e.data as { audio_clock_ms?: number }).audio_clock_ms;
    const startClock = clock(pair.start);
    const stopClock = clock(pair.stop);
    expect(startClock, 'bot-started-speaking carries its audio-clock stamp').toBeTypeOf('number');
    expect(stopClock, 'bot-stopped-speaking carries its audio-clock stamp').toBeTypeOf('number');
    const interval = stopClock! - startClock!;
    expect(Math.abs(interval - pair.durationMs), `speaking ${interval} ms on the audio clock for ${pair.durationMs} ms of echo`).toBeLessThanOrEqual(100);
    if (!sawBotLevel) await waitFor('a non-zero Bot level while the bot speaks', async () => (await meterValue(panel, 'Bot level')) > 0, { timeoutMs: 20_000, intervalMs: 20 });

    const violations = await auditAccessibility(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await panel.close();
  });

  it('Interrupt silences the bot at once', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitForConnectionState(panel, 'ready');
    const before = (await hostEvents()).filter((e) => e.type === 'bot-started-speaking').length;
    await waitFor('the bot to start speaking again', async () => {
      const events = await hostEvents();
      const starts = events.filter((e) => e.type === 'bot-started-speaking');
      return starts.length > before && events.at(-1)?.seq !== undefined && !events.some((e) => e.type === 'bot-stopped-speaking' && e.seq > starts.at(-1)!.seq);
    }, { timeoutMs: 30_000, intervalMs: 20 });
    await waitFor('a non-zero Bot level', async () => (await meterValue(panel, 'Bot level')) > 0, { timeoutMs: 5_000, intervalMs: 20 });
    await button(panel, 'Interrupt').click();

    const stop = await waitFor('bot-stopped-speaking after Interrupt', async () => {
      const events = await hostEvents();
      const lastStart = events.filter((e) => e.type === 'bot-started-speaking').at(-1)!;
      return events.find((e) => e.type === 'bot-stopped-speaking' && e.seq > lastStart.seq);
    });
    const events = await hostEvents();
    const echo = events.filter((e) => e.type === 'loopback.echo').at(-1)!;
    const played = (stop.data as { played_samples?: number }).played_samples ?? Infinity;
    const echoSamples = ((echo.audio?.durationMs ?? 0) * (echo.audio?.sampleRate ?? 0)) / 1000;
    expect(echoSamples).toBeGreaterThan(0);
    // The echo was cut short: fewer samples played than it carried.
    expect(played).toBeLessThan(echoSamples);
    await waitFor('the Bot level to fall to zero', async () => (await meterValue(panel, 'Bot level')) < 0.001, { timeoutMs: 3_000 });
    await panel.close();
  });

  it('while the conversation streams, the Event log holds every event the host logged and follows its newest rows', async () => {
    // The panel redraws on one 100 ms beat and the log scrolls only when it grew (most batches are
    // audio frames it hides): neither may hold back a row or leave the list short of its end.
    // Opened three times: the first opening followed where later ones (a longer log) stopped short.
    for (let opening = 1; opening <= 3; opening++) {
      const panel = await h.openPanel({ adapter: 'loopback' });
      await waitForConnectionState(panel, 'ready');
      const log = panel.getByRole('log', { name: /^event log$/i });
      const atEnd = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 48);
      const geometry = () => log.evaluate((el) => `scrollTop ${el.scrollTop}, scrollHeight ${el.scrollHeight}, clientHeight ${el.clientHeight}, rows ${el.querySelectorAll('li[data-index]').length}, Jump to latest ${!!document.querySelector('.insp-jump')}, focus in log ${el.contains(document.activeElement)}`);
      // A panel opened during a conversation starts at the end of its log and stays there: rows measured
      // taller than estimated after the first follow must not read as the user scrolling away.
      await waitFor(`the Event log at its end after opening ${opening}`, atEnd).catch(async (e: Error) => {
        throw new Error(`${e.message}; ${await geometry()}`);
      });
      expect(await button(panel, 'Jump to latest').count(), 'Jump to latest on a panel nobody scrolled').toBe(0);
      const heightBefore = await log.evaluate((el) => el.scrollHeight);
      const before = await hostEvents();
      const turns = before.filter((e) => e.type === 'bot-started-speaking').length;
      await waitFor('another bot turn in the session host', async () => (await hostEvents()).filter((e) => e.type === 'bot-started-speaking').length > turns, { timeoutMs: 30_000 });
      await waitFor(`the panel's Event count to reach the ${before.length} events the host held before that turn`, async () => (await eventCount(panel)) >= before.length);
      await waitFor('the Event log to grow by the new turn\'s rows and stay at its end', async () => (await log.evaluate((el) => el.scrollHeight)) > heightBefore && (await atEnd())).catch(async (e: Error) => {
        throw new Error(`${e.message}; ${await geometry()}, height before ${heightBefore}`);
      });
      await panel.close();
    }
  });

  it('Disconnect then Connect again works', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await waitFor('Connect to return', () => button(panel, 'Connect').isVisible());
    const session1 = Math.max(...(await hostEvents()).map((e) => e.session));
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready');
    await waitFor('user-started-speaking in the new session', async () =>
      (await hostEvents()).some((e) => e.session > session1 && e.type === 'user-started-speaking'), { timeoutMs: 20_000 });
    expect((await hostStatusOrThrow(h)).getUserMediaCalls).toBeGreaterThanOrEqual(2);
    expect(h.targets.find(/Uncaught|TypeError/, { targetType: 'background_page' })).toEqual([]);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });
});

async function hostStatusOrThrow(h: ExtensionHarness) {
  const s = await h.hostStatus();
  if (!s) throw new Error('the session host exposes no status');
  return s;
}
