import fc from 'fast-check';
import { ActivityHandling, MediaResolution, Modality, TurnCoverage, type LiveClientSetup } from '@google/genai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { geminiSession, geminiSessionPool, waitUntil } from '../../../test/fakes/gemini-test-session.ts';
import { installNodeBrowserGlobals } from '../../../test/fakes/node-browser-globals.ts';
import { defaultSettings } from '../settings-schema.ts';
import { GEMINI_LIVE_SETTINGS } from './gemini-live-descriptor.ts';
import { geminiModelCapabilities } from './gemini-models.ts';
import { buildGeminiSetup, parseGeminiTools, GeminiSettingsError, type GeminiSettings } from './gemini-setup.ts';

beforeAll(() => installNodeBrowserGlobals());
const pool = geminiSessionPool();
afterEach(() => pool.cleanup());

function setupFor(model: string, settings: Record<string, unknown>): LiveClientSetup {
  const caps = geminiModelCapabilities(model);
  const s = { ...defaultSettings(GEMINI_LIVE_SETTINGS), ...settings } as GeminiSettings;
  return (buildGeminiSetup({ model, caps, settings: s, tools: parseGeminiTools(s.tools, caps) }).setup as { setup: LiveClientSetup }).setup;
}

describe('Gemini tuning settings in the setup (@google/genai types)', () => {
  it('every tuned setting lands in the setup field by field, in the SDK shape (2.5 native audio: thinking budget)', () => {
    const setup = setupFor('gemini-2.5-flash-native-audio-preview-12-2025', {
      media_resolution: 'LOW',
      speech_language: 'de-DE',
      activity_handling: 'NO_INTERRUPTION',
      turn_coverage: 'TURN_INCLUDES_ALL_INPUT',
      compression_trigger_tokens: 32000,
      compression_target_tokens: 16000,
      google_search: true,
      thinking_budget: 512,
      include_thoughts: true,
      interim_transcript_timestamps: true,
    });
    // Checked against the SDK's setup type at compile time; compared with the built one field by field.
    const expected = {
      model: 'models/gemini-2.5-flash-native-audio-preview-12-2025',
      generationConfig: {
        responseModalities: [Modality.AUDIO],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } }, languageCode: 'de-DE' },
        temperature: 1,
        mediaResolution: MediaResolution.MEDIA_RESOLUTION_LOW,
        thinkingConfig: { thinkingBudget: 512, includeThoughts: true },
      },
      systemInstruction: { parts: [{ text: 'You are a helpful voice assistant. Keep answers short.' }], role: 'user' },
      tools: [{ googleSearch: {} }],
      realtimeInputConfig: {
        automaticActivityDetection: { disabled: false },
        activityHandling: ActivityHandling.NO_INTERRUPTION,
        turnCoverage: TurnCoverage.TURN_INCLUDES_ALL_INPUT,
        interimTranscriptTimestampEnabled: true,
      },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
      sessionResumption: {},
      contextWindowCompression: { slidingWindow: { targetTokens: '16000' }, triggerTokens: '32000' },
    } satisfies LiveClientSetup;
    expect(setup).toEqual(expected);
  });

  it('the capability table decides: 3.8 gets no thinking budget, 3.1 its level, defaults add nothing', () => {
    const s38 = setupFor('gemini-3.8-live', { thinking_budget: 512, include_thoughts: true });
    expect(s38.generationConfig).not.toHaveProperty('thinkingConfig');
    const s31 = setupFor('gemini-3.1-flash-live-preview', { thinking_level: 'low', thinking_budget: 512, include_thoughts: true });
    expect(s31.generationConfig?.thinkingConfig).toEqual({ thinkingLevel: 'LOW', includeThoughts: true });
    const plain = setupFor('gemini-3.8-live', {});
    expect(plain.generationConfig).not.toHaveProperty('mediaResolution');
    expect(plain.realtimeInputConfig).toEqual({ automaticActivityDetection: { disabled: false } });
    expect(plain.contextWindowCompression).toEqual({ slidingWindow: {} });
    expect(plain).not.toHaveProperty('tools');
    expect(geminiModelCapabilities('gemini-3.8-live-extended-thinking').thinkingLevel).toBe(false);
    // Every Gemini setting is part of the frozen setup.
    expect(GEMINI_LIVE_SETTINGS.every((f) => f.apply === 'reconnect')).toBe(true);
    const labels = GEMINI_LIVE_SETTINGS.map((f) => f.label.toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('refuses bad tuning input with a plain reason', () => {
    expect(() => setupFor('gemini-3.8-live', { speech_language: 'German!' })).toThrow(GeminiSettingsError);
    expect(() => setupFor('gemini-3.8-live', { compression_trigger_tokens: 1000, compression_target_tokens: 2000 })).toThrow(/below/);
    expect(() => parseGeminiTools('[{"name":"f","scheduling":"LATER"}]', geminiModelCapabilities('gemini-3.8-live'))).toThrow(/SILENT, WHEN_IDLE or INTERRUPT/);
    // Scheduling applies to non-blocking calls only: on 3.1 (blocking only) it is dropped with a note.
    const t31 = parseGeminiTools('[{"name":"f","scheduling":"SILENT"}]', geminiModelCapabilities('gemini-3.1-flash-live-preview'));
    expect(t31.scheduling.size).toBe(0);
    expect(t31.dropped.join(' ')).toMatch(/scheduling: ignored/);
    expect(t31.declarations[0]).not.toHaveProperty('scheduling');
  });
});

describe('Gemini tuning against the fake server', () => {
  it('tool responses carry each tool\'s scheduling (SILENT / WHEN_IDLE / INTERRUPT) on FunctionResponse.scheduling', async () => {
    const tools = JSON.stringify([
      { name: 'quiet', parameters: { type: 'object', properties: {} }, scheduling: 'SILENT' },
      { name: 'urgent', parameters: { type: 'object', properties: {} }, scheduling: 'INTERRUPT' },
      { name: 'plain', parameters: { type: 'object', properties: {} } },
    ]);
    const h = await geminiSession(pool, { replies: [{ toolCalls: [{ name: 'quiet', id: 'fc_1' }, { name: 'urgent', id: 'fc_2' }, { name: 'plain', id: 'fc_3' }], nonBlocking: true, botText: 'Ok.' }] }, { settings: { tools } });
    for (const n of ['quiet', 'urgent', 'plain']) h.client.registerFunctionCallHandler(n, async () => n);
    await h.client.connect();
    h.client.sendText('go');
    const responses = () => h.server.received.filter((f) => f.type === 'toolResponse').map((f) => (f.json!.toolResponse as { functionResponses: Array<{ name: string; scheduling?: string }> }).functionResponses[0]);
    await waitUntil('three tool responses', () => responses().length === 3);
    expect(Object.fromEntries(responses().map((r) => [r.name, r.scheduling]))).toEqual({ quiet: 'SILENT', urgent: 'INTERRUPT', plain: 'WHEN_IDLE' });
    // The declaration on the wire carries no `scheduling` (it is not a FunctionDeclaration field).
    const decls = (h.server.current!.setup!.tools as Array<{ functionDeclarations: Array<Record<string, unknown>> }>)[0].functionDeclarations;
    expect(decls.every((d) => !('scheduling' in d))).toBe(true);
  });

  it('property: grounding metadata is reported once per reply (RTVI server-message) wherever the server places it; interaction status follows turnComplete', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('with-audio' as const, 'own-message' as const, 'with-turn-complete' as const), fc.constantFrom('IN_PROGRESS' as const, 'IDLE' as const), async (placement, status) => {
        const grounding = { queries: ['weather Oslo today'], sources: [{ uri: 'https://www.yr.no/oslo', title: 'yr.no' }] };
        const h = await geminiSession(pool, { replies: [{ botText: 'It is cold in Oslo.', audioMs: 300, grounding, groundingPlacement: placement, interactionStatus: status, waitingForInput: status === 'IDLE' }] }, { settings: { google_search: true } });
        await h.client.connect();
        expect(h.server.current!.setup!.tools).toEqual([{ googleSearch: {} }]);
        h.client.sendText('Weather in Oslo?');
        await waitUntil('the interaction status', () => h.serverMessages('interaction-status').length === 1);
        expect(h.serverMessages('grounding')).toEqual([{ type: 'grounding', queries: grounding.queries, sources: grounding.sources }]);
        expect(h.serverMessages('interaction-status')[0]).toEqual({ type: 'interaction-status', status, waiting_for_input: status === 'IDLE' });
        // The raw frame holding it is in the log too.
        expect(h.frames.some((f) => f.direction === 'in' && JSON.stringify(f).includes('webSearchQueries'))).toBe(true);
        await pool.cleanup();
      }),
      { numRuns: 6 },
    );
  });

  it('without Google Search in the setup the fake sends no grounding', async () => {
    const h = await geminiSession(pool, { replies: [{ botText: 'Hi.', grounding: { queries: ['q'], sources: [] } }] });
    await h.client.connect();
    h.client.sendText('hi');
    await waitUntil('the reply', () => h.of('bot-llm-stopped').length >= 1);
    expect(h.serverMessages('grounding')).toEqual([]);
  });
});
