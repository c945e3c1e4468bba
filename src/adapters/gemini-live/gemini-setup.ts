import type { GeminiModelCapabilities } from './gemini-models.ts';
import { toLiveSchema } from './gemini-tool-schema.ts';
import { tuneGeminiSetup, type GeminiTuningSettings } from './gemini-tuning.ts';
import type { LiveClientSetup } from '@google/genai';

/**
 * Builds the `setup` message (provider-protocols.md B.4) from the adapter's settings and the model's
 * capabilities, and the `clientContent` that seeds initial history. Pure, so every field is tested.
 */
export interface GeminiSettings extends GeminiTuningSettings {
  voice?: string;
  instructions?: string;
  turn_detection?: 'automatic' | 'push_to_talk' | string;
  start_sensitivity?: 'default' | 'high' | 'low' | string;
  end_sensitivity?: 'default' | 'high' | 'low' | string;
  silence_duration_ms?: number;
  prefix_padding_ms?: number;
  temperature?: number;
  max_output_tokens?: number;
  response_modality?: 'AUDIO' | 'TEXT' | string;
  thinking_level?: string;
  input_transcription?: boolean;
  output_transcription?: boolean;
  tools?: string;
  session_resumption?: boolean;
  context_compression?: boolean;
}

export type GeminiToolBehavior = 'BLOCKING' | 'NON_BLOCKING';

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: unknown;
  behavior?: GeminiToolBehavior;
}

export interface ParsedGeminiTools {
  declarations: GeminiFunctionDeclaration[];
  /** Whether a call to this function is non-blocking (its response then carries `scheduling`). */
  nonBlocking: Set<string>;
  /** What the conversion to Live's Schema subset dropped or changed, one note per keyword. */
  dropped: string[];
  /**
   * `FunctionResponse.scheduling` per non-blocking function, from the declaration's `scheduling`
   * (@google/genai `FunctionResponseScheduling`: "Only applicable to NON_BLOCKING function calls
   * … Defaults to WHEN_IDLE").
   */
  scheduling: Map<string, GeminiScheduling>;
}

export type GeminiScheduling = 'SILENT' | 'WHEN_IDLE' | 'INTERRUPT';

export class GeminiSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeminiSettingsError';
  }
}

/**
 * `Tools (JSON)`: an array of `{name, description, parameters, behavior?}`. Gemini's own
 * `[{functionDeclarations:[…]}]` and OpenAI's `{type:'function', …}` forms are accepted too, so a
 * preset from either provider pastes in.
 */
export function parseGeminiTools(json: string | undefined, caps: GeminiModelCapabilities): ParsedGeminiTools {
  const text = (json ?? '').trim();
  const out: ParsedGeminiTools = { declarations: [], nonBlocking: new Set(), dropped: [], scheduling: new Map() };
  if (!text) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GeminiSettingsError(`Tools (JSON) is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(raw)) throw new GeminiSettingsError('Tools (JSON) must be an array of function declarations.');
  const flat: unknown[] = [];
  for (const item of raw) {
    const fds = (item as { functionDeclarations?: unknown } | null)?.functionDeclarations;
    if (Array.isArray(fds)) flat.push(...fds);
    else flat.push(item);
  }
  const names = new Set<string>();
  for (const [i, item] of flat.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new GeminiSettingsError(`Tools (JSON): entry ${i + 1} is not an object.`);
    const entry = item as Record<string, unknown>;
    // OpenAI's chat shape nests the function: {type:'function', function:{name, parameters}}.
    const fn = entry.function && typeof entry.function === 'object' ? (entry.function as Record<string, unknown>) : entry;
    const { name, description } = fn;
    const behavior = entry.behavior ?? fn.behavior;
    const parameters = fn.parameters ?? fn.parametersJsonSchema;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(name)) {
      throw new GeminiSettingsError(`Tools (JSON): entry ${i + 1} needs a "name" of letters, digits, _ . : - (at most 64).`);
    }
    if (names.has(name)) throw new GeminiSettingsError(`Tools (JSON): "${name}" is declared twice.`);
    names.add(name);
    const decl: GeminiFunctionDeclaration = { name };
    if (typeof description === 'string' && description) decl.description = description;
    if (parameters !== undefined) {
      if (!parameters || typeof parameters !== 'object') throw new GeminiSettingsError(`Tools (JSON): "${name}".parameters must be a JSON schema object.`);
      const converted = toLiveSchema(parameters, name);
      decl.parameters = converted.schema;
      out.dropped.push(...converted.dropped);
    }
    let b: GeminiToolBehavior | undefined;
    if (behavior !== undefined) {
      const v = String(behavior).toUpperCase().replace(/-/g, '_');
      if (v !== 'BLOCKING' && v !== 'NON_BLOCKING') throw new GeminiSettingsError(`Tools (JSON): "${name}".behavior must be BLOCKING or NON_BLOCKING.`);
      b = v;
    }
    // 3.1 calls synchronously only and knows no `behavior`; the others take it.
    if (caps.tools !== 'blocking-only' && b) decl.behavior = b;
    const effective = caps.tools === 'blocking-only' ? 'BLOCKING' : (b ?? (caps.tools === 'non-blocking-default' ? 'NON_BLOCKING' : 'BLOCKING'));
    if (effective === 'NON_BLOCKING') out.nonBlocking.add(name);
    const scheduling = entry.scheduling ?? fn.scheduling;
    if (scheduling !== undefined) {
      const v = String(scheduling).toUpperCase().replace(/-/g, '_');
      if (v !== 'SILENT' && v !== 'WHEN_IDLE' && v !== 'INTERRUPT') throw new GeminiSettingsError(`Tools (JSON): "${name}".scheduling must be SILENT, WHEN_IDLE or INTERRUPT.`);
      if (effective !== 'NON_BLOCKING') out.dropped.push(`"${name}".scheduling: ignored, the call is blocking on this model (scheduling applies to non-blocking calls only)`);
      else out.scheduling.set(name, v);
    }
    out.declarations.push(decl);
  }
  return out;
}

export interface InitialMessage {
  role: string;
  content: string;
}

export interface GeminiSetupInput {
  model: string;
  caps: GeminiModelCapabilities;
  settings: GeminiSettings;
  tools: ParsedGeminiTools;
  initialMessages?: InitialMessage[];
  resumptionHandle?: string;
}

export interface GeminiSetupPlan {
  setup: Record<string, unknown>;
  /** Sent after setupComplete (never before): the initial history. */
  initialHistory: Record<string, unknown> | null;
}

const SENSITIVITY: Record<string, [string, string]> = {
  high: ['START_SENSITIVITY_HIGH', 'END_SENSITIVITY_HIGH'],
  low: ['START_SENSITIVITY_LOW', 'END_SENSITIVITY_LOW'],
};

export function buildGeminiSetup(input: GeminiSetupInput): GeminiSetupPlan {
  const { caps, settings: s } = input;
  const generationConfig: Record<string, unknown> = {};
  const modality = caps.responseModalities.includes(s.response_modality as 'AUDIO' | 'TEXT') ? (s.response_modality as string) : caps.responseModalities[0];
  generationConfig.responseModalities = [modality];
  if (modality === 'AUDIO' && s.voice?.trim()) {
    generationConfig.speechConfig = { voiceConfig: { prebuiltVoiceConfig: { voiceName: s.voice.trim() } } };
  }
  if (caps.temperature && typeof s.temperature === 'number' && Number.isFinite(s.temperature)) generationConfig.temperature = s.temperature;
  if (typeof s.max_output_tokens === 'number' && s.max_output_tokens > 0) generationConfig.maxOutputTokens = Math.floor(s.max_output_tokens);
  if (caps.thinkingLevel && s.thinking_level && s.thinking_level !== 'default') {
    generationConfig.thinkingConfig = { thinkingLevel: s.thinking_level.toUpperCase() };
  }

  const setup: Record<string, unknown> = { model: `models/${caps.id}`, generationConfig };

  const systemParts: string[] = [];
  if (s.instructions?.trim()) systemParts.push(s.instructions.trim());
  const history = (input.initialMessages ?? []).filter((m) => typeof m.content === 'string' && m.content.trim());
  // Gemini has no system role in turns: system messages join the system instruction.
  for (const m of history) if (m.role === 'system') systemParts.push(m.content.trim());
  if (systemParts.length) setup.systemInstruction = { parts: systemParts.map((text) => ({ text })), role: 'user' };

  if (input.tools.declarations.length) setup.tools = [{ functionDeclarations: input.tools.declarations }];

  if (s.turn_detection === 'push_to_talk') {
    setup.realtimeInputConfig = { automaticActivityDetection: { disabled: true } };
  } else {
    const aad: Record<string, unknown> = { disabled: false };
    const start = SENSITIVITY[s.start_sensitivity ?? ''];
    const end = SENSITIVITY[s.end_sensitivity ?? ''];
    if (start) aad.startOfSpeechSensitivity = start[0];
    if (end) aad.endOfSpeechSensitivity = end[1];
    if (typeof s.prefix_padding_ms === 'number' && s.prefix_padding_ms > 0) aad.prefixPaddingMs = Math.round(s.prefix_padding_ms);
    if (typeof s.silence_duration_ms === 'number' && s.silence_duration_ms > 0) aad.silenceDurationMs = Math.round(s.silence_duration_ms);
    setup.realtimeInputConfig = { automaticActivityDetection: aad };
  }

  if (s.input_transcription !== false) setup.inputAudioTranscription = {};
  if (s.output_transcription !== false) setup.outputAudioTranscription = {};
  if (s.session_resumption !== false) setup.sessionResumption = input.resumptionHandle ? { handle: input.resumptionHandle } : {};
  // On unless turned off: without it a session ends after about 15 min (audio) or 2 min (audio and
  // video), and resumption does not extend that (ai.google.dev/gemini-api/docs/live-session).
  if (s.context_compression !== false) setup.contextWindowCompression = { slidingWindow: {} };

  const turns = history
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'user' ? 'user' : 'model', parts: [{ text: m.content }] }));
  let initialHistory: Record<string, unknown> | null = null;
  // A resumed session already holds its history.
  if (turns.length && !input.resumptionHandle) {
    if (caps.historyNeedsConfig) setup.historyConfig = { initialHistoryInClientContent: true };
    // Ending on a user turn asks the model to answer it (the bot speaks first).
    initialHistory = { clientContent: { turns, turnComplete: turns[turns.length - 1].role === 'user' } };
  }
  try {
    tuneGeminiSetup(setup as LiveClientSetup, s, caps);
  } catch (e) {
    throw new GeminiSettingsError(e instanceof Error ? e.message : String(e));
  }
  return { setup: { setup }, initialHistory };
}
