/**
 * Screenshots of each panel view (Conversation, Events, Metrics, Settings) at 360 and 1000 px
 * wide, light and dark, taken during a Loopback session that has spoken a few turns, so the views
 * show real content. Written to docs/screenshots/<view>-<width>-<theme>.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { launchExtension, REPO_ROOT, FIXTURES_DIR, type ExtensionHarness } from '../e2e/harness/extension-harness.ts';
import { button, waitForConnectionState, waitForEvent } from '../e2e/harness/panel-page.ts';
import { selectView } from '../e2e/harness/panel-page.ts';
import { waitFor } from '../e2e/harness/wait-for.ts';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const VIEWS = ['Conversation', 'Events', 'Metrics', 'Settings'] as const;

let h: ExtensionHarness;
beforeAll(async () => {
  h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
});
afterAll(async () => {
  await h?.close();
});

it('writes the screenshots', async () => {
  mkdirSync(OUT, { recursive: true });
  const panel = await h.openPanel({ adapter: 'loopback' });
  await panel.setViewportSize({ width: 1000, height: 700 });
  await button(panel, 'Connect').click();
  await waitForConnectionState(panel, 'ready');
  await waitForEvent(panel, 'bot-stopped-speaking', { timeoutMs: 30_000 });
  await waitFor('two bot turns in the Metrics view', async () => {
    await selectView(panel, 'Metrics');
    const rows = await panel.getByRole('region', { name: /^metrics$/i }).locator('tbody tr th[scope="row"]').count();
    return rows >= 2;
  }, { timeoutMs: 40_000 });
  // The filter a helper typed stays in the box: clear it so the Events shots show the whole log.
  await selectView(panel, 'Events');
  await panel.getByRole('searchbox', { name: /^filter events$/i }).fill('');
  for (const theme of ['light', 'dark'] as const) {
    await panel.emulateMedia({ colorScheme: theme });
    for (const width of [360, 1000]) {
      await panel.setViewportSize({ width, height: width === 360 ? 640 : 700 });
      for (const view of VIEWS) {
        await selectView(panel, view);
        await panel.screenshot({ path: join(OUT, `${view.toLowerCase()}-${width}-${theme}.png`) });
      }
    }
  }
});
