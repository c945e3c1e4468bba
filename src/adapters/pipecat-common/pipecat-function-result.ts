/**
 * Pipecat validates a client's function result as `result: dict | str` (RTVI
 * LLMFunctionCallResultData, pipecat rtvi/models.py:278-287) and answers anything else with an
 * error-response "Invalid message: …" (processor.py:376-378): the call never reaches the LLM and the
 * bot waits. A developer's mock that returns a list, number, boolean or null means that value, so
 * it is sent as its JSON text — what the LLM would read in its tool message anyway — with a note.
 */
export function toPipecatResult(functionName: string, result: unknown): { result: Record<string, unknown> | string; note?: string } {
  if (typeof result === 'string') return { result };
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) return { result: result as Record<string, unknown> };
  const text = JSON.stringify(result) ?? 'null';
  return {
    result: text,
    note: `A Pipecat bot accepts a function result only as a JSON object or a string (RTVI llm-function-call-result: result is dict | str); the result of ${functionName} (${truncate(text, 80)}) was sent as the string ${truncate(JSON.stringify(text), 80)}. Return an object such as {"value": …} to send structured data.`,
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
