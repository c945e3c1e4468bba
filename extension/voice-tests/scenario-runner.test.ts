import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { junitXml } from './junit-report.ts';
import { parseScenario } from './scenario-file.ts';
import { runScenario, TokenBudget, type AudioLoader, type SessionDriver } from './scenario-runner.ts';
import type { ScenarioTarget } from './scenario-types.ts';
import { formatTable, summarise } from './test-results.ts';

/**
 * A stand-in session that answers on a timer the way the fakes' event streams go (speaking rows
 * stamped as played, tool call rows, usage in a `metrics` row): the runner's sequencing and
 * accounting are what is under test here; the real sessions are driven in e2e/voice-tests.
 */
class ScriptedSession implements SessionDriver {
  rows: LogEvent[] = [];
  listeners = new Set<(ev: LogEvent) => void>();
  ready = false;
  started: ScenarioTarget[] = [];
  spoken: number[] = [];
  judge?: SessionDriver['judge'];
  private seq = 0;
  private t0 = Date.now();
  constructor(private readonly reply: (text: string, session: ScriptedSession, run: number) => void, private readonly failConnect = false) {}
  run = 0;
  async start(target: ScenarioTarget): Promise<void> {
    this.run++;
    this.started.push(target);
    this.rows = [];
    if (this.failConnect) throw new Error('Connection failed: 401 Incorrect API key');
    this.ready = true;
  }
  async stop(): Promise<void> {
    this.ready = false;
  }
  sendText(text: string): void {
    this.reply(text, this, this.run);
  }
  async speak(audio: { pcm: Int16Array; sampleRate: number }): Promise<void> {
    this.spoken.push(Math.round((audio.pcm.length / audio.sampleRate) * 1000));
  }
  events(): readonly LogEvent[] {
    return this.rows;
  }
  onEvent(l: (ev: LogEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  isReady(): boolean {
    return this.ready;
  }
  emit(type: string, data: unknown = {}, after = 0): void {
    setTimeout(() => {
      const ev: LogEvent = { seq: ++this.seq, session: this.run, t: Date.now() - this.t0, wall: Date.now(), source: 'rtvi', direction: 'local', type, data };
      this.rows.push(ev);
      for (const l of this.listeners) l(ev);
    }, after);
  }
  /** A spoken answer with usage, as the fakes produce it. */
  answer(text: string, tokens = 50, at = 5): void {
    this.emit('bot-llm-started', {}, at);
    this.emit('bot-started-speaking', {}, at + 5);
    this.emit('bot-output', { text, spoken_status: 'completed' }, at + 10);
    this.emit('bot-stopped-speaking', {}, at + 40);
    this.emit('bot-llm-stopped', {}, at + 41);
    this.emit('metrics', { tokens: [{ prompt_tokens: tokens - 10, completion_tokens: 10, total_tokens: tokens }] }, at + 42);
  }
}

const noAudio: AudioLoader = {
  file: async (p) => ({ pcm: new Int16Array(1600), sampleRate: p.endsWith('16k.wav') ? 16000 : 24000 }),
  recordingTurn: async () => ({ pcm: new Int16Array(2400), sampleRate: 24000 }),
};

function scenario(yaml: string) {
  const r = parseScenario(yaml, { knownAdapters: ['gemini-live', 'openai-realtime', 'loopback'] });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
}

describe('runScenario', () => {
  it('checks each step on its own reply, and a repeat reports the pass rate honestly when answers vary', async () => {
    const s = scenario(`version: 1\nname: memory\ntarget: { adapter: loopback }\nrepeat: 4\npass_rate: 0.5\nsteps:\n  - say: My name is Ada.\n    expect: { transcript: { contains: nice } }\n  - say: What is my name?\n    expect: { transcript: { contains: Ada } }\n`);
    // Forgets the name on runs 2 and 4.
    const driver = new ScriptedSession((text, d, run) => d.answer(text.startsWith('My') ? 'Nice to meet you.' : run % 2 === 0 ? 'I do not know.' : 'You are Ada.'));
    const results = await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 30 });
    expect(results).toHaveLength(4);
    const [summary] = summarise(results, () => s.passRate);
    expect(summary!.assertions.map((a) => [a.assertion, a.passes, a.runs, a.passed])).toEqual([
      ['step 1: transcript contains "nice"', 4, 4, true],
      ['step 2: transcript contains "Ada"', 2, 4, true],
    ]);
    expect(summary!.tokens).toBe(400);
    const strict = summarise(results, () => 0.75)[0]!;
    expect(strict.passed).toBe(false);
    expect(strict.assertions[1]!.lastFailure).toBe('the bot said "I do not know.", which does not contain "Ada"');
  });

  it('a matrix gives one row per target, each started with its own settings', async () => {
    const s = scenario(`version: 1\nname: hello\ntarget: { instructions: Be brief. }\nmatrix:\n  - { adapter: gemini-live }\n  - { adapter: openai-realtime, model: gpt-realtime-1.5 }\nsteps:\n  - say: Hi\n    expect: { no_error: true }\n`);
    const driver = new ScriptedSession((_t, d) => d.answer('Hello.'));
    const rows = summarise(await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 20 }), () => 1);
    expect(rows.map((r) => [r.target, r.passed])).toEqual([['gemini-live', true], ['openai-realtime · gpt-realtime-1.5', true]]);
    expect(driver.started.map((t) => [t.adapter, t.model, t.instructions])).toEqual([['gemini-live', undefined, 'Be brief.'], ['openai-realtime', 'gpt-realtime-1.5', 'Be brief.']]);
  });

  it('waits through a tool call for the follow-up reply before checking', async () => {
    const s = scenario(`version: 1\nname: tool\ntarget: { adapter: openai-realtime }\nsteps:\n  - say: Weather in Paris?\n    expect:\n      tool_called: { name: get_weather, args: { city: Paris } }\n      transcript: { contains: "18" }\n`);
    const driver = new ScriptedSession((_t, d) => {
      d.emit('bot-llm-started', {}, 2);
      d.emit('llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 'c1', arguments: '{"city":"Paris"}' }, 4);
      d.emit('bot-llm-stopped', {}, 6);
      // The result comes well after the settle time: the runner must still wait for it.
      d.emit('llm-function-call-stopped', { tool_call_id: 'c1', result: { temp: 18 } }, 120);
      d.answer('It is 18 degrees.', 50, 130);
    });
    const [r] = await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 40 });
    expect(r!.assertions.map((a) => [a.id, a.passed, a.message])).toEqual([
      ['step 1: transcript contains "18"', true, undefined],
      ['step 1: tool get_weather called with {"city":"Paris"}', true, undefined],
    ]);
  });

  it('a barge-in speaks after the reply is first heard, and the interrupted step is checked up to it', async () => {
    const s = scenario(`version: 1\nname: barge\ntarget: { adapter: loopback }\nsteps:\n  - say: Tell me a long story.\n  - barge_in: { after_ms: 30, speak: audio/stop.wav }\n    expect: { transcript: { contains: okay } }\n`);
    const driver = new ScriptedSession((text, d) => {
      if (text.startsWith('Tell')) {
        d.emit('bot-started-speaking', {}, 5);
        d.emit('bot-output', { text: 'Once upon a time', spoken_status: 'in-progress' }, 10);
      }
    });
    driver.speak = async function (this: ScriptedSession) {
      // The user's speech cuts the story off; the bot acknowledges.
      this.emit('user-started-speaking');
      this.emit('bot-stopped-speaking', {}, 2);
      this.answer('Okay, stopping.', 10, 10);
    };
    const t0 = Date.now();
    const [r] = await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 30 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(30);
    expect(r!.error).toBeUndefined();
    expect(r!.assertions).toEqual([expect.objectContaining({ id: 'step 2: transcript contains "okay"', passed: true })]);
  });

  it('the token cap stops the run mid-way with that reason, and later runs do not start', async () => {
    const s = scenario(`version: 1\nname: costly\ntarget: { adapter: openai-realtime }\nrepeat: 5\nmax_tokens: 250\nsteps:\n  - say: one\n    expect: { no_error: true }\n  - say: two\n    expect: { no_error: true }\n`);
    const driver = new ScriptedSession((_t, d) => d.answer('Sure.', 100));
    const results = await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 20 });
    expect(results.length).toBeLessThan(5);
    expect(results.at(-1)!.error).toMatch(/^token cap of 250 reached \(\d+ used\): run stopped$/);
    expect(driver.ready).toBe(false);
  });

  it('a failed connect is reported per run and fails every assertion of it as not checked', async () => {
    const s = scenario(`version: 1\nname: nokey\ntarget: { adapter: openai-realtime }\nsteps:\n  - say: hi\n    expect: { no_error: true }\n`);
    const results = await runScenario(s, new ScriptedSession(() => {}, true), noAudio, new TokenBudget(undefined));
    expect(results[0]!.error).toBe('Connection failed: 401 Incorrect API key');
    const [row] = summarise(results, () => 1);
    expect(row!.passed).toBe(false);
    expect(formatTable([row!])).toContain('run 1: Connection failed: 401 Incorrect API key');
  });

  it('judged assertions are asked only when the run asks; the verdict is kept and its tokens count', async () => {
    const s = scenario(`version: 1\nname: judged\ntarget: { adapter: openai-realtime }\nsteps:\n  - say: Hi\n    expect: { judge: { question: Is it polite?, expect: yes } }\n`);
    const asked: string[] = [];
    const make = () => {
      const d = new ScriptedSession((_t, x) => x.answer('Hello, lovely to meet you.', 50));
      d.judge = async (q, reply) => {
        asked.push(`${q}|${reply}`);
        return { answer: 'yes', reasoning: 'It greets warmly.', model: 'gpt-5.4-mini', tokens: 30 };
      };
      return d;
    };
    const off = await runScenario(s, make(), noAudio, new TokenBudget(undefined), { settleMs: 10 });
    expect(asked).toEqual([]);
    expect(off[0]!.assertions[0]).toMatchObject({ passed: false, message: expect.stringMatching(/not asked/) });
    const budget = new TokenBudget(undefined);
    const on = await runScenario(s, make(), noAudio, budget, { settleMs: 10, judge: true });
    expect(asked).toEqual(['Is it polite?|Hello, lovely to meet you.']);
    expect(on[0]!.assertions[0]).toMatchObject({ passed: true, judge: { answer: 'yes', reasoning: 'It greets warmly.', model: 'gpt-5.4-mini' } });
    expect(on[0]!.tokens).toBe(80);
    expect(budget.used).toBe(80);
  });

  it('silence and speech steps go through speak with their lengths', async () => {
    const s = scenario(`version: 1\nname: audio\ntarget: { adapter: loopback }\nsteps:\n  - silence_ms: 250\n  - speak: a-16k.wav\n`);
    const driver = new ScriptedSession(() => {});
    driver.speak = async function (this: ScriptedSession, a) {
      this.spoken.push(Math.round((a.pcm.length / a.sampleRate) * 1000));
      if (a.pcm.length === 1600) this.answer('Heard you.');
    };
    await runScenario(s, driver, noAudio, new TokenBudget(undefined), { settleMs: 10 });
    expect(driver.spoken).toEqual([250, 100]);
  });
});

describe('junitXml', () => {
  it('validates against the Jenkins xUnit JUnit schema (junit-10.xsd) and carries failures with their messages', async () => {
    const s = scenario(`version: 1\nname: "weather <&> \\"quotes\\""\ntarget: { adapter: openai-realtime }\nsteps:\n  - say: hi\n    expect: { transcript: { contains: sunny } }\n`);
    const results = await runScenario(s, new ScriptedSession((_t, d) => d.answer('Rain & wind <today>.')), noAudio, new TokenBudget(undefined), { settleMs: 10 });
    results.push({ scenario: s.name, target: 'openai-realtime', run: 2, assertions: [], latencies: [], tokens: 0, error: 'Connection failed: 1008' });
    const xml = junitXml(summarise(results, () => 1), new Date('2026-12-07T10:00:00Z'));
    expect(xml).toContain('<failure message="the bot said &quot;Rain &amp; wind &lt;today&gt;.&quot;, which does not contain &quot;sunny&quot;"');
    expect(xml).toContain('<error message="Connection failed: 1008" type="RunError">');
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    writeFileSync(join(dir, 'out.xml'), xml);
    const xsd = join(import.meta.dirname, '../../test/fixtures/junit-10.xsd');
    const out = execFileSync('xmllint', ['--noout', '--schema', xsd, join(dir, 'out.xml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });
});
