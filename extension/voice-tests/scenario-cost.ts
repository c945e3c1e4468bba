import { AUDIO_TOKENS_PER_SECOND, familyOf, formatUsd } from '../replay/cost-estimate.ts';
import { priceFor, type PriceTable } from '../replay/price-table.ts';
import { ZERO_USAGE, addUsage, costOf, totalTokens, type UsageRecord } from '../replay/token-usage.ts';
import type { Scenario, ScenarioTarget } from './scenario-types.ts';

/** Assumptions stated with every estimate: a scenario says what the user sends, not what the bot answers. */
export const ASSUMED_REPLY_SECONDS = 5;
/** A turn taken from a recording whose length is not known before the run. */
export const ASSUMED_RECORDING_TURN_SECONDS = 3;
/** Text tokens per character (OpenAI's rule of thumb of about 4 characters per token). */
const CHARS_PER_TOKEN = 4;

export interface ScenarioCostOptions {
  table: PriceTable;
  /** The model a target that names none connects with (its adapter's default). */
  defaultModel(adapterId: string): string | undefined;
  /** Adapters that bill nothing (no key: Loopback). */
  isFree?(adapterId: string): boolean;
  /** Seconds of an audio file a step speaks, when it is at hand. */
  audioSeconds(path: string): number | undefined;
}

export interface TargetCost {
  scenario: string;
  target: string;
  model: string | undefined;
  runs: number;
  /** USD for all runs of this target; null when the model has no price. */
  usd: number | null;
  input: number;
  output: number;
}

export interface ScenarioCost {
  /** Sum over the priced targets. */
  usd: number;
  targets: TargetCost[];
  /** Models (or adapters) with no row in the price table. */
  unpriced: string[];
  asOf: string;
  assumptions: string[];
}

/**
 * What a run of these scenarios may cost: per target × repeat, from the steps (typed text, the
 * audio files' lengths), an assumed reply length, and the target family's audio token rates (the
 * ones replay's estimate uses), each reply billing the conversation so far as input, instructions
 * and tools included.
 */
export function estimateScenarioCost(scenarios: readonly Scenario[], opts: ScenarioCostOptions): ScenarioCost {
  const targets: TargetCost[] = [];
  const unpriced = new Set<string>();
  const assumptions = new Set<string>([`each reply is ${ASSUMED_REPLY_SECONDS} s of audio`, `text is ${CHARS_PER_TOKEN} characters per token`]);
  for (const s of scenarios) {
    for (const t of s.targets) {
      const adapterId = t.adapter ?? '';
      const model = t.model ?? opts.defaultModel(adapterId);
      const label = t.label ?? adapterId;
      if (opts.isFree?.(adapterId)) {
        targets.push({ scenario: s.name, target: label, model, runs: s.repeat, usd: 0, input: 0, output: 0 });
        continue;
      }
      const usage = runUsage(s, t, model, opts, assumptions);
      const price = priceFor(opts.table, model);
      if (!price) unpriced.add(model ?? adapterId);
      const { input, output } = totalTokens(usage);
      targets.push({ scenario: s.name, target: label, model, runs: s.repeat, usd: price ? costOf(usage, price) * s.repeat : null, input: Math.round(input * s.repeat), output: Math.round(output * s.repeat) });
    }
  }
  return { usd: targets.reduce((sum, t) => sum + (t.usd ?? 0), 0), targets, unpriced: [...unpriced], asOf: opts.table.asOf, assumptions: [...assumptions] };
}

function runUsage(s: Scenario, t: ScenarioTarget, model: string | undefined, opts: ScenarioCostOptions, assumptions: Set<string>): Omit<UsageRecord, 't'> {
  const fam = familyOf(t.adapter ?? '', model);
  const rates = fam === 'other' ? AUDIO_TOKENS_PER_SECOND.openai : AUDIO_TOKENS_PER_SECOND[fam];
  const text = (str: string) => Math.ceil(str.length / CHARS_PER_TOKEN);
  let ctxText = text(t.instructions ?? '') + (t.tools ? text(JSON.stringify(t.tools.map((x) => ({ name: x.name, description: x.description, parameters: x.parameters })))) : 0);
  let ctxAudio = 0;
  let usage: Omit<UsageRecord, 't'> = { ...ZERO_USAGE };
  const audio = (path: string) => {
    const sec = opts.audioSeconds(path);
    if (sec !== undefined) return sec;
    assumptions.add(`an audio file not at hand is ${ASSUMED_RECORDING_TURN_SECONDS} s`);
    return ASSUMED_RECORDING_TURN_SECONDS;
  };
  const respond = () => {
    usage = addUsage(usage, { ...ZERO_USAGE, textIn: ctxText, audioIn: ctxAudio, audioOut: ASSUMED_REPLY_SECONDS * rates.bot });
    ctxAudio += ASSUMED_REPLY_SECONDS * rates.bot;
  };
  for (const step of s.steps) {
    const a = step.action;
    switch (a.kind) {
      case 'say':
        ctxText += text(a.text);
        respond();
        break;
      case 'speak':
        ctxAudio += audio(a.file) * rates.user;
        respond();
        break;
      case 'from_recording':
        assumptions.add(`a turn from a recording is ${ASSUMED_RECORDING_TURN_SECONDS} s`);
        ctxAudio += ASSUMED_RECORDING_TURN_SECONDS * rates.user;
        respond();
        break;
      case 'barge_in':
        if (a.say !== undefined) ctxText += text(a.say);
        else ctxAudio += audio(a.speak!) * rates.user;
        respond();
        break;
      case 'silence':
        // Streamed audio may be billed even when nobody speaks: counted, with no reply.
        ctxAudio += (a.ms / 1000) * rates.user;
        break;
      case 'wait':
        break;
    }
  }
  return usage;
}

/** One line: `Estimated cost: $0.04 for 3 runs (prices as of 2026-12-07; assumes …)`. */
export function formatScenarioCost(c: ScenarioCost, tableName = 'price table'): string {
  const runs = c.targets.reduce((n, t) => n + t.runs, 0);
  const priced = c.targets.some((t) => t.usd !== null);
  const head = priced ? `Estimated cost: ${formatUsd(c.usd)}${c.unpriced.length ? ' (priced targets only)' : ''}` : 'Estimated cost: unknown';
  const unpriced = c.unpriced.map((m) => `no price for ${m}`).join('; ');
  return `${head} for ${runs} run${runs === 1 ? '' : 's'} (${tableName} as of ${c.asOf}; assumes ${c.assumptions.join(', ')})${unpriced ? `; ${unpriced}` : ''}.`;
}
