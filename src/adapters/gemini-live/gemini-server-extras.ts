import type { GroundingMetadata, LiveServerContent } from '@google/genai';

/**
 * `serverContent` fields beyond audio and transcripts, reported as RTVI `server-message`s (the raw
 * frame is in the log as well). Shapes: @google/genai 3.1.0 `LiveServerContent`:
 * - `groundingMetadata` ("returned to client when grounding is enabled"): `webSearchQueries` and
 *   `groundingChunks[].web{uri,title}` → `{type:'grounding', queries, sources}`;
 * - `interimInputTranscription` ("Low latency transcription updated while the user is speaking")
 *   → `{type:'interim-transcription', text}`;
 * - `interactionStatus` (`IN_PROGRESS` while the server still processes or reasons in the
 *   background, `IDLE` when done; "Always sent alongside turn_complete") with `waitingForInput`
 *   → `{type:'interaction-status', status, waiting_for_input}`.
 */
export function reportServerContentExtras(sc: LiveServerContent, emit: (data: Record<string, unknown>) => void): void {
  const grounding = groundingSummary(sc.groundingMetadata);
  if (grounding) emit({ type: 'grounding', ...grounding });
  const interim = sc.interimInputTranscription?.text;
  if (typeof interim === 'string' && interim) emit({ type: 'interim-transcription', text: interim, finished: sc.interimInputTranscription?.finished === true });
  if (typeof sc.interactionStatus === 'string' && sc.interactionStatus) {
    emit({ type: 'interaction-status', status: sc.interactionStatus, waiting_for_input: sc.waitingForInput === true });
  }
}

export function groundingSummary(gm: GroundingMetadata | undefined): { queries: string[]; sources: Array<{ title: string; uri: string }> } | null {
  if (!gm || typeof gm !== 'object') return null;
  const queries = Array.isArray(gm.webSearchQueries) ? gm.webSearchQueries.filter((q): q is string => typeof q === 'string' && q.length > 0) : [];
  const sources: Array<{ title: string; uri: string }> = [];
  for (const chunk of Array.isArray(gm.groundingChunks) ? gm.groundingChunks : []) {
    const web = chunk?.web;
    if (web && typeof web.uri === 'string' && web.uri) sources.push({ title: typeof web.title === 'string' ? web.title : '', uri: web.uri });
  }
  if (!queries.length && !sources.length) return null;
  return { queries, sources };
}
