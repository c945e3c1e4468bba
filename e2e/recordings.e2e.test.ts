/**
 * Issue 15, recordings core, in Chromium:
 * - a two-turn session with one barge-in against the OpenAI fake is recorded, and the bot track
 *   holds the audio PLAYED (what the player reported played per item), not the audio received;
 * - export → delete → import gives back the same events and byte-identical tracks;
 * - an export with one corrupt line is rejected through the panel with a clear message, and
 *   nothing changes;
 * - the Recordings view passes an axe audit and works from the keyboard;
 * - killing the browser (SIGKILL) mid-session and reopening the same profile leaves the recording
 *   up to the last two seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import type { RecordingsListing } from '../extension/shared/messages.ts';
import type { WireRecording } from '../extension/recordings/wire.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const KEY = 'sk-e2e-recordings-7f3a91c0d2b4e5';
const LONG_REPLY = 'Here is a very long answer about the weather in Paris that goes on and on.';
const SHORT_REPLY = 'Sunny.';
const OUT_RATE = 24000;

const list = (h: ExtensionHarness) => h.evaluateInOffscreen<RecordingsListing>('globalThis.__recordings.list()');
const getRecording = (h: ExtensionHarness, id: string) => h.evaluateInOffscreen<WireRecording | null>(`globalThis.__recordings.get(${JSON.stringify(id)})`);
const trackSamples = (r: WireRecording, track: 'mic' | 'bot') => r.audio.filter((c) => c.track === track).reduce((n, c) => n + c.samples, 0);
const trackEndMs = (r: WireRecording, track: 'mic' | 'bot') => Math.max(0, ...r.audio.filter((c) => c.track === track).map((c) => c.t + (c.samples / c.sampleRate) * 1000));

describe('Recordings: recorded sessions, export/import, the Recordings view (OpenAI fake)', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    // Reply 1 is long (8 s of audio, streamed faster than real time): the fake microphone's phrase
    // comes round again (the WAV loops every 6.5 s) while it plays, the fake's server VAD hears it
    // and the client flushes the player: a barge-in. Reply 2 is short and plays to its end.
    fake = await startFakeOpenAIServer({
      apiKey: KEY,
      userTranscripts: ['What is the weather in Paris?', 'Just tell me quickly.'],
      planResponse: (ctx) => (ctx.responseIndex === 1 ? { text: LONG_REPLY, audioMs: 8000 } : { text: SHORT_REPLY, audioMs: 1500 }),
    });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  let recordingId = '';

  it('records a two-turn session with a barge-in: the bot track is the audio played, not the audio received', async () => {
    const panel = await h.openPanel();
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    await waitFor('the recording indicator in the session bar', () => panel.getByRole('status', { name: exactly('Recording indicator') }).isVisible());
    await waitFor('the first-run recording notice', () => panel.getByRole('note', { name: exactly('Recording notice') }).isVisible());

    const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    // Turn 1 is cut off (the client truncates the item where playback stopped), turn 2 plays out.
    const truncate = await waitFor('the barge-in (conversation.item.truncate from the client)', () => fake.receivedOfType('conversation.item.truncate')[0], { timeoutMs: 40_000 });
    await waitFor('the second reply to finish playing (bot-stopped-speaking after the barge-in and a second response.done)', async () => {
      const done = fake.sentOfType('response.done').length;
      const events = await hostEvents();
      const last = events.filter((e) => e.type === 'bot-started-speaking').at(-1);
      return done >= 2 && last && events.some((e) => e.type === 'bot-stopped-speaking' && e.seq > last.seq && (e.data as { item_id?: string }).item_id !== (truncate.event as { item_id?: string }).item_id) ? true : null;
    }, { timeoutMs: 40_000 });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await waitFor('the recording indicator to go away', async () => !(await panel.getByRole('status', { name: exactly('Recording indicator') }).isVisible()));

    const listing = await waitFor('a complete recording', async () => {
      const l = await list(h);
      return l.recordings.find((r) => r.complete && r.adapterId === 'openai-realtime') ? l : null;
    });
    const meta = listing.recordings[0]!;
    recordingId = meta.id;
    const rec = (await getRecording(h, meta.id))!;
    const events = rec.events;

    // Played per item: the player's final count for each item, as the transport reported it in
    // bot-stopped-speaking (the flush's count for the interrupted item).
    const played = new Map<string, number>();
    for (const e of events) {
      const d = e.data as { item_id?: string; played_samples?: number } | null;
      if (e.type === 'bot-stopped-speaking' && d?.item_id && typeof d.played_samples === 'number') played.set(d.item_id, Math.max(played.get(d.item_id) ?? 0, d.played_samples));
    }
    const playedSamples = [...played.values()].reduce((a, b) => a + b, 0);
    const receivedMs = events.filter((e) => e.source === 'raw' && e.direction === 'in' && e.type === 'response.output_audio.delta').reduce((n, e) => n + (e.audio?.durationMs ?? 0), 0);
    const botMs = (trackSamples(rec, 'bot') / OUT_RATE) * 1000;
    const playedMs = (playedSamples / OUT_RATE) * 1000;
    console.info(`[recordings e2e] bot track ${botMs.toFixed(1)} ms, played ${playedMs.toFixed(1)} ms, received ${receivedMs.toFixed(1)} ms`);
    expect(played.size, `items played: ${[...played.keys()].join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(Math.abs(botMs - playedMs), `bot track ${botMs.toFixed(1)} ms vs played ${playedMs.toFixed(1)} ms (received ${receivedMs.toFixed(0)} ms)`).toBeLessThanOrEqual(50);
    // The cut-off part of reply 1 is not in the track: well over a second less than was received.
    expect(receivedMs - botMs).toBeGreaterThan(1000);
    expect(rec.audio.every((c) => c.track !== 'bot' || c.sampleRate === OUT_RATE)).toBe(true);
    // The microphone as sent: 24 kHz, about as long as the session.
    expect(rec.audio.filter((c) => c.track === 'mic').every((c) => c.sampleRate === 24000)).toBe(true);
    expect(trackEndMs(rec, 'mic')).toBeGreaterThan(meta.durationMs - 1500);
    expect(meta.turns).toBeGreaterThanOrEqual(2);
    // Settings at connect, never the key.
    expect(meta.settings).toMatchObject({ adapterId: 'openai-realtime' });
    expect(JSON.stringify(rec)).not.toContain(KEY);
  });

  it('export → delete → import gives back the same events and byte-identical tracks', async () => {
    expect(recordingId).not.toBe('');
    const before = (await getRecording(h, recordingId))!;
    const file = await h.evaluateInOffscreen<string>(`globalThis.__recordings.exportBase64(${JSON.stringify(recordingId)})`);
    expect(Buffer.from(file, 'base64').toString('latin1')).not.toContain(KEY);
    await h.evaluateInOffscreen(`globalThis.__recordings.delete(${JSON.stringify(recordingId)})`);
    expect((await list(h)).recordings.some((r) => r.id === recordingId)).toBe(false);
    const imported = await h.evaluateInOffscreen<{ ok: boolean; meta?: { id: string } }>(`globalThis.__recordings.importBase64(${JSON.stringify(file)})`);
    expect(imported).toMatchObject({ ok: true, meta: { id: recordingId } });
    const after = (await getRecording(h, recordingId))!;
    expect(after.events).toEqual(before.events);
    expect(after.audio.length).toBe(before.audio.length);
    // Base64 of each chunk's bytes: equal text means equal bytes.
    expect(after.audio).toEqual(before.audio);
    expect(after.meta).toEqual(before.meta);
  });

  it('the Recordings view lists it, opens it, passes axe and works from the keyboard; a file with one corrupt line is rejected and changes nothing', async () => {
    const panel = await h.openPanel();
    await selectView(panel, 'Recordings');
    const open = panel.getByRole('button', { name: /^open recording: /i });
    await waitFor('the recording in the list', async () => (await open.count()) >= 1);
    expect(await auditAccessibility(panel)).toEqual([]);

    // Keyboard: Tab reaches the list's Open button; Enter opens the detail; Back returns.
    await open.first().focus();
    await panel.keyboard.press('Enter');
    const detail = panel.getByRole('heading', { level: 2 });
    await waitFor('the detail to open', () => button(panel, 'Export recording').isVisible());
    await waitFor('the detail to load (events count)', async () => (await panel.locator('.recording-meta').textContent())?.includes('Events') ?? false);
    expect(await detail.first().textContent()).toBeTruthy();
    expect(await auditAccessibility(panel)).toEqual([]);
    const keep = panel.getByRole('checkbox', { name: exactly('Keep recording') });
    await keep.focus();
    await panel.keyboard.press('Space');
    await waitFor('Keep to be stored', async () => (await list(h)).recordings.find((r) => r.id === recordingId)?.keep === true);
    await button(panel, 'Back to recordings').focus();
    await panel.keyboard.press('Enter');
    await waitFor('the list again', () => button(panel, 'Import recording').isVisible());

    // A file with one corrupt events line: a clear message, and the store is unchanged.
    const before = await list(h);
    const good = Buffer.from(await h.evaluateInOffscreen<string>(`globalThis.__recordings.exportBase64(${JSON.stringify(recordingId)})`), 'base64');
    const files = unzipSync(new Uint8Array(good));
    const lines = strFromU8(files['events.jsonl']!).split('\n');
    lines[4] = lines[4]!.slice(0, -7);
    files['events.jsonl'] = strToU8(lines.join('\n'));
    const dir = mkdtempSync(join(tmpdir(), 'rec-import-'));
    const bad = join(dir, 'corrupt.vwrec.zip');
    writeFileSync(bad, zipSync(files, { level: 0 }));
    const chooser = panel.waitForEvent('filechooser', { timeout: 10_000 });
    await button(panel, 'Import recording').click();
    await (await chooser).setFiles(bad);
    const alert = await waitFor('the import error', async () => (await alertTexts(panel)).find((t) => t.includes('events.jsonl line 5')));
    expect(alert).toMatch(/not imported: events\.jsonl line 5 is not valid JSON\. Nothing was changed\./);
    expect(await list(h)).toEqual(before);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('Recordings survive a killed browser (SIGKILL mid-session, same profile reopened)', () => {
  const profileDir = mkdtempSync(join(tmpdir(), 'voice-workbench-rec-crash-'));
  let h: ExtensionHarness | undefined;
  afterAll(async () => {
    await h?.close();
    rmSync(profileDir, { recursive: true, force: true });
  });

  it('the recording is there up to the last two seconds before the kill', async () => {
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav'), profileDir });
    const first = h;
    const panel = await first.openPanel({ adapter: 'loopback' });
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready');
    // A few seconds in, with something written already.
    await waitFor('a recording with 4 s written', async () => ((await list(first)).recordings[0]?.durationMs ?? 0) >= 4000 || null, { timeoutMs: 30_000, intervalMs: 200 });
    // The session clock now, from the newest event's own clock and wall stamps.
    const last = await first.evaluateInOffscreen<{ t: number; wall: number }>('(() => { const e = globalThis.__sessionHost.events().at(-1); return { t: e.t, wall: e.wall }; })()');
    const pid = first.browserPid();
    expect(pid, 'the browser pid (SingletonLock)').not.toBeNull();
    const killedAtSessionMs = last.t + (Date.now() - last.wall);
    process.kill(pid!, 'SIGKILL');
    await waitFor('the browser process to be gone', () => {
      try {
        process.kill(pid!, 0);
        return null;
      } catch {
        return true;
      }
    });
    await first.context.close().catch(() => undefined);

    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav'), profileDir });
    const second = h;
    const reopened = await second.openPanel({ adapter: 'loopback' });
    await selectView(reopened, 'Recordings');
    const row = reopened.getByRole('button', { name: /^open recording: /i });
    await waitFor('the recording in the reopened profile', async () => (await row.count()) >= 1);
    expect(await reopened.locator('.recording-facts').first().textContent()).toContain('cut short');
    const meta = (await list(second)).recordings[0]!;
    expect(meta.complete).toBe(false);
    const rec = (await getRecording(second, meta.id))!;
    const lastEvent = Math.max(...rec.events.map((e) => e.t));
    const context = `killed at ${killedAtSessionMs.toFixed(0)} ms; kept: duration ${meta.durationMs} ms, last event ${lastEvent.toFixed(0)} ms, mic to ${trackEndMs(rec, 'mic').toFixed(0)} ms`;
    expect(meta.durationMs, context).toBeGreaterThanOrEqual(killedAtSessionMs - 2000);
    expect(lastEvent, context).toBeGreaterThanOrEqual(killedAtSessionMs - 2000);
    expect(trackEndMs(rec, 'mic'), context).toBeGreaterThanOrEqual(killedAtSessionMs - 2000);
  });
});
