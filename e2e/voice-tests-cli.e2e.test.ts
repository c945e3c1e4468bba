import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR, REPO_ROOT } from './harness/index.ts';
import { FAKE_GEMINI_KEY, startFakeGeminiServer, type FakeGeminiServer } from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeResponseContext, type FakeResponsePlan } from '../test/fakes/fake-openai-server.ts';
import type { VoiceTestRunState } from '../extension/voice-tests/run-state.ts';

const OPENAI_KEY = 'sk-test-fake-openai-key-0123456789';
const EXAMPLES = join(REPO_ROOT, 'examples', 'voice-tests');
const XSD = join(REPO_ROOT, 'test', 'fixtures', 'junit-10.xsd');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: VoiceTestRunState | null;
  junit: string | null;
}

/** Runs `voice-test` as a user's CI would: a child process, keys in the environment only. */
function voiceTest(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'voice-test-e2e-'));
  const json = join(dir, 'out.json');
  const junit = join(dir, 'out.xml');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'voice-test.mjs'), 'test', ...args, '--extension', DIST_DIR, '--json', json, '--junit', junit], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`voice-test did not exit within ${timeoutMs} ms (waiting for: ${args.join(' ')})\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, json: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as VoiceTestRunState) : null, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : null });
    });
  });
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

describe('voice-test command (headless Chromium, against the fakes)', () => {
  let openai: FakeOpenAIServer;
  let gemini: FakeGeminiServer;

  beforeAll(async () => {
    if (!existsSync(join(DIST_DIR, 'manifest.json'))) throw new Error('No built extension: run `npm run build` first.');
    openai = await startFakeOpenAIServer({ planResponse: openAIPlan, userTranscripts: ['What is the weather in Paris?', 'Stop. Just the short version, please.'] });
    gemini = await startFakeGeminiServer({
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
});
