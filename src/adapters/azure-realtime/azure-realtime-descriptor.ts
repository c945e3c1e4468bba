import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { compatibleSettings } from '../openai-realtime/openai-compatible-settings.ts';
import { AZURE_DEFAULT_DEPLOYMENT, AZURE_ENDPOINT_PLACEHOLDER } from '../openai-realtime/openai-vendor-profile.ts';
import { TOKEN_HOST_PATTERNS, tokenHostPermission } from '../openai-realtime/token-host.ts';
import { AzureRealtimeWebsocketTransport } from './azure-realtime-transport.ts';

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'azure-realtime',
  label: 'Azure Realtime',
  needsKey: true,
  order: 32,
  defaultEndpoint: AZURE_ENDPOINT_PLACEHOLDER,
  acceptsVideo: false,
  supportsPushToTalk: true,
  settings: compatibleSettings(
    ['model', 'voice', 'instructions', 'turn_detection', 'threshold', 'prefix_padding_ms', 'silence_duration_ms', 'eagerness', 'interrupt_response', 'transcription_model', 'noise_reduction', 'speed', 'output_modality', 'tools', 'tool_choice', 'max_output_tokens'],
    {
      model: { label: 'Model', default: AZURE_DEFAULT_DEPLOYMENT, suggestions: [AZURE_DEFAULT_DEPLOYMENT], help: 'The name of your realtime model deployment (Azure takes the deployment name where OpenAI takes a model id).' },
      transcription_model: { default: '', suggestions: [], help: 'The name of a transcription model deployment (e.g. of gpt-4o-transcribe); empty turns transcription off.' },
    },
    [
      {
        key: 'azure_auth',
        label: 'Token in handshake',
        kind: 'select',
        default: 'client-secret-subprotocol',
        options: [
          { value: 'client-secret-subprotocol', label: 'Short-lived secret in the subprotocol (recommended)' },
          { value: 'client-secret-query', label: 'Short-lived secret in the api-key query parameter' },
        ],
        apply: 'reconnect',
        advanced: true,
        help: 'The key only mints a 10-minute ek_ secret (api-key header). Azure documents no browser route for the WebSocket; the query form puts the short-lived secret in the URL, which Chrome prints to the console if the connection fails.',
      },
    ],
  ),
  description: 'Azure OpenAI resources on the GA /openai/v1/realtime route over WebSocket: 24 kHz audio, server or semantic VAD or push to talk, tools. Needs your resource\'s Endpoint URL.',
  keyNote:
    'Used only to mint a 10-minute ek_ secret (sent in the api-key header to your resource). Azure documents no browser route for its WebSocket, so the socket carries only that short-lived secret (see "Token in handshake"), never the key. Set your resource\'s Endpoint URL under Advanced settings.',
  tokenHostPermission: (endpoint) => tokenHostPermission(endpoint, null, TOKEN_HOST_PATTERNS),
  create: (options, manager) => new AzureRealtimeWebsocketTransport(options, manager),
};

export default descriptor;
