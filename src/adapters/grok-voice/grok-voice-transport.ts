import { OpenAIRealtimeWebsocketTransport } from '../openai-realtime/openai-realtime-transport.ts';
import { xaiProfile, type OpenAIVendorProfile } from '../openai-realtime/openai-vendor-profile.ts';

/** xAI's Grok Voice Agent API: the OpenAI Realtime event mapping with xAI's auth, token route and session fields. */
export class GrokVoiceWebsocketTransport extends OpenAIRealtimeWebsocketTransport {
  protected override readonly providerName: string = xaiProfile.providerName;
  protected override readonly profile: OpenAIVendorProfile = xaiProfile;
}
