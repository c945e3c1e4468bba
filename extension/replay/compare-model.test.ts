import { describe, expect, it } from 'vitest';
import { compareRecordings, comparisonMarkdown } from './compare-model.ts';
import { DEFAULT_PRICE_TABLE } from './price-table.ts';
import { RecordingBuilder } from './synthetic-recording.ts';
import { diffWords } from './word-diff.ts';

describe('diffWords', () => {
  it('marks removed and added words, ignoring case and punctuation', () => {
    const d = diffWords('It is sunny in Paris.', 'it is rainy in paris');
    expect(d.map((w) => `${w.op[0]}:${w.word}`)).toEqual(['s:it', 's:is', 'r:sunny', 'a:rainy', 's:in', 's:paris']);
    expect(diffWords('', 'hi')).toEqual([{ word: 'hi', op: 'added' }]);
  });
});

describe('compareRecordings', () => {
  const a = new RecordingBuilder({ id: 'a', adapterId: 'gemini-live', model: 'gemini-2.5-flash-native-audio-preview-12-2025' })
    .userSpeech(1000, 2000, 'Weather in Paris?')
    .botReply(2300, 2400, 4000, 'It is sunny.')
    .event(4100, 'raw', 'in', 'serverContent', { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 400, responseTokenCount: 80, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 400 }], responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 80 }] } })
    .userSpeech(5000, 6000, 'Thanks')
    .botReply(6500, 6600, 7000, 'Bye.')
    .build();
  const b = new RecordingBuilder({ id: 'b', adapterId: 'openai-realtime', model: 'gpt-realtime-1.5', origin: 'replay', sourceId: 'a' })
    .userSpeech(1000, 2000, 'Weather in Paris?')
    .rtvi(2050, 'llm-function-call-in-progress', { function_name: 'get_weather', tool_call_id: 't', arguments: { city: 'Paris' } })
    .botReply(2500, 2700, 4500, 'It is rainy.')
    .rtvi(3000, 'user-started-speaking', { source: 'local-vad' })
    .event(4600, 'raw', 'in', 'response.done', { response: { usage: { input_tokens: 300, output_tokens: 90, input_token_details: { text_tokens: 100, audio_tokens: 200 }, output_token_details: { text_tokens: 10, audio_tokens: 80 } } } })
    .build();

  it('lists every turn of both with transcripts diffed, tools, latency, tokens, cost and interruptions', () => {
    const c = compareRecordings(a, b, DEFAULT_PRICE_TABLE);
    expect(c.turns).toHaveLength(2); // b's barge-in at 3 s is its second user turn
    const [t1, t2] = c.turns;
    expect(t1.a).toMatchObject({ userText: 'Weather in Paris?', botText: 'It is sunny.', latencyMs: 400, tokens: { input: 400, output: 80 }, interrupted: false, tools: [] });
    // b's first reply was barged into; its usage (reported after the barge-in) stays with it.
    expect(t1.b).toMatchObject({ botText: 'It is rainy.', latencyMs: 700, interrupted: true, tokens: { input: 300, output: 90 }, tools: [{ name: 'get_weather', args: { city: 'Paris' } }] });
    expect(t1.botDiff.filter((w) => w.op !== 'same').map((w) => w.word)).toEqual(['sunny.', 'rainy.']);
    expect(t1.toolsDiffer).toBe(true);
    expect(t1.a!.usd).toBeCloseTo((400 * 3 + 80 * 12) / 1e6, 9);
    expect(t2.a).toMatchObject({ userText: 'Thanks', botText: 'Bye.' });
    expect(t2.b).toMatchObject({ userText: '', botText: '', tokens: null, latencyMs: null });
    expect(c.b).toMatchObject({ origin: 'replay', sourceId: 'a', totalTokens: { input: 300, output: 90 } });
    const md = comparisonMarkdown(c);
    expect(md).toMatch(/^# Recording comparison/);
    expect(md).toContain('| Latency | 400 ms | 700 ms |');
    expect(md).toContain('~~sunny.~~ **rainy.**');
    expect(md).toContain('| Tokens | 400 in / 80 out |');
    expect(md).toContain('`get_weather({"city":"Paris"})` (differs)');
  });

  it('measures latency on the recording clock even when the VAD stop row was logged after the bot started (its hangover)', () => {
    // As in a live capture: user-stopped-speaking is stamped at the onset of silence (2070) but
    // emitted once the VAD's hangover ends, after bot-started-speaking (2431) was logged.
    const rec = new RecordingBuilder({ id: 'late', adapterId: 'gemini-live' })
      .rtvi(694, 'user-started-speaking', { source: 'local-vad' })
      .rtvi(2431, 'bot-started-speaking')
      .rtvi(2070, 'user-stopped-speaking', { source: 'local-vad' })
      .rtvi(2790, 'bot-stopped-speaking')
      .build();
    rec.events.sort((x, y) => x.seq - y.seq); // stored in logging order
    const c = compareRecordings(rec, rec, DEFAULT_PRICE_TABLE);
    expect(c.turns[0].a!.latencyMs).toBe(361);
  });
});

