import { describe, expect, it } from 'vitest';
import { SpokenTextPacer, snapToWord, type PacedMessage } from './spoken-text-pacer.ts';

function setup() {
  const out: PacedMessage[] = [];
  const pacer = new SpokenTextPacer((m) => out.push(m));
  const tts = () => out.filter((m) => m.type === 'bot-tts-text').map((m) => m.data.text as string).join('');
  const outputs = () => out.filter((m) => m.type === 'bot-output').map((m) => m.data);
  return { pacer, out, tts, outputs };
}

const sentence = (text: string, id: number) => ({ text, aggregated_by: 'sentence', segment_id: id, spoken: true, will_be_spoken: true, spoken_status: 'completed' });

describe('SpokenTextPacer', () => {
  it('holds text until its audio plays, then releases it in proportion to the played samples, by whole words', () => {
    const { pacer, out, tts } = setup();
    const text = 'One two three four. Five six seven eight.';
    pacer.audioQueued('a', 24_000);
    pacer.ttsText('a', text, [7]);
    pacer.output('a', sentence('One two three four.', 1), [7]);
    pacer.output('a', sentence('Five six seven eight.', 2), [7]);
    expect(out).toEqual([]);
    pacer.played('a', 6_000);
    // A quarter of 41 characters is 10: "One two" is the last whole word before it.
    expect(tts()).toBe('One two');
    expect(out.every((m) => m.type === 'bot-tts-text')).toBe(true);
    expect(out[0].sourceFrameIds).toEqual([7]);
    pacer.played('a', 12_000);
    expect(tts()).toBe('One two three four.');
    expect(out.filter((m) => m.type === 'bot-output').map((m) => m.data.text)).toEqual(['One two three four.']);
    pacer.playbackStopped('a', 24_000);
    expect(tts()).toBe(text);
    expect(out.filter((m) => m.type === 'bot-output').map((m) => m.data.text)).toEqual(['One two three four.', 'Five six seven eight.']);
    expect(pacer.waitingItems).toEqual([]);
  });

  it('a sentence is reported only after the last of its words was released', () => {
    const { pacer, out } = setup();
    pacer.audioQueued('a', 1000);
    pacer.ttsText('a', 'Hi there. ');
    pacer.ttsText('a', 'Bye now.');
    pacer.output('a', sentence('Hi there.', 1));
    pacer.played('a', 500);
    const order = out.map((m) => `${m.type}:${m.data.text as string}`);
    expect(order).toEqual(['bot-tts-text:Hi there.', 'bot-output:Hi there.']);
  });

  it('more audio for the item slows the release: the ratio uses the totals so far', () => {
    const { pacer, tts } = setup();
    pacer.audioQueued('a', 1000);
    pacer.ttsText('a', 'aa bb cc dd');
    pacer.played('a', 1000);
    expect(tts()).toBe('aa bb cc dd');
    pacer.audioQueued('a', 1000);
    pacer.ttsText('a', ' ee ff gg hh');
    expect(tts()).toBe('aa bb cc dd');
    pacer.played('a', 1500);
    expect(tts()).toBe('aa bb cc dd ee ff');
  });

  it('text that arrives after its audio finished playing is released at once', () => {
    const { pacer, tts, outputs } = setup();
    pacer.audioQueued('g', 4800);
    pacer.playbackStopped('g', 4800);
    pacer.ttsText('g', 'Late transcript.');
    pacer.output('g', sentence('Late transcript.', 3));
    expect(tts()).toBe('Late transcript.');
    expect(outputs().map((d) => d.spoken_status)).toEqual(['completed']);
  });

  it('text with no audio yet waits; a stop with audio still queued (an underrun) releases only what played', () => {
    const { pacer, tts } = setup();
    pacer.ttsText('a', 'early words here');
    expect(tts()).toBe('');
    pacer.audioQueued('a', 1000);
    pacer.playbackStopped('a', 500);
    expect(tts()).toBe('early');
    expect(pacer.waitingItems).toEqual(['a']);
  });

  it('a flush reports the heard part as spoken and the rest once as in-progress with spoken_progress; later text is dropped', () => {
    const { pacer, out, tts, outputs } = setup();
    const text = 'First sentence here. Second one is cut off.';
    pacer.audioQueued('a', 10_000);
    pacer.ttsText('a', text, [1]);
    pacer.output('a', sentence('First sentence here.', 1), [1]);
    pacer.played('a', 5_500);
    pacer.flushed({ a: 6_300 });
    expect(tts()).toBe('First sentence here. Second');
    expect(outputs()).toEqual([
      sentence('First sentence here.', 1),
      {
        aggregated_by: 'sentence',
        spoken: true,
        will_be_spoken: true,
        text: 'Second one is cut off.',
        spoken_status: 'in-progress',
        spoken_progress: { accumulated_text: 'Second', remaining_text: 'one is cut off.' },
      },
    ]);
    const n = out.length;
    pacer.ttsText('a', ' More.');
    pacer.output('a', sentence('Second one is cut off.', 2));
    pacer.played('a', 10_000);
    pacer.playbackStopped('a', 10_000);
    expect(out.length).toBe(n);
    expect(pacer.waitingItems).toEqual([]);
  });

  it('a flush cuts items that never played and leaves finished items alone', () => {
    const { pacer, outputs } = setup();
    pacer.audioQueued('done', 100);
    pacer.ttsText('done', 'Heard.');
    pacer.playbackStopped('done', 100);
    pacer.ttsText('next', 'Never heard at all.');
    pacer.flushed({});
    expect(outputs()).toEqual([{ aggregated_by: 'sentence', spoken: true, will_be_spoken: true, text: 'Never heard at all.', spoken_status: 'in-progress', spoken_progress: { accumulated_text: '', remaining_text: 'Never heard at all.' } }]);
  });

  it('sentences alone (no transcript deltas) are paced too', () => {
    const { pacer, outputs } = setup();
    pacer.audioQueued('a', 1000);
    pacer.output('a', sentence('Alpha.', 1));
    pacer.output('a', sentence('Beta gamma.', 2));
    pacer.played('a', 400);
    expect(outputs().map((d) => d.text)).toEqual(['Alpha.']);
    pacer.flushed({ a: 400 });
    expect(outputs().at(-1)).toMatchObject({ text: 'Beta gamma.', segment_id: 2, spoken_status: 'in-progress', spoken_progress: { accumulated_text: '', remaining_text: 'Beta gamma.' } });
  });

  it('endAll cuts what is still held', () => {
    const { pacer, outputs } = setup();
    pacer.audioQueued('a', 1000);
    pacer.ttsText('a', 'Unheard words.');
    pacer.endAll();
    expect(outputs().map((d) => d.spoken_status)).toEqual(['in-progress']);
    expect(pacer.waitingItems).toEqual([]);
  });
});

describe('snapToWord', () => {
  it('ends at whitespace, never before the start, and splits only long runs without spaces', () => {
    expect(snapToWord('hello world again', 0, 8)).toBe(5);
    expect(snapToWord('hello world', 0, 3)).toBe(0);
    expect(snapToWord('hello world', 6, 11)).toBe(11);
    expect(snapToWord('これは日本語の文章ですとても長いテキストです', 0, 14)).toBe(14);
  });
});
