import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { SERVER_VAD_OR_PTT, compatibleSettings } from '../openai-realtime/openai-compatible-settings.ts';
import { ELEVENLABS_DEFAULT_ENDPOINT, ELEVENLABS_DEFAULT_MODEL, ELEVENLABS_MODEL_SUGGESTIONS } from '../openai-realtime/openai-vendor-profile.ts';
import { TOKEN_HOST_PATTERNS, tokenHostPermission } from '../openai-realtime/token-host.ts';
import { ElevenLabsRealtimeWebsocketTransport } from './elevenlabs-realtime-transport.ts';

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'elevenlabs-realtime',
  label: 'ElevenLabs Realtime',
  needsKey: true,
  order: 31,
  defaultEndpoint: ELEVENLABS_DEFAULT_ENDPOINT,
  acceptsVideo: false,
  supportsPushToTalk: true,
  settings: compatibleSettings(['model', 'voice', 'instructions', 'turn_detection', 'transcription_model', 'speed', 'tools', 'tool_choice'], {
    model: { default: ELEVENLABS_DEFAULT_MODEL, suggestions: ELEVENLABS_MODEL_SUGGESTIONS, help: 'An Eleven Realtime model id.' },
    voice: { default: '', suggestions: [], help: 'An ElevenLabs voice id from your voice library; empty uses the model\'s default voice.' },
    turn_detection: SERVER_VAD_OR_PTT,
    transcription_model: { default: '', suggestions: [], help: 'Empty: no transcription model is requested (the service decides).' },
  }),
  description: 'ElevenLabs\' OpenAI-compatible realtime endpoint over WebSocket: 24 kHz audio, server VAD or push to talk, tools. The key only mints a short-lived client secret.',
  keyNote: 'Used only to mint a 10-minute client secret (sent in the xi-api-key header to api.elevenlabs.io); the WebSocket carries only that secret.',
  tokenHostPermission: (endpoint) => tokenHostPermission(endpoint, ELEVENLABS_DEFAULT_ENDPOINT, TOKEN_HOST_PATTERNS),
  create: (options, manager) => new ElevenLabsRealtimeWebsocketTransport(options, manager),
};

export default descriptor;
