import { base64DecodedLength, pcm16DurationMs } from '../../audio/pcm.ts';
import type { AudioSummary } from '../../transport/frame-observer.ts';
import { OPENAI_SAMPLE_RATE } from './openai-session-config.ts';

/**
 * What the frame observer gets for an OpenAI event: the event with every base64 audio string
 * replaced by a summary (the inspector shows duration and size, never walls of base64).
 */
export interface SummarisedFrame {
  payload: unknown;
  audio?: AudioSummary;
}

export function summariseAudio(b64: string): AudioSummary {
  const bytes = base64DecodedLength(b64);
  return { bytes, durationMs: round1(pcm16DurationMs(bytes, OPENAI_SAMPLE_RATE)), sampleRate: OPENAI_SAMPLE_RATE };
}

export function summariseFrame(event: Record<string, unknown>): SummarisedFrame {
  const type = event.type;
  if ((type === 'input_audio_buffer.append' && typeof event.audio === 'string') || (type === 'response.output_audio.delta' && typeof event.delta === 'string')) {
    const field = type === 'input_audio_buffer.append' ? 'audio' : 'delta';
    const audio = summariseAudio(event[field] as string);
    return { payload: { ...event, [field]: audio }, audio };
  }
  if (type === 'conversation.item.create') {
    // A user item may carry input_audio or input_image content; keep the item but summarise its audio and image bytes.
    const item = event.item as { content?: unknown } | undefined;
    const heavy = (c: unknown): boolean => !!c && typeof c === 'object' && (typeof (c as { audio?: unknown }).audio === 'string' || isDataUri((c as { image_url?: unknown }).image_url));
    if (item && Array.isArray(item.content) && item.content.some(heavy)) {
      const content = item.content.map((c) => {
        if (!heavy(c)) return c;
        const part = c as { audio?: string; image_url?: string };
        if (typeof part.audio === 'string') return { ...part, audio: summariseAudio(part.audio) };
        return { ...part, image_url: summariseDataUri(part.image_url!) };
      });
      return { payload: { ...event, item: { ...item, content } } };
    }
  }
  return { payload: event };
}

function isDataUri(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('data:');
}

/** `data:image/jpeg;base64,<12345 bytes>`: the media type stays readable, the bytes become a count. */
function summariseDataUri(uri: string): string {
  const comma = uri.indexOf(',');
  if (comma < 0) return '<data URI>';
  return `${uri.slice(0, comma + 1)}<${base64DecodedLength(uri.slice(comma + 1))} bytes>`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
