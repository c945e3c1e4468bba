import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConversationTurn } from '../shared/messages.ts';
import { placeTurn } from '../inspector-core/place-turn.ts';
import { ConversationBuilder } from './conversation-builder.ts';

function build() {
  const updates: ConversationTurn[] = [];
  // What the panel shows, updated the way panel-state applies each turn update.
  let panel: ConversationTurn[] = [];
  const b = new ConversationBuilder((t, before) => {
    updates.push(t);
    panel = placeTurn(panel, t, before);
  });
  return { b, updates, panelTurns: () => panel };
}

/** Where Gemini's input transcription lands against the model's turn (GEN-T `LiveServerContent`: no ordering guarantee). */
type Placement = 'before' | 'during' | 'after-generation' | 'after-turn-complete';
const PLACEMENTS: Placement[] = ['before', 'during', 'after-generation', 'after-turn-complete'];
type Rtvi = [type: string, data: Record<string, unknown>];

/**
 * One spoken exchange in the order the Gemini adapter reports it: the utterance's partials (text so
 * far) and its one final spread over the reply at the drawn placements, the final never before a
 * partial. The reply's text arrives as its audio plays, each sentence repeated when it completes.
 */
function geminiExchange(words: string[], placements: Placement[], reply: string[]): Rtvi[] {
  const slots: Record<Placement, Rtvi[]> = { before: [], during: [], 'after-generation': [], 'after-turn-complete': [] };
  words.forEach((_, i) => {
    const final = i === words.length - 1;
    slots[placements[i]!].push(['user-transcription', { text: words.slice(0, i + 1).join(' '), final }]);
  });
  const during: Rtvi[] = [];
  reply.forEach((sentence, i) => {
    during.push(['bot-tts-text', { text: i === 0 ? sentence : ` ${sentence}` }]);
    during.push(['bot-output', { text: sentence, spoken_status: 'in-progress' }]);
    // User fragments land between the reply's sentences.
    if (i === 0) during.push(...slots.during);
    during.push(['bot-output', { text: sentence, spoken_status: 'completed' }]);
  });
  return [
    ['user-started-speaking', {}],
    ...slots.before,
    ['user-stopped-speaking', {}],
    ['bot-llm-started', {}],
    ['bot-started-speaking', {}],
    ...during,
    ['bot-llm-stopped', {}],
    ...slots['after-generation'],
    ['bot-stopped-speaking', {}],
    ...slots['after-turn-complete'],
  ];
}

describe('ConversationBuilder', () => {
  it('user partials replace the open turn; a final closes it', () => {
    const { b } = build();
    b.onRtvi('user-transcription', { text: 'What is', final: false });
    b.onRtvi('user-transcription', { text: 'What is the weather', final: false });
    b.onRtvi('user-transcription', { text: 'What is the weather in Paris', final: true });
    b.onRtvi('user-transcription', { text: 'Thanks', final: true });
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['user', 'What is the weather in Paris', true],
      ['user', 'Thanks', true],
    ]);
  });

  it('bot sentences append, repeats with a new spoken_status are ignored, speaking stop closes', () => {
    const { b, updates } = build();
    b.onRtvi('bot-output', { text: 'It is sunny.', spoken_status: 'in-progress' });
    b.onRtvi('bot-output', { text: 'It is sunny.', spoken_status: 'completed' });
    b.onRtvi('bot-output', { text: 'About 20 degrees.' });
    b.onRtvi('bot-stopped-speaking', {});
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('bot-output', { text: 'Next turn.' });
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['bot', 'It is sunny. About 20 degrees.', true],
      ['bot', 'Next turn.', false],
    ]);
    expect(updates.at(-1)?.text).toBe('Next turn.');
  });

  it('tool calls become Tool turns finished by their result', () => {
    const { b } = build();
    b.onRtvi('llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'c1', arguments: { city: 'Paris' } });
    b.onRtvi('llm-function-call-stopped', { tool_call_id: 'c1', result: { temp: 20 } });
    expect(b.all).toEqual([
      {
        id: 'turn-1',
        role: 'tool',
        text: 'get_weather({"city":"Paris"}) → {"temp":20}',
        final: true,
        toolCallId: 'c1',
        tool: { name: 'get_weather', args: '{"city":"Paris"}', status: 'answered', result: '{"temp":20}' },
      },
    ]);
  });

  it('two calls to one tool stay apart by call id; ask-me cards await, timeouts and cancels close them', () => {
    const b = new ConversationBuilder(() => undefined, 500, (name) => name === 'lookup');
    b.onRtvi('llm-function-call-in-progress', { function_name: 'lookup', tool_call_id: 'a', arguments: { q: 1 } });
    b.onRtvi('llm-function-call-in-progress', { function_name: 'lookup', tool_call_id: 'b', arguments: { q: 2 } });
    b.onRtvi('llm-function-call-in-progress', { function_name: 'other', tool_call_id: 'c', arguments: {} });
    expect(b.all.map((t) => [t.toolCallId, t.tool?.status])).toEqual([
      ['a', 'awaiting'],
      ['b', 'awaiting'],
      ['c', 'running'],
    ]);
    b.onRtvi('llm-function-call-stopped', { tool_call_id: 'b', result: 'second' });
    b.onRtvi('llm-function-call-stopped', { tool_call_id: 'a', result: { error: 'timeout' }, timed_out: true });
    b.onRtvi('llm-function-call-stopped', { tool_call_id: 'c', cancelled: true });
    // A late duplicate stop does not reopen or rewrite a closed card.
    b.onRtvi('llm-function-call-stopped', { tool_call_id: 'b', result: 'late' });
    expect(b.all.map((t) => [t.toolCallId, t.tool?.status, t.tool?.result, t.final])).toEqual([
      ['a', 'timed-out', '{"error":"timeout"}', true],
      ['b', 'answered', '"second"', true],
      ['c', 'cancelled', undefined, true],
    ]);
  });

  it('bot words stream from bot-tts-text as a partial, then settle on the sentences', () => {
    const { b, updates } = build();
    b.onRtvi('bot-tts-text', { text: 'It is' });
    b.onRtvi('bot-tts-text', { text: ' sunny' });
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([['bot', 'It is sunny', false]]);
    b.onRtvi('bot-output', { text: 'It is sunny.' });
    b.onRtvi('bot-tts-text', { text: '. Warm' });
    expect(b.all[0]!.text).toBe('It is sunny. Warm');
    b.onRtvi('bot-output', { text: 'Warm too.' });
    b.onRtvi('bot-stopped-speaking', {});
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([['bot', 'It is sunny. Warm too.', true]]);
    expect(updates.map((u) => u.final)).toContain(false);
  });

  it('a reply cut off by an interruption is marked cut, with the heard text and the unheard rest apart', () => {
    const { b } = build();
    let seq = 0;
    const rtvi = (type: string, data: unknown, t = 0) => b.onRtvi(type, data, { seq: ++seq, t, session: 1 });
    rtvi('bot-started-speaking', {});
    rtvi('bot-tts-text', { text: 'First sentence here.' });
    rtvi('bot-output', { text: 'First sentence here.', spoken_status: 'completed' });
    rtvi('bot-tts-text', { text: ' Second' });
    rtvi('bot-stopped-speaking', {});
    rtvi('bot-output', { text: 'Second one is cut off.', spoken_status: 'in-progress', spoken_progress: { accumulated_text: 'Second', remaining_text: 'one is cut off.' } });
    expect(b.all).toHaveLength(1);
    expect(b.all[0]).toMatchObject({ role: 'bot', text: 'First sentence here. Second', unspoken: 'one is cut off.', cut: true, final: true });
  });

  it('a reply interrupted before any of it was heard is still shown, as cut off', () => {
    const { b } = build();
    b.onRtvi('user-transcription', { text: '(1.0 s of speech)', final: true });
    b.onRtvi('bot-output', { text: 'Never heard.', spoken_status: 'in-progress', spoken_progress: { accumulated_text: '', remaining_text: 'Never heard.' } });
    expect(b.all.map((t) => [t.role, t.text, t.unspoken, t.cut, t.final])).toEqual([
      ['user', '(1.0 s of speech)', undefined, undefined, true],
      ['bot', '', 'Never heard.', true, true],
    ]);
  });

  it('text released after the bot stopped speaking joins the reply it belongs to, which stays finished', () => {
    const { b } = build();
    b.onRtvi('bot-started-speaking', {});
    b.onRtvi('bot-tts-text', { text: 'Hello.' });
    b.onRtvi('bot-stopped-speaking', {});
    b.onRtvi('bot-tts-text', { text: ' Late words.' });
    b.onRtvi('bot-output', { text: 'Hello.' });
    b.onRtvi('bot-output', { text: 'Late words.' });
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([['bot', 'Hello. Late words.', true]]);
  });

  it('a typed reply (text only, never spoken) is finished when the LLM stops', () => {
    const { b } = build();
    b.addUserText('hi');
    b.onRtvi('bot-llm-started', {});
    b.onRtvi('bot-output', { text: 'You wrote: hi', spoken: false, will_be_spoken: false, spoken_status: 'completed' });
    b.onRtvi('bot-llm-stopped', {});
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['user', 'hi', true],
      ['bot', 'You wrote: hi', true],
    ]);
  });

  it('each bot turn carries its voice-to-voice latency (user stopped → bot audio heard) and its first event', () => {
    const { b } = build();
    const rtvi = (seq: number, t: number, type: string, data: unknown = {}) => b.onRtvi(type, data, { seq, t, session: 3 });
    rtvi(10, 1000, 'local-vad-started');
    rtvi(11, 1100, 'user-started-speaking');
    rtvi(12, 2000, 'local-vad-stopped');
    rtvi(13, 2100, 'user-stopped-speaking');
    rtvi(14, 2150, 'user-transcription', { text: '(1.0 s of speech)', final: true });
    rtvi(15, 2200, 'bot-llm-started');
    rtvi(16, 2740, 'bot-started-speaking');
    rtvi(17, 2800, 'bot-tts-text', { text: 'Echo' });
    rtvi(18, 3000, 'bot-stopped-speaking');
    // A reply to typed text: no speech before it, so no voice-to-voice figure.
    b.addUserText('typed');
    rtvi(19, 4000, 'bot-llm-started');
    rtvi(20, 4001, 'bot-output', { text: 'You wrote: typed', spoken: false, will_be_spoken: false });
    rtvi(21, 4002, 'bot-llm-stopped');
    const bots = b.all.filter((t) => t.role === 'bot');
    expect(bots.map((t) => [t.voiceToVoiceMs, t.firstSeq])).toEqual([
      [740, 15],
      [undefined, 19],
    ]);
  });

  it('one Gemini utterance stays one You: turn before its one reply, wherever its transcript lands (reviewer probe)', () => {
    const { b } = build();
    // user partial → bot speaks → user partial during the reply → user final after turnComplete.
    for (const [type, data] of geminiExchange(['one', 'two', 'three'], ['before', 'during', 'after-turn-complete'], ['Fine.'])) b.onRtvi(type, data);
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['user', 'one two three', true],
      ['bot', 'Fine.', true],
    ]);
  });

  it('property: every placement of a Gemini utterance against the reply gives one user turn, then one reply, per exchange', () => {
    const exchange = fc
      .record({
        words: fc.array(fc.constantFrom('one', 'two', 'three', 'four'), { minLength: 1, maxLength: 4 }),
        // Distinct sentences: a repeated sentence is how bot-output reports a new spoken_status.
        reply: fc.shuffledSubarray(['Fine.', 'Sure thing.', 'It is sunny.'], { minLength: 1 }),
      })
      .chain(({ words, reply }) =>
        fc.record({
          words: fc.constant(words),
          reply: fc.constant(reply),
          // Placements never go back in time: sort the drawn ones.
          placements: fc.array(fc.constantFrom(...PLACEMENTS), { minLength: words.length, maxLength: words.length }).map((ps) => [...ps].sort((a, c) => PLACEMENTS.indexOf(a) - PLACEMENTS.indexOf(c))),
        }),
      );
    fc.assert(
      fc.property(fc.array(exchange, { minLength: 1, maxLength: 3 }), (exchanges) => {
        const { b, panelTurns } = build();
        for (const x of exchanges) for (const [type, data] of geminiExchange(x.words, x.placements, x.reply)) b.onRtvi(type, data);
        const expected = exchanges.flatMap((x) => [
          ['user', x.words.join(' '), true],
          ['bot', x.reply.join(' '), true],
        ]);
        expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual(expected);
        // The panel sees the same order: a user turn that arrived late is placed before its reply.
        expect(panelTurns()).toEqual(b.all);
      }),
      { numRuns: 300 },
    );
  });

  it('a pause before any answer continues the Gemini utterance; speech after the answer starts a new one', () => {
    const { b } = build();
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('user-transcription', { text: 'book a', final: false });
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('user-transcription', { text: 'book a table', final: false });
    b.onRtvi('bot-started-speaking', {});
    b.onRtvi('bot-output', { text: 'For how many?' });
    b.onRtvi('bot-stopped-speaking', {});
    // No final came (a dropped one): the next utterance after the answer is a turn of its own.
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('user-transcription', { text: 'two', final: true });
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['user', 'book a table', false],
      ['bot', 'For how many?', true],
      ['user', 'two', true],
    ]);
  });

  it('OpenAI transcripts completing out of order update their own item, placed before the reply they caused', () => {
    const { b, panelTurns } = build();
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('user-transcription', { text: 'Hello', final: false, item_id: 'a' });
    b.onRtvi('user-started-speaking', {});
    b.onRtvi('bot-started-speaking', {});
    b.onRtvi('bot-output', { text: 'Hi there.' });
    b.onRtvi('user-transcription', { text: 'How are you', final: true, item_id: 'b' });
    b.onRtvi('user-transcription', { text: 'Hello there', final: true, item_id: 'a' });
    b.onRtvi('bot-output', { text: 'I am fine.' });
    b.onRtvi('bot-stopped-speaking', {});
    expect(b.all.map((t) => [t.role, t.text, t.final])).toEqual([
      ['user', 'Hello there', true],
      ['user', 'How are you', true],
      ['bot', 'Hi there. I am fine.', true],
    ]);
    expect(panelTurns()).toEqual(b.all);
  });

  it('a barge-in: the cut-off report joins the interrupted reply, and the new utterance follows it', () => {
    const { b, panelTurns } = build();
    let seq = 0;
    const rtvi = (type: string, data: unknown = {}) => b.onRtvi(type, data, { seq: ++seq, t: seq * 100, session: 1 });
    rtvi('user-started-speaking');
    rtvi('user-transcription', { text: 'Hi', final: true });
    rtvi('bot-llm-started');
    rtvi('bot-started-speaking');
    rtvi('bot-tts-text', { text: 'Hello there.' });
    rtvi('bot-output', { text: 'Hello there.', spoken_status: 'completed' });
    rtvi('bot-tts-text', { text: ' How' });
    // OpenAI: speech_started is reported, then the reply is dropped and its cut-off reported.
    rtvi('user-started-speaking');
    rtvi('bot-output', { text: 'How are you?', spoken_status: 'in-progress', spoken_progress: { accumulated_text: 'How', remaining_text: 'are you?' } });
    rtvi('bot-stopped-speaking');
    rtvi('user-transcription', { text: 'Stop', final: true });
    rtvi('bot-llm-started');
    rtvi('bot-started-speaking');
    rtvi('bot-output', { text: 'Stopped.' });
    // Speech as the reply's last audio plays: it ends whole, no cut-off report follows.
    rtvi('user-started-speaking');
    rtvi('bot-stopped-speaking');
    rtvi('user-transcription', { text: 'And?', final: true });
    // The next reply, interrupted (Interrupt button) before any of it was heard, is a turn of its own.
    rtvi('bot-llm-started');
    rtvi('bot-started-speaking');
    rtvi('bot-output', { text: 'Well.', spoken_status: 'in-progress', spoken_progress: { accumulated_text: '', remaining_text: 'Well.' } });
    rtvi('bot-stopped-speaking');
    expect(b.all.map((t) => [t.role, t.text, t.unspoken, t.cut, t.final])).toEqual([
      ['user', 'Hi', undefined, undefined, true],
      ['bot', 'Hello there. How', 'are you?', true, true],
      ['user', 'Stop', undefined, undefined, true],
      ['bot', 'Stopped.', undefined, undefined, true],
      ['user', 'And?', undefined, undefined, true],
      ['bot', '', 'Well.', true, true],
    ]);
    // "Show events" of the next reply starts at its own first event (bot-llm-started), not at the cut-off report.
    expect(b.all[3]!.firstSeq).toBe(12);
    expect(panelTurns()).toEqual(b.all);
  });

  it('errors appear inline', () => {
    const { b } = build();
    b.addUserText('hi');
    b.addError('Socket closed (1011): server error');
    expect(b.all.map((t) => [t.role, t.text])).toEqual([
      ['user', 'hi'],
      ['error', 'Socket closed (1011): server error'],
    ]);
  });

  it('clear empties the conversation', () => {
    const { b } = build();
    b.addUserText('hello');
    b.clear();
    expect(b.all).toEqual([]);
  });
});
