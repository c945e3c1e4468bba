import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import type { SettingField } from '../settings-schema.ts';
import { GEMINI_DEFAULT_ENDPOINT } from './gemini-endpoint.ts';
import { GeminiLiveWebsocketTransport } from './gemini-live-transport.ts';
import { DEFAULT_GEMINI_MODEL, GEMINI_MODELS, geminiModelCapabilities } from './gemini-models.ts';
import { parseGeminiTools } from './gemini-setup.ts';
import { GEMINI_TUNING_SETTINGS } from './gemini-tuning.ts';

const RECONNECT = 'reconnect' as const;
const caps = (s: Record<string, unknown>) => geminiModelCapabilities(typeof s.model === 'string' ? s.model : undefined);
const automatic = (s: Record<string, unknown>) => s.turn_detection !== 'push_to_talk';
const SENSITIVITY = [
  { value: 'default', label: 'Default' },
  { value: 'high', label: 'High' },
  { value: 'low', label: 'Low' },
];

/** Every Gemini Live setting is part of the setup, which cannot change mid-session: all apply on reconnect. */
export const GEMINI_LIVE_SETTINGS: SettingField[] = [
  {
    key: 'model', label: 'Model', kind: 'text', default: DEFAULT_GEMINI_MODEL, apply: RECONNECT,
    suggestions: GEMINI_MODELS.map((m) => m.id),
    help: 'Any Live model id. gemini-3.8-live is the current default; 3.1 and 2.5 models are legacy previews.',
  },
  {
    key: 'voice', label: 'Voice', kind: 'text', default: 'Kore', apply: RECONNECT,
    suggestions: ['Kore', 'Puck', 'Charon', 'Fenrir', 'Aoede', 'Zephyr', 'Leda', 'Orus'],
  },
  { key: 'instructions', label: 'System instructions', kind: 'textarea', default: 'You are a helpful voice assistant. Keep answers short.', apply: RECONNECT },
  {
    key: 'turn_detection', label: 'Turn detection', kind: 'select', default: 'automatic', apply: RECONNECT,
    options: [
      { value: 'automatic', label: 'Automatic (server voice activity detection)' },
      { value: 'push_to_talk', label: 'Push to talk' },
    ],
  },
  { key: 'start_sensitivity', label: 'Start-of-speech sensitivity', kind: 'select', default: 'default', options: SENSITIVITY, apply: RECONNECT, advanced: true, visibleWhen: automatic },
  { key: 'end_sensitivity', label: 'End-of-speech sensitivity', kind: 'select', default: 'default', options: SENSITIVITY, apply: RECONNECT, advanced: true, visibleWhen: automatic },
  {
    key: 'silence_duration_ms', label: 'Silence before end of turn (ms)', kind: 'number', default: 0, min: 0, max: 10_000, step: 50, apply: RECONNECT, advanced: true,
    help: '0 uses the server default.', visibleWhen: automatic,
  },
  {
    key: 'response_modality', label: 'Response modality', kind: 'select', default: 'AUDIO', apply: RECONNECT, advanced: true,
    options: [
      { value: 'AUDIO', label: 'Audio' },
      { value: 'TEXT', label: 'Text' },
    ],
    help: 'Native-audio models (all current Live models) answer in audio only; Text is offered for half-cascade models.',
    visibleWhen: (s) => caps(s).responseModalities.length > 1,
  },
  {
    key: 'thinking_level', label: 'Thinking level', kind: 'select', default: 'default', apply: RECONNECT, advanced: true,
    options: [
      { value: 'default', label: 'Default' },
      { value: 'minimal', label: 'Minimal' },
      { value: 'low', label: 'Low' },
      { value: 'medium', label: 'Medium' },
      { value: 'high', label: 'High' },
    ],
    visibleWhen: (s) => caps(s).thinkingLevel,
  },
  { key: 'temperature', label: 'Temperature', kind: 'number', default: 1, min: 0, max: 2, step: 0.05, apply: RECONNECT, advanced: true, visibleWhen: (s) => caps(s).temperature },
  { key: 'max_output_tokens', label: 'Max output tokens', kind: 'number', default: 0, min: 0, max: 65_536, step: 1, apply: RECONNECT, advanced: true, help: '0 means no limit.' },
  { key: 'input_transcription', label: 'Transcribe your speech', kind: 'boolean', default: true, apply: RECONNECT },
  { key: 'output_transcription', label: "Transcribe the bot's speech", kind: 'boolean', default: true, apply: RECONNECT },
  {
    key: 'tools', label: 'Tools (JSON)', kind: 'json', default: '[]', apply: RECONNECT,
    help: 'An array of function declarations: {"name", "description", "parameters" (JSON schema), "behavior"?: "BLOCKING" | "NON_BLOCKING"}. Schemas are sent as Live\'s Schema subset (parametersJsonSchema is ignored by Live: calls would arrive without arguments); the log says what was dropped. gemini-3.8-live calls non-blocking by default; 3.1 models call synchronously only.',
  },
  ...GEMINI_TUNING_SETTINGS,
  {
    key: 'auth', label: 'Authentication', kind: 'select', default: 'token', apply: RECONNECT, advanced: true,
    options: [
      { value: 'token', label: 'Short-lived token (key sent in a header)' },
      { value: 'key-in-url', label: 'Key in the WebSocket URL' },
    ],
    help: 'Key in the URL: Chrome prints the URL of a failed WebSocket to the console, where no extension can hide it, so the long-lived key can leak there. Use only with a throwaway key or a proxy that needs it.',
  },
  { key: 'session_resumption', label: 'Session resumption', kind: 'boolean', default: true, apply: RECONNECT, advanced: true, help: 'Reconnects transparently when Gemini ends a connection (goAway, about every 10 minutes).' },
  {
    key: 'context_compression', label: 'Context window compression', kind: 'boolean', default: true, apply: RECONNECT, advanced: true,
    help: 'Sliding window. Without it Gemini ends a session after about 15 minutes of audio, or 2 minutes once video is sent, and resumption does not extend that.',
  },
];

const geminiLive: AdapterDescriptor & { order: number } = {
  id: 'gemini-live',
  label: 'Gemini Live',
  order: 10,
  needsKey: true,
  defaultEndpoint: GEMINI_DEFAULT_ENDPOINT,
  acceptsVideo: true,
  supportsPushToTalk: true,
  description: 'Google Gemini Live API over WebSocket. The key mints a short-lived token (sent in a header); setup changes apply on reconnect.',
  settings: GEMINI_LIVE_SETTINGS,
  create: (options, manager) => new GeminiLiveWebsocketTransport(options, manager),
  describeTools: (json, settings) => {
    try {
      return parseGeminiTools(json, caps(settings)).dropped;
    } catch {
      return []; // the Tools field's own validation explains JSON errors
    }
  },
};

export default geminiLive;
