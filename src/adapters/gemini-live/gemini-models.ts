/**
 * What each Live model accepts (provider-protocols.md B.2, B.2b). The setup builder and the settings
 * form read this table, so a model that cannot take a setting is never sent it.
 */
export type GeminiTextInputPath = 'clientContent' | 'realtimeInput';
export type GeminiToolScheduling = 'blocking-only' | 'blocking-default' | 'non-blocking-default';
/**
 * What the Interrupt button can send to stop generation. Every `clientContent` "will interrupt any
 * current model generation" [GEN-T `LiveClientContent`]; `turnComplete: false` makes the server wait
 * instead of answering again. 3.1 takes `clientContent` for initial history only (B.2), but a capture
 * of a live 3.1 session shows a mid-reply `clientContent{turnComplete:true}` answered by `interrupted`
 * (provider-protocols.md E): that form, and only that one, is known to work there.
 */
export type GeminiInterruptMessage = { clientContent: { turnComplete: boolean } };

export interface GeminiModelCapabilities {
  id: string;
  /** Response modalities the model can be asked for; the first is the default. */
  responseModalities: Array<'AUDIO' | 'TEXT'>;
  /** `thinkingConfig.thinkingLevel` accepted in the setup. */
  thinkingLevel: boolean;
  /**
   * `thinkingConfig.thinkingBudget` accepted in the setup (@google/genai `ThinkingConfig`: "0 is
   * DISABLED. -1 is AUTOMATIC"). 2.5 Live models: Google's Live API page "Configure Gemini
   * capabilities" (docs.cloud.google.com/vertex-ai/generative-ai/docs/live-api/configure-gemini-capabilities:
   * dynamic thinking on by default, `thinking_budget` 0 disables it). 3.1 takes `thinkingLevel`
   * instead (B.2); 3.8 takes no thinkingConfig at all (B.2b).
   */
  thinkingBudget: boolean;
  /**
   * `tools: [{googleSearch: {}}]` offered. Google lists Search grounding among the Live API's tools
   * (provider-protocols.md B.4 `tools`; @google/genai `Tool.googleSearch`); no table model is
   * documented as refusing it.
   */
  googleSearch: boolean;
  /** `clientContent` may be sent at any time (3.1 takes it for initial history only). */
  midSessionClientContent: boolean;
  /** Where `send-text` goes. */
  textInput: GeminiTextInputPath;
  /** Initial history needs `historyConfig.initialHistoryInClientContent` in the setup (3.1). */
  historyNeedsConfig: boolean;
  /** Function calling mode: whether declarations take `behavior` and responses `scheduling`. */
  tools: GeminiToolScheduling;
  temperature: boolean;
  /** Marked deprecated or legacy by Google. */
  legacy: boolean;
  /** What stops a reply in progress. */
  interrupt: GeminiInterruptMessage;
}

export const DEFAULT_GEMINI_MODEL = 'gemini-3.8-live';

const GEMINI_38: Omit<GeminiModelCapabilities, 'id'> = {
  responseModalities: ['AUDIO'],
  thinkingLevel: false,
  thinkingBudget: false,
  googleSearch: true,
  midSessionClientContent: true,
  textInput: 'clientContent',
  historyNeedsConfig: false,
  tools: 'non-blocking-default',
  temperature: true,
  legacy: false,
  interrupt: { clientContent: { turnComplete: false } },
};

const GEMINI_31: Omit<GeminiModelCapabilities, 'id'> = {
  responseModalities: ['AUDIO'],
  thinkingLevel: true,
  thinkingBudget: false,
  googleSearch: true,
  midSessionClientContent: false,
  textInput: 'realtimeInput',
  historyNeedsConfig: true,
  tools: 'blocking-only',
  temperature: true,
  legacy: true,
  interrupt: { clientContent: { turnComplete: true } },
};

/**
 * Native-audio models speak for themselves: a TEXT response modality closes the socket with 1007
 * "Cannot extract voices from a non-audio request" (issue 12 item 8), so AUDIO is all they offer.
 */
const GEMINI_25_NATIVE_AUDIO: Omit<GeminiModelCapabilities, 'id'> = {
  responseModalities: ['AUDIO'],
  thinkingLevel: false,
  thinkingBudget: true,
  googleSearch: true,
  midSessionClientContent: true,
  textInput: 'clientContent',
  historyNeedsConfig: false,
  tools: 'blocking-default',
  temperature: true,
  legacy: true,
  interrupt: { clientContent: { turnComplete: false } },
};

/**
 * Half-cascade Live models (`gemini-live-2.5-flash-preview`, `gemini-2.0-flash-live-001`: a text
 * model plus TTS) take TEXT or AUDIO. Google shut them down on 2025-12-09 (B.2); a proxy or a
 * Vertex deployment may still serve one, so a typed-in id of that family keeps the choice.
 */
const GEMINI_HALF_CASCADE: Omit<GeminiModelCapabilities, 'id'> = { ...GEMINI_25_NATIVE_AUDIO, responseModalities: ['AUDIO', 'TEXT'] };

export const GEMINI_MODELS: GeminiModelCapabilities[] = [
  { id: 'gemini-3.8-live', ...GEMINI_38 },
  /**
   * The extended-thinking variant: listed as `google/gemini-3.8-live-extended-thinking` ("real-time
   * audio model with extended thinking capabilities") on vercel.com/ai-gateway/models, which reports
   * no capability details; taken as 3.8 otherwise. Its background reasoning shows as
   * `serverContent.interactionStatus` IN_PROGRESS / IDLE (@google/genai `InteractionStatus`).
   */
  { id: 'gemini-3.8-live-extended-thinking', ...GEMINI_38 },
  { id: 'gemini-3.1-flash-live-preview', ...GEMINI_31 },
  { id: 'gemini-2.5-flash-native-audio-preview-12-2025', ...GEMINI_25_NATIVE_AUDIO },
  { id: 'gemini-2.5-flash-native-audio-preview-09-2025', ...GEMINI_25_NATIVE_AUDIO },
  { id: 'gemini-2.5-flash-native-audio-latest', ...GEMINI_25_NATIVE_AUDIO },
];

/** `models/gemini-x` and `gemini-x` name the same model. */
export function bareModelId(model: string): string {
  return model.trim().replace(/^models\//, '');
}

/**
 * Capabilities of a model id. Free-text ids not in the table get their family's capabilities
 * (`gemini-3.8-…`, `gemini-3.1-…`, `gemini-2.5-…`), else the default model's.
 */
export function geminiModelCapabilities(model: string | undefined): GeminiModelCapabilities {
  const id = bareModelId(model || DEFAULT_GEMINI_MODEL);
  const known = GEMINI_MODELS.find((m) => m.id === id);
  if (known) return known;
  if (id.startsWith('gemini-3.1')) return { id, ...GEMINI_31 };
  if (id.includes('native-audio')) return { id, ...GEMINI_25_NATIVE_AUDIO };
  if (/^gemini-(live-)?2\.[05]/.test(id) && id.includes('live')) return { id, ...GEMINI_HALF_CASCADE };
  if (id.startsWith('gemini-2.5')) return { id, ...GEMINI_25_NATIVE_AUDIO };
  return { id, ...GEMINI_38 };
}
