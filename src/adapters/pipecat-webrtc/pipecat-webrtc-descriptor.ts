import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { PIPECAT_TOOLS_SETTING } from '../pipecat-common/pipecat-tools-setting.ts';
import { startHostPermission } from '../pipecat-websocket/pipecat-websocket-descriptor.ts';
import { PIPECAT_WEBRTC_DEFAULT_ENDPOINT, PipecatWebrtcTransport } from './pipecat-webrtc-transport.ts';

const RECONNECT = 'reconnect' as const;

const descriptor: AdapterDescriptor & { order: number } = {
  id: 'pipecat-webrtc',
  label: 'Pipecat bot (WebRTC)',
  // After the WebSocket entry, so "Pipecat bot" still finds that one first.
  order: 41,
  needsKey: false,
  defaultEndpoint: PIPECAT_WEBRTC_DEFAULT_ENDPOINT,
  acceptsVideo: false,
  supportsPushToTalk: false,
  description:
    "Your own Pipecat bot over Pipecat's SmallWebRTC transport. Endpoint URL (Advanced settings): the bot's offer URL (the runner's http://localhost:7860/api/offer), or a start URL ending in /start. Audio goes over WebRTC; the bot's RTVI messages arrive on the data channel and appear as they are sent.",
  settings: [
    PIPECAT_TOOLS_SETTING,
    { key: 'token', label: 'Bot token', kind: 'text', default: '', apply: RECONNECT, help: 'Optional. Sent as Authorization: Bearer to the start and offer endpoints. Never shown in logs, exports or presets.' },
    { key: 'start_body', label: 'Start request body (JSON)', kind: 'json', default: '{"transport": "webrtc"}', apply: RECONNECT, advanced: true, help: 'POSTed to a start URL (one ending in /start); the answer must carry "sessionId", and the offer then goes to /sessions/<sessionId>/api/offer.' },
    { key: 'start_headers', label: 'Start request headers (JSON)', kind: 'json', default: '{}', apply: RECONNECT, advanced: true, help: 'Extra headers for the start, offer and ICE requests, as a JSON object of strings. Values are redacted from the inspector, but the field is kept with the settings (presets, recordings) like any other: put a secret in Bot token instead.' },
  ],
  // Every WebRTC connect starts with an HTTP request to the bot (offer or start): the same optional host permission.
  // An empty Endpoint URL means the default offer URL: its host is asked for too.
  tokenHostPermission: (endpoint) => startHostPermission(endpoint?.trim() || PIPECAT_WEBRTC_DEFAULT_ENDPOINT),
  connectWhileAskingHost: true,
  create: (options, manager) => new PipecatWebrtcTransport(options, manager),
};

export default descriptor;
