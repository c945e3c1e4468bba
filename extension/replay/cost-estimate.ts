import type { Recording } from '../recordings/recording-format.ts';
import { priceFor, type PriceTable } from './price-table.ts';
import { botSpeechSpans, userSpeechSpans, type Span } from './recording-events.ts';
import { ZERO_USAGE, addUsage, costOf, usageRecords, type UsageRecord } from './token-usage.ts';

/**
 * Audio tokens per second, by provider family:
 * - OpenAI (https://developers.openai.com/api/docs/guides/realtime-costs): user audio 1 token per
 *   100 ms, assistant audio 1 token per 50 ms; the whole conversation is input to every response.
 * - Gemini (https://ai.google.dev/gemini-api/docs/tokens): 32 tokens per second of audio; the Live
 *   API bills the session's context as input each turn too.
 */
export const AUDIO_TOKENS_PER_SECOND: Record<'openai' | 'gemini', { user: number; bot: number }> = {
  openai: { user: 10, bot: 20 },
  gemini: { user: 32, bot: 32 },
};

export type ProviderFamily = 'openai' | 'gemini' | 'other';

export function familyOf(adapterId: string, model?: string): ProviderFamily {
  const s = `${adapterId} ${model ?? ''}`.toLowerCase();
  if (s.includes('gemini')) return 'gemini';
  if (s.includes('openai') || s.includes('gpt-')) return 'openai';
  return 'other';
}

export interface CostEstimate {
  /** USD, or null when the target model has no price in the table. */
  usd: number | null;
  usage: Omit<UsageRecord, 't'>;
  /** How the tokens were obtained: the source's own usage (same provider) or from audio durations. */
  method: 'source-tokens' | 'durations';
  notes: string[];
}

function seconds(spans: Span[]): number[] {
  return spans.map((s) => Math.max(0, s.end - s.start) / 1000);
}

/**
 * The estimated cost of replaying `source` against a target model. Same provider family: the
 * source's reported tokens at the target's prices. Otherwise the tokens are rebuilt from the
 * source's speech durations with the target family's audio token rates, each response billing
 * the conversation so far as input (the text of instructions and tools is not counted).
 */
export function estimateReplayCost(source: Recording, target: { adapterId: string; model?: string }, table: PriceTable): CostEstimate {
  const price = priceFor(table, target.model);
  const notes: string[] = [];
  if (!price) notes.push(`No price for "${target.model ?? target.adapterId}" in the price table (as of ${table.asOf}); add one to see a cost.`);
  const fromFamily = familyOf(source.meta.adapterId, source.meta.model);
  const toFamily = familyOf(target.adapterId, target.model);
  const records = usageRecords(source);
  let usage: Omit<UsageRecord, 't'> = { ...ZERO_USAGE };
  let method: CostEstimate['method'];
  if (fromFamily === toFamily && fromFamily !== 'other' && records.length > 0) {
    method = 'source-tokens';
    for (const r of records) usage = addUsage(usage, r);
    if (usage.assumedAudio) notes.push('The source reported no modality split for some turns; those tokens are priced as audio.');
  } else {
    method = 'durations';
    const rates = toFamily === 'other' ? AUDIO_TOKENS_PER_SECOND.openai : AUDIO_TOKENS_PER_SECOND[toFamily];
    const user = seconds(userSpeechSpans(source));
    const bot = seconds(botSpeechSpans(source));
    let context = 0;
    for (let i = 0; i < Math.max(user.length, bot.length); i++) {
      context += (user[i] ?? 0) * rates.user;
      usage = addUsage(usage, { ...ZERO_USAGE, audioIn: context, audioOut: (bot[i] ?? 0) * rates.bot });
      context += (bot[i] ?? 0) * rates.bot;
    }
    notes.push(`Estimated from the source's speech durations at ${rates.user} (user) and ${rates.bot} (bot) audio tokens per second; instructions and tool definitions are not counted.`);
  }
  return { usd: price ? costOf(usage, price) : null, usage, method, notes };
}

/** "$0.0123" style, enough digits for small sums. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return 'unknown';
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
