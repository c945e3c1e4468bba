import { describe, expect, it } from 'vitest';
import { defaultSettings, normalizeSettings } from '../settings-schema.ts';
import { normalizeKey } from './openai-client-secret.ts';
import { summariseFrame } from './openai-frame-summary.ts';
import descriptor, { openAIRealtimeSettings } from './openai-realtime-descriptor.ts';
import { OPENAI_LIVE_KEYS, OpenAISettingsError, buildSession, parseTools, settingForParam } from './openai-session-config.ts';

describe('OpenAI GA session from settings', () => {
  it('builds the GA shape from the descriptor defaults: 24 kHz PCM, server VAD, transcription on, no temperature', () => {
    const session = buildSession(defaultSettings(openAIRealtimeSettings) as never);
    expect(session).toMatchObject({
      type: 'realtime',
      output_modalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: { model: 'gpt-transcribe' },
          noise_reduction: null,
          turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
      tools: [],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
    });
    expect(JSON.stringify(session)).not.toMatch(/temperature|"modalities"|"voice":null/);
    expect('model' in session).toBe(false);
  });

  it('push to talk is turn_detection null; semantic VAD carries eagerness; text output and a forced tool', () => {
    expect(buildSession({ turn_detection: 'push_to_talk' }).audio?.input?.turn_detection).toBeNull();
    expect(buildSession({ turn_detection: 'semantic_vad', eagerness: 'low', interrupt_response: false }).audio?.input?.turn_detection).toEqual({
      type: 'semantic_vad',
      eagerness: 'low',
      create_response: true,
      interrupt_response: false,
    });
    const s = buildSession({ output_modality: 'text', tools: '[{"name":"f","description":"d"}]', tool_choice: 'f', max_output_tokens: '256', transcription_model: '', noise_reduction: 'far_field' });
    expect(s.output_modalities).toEqual(['text']);
    expect(s.tools).toEqual([{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object', properties: {} } }]);
    expect(s.tool_choice).toEqual({ type: 'function', name: 'f' });
    expect(s.max_output_tokens).toBe(256);
    expect(s.audio?.input?.transcription).toBeNull();
    expect(s.audio?.input?.noise_reduction).toEqual({ type: 'far_field' });
    expect(buildSession({ voice: 'ash' }, { includeVoice: false }).audio?.output?.voice).toBeUndefined();
  });

  it('refuses bad tools and limits with plain reasons', () => {
    expect(() => parseTools('[{"name":')).toThrow(OpenAISettingsError);
    expect(() => parseTools('{"name":"x"}')).toThrow(/must be an array/);
    expect(() => parseTools('[{"name":"has space"}]')).toThrow(/"name"/);
    expect(() => parseTools('[{"type":"mcp","name":"x"}]')).toThrow(/only function tools/);
    expect(() => buildSession({ tool_choice: 'nope' })).toThrow(/names no declared tool/);
    expect(() => buildSession({ max_output_tokens: 5000 })).toThrow(/1 to 4096/);
    expect(() => buildSession({ speed: 3 })).toThrow(/0.25 and 1.5/);
  });

  it('trims keys and refuses what a subprotocol cannot carry without echoing it', () => {
    expect(normalizeKey('  sk-abc_DEF-123\n')).toBe('sk-abc_DEF-123');
    expect(() => normalizeKey('sk-abc\u00e9def')).toThrow(/cannot be sent/);
    try {
      normalizeKey('sk-secret value');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret value');
    }
  });

  it('summarises audio so no base64 reaches the observer', () => {
    const b64 = Buffer.alloc(960).toString('base64');
    const s = summariseFrame({ type: 'input_audio_buffer.append', event_id: 'e', audio: b64 });
    expect(s.audio).toEqual({ bytes: 960, durationMs: 20, sampleRate: 24000 });
    expect(JSON.stringify(s.payload)).not.toContain(b64);
  });
});

describe('OpenAI Realtime descriptor', () => {
  it('declares the contract labels, push to talk, and truthful apply modes', () => {
    expect(descriptor).toMatchObject({ id: 'openai-realtime', label: 'OpenAI Realtime', needsKey: true, order: 20, acceptsVideo: false, supportsPushToTalk: true });
    const byKey = new Map(openAIRealtimeSettings.map((f) => [f.key, f]));
    expect(byKey.get('model')).toMatchObject({ label: 'Model', kind: 'text', apply: 'reconnect' });
    // No default or suggested id with an announced shutdown date (SDK types: gpt-realtime and
    // gpt-realtime-mini 2027-01-20; gpt-4o-*-transcribe and whisper-1 2027-02-26).
    expect(byKey.get('model')!.suggestions).toEqual(expect.arrayContaining(['gpt-realtime-1.5', 'gpt-realtime-2', 'gpt-realtime-2.1', 'gpt-realtime-2.1-mini']));
    const retiring = /^(gpt-realtime|gpt-realtime-mini.*|gpt-realtime-2025-08-28|gpt-audio-mini.*|gpt-4o-.*|whisper-1)$/;
    for (const key of ['model', 'transcription_model']) {
      const field = byKey.get(key)!;
      expect(String(field.default)).not.toMatch(retiring);
      for (const id of field.suggestions ?? []) expect(id, `${key} suggestion`).not.toMatch(retiring);
    }
    expect(byKey.get('voice')!.label).toBe('Voice');
    expect(byKey.get('instructions')).toMatchObject({ label: 'System instructions', kind: 'textarea' });
    expect(byKey.get('tools')).toMatchObject({ label: 'Tools (JSON)', kind: 'json', default: '[]' });
    const td = byKey.get('turn_detection')!;
    expect(td.label).toBe('Turn detection');
    expect(td.options!.some((o) => o.value === 'push_to_talk' && o.label.includes('Push to talk'))).toBe(true);
    for (const f of openAIRealtimeSettings) expect(f.apply === 'live', f.key).toBe(OPENAI_LIVE_KEYS.has(f.key));
    expect(byKey.get('eagerness')!.visibleWhen!({ turn_detection: 'semantic_vad' })).toBe(true);
    expect(byKey.get('threshold')!.visibleWhen!({ turn_detection: 'semantic_vad' })).toBe(false);
    // The defaults survive the panel's normaliser and make a valid session.
    const { values, issues } = normalizeSettings(openAIRealtimeSettings, defaultSettings(openAIRealtimeSettings));
    expect(issues).toEqual([]);
    expect(() => buildSession(values as never)).not.toThrow();
  });
});

describe('the setting an OpenAI error names', () => {
  it('maps a session.update error param to the panel setting, and nothing for what it cannot place', () => {
    expect(settingForParam('session.audio.output.voice')).toBe('voice');
    expect(settingForParam('session.audio.output.speed')).toBe('speed');
    expect(settingForParam('session.audio.input.turn_detection.eagerness')).toBe('eagerness');
    expect(settingForParam('session.audio.input.turn_detection.type')).toBe('turn_detection');
    expect(settingForParam('session.audio.input.transcription.model')).toBe('transcription_model');
    expect(settingForParam('session.audio.input.noise_reduction.type')).toBe('noise_reduction');
    expect(settingForParam('session.output_modalities')).toBe('output_modality');
    expect(settingForParam('session.tools[0].name')).toBe('tools');
    expect(settingForParam('session.tool_choice')).toBe('tool_choice');
    expect(settingForParam('session.max_output_tokens')).toBe('max_output_tokens');
    expect(settingForParam('session.audio.input.format.rate')).toBeNull();
    expect(settingForParam(null)).toBeNull();
  });
});
