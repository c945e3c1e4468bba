import { describe, expect, it } from 'vitest';
import { geminiModelCapabilities } from './gemini-models.ts';
import { buildGeminiSetup, parseGeminiTools } from './gemini-setup.ts';

const TOOLS = JSON.stringify([{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'array', items: { type: 'integer' } } } }, behavior: 'non_blocking' }]);

describe('buildGeminiSetup', () => {
  it('builds the full automatic-VAD setup for 3.8 with tools keeping their behavior', () => {
    const caps = geminiModelCapabilities('gemini-3.8-live');
    const tools = parseGeminiTools(TOOLS, caps);
    const { setup, initialHistory } = buildGeminiSetup({
      model: 'gemini-3.8-live',
      caps,
      tools,
      settings: { voice: 'Kore', instructions: 'Be brief.', temperature: 0.7, max_output_tokens: 256, start_sensitivity: 'high', end_sensitivity: 'low', silence_duration_ms: 500, context_compression: true, thinking_level: 'high' },
    });
    expect(setup).toEqual({
      setup: {
        model: 'models/gemini-3.8-live',
        generationConfig: { responseModalities: ['AUDIO'], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } }, temperature: 0.7, maxOutputTokens: 256 },
        systemInstruction: { parts: [{ text: 'Be brief.' }], role: 'user' },
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, days: { type: 'ARRAY', items: { type: 'INTEGER' } } } }, behavior: 'NON_BLOCKING' }] }],
        realtimeInputConfig: { automaticActivityDetection: { disabled: false, startOfSpeechSensitivity: 'START_SENSITIVITY_HIGH', endOfSpeechSensitivity: 'END_SENSITIVITY_LOW', silenceDurationMs: 500 } },
        inputAudioTranscription: {},
        outputAudioTranscription: {},
        sessionResumption: {},
        contextWindowCompression: { slidingWindow: {} },
      },
    });
    expect(initialHistory).toBeNull();
    expect([...tools.nonBlocking]).toEqual(['get_weather']);
  });

  it('3.1: thinking level, no tool behavior (synchronous only), history needs historyConfig', () => {
    const caps = geminiModelCapabilities('models/gemini-3.1-flash-live-preview');
    const tools = parseGeminiTools(TOOLS, caps);
    expect(tools.nonBlocking.size).toBe(0);
    const { setup, initialHistory } = buildGeminiSetup({
      model: 'gemini-3.1-flash-live-preview',
      caps,
      tools,
      settings: { thinking_level: 'low', turn_detection: 'push_to_talk', input_transcription: false, session_resumption: false },
      initialMessages: [
        { role: 'system', content: 'You are Ada.' },
        { role: 'assistant', content: 'Hi, I am Ada.' },
        { role: 'user', content: 'Hello!' },
      ],
    });
    const s = setup.setup as Record<string, unknown>;
    expect((s.generationConfig as Record<string, unknown>).thinkingConfig).toEqual({ thinkingLevel: 'LOW' });
    expect((s.tools as Array<{ functionDeclarations: Array<Record<string, unknown>> }>)[0].functionDeclarations[0].behavior).toBeUndefined();
    expect(s.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: true } });
    expect(s.inputAudioTranscription).toBeUndefined();
    expect(s.sessionResumption).toBeUndefined();
    expect(s.historyConfig).toEqual({ initialHistoryInClientContent: true });
    expect(s.systemInstruction).toEqual({ parts: [{ text: 'You are Ada.' }], role: 'user' });
    expect(initialHistory).toEqual({ clientContent: { turns: [{ role: 'model', parts: [{ text: 'Hi, I am Ada.' }] }, { role: 'user', parts: [{ text: 'Hello!' }] }], turnComplete: true } });
  });

  it('a half-cascade model offers a text modality; a resumed setup carries the handle and no history', () => {
    const caps = geminiModelCapabilities('gemini-live-2.5-flash-preview');
    const { setup, initialHistory } = buildGeminiSetup({
      model: caps.id,
      caps,
      tools: parseGeminiTools('[]', caps),
      settings: { response_modality: 'TEXT', voice: 'Puck' },
      initialMessages: [{ role: 'user', content: 'Hi' }],
      resumptionHandle: 'CihhdXRo',
    });
    const s = setup.setup as Record<string, unknown>;
    expect(s.generationConfig).toEqual({ responseModalities: ['TEXT'] });
    expect(s.sessionResumption).toEqual({ handle: 'CihhdXRo' });
    expect(initialHistory).toBeNull();
    expect(s.tools).toBeUndefined();
  });
});

describe('parseGeminiTools', () => {
  const caps = geminiModelCapabilities('gemini-3.8-live');
  it('accepts Gemini and OpenAI shapes and defaults 3.8 calls to non-blocking', () => {
    const t = parseGeminiTools(JSON.stringify([{ functionDeclarations: [{ name: 'a' }] }, { type: 'function', name: 'b', behavior: 'BLOCKING' }]), caps);
    expect(t.declarations).toEqual([{ name: 'a' }, { name: 'b', behavior: 'BLOCKING' }]);
    expect([...t.nonBlocking]).toEqual(['a']);
  });
  it('explains what is wrong', () => {
    expect(() => parseGeminiTools('{', caps)).toThrow(/Tools \(JSON\) is not valid JSON/);
    expect(() => parseGeminiTools('{}', caps)).toThrow(/must be an array/);
    expect(() => parseGeminiTools('[{"description":"x"}]', caps)).toThrow(/entry 1 needs a "name"/);
    expect(() => parseGeminiTools('[{"name":"a"},{"name":"a"}]', caps)).toThrow(/declared twice/);
    expect(() => parseGeminiTools('[{"name":"a","behavior":"SOMETIMES"}]', caps)).toThrow(/BLOCKING or NON_BLOCKING/);
  });
});

describe('geminiModelCapabilities', () => {
  it('falls back to the family for unknown ids', () => {
    expect(geminiModelCapabilities('gemini-3.1-flash-live-preview-2027').textInput).toBe('realtimeInput');
    // Native audio refuses TEXT (close 1007); only half-cascade ids offer it.
    expect(geminiModelCapabilities('gemini-2.5-flash-native-audio-preview-01-2027').responseModalities).toEqual(['AUDIO']);
    expect(geminiModelCapabilities('gemini-2.5-flash-native-audio-preview-12-2025').responseModalities).toEqual(['AUDIO']);
    expect(geminiModelCapabilities('gemini-live-2.5-flash-native-audio').responseModalities).toEqual(['AUDIO']);
    expect(geminiModelCapabilities('gemini-live-2.5-flash-preview').responseModalities).toEqual(['AUDIO', 'TEXT']);
    expect(geminiModelCapabilities('gemini-4-live').tools).toBe('non-blocking-default');
    expect(geminiModelCapabilities(undefined).id).toBe('gemini-3.8-live');
  });
});
