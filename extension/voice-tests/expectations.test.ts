import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { checkExpectations, containsSubset } from './expectations.ts';
import { observeReply } from './reply-observation.ts';

let seq = 0;
const rtvi = (t: number, type: string, data: unknown = {}): LogEvent => ({ seq: ++seq, session: 1, t, wall: 0, source: 'rtvi', direction: 'local', type, data });
const audioIn = (t: number): LogEvent => ({ seq: ++seq, session: 1, t, wall: 0, source: 'raw', direction: 'in', type: 'response.output_audio.delta', data: {}, audio: { bytes: 960, durationMs: 20, sampleRate: 24000 } });

/** A spoken question, a tool call, and a two-sentence spoken answer: the rows a real session logs. */
function weatherReply(): LogEvent[] {
  return [
    rtvi(100, 'local-vad-started'),
    rtvi(900, 'local-vad-stopped'),
    rtvi(950, 'user-stopped-speaking'),
    rtvi(990, 'llm-function-call-started', { function_name: 'get_weather' }),
    rtvi(1000, 'llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'c1', arguments: { city: 'Paris', unit: 'celsius' } }),
    rtvi(1010, 'llm-function-call-stopped', { tool_call_id: 'c1', result: { temp: 18 } }),
    audioIn(1300),
    rtvi(1420, 'bot-started-speaking'),
    rtvi(1500, 'bot-output', { text: 'It is 18 degrees in Paris.', spoken_status: 'completed' }),
    rtvi(2300, 'bot-output', { text: 'Take a jacket.', spoken_status: 'completed' }),
    rtvi(3420, 'bot-stopped-speaking'),
    rtvi(3430, 'metrics', { tokens: [{ prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 }] }),
  ];
}

describe('observeReply', () => {
  it('reads transcript, tool calls, latency, played audio and tokens from the rows', () => {
    const obs = observeReply(weatherReply());
    expect(obs.transcript).toBe('It is 18 degrees in Paris. Take a jacket.');
    expect(obs.toolCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' }, status: 'answered' }]);
    expect(obs.latencyMs).toBe(520); // local VAD stop (900) → bot audible (1420)
    expect(obs.audioMs).toBe(2000);
    expect(obs.tokens).toEqual({ prompt: 100, completion: 40, total: 140 });
    expect(obs.errors).toEqual([]);
  });

  it('a reply cut off by the window still reports what played so far and its text', () => {
    const rows = weatherReply().slice(0, 9);
    const obs = observeReply(rows);
    expect(obs.audioMs).toBe(80);
    expect(obs.transcript).toBe('It is 18 degrees in Paris.');
  });

  it('tool arguments that arrive as a JSON string are parsed; non-JSON gives no arguments', () => {
    const obs = observeReply([
      rtvi(1, 'llm-function-call-in-progress', { function_name: 'a', tool_call_id: 'x', arguments: '{"n": 2}' }),
      rtvi(2, 'llm-function-call-in-progress', { function_name: 'b', tool_call_id: 'y', arguments: '{not json' }),
    ]);
    expect(obs.toolCalls.map((c) => [c.name, c.args, c.status])).toEqual([['a', { n: 2 }, 'pending'], ['b', {}, 'pending']]);
  });
});

describe('checkExpectations', () => {
  const obs = observeReply(weatherReply());
  const ctx = { step: 2, readyAfter: true };

  it('passes what the reply satisfies', () => {
    const r = checkExpectations({
      transcript: { contains: ['paris', '18'], not_contains: 'snow', matches: '\\d+ degrees' },
      tool_called: { name: 'get_weather', args: { city: 'paris' } },
      tool_not_called: 'book_flight',
      tool_calls: 1,
      latency_ms: { max: 1000 },
      audio_ms: { min: 500, max: 10_000 },
      no_error: true,
      ready: true,
    }, obs, ctx);
    expect(r.filter((x) => !x.passed)).toEqual([]);
    expect(r).toHaveLength(11);
    expect(r[0]).toMatchObject({ id: 'step 2: transcript contains "paris"', atT: 100 });
  });

  it('a wrong transcript fails saying what the bot said', () => {
    const [r] = checkExpectations({ transcript: { contains: 'London' } }, obs, ctx);
    expect(r).toMatchObject({ passed: false, message: 'the bot said "It is 18 degrees in Paris. Take a jacket.", which does not contain "London"' });
  });

  it('a missing tool call fails naming what was called instead', () => {
    const [r] = checkExpectations({ tool_called: { name: 'get_forecast' } }, obs, ctx);
    expect(r).toMatchObject({ passed: false, message: 'expected a call to get_forecast; the bot called get_weather({"city":"Paris","unit":"celsius"})' });
  });

  it('an argument mismatch fails naming the field', () => {
    const [r] = checkExpectations({ tool_called: { name: 'get_weather', args: { unit: 'fahrenheit' } } }, obs, ctx);
    expect(r!.passed).toBe(false);
    expect(r!.message).toMatch(/\("unit" is "celsius", expected "fahrenheit"\)$/);
  });

  it('latency over its bound fails with the measured figure; no measurement fails too', () => {
    const [over] = checkExpectations({ latency_ms: { max: 300 } }, obs, ctx);
    expect(over).toMatchObject({ id: 'step 2: voice-to-voice latency ≤ 300 ms', passed: false, message: 'voice-to-voice latency was 520 ms' });
    const typed = observeReply([rtvi(1, 'bot-started-speaking'), rtvi(900, 'bot-stopped-speaking')]);
    expect(checkExpectations({ latency_ms: { max: 5000 } }, typed, ctx)[0]!.message).toMatch(/no voice-to-voice latency was measured/);
  });

  it('an error from the provider fails no_error with its message', () => {
    const failed = observeReply([...weatherReply(), rtvi(3500, 'error', { message: 'Rate limit reached', fatal: false })]);
    expect(checkExpectations({ no_error: true }, failed, ctx)[0]).toMatchObject({ passed: false, message: 'error: Rate limit reached' });
  });

  it('tool call count and "not ready" fail with what happened', () => {
    const r = checkExpectations({ tool_calls: { min: 2 }, ready: true }, obs, { step: 1, readyAfter: false });
    expect(r.map((x) => x.message)).toEqual(['the bot made 1 tool call (get_weather({"city":"Paris","unit":"celsius"}))', 'the session was no longer ready after the reply']);
  });

  it('a judged assertion without a verdict fails saying it was not asked; with one it reports the reasoning', () => {
    expect(checkExpectations({ judge: { question: 'Is it polite?' } }, obs, ctx)[0]!.message).toMatch(/not asked/);
    const r = checkExpectations({ judge: { question: 'Is it polite?', expect: 'yes' } }, obs, { ...ctx, judge: { answer: 'no', reasoning: 'It is curt.' } });
    expect(r[0]).toMatchObject({ passed: false, message: 'the judge answered no: It is curt.' });
  });
});

describe('containsSubset', () => {
  it('matches nested subsets, strings case-insensitively, arrays whole', () => {
    expect(containsSubset({ a: { b: 1, c: 2 }, d: 'Paris' }, { a: { b: 1 }, d: 'paris' })).toBe(true);
    expect(containsSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(containsSubset({ a: 1 }, { a: '1' })).toBe(false);
    expect(containsSubset({}, { a: undefined })).toBe(false);
  });
});
