import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LogEvent } from '../extension/shared/log-event.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeVendor } from '../test/fakes/fake-openai-server.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { alertTexts, button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * A full voice turn through the panel with each OpenAI-compatible vendor, each against the fake
 * playing that vendor (test/fakes/fake-openai-server.ts `vendor`): the key mints a short-lived
 * token at the vendor's route, the socket carries only the token, and the reply is heard.
 */
const SPOKEN = 'What is the weather in Paris?';
const REPLY = 'It is sunny in Paris today.';

interface VendorCase {
  vendor: FakeVendor;
  adapter: string;
  key: string;
  /** What the handshake must carry instead of the key. */
  protocol: (token: string) => string;
}

const CASES: VendorCase[] = [
  { vendor: 'xai', adapter: 'Grok Voice (xAI)', key: 'xai-E2E-longlived-8d1f4c2a9b7e', protocol: (t) => `xai-client-secret.${t}` },
  { vendor: 'elevenlabs', adapter: 'ElevenLabs Realtime', key: 'sk_E2E_eleven_longlived_3a9c7e1d', protocol: (t) => `openai-insecure-api-key.${t}` },
  { vendor: 'azure', adapter: 'Azure Realtime', key: 'azE2Elonglivedkey5b2d8f0c1e4a', protocol: (t) => `openai-insecure-api-key.${t}` },
];

describe('OpenAI-compatible vendors end to end through the panel, against the fake playing each', () => {
  let h: ExtensionHarness;
  let panel: Page;
  const fakes = new Map<FakeVendor, FakeOpenAIServer>();

  beforeAll(async () => {
    for (const c of CASES) fakes.set(c.vendor, await startFakeOpenAIServer({ vendor: c.vendor, apiKey: c.key, userTranscripts: [SPOKEN], replyText: REPLY }));
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
    panel = await h.openPanel();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([...fakes.values()].map((f) => f.close()));
  });

  for (const c of CASES) {
    it(`${c.adapter}: a token is minted, the handshake carries only it, and a spoken turn gets a spoken reply`, async () => {
      const fake = fakes.get(c.vendor)!;
      await connectThroughPanel(panel, { adapter: c.adapter, apiKey: c.key, endpoint: fake.url });
      await waitForConnectionState(panel, 'ready', 20_000);

      // Input transcription is off by default for these vendors (no transcription model of theirs
      // is assumed), so the user's turn shows as the server VAD's speaking events.
      await waitForRow(panel, 'user-stopped-speaking', 'a user-stopped-speaking row from the server VAD', (t) => t.includes('user-stopped-speaking'), 30_000);
      await waitForRow(panel, 'bot-output', `a bot-output row with "${REPLY}"`, (t) => t.includes('bot-output') && t.includes(REPLY), 30_000);
      // Spoken, not only written: the reply's audio was played (speaking rows are stamped at playback).
      await waitForRow(panel, 'bot-started-speaking', 'a bot-started-speaking row (the reply audible)', (t) => t.includes('bot-started-speaking'), 30_000);
      await waitForRow(panel, 'bot-stopped-speaking', 'a bot-stopped-speaking row (the reply played out)', (t) => t.includes('bot-stopped-speaking'), 30_000);
      await fake.waitForReceived('input_audio_buffer.append', 10, 10_000);

      const minted = fake.secretRequests.filter((r) => r.authorized && r.status === 200);
      expect(minted.length, 'a token minted with the key').toBeGreaterThanOrEqual(1);
      const hs = fake.handshakes.at(-1)!;
      expect(hs.protocols).toContain(c.protocol(minted.at(-1)!.value!));
      expect(`${hs.url} ${hs.protocols.join(',')}`).not.toContain(c.key);

      const events = await h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
      expect(JSON.stringify(events)).not.toContain(c.key);
      expect(h.targets.dump()).not.toContain(c.key);

      await button(panel, 'Disconnect').click();
      await waitForConnectionState(panel, 'disconnected');
    });
  }

  it('the key field says how each vendor uses the key', async () => {
    await selectView(panel, 'Settings');
    for (const c of CASES) {
      await connectThroughPanel(panel, { adapter: c.adapter, apiKey: '' }).catch(() => undefined);
      const help = await panel.getByLabel(exactly('API key')).evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
      expect(help).toMatch(/Used only to mint a/);
      // Connecting without a key is refused in the panel with a message naming the vendor.
      await waitFor(`the missing-key alert for ${c.adapter}`, async () => (await alertTexts(panel)).some((t) => t.includes(`${c.adapter} needs an API key`)), { timeoutMs: 5_000 });
    }
  });

  it('a retired model gets a message naming it and the current default', async () => {
    const fake = fakes.get('xai')!;
    await connectThroughPanel(panel, { adapter: 'Grok Voice (xAI)', apiKey: CASES[0].key, endpoint: fake.url, model: 'grok-4o-realtime-preview' });
    const alert = await waitFor('an alert for the unknown model', async () => (await alertTexts(panel)).find((t) => t.includes('grok-4o-realtime-preview')), { timeoutMs: 20_000 });
    expect(alert).toMatch(/The model "grok-4o-realtime-preview" is unknown to Grok Voice \(xAI\) or retired\. Use the current default, "grok-voice-think-fast-1\.0"/);
  });
});
