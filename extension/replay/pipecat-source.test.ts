import { describe, expect, it } from 'vitest';
import { toolCalls, typedMessages, userSpeechSpans } from './recording-events.ts';
import { planReplay } from './replay-plan.ts';
import { RecordingBuilder } from './synthetic-recording.ts';

/**
 * A recording of a session with the user's own Pipecat bot as a replay source. Its rows are the
 * bot's own (pipecat-server.md §3): user-(started|stopped)-speaking from the bot's VAD/turn
 * analyser (no local VAD), the bot's speaking rows, typed text as an RTVI send-text carried in an
 * outgoing protobuf `message` frame, a client function answered by the workbench with the bot's
 * llm-function-call-stopped carrying the result.
 */
function pipecatSource() {
  const envelope = (type: string, data: unknown) => ({ message: { data: { label: 'rtvi-ai', type, id: 'wb-3', data } } });
  return new RecordingBuilder({ adapterId: 'pipecat-websocket' })
    .mic(0, new Int16Array(16000 * 8).fill(900), 16000)
    .rtvi(1100, 'user-started-speaking')
    .rtvi(2700, 'user-transcription', { text: 'What is the weather in Paris?', user_id: '', timestamp: '2026-12-07T18:00:00+00:00', final: true })
    .rtvi(2750, 'user-stopped-speaking')
    .rtvi(2800, 'llm-function-call-started', { function_name: 'get_weather' })
    .rtvi(2800, 'llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'call_101', arguments: { city: 'Paris' } })
    .rtvi(2830, 'llm-function-call-stopped', { tool_call_id: 'call_101', cancelled: false, function_name: 'get_weather', result: { temperature: 21 } })
    .event(3000, 'raw', 'in', 'audio', {}, { audio: { bytes: 1920, durationMs: 40, sampleRate: 24000 } as never })
    .rtvi(3000, 'bot-started-speaking')
    .rtvi(4200, 'bot-stopped-speaking')
    .event(5200, 'raw', 'out', 'message', envelope('send-text', { content: 'And tomorrow?', options: { run_immediately: true, audio_response: true } }))
    .event(5300, 'raw', 'out', 'message', envelope('client-message', { t: 'ping', d: {} }))
    .rtvi(5600, 'bot-started-speaking')
    .rtvi(6400, 'bot-stopped-speaking')
    .build();
}

describe('a Pipecat bot session as a replay source', () => {
  it('reads the bot\'s speech rows as the user\'s turns and the RTVI send-text as typed text', () => {
    const rec = pipecatSource();
    expect(userSpeechSpans(rec)).toEqual([{ start: 1100, end: 2750 }]);
    expect(typedMessages(rec)).toEqual([{ t: 5200, text: 'And tomorrow?' }]);
    expect(toolCalls(rec)).toEqual([{ t: 2800, id: 'call_101', name: 'get_weather', args: { city: 'Paris' }, result: { temperature: 21 }, answered: true }]);
  });

  it('plans the spoken turn (cut from the mic track) and the typed one after the bot\'s reply', () => {
    const plan = planReplay(pipecatSource());
    expect(plan.warnings).toEqual([]);
    expect(plan.steps.map((s) => [s.kind, s.anchor])).toEqual([
      ['audio', 'after-start'],
      ['text', 'after-bot'],
    ]);
    expect(plan.steps[0]).toMatchObject({ speech: { start: 1100, end: 2750 }, expectsReply: true });
    expect(plan.steps[1]).toMatchObject({ text: 'And tomorrow?', delayMs: 1000 });
  });
});
