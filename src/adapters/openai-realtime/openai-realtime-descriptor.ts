import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import type { SettingField } from '../settings-schema.ts';
import {
  OPENAI_DEFAULT_ENDPOINT,
  OPENAI_DEFAULT_MODEL,
  OPENAI_DEFAULT_TRANSCRIPTION_MODEL,
  OPENAI_DEFAULT_VOICE,
  OPENAI_MODEL_SUGGESTIONS,
  OPENAI_TRANSCRIPTION_SUGGESTIONS,
} from './openai-session-config.ts';
import { OpenAIRealtimeWebsocketTransport } from './openai-realtime-transport.ts';
import { OPENAI_TUNING_SETTINGS } from './openai-tuning.ts';

const serverVad = (s: Record<string, unknown>) => (s.turn_detection ?? 'server_vad') === 'server_vad';
const semanticVad = (s: Record<string, unknown>) => s.turn_detection === 'semantic_vad';
const anyVad = (s: Record<string, unknown>) => s.turn_detection !== 'push_to_talk';

export const openAIRealtimeSettings: SettingField[] = [
  {
    key: 'model',
    label: 'Model',
    kind: 'text',
    default: OPENAI_DEFAULT_MODEL,
    suggestions: OPENAI_MODEL_SUGGESTIONS,
    apply: 'reconnect',
    help: 'Any GA realtime model name. The gpt-4o-*-realtime-preview aliases are refused by the GA interface.',
  },
  {
    key: 'voice',
    label: 'Voice',
    kind: 'text',
    default: OPENAI_DEFAULT_VOICE,
    suggestions: ['marin', 'cedar', 'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse'],
    apply: 'live',
    help: 'Applies live only until the model first speaks in a session; after that it takes effect on the next Connect.',
  },
  {
    key: 'instructions',
    label: 'System instructions',
    kind: 'textarea',
    default: 'You are a concise, friendly voice assistant.',
    apply: 'live',
  },
  {
    key: 'turn_detection',
    label: 'Turn detection',
    kind: 'select',
    default: 'server_vad',
    options: [
      { value: 'server_vad', label: 'Server VAD (silence based)' },
      { value: 'semantic_vad', label: 'Semantic VAD (meaning based)' },
      { value: 'push_to_talk', label: 'Push to talk (manual turns)' },
    ],
    apply: 'live',
    help: 'Push to talk sends audio only while "Hold to talk" is held, then commits it and asks for a response.',
  },
  { key: 'threshold', label: 'VAD threshold', kind: 'number', default: 0.5, min: 0, max: 1, step: 0.05, apply: 'live', advanced: true, visibleWhen: serverVad },
  { key: 'prefix_padding_ms', label: 'Prefix padding (ms)', kind: 'number', default: 300, min: 0, max: 2000, step: 50, apply: 'live', advanced: true, visibleWhen: serverVad },
  { key: 'silence_duration_ms', label: 'Silence duration (ms)', kind: 'number', default: 500, min: 100, max: 5000, step: 50, apply: 'live', advanced: true, visibleWhen: serverVad },
  {
    key: 'eagerness',
    label: 'Eagerness',
    kind: 'select',
    default: 'auto',
    options: ['auto', 'low', 'medium', 'high'].map((v) => ({ value: v, label: v })),
    apply: 'live',
    advanced: true,
    visibleWhen: semanticVad,
  },
  {
    key: 'interrupt_response',
    label: 'Interrupt the bot when the user speaks',
    kind: 'boolean',
    default: true,
    apply: 'live',
    advanced: true,
    visibleWhen: anyVad,
  },
  {
    key: 'transcription_model',
    label: 'Transcription model',
    kind: 'text',
    default: OPENAI_DEFAULT_TRANSCRIPTION_MODEL,
    suggestions: OPENAI_TRANSCRIPTION_SUGGESTIONS,
    apply: 'live',
    advanced: true,
    help: 'Transcribes what you say (user-transcription events). Empty turns it off.',
  },
  {
    key: 'noise_reduction',
    label: 'Noise reduction',
    kind: 'select',
    default: '',
    options: [
      { value: '', label: 'Off' },
      { value: 'near_field', label: 'Near field (headset)' },
      { value: 'far_field', label: 'Far field (laptop, room)' },
    ],
    apply: 'live',
    advanced: true,
  },
  { key: 'speed', label: 'Speech speed', kind: 'number', default: 1, min: 0.25, max: 1.5, step: 0.05, apply: 'live', advanced: true },
  {
    key: 'output_modality',
    label: 'Output',
    kind: 'select',
    default: 'audio',
    options: [
      { value: 'audio', label: 'Audio (with transcript)' },
      { value: 'text', label: 'Text only' },
    ],
    apply: 'live',
    advanced: true,
  },
  {
    key: 'tools',
    label: 'Tools (JSON)',
    kind: 'json',
    default: '[]',
    apply: 'live',
    help: 'An array of {"name", "description", "parameters"} (JSON Schema); sent as GA function tools.',
  },
  { key: 'tool_choice', label: 'Tool choice', kind: 'text', default: 'auto', suggestions: ['auto', 'none', 'required'], apply: 'live', advanced: true, help: 'auto, none, required, or the name of one tool to force.' },
  { key: 'max_output_tokens', label: 'Max output tokens', kind: 'text', default: 'inf', apply: 'live', advanced: true, help: '1 to 4096, or inf.' },
  ...OPENAI_TUNING_SETTINGS,
  {
    key: 'auth',
    label: 'Authentication',
    kind: 'select',
    default: 'client-secret',
    options: [
      { value: 'client-secret', label: 'Short-lived client secret (recommended)' },
      { value: 'api-key-in-subprotocol', label: 'API key in the WebSocket handshake' },
    ],
    apply: 'reconnect',
    advanced: true,
    help:
      'By default the key only creates a 10-minute ek_ client secret and the socket uses that. Sending the long-lived key in the handshake exposes it to anything that can see the request headers (and to the browser console if the connection fails). A pasted ek_ secret is always used as is.',
  },
];

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'openai-realtime',
  label: 'OpenAI Realtime',
  needsKey: true,
  order: 20,
  defaultEndpoint: OPENAI_DEFAULT_ENDPOINT,
  acceptsVideo: false,
  supportsPushToTalk: true,
  settings: openAIRealtimeSettings,
  description: 'OpenAI Realtime API (GA) over WebSocket: 24 kHz audio both ways, server or semantic VAD or push to talk, tools, transcripts.',
  create: (options, manager) => new OpenAIRealtimeWebsocketTransport(options, manager),
};

export default descriptor;
