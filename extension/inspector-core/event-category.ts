import type { LogEvent } from '../shared/log-event.ts';
import { AUDIO_TYPES, groupKindOf } from './event-grouping.ts';

/**
 * The event log's quick chips. A row can belong to several (a transcript delta is also audio-free
 * text; a `conversation.item.input_audio_transcription.failed` is both an error and a transcript).
 * Type names follow the wire: RTVI kebab case, OpenAI dotted types, Gemini camelCase message keys,
 * Loopback's `loopback.*` frames, and the host's own transport rows.
 */
export type EventCategory = 'errors' | 'transcripts' | 'tools' | 'config' | 'speaking';

export const CATEGORY_LABELS: ReadonlyArray<[EventCategory, string]> = [
  ['errors', 'Errors'],
  ['transcripts', 'Transcripts'],
  ['tools', 'Tools'],
  ['config', 'Session config'],
  ['speaking', 'Speaking'],
];

const ERROR_TYPE = /(^|[.-])(error|failed)$|^host-error$|^connect-failed$|^token-request-failed$/;
const TRANSCRIPT_TYPE = /transcri|^bot-output$|^bot-tts-text$|^bot-llm-text$|^user-llm-text$|^loopback\.text$|^response\.output_text\./;
const TOOL_TYPE = /function[-_]call|^llm-function-call|^toolCall|^toolResponse|^toolCallCancellation$|^loopback\.tool/;
const CONFIG_TYPE = /^session\.|^setup(Complete)?$|^settings-updated$|^connect-requested$|^loopback\.session\.|^token-request$|^bot-ready$|^client-ready$/;
const SPEAKING_TYPE = /-speaking$|speech_(started|stopped)$|^local-vad-|^voiceActivity|^input_audio_buffer\.(speech|committed)|^output_audio_buffer\.(started|stopped)/;

/** Whether `ev` belongs to `category`. */
export function inCategory(ev: LogEvent, category: EventCategory): boolean {
  const t = ev.type;
  switch (category) {
    case 'errors':
      return (
        ev.malformed === true ||
        ERROR_TYPE.test(t) ||
        (ev.source === 'transport' && t === 'transport-state' && (ev.data as { state?: unknown } | null)?.state === 'error') ||
        (t === 'token-request' && (ev.data as { ok?: unknown } | null)?.ok === false)
      );
    case 'transcripts':
      return TRANSCRIPT_TYPE.test(t) || (t === 'serverContent' && hasTranscription(ev.data));
    case 'tools':
      return TOOL_TYPE.test(t) || (t === 'conversation.item.create' && /function_call/.test(jsonOf(ev.data))) || (t === 'response.output_item.done' && /function_call/.test(jsonOf(ev.data)));
    case 'config':
      return CONFIG_TYPE.test(t);
    case 'speaking':
      return SPEAKING_TYPE.test(t);
  }
}

/** Rows shown when any of `categories` is chosen (none chosen: every row). */
export function inAnyCategory(ev: LogEvent, categories: ReadonlySet<EventCategory> | null | undefined): boolean {
  if (!categories || categories.size === 0) return true;
  for (const c of categories) if (inCategory(ev, c)) return true;
  return false;
}

/** Errors are drawn red: the same test as the `Errors` chip. */
export function isErrorEvent(ev: LogEvent): boolean {
  return inCategory(ev, 'errors');
}

/**
 * Audio frames, as `Hide audio frames` hides them: rows the grouper folds as audio (appends,
 * output deltas, audio-only Gemini content, Loopback's audio) and any raw row carrying an audio
 * summary and nothing else worth reading.
 */
export function isAudioFrame(ev: LogEvent): boolean {
  if (ev.source !== 'raw') return false;
  // Fast path (the filter runs this per row): frames without an audio summary are audio only when
  // their type says so.
  if (ev.audio === undefined && !AUDIO_TYPES.has(ev.type) && ev.type !== 'realtimeInput' && ev.type !== 'serverContent') return false;
  const kind = groupKindOf(ev);
  if (kind !== null) return kind === 'audio';
  return ev.audio !== undefined && ev.type !== 'serverContent' && ev.type !== 'loopback.echo';
}

function hasTranscription(data: unknown): boolean {
  const sc = data && typeof data === 'object' ? (data as { serverContent?: unknown }).serverContent : undefined;
  return !!sc && typeof sc === 'object' && ('outputTranscription' in sc || 'inputTranscription' in sc);
}

function jsonOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}
