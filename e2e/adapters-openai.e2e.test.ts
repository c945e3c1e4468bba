import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, medianOf, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const KEY = 'sk-e2e-openai-LONGLIVED-5c1e0f9a7b3d';
const SPOKEN = 'What is the weather in Paris?';
const REPLY = 'It is sunny in Paris today.';
/** Fields of the beta interface that a GA session must not carry (provider-protocols.md A.5). */
const BETA_FIELDS = ['modalities', 'temperature', 'voice', 'input_audio_format', 'output_audio_format', 'input_audio_transcription', 'turn_detection'];

describe('OpenAI Realtime end to end through the panel, against the fake server', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    // The fake does no speech recognition: its server VAD commits the fake microphone's phrase
    // and "hears" the scripted transcript.
    fake = await startFakeOpenAIServer({ apiKey: KEY, userTranscripts: [SPOKEN], replyText: REPLY });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('a spoken turn shows user-transcription and bot-output rows; 24 kHz audio in 20 ms chunks, a valid GA session, only an ek_ secret in the handshake', async () => {
    const panel = await h.openPanel();
    await connectThroughPanel(panel, { adapter: 'OpenAI Realtime', apiKey: KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);

    const userRow = await waitForRow(panel, 'user-transcription', `a user-transcription row with "${SPOKEN}"`, (t) => t.includes('user-transcription') && t.includes(SPOKEN), 30_000);
    expect(userRow).toContain(SPOKEN);
    const botRow = await waitForRow(panel, 'bot-output', `a bot-output row with "${REPLY}"`, (t) => t.includes('bot-output') && t.includes(REPLY), 30_000);
    expect(botRow).toContain(REPLY);

    // 24 kHz PCM in 20 ms (960-byte) appends.
    const appends = fake.receivedOfType('input_audio_buffer.append');
    expect(appends.length).toBeGreaterThan(25);
    const sizes = appends.map((f) => f.audioBytes ?? 0);
    expect(medianOf(sizes)).toBe(960);
    const offSize = sizes.filter((b) => Math.abs(b - 960) > 2);
    expect(offSize.length, `append sizes off 960 bytes: ${offSize.join(', ')}`).toBeLessThanOrEqual(1);

    // A valid GA session: the fake accepted our session.update (session.updated, no error for it).
    const update = fake.receivedOfType('session.update')[0];
    expect(update, 'a session.update').toBeDefined();
    const session = update.event.session as Record<string, unknown>;
    expect(session.type).toBe('realtime');
    const input = (session.audio as { input?: { format?: { type?: string; rate?: number } } } | undefined)?.input;
    expect(input?.format).toMatchObject({ type: 'audio/pcm', rate: 24000 });
    for (const beta of BETA_FIELDS) expect(session, `beta field ${beta}`).not.toHaveProperty(beta);
    await fake.waitForSent('session.updated', 1, 5_000);
    const updateErrors = fake.sentOfType('error').filter((e) => (e.event.error as { event_id?: string } | undefined)?.event_id === update.event.event_id);
    expect(updateErrors).toEqual([]);

    // The long-lived key only minted a client secret (Authorization header); the handshake carried the ek_ secret.
    expect(fake.secretRequests.some((r) => r.authorized && r.status === 200)).toBe(true);
    expect(fake.handshakes.length).toBeGreaterThanOrEqual(1);
    for (const hs of fake.handshakes) {
      expect(hs.protocols).toContain('realtime');
      const secrets = hs.protocols.filter((p) => p !== 'realtime');
      expect(secrets).toHaveLength(1);
      expect(secrets[0]).toMatch(/^openai-insecure-api-key\.ek_/);
      expect(hs.credential).toMatch(/^ek_/);
      expect(hs.protocols.join(',')).not.toContain(KEY);
      expect(hs.url).not.toContain(KEY);
    }

    const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect(h.targets.dump()).not.toContain(KEY);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    await waitFor('the fake to see the client close', () => fake.openConnections() === 0, { timeoutMs: 10_000 });
    await panel.close();
  });
});
