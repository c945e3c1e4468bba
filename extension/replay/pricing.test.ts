import { describe, expect, it } from 'vitest';
import { estimateReplayCost, familyOf, formatUsd } from './cost-estimate.ts';
import { DEFAULT_PRICE_TABLE, parsePriceTable, priceFor } from './price-table.ts';
import { RecordingBuilder } from './synthetic-recording.ts';
import { costOf, geminiUsage, openAiUsage, usageRecords } from './token-usage.ts';

describe('price table', () => {
  it('finds a model by exact id or its longest prefix', () => {
    expect(priceFor(DEFAULT_PRICE_TABLE, 'gpt-realtime-1.5')?.textOut).toBe(16);
    expect(priceFor(DEFAULT_PRICE_TABLE, 'gpt-realtime-2025-08-28')?.model).toBe('gpt-realtime');
    expect(priceFor(DEFAULT_PRICE_TABLE, 'models/gemini-2.5-flash-native-audio-preview-12-2025')?.audioOut).toBe(12);
    expect(priceFor(DEFAULT_PRICE_TABLE, 'mystery')).toBeNull();
  });

  it('rejects an edited table with a clear message', () => {
    expect(parsePriceTable({ asOf: 'yesterday', prices: [] })).toEqual({ ok: false, error: expect.stringMatching(/YYYY-MM-DD/) });
    expect(parsePriceTable({ asOf: '2026-01-01', prices: [{ model: 'm', textIn: 1, audioIn: -1, textOut: 1, audioOut: 1 }] })).toEqual({ ok: false, error: expect.stringMatching(/row 1 \(m\): audioIn/) });
    const ok = parsePriceTable({ asOf: '2026-01-01', source: 's', prices: [{ model: ' m ', textIn: 1, audioIn: 2, textOut: 3, audioOut: 4 }] });
    expect(ok).toEqual({ ok: true, table: { asOf: '2026-01-01', source: 's', prices: [{ model: 'm', textIn: 1, audioIn: 2, textOut: 3, audioOut: 4 }] } });
  });
});

describe('token usage', () => {
  it('reads OpenAI response.done usage by modality, cached input billed apart', () => {
    const u = openAiUsage(5, { input_tokens: 1000, output_tokens: 300, input_token_details: { text_tokens: 200, audio_tokens: 800, cached_tokens: 500 }, output_token_details: { text_tokens: 60, audio_tokens: 240 } })!;
    expect(u.cachedIn).toBe(500);
    expect(u.textIn + u.audioIn).toBeCloseTo(500);
    expect(u.textOut).toBe(60);
    expect(u.audioOut).toBe(240);
    const p = priceFor(DEFAULT_PRICE_TABLE, 'gpt-realtime-1.5')!;
    expect(costOf(u, p)).toBeCloseTo((100 * 4 + 400 * 32 + 500 * 0.4 + 60 * 16 + 240 * 64) / 1e6, 9);
  });

  it('reads Gemini usageMetadata by modality, the last report before turnComplete per turn', () => {
    const u = geminiUsage(0, { promptTokenCount: 1093, responseTokenCount: 50, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 789 }, { modality: 'AUDIO', tokenCount: 300 }], responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 50 }] })!;
    expect(u).toMatchObject({ textIn: 793, audioIn: 300, textOut: 0, audioOut: 50, assumedAudio: false });
    const rec = new RecordingBuilder({ adapterId: 'gemini-live' })
      .event(10, 'raw', 'in', 'usageMetadata', { serverContent: {}, usageMetadata: { promptTokenCount: 10, responseTokenCount: 1 } })
      .event(20, 'raw', 'in', 'serverContent', { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 10, responseTokenCount: 5 } })
      .event(30, 'raw', 'in', 'serverContent', { serverContent: { turnComplete: true }, usageMetadata: {} })
      .build();
    const records = usageRecords(rec);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ t: 20, audioIn: 10, audioOut: 5, assumedAudio: true });
  });
});

describe('estimateReplayCost', () => {
  const gemini = new RecordingBuilder({ adapterId: 'gemini-live', model: 'gemini-2.5-flash-native-audio-preview-12-2025' })
    .userSpeech(0, 2000)
    .botReply(2100, 2200, 5200)
    .event(5300, 'raw', 'in', 'serverContent', { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 1000, responseTokenCount: 100, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 1000 }], responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 100 }] } })
    .build();

  it('same provider: the source tokens at the target prices', () => {
    const e = estimateReplayCost(gemini, { adapterId: 'gemini-live', model: 'gemini-2.5-flash-native-audio-preview-12-2025' }, DEFAULT_PRICE_TABLE);
    expect(e.method).toBe('source-tokens');
    expect(e.usd).toBeCloseTo((1000 * 3 + 100 * 12) / 1e6, 9);
  });

  it('another provider: tokens rebuilt from speech durations at its audio token rates', () => {
    const e = estimateReplayCost(gemini, { adapterId: 'openai-realtime', model: 'gpt-realtime-1.5' }, DEFAULT_PRICE_TABLE);
    expect(e.method).toBe('durations');
    // 2 s of user speech at 10 tokens/s in, 3 s of bot audio at 20 tokens/s out.
    expect(e.usage.audioIn).toBeCloseTo(20);
    expect(e.usage.audioOut).toBeCloseTo(60);
    expect(e.usd).toBeCloseTo((20 * 32 + 60 * 64) / 1e6, 9);
    expect(estimateReplayCost(gemini, { adapterId: 'openai-realtime', model: 'unpriced-model' }, DEFAULT_PRICE_TABLE)).toMatchObject({ usd: null, notes: [expect.stringMatching(/No price for "unpriced-model"/), expect.any(String)] });
  });

  it('formats small sums readably', () => {
    expect(formatUsd(null)).toBe('unknown');
    expect(formatUsd(0.00448)).toBe('$0.0045');
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(familyOf('loopback')).toBe('other');
  });
});
