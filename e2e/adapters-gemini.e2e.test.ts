import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, listedRows, medianOf, openAdvancedSettings, rowsMatching, selectAdapter, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const SPOKEN = 'What is the weather in Paris';
const REPLY = 'It is sunny in Paris today.';

describe('Gemini Live end to end through the panel, against the fake server', () => {
  let h: ExtensionHarness;
  let fake: FakeGeminiServer;

  beforeAll(async () => {
    // The fake does no speech recognition: it "hears" the scripted transcript when its VAD sees
    // the fake microphone's phrase end.
    fake = await startFakeGeminiServer({ replies: [{ userTranscript: SPOKEN, botText: REPLY }] });
    // The phrase then 4.4 s of silence, looped: every phrase ends a user turn.
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('a spoken turn shows user-transcription and bot-output rows; 16 kHz audio in 20 ms chunks, setup first, no key in any URL', async () => {
    const panel = await h.openPanel();
    await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);

    // Compression is on by default, so the header says the session has no length limit (issue 12 item 9).
    const limit = panel.getByRole('status', { name: 'Session limit' });
    const limitText = await waitFor('the Session limit status to say "none"', async () => {
      const t = (await limit.textContent().catch(() => '')) ?? '';
      return /none/i.test(t) ? t : null;
    }, { timeoutMs: 10_000 });
    expect(limitText).toMatch(/compression/);

    const userRow = await waitForRow(panel, 'user-transcription', `a user-transcription row with "${SPOKEN}"`, (t) => t.includes('user-transcription') && t.includes(SPOKEN), 30_000);
    expect(userRow).toContain(SPOKEN);
    const botRow = await waitForRow(panel, 'bot-output', `a bot-output row with "${REPLY}"`, (t) => t.includes('bot-output') && t.includes(REPLY), 30_000);
    expect(botRow).toContain(REPLY);

    // What the fake received: 16 kHz PCM in 20 ms (640-byte) chunks, never the deprecated mediaChunks.
    const conn = fake.connections.find((c) => c.setupComplete);
    if (!conn) throw new Error(`no connection reached setupComplete (urls: ${fake.urls.join(', ')})`);
    const audio = conn.received.filter((f) => f.audio);
    expect(audio.length).toBeGreaterThan(25);
    expect(new Set(audio.map((f) => f.audio!.mimeType))).toEqual(new Set(['audio/pcm;rate=16000']));
    const sizes = audio.map((f) => f.audio!.bytes);
    expect(medianOf(sizes)).toBe(640);
    // Whole 20 ms chunks, give or take one sample per chunk of resampler rounding.
    const offSize = sizes.filter((b) => Math.abs(b - 640) > 2);
    expect(offSize.length, `chunk sizes off 640 bytes: ${offSize.join(', ')}`).toBeLessThanOrEqual(1);
    expect(conn.received.some((f) => f.type.includes('mediaChunks') || f.text.includes('mediaChunks'))).toBe(false);

    // Nothing preceded setupComplete. The fake closes 1007 on any early frame; and the client's
    // own record shows its second outbound frame only after the inbound setupComplete.
    expect(conn.received[0].type).toBe('setup');
    expect((conn.setup as Record<string, unknown>).contextWindowCompression).toEqual({ slidingWindow: {} });
    expect(conn.received.filter((f) => f.type === 'setup')).toHaveLength(1);
    expect(conn.closed).toBeNull();
    const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    const session = Math.max(...events.map((e) => e.session));
    const raw = events.filter((e) => e.session === session && e.source === 'raw');
    const setupAt = raw.findIndex((e) => e.direction === 'out' && e.type === 'setup');
    const completeAt = raw.findIndex((e) => e.direction === 'in' && e.type === 'setupComplete');
    const secondOut = raw.findIndex((e, i) => i > setupAt && e.direction === 'out');
    expect(setupAt).toBe(raw.findIndex((e) => e.direction === 'out'));
    expect(completeAt).toBeGreaterThan(setupAt);
    expect(secondOut).toBeGreaterThan(completeAt);

    // Token path: a token was minted with the key in a header, and the WebSocket URL carried only
    // the short-lived token.
    expect(fake.tokensMinted).toBeGreaterThanOrEqual(1);
    expect(fake.httpRequests.some((r) => r.method === 'POST' && r.hadKeyHeader && r.status === 200)).toBe(true);
    expect(conn.auth).toBe('token');
    expect(conn.url).toContain('BidiGenerateContentConstrained');
    const keyInUrl = fake.urls.filter((u) => u.includes(FAKE_GEMINI_KEY) || u.includes(encodeURIComponent(FAKE_GEMINI_KEY)) || /[?&]key=/.test(u));
    expect(keyInUrl).toEqual([]);
    expect(h.targets.dump()).not.toContain(FAKE_GEMINI_KEY);
    expect(JSON.stringify(events)).not.toContain(FAKE_GEMINI_KEY);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await waitFor('the fake to see the client close', () => conn.closed, { timeoutMs: 10_000 });
    await panel.close();
  });

  it('one utterance whose transcript arrives before, during and after the reply (after turnComplete) is one You: turn before one Bot: turn', async () => {
    // Three fragments (three words each): one before the model turn, one between its audio
    // messages, one after turnComplete — input transcription has no ordering guarantee (issue 12 item 10).
    const spoken = 'What is the weather in Paris this week';
    const late = await startFakeGeminiServer({ voiceActivity: true, replies: [{ userTranscript: spoken, botText: REPLY, inputTranscriptPlacement: ['before', 'during', 'after-turn-complete'] }] });
    const panel = await h.openPanel();
    try {
      // The host keeps the earlier test's conversation: start from an empty one.
      await selectView(panel, 'Conversation');
      const conversation = panel.getByRole('region', { name: /^conversation$/i });
      await button(panel, 'Clear conversation').click();
      await waitFor('the Conversation to be empty', async () => ((await conversation.getByRole('listitem').count()) === 0 ? true : null), { timeoutMs: 10_000 });
      await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: late.url });
      await waitForConnectionState(panel, 'ready', 20_000);
      const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
      // The first utterance's one final (sent after the reply) and the end of the reply's audio.
      await waitFor('the user-transcription final of the whole utterance and a bot-stopped-speaking', async () => {
        const events = await hostEvents();
        const session = Math.max(...events.map((e) => e.session));
        const rtvi = events.filter((e) => e.session === session && e.source === 'rtvi');
        const final = rtvi.some((e) => e.type === 'user-transcription' && (e.data as { final?: unknown; text?: unknown }).final === true && (e.data as { text?: unknown }).text === spoken);
        return final && rtvi.some((e) => e.type === 'bot-stopped-speaking');
      }, { timeoutMs: 40_000 });
      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');

      await selectView(panel, 'Conversation');
      const items = await conversation.getByRole('listitem').allTextContents();
      const shown = items.join('\n');
      expect(items[0], shown).toMatch(new RegExp(`^You:\\s*${spoken}`));
      // Its final reached the turn that was opened before the reply.
      expect(items[0], shown).not.toMatch(/still speaking/);
      expect(items[1], shown).toMatch(/^Bot:/);
      expect(items[1]!.split(REPLY).length - 1, shown).toBe(1);
      // What follows is the next utterance (the fake mic loops the phrase), not a rest of this one or a repeated reply.
      if (items[2] !== undefined) expect(items[2], shown).toMatch(/^You:/);
      if (items[3] !== undefined) expect(items[3], shown).toMatch(/^Bot:/);
    } finally {
      await panel.close();
      await late.close();
    }
  });

  it('Settings names the JSON Schema parts Live drops from the tools (Tool schema changes note), and drops the note when none are left', async () => {
    const panel = await h.openPanel();
    await selectAdapter(panel, 'Gemini Live');
    await selectView(panel, 'Settings');
    const tools = panel.getByRole('textbox', { name: exactly('Tools (JSON)') });
    const note = panel.getByRole('note', { name: exactly('Tool schema changes') });
    // additionalProperties has no place in Live's Schema; oneOf goes as anyOf (gemini-tool-schema.ts).
    await tools.fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', additionalProperties: false, properties: { city: { oneOf: [{ type: 'string' }, { type: 'integer' }] } } } }]));
    const text = await waitFor('the Tool schema changes note to show', async () => ((await note.count()) > 0 ? await note.textContent() : null), { timeoutMs: 10_000 });
    expect(text).toContain('Gemini Live');
    expect(text).toContain('get_weather: additionalProperties dropped');
    expect(text).toMatch(/get_weather\.city: oneOf sent as anyOf/);
    // A schema Live honours as written: no note.
    await tools.fill(JSON.stringify([{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]));
    await waitFor('the Tool schema changes note to go away', async () => (await note.count()) === 0, { timeoutMs: 10_000 });
    await tools.fill('[]');
    await panel.close();
  });

  /**
   * Without compression (issue 12 item 9) the session has a limit and the panel counts down to it;
   * a goAway resumption (issue 13 item 2) keeps the session's clock: no new Connect separator, no
   * restart of the ms-since-Connect column, and no fresh limit.
   */
  it('compression off: a finite Session limit counts down; a goAway resumption keeps the clock, the separator and the countdown', async () => {
    const limited = await startFakeGeminiServer({ replies: [{ userTranscript: SPOKEN, botText: REPLY }] });
    const panel = await h.openPanel();
    try {
      await selectAdapter(panel, 'Gemini Live');
      await openAdvancedSettings(panel);
      const compression = panel.getByRole('checkbox', { name: exactly('Context window compression') });
      await compression.uncheck();
      await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: limited.url });
      await waitForConnectionState(panel, 'ready', 20_000);
      const first = await limited.waitFor(() => limited.connections.find((c) => c.setupComplete), 'a connection past setupComplete', 10_000);
      expect(first.setup).not.toHaveProperty('contextWindowCompression');

      const limit = panel.getByRole('status', { name: 'Session limit' });
      const secondsLeft = (t: string) => {
        const m = /Session ends in (\d+):(\d\d)/.exec(t);
        return m ? Number(m[1]) * 60 + Number(m[2]) : null;
      };
      const limitText = async () => (await limit.textContent().catch(() => '')) ?? '';
      const firstText = await waitFor('the Session limit status to show a countdown', async () => (secondsLeft(await limitText()) !== null ? limitText() : null), { timeoutMs: 10_000 });
      expect(firstText).toMatch(/15 min limit without compression/);
      const start = secondsLeft(firstText)!;
      expect(start).toBeGreaterThan(14 * 60);
      expect(start).toBeLessThanOrEqual(15 * 60);
      // Two ticks down: more than a second of session has passed before the goAway below.
      const later = await waitFor(`the countdown to go from ${start} s to ${start - 2} s or less`, async () => {
        const s = secondsLeft(await limitText());
        return s !== null && s <= start - 2 ? s : null;
      }, { timeoutMs: 10_000 });
      expect(later).toBeLessThan(start);

      // goAway: the client resumes on a new connection with the session's handle.
      first.goAway(4_000);
      const second = await limited.waitFor(() => limited.connections.find((c) => c !== first && c.setupComplete), 'a resumed connection past setupComplete', 15_000);
      expect((second.setup as { sessionResumption?: { handle?: string } }).sessionResumption?.handle).toBeTruthy();
      await waitForConnectionState(panel, 'ready');
      // The limit is per session: after the resumption the countdown goes on from where it was.
      const afterResume = secondsLeft(await limitText());
      expect(afterResume).not.toBeNull();
      expect(afterResume!).toBeLessThanOrEqual(later);

      // The host's record: one session, and setupComplete stamps from the one Connect zero.
      const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
      const session = Math.max(...events.map((e) => e.session));
      const completes = events.filter((e) => e.session === session && e.source === 'raw' && e.type === 'setupComplete');
      expect(completes).toHaveLength(2);
      const fakeGap = second.openedAt - first.openedAt;
      expect(fakeGap).toBeGreaterThan(1_000);
      expect(completes[1].t - completes[0].t, `client clock gap vs the fake's ${Math.round(fakeGap)} ms`).toBeGreaterThan(fakeGap * 0.5);
      expect(events.filter((e) => e.session === session && e.type === 'connect-requested')).toHaveLength(1);

      // The panel: both setupComplete rows of this session under its one Connect separator, times
      // not restarted (the log also holds earlier sessions' rows).
      const seqs = completes.map((e) => e.seq);
      const rows = (await listedRows(panel, 'type:setupComplete')).filter((r) => seqs.includes(r.seq));
      expect(rows.map((r) => r.seq)).toEqual(seqs);
      expect(rows[0].text).toMatch(new RegExp(`Connect ${session} ·`));
      expect(rows[1].text, rows[1].text).not.toMatch(/Connect \d+ ·/);
      const shownMs = await panel
        .getByRole('log', { name: exactly('Event log') })
        .getByRole('listitem')
        .evaluateAll((els, wanted) => els.filter((e) => wanted.includes(Number(e.getAttribute('data-seq')))).map((e) => Number((e as HTMLElement).dataset.ms)), seqs);
      expect(shownMs).toHaveLength(2);
      expect(shownMs[1] - shownMs[0]).toBeGreaterThan(fakeGap * 0.5);

      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
    } finally {
      // Leave the form as the other tests expect it.
      await rowsMatching(panel, '').catch(() => undefined);
      await openAdvancedSettings(panel).catch(() => undefined);
      await panel.getByRole('checkbox', { name: exactly('Context window compression') }).check().catch(() => undefined);
      await panel.close();
      await limited.close();
    }
  });
});
