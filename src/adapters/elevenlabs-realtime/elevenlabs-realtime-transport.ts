import { OpenAIRealtimeWebsocketTransport } from '../openai-realtime/openai-realtime-transport.ts';
import { elevenLabsProfile, type OpenAIVendorProfile } from '../openai-realtime/openai-vendor-profile.ts';

/** ElevenLabs' OpenAI-compatible realtime endpoint: the OpenAI event mapping with ElevenLabs' key header and token route. */
export class ElevenLabsRealtimeWebsocketTransport extends OpenAIRealtimeWebsocketTransport {
  protected override readonly providerName: string = elevenLabsProfile.providerName;
  protected override readonly profile: OpenAIVendorProfile = elevenLabsProfile;
}
