import type { Recording } from '../recordings/recording-format.ts';
import type { ModelPrice } from './price-table.ts';

/**
 * Token usage by modality, as the providers report it:
 * - OpenAI: `response.done` → `response.usage` { input_tokens, output_tokens,
 *   input_token_details { text_tokens, audio_tokens, cached_tokens }, output_token_details
 *   { text_tokens, audio_tokens } } (RealtimeResponseUsage in node_modules/openai).
 * - Gemini: `usageMetadata` { promptTokenCount, responseTokenCount, cachedContentTokenCount,
 *   promptTokensDetails / responseTokensDetails: [{ modality, tokenCount }] } (UsageMetadata in
 *   node_modules/@google/genai). The Live API repeats it within a turn; the last one before
 *   `turnComplete` is the turn's (as the adapter's metrics do).
 * Where no modality split is given, the tokens count as audio (`assumedAudio`): this is a voice
 * session, and audio is the dearer line, so the estimate errs high.
 */
export interface UsageRecord {
  t: number;
  textIn: number;
  audioIn: number;
  cachedIn: number;
  textOut: number;
  audioOut: number;
  assumedAudio: boolean;
}

export const ZERO_USAGE: Omit<UsageRecord, 't'> = { textIn: 0, audioIn: 0, cachedIn: 0, textOut: 0, audioOut: 0, assumedAudio: false };

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function openAiUsage(t: number, usage: unknown): UsageRecord | null {
  const u = obj(usage);
  if (!u) return null;
  const input = n(u.input_tokens);
  const output = n(u.output_tokens);
  if (input === 0 && output === 0) return null;
  const id = obj(u.input_token_details);
  const od = obj(u.output_token_details);
  const split = !!id || !!od;
  const cached = n(id?.cached_tokens);
  const textIn = id ? n(id.text_tokens) : 0;
  const audioIn = id ? n(id.audio_tokens) : input;
  const textOut = od ? n(od.text_tokens) : 0;
  const audioOut = od ? n(od.audio_tokens) : output;
  // cached_tokens is part of the input counts: bill it at the cached price, the rest at full price.
  const uncachedScale = textIn + audioIn > 0 ? Math.max(0, textIn + audioIn - cached) / (textIn + audioIn) : 1;
  return { t, textIn: textIn * uncachedScale, audioIn: audioIn * uncachedScale, cachedIn: cached, textOut, audioOut, assumedAudio: !split };
}

function byModality(details: unknown): { text: number; audio: number; any: boolean } {
  const out = { text: 0, audio: 0, any: false };
  if (!Array.isArray(details)) return out;
  for (const d of details) {
    const o = obj(d);
    if (!o) continue;
    out.any = true;
    if (o.modality === 'TEXT') out.text += n(o.tokenCount);
    else out.audio += n(o.tokenCount); // AUDIO, and IMAGE/VIDEO billed at the audio/video input price
  }
  return out;
}

export function geminiUsage(t: number, usage: unknown): UsageRecord | null {
  const u = obj(usage);
  if (!u) return null;
  const prompt = n(u.promptTokenCount);
  const response = n(u.responseTokenCount);
  if (prompt === 0 && response === 0) return null;
  const pin = byModality(u.promptTokensDetails);
  const pout = byModality(u.responseTokensDetails);
  const cached = n(u.cachedContentTokenCount);
  const inTotal = pin.any ? pin.text + pin.audio : 0;
  // Tokens of the prompt that no modality detail covers count as text (system instructions, tools).
  const textIn = pin.any ? pin.text + Math.max(0, prompt - inTotal) : 0;
  const audioIn = pin.any ? pin.audio : prompt;
  const textOut = pout.any ? pout.text : 0;
  const audioOut = pout.any ? pout.audio + Math.max(0, response - pout.text - pout.audio) : response;
  const scale = textIn + audioIn > 0 ? Math.max(0, textIn + audioIn - cached) / (textIn + audioIn) : 1;
  return { t, textIn: textIn * scale, audioIn: audioIn * scale, cachedIn: cached, textOut, audioOut, assumedAudio: !pin.any && !pout.any };
}

/** Every usage report in a recording's raw frames, in time order. */
export function usageRecords(rec: Recording): UsageRecord[] {
  const out: UsageRecord[] = [];
  let geminiPending: UsageRecord | null = null;
  const events = [...rec.events].filter((e) => e.source === 'raw' && e.direction === 'in').sort((a, b) => a.t - b.t || a.seq - b.seq);
  for (const e of events) {
    const d = obj(e.data);
    if (!d) continue;
    if (e.type === 'response.done') {
      const r = openAiUsage(e.t, obj(d.response)?.usage);
      if (r) out.push(r);
      continue;
    }
    if ('usageMetadata' in d) geminiPending = geminiUsage(e.t, d.usageMetadata) ?? geminiPending;
    if (obj(d.serverContent)?.turnComplete === true && geminiPending) {
      out.push({ ...geminiPending, t: e.t });
      geminiPending = null;
    }
  }
  if (geminiPending) out.push(geminiPending);
  return out;
}

export function addUsage(a: Omit<UsageRecord, 't'>, b: Omit<UsageRecord, 't'>): Omit<UsageRecord, 't'> {
  return { textIn: a.textIn + b.textIn, audioIn: a.audioIn + b.audioIn, cachedIn: a.cachedIn + b.cachedIn, textOut: a.textOut + b.textOut, audioOut: a.audioOut + b.audioOut, assumedAudio: a.assumedAudio || b.assumedAudio };
}

export function totalTokens(u: Omit<UsageRecord, 't'>): { input: number; output: number } {
  return { input: Math.round(u.textIn + u.audioIn + u.cachedIn), output: Math.round(u.textOut + u.audioOut) };
}

/** USD for a usage at a price (per 1M tokens). */
export function costOf(u: Omit<UsageRecord, 't'>, p: ModelPrice): number {
  return (u.textIn * p.textIn + u.audioIn * p.audioIn + u.cachedIn * (p.cachedIn ?? p.audioIn) + u.textOut * p.textOut + u.audioOut * p.audioOut) / 1e6;
}
