import type { ToolCallRecord } from './recording-events.ts';

/** Who answered a tool call during a replay, for the report. */
export type ToolAnswerSource = 'recording' | 'mock' | 'default';

export interface ToolAnswer {
  result: unknown;
  answeredBy: ToolAnswerSource;
}

export interface ToolAnswerReportRow {
  name: string;
  args: unknown;
  answeredBy: ToolAnswerSource;
}

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  return ak.length === Object.keys(bo).length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

function parsed(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

/**
 * Answers the replay's tool calls: the source recording's result for the same tool and the same
 * arguments (deep-equal on the parsed arguments) when it has one; else the target's mock (a fixed
 * result); else a result saying no answer was recorded. Never "ask me": a replay never waits for
 * a person.
 */
export class ReplayToolAnswers {
  readonly report: ToolAnswerReportRow[] = [];

  constructor(
    private readonly source: readonly ToolCallRecord[],
    private readonly mockFor: (name: string) => { mode: string; result: string } | undefined,
    private readonly parseMock: (text: string) => unknown,
  ) {}

  answer(name: string, rawArgs: unknown): ToolAnswer {
    const args = parsed(rawArgs);
    const recorded = this.source.find((c) => c.answered && c.name === name && deepEqual(parsed(c.args), args));
    let answer: ToolAnswer;
    if (recorded) answer = { result: recorded.result, answeredBy: 'recording' };
    else {
      const mock = this.mockFor(name);
      if (mock && mock.mode === 'fixed') answer = { result: this.parseMock(mock.result), answeredBy: 'mock' };
      else answer = { result: { error: `No recorded result for ${name} with these arguments, and its mock asks a person; the replay answered this instead.` }, answeredBy: 'default' };
    }
    this.report.push({ name, args, answeredBy: answer.answeredBy });
    return answer;
  }
}
