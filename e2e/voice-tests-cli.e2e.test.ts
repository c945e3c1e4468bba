import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR, REPO_ROOT } from './harness/index.ts';
import { runVoiceTestCli, type VoiceTestCliRun } from './harness/voice-test-cli.ts';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeResponseContext, type FakeResponsePlan } from '../test/fakes/fake-openai-server.ts';
import type { VoiceTestRunState } from '../extension/voice-tests/run-state.ts';

const OPENAI_KEY = 'sk-test-fake-openai-key-0123456789';
const EXAMPLES = join(REPO_ROOT, 'examples', 'voice-tests');
const XSD = join(REPO_ROOT, 'test', 'fixtures', 'junit-10.xsd');

type CliRun = VoiceTestCliRun;

/** Runs `voice-test` as a user's CI would: a child process, keys in the environment only. */
function voiceTest(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<CliRun> {
  return runVoiceTestCli(args, { env, timeoutMs });
}

function validJunit(xml: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'junit-'));
  writeFileSync(join(dir, 'out.xml'), xml);
  // Throws (non-zero exit) with xmllint's reasons when the file does not validate.
  execFileSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'out.xml')], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const describeRun = (r: CliRun) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/**
 * The fake "models" the examples run against. The fakes do no language understanding (see their
 * headers), so each answers the examples' questions by their words, as a model following the
 * examples' instructions would: the runner, the session and the assertions are what is tested.
 */
function openAIPlan(ctx: FakeResponseContext): FakeResponsePlan | undefined {
  const tools = (ctx.session.tools as Array<{ name?: string }> | undefined) ?? [];
  const text = (ctx.lastUserText ?? '').toLowerCase();
  if (ctx.functionOutputs.length) return { text: `Sorry, the weather service is unavailable right now.`, usage: { input_tokens: 120, output_tokens: 30 } };
  if (ctx.trigger === 'server-vad' && tools.some((t) => t.name === 'get_weather')) return { functionCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { input_tokens: 100, output_tokens: 10 } };
  if (ctx.trigger === 'server-vad') return { text: 'Okay, the short version: a sailor found his way home.', usage: { input_tokens: 90, output_tokens: 20 } };
  if (text.includes('story')) return { text: 'Once upon a time a sailor left the harbour and sailed for many days across a wide grey sea, and the wind sang in the ropes all night long.', audioMs: 6000, usage: { input_tokens: 80, output_tokens: 60 } };
  if (text.includes('my name is')) return { text: 'Nice to meet you, Ada.', usage: { input_tokens: 50, output_tokens: 10 } };
  if (text.includes('capital')) return { text: 'The capital of France is Paris.', usage: { input_tokens: 60, output_tokens: 10 } };
  if (text.includes('what is my name')) return { text: 'Your name is Ada.', usage: { input_tokens: 70, output_tokens: 10 } };
  return undefined;
}

/** The fake judges decide by the question asked (they do no language understanding). */
function judgeByQuestion(prompt: string): { answer: string; reasoning: string } {
  if (prompt.includes('Does the reply greet Ada by name?')) return { answer: 'yes', reasoning: 'It says "Nice to meet you, Ada."' };
  return { answer: 'no', reasoning: 'The reply says nothing about the weather.' };
}

describe('voice-test command (headless Chromium, against the fakes)', () => {
  let openai: FakeOpenAIServer;
  let gemini: FakeGeminiServer;

  beforeAll(async () => {
    if (!existsSync(join(DIST_DIR, 'manifest.json'))) throw new Error('No built extension: run `npm run build` first.');
    openai = await startFakeOpenAIServer({ planResponse: openAIPlan, judgeAnswer: judgeByQuestion, userTranscripts: ['What is the weather in Paris?', 'Stop. Just the short version, please.'] });
    gemini = await startFakeGeminiServer({
      judgeAnswer: judgeByQuestion,
      replies: (turn, trigger) => {
        // Per session: the weather example speaks first; the others type first.
        if (trigger === 'speech' && turn === 0) return { userTranscript: 'What is the weather in Paris?', toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], botText: 'Sorry, the weather service is unavailable right now.' };
        if (trigger === 'speech') return { userTranscript: 'Stop. Just the short version, please.', botText: 'Okay, the short version: a sailor found his way home.' };
        return [
          { botText: 'Nice to meet you, Ada. Once upon a time a sailor left the harbour and sailed for many days across a wide grey sea.', audioMs: 6000 },
          { botText: 'The capital of France is Paris.' },
          { botText: 'Your name is Ada.' },
        ][Math.min(turn, 2)]!;
      },
    });
  });
  afterAll(async () => {
    await openai?.close();
    await gemini?.close();
  });

  it("README's quick start works as written, with no key: the Loopback smoke scenario passes, exit 0, JUnit validates", async () => {
    // Exactly the README's command line, from the repo root, as a user of a fresh clone types it.
    const out = join(REPO_ROOT, 'out.xml');
    rmSync(out, { force: true });
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (/API_KEY/.test(k)) delete env[k];
    try {
      const r = await new Promise<CliRun>((resolve, reject) => {
        const child = spawn('npx', ['voice-test', 'test', 'examples/voice-tests/loopback-smoke.yaml', '--adapter', 'loopback', '--junit', 'out.xml'], { cwd: REPO_ROOT, env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the quick-start command did not exit within 180 s\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, 180_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, json: null, junit: existsSync(out) ? readFileSync(out, 'utf8') : null });
        });
      });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/✓ passed: 1 run/);
      // The estimate comes first, from the default price table (Loopback bills nothing).
      expect(r.stderr).toMatch(/estimated cost: \$0 for 1 run \(default price table as of \d{4}-\d{2}-\d{2}; assumes each reply is 5 s of audio/);
      expect(r.stderr.indexOf('estimated cost')).toBeLessThan(r.stderr.indexOf('connecting'));
      expect(r.stdout).toMatch(/ok\s+Loopback smoke test\s+loopback\s+step 2: reply audio ≥ 1000 ms/);
      expect(r.junit, 'out.xml written').not.toBeNull();
      validJunit(r.junit!);
      expect(r.junit).toContain('failures="0"');
    } finally {
      rmSync(out, { force: true });
    }
  });

  for (const adapter of ['openai-realtime', 'gemini-live'] as const) {
    it(`the example scenarios pass against the ${adapter} fake; JUnit validates against junit-10.xsd; exit code 0`, async () => {
      const env = adapter === 'openai-realtime' ? { VT_KEY: OPENAI_KEY } : { VT_KEY: FAKE_GEMINI_KEY };
      const endpoint = adapter === 'openai-realtime' ? openai.url : gemini.url;
      const r = await voiceTest([join(EXAMPLES, 'barge-in.yaml'), join(EXAMPLES, 'memory.yaml'), join(EXAMPLES, 'weather-failing-tool.yaml'), '--adapter', adapter, '--key-env', 'VT_KEY', '--endpoint', endpoint], env);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.json!.status).toBe('passed');
      expect(r.json!.summaries.map((s) => s.scenario).sort()).toEqual(['Barge-in during a long answer', "Remembers the user's name", 'Weather tool that fails']);
      expect(r.json!.summaries.every((s) => s.assertions.length > 0 && s.assertions.every((a) => a.passed))).toBe(true);
      expect(r.stdout).toMatch(/✓ passed: 3 runs/);
      validJunit(r.junit!);
      // The key was in the environment only: never in what the command printed or wrote.
      const key = env.VT_KEY;
      expect(r.stdout + r.stderr + JSON.stringify(r.json) + r.junit).not.toContain(key);
    });
  }

  it('judged assertions: asked through each provider\'s text API only with --judge; a "no" fails with the reasoning; the judge\'s tokens count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'judged-'));
    writeFileSync(join(dir, 'judged.yaml'), `version: 1\nname: Judged\nmatrix:\n  - { adapter: gemini-live, endpoint: "${gemini.url}" }\n  - { adapter: openai-realtime, endpoint: "${openai.url}" }\nsteps:\n  - say: Hi, my name is Ada.\n    expect:\n      judge: { question: Does the reply greet Ada by name?, expect: yes }\n  - say: What is the capital of France?\n    expect:\n      judge: { question: Does the reply give the weather?, expect: yes }\n`);
    const env = { OK: OPENAI_KEY, GK: FAKE_GEMINI_KEY };
    const keys = ['--key-env', 'openai-realtime=OK', '--key-env', 'gemini-live=GK'];
    const chatBefore = openai.chatRequests.length;
    const genBefore = gemini.generateRequests.length;
    const off = await voiceTest([join(dir, 'judged.yaml'), ...keys], env);
    expect(off.code, describeRun(off)).toBe(1);
    expect(openai.chatRequests.length, 'no judge request without --judge (OpenAI)').toBe(chatBefore);
    expect(gemini.generateRequests.length, 'no judge request without --judge (Gemini)').toBe(genBefore);
    expect(off.json!.summaries.flatMap((s) => s.assertions.map((a) => a.lastFailure))).toEqual(Array(4).fill('the judge was not asked (judged assertions are off unless asked for)'));

    const on = await voiceTest([join(dir, 'judged.yaml'), ...keys, '--judge'], env);
    expect(on.code, describeRun(on)).toBe(1);
    expect(openai.chatRequests.slice(chatBefore).map((r) => [r.authorized, r.status])).toEqual([[true, 200], [true, 200]]);
    expect(openai.chatRequests.slice(chatBefore)[0]!.userMessage).toContain('Nice to meet you, Ada.');
    const gen = gemini.generateRequests.slice(genBefore);
    expect(gen.map((r) => [r.hadKeyHeader, r.status])).toEqual([[true, 200], [true, 200]]);
    // The key goes in the x-goog-api-key header, never in the URL.
    expect(gen.every((r) => !r.url.includes(FAKE_GEMINI_KEY) && !r.url.includes('key='))).toBe(true);
    for (const target of ['gemini-live', 'openai-realtime']) {
      const row = on.json!.summaries.find((s) => s.target === target)!;
      expect(row.assertions.map((a) => [a.assertion, a.passed])).toEqual([
        ['step 1: judge: Does the reply greet Ada by name? (yes)', true],
        ['step 2: judge: Does the reply give the weather? (yes)', false],
      ]);
      expect(row.assertions[1]!.lastFailure).toBe('the judge answered no: The reply says nothing about the weather.');
      const judged = on.json!.results.find((r) => r.target === target)!.assertions[1]!;
      expect(judged.judge).toMatchObject({ answer: 'no', reasoning: 'The reply says nothing about the weather.' });
      // The judge bills the same key: its tokens are in the run's total.
      const without = off.json!.results.find((r) => r.target === target)!.tokens;
      expect(on.json!.results.find((r) => r.target === target)!.tokens).toBeGreaterThan(without);
    }
    validJunit(on.junit!);
    const everything = on.stdout + on.stderr + JSON.stringify(on.json) + on.junit + off.stdout + off.stderr + JSON.stringify(off.json);
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(FAKE_GEMINI_KEY);
  });

  it('a file with a syntax error, an unknown adapter or a key is refused with file:line reasons; nothing runs; exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-scenarios-'));
    writeFileSync(join(dir, 'syntax.yaml'), 'version: 1\nname: x\nsteps:\n  - say: hi: there\n');
    writeFileSync(join(dir, 'adapter.yaml'), 'version: 1\nname: y\ntarget:\n  adapter: gpt-voice\nsteps:\n  - say: hi\n');
    writeFileSync(join(dir, 'key.yaml'), `version: 1\nname: z\ntarget:\n  adapter: openai-realtime\n  instructions: my key is ${OPENAI_KEY}\nsteps:\n  - say: hi\n`);
    const before = openai.handshakes.length;
    const r = await voiceTest([join(dir, 'syntax.yaml'), join(dir, 'adapter.yaml'), join(dir, 'key.yaml'), '--endpoint', openai.url]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/syntax\.yaml:4:\d+: YAML syntax/);
    expect(r.stderr).toMatch(/adapter\.yaml:4:\d+: unknown adapter "gpt-voice"/);
    expect(r.stderr).toMatch(/key\.yaml:5:\d+: this value is shaped like an API key/);
    expect(r.stderr).not.toContain(OPENAI_KEY);
    expect(r.json!.results).toEqual([]);
    expect(openai.handshakes.length).toBe(before);
  });

  it('each assertion kind fails with a clear message; repeat reports the pass rate honestly; a matrix gives one row per target; exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failing-scenarios-'));
    mkdirSync(join(dir, 'audio'));
    copyFileSync(join(EXAMPLES, 'audio', 'weather-paris.wav'), join(dir, 'audio', 'weather-paris.wav'));
    // Built to fail each kind: wrong transcript, missing tool call, argument mismatch, latency over its bound, an error from the provider.
    writeFileSync(join(dir, 'fail.yaml'), `version: 1
name: Built to fail
target:
  adapter: openai-realtime
  tools:
    - name: get_weather
      parameters: { type: object, properties: { city: { type: string } } }
      mock: { result: { temp: 18 } }
steps:
  - say: Hi, my name is Ada.
    expect: { transcript: { contains: Bob } }
  - say: What is the capital of France?
    expect: { tool_called: { name: get_weather } }
  - speak: audio/weather-paris.wav
    expect:
      tool_called: { name: get_weather, args: { city: London } }
      latency_ms: { max: 1 }
  - say: Please break now.
    expect: { no_error: true }
`);
    writeFileSync(join(dir, 'flaky.yaml'), `version: 1\nname: Coin\ntarget: { adapter: openai-realtime }\nrepeat: 4\npass_rate: 0.5\nsteps:\n  - say: Flip a coin.\n    expect: { transcript: { contains: heads } }\n`);
    writeFileSync(join(dir, 'matrix.yaml'), `version: 1\nname: Both providers\nmatrix:\n  - { adapter: gemini-live, endpoint: "${gemini.url}" }\n  - { adapter: openai-realtime, endpoint: "${openai.url}" }\nsteps:\n  - say: Hi, my name is Ada.\n    expect: { transcript: { contains: Ada } }\n`);
    // Heads on odd sessions, tails on even ones: the pass rate must say 2 of 4.
    let flips = 0;
    const coin = (ctx: FakeResponseContext): FakeResponsePlan | undefined => {
      const text = (ctx.lastUserText ?? '').toLowerCase();
      if (text.includes('coin')) return { text: ++flips % 2 === 1 ? 'It landed heads.' : 'It landed tails.' };
      // A failed response, as the live service ends one (SDK RealtimeResponseStatus, provider-protocols.md A.7).
      if (text.includes('break')) return { text: 'x', endStatus: { status: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request.' } } };
      return openAIPlan(ctx);
    };
    const fake = await startFakeOpenAIServer({ planResponse: coin, userTranscripts: ['What is the weather in Paris?'] });
    try {
      const r = await voiceTest([join(dir, 'fail.yaml'), join(dir, 'flaky.yaml'), join(dir, 'matrix.yaml'), '--endpoint', fake.url, '--key-env', `openai-realtime=OK`, '--key-env', 'gemini-live=GK'], { OK: OPENAI_KEY, GK: FAKE_GEMINI_KEY });
      expect(r.code, describeRun(r)).toBe(1);
      const rows = r.json!.summaries;
      const failing = rows.find((s) => s.scenario === 'Built to fail')!;
      const msg = (id: string) => failing.assertions.find((a) => a.assertion === id)?.lastFailure;
      expect(msg('step 1: transcript contains "Bob"')).toBe('the bot said "Nice to meet you, Ada.", which does not contain "Bob"');
      expect(msg('step 2: tool get_weather called')).toBe('expected a call to get_weather; the bot called no tool');
      expect(msg('step 3: tool get_weather called with {"city":"London"}')).toBe('get_weather was called with {"city":"Paris"}, which does not contain {"city":"London"} ("city" is "Paris", expected "London")');
      expect(msg('step 3: voice-to-voice latency ≤ 1 ms')).toMatch(/^voice-to-voice latency was \d+ ms$/);
      expect(msg('step 4: no error')).toMatch(/^error: .*server had an error/i);
      const coinRow = rows.find((s) => s.scenario === 'Coin')!;
      expect(coinRow.assertions[0]).toMatchObject({ passes: 2, runs: 4, required: 0.5, passed: true });
      const matrix = rows.filter((s) => s.scenario === 'Both providers');
      expect(matrix.map((s) => s.target).sort()).toEqual(['gemini-live', 'openai-realtime']);
      expect(matrix.every((s) => s.passed)).toBe(true);
      validJunit(r.junit!);
      expect(r.junit).toContain('failures="5"');
      expect(r.stdout).toMatch(/FAIL\s+Built to fail/);
    } finally {
      await fake.close();
    }
  });

  it('a token cap reached mid-run stops the run with that reason (usage as the fake reports it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capped-'));
    writeFileSync(join(dir, 'costly.yaml'), `version: 1\nname: Costly\ntarget: { adapter: openai-realtime }\nrepeat: 5\nsteps:\n  - say: What is the capital of France?\n    expect: { transcript: { contains: Paris } }\n  - say: Hi, my name is Ada.\n    expect: { transcript: { contains: Ada } }\n`);
    const r = await voiceTest([join(dir, 'costly.yaml'), '--endpoint', openai.url, '--key-env', 'openai-realtime=OK', '--max-tokens', '250'], { OK: OPENAI_KEY });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.json!.stoppedReason).toMatch(/^token cap of 250 reached \(\d+ used\): run stopped$/);
    expect(r.json!.results.length).toBeLessThan(5);
    expect(r.stdout).toMatch(/token cap of 250 reached/);
  });
});

