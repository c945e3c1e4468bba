import { describe, expect, it } from 'vitest';
import type { ConversationTurn } from '../shared/messages.ts';
import { ConversationBuilder } from './conversation-builder.ts';

function build() {
  const updates: ConversationTurn[] = [];
  const b = new ConversationBuilder((t) => updates.push(t));
  return { b, updates };
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
