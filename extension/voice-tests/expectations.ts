import type { Bounds, Expectations, ToolExpectation } from './scenario-types.ts';
import type { ReplyObservation } from './reply-observation.ts';

/** One assertion's outcome in one run. `id` is stable across runs, so pass rates can be counted. */
export interface AssertionResult {
  /** e.g. `step 2: transcript contains "Paris"`. */
  id: string;
  passed: boolean;
  /** Why it failed, in words a developer can act on (what was expected, what happened). */
  message?: string;
  /** Where in the session the reply was (event seq and ms since connect), for the timeline link. */
  atSeq?: number;
  atT?: number;
  /** A judged assertion's verdict as the judge gave it (answer, reasoning, model). */
  judge?: JudgeVerdict;
}

/** The judge's verdict, for a `judge` expectation (asked by the runner; costs tokens). */
export interface JudgeVerdict {
  answer: 'yes' | 'no' | 'unclear';
  reasoning: string;
  /** The model that answered. */
  model?: string;
  /** Tokens the question cost (counted into the run's total). */
  tokens?: number;
}

export interface ExpectationContext {
  step: number;
  /** The transport was `ready` when the reply ended. */
  readyAfter: boolean;
  judge?: JudgeVerdict;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const quote = (s: string, max = 160) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** Checks every expectation of one step against what the bot did. */
export function checkExpectations(expect: Expectations, obs: ReplyObservation, ctx: ExpectationContext): AssertionResult[] {
  const out: AssertionResult[] = [];
  const at = { ...(obs.fromSeq !== null ? { atSeq: obs.fromSeq } : {}), ...(obs.fromT !== null ? { atT: obs.fromT } : {}) };
  const add = (what: string, passed: boolean, message: string) => out.push({ id: `step ${ctx.step}: ${what}`, passed, ...(passed ? {} : { message }), ...at });
  const heard = obs.transcript;
  const lower = heard.toLowerCase();

  for (const s of list(expect.transcript?.contains)) add(`transcript contains ${quote(s)}`, lower.includes(s.toLowerCase()), `the bot said ${quote(heard)}, which does not contain ${quote(s)}`);
  for (const s of list(expect.transcript?.not_contains)) add(`transcript does not contain ${quote(s)}`, !lower.includes(s.toLowerCase()), `the bot said ${quote(heard)}, which contains ${quote(s)}`);
  if (expect.transcript?.matches !== undefined) {
    const re = new RegExp(expect.transcript.matches, 'i');
    add(`transcript matches /${expect.transcript.matches}/`, re.test(heard), `the bot said ${quote(heard)}, which does not match /${expect.transcript.matches}/i`);
  }

  const called = obs.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.args)})`).join(', ') || 'no tool';
  for (const t of list<ToolExpectation>(expect.tool_called)) {
    const byName = obs.toolCalls.filter((c) => c.name === t.name);
    if (t.args === undefined) {
      add(`tool ${t.name} called`, byName.length > 0, `expected a call to ${t.name}; the bot called ${called}`);
      continue;
    }
    const match = byName.some((c) => containsSubset(c.args, t.args!));
    add(`tool ${t.name} called with ${JSON.stringify(t.args)}`, match, byName.length === 0 ? `expected a call to ${t.name}; the bot called ${called}` : `${t.name} was called with ${byName.map((c) => JSON.stringify(c.args)).join(', ')}, which does not contain ${JSON.stringify(t.args)}${firstMismatch(byName[0]!.args, t.args)}`);
  }
  for (const name of list(expect.tool_not_called)) add(`tool ${name} not called`, !obs.toolCalls.some((c) => c.name === name), `${name} was called (${obs.toolCalls.filter((c) => c.name === name).length}×)`);
  if (expect.tool_calls !== undefined) {
    const b: Bounds = typeof expect.tool_calls === 'number' ? { min: expect.tool_calls, max: expect.tool_calls } : expect.tool_calls;
    add(`tool calls ${describeBounds(b, '')}`, within(obs.toolCalls.length, b), `the bot made ${obs.toolCalls.length} tool call${obs.toolCalls.length === 1 ? '' : 's'} (${called})`);
  }

  if (expect.latency_ms !== undefined) {
    const b = expect.latency_ms;
    add(`voice-to-voice latency ${describeBounds(b, ' ms')}`, obs.latencyMs !== null && within(obs.latencyMs, b), obs.latencyMs === null ? 'no voice-to-voice latency was measured (no spoken user turn followed by bot audio)' : `voice-to-voice latency was ${Math.round(obs.latencyMs)} ms`);
  }
  if (expect.audio_ms !== undefined) {
    const b = expect.audio_ms;
    add(`reply audio ${describeBounds(b, ' ms')}`, within(obs.audioMs, b), `the reply's audio played for ${obs.audioMs} ms`);
  }
  if (expect.no_error === true) add('no error', obs.errors.length === 0, `error: ${obs.errors.join('; ')}`);
  if (expect.ready !== undefined) add(expect.ready ? 'session still ready' : 'session no longer ready', ctx.readyAfter === expect.ready, ctx.readyAfter ? 'the session was still ready' : 'the session was no longer ready after the reply');
  if (expect.judge !== undefined) {
    const want = expect.judge.expect ?? 'yes';
    const v = ctx.judge;
    add(`judge: ${expect.judge.question} (${want})`, v?.answer === want, v ? `the judge answered ${v.answer}: ${v.reasoning}` : 'the judge was not asked (judged assertions are off unless asked for)');
    if (v) out[out.length - 1]!.judge = v;
  }
  return out;
}

/** `actual` holds every field of `subset` with an equal value (objects compared recursively; arrays element-wise, same length). */
export function containsSubset(actual: unknown, subset: unknown): boolean {
  if (subset === null || typeof subset !== 'object') {
    if (typeof subset === 'string' && typeof actual === 'string') return actual.trim().toLowerCase() === subset.trim().toLowerCase();
    return Object.is(actual, subset) || (typeof actual === 'number' && typeof subset === 'number' && actual === subset);
  }
  if (Array.isArray(subset)) return Array.isArray(actual) && actual.length === subset.length && subset.every((s, i) => containsSubset(actual[i], s));
  if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(subset as Record<string, unknown>).every(([k, v]) => k in (actual as Record<string, unknown>) && containsSubset((actual as Record<string, unknown>)[k], v));
}

function firstMismatch(actual: Record<string, unknown>, subset: Record<string, unknown>): string {
  for (const [k, v] of Object.entries(subset)) {
    if (!(k in actual)) return ` (no "${k}")`;
    if (!containsSubset(actual[k], v)) return ` ("${k}" is ${JSON.stringify(actual[k])}, expected ${JSON.stringify(v)})`;
  }
  return '';
}

function within(v: number, b: Bounds): boolean {
  return (b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max);
}

function describeBounds(b: Bounds, unit: string): string {
  if (b.min !== undefined && b.max !== undefined) return b.min === b.max ? `= ${b.min}${unit}` : `within ${b.min}–${b.max}${unit}`;
  if (b.max !== undefined) return `≤ ${b.max}${unit}`;
  if (b.min !== undefined) return `≥ ${b.min}${unit}`;
  return 'any';
}
