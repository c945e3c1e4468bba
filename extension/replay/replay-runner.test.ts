import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrackAudio } from './mic-track.ts';
import type { ReplayPlan } from './replay-plan.ts';
import { ReplayRunner } from './replay-runner.ts';

const mic: TrackAudio = { sampleRate: 16000, t0: 0, samples: new Int16Array(16000 * 10).map((_, i) => i % 100) };

const plan: ReplayPlan = {
  warnings: [],
  steps: [
    { kind: 'audio', turn: 1, anchor: 'after-start', delayMs: 500, cut: { start: 1000, end: 2000 }, speech: { start: 1200, end: 1800 }, expectsReply: true },
    { kind: 'audio', turn: 2, anchor: 'barge-in', delayMs: 300, cut: { start: 4000, end: 4500 }, speech: { start: 4100, end: 4400 }, expectsReply: true },
    { kind: 'text', turn: 3, anchor: 'after-bot', delayMs: 1000, text: 'thanks', expectsReply: false },
  ],
};

describe('ReplayRunner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('injects each turn at its anchor: after the start, over the new reply at the same offset, after the reply ends', async () => {
    const log: string[] = [];
    const runner = new ReplayRunner(
      {
        injectAudio: async (pcm, rate) => {
          log.push(`audio ${pcm.length} @${rate} t=${Date.now()}`);
          await new Promise((r) => setTimeout(r, (pcm.length / rate) * 1000));
        },
        sendText: async (text) => void log.push(`text ${text} t=${Date.now()}`),
        log: () => undefined,
        setTimeout: (cb, ms) => setTimeout(cb, ms),
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      },
      { replyTimeoutMs: 20_000, settleMs: 700 },
      () => Date.now(),
    );
    const t0 = Date.now();
    const done = runner.run(plan, mic, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(500);
    expect(log).toEqual([`audio 16000 @16000 t=${t0 + 500}`]);
    await vi.advanceTimersByTimeAsync(1000); // turn 1 sent; no reply yet, so the barge-in waits
    await vi.advanceTimersByTimeAsync(2000);
    expect(log).toHaveLength(1);
    runner.onBotStarted(); // the reply starts at t0+3500
    await vi.advanceTimersByTimeAsync(300);
    expect(log[1]).toBe(`audio 8000 @16000 t=${t0 + 3800}`);
    await vi.advanceTimersByTimeAsync(500);
    runner.onBotStopped(); // the barged reply stops at t0+4300
    runner.onBotStarted(); // the reply to turn 2
    await vi.advanceTimersByTimeAsync(1000);
    runner.onBotStopped(); // t0+5300
    await vi.advanceTimersByTimeAsync(300);
    runner.onBotStarted(); // resumes after a pause (a tool call): not finished yet
    await vi.advanceTimersByTimeAsync(500);
    runner.onBotStopped(); // t0+6100, settles at 6800, then 1 s pause
    await vi.advanceTimersByTimeAsync(1699);
    expect(log).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(log[2]).toBe(`text thanks t=${t0 + 7800}`);
    const report = await done;
    expect(report.steps.map((s) => [s.turn, s.anchor, s.timedOut ?? null])).toEqual([
      [1, 'after-start', null],
      [2, 'barge-in', null],
      [3, 'after-bot', null],
    ]);
  });

  it('never hangs: a reply that never comes times out and the replay goes on; abort ends it', async () => {
    const sent: string[] = [];
    const deps = {
      injectAudio: async () => void sent.push('audio'),
      sendText: async (t: string) => void sent.push(t),
      log: () => undefined,
      setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const runner = new ReplayRunner(deps, { replyTimeoutMs: 1000 }, () => Date.now());
    const done = runner.run(plan, mic, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(5000);
    const report = await done;
    expect(sent).toEqual(['audio', 'audio', 'thanks']);
    expect(report.steps.map((s) => s.timedOut)).toEqual([undefined, 'reply-start', 'reply-start']);

    const ac = new AbortController();
    const r2 = new ReplayRunner(deps, {}, () => Date.now()).run(plan, mic, ac.signal);
    await vi.advanceTimersByTimeAsync(100);
    ac.abort();
    await expect(r2).resolves.toMatchObject({ aborted: true });
  });
});
