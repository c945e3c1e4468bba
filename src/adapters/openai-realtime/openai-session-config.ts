import type {
  RealtimeAudioInputTurnDetection,
  RealtimeFunctionTool,
  RealtimeSessionCreateRequest,
  RealtimeToolChoiceConfig,
} from 'openai/resources/realtime/realtime';
import { OPENAI_TUNING_LIVE_KEYS, OPENAI_TUNING_PARAMS, OpenAITuningError, tuneSession, tuneTranscription, tuneTurnDetection, type OpenAITuningSettings } from './openai-tuning.ts';

/**
 * The adapter's settings (the panel's form values) and their translation into the GA session
 * object (`session.update.session` / the `client_secrets` body). Pure: no sockets, no DOM.
 */
export type OpenAITurnDetectionMode = 'server_vad' | 'semantic_vad' | 'push_to_talk';
export type OpenAIAuthMode = 'client-secret' | 'api-key-in-subprotocol';

export interface OpenAIRealtimeSettings extends Omit<OpenAITuningSettings, 'turn_detection'> {
  model?: string;
  voice?: string;
  instructions?: string;
  turn_detection?: OpenAITurnDetectionMode;
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  eagerness?: 'auto' | 'low' | 'medium' | 'high';
  interrupt_response?: boolean;
  /** '' turns input transcription off. */
  transcription_model?: string;
  /** '' turns noise reduction off. */
  noise_reduction?: '' | 'near_field' | 'far_field';
  speed?: number;
  output_modality?: 'audio' | 'text';
  /** JSON text (as the panel edits it) or an already parsed array of `{name, description, parameters}`. */
  tools?: string | ToolDeclaration[];
  /** `auto`, `none`, `required`, or the name of one function to force. */
  tool_choice?: string;
  /** 1..4096, or 'inf' / 0 / '' for no limit. */
  max_output_tokens?: number | string;
  auth?: OpenAIAuthMode;
}

export interface ToolDeclaration {
  type?: 'function';
  name: string;
  description?: string;
  parameters?: unknown;
}

/**
 * Defaults checked against the SDK types (openai 7.55, `resources/realtime/realtime.d.ts`) on
 * 2026-12-07. `gpt-realtime`, `gpt-realtime-mini` (and their dated snapshots) carry an "Announced
 * shutdown date: 2027-01-20"; `gpt-4o-mini-transcribe`, `gpt-4o-transcribe` and `whisper-1` one of
 * 2027-02-26. `gpt-realtime-1.5` (the model the service's own error text suggests) and
 * `gpt-transcribe` have none.
 */
export const OPENAI_DEFAULT_MODEL = 'gpt-realtime-1.5';
export const OPENAI_DEFAULT_VOICE = 'marin';
export const OPENAI_DEFAULT_TRANSCRIPTION_MODEL = 'gpt-transcribe';
/** Suggested ids without an announced shutdown (same source as the defaults), newest first. */
export const OPENAI_MODEL_SUGGESTIONS = ['gpt-realtime-1.5', 'gpt-realtime-2', 'gpt-realtime-2.1', 'gpt-realtime-2.1-mini', 'gpt-audio-1.5'];
export const OPENAI_TRANSCRIPTION_SUGGESTIONS = ['gpt-transcribe', 'gpt-live-transcribe'];
export const OPENAI_DEFAULT_ENDPOINT = 'wss://api.openai.com/v1/realtime';
export const OPENAI_SAMPLE_RATE = 24_000;

/** Settings that the API accepts in a mid-session `session.update`. Voice only until the first audio. */
export const OPENAI_LIVE_KEYS = new Set([
  'instructions',
  'voice',
  'turn_detection',
  'threshold',
  'prefix_padding_ms',
  'silence_duration_ms',
  'eagerness',
  'interrupt_response',
  'transcription_model',
  'noise_reduction',
  'speed',
  'output_modality',
  'tools',
  'tool_choice',
  'max_output_tokens',
  ...OPENAI_TUNING_LIVE_KEYS,
]);

/**
 * Settings the API takes only between model turns (SDK `RealtimeAudioConfigOutput.speed`: "can
 * only be changed in between model turns, not while a response is in progress"): held back
 * while a reply is active.
 */
export const OPENAI_BETWEEN_TURNS_KEYS = new Set(['speed']);

/** The setting behind an error's `param` (a path into the session object), or null. */
export function settingForParam(param: string | null | undefined): string | null {
  if (!param) return null;
  const p = param.replace(/^session\./, '');
  const table: Array<[RegExp, string]> = [
    [/^audio\.output\.voice/, 'voice'],
    [/^audio\.output\.speed/, 'speed'],
    [/^audio\.input\.turn_detection\.(threshold|prefix_padding_ms|silence_duration_ms|eagerness|interrupt_response)/, '$1'],
    [/^audio\.input\.turn_detection/, 'turn_detection'],
    [/^audio\.input\.transcription/, 'transcription_model'],
    [/^audio\.input\.noise_reduction/, 'noise_reduction'],
    [/^output_modalities/, 'output_modality'],
    [/^(instructions|tools|tool_choice|max_output_tokens)/, '$1'],
    ...OPENAI_TUNING_PARAMS,
  ];
  // The tuning fields' paths are more specific than the generic ones above (idle_timeout_ms under turn_detection).
  table.sort((a, b) => Number(OPENAI_TUNING_PARAMS.includes(b)) - Number(OPENAI_TUNING_PARAMS.includes(a)));
  for (const [re, key] of table) {
    const m = re.exec(p);
    if (m) return key.startsWith('$') ? m[1] : key;
  }
  return null;
}

export class OpenAISettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenAISettingsError';
  }
}

export function isPushToTalk(settings: OpenAIRealtimeSettings): boolean {
  return settings.turn_detection === 'push_to_talk';
}

export function interruptsOnSpeech(settings: OpenAIRealtimeSettings): boolean {
  return !isPushToTalk(settings) && settings.interrupt_response !== false;
}

export function buildTurnDetection(settings: OpenAIRealtimeSettings): RealtimeAudioInputTurnDetection | null {
  const mode = settings.turn_detection ?? 'server_vad';
  if (mode === 'push_to_talk') return null;
  const interrupt_response = settings.interrupt_response !== false;
  if (mode === 'semantic_vad') {
    return { type: 'semantic_vad', eagerness: settings.eagerness ?? 'auto', create_response: true, interrupt_response };
  }
  if (mode !== 'server_vad') throw new OpenAISettingsError(`Turn detection "${String(mode)}" is not one of server_vad, semantic_vad, push_to_talk.`);
  const td: RealtimeAudioInputTurnDetection.ServerVad = { type: 'server_vad', create_response: true, interrupt_response };
  if (isFiniteNumber(settings.threshold)) td.threshold = settings.threshold;
  if (isFiniteNumber(settings.prefix_padding_ms)) td.prefix_padding_ms = settings.prefix_padding_ms;
  if (isFiniteNumber(settings.silence_duration_ms)) td.silence_duration_ms = settings.silence_duration_ms;
  return td;
}

/** Parses the `Tools (JSON)` field into GA function tools; throws OpenAISettingsError with a plain reason. */
export function parseTools(tools: OpenAIRealtimeSettings['tools']): RealtimeFunctionTool[] {
  if (tools === undefined || tools === null || tools === '') return [];
  let list: unknown = tools;
  if (typeof tools === 'string') {
    try {
      list = JSON.parse(tools);
    } catch (e) {
      throw new OpenAISettingsError(`Tools (JSON) is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(list)) throw new OpenAISettingsError('Tools (JSON) must be an array of {name, description, parameters}.');
  return list.map((raw, i) => {
    if (!raw || typeof raw !== 'object') throw new OpenAISettingsError(`Tools (JSON) entry ${i + 1} is not an object.`);
    const t = raw as Record<string, unknown>;
    if (t.type !== undefined && t.type !== 'function') throw new OpenAISettingsError(`Tools (JSON) entry ${i + 1}: only function tools are supported (type "${String(t.type)}").`);
    if (typeof t.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(t.name)) {
      throw new OpenAISettingsError(`Tools (JSON) entry ${i + 1}: "name" must be 1-64 letters, digits, _ or -.`);
    }
    const tool: RealtimeFunctionTool = { type: 'function', name: t.name };
    if (typeof t.description === 'string') tool.description = t.description;
    tool.parameters = t.parameters && typeof t.parameters === 'object' ? t.parameters : { type: 'object', properties: {} };
    return tool;
  });
}

export function buildToolChoice(choice: string | undefined, tools: RealtimeFunctionTool[]): RealtimeToolChoiceConfig {
  const c = (choice ?? 'auto').trim();
  if (c === '' || c === 'auto') return 'auto';
  if (c === 'none' || c === 'required') return c;
  if (!tools.some((t) => t.name === c)) throw new OpenAISettingsError(`Tool choice "${c}" names no declared tool.`);
  return { type: 'function', name: c };
}

export function buildMaxOutputTokens(v: OpenAIRealtimeSettings['max_output_tokens']): number | 'inf' {
  if (v === undefined || v === null || v === '' || v === 'inf' || v === 0 || v === '0') return 'inf';
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new OpenAISettingsError('Max output tokens must be a whole number from 1 to 4096, or inf.');
  return n;
}

/**
 * The GA session object. `model` is only set for the client-secret request (the socket's model is
 * fixed by the URL); `voice` is left out once the model has spoken, because the API refuses to
 * change it then.
 */
export function buildSession(settings: OpenAIRealtimeSettings, opts: { model?: string; includeVoice?: boolean; includeTracing?: boolean } = {}): RealtimeSessionCreateRequest {
  try {
    return buildSessionUnchecked(settings, opts);
  } catch (e) {
    throw e instanceof OpenAITuningError ? new OpenAISettingsError(e.message) : e;
  }
}

function buildSessionUnchecked(settings: OpenAIRealtimeSettings, opts: { model?: string; includeVoice?: boolean; includeTracing?: boolean }): RealtimeSessionCreateRequest {
  const tools = parseTools(settings.tools);
  const transcriptionModel = settings.transcription_model ?? OPENAI_DEFAULT_TRANSCRIPTION_MODEL;
  const noise = settings.noise_reduction ?? '';
  const output: NonNullable<NonNullable<RealtimeSessionCreateRequest['audio']>['output']> = {
    format: { type: 'audio/pcm', rate: OPENAI_SAMPLE_RATE },
  };
  if (opts.includeVoice !== false) output.voice = settings.voice?.trim() || OPENAI_DEFAULT_VOICE;
  if (isFiniteNumber(settings.speed)) {
    if (settings.speed < 0.25 || settings.speed > 1.5) throw new OpenAISettingsError('Speed must be between 0.25 and 1.5.');
    output.speed = settings.speed;
  }
  const session: RealtimeSessionCreateRequest = {
    type: 'realtime',
    ...(opts.model ? { model: opts.model } : {}),
    output_modalities: [settings.output_modality === 'text' ? 'text' : 'audio'],
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: OPENAI_SAMPLE_RATE },
        transcription: transcriptionModel.trim() ? tuneTranscription({ model: transcriptionModel.trim() }, settings) : (null as never),
        noise_reduction: noise ? { type: noise } : (null as never),
        turn_detection: tuneTurnDetection(buildTurnDetection(settings), settings),
      },
      output,
    },
    tools,
    tool_choice: buildToolChoice(settings.tool_choice, tools),
    max_output_tokens: buildMaxOutputTokens(settings.max_output_tokens),
  };
  // The API keeps the server's default instructions unless told otherwise; '' is a deliberate clear.
  if (typeof settings.instructions === 'string') session.instructions = settings.instructions;
  return tuneSession(session, settings, { includeTracing: opts.includeTracing });
}

/** Checks every setting can be turned into a session (throws OpenAISettingsError otherwise). */
export function validateSettings(settings: OpenAIRealtimeSettings): void {
  buildSession(settings);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
