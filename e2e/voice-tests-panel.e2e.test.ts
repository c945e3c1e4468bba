import { mkdtempSync } from 'node:fs';
import { writePcm16Wav } from '../bench/wav-file.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAccessibility, button, exactly, launchExtension, selectView, waitFor, waitForConnectionState, type ExtensionHarness } from './harness/index.ts';
import { fillSessionForm, openAdvancedSettings, selectAdapter } from './harness/panel-session.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';

const OPENAI_KEY = 'sk-test-fake-openai-key-0123456789';

/** A mono 16-bit WAV of digital silence: a fake microphone nobody speaks into. */
function silenceWav(seconds: number, rate = 16000): string {
  const file = join(mkdtempSync(join(tmpdir(), 'silence-')), 'silence.wav');
  writePcm16Wav(file, new Int16Array(seconds * rate), rate);
  return file;
}

describe('Tests view and idle disconnect (panel, against the fakes)', () => {
  let h: ExtensionHarness;
  let fake: FakeOpenAIServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({
      planResponse: (ctx) => ((ctx.lastUserText ?? '').toLowerCase().includes('name is') ? { text: 'Nice to meet you, Ada.', usage: { input_tokens: 40, output_tokens: 8 } } : { text: 'Your name is Ada.', usage: { input_tokens: 60, output_tokens: 6 } }),
    });
    h = await launchExtension({ fakeMicWav: silenceWav(3) });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('a scenario typed in the Tests view runs on the selected adapter and shows its results; a refused one says why, with the line', async () => {
    const panel = await h.openPanel();
    await fillSessionForm(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: fake.url });
    await selectView(panel, 'Tests');
    const editor = panel.getByRole('textbox', { name: exactly('Scenario (YAML)') });
    await editor.fill('version: 1\nname: Panel memory\nsteps:\n  - say: Hi, my name is Ada.\n    expect: { transcript: { contains: Ada } }\n  - say: What is my name?\n    expect: { transcript: { contains: Ada }, no_error: true }\n');
    // The estimate is shown before anything runs, from the panel's price table.
    const estimate = await waitFor('the Estimated test cost status to price the scenario', async () => {
      const t = (await panel.getByRole('status', { name: exactly('Estimated test cost') }).textContent()) ?? '';
      return /^Estimated cost: /.test(t) ? t : null;
    }, { timeoutMs: 10_000 });
    expect(estimate).toMatch(/^Estimated cost: (\$[\d.]+|unknown) for 1 run \(price table as of \d{4}-\d{2}-\d{2}; assumes each reply is 5 s of audio/);
    expect(fake.handshakes.length).toBe(0);
    await button(panel, 'Run scenario').click();
    const progress = panel.getByRole('status', { name: exactly('Test progress') });
    const done = await waitFor('the Test progress status to say the run passed or failed', async () => {
      const t = (await progress.textContent()) ?? '';
      return /^(Passed|Failed|Stopped|Refused)/.test(t) ? t : null;
    }, { timeoutMs: 60_000 });
    expect(done).toMatch(/^Passed: 1 of 1 scenario targets passed, 1 runs, \d+ tokens/);
    const table = panel.getByRole('table', { name: exactly('Test results') });
    const rows = await table.getByRole('row').allTextContents();
    expect(rows.filter((r) => r.startsWith('pass'))).toHaveLength(3);
    expect(rows.join('\n')).toContain('openai-realtime');
    expect(fake.handshakes.length).toBeGreaterThan(0);
    expect(await button(panel, 'Export JUnit report').isEnabled()).toBe(true);

    // Keyboard: the run button is operable with Enter.
    await editor.fill(`version: 1\nname: Has a key\ntarget:\n  instructions: use ${OPENAI_KEY}\nsteps:\n  - say: hi\n`);
    await button(panel, 'Run scenario').focus();
    await panel.keyboard.press('Enter');
    const alert = await waitFor('an alert saying the scenario was refused', async () => {
      const t = (await panel.getByRole('alert').allTextContents()).find((x) => x.includes('refused'));
      return t ?? null;
    }, { timeoutMs: 20_000 });
    expect(alert).toMatch(/scenario\.yaml:4:\d+: this value is shaped like an API key/);
    expect(alert).not.toContain(OPENAI_KEY);

    const violations = await auditAccessibility(panel);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), JSON.stringify(violations, null, 1)).toEqual([]);
    await panel.close();
  });

  it('a failed assertion\'s Show failure button opens its run\'s recording with the playhead at the failure', async () => {
    const panel = await h.openPanel();
    await fillSessionForm(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: fake.url });
    await selectView(panel, 'Tests');
    await panel.getByRole('textbox', { name: exactly('Scenario (YAML)') }).fill('version: 1\nname: Panel failure\nsteps:\n  - say: Hi, my name is Ada.\n    expect: { no_error: true }\n  - say: What is my name?\n    expect: { transcript: { contains: Bob } }\n');
    const progress = panel.getByRole('status', { name: exactly('Test progress') });
    // A panel opened later shows the host's last run (the earlier test's refusal) until this one starts.
    const previous = (await progress.textContent()) ?? '';
    await button(panel, 'Run scenario').click();
    const done = await waitFor('the Test progress status to say this run ended', async () => {
      const t = (await progress.textContent()) ?? '';
      return /^(Passed|Failed|Stopped|Refused)/.test(t) && t !== previous ? t : null;
    }, { timeoutMs: 60_000 });
    expect(done).toMatch(/^Failed/);
    const show = button(panel, 'Show failure 1');
    await waitFor('the Show failure 1 button on the failed row', async () => ((await show.count()) === 1 ? true : null), { timeoutMs: 10_000 });
    const title = (await show.getAttribute('title')) ?? '';
    const at = Number(/at ([\d.]+) s$/.exec(title)?.[1]);
    expect(at, title).toBeGreaterThan(0);
    await show.click();
    expect(await panel.getByRole('tab', { name: exactly('Recordings') }).getAttribute('aria-selected')).toBe('true');
    await waitFor('the Recordings detail of the failed run', async () => ((await button(panel, 'Back to recordings').count()) === 1 ? true : null), { timeoutMs: 10_000 });
    const playhead = panel.getByRole('slider', { name: exactly('Playhead') });
    const value = await waitFor('the Playhead slider at the failure time', async () => {
      if ((await playhead.count()) !== 1) return null;
      const v = Number(await playhead.getAttribute('aria-valuenow'));
      return Math.abs(v - at) <= 0.2 ? v : null;
    }, { timeoutMs: 15_000 });
    expect(value).toBeGreaterThan(0);
    await panel.close();
  });

  it('a session left silent is warned, then disconnected at the idle limit (shortened to 6 s)', async () => {
    const panel = await h.openPanel({ adapter: 'loopback' });
    await selectAdapter(panel, 'Loopback');
    await openAdvancedSettings(panel);
    await panel.getByRole('spinbutton', { name: exactly('Idle disconnect (seconds)') }).fill('6');
    await button(panel, 'Connect').click();
    await waitForConnectionState(panel, 'ready', 20_000);
    const warned = await waitFor('the idle warning alert', async () => (await panel.getByRole('alert').allTextContents()).find((t) => t.includes('disconnects in')) ?? null, { timeoutMs: 15_000 });
    expect(warned).toMatch(/No speech or text for 3 s: the session disconnects in 3 s/);
    await waitForConnectionState(panel, 'disconnected', 15_000);
    const said = await waitFor('the idle disconnect alert', async () => (await panel.getByRole('alert').allTextContents()).find((t) => t.includes('Disconnected after')) ?? null, { timeoutMs: 5_000 });
    expect(said).toContain('Disconnected after 6 s with no speech or text');
    await panel.close();
  });
});
