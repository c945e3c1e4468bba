/**
 * Prices per model, USD per 1 million tokens, by modality. Editable in the panel (stored with
 * the date the user says they are "as of"); the defaults below are what the vendors' pages said
 * when they were written:
 * - OpenAI: https://developers.openai.com/api/docs/models/gpt-realtime-1.5 and …/gpt-realtime-2
 *   (and https://developers.openai.com/api/docs/pricing): text in 4, cached in 0.40, text out 16
 *   (24 for gpt-realtime-2), audio in 32, cached audio in 0.40, audio out 64;
 *   …/models/gpt-realtime-2.1-mini: text 0.60 / 2.40, audio 10 / 20, cached text 0.06.
 * - Google: https://ai.google.dev/gemini-api/docs/pricing (Gemini 2.5 Flash native audio, Live
 *   API, paid tier), as quoted by a third-party snapshot verified 2026-05-16 (the page itself was
 *   not reachable from here): text in 0.50, audio/video in 3.00, text out 2.00, audio out 12.00.
 * Check them against the live pages before trusting an estimate; prices change.
 */
export interface ModelPrice {
  /** Model id, or a prefix of ids (dated snapshots match their family). */
  model: string;
  textIn: number;
  audioIn: number;
  /** Cached input (either modality); falls back to the uncached price. */
  cachedIn?: number;
  textOut: number;
  audioOut: number;
}

export interface PriceTable {
  /** ISO date the prices were taken. */
  asOf: string;
  source: string;
  prices: ModelPrice[];
}

export const DEFAULT_PRICE_TABLE: PriceTable = {
  asOf: '2026-12-07',
  source: 'developers.openai.com model pages (gpt-realtime-1.5, gpt-realtime-2); ai.google.dev Gemini API pricing via a snapshot verified 2026-05-16',
  prices: [
    { model: 'gpt-realtime-2', textIn: 4, cachedIn: 0.4, textOut: 24, audioIn: 32, audioOut: 64 },
    { model: 'gpt-realtime-1.5', textIn: 4, cachedIn: 0.4, textOut: 16, audioIn: 32, audioOut: 64 },
    { model: 'gpt-realtime', textIn: 4, cachedIn: 0.4, textOut: 16, audioIn: 32, audioOut: 64 },
    { model: 'gpt-realtime-2.1-mini', textIn: 0.6, cachedIn: 0.06, textOut: 2.4, audioIn: 10, audioOut: 20 },
    { model: 'gemini-2.5-flash-native-audio', textIn: 0.5, textOut: 2, audioIn: 3, audioOut: 12 },
    { model: 'gemini-live-2.5-flash', textIn: 0.5, textOut: 2, audioIn: 3, audioOut: 12 },
  ],
};

/** What may follow a family id in a snapshot's id: a date or a preview tag (not another variant such as -mini). */
const SNAPSHOT_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{2}-\d{4}|preview.*|latest)$/;

/** The price for a model: an exact id, else the longest entry whose dated or preview snapshot it is. */
export function priceFor(table: PriceTable, model: string | undefined): ModelPrice | null {
  if (!model) return null;
  const id = model.replace(/^models\//, '');
  const exact = table.prices.find((p) => p.model === id);
  if (exact) return exact;
  let best: ModelPrice | null = null;
  for (const p of table.prices) if (id.startsWith(p.model) && SNAPSHOT_SUFFIX.test(id.slice(p.model.length)) && (!best || p.model.length > best.model.length)) best = p;
  return best;
}

const PRICE_FIELDS = ['textIn', 'audioIn', 'textOut', 'audioOut'] as const;

/** Validates an edited table (from the panel or storage); a clear message on the first problem. */
export function parsePriceTable(value: unknown): { ok: true; table: PriceTable } | { ok: false; error: string } {
  const v = value as Partial<PriceTable> | null;
  if (!v || typeof v !== 'object') return { ok: false, error: 'The price table must be an object with asOf, source and prices.' };
  if (typeof v.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.asOf)) return { ok: false, error: 'The price table needs an "as of" date written YYYY-MM-DD.' };
  if (!Array.isArray(v.prices)) return { ok: false, error: 'The price table needs a list of prices.' };
  const prices: ModelPrice[] = [];
  for (const [i, p] of v.prices.entries()) {
    const row = p as unknown as Record<string, unknown>;
    if (!row || typeof row.model !== 'string' || !row.model.trim()) return { ok: false, error: `Price row ${i + 1} needs a model id.` };
    for (const f of PRICE_FIELDS) {
      if (typeof row[f] !== 'number' || !Number.isFinite(row[f]) || (row[f] as number) < 0) return { ok: false, error: `Price row ${i + 1} (${row.model}): ${f} must be a number ≥ 0 (USD per 1M tokens).` };
    }
    if (row.cachedIn !== undefined && (typeof row.cachedIn !== 'number' || !(row.cachedIn >= 0))) return { ok: false, error: `Price row ${i + 1} (${row.model}): cachedIn must be a number ≥ 0.` };
    prices.push({ model: row.model.trim(), textIn: row.textIn as number, audioIn: row.audioIn as number, textOut: row.textOut as number, audioOut: row.audioOut as number, ...(row.cachedIn !== undefined ? { cachedIn: row.cachedIn as number } : {}) });
  }
  return { ok: true, table: { asOf: v.asOf, source: typeof v.source === 'string' ? v.source : '', prices } };
}
