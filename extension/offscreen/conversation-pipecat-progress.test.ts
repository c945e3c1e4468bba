import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConversationTurn } from '../shared/messages.ts';
import { placeTurn } from '../inspector-core/place-turn.ts';
import { ConversationBuilder } from './conversation-builder.ts';

/**
 * Real Pipecat (pipecat-ai/pipecat acead0507d7) with a 2.x client, bot_output_enabled by default
 * (rtvi/observer.py:167): per sentence, a word-timestamp TTS gives `bot-output` spoken_status "new"
 * with nothing spoken (observer.py:746-760, sent once the bot speaks: :631-648), then per word a
 * `bot-tts-text` with the bare word (word_completion_tracker.py:271 strips it) followed by a
 * `bot-output` "in-progress"/"completed" whose accumulated_text is CUMULATIVE
 * (aggregated_frame_sequencer.py:543-550, observer.py:686-705). A TTS without word timing sends one
 * "completed" bot-output with accumulated = text (observer.py:740-744) and the sentence as
 * bot-tts-text. On interruption nothing about the output is sent, only `bot-interrupted`
 * (observer.py:460-463); the reply's last word report stays "in-progress" (or "new").
 */
type Rtvi = [type: string, data: Record<string, unknown>];

function wordTimed(sentence: string, segmentId: number): { announce: Rtvi; words: Rtvi[][] } {
  const words = sentence.split(' ');
  const announce: Rtvi = ['bot-output', { text: sentence, spoken: false, will_be_spoken: true, aggregated_by: 'sentence', segment_id: segmentId, spoken_status: 'new', spoken_progress: { accumulated_text: '', remaining_text: sentence } }];
  const steps = words.map((w, i) => {
    const accumulated = words.slice(0, i + 1).join(' ');
    const remaining = sentence.slice(accumulated.length);
    return [
      ['bot-tts-text', { text: w }],
      ['bot-output', { text: sentence, will_be_spoken: true, aggregated_by: 'sentence', segment_id: segmentId, spoken_status: remaining === '' ? 'completed' : 'in-progress', spoken_progress: { accumulated_text: accumulated, remaining_text: remaining } }],
    ] as Rtvi[];
  });
  return { announce, words: steps };
}

function build() {
  let panel: ConversationTurn[] = [];
  const b = new ConversationBuilder((t, before) => {
    panel = placeTurn(panel, t, before);
  });
  let seq = 0;
  const play = (msgs: Rtvi[]) => msgs.forEach(([type, data]) => b.onRtvi(type, data, { seq: ++seq, t: seq * 10, session: 1 }));
  return { b, play, panel: () => panel };
}

const bots = (b: ConversationBuilder) => b.all.filter((t) => t.role === 'bot').map((t) => ({ text: t.text, cut: t.cut ?? false, unspoken: t.unspoken, final: t.final }));

describe('ConversationBuilder with real Pipecat bot-output progress', () => {
  it('a word-timed reply spoken whole shows each sentence once, not cut off', () => {
    const { b, play, panel } = build();
    const s1 = wordTimed('Hello there friend.', 7);
    const s2 = wordTimed('How are you?', 9);
    play([['bot-llm-started', {}], ['bot-tts-started', {}], ['bot-started-speaking', {}], s1.announce, ...s1.words.flat(), s2.announce, ...s2.words.flat(), ['bot-tts-stopped', {}], ['bot-stopped-speaking', {}]]);
    expect(bots(b)).toEqual([{ text: 'Hello there friend. How are you?', cut: false, unspoken: undefined, final: true }]);
    expect(panel()).toEqual(b.all);
  });

  it('a word-timed reply interrupted after two words is cut off with the heard words and the unheard rest', () => {
    const { b, play } = build();
    const s1 = wordTimed('Hello there friend.', 7);
    const s2 = wordTimed('How are you?', 9);
    play([['bot-llm-started', {}], ['bot-started-speaking', {}], s1.announce, s2.announce, ...s1.words.slice(0, 2).flat(), ['user-started-speaking', {}], ['bot-interrupted', {}], ['bot-stopped-speaking', {}]]);
    expect(bots(b)).toEqual([{ text: 'Hello there', cut: true, unspoken: 'friend. How are you?', final: true }]);
  });

  it('a sentence-level TTS reply (completed with progress) is shown once and not cut off', () => {
    const { b, play } = build();
    const done = (text: string, id: number): Rtvi[] => [
      ['bot-output', { text, spoken: true, will_be_spoken: true, aggregated_by: 'sentence', segment_id: id, spoken_status: 'completed', spoken_progress: { accumulated_text: text, remaining_text: '' } }],
      ['bot-tts-text', { text }],
    ];
    play([['bot-started-speaking', {}], ...done('It is sunny.', 3), ...done('Warm too.', 4), ['bot-stopped-speaking', {}]]);
    expect(bots(b)).toEqual([{ text: 'It is sunny. Warm too.', cut: false, unspoken: undefined, final: true }]);
  });

  it('a sentence-level reply the user interrupts while the bot speaks is marked cut off (bot-interrupted)', () => {
    const { b, play } = build();
    const text = 'It is sunny.';
    play([['bot-started-speaking', {}], ['bot-output', { text, will_be_spoken: true, aggregated_by: 'sentence', segment_id: 3, spoken_status: 'completed', spoken_progress: { accumulated_text: text, remaining_text: '' } }], ['user-started-speaking', {}], ['bot-interrupted', {}], ['bot-stopped-speaking', {}]]);
    expect(bots(b)).toMatchObject([{ text: 'It is sunny.', cut: true, final: true }]);
  });

  it('a word-timed reply whose last word was reported spoken is whole, even if the user speaks while its audio tails off', () => {
    const { b, play } = build();
    const s1 = wordTimed('Hello there friend.', 7);
    play([['bot-started-speaking', {}], s1.announce, ...s1.words.flat(), ['user-started-speaking', {}], ['bot-interrupted', {}], ['bot-stopped-speaking', {}]]);
    expect(bots(b)).toEqual([{ text: 'Hello there friend.', cut: false, unspoken: undefined, final: true }]);
  });

  it('bot-interrupted while the bot is silent (every user turn sends one) cuts nothing', () => {
    const { b, play } = build();
    const s1 = wordTimed('Hi.', 1);
    play([['bot-started-speaking', {}], s1.announce, ...s1.words.flat(), ['bot-stopped-speaking', {}], ['user-started-speaking', {}], ['bot-interrupted', {}], ['user-stopped-speaking', {}]]);
    expect(bots(b)).toEqual([{ text: 'Hi.', cut: false, unspoken: undefined, final: true }]);
  });

  it('property: wherever each sentence announcement lands before its first word, a whole reply reads once and uncut', () => {
    const sentences = ['Hello there friend.', 'How are you?', 'It is sunny today.'];
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), fc.integer({ min: 0, max: 12 }), (slots, cutAt) => {
        // Word steps of all sentences in order; each announcement goes somewhere after
        // bot-started-speaking and before its own first word (queued until the bot speaks, then sent
        // as the LLM's sentences aggregate: observer.py:631-648).
        const parts = sentences.map((s, i) => wordTimed(s, i + 1));
        const steps: Rtvi[][] = parts.flatMap((p) => p.words);
        const firstStep = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.words.length, 0));
        const seqOut: Rtvi[] = [['bot-started-speaking', {}]];
        const announceAt = parts.map((_, i) => Math.min(slots[i]! % (firstStep[i]! + 1), firstStep[i]!));
        // Keep announcements in sentence order.
        for (let i = 1; i < announceAt.length; i++) announceAt[i] = Math.max(announceAt[i]!, announceAt[i - 1]!);
        const total = steps.length;
        const stopAt = Math.min(cutAt, total);
        for (let k = 0; k <= total; k++) {
          parts.forEach((p, i) => {
            if (announceAt[i] === k) seqOut.push(p.announce);
          });
          if (k === stopAt && stopAt < total) {
            seqOut.push(['user-started-speaking', {}], ['bot-interrupted', {}]);
            break;
          }
          if (k < total) seqOut.push(...steps[k]!);
        }
        seqOut.push(['bot-stopped-speaking', {}]);
        const { b, play } = build();
        play(seqOut);
        const out = bots(b);
        expect(out).toHaveLength(1);
        const full = sentences.join(' ');
        if (stopAt >= total) {
          expect(out[0]).toEqual({ text: full, cut: false, unspoken: undefined, final: true });
        } else {
          const heardWords = full.split(' ').slice(0, stopAt).join(' ');
          expect(out[0]!.cut).toBe(true);
          expect(out[0]!.text).toBe(heardWords);
          // The unheard rest: the sentences announced before the interruption (later ones never came).
          const announced = sentences.filter((_, i) => announceAt[i]! <= stopAt).join(' ');
          expect(`${out[0]!.text} ${out[0]!.unspoken ?? ''}`.trim()).toBe(announced);
        }
      }),
      { numRuns: 200 },
    );
  });
});
