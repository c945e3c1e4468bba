import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../extension/shared/log-event.ts';
import type { RecordingMeta } from '../extension/recordings/recording-format.ts';
import { fromWire, type WireRecording } from '../extension/recordings/wire.ts';
import { cutTrack } from '../extension/replay/mic-track.ts';
import { planReplay, type ReplayAudioStep } from '../extension/replay/replay-plan.ts';
import { resampleClip, toMonoFloat } from '../src/audio/user-audio-injector.ts';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeReceivedFrame } from '../test/fakes/fake-openai-server.ts';
import { auditAccessibility } from './harness/axe-audit.ts';
import { FIXTURES_DIR, launchExtension, type ExtensionHarness } from './harness/extension-harness.ts';
import { button, exactly, selectView, waitForConnectionState } from './harness/panel-page.ts';
import { connectThroughPanel, fillSessionForm, waitForReplayFinished } from './harness/panel-session.ts';
import { waitFor } from './harness/wait-for.ts';

const OPENAI_KEY = 'sk-fake-replay-key-0123456789';

/** Normalised cross-correlation at the best lag within ±maxLag samples. */
function bestCorrelation(x: Float32Array, y: Float32Array, maxLag: number): number {
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    const from = Math.max(0, -lag);
    const to = Math.min(x.length, y.length - lag);
    for (let i = from; i < to; i++) {
      const a = x[i];
      const b = y[i + lag];
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    if (xx > 0 && yy > 0) best = Math.max(best, xy / Math.sqrt(xx * yy));
  }
  return best;
}

/**
 * Appends grouped into turns by the replay's own `replay-step` rows (logged just before each turn
 * is injected; the row's wall clock and the fake's `at` are the same machine's Date.now()).
 */
function turnsOf(appends: FakeReceivedFrame[], stepWalls: number[]): FakeReceivedFrame[][] {
  return stepWalls.map((start, i) => appends.filter((f) => f.at >= start && f.at < (stepWalls[i + 1] ?? Infinity)));
}

describe('Replay: a recording made against Gemini, replayed against OpenAI, then compared', () => {
  let h: ExtensionHarness;
  let gemini: FakeGeminiServer;
  let openai: FakeOpenAIServer;

  beforeAll(async () => {
    gemini = await startFakeGeminiServer({ replies: [{ userTranscript: 'What is the weather in Paris', botText: 'It is sunny in Paris.' }, { userTranscript: 'And tomorrow', botText: 'Rain tomorrow.' }] });
    openai = await startFakeOpenAIServer({ apiKey: OPENAI_KEY, userTranscripts: ['What is the weather in Paris', 'And tomorrow'], replyText: 'Cloudy in Paris.' });
    // The phrase then 4.4 s of silence, looped: each phrase is one user turn.
    h = await launchExtension({ fakeMicWav: join(FIXTURES_DIR, 'weather-paris-16k-pause.wav') });
  });
  afterAll(async () => {
    await h?.close();
    await gemini?.close();
    await openai?.close();
  });

  it('the OpenAI fake receives the same user audio per turn, a linked recording appears, and the comparison lists both turns', async () => {
    const panel = await h.openPanel();
    // 1. The source: two spoken turns against the Gemini fake, recorded.
    await connectThroughPanel(panel, { adapter: 'Gemini Live', apiKey: FAKE_GEMINI_KEY, endpoint: gemini.url });
    await waitForConnectionState(panel, 'ready', 20_000);
    const hostEvents = () => h.evaluateInOffscreen<LogEvent[]>('globalThis.__sessionHost.events()');
    await waitFor('two spoken user turns (local VAD) and a bot reply after the second, in the Gemini session', async () => {
      const events = await hostEvents();
      const session = Math.max(...events.map((e) => e.session));
      const rows = events.filter((e) => e.session === session && e.source === 'rtvi');
      const stops = rows.filter((e) => e.type === 'user-stopped-speaking' && (e.data as { source?: unknown }).source === 'local-vad');
      return stops.length >= 2 && rows.some((e) => e.type === 'bot-stopped-speaking' && e.t > stops[1].t) ? true : null;
    }, { timeoutMs: 45_000 });
    await button(panel, 'Disconnect').click();
    await waitForConnectionState(panel, 'disconnected');
    const list = () => h.evaluateInOffscreen<{ recordings: RecordingMeta[] }>('globalThis.__recordings.list()');
    const source = await waitFor('the Gemini recording to be complete', async () => (await list()).recordings.find((r) => r.adapterId.includes('gemini') && r.complete) ?? null, { timeoutMs: 15_000 });
    const sourceRec = fromWire((await h.evaluateInOffscreen<WireRecording>(`globalThis.__recordings.get(${JSON.stringify(source.id)})`))!);
    const plan = planReplay(sourceRec);
    const audioSteps = plan.steps.filter((s): s is ReplayAudioStep => s.kind === 'audio');
    expect(audioSteps.length, `user turns planned from the source: ${JSON.stringify(plan)}`).toBeGreaterThanOrEqual(2);

    // 2. The target: OpenAI Realtime against its fake, chosen in Settings (not connected).
    await fillSessionForm(panel, { adapter: 'OpenAI Realtime', apiKey: OPENAI_KEY, endpoint: openai.url });

    // 3. Replay: the estimated cost shows before the start.
    await selectView(panel, 'Replay');
    const sourceBox = panel.getByRole('combobox', { name: exactly('Source recording') });
    await sourceBox.selectOption(source.id);
    const cost = panel.getByRole('status', { name: exactly('Estimated cost') });
    await waitFor('the estimated cost of the replay', async () => (/\$\d/.test((await cost.textContent()) ?? '') ? true : null), { timeoutMs: 10_000 });
    const violations = await auditAccessibility(panel);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    // Keyboard: the start button is reachable by Tab and pressed with Enter.
    await sourceBox.focus();
    await panel.keyboard.press('Tab');
    await waitFor('focus on Start replay', async () => ((await panel.evaluate(() => document.activeElement?.textContent)) === 'Start replay' ? true : null), { timeoutMs: 5_000 });
    await panel.keyboard.press('Enter');
    await waitForReplayFinished(panel);

    // 4. What the OpenAI fake received: per turn, the same duration (within 20 ms) and the same audio.
    const appends = openai.receivedOfType('input_audio_buffer.append');
    const replayEvents = await hostEvents();
    const replaySession = Math.max(...replayEvents.map((e) => e.session));
    const steps = replayEvents.filter((e) => e.session === replaySession && e.type === 'replay-step');
    expect(steps.length).toBe(plan.steps.length);
    const turns = turnsOf(appends, steps.map((e) => e.wall));
    expect(appends.filter((f) => f.at < steps[0].wall), 'nothing sent before the first replayed turn (the microphone stays closed)').toEqual([]);
    // The stored microphone track, decoded where it was recorded (Opus needs WebCodecs).
    const micWire = (await h.evaluateInOffscreen<{ sampleRate: number; t0: number; pcm: string } | null>(`globalThis.__recordings.assembledTrack(${JSON.stringify(source.id)}, 'mic')`))!;
    const micBytes = Buffer.from(micWire.pcm, 'base64');
    const mic = { sampleRate: micWire.sampleRate, t0: micWire.t0, samples: new Int16Array(micBytes.buffer, micBytes.byteOffset, micBytes.byteLength >> 1) };
    const rate = 24000;
    for (const [i, step] of audioSteps.entries()) {
      const got = Buffer.concat(turns[i].map((f) => f.pcm!));
      const gotSamples = new Int16Array(got.buffer, got.byteOffset, got.byteLength >> 1);
      const gotMs = (gotSamples.length / rate) * 1000;
      const wantMs = step.cut.end - step.cut.start;
      expect(Math.abs(gotMs - wantMs), `turn ${i + 1}: received ${gotMs.toFixed(1)} ms, recorded ${wantMs.toFixed(1)} ms`).toBeLessThanOrEqual(20);
      const stored = resampleClip(toMonoFloat(cutTrack(mic, step.cut)), mic.sampleRate, rate);
      const r = bestCorrelation(stored, toMonoFloat(gotSamples), Math.round(rate * 0.05));
      expect(r, `turn ${i + 1}: correlation at the best lag`).toBeGreaterThanOrEqual(0.95);
      console.info(`[replay e2e] turn ${i + 1}: received ${gotMs.toFixed(1)} ms, recorded ${wantMs.toFixed(1)} ms, correlation ${r.toFixed(4)}`);
    }

    // 5. A new recording, linked to its source.
    const replayRec = await waitFor('a complete replay recording linked to the source', async () => (await list()).recordings.find((r) => r.origin === 'replay' && r.sourceId === source.id && r.complete) ?? null, { timeoutMs: 15_000 });
    expect(replayRec.adapterId).toMatch(/openai/);

    // 6. The comparison (source and replay preselected once the replay finished).
    await expect.poll(() => panel.getByRole('combobox', { name: exactly('Recording B') }).inputValue()).toBe(replayRec.id);
    await button(panel, 'Compare recordings').click();
    const compared = panel.getByRole('list', { name: exactly('Compared turns') });
    await waitFor('the compared turns', async () => ((await compared.getByRole('table').count()) >= 2 ? true : null), { timeoutMs: 15_000 });
    for (let i = 0; i < 2; i++) {
      const table = compared.getByRole('table').nth(i);
      const latency = await table.getByRole('row').filter({ hasText: /^Latency/ }).getByRole('cell').allTextContents();
      const tokens = await table.getByRole('row').filter({ hasText: /^Tokens/ }).getByRole('cell').allTextContents();
      const trace = sourceRec.events.filter((e) => e.source === 'rtvi' && /speaking|metrics/.test(e.type)).map((e) => `${e.type}@${Math.round(e.t)}${(e.data as { source?: string })?.source ? `(${(e.data as { source?: string }).source})` : ''}`);
      expect(latency.every((c) => /\d+ ms/.test(c)), `turn ${i + 1} latency cells: ${latency.join(' | ')}; source rows: ${trace.join(' ')}`).toBe(true);
      expect(tokens.every((c) => /\d+ in \/ \d+ out/.test(c)), `turn ${i + 1} token cells: ${tokens.join(' | ')}`).toBe(true);
      // Usage was read, not defaulted: every side reports some tokens.
      expect(tokens.every((c) => /([1-9]\d*) in/.test(c)), `turn ${i + 1}: tokens above zero (${tokens.join(' | ')})`).toBe(true);
    }
    // The comparison as a short Markdown report.
    const download = panel.waitForEvent('download', { timeout: 15_000 });
    await button(panel, 'Export comparison').click();
    const file = await download;
    const md = readFileSync(await file.path(), 'utf8');
    expect(file.suggestedFilename()).toMatch(/^comparison-.*\.md$/);
    expect(md).toMatch(/^# Recording comparison/);
    expect(md).toContain('## Turn 1');
    expect(md).toContain('## Turn 2');
    expect(md).toMatch(/\| Latency \| \d+ ms \| \d+ ms \|/);
    expect(md).not.toContain(OPENAI_KEY);
    const after = await auditAccessibility(panel);
    expect(after, JSON.stringify(after, null, 2)).toEqual([]);
    expect(h.targets.dump()).not.toContain(OPENAI_KEY);
    await panel.close();
  });
});
