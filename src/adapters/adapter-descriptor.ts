import type { MediaManager } from '../audio/media-manager.ts';
import type { LLMServiceOptions, RealTimeWebsocketTransport } from '../transport/realtime-websocket-transport.ts';
import type { SettingField } from './settings-schema.ts';

/** What the registry knows about an adapter: enough for the panel to render it and the host to build it. */
export interface AdapterDescriptor {
  /** Stable id stored in settings and exports: `gemini-live`, `openai-realtime`, `loopback`. */
  id: string;
  /** Text of the `Adapter` option: unique, and must not contain another adapter's label. */
  label: string;
  needsKey: boolean;
  /** Placeholder for `Endpoint URL` (the provider default). */
  defaultEndpoint?: string;
  acceptsVideo: boolean;
  supportsPushToTalk: boolean;
  settings: SettingField[];
  /** Hint shown under the adapter picker. */
  description: string;
  /** Shown under `API key`: how the key is used (e.g. that no short-lived token exists for this service). */
  keyNote?: string;
  /**
   * The host permission pattern (`https://host/*`) the adapter's HTTP token request needs, for this
   * endpoint, when the manifest lists it in `optional_host_permissions`; asked for at first use.
   */
  tokenHostPermission?(endpoint: string | undefined): string | null;
  /**
   * Connect at once instead of after the host-permission prompt is answered: the host may allow
   * the request by CORS itself (Pipecat's runner does), so the prompt is only needed for hosts that
   * do not; a refused request then says to allow the host and connect again.
   */
  connectWhileAskingHost?: boolean;
  create(options: LLMServiceOptions, manager?: MediaManager): RealTimeWebsocketTransport;
  /** What the adapter will change in the tool declarations before sending them (shown under Tools). */
  describeTools?(toolsJson: string, settings: Record<string, unknown>): string[];
}
