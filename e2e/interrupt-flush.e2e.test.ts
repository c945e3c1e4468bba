/**
 * Issue 12 item 15 through the panel: after `Interrupt`, the interrupted reply is dropped at once.
 * Loopback keeps streaming an interrupted echo to its end (as a provider streams a reply until it has
 * processed the cancel), so audio for the interrupted item keeps arriving after the click, some of it
 * while the player's flush is still in flight. That audio must be discarded: the item's played-sample
 * count never advances after the flush, it never starts playing again, and bot-stopped-speaking
 * follows the flush (order, not time).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, waitForConnectionState } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

const itemOf = (e: LogEvent): string | undefined => (e.data as { item_id?: string } | undefined)?.item_id;
const playedOf = (e: LogEvent): number | undefined => (e.data as { played_samples?: number } | undefined)?.played_samples;

describe('Interrupt drops the interrupted reply at once (Loopback, through the panel)', () => {
  let h: ExtensionHarness;
  const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');

  beforeAll(async () => {
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the interrupted item's played count never advances again and bot-stopped-speaking follows the flush", async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready');

    // An echo that is playing and still streaming (its loopback.echo-end not sent yet).
    const playing = await waitFor('an echo playing while its stream is still arriving', async () => {
      const events = await hostEvents();
      const start = events.filter((e) => e.type === 'bot-started-speaking').at(-1);
      if (!start) return null;
      const item = itemOf(start);
      const stopped = events.some((e) => e.type === 'bot-stopped-speaking' && e.seq > start.seq);
      const streamed = events.some((e) => e.type === 'loopback.echo-end' && itemOf(e) === item);
      return item && !stopped && !streamed ? { item, start } : null;
    }, { timeoutMs: 40_000, intervalMs: 20 });
    await button(panel, 'Interrupt').click();

    // The flush answered: Loopback logs where playback stopped (onLocalInterrupt runs after the player's answer).
    const flushed = await waitFor(`the player's answer for ${playing.item} (loopback.interrupt)`, async () => {
      const events = await hostEvents();
      return events.find((e) => e.type === 'loopback.interrupt' && e.seq > playing.start.seq && itemOf(e) === playing.item) ?? null;
    });
    // The stream of the interrupted echo goes on after the flush and ends; nothing of it may play.
    await waitFor(`the rest of ${playing.item} to be streamed (loopback.echo-end)`, async () =>
      (await hostEvents()).some((e) => e.type === 'loopback.echo-end' && itemOf(e) === playing.item), { timeoutMs: 15_000 });
    const next = await waitFor('the next echo to start playing (anything queued before it would have played first)', async () => {
      const events = await hostEvents();
      return events.find((e) => e.type === 'bot-started-speaking' && e.seq > flushed.seq && itemOf(e) !== playing.item) ?? null;
    }, { timeoutMs: 40_000, intervalMs: 50 });

    const events = (await hostEvents()).filter((e) => e.seq > playing.start.seq && e.seq < next.seq);
    const stops = events.filter((e) => e.type === 'bot-stopped-speaking' && itemOf(e) === playing.item);
    const restarts = events.filter((e) => e.type === 'bot-started-speaking' && itemOf(e) === playing.item);
    expect(restarts.map((e) => e.seq), `the interrupted item ${playing.item} never starts playing again`).toEqual([]);
    expect(stops, 'exactly one bot-stopped-speaking for the interrupted item').toHaveLength(1);
    // Order: the stop is reported by the flush itself, before the adapter hears the player's answer.
    expect(stops[0].seq).toBeLessThan(flushed.seq);
    const playedAtFlush = Math.round((((flushed.data as { played_ms?: number }).played_ms ?? NaN) * 24_000) / 1000);
    expect(Math.abs((playedOf(stops[0]) ?? NaN) - playedAtFlush), 'the stop carries the count the flush reported').toBeLessThanOrEqual(24);
    for (const e of events.filter((x) => x.seq > stops[0].seq)) {
      const n = playedOf(e);
      if (itemOf(e) === playing.item && n !== undefined) expect(n, `${e.type} #${e.seq} reports more played samples after the flush`).toBeLessThanOrEqual(playedOf(stops[0])!);
    }
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });
});
