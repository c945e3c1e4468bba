import type { ContextWindowCompressionConfig, GenerationConfig, LiveClientSetup, RealtimeInputConfig, Tool } from '@google/genai';
import type { SettingField } from '../settings-schema.ts';
import { geminiModelCapabilities, type GeminiModelCapabilities } from './gemini-models.ts';

/**
 * The Gemini Live settings developers tune beyond the basics (issue 17 item 3), their form fields,
 * and their place in the `setup` message. Shapes follow @google/genai 3.1.0's types
 * (`LiveClientSetup`, `GenerationConfig`, `RealtimeInputConfig`, `ContextWindowCompressionConfig`,
 * `Tool.googleSearch`). All of them are part of the setup, which cannot change mid-session: they
 * apply on the next Connect. Which model takes what: gemini-models.ts.
 */
export interface GeminiTuningSettings {
  /** 'default' | 'LOW' | 'MEDIUM' | 'HIGH' (`MediaResolution`). */
  media_resolution?: string;
  /** BCP-47, e.g. de-DE (`SpeechConfig.languageCode`); '' lets the model choose. */
  speech_language?: string;
  /** 'default' | 'START_OF_ACTIVITY_INTERRUPTS' | 'NO_INTERRUPTION' (`ActivityHandling`). */
  activity_handling?: string;
  /** 'default' | `TurnCoverage` value. */
  turn_coverage?: string;
  /** 0: the server's default. */
  compression_trigger_tokens?: number;
  compression_target_tokens?: number;
  google_search?: boolean;
  /** -1: automatic (the default); 0 turns thinking off (`ThinkingConfig.thinkingBudget`). */
  thinking_budget?: number;
  include_thoughts?: boolean;
  interim_transcript_timestamps?: boolean;
  context_compression?: boolean;
  response_modality?: string;
  thinking_level?: string;
}

const RECONNECT = 'reconnect' as const;
const caps = (s: Record<string, unknown>) => geminiModelCapabilities(typeof s.model === 'string' ? s.model : undefined);
const DEFAULT = { value: 'default', label: 'Server default' };

export const GEMINI_TUNING_SETTINGS: SettingField[] = [
  {
    key: 'speech_language', label: 'Speech language', kind: 'text', default: '', apply: RECONNECT, advanced: true,
    suggestions: ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'ja-JP', 'pt-BR', 'hi-IN'],
    help: 'BCP-47 code of the language the bot speaks; empty lets the model choose.',
  },
  {
    key: 'activity_handling', label: 'Activity handling', kind: 'select', default: 'default', apply: RECONNECT, advanced: true,
    options: [DEFAULT, { value: 'START_OF_ACTIVITY_INTERRUPTS', label: 'Your speech interrupts the bot' }, { value: 'NO_INTERRUPTION', label: 'The bot finishes its reply' }],
  },
  {
    key: 'turn_coverage', label: 'Turn coverage', kind: 'select', default: 'default', apply: RECONNECT, advanced: true,
    options: [
      DEFAULT,
      { value: 'TURN_INCLUDES_ONLY_ACTIVITY', label: 'Only speech (activity)' },
      { value: 'TURN_INCLUDES_ALL_INPUT', label: 'All input, silence included' },
      { value: 'TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO', label: 'Speech and all video frames' },
    ],
    help: 'What the user turn holds. Defaults differ by model (3.x: speech and all video).',
  },
  {
    key: 'media_resolution', label: 'Media resolution', kind: 'select', default: 'default', apply: RECONNECT, advanced: true,
    options: [DEFAULT, { value: 'LOW', label: 'Low (64 tokens a frame)' }, { value: 'MEDIUM', label: 'Medium (256 tokens a frame)' }, { value: 'HIGH', label: 'High' }],
    help: 'Tokens per camera or tab frame: lower is cheaper and keeps long video sessions in context.',
  },
  {
    key: 'google_search', label: 'Google Search grounding', kind: 'boolean', default: false, apply: RECONNECT, advanced: true,
    visibleWhen: (s) => caps(s).googleSearch,
    help: 'Lets the model search; the searches and sources show in the conversation.',
  },
  {
    key: 'thinking_budget', label: 'Thinking budget (tokens)', kind: 'number', default: -1, min: -1, max: 32_768, step: 128, apply: RECONNECT, advanced: true,
    visibleWhen: (s) => caps(s).thinkingBudget,
    help: '-1 lets the model decide; 0 turns thinking off.',
  },
  {
    key: 'include_thoughts', label: 'Include thought summaries', kind: 'boolean', default: false, apply: RECONNECT, advanced: true,
    visibleWhen: (s) => caps(s).thinkingBudget || caps(s).thinkingLevel,
    help: 'Thought parts show in the Raw event log; they are never spoken or shown as the reply.',
  },
  {
    key: 'compression_trigger_tokens', label: 'Compression trigger (tokens)', kind: 'number', default: 0, min: 0, max: 1_048_576, step: 1024, apply: RECONNECT, advanced: true,
    visibleWhen: (s) => s.context_compression !== false,
    help: 'Context size that starts compression; 0 uses the server default.',
  },
  {
    key: 'compression_target_tokens', label: 'Compression target (tokens)', kind: 'number', default: 0, min: 0, max: 1_048_576, step: 1024, apply: RECONNECT, advanced: true,
    visibleWhen: (s) => s.context_compression !== false,
    help: 'Context size the sliding window keeps; 0 uses the server default.',
  },
  {
    key: 'interim_transcript_timestamps', label: 'Interim transcript timestamps', kind: 'boolean', default: false, apply: RECONNECT, advanced: true,
    help: 'Asks for timestamps on the low-latency interim transcription of your speech (interim text shows in the log).',
  },
];

export class GeminiTuningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeminiTuningError';
  }
}

const SELECTS: Record<string, string[]> = {
  media_resolution: ['LOW', 'MEDIUM', 'HIGH'],
  activity_handling: ['START_OF_ACTIVITY_INTERRUPTS', 'NO_INTERRUPTION'],
  turn_coverage: ['TURN_INCLUDES_ONLY_ACTIVITY', 'TURN_INCLUDES_ALL_INPUT', 'TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO'],
};

function choice(s: GeminiTuningSettings, key: keyof typeof SELECTS & keyof GeminiTuningSettings): string | null {
  const v = s[key];
  if (v === undefined || v === '' || v === 'default') return null;
  if (typeof v !== 'string' || !SELECTS[key].includes(v)) throw new GeminiTuningError(`${key}: unknown choice ${JSON.stringify(v)}.`);
  return v;
}

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : null;
}

/** Adds the tuning fields to a built setup (the inner `setup` object), in place. */
export function tuneGeminiSetup(setup: LiveClientSetup, s: GeminiTuningSettings, c: GeminiModelCapabilities): LiveClientSetup {
  const gc: GenerationConfig = (setup.generationConfig ??= {});
  const media = choice(s, 'media_resolution');
  if (media) gc.mediaResolution = `MEDIA_RESOLUTION_${media}` as GenerationConfig['mediaResolution'];
  const language = s.speech_language?.trim();
  if (language) {
    if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) throw new GeminiTuningError(`Speech language "${language}" is not a BCP-47 code such as en-US.`);
    // Audio answers only: a TEXT session has no speech to set a language for.
    if ((gc.responseModalities ?? []).map(String).includes('AUDIO')) gc.speechConfig = { ...(gc.speechConfig ?? {}), languageCode: language };
  }
  if (c.thinkingBudget && typeof s.thinking_budget === 'number' && Number.isFinite(s.thinking_budget) && s.thinking_budget >= 0) {
    gc.thinkingConfig = { ...(gc.thinkingConfig ?? {}), thinkingBudget: Math.floor(s.thinking_budget) };
  }
  if ((c.thinkingBudget || c.thinkingLevel) && s.include_thoughts === true) gc.thinkingConfig = { ...(gc.thinkingConfig ?? {}), includeThoughts: true };

  const ric: RealtimeInputConfig = (setup.realtimeInputConfig ??= {});
  const handling = choice(s, 'activity_handling');
  if (handling) ric.activityHandling = handling as RealtimeInputConfig['activityHandling'];
  const coverage = choice(s, 'turn_coverage');
  if (coverage) ric.turnCoverage = coverage as RealtimeInputConfig['turnCoverage'];
  if (s.interim_transcript_timestamps === true) ric.interimTranscriptTimestampEnabled = true;

  const cwc = setup.contextWindowCompression as ContextWindowCompressionConfig | undefined;
  if (cwc) {
    // int64 fields travel as strings in proto3 JSON (provider-protocols.md B.3: "triggerTokens":"25600").
    const trigger = positiveInt(s.compression_trigger_tokens);
    const target = positiveInt(s.compression_target_tokens);
    if (trigger !== null && target !== null && target >= trigger) throw new GeminiTuningError('Compression target (tokens) must be below Compression trigger (tokens).');
    if (trigger !== null) cwc.triggerTokens = String(trigger);
    if (target !== null) cwc.slidingWindow = { ...(cwc.slidingWindow ?? {}), targetTokens: String(target) };
  }

  if (c.googleSearch && s.google_search === true) {
    const tools = (setup.tools ?? []) as Tool[];
    setup.tools = [...tools, { googleSearch: {} }];
  }
  return setup;
}
