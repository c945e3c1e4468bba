import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { PIPECAT_TOOLS_SETTING } from '../pipecat-common/pipecat-tools-setting.ts';
import { PIPECAT_DEFAULT_ENDPOINT, PIPECAT_INPUT_RATE, PIPECAT_OUTPUT_RATE, PipecatWebsocketTransport } from './pipecat-websocket-transport.ts';

const RECONNECT = 'reconnect' as const;

/**
 * The host permission the start endpoint's POST needs (manifest `optional_host_permissions` offers
 * `<all_urls>`, so any host can be asked for, localhost included): asked at the first Connect with
 * an http(s) start URL. A ws:// bot URL needs none (extension WebSockets are not subject to CORS).
 */
export function startHostPermission(endpoint: string | undefined): string | null {
  const raw = endpoint?.trim();
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.protocol}//${u.hostname}/*`;
  } catch {
    return null;
  }
}

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'pipecat-websocket',
  label: 'Pipecat bot (WebSocket)',
  order: 40,
  needsKey: false,
  defaultEndpoint: PIPECAT_DEFAULT_ENDPOINT,
  acceptsVideo: false,
  supportsPushToTalk: false,
  description:
    "Your own Pipecat bot over Pipecat's WebSocket transport with ProtobufFrameSerializer. Endpoint URL (Advanced settings): the bot's ws:// URL, or an http(s):// start URL (such as the runner's /start) that answers with it. The bot's RTVI messages appear as they are sent.",
  settings: [
    PIPECAT_TOOLS_SETTING,
    { key: 'token', label: 'Bot token', kind: 'text', default: '', apply: RECONNECT, help: 'Optional. Sent as ?token= on the WebSocket (as Pipecat\'s web client does) and as Authorization: Bearer to a start URL. Never shown in logs, exports or presets.' },
    { key: 'start_body', label: 'Start request body (JSON)', kind: 'json', default: '{"transport": "websocket"}', apply: RECONNECT, advanced: true, help: 'POSTed to an http(s) start URL; the answer must carry "wsUrl" (Pipecat runner) or "ws_url", and may carry "token".' },
    { key: 'start_headers', label: 'Start request headers (JSON)', kind: 'json', default: '{}', apply: RECONNECT, advanced: true, help: 'Extra headers for the start request, as a JSON object of strings. Values are redacted from the inspector, but the field is kept with the settings (presets, recordings) like any other: put a secret in Bot token instead.' },
    { key: 'input_sample_rate', label: 'Microphone rate to the bot (Hz)', kind: 'number', default: PIPECAT_INPUT_RATE, min: 8000, max: 48_000, step: 1000, apply: RECONNECT, advanced: true, help: "Rate of the microphone audio sent to the bot. It must equal the bot's pipeline input rate (PipelineParams audio_in_sample_rate, 16000 by default): Pipecat does not resample input, so audio at another rate reaches its STT at the wrong speed and is transcribed as nonsense." },
    { key: 'output_sample_rate', label: 'Bot audio rate (Hz)', kind: 'number', default: PIPECAT_OUTPUT_RATE, min: 8000, max: 48_000, step: 1000, apply: RECONNECT, advanced: true, help: "The bot's audio_out_sample_rate (Pipecat's default 24000). Audio at another rate is resampled, with a warning." },
  ],
  tokenHostPermission: startHostPermission,
  connectWhileAskingHost: true,
  create: (options, manager) => new PipecatWebsocketTransport(options, manager),
};

export default descriptor;
