import { describe, expect, it } from 'vitest';
import { toolCalls } from './recording-events.ts';
import { RecordingBuilder } from './synthetic-recording.ts';
import { ReplayToolAnswers, deepEqual } from './tool-answers.ts';

describe('ReplayToolAnswers', () => {
  const rec = new RecordingBuilder({ adapterId: 'gemini-live' })
    .rtvi(100, 'llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'c1', arguments: { city: 'Paris', units: { t: 'C' } } })
    .rtvi(150, 'llm-function-call-stopped', { function_name: 'get_weather', tool_call_id: 'c1', cancelled: false, result: { sky: 'rain' } })
    .rtvi(200, 'llm-function-call-in-progress', { function_name: 'get_time', tool_call_id: 'c2', arguments: '{}' })
    .rtvi(250, 'llm-function-call-stopped', { function_name: 'get_time', tool_call_id: 'c2', cancelled: true })
    .build();

  it('answers with the source result for the same tool and deep-equal arguments, else the mock, else a default; the report says which', () => {
    const mocks: Record<string, { mode: 'fixed' | 'ask'; result: string }> = { get_weather: { mode: 'fixed', result: '{"sky":"mock"}' }, get_time: { mode: 'ask', result: '' } };
    const answers = new ReplayToolAnswers(toolCalls(rec), (n) => mocks[n], (t) => JSON.parse(t) as unknown);
    // Key order differs, and the arguments arrive as JSON text: still the same call.
    expect(answers.answer('get_weather', '{"units":{"t":"C"},"city":"Paris"}')).toEqual({ result: { sky: 'rain' }, answeredBy: 'recording' });
    expect(answers.answer('get_weather', { city: 'Lyon', units: { t: 'C' } })).toEqual({ result: { sky: 'mock' }, answeredBy: 'mock' });
    // The source's get_time was cancelled (no result) and its mock asks a person: never left waiting.
    const t = answers.answer('get_time', {});
    expect(t.answeredBy).toBe('default');
    expect(JSON.stringify(t.result)).toMatch(/No recorded result for get_time/);
    expect(answers.report.map((r) => r.answeredBy)).toEqual(['recording', 'mock', 'default']);
  });

  it('deepEqual ignores key order only', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });
});
