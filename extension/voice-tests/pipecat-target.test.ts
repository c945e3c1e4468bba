import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters, requireAdapter } from '../../src/adapters/adapter-registry.ts';
import { connectForTarget } from './connect-for-target.ts';
import { parseScenario } from './scenario-file.ts';

/** A voice test aimed at the user's own Pipecat bot: adapter `pipecat-websocket`, its URL or start URL, its settings. */
const knownAdapters = adapters.map((a) => a.id);
const parse = (text: string) => parseScenario(text, { knownAdapters });

describe('a voice-test target for a Pipecat bot', () => {
  it('accepts the bot\'s start URL (http) and its settings by key; the connect carries them, JSON settings as JSON text', () => {
    const r = parse(`version: 1
name: bot
target:
  adapter: pipecat-websocket
  endpoint: http://localhost:7860/start
  settings:
    start_body: { transport: websocket, body: { room: demo } }
    output_sample_rate: 16000
    not_a_field: ignored
  tools:
    - name: get_weather
      mock: { result: { temperature: 21 } }
steps:
  - say: hi
`);
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    if (!r.ok) return;
    const c = connectForTarget(r.scenario.targets[0]!, { descriptor: requireAdapter('pipecat-websocket') });
    expect(c).toMatchObject({ adapterId: 'pipecat-websocket', endpoint: 'http://localhost:7860/start', enableMic: false });
    expect(c.apiKey).toBeUndefined();
    expect(JSON.parse(c.settings!.start_body as string)).toEqual({ transport: 'websocket', body: { room: 'demo' } });
    expect(c.settings!.output_sample_rate).toBe(16000);
    expect(c.settings).not.toHaveProperty('not_a_field');
    // The bot's client functions are declared for the mocks, answered by the scripted mock.
    expect(JSON.parse(c.settings!.tools as string).map((t: { name: string }) => t.name)).toEqual(['get_weather']);
    expect(c.toolMocks!.get_weather).toMatchObject({ mode: 'scripted', script: { result: { temperature: 21 } } });
  });

  it('refuses a bot token written in the file, and an endpoint that is neither ws(s) nor http(s)', () => {
    const token = parse('version: 1\nname: x\ntarget:\n  adapter: pipecat-websocket\n  settings: { token: abc123 }\nsteps:\n  - say: hi\n');
    expect(token.ok).toBe(false);
    if (!token.ok) expect(token.problems.map((p) => p.message).join('\n')).toMatch(/"token" looks like a credential/);
    const ftp = parse('version: 1\nname: x\ntarget:\n  adapter: pipecat-websocket\n  endpoint: ftp://bot\nsteps:\n  - say: hi\n');
    expect(ftp.ok).toBe(false);
  });

  it.each([
    ['pipecat-bot.yaml', 'pipecat-websocket', 'websocket'],
    ['pipecat-bot-webrtc.yaml', 'pipecat-webrtc', 'webrtc'],
  ])('the example scenario %s parses, targeting %s with its start body', (file, adapter, transport) => {
    const text = readFileSync(join(import.meta.dirname, '../../examples/voice-tests', file), 'utf8');
    const r = parse(text);
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    if (r.ok) {
      expect(r.scenario.targets[0]!.adapter).toBe(adapter);
      expect(JSON.stringify(r.scenario.targets[0])).toContain(`"transport":"${transport}"`);
    }
  });
});
