import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { SERVER_VAD_OR_PTT, compatibleSettings } from '../openai-realtime/openai-compatible-settings.ts';
import { XAI_DEFAULT_ENDPOINT, XAI_DEFAULT_MODEL, XAI_MODEL_SUGGESTIONS, XAI_VOICES } from '../openai-realtime/openai-vendor-profile.ts';
import { TOKEN_HOST_PATTERNS, tokenHostPermission } from '../openai-realtime/token-host.ts';
import { GrokVoiceWebsocketTransport } from './grok-voice-transport.ts';

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'grok-voice',
  label: 'Grok Voice (xAI)',
  needsKey: true,
  order: 30,
  defaultEndpoint: XAI_DEFAULT_ENDPOINT,
  acceptsVideo: false,
  supportsPushToTalk: true,
  settings: compatibleSettings(['model', 'voice', 'instructions', 'turn_detection', 'tools'], {
    model: { default: XAI_DEFAULT_MODEL, suggestions: XAI_MODEL_SUGGESTIONS, help: 'xAI voice model id (grok-voice-latest follows the newest one).' },
    voice: { default: 'Ara', suggestions: XAI_VOICES, apply: 'live', help: 'One of xAI\'s voices: Ara, Eve, Leo, Rex, Sal.' },
    turn_detection: SERVER_VAD_OR_PTT,
  }),
  description: 'xAI Grok Voice Agent API over WebSocket (OpenAI Realtime events): 24 kHz audio, server VAD or push to talk, tools. The key only mints a 5-minute token.',
  keyNote: 'Used only to mint a 5-minute xAI token (sent in a header to api.x.ai); the WebSocket carries only that token.',
  tokenHostPermission: (endpoint) => tokenHostPermission(endpoint, XAI_DEFAULT_ENDPOINT, TOKEN_HOST_PATTERNS),
  create: (options, manager) => new GrokVoiceWebsocketTransport(options, manager),
};

export default descriptor;
