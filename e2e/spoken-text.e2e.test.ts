import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, waitForConnectionState } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

/** Events of one echo: from its loopback.echo frame to the next one (or the end). */
function echoEvents(events: LogEvent[], echo: LogEvent): LogEvent[] {
  const next = events.find((e) => e.type === 'loopback.echo' && e.seq > echo.seq);
  return events.filter((e) => e.seq > echo.seq && (!next || e.seq < next.seq) && e.session === echo.session);
}

const echoText = (echo: LogEvent) => (echo.data as { text: string }).text;
const echoSamples = (echo: LogEvent) => Math.round(((echo.audio?.durationMs ?? 0) * (echo.audio?.sampleRate ?? 0)) / 1000);

describe('Bot text follows the audio (Loopback, through the panel)', () => {
  let h: ExtensionHarness;
  // RTVI rows and the echo frames only: the capture's 50 frames a second would slow every probe.
  const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>("globalThis.__sessionHost.events().filter((e) => e.source !== 'raw' || e.type === 'loopback.echo')");

  beforeAll(async () => {
    // The phrase then 4.4 s of silence, looped: each echo finishes before the next phrase.
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('releases the reply text while its audio plays: after bot-started-speaking, in several steps, all of it before bot-stopped-speaking', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready');
    const played = await waitFor('an echo played to the end (every sample played)', async () => {
      const events = await hostEvents();
      for (const echo of events.filter((e) => e.type === 'loopback.echo')) {
        const own = echoEvents(events, echo);
        const stop = own.find((e) => e.type === 'bot-stopped-speaking');
        if (stop && (stop.data as { played_samples?: number }).played_samples === echoSamples(echo)) return { echo, own };
      }
      return null;
    }, { timeoutMs: 40_000, intervalMs: 50 });
    const { echo, own } = played;
    const types = own.map((e) => e.type);
    const start = types.indexOf('bot-started-speaking');
    const stop = types.indexOf('bot-stopped-speaking');
    const tts = own.filter((e) => e.type === 'bot-tts-text');
    const ttsIdx = own.flatMap((e, i) => (e.type === 'bot-tts-text' ? [i] : []));
    const output = types.indexOf('bot-output');
    const summary = own.map((e) => `${e.type} ${JSON.stringify(e.data)}`).join('\n');
    expect(start, summary).toBeGreaterThanOrEqual(0);
    // Nothing of the reply is reported as spoken before its audio is heard…
    expect(Math.min(...ttsIdx), summary).toBeGreaterThan(start);
    // …it comes out in steps while it plays (the echo is over a second long: several progress reports)…
    expect(tts.length, summary).toBeGreaterThanOrEqual(2);
    expect(tts.slice(0, -1).every((e) => e.t < own[stop].t), summary).toBe(true);
    // …the first step is a strict prefix, and all of it is out before the bot stops speaking.
    const first = (tts[0].data as { text: string }).text;
    expect(first.length, summary).toBeLessThan(echoText(echo).length);
    expect(tts.map((e) => (e.data as { text: string }).text).join(''), summary).toBe(echoText(echo));
    expect(output, summary).toBeGreaterThan(Math.max(...ttsIdx));
    expect(output, summary).toBeLessThan(stop);
    expect(own[output].data, summary).toMatchObject({ text: echoText(echo), spoken_status: 'completed' });

    // The finished reply carries no "(still speaking)" and shows its voice-to-voice latency.
    const conversation = panel.getByRole('region', { name: /^conversation$/i });
    const reply = conversation.getByRole('listitem').filter({ hasText: echoText(echo) }).first();
    await waitFor('the reply in the conversation, finished', async () => (await reply.getAttribute('data-final')) === 'true');
    expect(await reply.textContent()).not.toContain('still speaking');
    expect(await reply.textContent()).toMatch(/\d+ ms/);
    await panel.close();
  });

  it('after Interrupt the cut-off reply is marked: unheard text reported as not spoken, and shown as cut off', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitForConnectionState(panel, 'ready');
    const before = (await hostEvents()).filter((e) => e.type === 'bot-started-speaking').length;
    await waitFor('the bot to start speaking again', async () => {
      const events = await hostEvents();
      const starts = events.filter((e) => e.type === 'bot-started-speaking');
      return starts.length > before && !events.some((e) => e.type === 'bot-stopped-speaking' && e.seq > starts.at(-1)!.seq);
    }, { timeoutMs: 30_000, intervalMs: 20 });
    await button(panel, 'Interrupt').click();
    const cut = await waitFor('a bot-output in-progress with spoken_progress after Interrupt', async () => {
      const events = await hostEvents();
      const lastStart = events.filter((e) => e.type === 'bot-started-speaking').at(-1)!;
      return events.find((e) => e.seq > lastStart.seq && e.type === 'bot-output' && (e.data as { spoken_status?: string }).spoken_status === 'in-progress');
    });
    const events = await hostEvents();
    const echo = events.filter((e) => e.type === 'loopback.echo' && e.seq < cut.seq).at(-1)!;
    const own = echoEvents(events, echo);
    const summary = own.map((e) => `${e.type} ${JSON.stringify(e.data)}`).join('\n');
    const progress = (cut.data as { spoken_progress: { accumulated_text: string; remaining_text: string } }).spoken_progress;
    expect(progress.remaining_text.length, summary).toBeGreaterThan(0);
    // What was reported as spoken is exactly the heard part; the reply never completes.
    const spoken = own.filter((e) => e.type === 'bot-tts-text').map((e) => (e.data as { text: string }).text).join('');
    expect(spoken.trim(), summary).toBe(progress.accumulated_text);
    expect(own.some((e) => e.type === 'bot-output' && (e.data as { spoken_status?: string }).spoken_status === 'completed'), summary).toBe(false);

    const conversation = panel.getByRole('region', { name: /^conversation$/i });
    const reply = conversation.locator('li[data-cut="true"]').last();
    await waitFor('the cut-off reply marked in the conversation', async () => (await reply.count()) > 0 && /cut off/.test((await reply.textContent()) ?? ''));
    const text = (await reply.textContent()) ?? '';
    expect(text.startsWith('Bot:'), text).toBe(true);
    expect(text).toContain(progress.remaining_text);
    expect(await reply.locator('del').textContent()).toContain(progress.remaining_text);
    expect(text).not.toContain('still speaking');
    await panel.close();
  });

  it('a reply links to its events, and the who-spoke-when strip shows both lanes', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await waitForConnectionState(panel, 'ready');
    const strip = panel.getByRole('img', { name: /^who spoke when, last \d+ s: you (once|\d+ times), bot (once|\d+ times)$/i });
    await waitFor('the strip to count speech in both lanes', async () => {
      const name = (await strip.getAttribute('aria-label')) ?? '';
      return /you (once|[1-9]\d* times), bot (once|[1-9]\d* times)/.test(name);
    }, { timeoutMs: 20_000 });
    const link = panel.getByRole('button', { name: /^show events for reply \d+$/i }).first();
    await waitFor('a Show events link', () => link.isVisible());
    await link.click();
    const focusedSeq = await waitFor('an event row focused in the Event log', async () =>
      panel.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.closest('[role="log"]') && el.dataset.seq ? Number(el.dataset.seq) : null;
      }));
    const ev = (await hostEvents()).find((e) => e.seq === focusedSeq);
    expect(['bot-llm-started', 'bot-started-speaking', 'bot-tts-text', 'bot-output']).toContain(ev?.type);
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await panel.close();
  });
});
