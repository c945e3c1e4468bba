/**
 * An hour-long recording through the real panel: imported with `Import recording`, opened with its
 * timeline and event log, exported with `Export recording`. The recording is bigger than one Port
 * message part (8 MB), so the import request and the get/export replies travel in parts
 * (extension/shared/message-parts.ts); Chrome drops any single Port message over 64 MiB.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordingFile } from '../extension/recordings/export-file.ts';
import { syntheticRecording } from '../extension/recordings/synthetic-recording.ts';
import { launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView } from './harness/panel-page.ts';
import { waitFor } from './harness/wait-for.ts';

const HOUR_MS = 3_600_000;

describe('An hour-long recording in the Recordings view (import, open, export through the panel)', () => {
  let h: ExtensionHarness;
  const dir = mkdtempSync(join(tmpdir(), 'rec-long-'));
  let file: string;
  let original: Record<string, Uint8Array>;

  beforeAll(async () => {
    // An hour of turns, barge-ins, tool calls and errors; audio kept for the first 4 minutes so
    // the file stays a CI-friendly ~20 MB while still bigger than two message parts.
    const { recording } = syntheticRecording({ durationMs: HOUR_MS, rawAudioFrames: false });
    recording.audio = recording.audio.filter((c) => c.t < 240_000);
    recording.meta.name = 'An hour of synthetic session';
    const bytes = encodeRecordingFile(recording);
    expect(bytes.byteLength).toBeGreaterThan(12 * 1024 * 1024);
    file = join(dir, 'hour.vwrec.zip');
    writeFileSync(file, bytes);
    original = unzipSync(bytes);
    h = await launchExtension();
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports, opens with a timeline spanning the hour, and exports byte-identical tracks', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectView(panel, 'Recordings');
    const chooser = panel.waitForEvent('filechooser', { timeout: 10_000 });
    await button(panel, 'Import recording').click();
    await (await chooser).setFiles(file);
    const open = panel.getByRole('button', { name: exactly('Open recording: An hour of synthetic session') });
    await waitFor('the imported hour-long recording in the list', () => open.isVisible(), { timeoutMs: 90_000 });

    await open.click();
    const playhead = panel.getByRole('slider', { name: exactly('Playhead') });
    await waitFor('the timeline of the opened recording', () => playhead.isVisible(), { timeoutMs: 90_000 });
    expect(Number(await playhead.getAttribute('aria-valuemax'))).toBeGreaterThanOrEqual(3590);
    // The opened recording's own event log is the only one on the page (no duplicate names).
    await waitFor('one Filter events box', async () => (await panel.getByRole('searchbox', { name: exactly('Filter events') }).count()) === 1 || (await panel.getByRole('textbox', { name: exactly('Filter events') }).count()) === 1, { timeoutMs: 10_000 });

    const download = panel.waitForEvent('download', { timeout: 90_000 });
    await button(panel, 'Export recording').click();
    const saved = join(dir, 'exported.vwrec.zip');
    await (await download).saveAs(saved);
    const exported = unzipSync(new Uint8Array(readFileSync(saved)));
    for (const track of ['tracks/mic.bin', 'tracks/bot.bin']) {
      expect(exported[track], `${track} in the export`).toBeDefined();
      expect(Buffer.compare(Buffer.from(exported[track]!), Buffer.from(original[track]!)), `${track} byte-identical`).toBe(0);
    }
    expect(Buffer.from(exported['events.jsonl']!).equals(Buffer.from(original['events.jsonl']!))).toBe(true);
    await panel.close();
  });
});
