import { describe, expect, it } from 'vitest';
import { RecordingBuilder } from '../replay/synthetic-recording.ts';
import { recordingUserTurn } from './recording-turn.ts';

/** A mic track whose every sample says where it is (sample i holds i mod 30000). */
const ramp = (n: number) => Int16Array.from({ length: n }, (_, i) => i % 30000);

function recording() {
  return new RecordingBuilder({ adapterId: 'gemini-live' })
    .mic(0, ramp(16000 * 8), 16000)
    .userSpeech(1000, 2500, 'What is the weather')
    .botReply(2900, 3000, 4000, 'It is sunny.')
    .userSpeech(4500, 5500, 'And tomorrow?')
    .botReply(5900, 6000, 7000, 'Rain.')
    .build();
}

describe('recordingUserTurn', () => {
  it('speaks the n-th user turn: the cut a replay injects (speech with its lead and tail), at the track rate', async () => {
    const first = await recordingUserTurn(recording(), 1);
    expect(first.sampleRate).toBe(16000);
    // 300 ms lead before 1000 ms; the tail runs until the user's next action or 800 ms.
    expect(first.pcm[0]).toBe(Math.round(0.7 * 16000) % 30000);
    expect(first.pcm.length / 16000).toBeGreaterThanOrEqual(1.5 + 0.3);
    const second = await recordingUserTurn(recording(), 2);
    expect(second.pcm[0]).toBe(Math.round(4.2 * 16000) % 30000);
  });

  it('a turn that does not exist, or a recording without a mic track, is refused in words', async () => {
    await expect(recordingUserTurn(recording(), 3)).rejects.toThrow(/has 2 spoken user turns; turn 3 does not exist/);
    const noMic = new RecordingBuilder({ adapterId: 'gemini-live' }).userSpeech(1000, 2000, 'hi').botReply(2200, 2300, 3000, 'Hello.').build();
    await expect(recordingUserTurn(noMic, 1)).rejects.toThrow(/^recording "[^"]*" has 0 spoken user turns; turn 1 does not exist$/);
  });
});
