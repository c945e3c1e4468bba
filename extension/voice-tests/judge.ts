import type { JudgeVerdict } from './expectations.ts';

/**
 * Judged assertions: a yes/no question about the bot's reply, answered by a text model of the
 * SAME provider the run uses, with the key the run already has for that adapter. Costs tokens
 * (counted into the run's total); asked only when the run asks for it.
 *
 * Wire facts:
 * - OpenAI Chat Completions, `POST /v1/chat/completions`, Bearer key, `response_format:
 *   {type: 'json_schema', json_schema: {name, strict, schema}}`; the answer is the JSON text of
 *   `choices[0].message.content`, usage in `usage.total_tokens`
 *   (https://platform.openai.com/docs/api-reference/chat/create; node_modules/openai
 *   resources/chat/completions ChatCompletionCreateParams, ChatCompletion, CompletionUsage).
 * - Gemini `POST /v1beta/models/{model}:generateContent`, key in the `x-goog-api-key` header,
 *   `generationConfig.responseMimeType: 'application/json'` with a `responseSchema`; the text is
 *   `candidates[0].content.parts[].text`, usage in `usageMetadata.totalTokenCount`
 *   (https://ai.google.dev/api/generate-content; @google/genai GenerateContentResponse).
 * The key travels only in a header: never in the URL, so it cannot leak into logs of URLs.
 */

export type JudgeProvider = 'openai' | 'gemini';

/** Default judge models: current, inexpensive text models (openai ChatModel; @google/genai docs). */
export const DEFAULT_JUDGE_MODEL: Record<JudgeProvider, string> = { openai: 'gpt-5.4-mini', gemini: 'gemini-2.5-flash' };

const PROVIDER_OF_ADAPTER: Record<string, JudgeProvider> = { 'openai-realtime': 'openai', 'gemini-live': 'gemini' };

export interface JudgeTarget {
  adapterId: string;
  /** The target's WebSocket endpoint (a test server or a proxy), whose origin the judge uses too. */
  endpoint?: string;
  apiKey?: string;
}

export interface JudgeHttpRequest {
  url: string;
  init: { method: 'POST'; headers: Record<string, string>; body: string };
}

export interface JudgeOutcome {
  verdict: JudgeVerdict;
  tokens: number;
  model: string;
}

export type FetchLike = (url: string, init: JudgeHttpRequest['init']) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

const SYSTEM = 'You judge one reply of a voice assistant in an automated test. Answer the question about the reply with "yes" or "no" only, and give one or two sentences of reasoning. Reply with JSON: {"answer": "yes" | "no", "reasoning": string}.';

/** The provider a target's judge is asked through, or why it cannot be. */
export function judgeProvider(adapterId: string): JudgeProvider | null {
  return PROVIDER_OF_ADAPTER[adapterId] ?? null;
}

/** `ws://host:port/...` → `http://host:port`, `wss://…` → `https://…`: the same service over HTTP. */
function httpOrigin(endpoint: string | undefined, fallback: string): string {
  if (!endpoint) return fallback;
  try {
    const u = new URL(endpoint);
    const scheme = u.protocol === 'ws:' || u.protocol === 'http:' ? 'http:' : 'https:';
    return `${scheme}//${u.host}`;
  } catch {
    return fallback;
  }
}

function prompt(question: string, reply: string): string {
  return `The assistant's reply (transcript):\n"""\n${reply || '(the assistant said nothing)'}\n"""\n\nQuestion: ${question}`;
}

/** The HTTP request that asks the judge; throws a plain reason when this target has no judge. */
export function judgeRequest(target: JudgeTarget, question: string, reply: string, model?: string): { request: JudgeHttpRequest; provider: JudgeProvider; model: string } {
  const provider = judgeProvider(target.adapterId);
  if (!provider) throw new Error(`judged assertions are not available for the ${target.adapterId} adapter (only OpenAI Realtime and Gemini Live have a text API the key can use)`);
  if (!target.apiKey) throw new Error(`judged assertions need the ${target.adapterId} API key`);
  const m = model ?? DEFAULT_JUDGE_MODEL[provider];
  if (provider === 'openai') {
    const body = {
      model: m,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: prompt(question, reply) },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'verdict',
          strict: true,
          schema: { type: 'object', properties: { answer: { type: 'string', enum: ['yes', 'no'] }, reasoning: { type: 'string' } }, required: ['answer', 'reasoning'], additionalProperties: false },
        },
      },
    };
    return {
      provider,
      model: m,
      request: { url: `${httpOrigin(target.endpoint, 'https://api.openai.com')}/v1/chat/completions`, init: { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${target.apiKey}` }, body: JSON.stringify(body) } },
    };
  }
  const body = {
    systemInstruction: { parts: [{ text: SYSTEM }] },
    contents: [{ role: 'user', parts: [{ text: prompt(question, reply) }] }],
    generationConfig: {
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING', enum: ['yes', 'no'] }, reasoning: { type: 'STRING' } }, required: ['answer', 'reasoning'] },
    },
  };
  return {
    provider,
    model: m,
    request: { url: `${httpOrigin(target.endpoint, 'https://generativelanguage.googleapis.com')}/v1beta/models/${encodeURIComponent(m)}:generateContent`, init: { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-goog-api-key': target.apiKey }, body: JSON.stringify(body) } },
  };
}

/** Reads the provider's answer into a verdict and the tokens it cost. */
export function parseJudgeResponse(provider: JudgeProvider, body: unknown): { verdict: JudgeVerdict; tokens: number } {
  const b = (body ?? {}) as Record<string, unknown>;
  let text: string | undefined;
  let tokens = 0;
  if (provider === 'openai') {
    const choice = (b.choices as Array<{ message?: { content?: unknown; refusal?: unknown } }> | undefined)?.[0];
    if (typeof choice?.message?.refusal === 'string' && choice.message.refusal) return { verdict: { answer: 'unclear', reasoning: `the judge refused: ${choice.message.refusal}` }, tokens: usageOpenAI(b) };
    text = typeof choice?.message?.content === 'string' ? choice.message.content : undefined;
    tokens = usageOpenAI(b);
  } else {
    const parts = (b.candidates as Array<{ content?: { parts?: Array<{ text?: unknown }> } }> | undefined)?.[0]?.content?.parts ?? [];
    const joined = parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
    text = joined || undefined;
    const total = (b.usageMetadata as { totalTokenCount?: unknown } | undefined)?.totalTokenCount;
    tokens = typeof total === 'number' ? total : 0;
  }
  if (text === undefined) return { verdict: { answer: 'unclear', reasoning: 'the judge gave no answer' }, tokens };
  let parsed: { answer?: unknown; reasoning?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return { verdict: { answer: 'unclear', reasoning: `the judge did not answer in JSON: ${text.slice(0, 200)}` }, tokens };
  }
  const answer = typeof parsed.answer === 'string' ? parsed.answer.trim().toLowerCase() : '';
  const reasoning = typeof parsed.reasoning === 'string' ? parsed.reasoning : '';
  return { verdict: { answer: answer === 'yes' || answer === 'no' ? answer : 'unclear', reasoning }, tokens };
}

function usageOpenAI(b: Record<string, unknown>): number {
  const total = (b.usage as { total_tokens?: unknown } | undefined)?.total_tokens;
  return typeof total === 'number' ? total : 0;
}

/** Asks the judge. A non-2xx answer throws with the provider's message, never the key. */
export async function askJudge(fetchFn: FetchLike, target: JudgeTarget, question: string, reply: string, model?: string): Promise<JudgeOutcome> {
  const { request, provider, model: m } = judgeRequest(target, question, reply, model);
  const res = await fetchFn(request.url, request.init);
  const raw = await res.text();
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : {};
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    const text = typeof msg === 'string' ? msg : raw.slice(0, 200);
    throw new Error(`the ${m} judge answered HTTP ${res.status}: ${redact(text, target.apiKey)}`);
  }
  if (body === undefined) throw new Error(`the ${m} judge answered with something other than JSON`);
  return { ...parseJudgeResponse(provider, body), model: m };
}

function redact(text: string, key: string | undefined): string {
  return key ? text.split(key).join('<key>') : text;
}
