import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../settings-schema.ts';
import descriptor from './gemini-live-descriptor.ts';
import { GeminiLiveWebsocketTransport } from './gemini-live-transport.ts';

describe('gemini-live descriptor', () => {
  const field = (key: string) => descriptor.settings.find((f) => f.key === key)!;

  it('uses the UI contract labels and defaults', () => {
    expect(descriptor).toMatchObject({ id: 'gemini-live', label: 'Gemini Live', needsKey: true, order: 10, supportsPushToTalk: true });
    expect(['model', 'voice', 'instructions', 'turn_detection', 'tools'].map((k) => field(k).label)).toEqual(['Model', 'Voice', 'System instructions', 'Turn detection', 'Tools (JSON)']);
    expect(field('turn_detection').options?.map((o) => o.label).some((l) => /Push to talk/.test(l))).toBe(true);
    const d = defaultSettings(descriptor.settings);
    expect(d).toMatchObject({ model: 'gemini-3.8-live', tools: '[]', input_transcription: true, output_transcription: true, session_resumption: true, auth: 'token' });
    expect(descriptor.settings.every((f) => f.apply === 'reconnect')).toBe(true);
    expect(descriptor.create({}).constructor).toBe(GeminiLiveWebsocketTransport);
  });

  it('shows settings by model capability and turn mode', () => {
    const d = defaultSettings(descriptor.settings);
    expect(field('thinking_level').visibleWhen!(d)).toBe(false);
    expect(field('thinking_level').visibleWhen!({ ...d, model: 'gemini-3.1-flash-live-preview' })).toBe(true);
    // Native audio refuses TEXT (close 1007): the choice is offered only where the model takes it.
    expect(field('response_modality').visibleWhen!({ ...d, model: 'gemini-2.5-flash-native-audio-preview-12-2025' })).toBe(false);
    expect(field('response_modality').visibleWhen!(d)).toBe(false);
    expect(field('response_modality').visibleWhen!({ ...d, model: 'gemini-live-2.5-flash-preview' })).toBe(true);
    expect(field('context_compression').default).toBe(true);
    expect(field('silence_duration_ms').visibleWhen!({ ...d, turn_detection: 'push_to_talk' })).toBe(false);
    expect(field('auth').help).toMatch(/console/);
  });

  it('tells the panel what the tool schema conversion drops, and nothing for bad JSON', () => {
    const json = JSON.stringify([{ name: 'f', parametersJsonSchema: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } } }]);
    expect(descriptor.describeTools!(json, {})).toEqual(['f: additionalProperties dropped']);
    expect(descriptor.describeTools!('[{"name":"g","parameters":{"type":"object"}}]', {})).toEqual([]);
    expect(descriptor.describeTools!('{', {})).toEqual([]);
  });
});
