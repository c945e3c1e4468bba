import type { AudioSummary } from '../../transport/frame-observer.ts';
import { base64DecodedLength, pcm16DurationMs } from '../../audio/pcm.ts';

/**
 * How Gemini frames appear in the inspector's raw view: typed by their top-level key and with
 * every base64 payload replaced by a summary (never walls of base64).
 */

/** A server message may combine keys (`serverContent` + `usageMetadata`); the rarer, more telling key names it. */
const SERVER_TYPE_PRIORITY = [
  'setupComplete',
  'toolCall',
  'toolCallCancellation',
  'goAway',
  'sessionResumptionUpdate',
  'voiceActivity',
  'voiceActivityDetectionSignal',
  'serverContent',
  'usageMetadata',
];

export function serverFrameType(message: Record<string, unknown>): string {
  for (const k of SERVER_TYPE_PRIORITY) if (k in message) return k;
  return Object.keys(message)[0] ?? 'empty';
}

export function clientFrameType(message: Record<string, unknown>): string {
  return Object.keys(message)[0] ?? 'empty';
}

export function sampleRateOf(mimeType: unknown, fallback: number): number {
  const m = typeof mimeType === 'string' ? /rate=(\d+)/.exec(mimeType) : null;
  return m ? Number(m[1]) : fallback;
}

export interface SummarisedFrame {
  payload: unknown;
  audio?: AudioSummary;
}

function audioSummary(b64: string, sampleRate: number): AudioSummary {
  const bytes = base64DecodedLength(b64);
  return { bytes, durationMs: Math.round(pcm16DurationMs(bytes, sampleRate) * 10) / 10, sampleRate };
}

/** Copies a server message with `inlineData.data` replaced by summaries; totals the audio. */
export function summariseServerFrame(message: Record<string, unknown>): SummarisedFrame {
  const parts = (message.serverContent as { modelTurn?: { parts?: unknown[] } } | undefined)?.modelTurn?.parts;
  if (!Array.isArray(parts) || !parts.some((p) => typeof (p as { inlineData?: { data?: unknown } })?.inlineData?.data === 'string')) {
    return { payload: message };
  }
  let total: AudioSummary | undefined;
  const newParts = parts.map((p) => {
    const inline = (p as { inlineData?: { data?: unknown; mimeType?: string } }).inlineData;
    if (!inline || typeof inline.data !== 'string') return p;
    const rate = sampleRateOf(inline.mimeType, 24_000);
    const summary = audioSummary(inline.data, rate);
    total = total
      ? { bytes: total.bytes + summary.bytes, durationMs: Math.round((total.durationMs + summary.durationMs) * 10) / 10, sampleRate: total.sampleRate }
      : summary;
    return { ...(p as object), inlineData: { ...inline, data: summary } };
  });
  const sc = message.serverContent as Record<string, unknown>;
  const mt = sc.modelTurn as Record<string, unknown>;
  return { payload: { ...message, serverContent: { ...sc, modelTurn: { ...mt, parts: newParts } } }, audio: total };
}

/** Copies a client message with audio/video data replaced by summaries. */
export function summariseClientFrame(message: Record<string, unknown>, inputRate: number): SummarisedFrame {
  const ri = message.realtimeInput as Record<string, { data?: unknown; mimeType?: string } | unknown> | undefined;
  if (!ri) return { payload: message };
  const audio = ri.audio as { data?: unknown; mimeType?: string } | undefined;
  if (audio && typeof audio.data === 'string') {
    const summary = audioSummary(audio.data, sampleRateOf(audio.mimeType, inputRate));
    return { payload: { realtimeInput: { ...ri, audio: { ...audio, data: summary } } }, audio: summary };
  }
  const video = ri.video as { data?: unknown; mimeType?: string } | undefined;
  if (video && typeof video.data === 'string') {
    return { payload: { realtimeInput: { ...ri, video: { ...video, data: { bytes: base64DecodedLength(video.data) } } } } };
  }
  return { payload: message };
}

/** Gemini Durations are strings like `"50s"` or `"6.680s"`. */
export function parseDurationMs(d: unknown): number | null {
  if (typeof d !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d.trim());
  return m ? Math.round(Number(m[1]) * 1000) : null;
}
