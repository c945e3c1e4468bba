/**
 * What each OpenAI realtime model (and transcription model) accepts, in one place: the settings
 * form hides what a model cannot take and the session builder never sends it. Every entry names its
 * source: the GA SDK types in node_modules/openai/resources/realtime/realtime.d.ts (openai 7.55),
 * read 2026-12-07.
 */
export interface OpenAIModelCapabilities {
  /**
   * `reasoning.effort` and `parallel_tool_calls`. SDK `RealtimeSessionCreateRequest.reasoning`:
   * "Configuration for reasoning-capable Realtime models such as `gpt-realtime-2`";
   * `.parallel_tool_calls`: "Only supported by reasoning Realtime models such as `gpt-realtime-2`".
   * The SDK names only `gpt-realtime-2` as an example; the `gpt-realtime-2.x` ids are taken to be
   * the same family (an inference from the id, not a documented fact).
   */
  reasoning: boolean;
}

export interface OpenAITranscriptionCapabilities {
  /** SDK `AudioTranscription.prompt`: "Prompt is not supported with `gpt-realtime-whisper` in GA Realtime sessions." */
  prompt: boolean;
}

/** SDK `RealtimeReasoningEffort`. */
export const OPENAI_REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

export function openAIModelCapabilities(model: string | undefined): OpenAIModelCapabilities {
  const id = (model ?? '').trim();
  return { reasoning: /^gpt-realtime-2(\.|-|$)/.test(id) };
}

export function openAITranscriptionCapabilities(model: string | undefined): OpenAITranscriptionCapabilities {
  return { prompt: (model ?? '').trim() !== 'gpt-realtime-whisper' };
}

/**
 * SDK `RealtimeToolsConfigUnion.Mcp.connector_id` (marked `@deprecated` there: "One of
 * `server_url`, `connector_id`, or `tunnel_id` must be provided"): still accepted by the type, so
 * offered, labelled as deprecated.
 */
export const OPENAI_MCP_CONNECTORS = [
  'connector_dropbox',
  'connector_gmail',
  'connector_googlecalendar',
  'connector_googledrive',
  'connector_microsoftteams',
  'connector_outlookcalendar',
  'connector_outlookemail',
  'connector_sharepoint',
] as const;
