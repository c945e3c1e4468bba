import { describe, expect, it } from 'vitest';
import { assembleTrack, cutTrack } from './mic-track.ts';
import { planReplay } from './replay-plan.ts';
import { RecordingBuilder } from './synthetic-recording.ts';

function ramp(n: number): Int16Array {
  return new Int16Array(n).map((_, i) => (i % 2000) - 1000);
}

/** Mic open 0–12 s at 16 kHz; turn 1 spoken 1.0–2.5 s, reply 3.0–5.0 s; barge-in at 4.2 s (reply 2), typed text at 9 s. */
function source() {
  return new RecordingBuilder({ adapterId: 'gemini-live', model: 'gemini-2.5-flash-native-audio-preview-12-2025' })
    .mic(0, ramp(16000 * 12), 16000)
    .userSpeech(1000, 2500, 'What is the weather')
    .botReply(2900, 3000, 5000, 'It is sunny.')
    .userSpeech(4200, 5200, 'Stop, and in Paris')
    .botReply(5900, 6000, 8000, 'Paris is rainy.')
    .event(9000, 'raw', 'out', 'clientContent', { clientContent: { turns: [{ role: 'user', parts: [{ text: 'thanks' }] }], turnComplete: true } })
    .botReply(9400, 9500, 10000, 'You are welcome.')
    .build();
}

describe('planReplay', () => {
  it('schedules the user side: audio turns cut with lead and tail, the barge-in at its offset into the reply, typed text after the reply', () => {
    const plan = planReplay(source());
    expect(plan.warnings).toEqual([]);
    expect(plan.steps).toHaveLength(3);
    const [t1, t2, t3] = plan.steps;
    expect(t1).toMatchObject({ kind: 'audio', turn: 1, anchor: 'after-start', cut: { start: 700, end: 3300 }, speech: { start: 1000, end: 2500 }, expectsReply: true });
    expect(t1.delayMs).toBe(700);
    // Spoke 1.2 s into the first reply (which started at 3.0 s); the cut starts 300 ms earlier.
    expect(t2).toMatchObject({ kind: 'audio', turn: 2, anchor: 'barge-in', delayMs: 900, cut: { start: 3900, end: 6000 }, expectsReply: true });
    // Typed 1 s after the second reply finished playing.
    expect(t3).toEqual({ kind: 'text', turn: 3, anchor: 'after-bot', delayMs: 1000, text: 'thanks', expectsReply: true });
  });

  it('caps long pauses and warns about speech with no mic audio under it', () => {
    const rec = new RecordingBuilder({ adapterId: 'openai-realtime' })
      .mic(0, ramp(24000), 24000)
      .userSpeech(200, 800)
      .botReply(900, 1000, 1500)
      .userSpeech(30000, 31000)
      .build();
    const plan = planReplay(rec, { maxDelayMs: 2000 });
    expect(plan.steps).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/User turn 2: no microphone audio/);
    const late = planReplay(new RecordingBuilder({ adapterId: 'x' }).mic(0, ramp(16000 * 40), 16000).userSpeech(200, 800).botReply(900, 1000, 1500).userSpeech(30000, 31000).build(), { maxDelayMs: 2000 });
    expect(late.steps[1]).toMatchObject({ anchor: 'after-bot', delayMs: 2000, expectsReply: false });
  });
});

describe('mic track', () => {
  it('assembles PCM16 chunks on the recording clock and cuts spans out of it', async () => {
    const rec = source();
    const track = await assembleTrack(rec, 'mic');
    expect(track).not.toBeNull();
    expect(track!.sampleRate).toBe(16000);
    expect(track!.samples.length).toBe(16000 * 12);
    const cut = cutTrack(track!, { start: 700, end: 3300 });
    expect(cut.length).toBe(Math.round(2.6 * 16000));
    expect(Array.from(cut.subarray(0, 5))).toEqual(Array.from(ramp(16000 * 12).subarray(11200, 11205)));
    await expect(assembleTrack({ ...rec, audio: rec.audio.map((c) => ({ ...c, codec: 'opus' as const })) }, 'mic')).rejects.toThrow(/Opus-compressed/);
    expect(await assembleTrack(rec, 'bot')).toBeNull();
  });
});
