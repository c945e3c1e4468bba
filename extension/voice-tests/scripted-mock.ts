import type { ToolMock } from './scenario-types.ts';
import { containsSubset } from './expectations.ts';

/** How a scripted mock answers one call: a result (after a delay), or nothing at all. */
export type ScriptedAnswer =
  | { kind: 'result'; result: unknown; delayMs: number }
  | { kind: 'never' };

/**
 * The answer a scenario's mock gives to a call with these arguments. Errors are results shaped
 * `{error: message}`: that is what both providers' function-response schemas carry back to the
 * model (OpenAI `function_call_output.output` is free text; Gemini `FunctionResponse.response`
 * documents `error` as the key for failures), so the model hears a failing tool as one.
 */
export function answerScriptedMock(mock: ToolMock, args: Record<string, unknown>): ScriptedAnswer {
  const delayMs = mock.delay_ms ?? 0;
  if (mock.never_answers) return { kind: 'never' };
  if (mock.error !== undefined) return { kind: 'result', result: { error: mock.error }, delayMs };
  if (mock.empty) return { kind: 'result', result: {}, delayMs };
  if (mock.cases) {
    const hit = mock.cases.find((c) => containsSubset(args, c.when));
    if (hit) return { kind: 'result', result: hit.error !== undefined ? { error: hit.error } : (hit.result ?? {}), delayMs };
    if ('default' in mock) return { kind: 'result', result: mock.default, delayMs };
    return { kind: 'result', result: { error: `no mock case matched the arguments ${JSON.stringify(args)}` }, delayMs };
  }
  return { kind: 'result', result: mock.result ?? {}, delayMs };
}
