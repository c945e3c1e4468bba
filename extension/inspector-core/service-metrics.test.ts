import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { ServiceMetricsAccumulator, UNNAMED_LLM, medianOf, serviceMetrics } from './service-metrics.ts';

let seq = 0;
function metrics(data: unknown, session = 1): LogEvent {
  seq += 1;
  return { seq, session, t: seq * 10, wall: 0, source: 'rtvi', direction: 'in', type: 'metrics', data };
}

// One STT → LLM → TTS turn as a Pipecat bot reports it (pipecat-server.md §3; values in seconds).
const turn = (llmTtfb: number) => [
  metrics({ ttfb: [{ processor: 'DeepgramSTTService#0', model: 'nova-3-general', value: 0.187 }] }),
  metrics({ ttfb: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: llmTtfb }] }),
  metrics({ tokens: [{ prompt_tokens: 112, completion_tokens: 9, total_tokens: 121 }] }),
  metrics({ processing: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', value: 0.633 }] }),
  metrics({ characters: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: 27 }] }),
  metrics({ ttfb: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', value: 0.238 }] }),
];

describe('metrics per service', () => {
  it('groups a Pipecat bot\'s metrics per processor, in the order services first reported, with ms timings', () => {
    const rows = serviceMetrics([...turn(0.4), ...turn(0.2), ...turn(0.3)]);
    expect(rows.map((r) => [r.processor, r.model])).toEqual([
      ['DeepgramSTTService#0', 'nova-3-general'],
      ['OpenAILLMService#0', 'gpt-4.1'],
      ['CartesiaTTSService#0', 'sonic-2'],
    ]);
    const [stt, llm, tts] = rows;
    expect(stt.ttfb?.values).toHaveLength(3);
    expect(stt.ttfb?.last).toBeCloseTo(187);
    expect(llm.ttfb?.last).toBeCloseTo(300);
    expect(medianOf(llm.ttfb)).toBeCloseTo(300);
    expect(medianOf({ last: 0, values: [400, 200] })).toBe(300);
    expect(llm.processing?.last).toBeCloseTo(633);
    // Usage without a processor goes to the one LLM service of the pipeline.
    expect(llm.tokens).toEqual({ prompt: 336, completion: 27, total: 363 });
    expect(tts.characters).toBe(81);
    expect(tts.tokens).toBeNull();
    expect(stt.processing).toBeNull();
  });

  it('keeps usage that names no processor on a row of its own when there is no single LLM service', () => {
    const rows = serviceMetrics([
      metrics({ tokens: [{ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }] }),
      metrics({ ttfb: [{ processor: 'OpenAILLMService#0', value: 0.1 }] }),
      metrics({ ttfb: [{ processor: 'GroqLLMService#0', value: 0.1 }] }),
    ]);
    expect(rows.map((r) => r.processor)).toEqual([UNNAMED_LLM, 'OpenAILLMService#0', 'GroqLLMService#0']);
    expect(rows[0].tokens).toEqual({ prompt: 5, completion: 2, total: 7 });
    expect(rows[1].tokens).toBeNull();
  });

  it('reads our adapters\' usage (processor and model on the entry) and Pipecat\'s nested value form', () => {
    const rows = serviceMetrics([
      metrics({ tokens: [{ processor: 'openai-realtime', model: 'gpt-realtime', prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }] }),
      metrics({ tokens: [{ processor: 'openai-realtime', model: 'gpt-realtime', value: { prompt_tokens: 1, completion_tokens: 1 } }] }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ processor: 'openai-realtime', model: 'gpt-realtime', tokens: { prompt: 11, completion: 5, total: 16 } });
  });

  it('reads Pipecat\'s real ttfa, ttfat and stt_usage shapes (metrics.py:41-97, 173-180; observer.py _handle_metrics)', () => {
    const rows = serviceMetrics([
      metrics({ ttfa: [{ processor: 'CartesiaTTSService#0', model: 'sonic-2', ttfa: 0.31, ttfb: 0.25, leading_silence: 0.06 }] }),
      metrics({ ttfat: [{ processor: 'OpenAILLMService#0', model: 'gpt-4.1', ttfat: 0.9, ttfb: 0.4, thinking_time: 0.5 }] }),
      metrics({ stt_usage: [{ processor: 'DeepgramSTTService#0', model: 'nova-3', value: { audio_seconds: 2.5 } }] }),
      metrics({ stt_usage: [{ processor: 'DeepgramSTTService#0', model: 'nova-3', value: { audio_seconds: 1.5 } }] }),
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.processor, r]));
    expect(by['CartesiaTTSService#0']!.other).toEqual({ ttfa: { last: 310, count: 1 }, leading_silence: { last: 60, count: 1 } });
    expect(by['OpenAILLMService#0']!.other).toEqual({ ttfat: { last: 900, count: 1 }, thinking_time: { last: 500, count: 1 } });
    // stt_usage reports the audio since the last report: summed.
    expect(by['DeepgramSTTService#0']!.other).toEqual({ stt_usage: { last: 4, count: 2 } });
    expect(by['DeepgramSTTService#0']!.model).toBe('nova-3');
  });

  it('keeps other kinds (ttfa, stt_usage) and ignores malformed entries, other sessions and other rows', () => {
    const acc = new ServiceMetricsAccumulator(2);
    acc.add(metrics({ ttfa: [{ processor: 'X#0', ttfa: 0.5, ttfb: 0.5, leading_silence: 0 }], stt_usage: [{ processor: 'X#0', value: { audio_seconds: 3 } }] }, 2));
    acc.add(metrics({ ttfb: [{ processor: 'Y#0', value: 0.5 }] }, 1));
    acc.add(metrics({ ttfb: [{ value: 0.5 }, { processor: 'Z#0', value: 'fast' }, null], processing: 'nope' }, 2));
    acc.add(metrics(null, 2));
    acc.add({ ...metrics({ ttfb: [{ processor: 'W#0', value: 1 }] }, 2), source: 'raw' });
    const rows = acc.snapshot();
    expect(rows.map((r) => r.processor)).toEqual(['X#0']);
    expect(rows[0].other).toEqual({ ttfa: { last: 500, count: 1 }, leading_silence: { last: 0, count: 1 }, stt_usage: { last: 3, count: 1 } });
  });

  it('a snapshot is a copy: later rows do not change it', () => {
    const acc = new ServiceMetricsAccumulator();
    acc.add(metrics({ ttfb: [{ processor: 'A#0', value: 0.1 }] }));
    const first = acc.snapshot();
    acc.add(metrics({ ttfb: [{ processor: 'A#0', value: 0.2 }] }));
    expect(first[0].ttfb?.values).toEqual([100]);
    expect(acc.snapshot()[0].ttfb?.values).toEqual([100, 200]);
  });
});
