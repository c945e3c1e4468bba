import { describe, expect, it } from 'vitest';
import { formatProblems, parseScenario } from './scenario-file.ts';

const known = ['gemini-live', 'openai-realtime', 'loopback'];
const parse = (text: string) => parseScenario(text, { knownAdapters: known });

const good = `version: 1
name: Weather with a failing tool
target:
  adapter: openai-realtime
  instructions: Answer briefly.
  tools:
    - name: get_weather
      parameters:
        type: object
        properties:
          city: { type: string }
          key: { type: string, description: an argument may be called key }
      mock:
        error: Service unavailable
matrix:
  - adapter: gemini-live
  - adapter: openai-realtime
    model: gpt-realtime-1.5
repeat: 3
pass_rate: 0.6
steps:
  - say: What's the weather in Paris?
    expect:
      tool_called: { name: get_weather, args: { city: Paris } }
      transcript: { not_contains: sunny, matches: "sorry|unavailable|can't" }
      latency_ms: { max: 2000 }
  - barge_in: { after_ms: 400, speak: audio/stop.wav }
  - silence_ms: 1500
`;

describe('parseScenario', () => {
  it('reads a good file: one target per matrix row over the base target, steps with their lines', () => {
    const r = parse(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.repeat).toBe(3);
    expect(r.scenario.passRate).toBe(0.6);
    expect(r.scenario.targets.map((t) => [t.adapter, t.model, t.label])).toEqual([
      ['gemini-live', undefined, 'gemini-live'],
      ['openai-realtime', 'gpt-realtime-1.5', 'openai-realtime · gpt-realtime-1.5'],
    ]);
    // The base target's tools and instructions carry into every row.
    expect(r.scenario.targets.every((t) => t.tools?.[0]?.mock?.error === 'Service unavailable' && t.instructions === 'Answer briefly.')).toBe(true);
    expect(r.scenario.steps.map((s) => [s.action.kind, s.line])).toEqual([['say', 22], ['barge_in', 27], ['silence', 28]]);
    expect(r.scenario.steps[1]!.action).toEqual({ kind: 'barge_in', afterMs: 400, speak: 'audio/stop.wav' });
  });

  it('a YAML syntax error is refused with its line', () => {
    const r = parse('version: 1\nname: x\nsteps:\n  - say: hi: there\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.line).toBe(4);
    expect(r.problems[0]!.message).toMatch(/^YAML syntax/);
  });

  it('an unknown field is refused at its own line, named', () => {
    const r = parse('version: 1\nname: x\ntarget:\n  adapter: loopback\n  temprature: 0.3\nsteps:\n  - say: hi\n');
    expect(r).toEqual({ ok: false, problems: [{ line: 5, column: 3, message: 'target: unknown field "temprature"' }] });
  });

  it('an unknown adapter is refused with the line and the adapters known', () => {
    const r = parse('version: 1\nname: x\ntarget:\n  adapter: gpt-voice\nsteps:\n  - say: hi\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.line).toBe(4);
    expect(r.problems[0]!.message).toBe('unknown adapter "gpt-voice" (known: gemini-live, openai-realtime, loopback)');
  });

  it('no adapter anywhere is refused; the panel\'s current adapter fills it in', () => {
    const text = 'version: 1\nname: x\nsteps:\n  - say: hi\n';
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toMatch(/no adapter/);
    const withDefault = parseScenario(text, { knownAdapters: known, defaultAdapter: 'loopback' });
    expect(withDefault.ok && withDefault.scenario.targets[0]!.adapter).toBe('loopback');
  });

  it('a key-shaped value anywhere is refused at its line without echoing it', () => {
    const key = 'sk-proj-' + 'A'.repeat(40);
    const r = parse(`version: 1\nname: x\ntarget:\n  adapter: openai-realtime\n  instructions: use ${key} please\nsteps:\n  - say: hi\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.line).toBe(5);
    expect(r.problems[0]!.message).toMatch(/shaped like an API key/);
    expect(JSON.stringify(r.problems)).not.toContain(key);
  });

  it('a credential field (api_key) is refused even when the value has no known shape', () => {
    const r = parse('version: 1\nname: x\ntarget:\n  adapter: gemini-live\n  api_key: hunter2hunter2\nsteps:\n  - say: hi\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ line: 5, column: 3, message: expect.stringMatching(/"api_key" looks like a credential/) }]);
    expect(JSON.stringify(r.problems)).not.toContain('hunter2');
  });

  it('a Gemini key pasted as a mock result is refused too', () => {
    const r = parse(`version: 1\nname: x\ntarget:\n  adapter: gemini-live\n  tools:\n    - name: t\n      mock:\n        result: AIza${'b'.repeat(35)}\nsteps:\n  - say: hi\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.line).toBe(8);
  });

  it('a step with two actions, or none, is refused at the step', () => {
    const r = parse('version: 1\nname: x\ntarget: { adapter: loopback }\nsteps:\n  - say: hi\n    wait_ms: 100\n  - expect: { no_error: true }\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [5, 'step 1 has say and wait_ms: one action per step'],
      [7, 'step 2 does nothing: give one of say, speak, from_recording, silence_ms, barge_in, wait_ms'],
    ]);
  });

  it('a mock with two answers, a bad regular expression and a wrong version are each refused with a line', () => {
    const twoAnswers = parse('version: 1\nname: x\ntarget:\n  adapter: loopback\n  tools:\n    - name: t\n      mock: { result: 1, error: boom }\nsteps:\n  - say: hi\n');
    expect(twoAnswers.ok === false && twoAnswers.problems[0]).toMatchObject({ line: 6, message: 'tool t: the mock needs exactly one of result, error, empty, never_answers, cases (has result, error)' });
    const badRegex = parse('version: 1\nname: x\ntarget: { adapter: loopback }\nsteps:\n  - say: hi\n    expect:\n      transcript: { matches: "(unclosed" }\n');
    expect(badRegex.ok === false && badRegex.problems[0]).toMatchObject({ line: 7, message: expect.stringMatching(/transcript.matches is not a regular expression/) });
    const v2 = parse('version: 2\nname: x\ntarget: { adapter: loopback }\nsteps:\n  - say: hi\n');
    expect(v2.ok === false && v2.problems[0]).toMatchObject({ line: 1, message: 'version must be 1' });
  });

  it('formatProblems prints file:line:column: message', () => {
    expect(formatProblems('a.yaml', [{ line: 3, column: 5, message: 'm' }])).toBe('a.yaml:3:5: m');
  });
});
