import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, openAdvancedSettings, selectAdapter, waitForRow } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const QUERY = 'weather Paris today';
const SOURCE = { uri: 'https://weather.example.test/paris', title: 'Paris forecast' };

describe('Gemini Google Search grounding through the panel, against the fake server', () => {
  let h: ExtensionHarness;
  let fake: FakeGeminiServer;

  beforeAll(async () => {
    fake = await startFakeGeminiServer({
      replies: [{ userTranscript: 'What is the weather in Paris', botText: 'It is sunny in Paris today.', grounding: { queries: [QUERY], sources: [SOURCE] }, groundingPlacement: 'own-message' }],
    });
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('the setup asks for Google Search; the grounding shows as a Search card with its source and as a grounding server message', async () => {
    const panel = await h.openPanel();
    await selectAdapter(panel, 'Gemini Live');
    await openAdvancedSettings(panel);
    await panel.getByRole('checkbox', { name: exactly('Google Search grounding') }).check();
    await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: fake.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    const conn = fake.connections.find((c) => c.setupComplete);
    expect(conn?.setup?.tools).toEqual([{ googleSearch: {} }]);

    const row = await waitForRow(panel, 'grounding', 'a server-message row with the grounding', (t) => t.includes('server-message') && t.includes(QUERY), 30_000);
    expect(row).toContain(QUERY);
    await selectView(panel, 'Conversation');
    const card = panel.getByRole('region', { name: exactly('Conversation') }).getByRole('listitem').filter({ hasText: /^Search:/ }).filter({ hasText: QUERY });
    await waitFor('the Search card in the conversation', async () => (await card.count()) > 0, { timeoutMs: 15_000 });
    await expect(card.first().getByRole('link', { name: exactly(SOURCE.title) }).getAttribute('href')).resolves.toBe(SOURCE.uri);

    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
  });
});
