import { computeSessionMetrics, type TurnMetrics } from '../inspector-core/session-metrics.ts';
import type { Recording } from '../recordings/recording-format.ts';
import { formatUsd } from './cost-estimate.ts';
import { priceFor, type PriceTable } from './price-table.ts';
import { toolCalls, transcripts, typedMessages, userSpeechSpans, type ToolCallRecord } from './recording-events.ts';
import { ZERO_USAGE, addUsage, costOf, totalTokens, usageRecords, type UsageRecord } from './token-usage.ts';
import { diffWords, hasDifferences, type DiffWord } from './word-diff.ts';

/** One turn of one recording, as the comparison shows it. */
export interface TurnSide {
  userText: string;
  botText: string;
  tools: Array<{ name: string; args: unknown; result?: unknown }>;
  /** User stopped → first bot audio heard (voice to voice), ms; null when not measured. */
  latencyMs: number | null;
  tokens: { input: number; output: number } | null;
  usd: number | null;
  interrupted: boolean;
}

export interface ComparedTurn {
  turn: number;
  a: TurnSide | null;
  b: TurnSide | null;
  userDiff: DiffWord[];
  botDiff: DiffWord[];
  toolsDiffer: boolean;
}

export interface RecordingSummary {
  id: string;
  name: string;
  adapterId: string;
  model?: string;
  origin: string;
  sourceId?: string;
  totalUsd: number | null;
  totalTokens: { input: number; output: number };
  priced: boolean;
}

export interface Comparison {
  a: RecordingSummary;
  b: RecordingSummary;
  turns: ComparedTurn[];
  priceAsOf: string;
}

interface Window {
  start: number;
  end: number;
}

/** Turn windows: each user action (speech or typed message) opens one, up to the next. */
function turnWindows(rec: Recording): Window[] {
  const starts = [...userSpeechSpans(rec).map((s) => s.start), ...typedMessages(rec).map((m) => m.t)].sort((x, y) => x - y);
  if (starts.length === 0) return [{ start: -Infinity, end: Infinity }];
  return starts.map((start, i) => ({ start: i === 0 ? -Infinity : start, end: starts[i + 1] ?? Infinity }));
}

const inWindow = (w: Window, t: number | null | undefined): boolean => t !== null && t !== undefined && t >= w.start && t < w.end;

function turnMetricIn(turns: TurnMetrics[], w: Window): TurnMetrics | undefined {
  return turns.find((m) => inWindow(w, m.userStoppedAt ?? m.botStartedAt ?? m.firstProviderAudioAt));
}

export function recordingTurns(rec: Recording, table: PriceTable): { sides: TurnSide[]; summary: RecordingSummary } {
  const windows = turnWindows(rec);
  const texts = transcripts(rec);
  const calls: ToolCallRecord[] = toolCalls(rec);
  const usage = usageRecords(rec);
  // On the recording clock, not in logging order: the local VAD logs its stop only after its
  // hangover, which can be after the bot started; in logging order that turn would have no latency.
  const metrics = computeSessionMetrics([...rec.events].sort((a, b) => a.t - b.t || a.seq - b.seq)).turns;
  const price = priceFor(table, rec.meta.model);
  // A response's usage arrives when it ends, possibly after the user's next turn began (a
  // barge-in): it belongs to the turn whose reply started last before it.
  const botStarts = rec.events.filter((e) => e.source === 'rtvi' && e.type === 'bot-started-speaking').map((e) => e.t);
  const usageAt = (t: number) => botStarts.filter((s) => s <= t).at(-1) ?? t;
  let total: Omit<UsageRecord, 't'> = { ...ZERO_USAGE };
  const sides = windows.map((w): TurnSide => {
    const mine = usage.filter((r) => inWindow(w, usageAt(r.t)));
    const u = mine.reduce<Omit<UsageRecord, 't'>>((acc, r) => addUsage(acc, r), { ...ZERO_USAGE });
    const any = mine.length > 0;
    total = addUsage(total, u);
    const m = turnMetricIn(metrics, w);
    // Without raw usage frames, the adapter's RTVI metrics row (prompt/completion) stands in, as audio.
    const fallback = !any && m?.tokens ? { ...ZERO_USAGE, audioIn: m.tokens.prompt, audioOut: m.tokens.completion, assumedAudio: true } : null;
    if (fallback) total = addUsage(total, fallback);
    return {
      userText: texts.filter((x) => x.role === 'user' && inWindow(w, x.t)).map((x) => x.text).join(' ').trim() || typedMessages(rec).filter((x) => inWindow(w, x.t)).map((x) => x.text).join(' '),
      botText: texts.filter((x) => x.role === 'bot' && inWindow(w, x.t)).map((x) => x.text).join(' ').trim(),
      tools: calls.filter((c) => inWindow(w, c.t)).map((c) => ({ name: c.name, args: c.args, ...(c.answered ? { result: c.result } : {}) })),
      latencyMs: m?.voiceToVoiceMs ?? null,
      tokens: any ? totalTokens(u) : fallback ? totalTokens(fallback) : null,
      usd: price && (any || fallback) ? costOf(fallback ?? u, price) : null,
      interrupted: m ? m.interruptedAt !== null : false,
    };
  });
  const summary: RecordingSummary = {
    id: rec.meta.id,
    name: rec.meta.name,
    adapterId: rec.meta.adapterId,
    ...(rec.meta.model ? { model: rec.meta.model } : {}),
    origin: rec.meta.origin,
    ...(rec.meta.sourceId ? { sourceId: rec.meta.sourceId } : {}),
    totalUsd: price ? costOf(total, price) : null,
    totalTokens: totalTokens(total),
    priced: !!price,
  };
  return { sides, summary };
}

/** Two recordings turn by turn (the n-th user turn of each side by side). */
export function compareRecordings(a: Recording, b: Recording, table: PriceTable): Comparison {
  const A = recordingTurns(a, table);
  const B = recordingTurns(b, table);
  const turns: ComparedTurn[] = [];
  for (let i = 0; i < Math.max(A.sides.length, B.sides.length); i++) {
    const sa = A.sides[i] ?? null;
    const sb = B.sides[i] ?? null;
    turns.push({
      turn: i + 1,
      a: sa,
      b: sb,
      userDiff: diffWords(sa?.userText ?? '', sb?.userText ?? ''),
      botDiff: diffWords(sa?.botText ?? '', sb?.botText ?? ''),
      toolsDiffer: JSON.stringify(sa?.tools.map((t) => [t.name, t.args]) ?? []) !== JSON.stringify(sb?.tools.map((t) => [t.name, t.args]) ?? []),
    });
  }
  return { a: A.summary, b: B.summary, turns, priceAsOf: table.asOf };
}

// ------------------------------------------------------------------ Markdown report
function mdEscape(s: string): string {
  return s.replace(/([\\`*_[\]|<>~])/g, '\\$1').replace(/\n/g, ' ');
}

function diffMd(diff: readonly DiffWord[]): string {
  if (!hasDifferences(diff)) return diff.map((d) => mdEscape(d.word)).join(' ') || '—';
  return diff.map((d) => (d.op === 'same' ? mdEscape(d.word) : d.op === 'removed' ? `~~${mdEscape(d.word)}~~` : `**${mdEscape(d.word)}**`)).join(' ');
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);
const tok = (t: TurnSide['tokens'] | undefined) => (t ? `${t.input} in / ${t.output} out` : '—');
const tools = (s: TurnSide | null) => (s && s.tools.length ? s.tools.map((t) => `\`${t.name}(${JSON.stringify(t.args)})\``.replace(/\|/g, '\\|')).join(', ') : '—');

function label(s: RecordingSummary): string {
  return `${mdEscape(s.name)} (${s.adapterId}${s.model ? `, ${s.model}` : ''}${s.origin === 'replay' ? ', replay' : ''})`;
}

/** A short Markdown report: the two recordings, then one table per turn. */
export function comparisonMarkdown(c: Comparison): string {
  const lines: string[] = [];
  lines.push('# Recording comparison', '');
  lines.push(`- **A**: ${label(c.a)} — ${c.a.totalTokens.input} tokens in, ${c.a.totalTokens.output} out, ${formatUsd(c.a.totalUsd)}`);
  lines.push(`- **B**: ${label(c.b)} — ${c.b.totalTokens.input} tokens in, ${c.b.totalTokens.output} out, ${formatUsd(c.b.totalUsd)}`);
  lines.push(`- Prices as of ${c.priceAsOf}. Latency: user stopped speaking → first bot audio heard. In transcripts, ~~struck~~ words are only in A, **bold** only in B.`, '');
  for (const t of c.turns) {
    lines.push(`## Turn ${t.turn}`, '');
    lines.push('| | A | B |', '|---|---|---|');
    lines.push(`| User | ${mdEscape(t.a?.userText || '—')} | ${diffMd(t.userDiff)} |`);
    lines.push(`| Bot | ${mdEscape(t.a?.botText || '—')} | ${diffMd(t.botDiff)} |`);
    lines.push(`| Tools | ${tools(t.a)} | ${tools(t.b)}${t.toolsDiffer ? ' (differs)' : ''} |`);
    lines.push(`| Latency | ${ms(t.a?.latencyMs)} | ${ms(t.b?.latencyMs)} |`);
    lines.push(`| Tokens | ${tok(t.a?.tokens)} | ${tok(t.b?.tokens)} |`);
    lines.push(`| Cost | ${formatUsd(t.a?.usd ?? null)} | ${formatUsd(t.b?.usd ?? null)} |`);
    lines.push(`| Interrupted | ${t.a ? (t.a.interrupted ? 'yes' : 'no') : '—'} | ${t.b ? (t.b.interrupted ? 'yes' : 'no') : '—'} |`, '');
  }
  return lines.join('\n');
}
