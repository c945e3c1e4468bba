import { describe, expect, it } from 'vitest';
import { computeSessionMetrics } from '../inspector-core/session-metrics.ts';
import { TimelineModel, nearestIndex } from './timeline-model.ts';
import { syntheticRecording } from './synthetic-recording.ts';

describe('TimelineModel', () => {
  const { recording, turns } = syntheticRecording({ durationMs: 120_000, bargeInEvery: 3, toolEvery: 4, errorEvery: 5, rawAudioFrames: true });
  const model = TimelineModel.fromRecording(recording);

  it('who spoke when follows the speaking events', () => {
    expect(model.speaking.bot.map((s) => [Math.round(s.start), Math.round(s.end!)])).toEqual(turns.map((t) => [Math.round(t.botStart), Math.round(t.botStop)]));
    expect(model.speaking.user.map((s) => Math.round(s.start))).toEqual(turns.map((t) => Math.round(t.userStart)));
  });

  it('marks each barge-in once, at the user speech that cut the bot off', () => {
    const bargeIns = model.sortedMarkers().filter((m) => m.kind === 'barge-in');
    const expected = turns.filter((t) => t.bargeIn).map((t) => Math.round(t.botStop - 250));
    expect(bargeIns.map((m) => Math.round(m.t))).toEqual(expected);
  });

  it('marks tool calls and errors from their events', () => {
    const tools = model.markers.filter((m) => m.kind === 'tool');
    expect(tools.length).toBe(turns.filter((t) => t.tool).length);
    expect(tools[0].label).toBe('Tool get_weather');
    const errors = model.markers.filter((m) => m.kind === 'error');
    expect(errors.length).toBe(Math.floor(turns.length / 5));
    expect(errors[0].label).toBe('Error: synthetic provider error');
  });

  it('latency spans are the metrics card’s voice-to-voice, user stop → bot heard', () => {
    const spans = model.latencySpans();
    const card = computeSessionMetrics(recording.events).turns.filter((t) => t.voiceToVoiceMs !== null);
    expect(spans.map((s) => s.ms)).toEqual(card.map((t) => t.voiceToVoiceMs));
    expect(spans.length).toBe(turns.length);
    expect(Math.round(spans[0].start)).toBe(Math.round(turns[0].userStop));
    expect(Math.round(spans[0].end)).toBe(Math.round(turns[0].botStart));
  });

  it('draws both voices where they spoke: bot peaks only in its spans', () => {
    const t0 = turns[1];
    const mid = (t0.botStart + t0.botStop) / 2;
    expect(model.peaks.bot.columns(mid - 50, mid + 50, 1).max[0]).toBeGreaterThan(0.3);
    const gap = (t0.userStop + t0.botStart) / 2;
    expect(model.peaks.bot.columns(gap - 20, gap + 20, 1).empty[0]).toBe(1);
    expect(model.peaks.mic.columns(gap - 20, gap + 20, 1).max[0]).toBeLessThan(0.05);
    const um = (t0.userStart + t0.userStop) / 2;
    expect(model.peaks.mic.columns(um - 50, um + 50, 1).max[0]).toBeGreaterThan(0.3);
  });

  it('the event nearest a time skips audio frames', () => {
    const target = turns[2].botStart + 3;
    const seq = model.nearestEventSeq(target)!;
    const ev = recording.events.find((e) => e.seq === seq)!;
    expect(ev.type).toBe('bot-started-speaking');
    expect(model.timeOfSeq(seq)).toBe(ev.t);
  });

  it('a live model fed in batches equals one built at once', () => {
    const live = new TimelineModel(1);
    for (let i = 0; i < recording.events.length; i += 97) live.addEvents(recording.events.slice(i, i + 97));
    expect(live.sortedMarkers()).toEqual(model.sortedMarkers());
    expect(live.latencySpans()).toEqual(model.latencySpans());
    expect(live.speaking).toEqual(model.speaking);
  });

  it('an open span stays open until its stop arrives', () => {
    const live = new TimelineModel(1);
    live.addEvents([{ seq: 1, session: 1, t: 100, wall: 0, source: 'rtvi', direction: 'local', type: 'user-started-speaking', data: {} }]);
    expect(live.speaking.user).toEqual([{ start: 100, end: null }]);
    live.addEvents([{ seq: 2, session: 1, t: 900, wall: 0, source: 'rtvi', direction: 'local', type: 'user-stopped-speaking', data: {} }]);
    expect(live.speaking.user).toEqual([{ start: 100, end: 900 }]);
  });
});

describe('nearestIndex', () => {
  it('finds the nearest, earlier on ties', () => {
    expect(nearestIndex([], 5)).toBeNull();
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 15)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([0, 10, 20], 99)).toBe(2);
    expect(nearestIndex([0, 10, 20], -5)).toBe(0);
  });
});
