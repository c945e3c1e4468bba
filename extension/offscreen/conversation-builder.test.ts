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
    expect(b.all).toEqual([{ id: 'turn-1', role: 'tool', text: 'get_weather({"city":"Paris"}) → {"temp":20}', final: true, toolCallId: 'c1' }]);
  });

  it('clear empties the conversation', () => {
    const { b } = build();
    b.addUserText('hello');
    b.clear();
    expect(b.all).toEqual([]);
  });
});
