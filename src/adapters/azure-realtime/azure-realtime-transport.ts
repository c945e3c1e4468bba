import { OpenAIRealtimeWebsocketTransport } from '../openai-realtime/openai-realtime-transport.ts';
import { azureProfile, type OpenAIVendorProfile } from '../openai-realtime/openai-vendor-profile.ts';

/** Azure's GA realtime route (`/openai/v1/realtime`): the OpenAI event mapping with Azure's `api-key` token request. */
export class AzureRealtimeWebsocketTransport extends OpenAIRealtimeWebsocketTransport {
  protected override readonly providerName: string = azureProfile.providerName;
  protected override readonly profile: OpenAIVendorProfile = azureProfile;
}
