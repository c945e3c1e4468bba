import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { SessionMetricsAccumulator, computeSessionMetrics, median, tokensOf } from './session-metrics.ts';

interface TurnScript {
  /** When the user stops (local VAD clock). */
  stop: number;
  /** Provider think time before its first audio frame arrives. */
  providerDelay: number;
  /** Client playback start lead after first audio arrives. */
  playLead: number;
  audioFrames: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Barge-in this many ms after bot audio starts; silence follows after `silenceAfter` ms. */
  bargeIn?: { after: number; silenceAfter: number };
  /** Adapter's own user-stopped-speaking lags the local VAD by this much (server VAD). */
  serverVadLag?: number;
}

/** A scripted session in arrival order, as the host would record it from a fake provider. */
function script(turns: TurnScript[], opts: { readyAt?: number; session?: number } = {}): LogEvent[] {
  const out: Array<Omit<LogEvent, 'seq'>> = [];
  const session = opts.session ?? 1;
  const push = (e: Partial<LogEvent> & Pick<LogEvent, 't' | 'type'>) => out.push({ session, wall: 1e12 + e.t, source: 'rtvi', direction: 'local', data: {}, ...e });
  push({ t: 2, source: 'transport', type: 'transport-state-changed', data: { state: 'connecting' } });
  push({ t: (opts.readyAt ?? 120) - 1, source: 'raw', direction: 'in', type: 'session.created', frameId: 1 });
  push({ t: opts.readyAt ?? 120, type: 'bot-ready', sourceFrameIds: [1] });
  let frame = 10;
  for (const tr of turns) {
    const speechStart = tr.stop - 800;
    push({ t: speechStart, type: 'local-vad-started' });
    for (let a = speechStart; a < tr.stop + 300; a += 100) push({ t: a, source: 'raw', direction: 'out', type: 'input_audio_buffer.append', frameId: ++frame, audio: { bytes: 4800, durationMs: 100, sampleRate: 24000 } });
    push({ t: speechStart + 250, type: 'user-started-speaking', data: { source: 'provider' } });
    push({ t: tr.stop, type: 'local-vad-stopped' });
    push({ t: tr.stop + (tr.serverVadLag ?? 400), type: 'user-stopped-speaking' });
    const first = tr.stop + tr.providerDelay;
    for (let i = 0; i < tr.audioFrames; i++) push({ t: first + i * 40, source: 'raw', direction: 'in', type: 'response.output_audio.delta', frameId: ++frame, audio: { bytes: 4800, durationMs: 100, sampleRate: 24000 } });
    const started = first + tr.playLead;
    push({ t: started, type: 'bot-started-speaking' });
    push({ t: first + tr.audioFrames * 40 + 5, type: 'metrics', data: { tokens: [tr.usage] } });
    if (tr.bargeIn) {
      push({ t: started + tr.bargeIn.after, type: 'local-vad-started' });
      push({ t: started + tr.bargeIn.after + 30, source: 'raw', direction: 'in', type: 'input_audio_buffer.speech_started', frameId: ++frame });
      push({ t: started + tr.bargeIn.after + tr.bargeIn.silenceAfter, type: 'bot-stopped-speaking' });
      push({ t: started + tr.bargeIn.after + 400, type: 'local-vad-stopped' });
    } else {
      push({ t: started + tr.audioFrames * 100, type: 'bot-stopped-speaking' });
    }
  }
  return out.map((e, i) => ({ ...e, seq: i + 1 }));
}

const baseTurns = (): TurnScript[] => [
  { stop: 2000, providerDelay: 300, playLead: 25, audioFrames: 10, usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 } },
  { stop: 6000, providerDelay: 450, playLead: 30, audioFrames: 20, usage: { prompt_tokens: 180, completion_tokens: 60, total_tokens: 240 }, bargeIn: { after: 700, silenceAfter: 12 } },
  { stop: 12000, providerDelay: 200, playLead: 20, audioFrames: 5, usage: { prompt_tokens: 260, completion_tokens: 20, total_tokens: 280 } },
];

describe('computeSessionMetrics', () => {
  it('measures each turn from the local VAD stop to played audio', () => {
    const m = computeSessionMetrics(script(baseTurns(), { readyAt: 137 }));
    expect(m.connectToReadyMs).toBe(137);
    expect(m.turns).toHaveLength(3);
    baseTurns().forEach((tr, i) => {
      const turn = m.turns[i];
      expect(turn.stopSource).toBe('local-vad');
      expect(turn.userStoppedAt).toBe(tr.stop);
      expect(turn.timeToFirstAudioMs).toBe(tr.providerDelay);
      expect(turn.voiceToVoiceMs).toBe(tr.providerDelay + tr.playLead);
      expect(turn.tokens).toEqual({ prompt: tr.usage.prompt_tokens, completion: tr.usage.completion_tokens, total: tr.usage.total_tokens });
    });
    expect(m.turns[0].interruptionMs).toBeNull();
    expect(m.turns[1].interruptionMs).toBe(12);
    expect(m.turns[1].interruptedAt).toBe(6000 + 450 + 30 + 700);
  });

  it('adding D ms before the first audio adds D to voice-to-voice and nothing else', () => {
    const D = 500;
    const base = computeSessionMetrics(script(baseTurns()));
    const slower = computeSessionMetrics(script(baseTurns().map((t) => ({ ...t, providerDelay: t.providerDelay + D }))));
    base.turns.forEach((t, i) => {
      expect(slower.turns[i].voiceToVoiceMs! - t.voiceToVoiceMs!).toBe(D);
      expect(slower.turns[i].timeToFirstAudioMs! - t.timeToFirstAudioMs!).toBe(D);
    });
    expect(slower.connectToReadyMs).toBe(base.connectToReadyMs);
  });

  it('token totals are the sum of per-turn usage', () => {
    const m = computeSessionMetrics(script(baseTurns()));
    const want = baseTurns().reduce((s, t) => ({ prompt: s.prompt + t.usage.prompt_tokens, completion: s.completion + t.usage.completion_tokens, total: s.total + t.usage.total_tokens }), { prompt: 0, completion: 0, total: 0 });
    expect(m.totals).toEqual(want);
    expect(m.turns.reduce((s, t) => s + (t.tokens?.total ?? 0), 0)).toBe(want.total);
  });

  it('falls back to the adapter user-stopped-speaking when there is no local VAD', () => {
    const rows = script(baseTurns()).filter((e) => e.type !== 'local-vad-stopped' && e.type !== 'local-vad-started');
    const m = computeSessionMetrics(rows);
    expect(m.turns[0].stopSource).toBe('rtvi');
    expect(m.turns[0].userStoppedAt).toBe(2400);
    expect(m.turns[0].voiceToVoiceMs).toBe(300 + 25 - 400);
  });

  it('a mid-utterance pause: the last stop before the answer counts', () => {
    const rows = script([baseTurns()[0]]);
    const i = rows.findIndex((e) => e.type === 'local-vad-stopped');
    const extra: LogEvent[] = [
      { ...rows[i], seq: 0, t: 1500 },
      { ...rows[i], seq: 0, t: 1700, type: 'local-vad-started' },
    ];
    rows.splice(i, 0, ...extra);
    const m = computeSessionMetrics(rows);
    expect(m.turns[0].userStoppedAt).toBe(2000);
  });

  it('a local VAD stop logged after the bot started (the capture thread lagged) still measures its turn', () => {
    for (const keepRtviStop of [false, true]) {
      const rows = script(baseTurns()).filter((e) => keepRtviStop || e.type !== 'user-stopped-speaking');
      // Each turn's local-vad-stopped (stamped at its true time) arrives right after that turn's
      // bot-started-speaking, as when the worklet's message waits behind a busy renderer.
      const late: LogEvent[] = [];
      for (const stop of rows.filter((e) => e.type === 'local-vad-stopped' && baseTurns().some((t) => t.stop === e.t))) {
        rows.splice(rows.indexOf(stop), 1);
        const started = rows.find((e) => e.type === 'bot-started-speaking' && e.t > stop.t)!;
        rows.splice(rows.indexOf(started) + 1, 0, stop);
        late.push(stop);
      }
      expect(late).toHaveLength(3);
      const m = computeSessionMetrics(rows);
      expect(m.turns, `with the RTVI stop ${keepRtviStop ? 'kept' : 'removed'}`).toHaveLength(3);
      baseTurns().forEach((tr, i) => {
        expect(m.turns[i].stopSource).toBe('local-vad');
        expect(m.turns[i].userStoppedAt).toBe(tr.stop);
        expect(m.turns[i].voiceToVoiceMs).toBe(tr.providerDelay + tr.playLead);
        expect(m.turns[i].timeToFirstAudioMs).toBe(tr.providerDelay);
      });
    }
  });

  it('a bot turn without user speech (greeting, text) has tokens but no voice-to-voice', () => {
    const rows: LogEvent[] = [
      { seq: 1, session: 1, t: 100, wall: 0, source: 'rtvi', direction: 'local', type: 'bot-ready', data: {} },
      { seq: 2, session: 1, t: 300, wall: 0, source: 'raw', direction: 'in', type: 'response.output_audio.delta', data: {}, audio: { bytes: 1, durationMs: 1, sampleRate: 24000 } },
      { seq: 3, session: 1, t: 320, wall: 0, source: 'rtvi', direction: 'local', type: 'bot-started-speaking', data: {} },
      { seq: 4, session: 1, t: 330, wall: 0, source: 'rtvi', direction: 'local', type: 'metrics', data: { tokens: [{ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 }] } },
    ];
    const m = computeSessionMetrics(rows);
    expect(m.turns).toHaveLength(1);
    expect(m.turns[0].voiceToVoiceMs).toBeNull();
    expect(m.turns[0].botStartedAt).toBe(320);
    expect(m.turns[0].tokens?.total).toBe(11);
  });

  it('only looks at one session (the last by default)', () => {
    const s1 = script(baseTurns(), { session: 1, readyAt: 100 });
    const s2 = script([baseTurns()[2]], { session: 2, readyAt: 200 }).map((e) => ({ ...e, seq: e.seq + 1000 }));
    const m = computeSessionMetrics([...s1, ...s2]);
    expect(m.session).toBe(2);
    expect(m.connectToReadyMs).toBe(200);
    expect(m.turns).toHaveLength(1);
    expect(computeSessionMetrics([...s1, ...s2], 1).turns).toHaveLength(3);
  });

  it('incremental accumulation equals a one-shot computation', () => {
    const rows = script(baseTurns());
    const acc = new SessionMetricsAccumulator(1);
    for (const r of rows) acc.add(r);
    expect(acc.snapshot()).toEqual(computeSessionMetrics(rows));
  });
});

describe('helpers', () => {
  it('tokensOf reads plain and value-wrapped entries and ignores rows without tokens', () => {
    expect(tokensOf({ tokens: [{ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }] })).toEqual({ prompt: 1, completion: 2, total: 3 });
    expect(tokensOf({ tokens: [{ processor: 'llm', value: { prompt_tokens: 4, completion_tokens: 5 } }] })).toEqual({ prompt: 4, completion: 5, total: 9 });
    expect(tokensOf({ ttfb: [{ processor: 'llm', value: 0.2 }] })).toBeNull();
    expect(tokensOf(null)).toBeNull();
  });

  it('median', () => {
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null])).toBeNull();
  });
});
