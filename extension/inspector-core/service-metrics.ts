import type { LogEvent } from '../shared/log-event.ts';

/**
 * Metrics per service, from RTVI `metrics` rows. A Pipecat bot sends one `metrics` message per
 * MetricsFrame (pipecat-server.md §3; RTVIObserver in src/pipecat/processors/frameworks/rtvi/observer.py):
 * `{ttfb|processing|characters: [{processor: "<Class>#<n>", model?, value}]}`, where ttfb/processing
 * are seconds (TTFBMetricsData / ProcessingMetricsData, src/pipecat/metrics/metrics.py) and characters
 * an int (TTSUsageMetricsData). The others carry no flat `value` (metrics.py:41-97, 173-180):
 * `ttfa: [{processor, model?, ttfa, ttfb, leading_silence}]`, `ttfat: [{…, ttfat, ttfb, thinking_time}]`
 * (seconds; their ttfb mirrors the ttfb entry sent before, so it is not counted again) and
 * `stt_usage: [{processor, model?, value: {audio_seconds}}]` (audio since the last report, summed).
 * LLM usage comes as `{tokens: [{prompt_tokens,
 * completion_tokens, total_tokens, ...}]}`: the observer dumps only the LLMTokenUsage value, so it
 * names no processor. Our own adapters send `tokens` entries with `processor` and `model` set.
 */
export interface TimingStat {
  last: number;
  /** All values seen, in ms, for the median. */
  values: number[];
}

export interface ServiceTokens {
  prompt: number;
  completion: number;
  total: number;
}

export interface ServiceMetrics {
  /** The processor name as sent (`OpenAILLMService#0`), or a stand-in for usage that names none. */
  processor: string;
  model: string | null;
  /** Time to first byte, ms. */
  ttfb: TimingStat | null;
  /** Processing time, ms. */
  processing: TimingStat | null;
  /** TTS characters, summed. */
  characters: number | null;
  tokens: ServiceTokens | null;
  /**
   * Other kinds: ttfa / ttfat and their leading_silence / thinking_time (last, ms), stt_usage (audio
   * seconds, summed), anything else with a numeric `value` (last); and how many were seen.
   */
  other: Record<string, { last: number; count: number }>;
  /** When the service first reported (row order), to keep a stable order. */
  firstSeq: number;
}

/** Stand-in processor for LLM usage that names none and cannot be matched to one LLM service. */
export const UNNAMED_LLM = 'LLM (usage without a processor)';

const SECONDS_KINDS = new Set(['ttfb', 'processing', 'ttfa', 'ttfat', 'leading_silence', 'thinking_time']);
/** ttfa/ttfat entries: the measure and its breakdown part (metrics.py TTFAMetricsData / TTFATMetricsData). */
const BREAKDOWN: Record<string, string> = { ttfa: 'leading_silence', ttfat: 'thinking_time' };

export class ServiceMetricsAccumulator {
  private readonly services = new Map<string, ServiceMetrics>();
  /** Usage that named no processor, held until it can be given to the one LLM service. */
  private unnamedTokens: { tokens: ServiceTokens; model: string | null; seq: number }[] = [];

  constructor(readonly session: number | null = null) {}

  add(ev: LogEvent): void {
    if (ev.source !== 'rtvi' || ev.type !== 'metrics') return;
    if (this.session !== null && ev.session !== this.session) return;
    const data = ev.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return;
    for (const [kind, list] of Object.entries(data as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        if (!entry || typeof entry !== 'object') continue;
        const e = entry as Record<string, unknown>;
        if (kind === 'tokens') this.addTokens(e, ev.seq);
        else this.addValue(kind, e, ev.seq);
      }
    }
  }

  snapshot(): ServiceMetrics[] {
    const out = [...this.services.values()].map(copy);
    if (this.unnamedTokens.length > 0) {
      const llms = out.filter((s) => isLlmProcessor(s.processor));
      // One LLM service in the pipeline: the usage is its. Otherwise it stays on a row of its own.
      const target = llms.length === 1 ? llms[0] : blank(UNNAMED_LLM, null, this.unnamedTokens[0].seq);
      for (const u of this.unnamedTokens) {
        target.tokens = addTokens(target.tokens, u.tokens);
        target.model ??= u.model;
      }
      if (llms.length !== 1) out.push(target);
    }
    return out.sort((a, b) => a.firstSeq - b.firstSeq);
  }

  private service(processor: string, model: string | null, seq: number): ServiceMetrics {
    let s = this.services.get(processor);
    if (!s) {
      s = blank(processor, model, seq);
      this.services.set(processor, s);
    }
    if (model) s.model = model;
    return s;
  }

  private addValue(kind: string, e: Record<string, unknown>, seq: number): void {
    const processor = typeof e.processor === 'string' && e.processor ? e.processor : null;
    const nested = e.value && typeof e.value === 'object' && !Array.isArray(e.value) ? (e.value as Record<string, unknown>) : null;
    const value = kind in BREAKDOWN ? (num(e[kind]) ?? num(e.value)) : kind === 'stt_usage' && nested ? num(nested.audio_seconds) : num(e.value);
    if (!processor || value === null) return;
    const s = this.service(processor, typeof e.model === 'string' && e.model ? e.model : null, seq);
    if (kind === 'stt_usage') {
      const prev = s.other[kind];
      s.other[kind] = { last: Math.round(((prev?.last ?? 0) + value) * 1000) / 1000, count: (prev?.count ?? 0) + 1 };
      return;
    }
    if (kind === 'ttfb' || kind === 'processing') {
      const ms = value * 1000;
      const stat = (s[kind] ??= { last: ms, values: [] });
      stat.last = ms;
      stat.values.push(ms);
    } else if (kind === 'characters') {
      s.characters = (s.characters ?? 0) + value;
    } else {
      const prev = s.other[kind];
      s.other[kind] = { last: SECONDS_KINDS.has(kind) ? value * 1000 : value, count: (prev?.count ?? 0) + 1 };
    }
    // After its measure, so the table reads "ttfa …, leading_silence …".
    const part = BREAKDOWN[kind];
    const partValue = part ? num(e[part]) : null;
    if (part && partValue !== null) {
      const prev = s.other[part];
      s.other[part] = { last: partValue * 1000, count: (prev?.count ?? 0) + 1 };
    }
  }

  private addTokens(e: Record<string, unknown>, seq: number): void {
    // Pipecat's LLMUsageMetricsData nests the counts under `value`; the observer and our adapters send them flat.
    const v = e.value && typeof e.value === 'object' && !Array.isArray(e.value) ? (e.value as Record<string, unknown>) : e;
    const p = num(v.prompt_tokens);
    const c = num(v.completion_tokens);
    const t = num(v.total_tokens);
    if (p === null && c === null && t === null) return;
    const tokens: ServiceTokens = { prompt: p ?? 0, completion: c ?? 0, total: t ?? (p ?? 0) + (c ?? 0) };
    const model = typeof e.model === 'string' && e.model ? e.model : null;
    const processor = typeof e.processor === 'string' && e.processor ? e.processor : null;
    if (!processor) {
      this.unnamedTokens.push({ tokens, model, seq });
      return;
    }
    const s = this.service(processor, model, seq);
    s.tokens = addTokens(s.tokens, tokens);
  }
}

/** Pipecat names LLM services `<Vendor>LLMService#<n>` (e.g. OpenAILLMService#0). */
export function isLlmProcessor(name: string): boolean {
  return /LLM/.test(name);
}

/** The median of a timing's values, ms. */
export function medianOf(stat: TimingStat | null): number | null {
  if (!stat || stat.values.length === 0) return null;
  const s = [...stat.values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Folds a list of rows (one session, or all when `session` is null). */
export function serviceMetrics(events: readonly LogEvent[], session: number | null = null): ServiceMetrics[] {
  const acc = new ServiceMetricsAccumulator(session);
  for (const ev of events) acc.add(ev);
  return acc.snapshot();
}

function blank(processor: string, model: string | null, seq: number): ServiceMetrics {
  return { processor, model, ttfb: null, processing: null, characters: null, tokens: null, other: {}, firstSeq: seq };
}

function copy(s: ServiceMetrics): ServiceMetrics {
  return {
    ...s,
    ttfb: s.ttfb && { last: s.ttfb.last, values: [...s.ttfb.values] },
    processing: s.processing && { last: s.processing.last, values: [...s.processing.values] },
    tokens: s.tokens && { ...s.tokens },
    other: { ...s.other },
  };
}

function addTokens(a: ServiceTokens | null, b: ServiceTokens): ServiceTokens {
  return a ? { prompt: a.prompt + b.prompt, completion: a.completion + b.completion, total: a.total + b.total } : { ...b };
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
